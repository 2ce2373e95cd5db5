"""Neck metrics from the head pose of the face model (pure NumPy; used by ``core.measure``).

With a head pose per frame, the front-view neck metrics come from the face transform instead
of the body model's few face points (which are poor near a profile and lag in a tilt):

- ``neck_rotation``: the head's yaw (:func:`romcam.core.head_pose.head_angles`), the shoulders
  taken as square to the camera (the body model's shoulder depth turns with the head, so it
  cannot tell the trunk's own turn; see docs/measurements.md);
- ``neck_lateral_flexion``: the face's ear-to-ear axis as projected into the picture, relative
  to the shoulder line (both in the roll-corrected frontal frame), + toward the subject's left
  shoulder: turning the head in the picture by a turns it by exactly a;
- ``neck_flexion`` in a front view: the head's pitch (camera-relative, + chin down); the side
  view stays body-based.

Frames facing the camera in a front view take the face value, or nothing where the face was
lost (never the body's guess); other frames keep the body-based value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from romcam.core.geometry import mirror_x, rotate, signed_angle
from romcam.core.head_pose import HeadPose, head_angles_array

if TYPE_CHECKING:
    from romcam.core.measure import _Frames

#: The metrics a head pose provides, in a front view facing the camera.
FACE_METRICS: tuple[str, ...] = ("neck_rotation", "neck_lateral_flexion", "neck_flexion")
#: Per-frame head-pose columns written beside the metrics (angles.csv): degrees and 0..1.
HEAD_COLUMNS: tuple[str, ...] = ("head_yaw", "head_pitch", "head_roll", "face_confidence")
_SHOULDERS = ("left_shoulder", "right_shoulder")

#: (value (T,), landmark needs (T, k), allowed (T,), view match (T,)) of one metric.
Parts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True, kw_only=True)
class HeadTrack:
    """The head pose of every frame of a recording, without the face landmarks (~100 bytes a
    frame, where the 478 landmarks would take 11 kB).

    Attributes:
        rotation: (T, 3, 3) head rotations (as ``HeadPose.rotation``); NaN where no face.
        confidence: (T,) face confidence 0..1; NaN where no face.
    """

    rotation: np.ndarray
    confidence: np.ndarray

    def __post_init__(self) -> None:
        t = len(self.confidence)
        if self.rotation.shape != (t, 3, 3) or self.confidence.shape != (t,):
            raise ValueError(
                f"rotation must be (T, 3, 3) and confidence (T,); got {self.rotation.shape}, "
                f"{self.confidence.shape}"
            )

    def __len__(self) -> int:
        return len(self.confidence)

    @classmethod
    def from_poses(cls, heads: Sequence[HeadPose | None]) -> HeadTrack:
        """The track of per-frame head poses (None: no face in that frame)."""
        rotation = np.full((len(heads), 3, 3), np.nan)
        confidence = np.full(len(heads), np.nan)
        for i, head in enumerate(heads):
            if head is not None:
                rotation[i] = head.rotation
                confidence[i] = head.confidence
        return cls(rotation=rotation, confidence=confidence)

    def columns(self) -> dict[str, np.ndarray]:
        """HEAD_COLUMNS -> (T,) camera-relative yaw, pitch, roll (deg) and face confidence."""
        angles = head_angles_array(self.rotation)
        return {
            "head_yaw": angles[:, 0],
            "head_pitch": angles[:, 1],
            "head_roll": angles[:, 2],
            "face_confidence": self.confidence,
        }


def as_track(heads: Sequence[HeadPose | None] | HeadTrack) -> HeadTrack:
    """``heads`` as a HeadTrack (a track is returned as it is)."""
    return heads if isinstance(heads, HeadTrack) else HeadTrack.from_poses(heads)


def face_lateral_flexion(
    rotations: np.ndarray,
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    roll_deg: float = 0.0,
) -> np.ndarray:
    """(T,) degrees: the face's ear axis in the picture relative to the shoulder line.

    Args:
        rotations: (T, 3, 3) head rotations (camera space x right, y up).
        left_shoulder, right_shoulder: (T, 2) shoulders in the roll-corrected up frame of
            a subject facing the camera (x right = the subject's left, y up).
        roll_deg: the camera roll the up frame was corrected by (``geometry.image_to_up``).

    + when the head is tilted toward the subject's left shoulder (as
    ``angles.neck_lateral_flexion``). The face's x axis points to the subject's left; its
    image projection is (R[0, 0], R[1, 0]) in a y-up frame, turned like the landmarks.
    """
    axis = rotate(np.stack([rotations[:, 0, 0], rotations[:, 1, 0]], axis=-1), -roll_deg)
    return -signed_angle(left_shoulder - right_shoulder, axis)


def face_metric_parts(
    f: _Frames, heads: Sequence[HeadPose | None] | HeadTrack, roll_deg: float
) -> dict[str, Parts]:
    """FACE_METRICS -> raw parts from the head pose, for front-view frames facing the camera.

    Needs: both shoulders (the trunk reference; they must be seen). Rotation and flexion are
    zeroed at the neutral afterwards, as the body-based values are.
    """
    if len(heads) != len(f.up):
        raise ValueError(f"heads must have one entry per frame ({len(f.up)}); got {len(heads)}")
    rotations = as_track(heads).rotation
    angles = head_angles_array(rotations)
    is_front = f.views.view == "front"
    facing = is_front & (f.views.facing == "camera")
    fro = mirror_x(f.up, np.where(facing, 1.0, np.nan))
    lateral = face_lateral_flexion(
        rotations, f.pt(fro, "left_shoulder"), f.pt(fro, "right_shoulder"), roll_deg
    )
    needs = f.needs(*_SHOULDERS)
    return {
        "neck_rotation": (angles[:, 0], needs, facing, is_front),
        "neck_lateral_flexion": (lateral, needs, facing, is_front),
        "neck_flexion": (angles[:, 1], needs, facing, is_front),
    }


def merge_face_parts(body: Parts | None, face: Parts) -> Parts:
    """One metric's parts: the face's where it is allowed (front, facing the camera), else the
    body's. The face needs are repeated to the body needs' width (the same landmarks twice
    change nothing in the visibility checks)."""
    if body is None:
        return face
    b_value, b_needs, b_allowed, b_match = body
    value, needs, allowed, match = face
    reps = -(-b_needs.shape[1] // needs.shape[1])
    needs = np.tile(needs, (1, reps))[:, : b_needs.shape[1]]
    return (
        np.where(allowed, value, b_value),
        np.where(allowed[:, None], needs, b_needs),
        allowed | b_allowed,
        match | b_match,
    )
