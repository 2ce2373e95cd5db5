"""The head's rigid pose from the face model, and its yaw, pitch and roll (pure NumPy).

Camera space is MediaPipe's face-geometry space: x right in the image, y up, z toward the
camera (centimetres). A :class:`HeadPose` rotation maps the canonical face (x toward the
subject's left, y up the face, z out of the face through the nose) into that space, so a face
looking straight into the camera has the identity rotation.

Angle convention (degrees, the signs of the neck metrics, see docs/measurements.md):

- yaw: + head turned toward the subject's left (the nose moves to the image right);
- pitch: + chin down (flexion; the nose moves down in the image);
- roll: + head tilted toward the subject's left shoulder (the top of the head moves to the
  image right).

They are the angles of ``R = Rz(-roll) @ Ry(yaw) @ Rx(pitch)`` (see :func:`rotation_from_angles`):
pitch and yaw come only from the face axes' components along the optical axis, so turning
the camera (or the picture) about that axis changes roll by exactly the turn and leaves yaw
and pitch alone. The decomposition is unique for |yaw| < 90 deg; it degenerates only at a
full profile (yaw = +/-90), which the face model never reports (it saturates near 65 deg).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Landmarks of the face model (its 468 mesh points and 10 iris points).
N_FACE_LANDMARKS = 478


@dataclass(frozen=True, kw_only=True)
class HeadPose:
    """The head in one frame.

    Attributes:
        rotation: (3, 3) rotation of the canonical face into camera space (x right, y up,
            z toward the camera), as the face model returns it.
        translation: (3,) the canonical face origin in camera space, centimetres.
        landmarks: (478, 3) face landmarks: x, y normalised to the frame (x right, y down),
            z relative depth, like the pose model's image landmarks.
        confidence: how far the pose can be trusted, 0..1 (see romcam.pose.face).
    """

    rotation: np.ndarray
    translation: np.ndarray
    landmarks: np.ndarray
    confidence: float

    def __post_init__(self) -> None:
        if np.shape(self.rotation) != (3, 3):
            raise ValueError(f"rotation must be (3, 3); got {np.shape(self.rotation)}")
        if np.shape(self.translation) != (3,):
            raise ValueError(f"translation must be (3,); got {np.shape(self.translation)}")
        if np.shape(self.landmarks) != (N_FACE_LANDMARKS, 3):
            raise ValueError(
                f"landmarks must be ({N_FACE_LANDMARKS}, 3); got {np.shape(self.landmarks)}"
            )
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be in [0, 1]; got {self.confidence}")


def head_angles(rotation: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) in degrees of a (3, 3) head rotation (convention: module docstring).

    The rotation is first made orthonormal (nearest rotation), so a slightly scaled matrix
    (the face model fits a scale along with the pose) reads the same angles.
    """
    r = _nearest_rotation(np.asarray(rotation, dtype=float))
    yaw = np.degrees(np.arcsin(np.clip(-r[2, 0], -1.0, 1.0)))
    pitch = np.degrees(np.arctan2(r[2, 1], r[2, 2]))
    roll = -np.degrees(np.arctan2(r[1, 0], r[0, 0]))
    return float(yaw), float(pitch), float(roll)


def head_angles_array(rotations: np.ndarray) -> np.ndarray:
    """(T, 3) yaw, pitch, roll in degrees of (T, 3, 3) rotations; NaN rows stay NaN."""
    rotations = np.asarray(rotations, dtype=float)
    out = np.full((len(rotations), 3), np.nan)
    for i, r in enumerate(rotations):
        if np.all(np.isfinite(r)):
            out[i] = head_angles(r)
    return out


def rotation_from_angles(yaw_deg: float, pitch_deg: float, roll_deg: float) -> np.ndarray:
    """(3, 3) head rotation with these angles: ``Rz(-roll) @ Ry(yaw) @ Rx(pitch)``."""
    y, p, r = np.radians([yaw_deg, pitch_deg, -roll_deg])
    ry = np.array([[np.cos(y), 0.0, np.sin(y)], [0.0, 1.0, 0.0], [-np.sin(y), 0.0, np.cos(y)]])
    rx = np.array([[1.0, 0.0, 0.0], [0.0, np.cos(p), -np.sin(p)], [0.0, np.sin(p), np.cos(p)]])
    rz = np.array([[np.cos(r), -np.sin(r), 0.0], [np.sin(r), np.cos(r), 0.0], [0.0, 0.0, 1.0]])
    return rz @ ry @ rx


def _nearest_rotation(m: np.ndarray) -> np.ndarray:
    """The rotation matrix nearest to ``m`` (polar decomposition by SVD)."""
    if m.shape != (3, 3) or not np.all(np.isfinite(m)):
        raise ValueError(f"rotation must be a finite (3, 3) matrix; got shape {m.shape}")
    u, _, vt = np.linalg.svd(m)
    r = u @ vt
    if np.linalg.det(r) < 0:
        raise ValueError("rotation is a reflection (determinant < 0)")
    return r
