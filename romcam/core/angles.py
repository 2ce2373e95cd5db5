"""Joint angles from 2-D landmark positions in a subject frame.

Every point argument is a (T, 2) array in *subject-frame* up coordinates (see
``romcam.core.geometry``): y up, and x mirrored per frame so that +x is the subject's FORWARD in a
side view (``sagittal`` frame) or the subject's LEFT in a front view (``frontal`` frame). In those
frames one formula serves both sides and both facing directions. Results are (T,) degrees in
(-180, 180], NaN where an input is NaN.
"""

from __future__ import annotations

import numpy as np

from romcam.core.geometry import interior_angle, signed_angle, wrap_deg

#: Nose tip ahead of the ear line / half the ear-to-ear distance (adult head, ~11.5 / 7.5 cm).
#: Used to turn the nose's sideways offset between the ears into a head yaw.
NOSE_FORWARD_RATIO = 1.53


def sagittal_flexion(
    trunk_top: np.ndarray, trunk_bottom: np.ndarray, joint: np.ndarray, distal: np.ndarray
) -> np.ndarray:
    """Angle from the downward trunk line to the segment joint -> distal, + forward.

    Sagittal frame. Shoulder flexion: (shoulder, hip, shoulder, elbow); hip flexion:
    (shoulder, hip, hip, knee). 0 = segment parallel to the trunk pointing down, 90 = pointing
    forward, 180 = overhead, negative = behind the trunk (extension).
    """
    return signed_angle(trunk_bottom - trunk_top, distal - joint)


def knee_flexion(hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> np.ndarray:
    """180 - interior hip-knee-ankle angle, + when the shank swings behind the thigh line.

    Sagittal frame; negative = hyperextension (shank ahead of the thigh line).
    """
    return -signed_angle(knee - hip, ankle - knee)


def elbow_flexion(shoulder: np.ndarray, elbow: np.ndarray, wrist: np.ndarray) -> np.ndarray:
    """180 - interior shoulder-elbow-wrist angle: 0 = straight, [0, 180]. Any frame."""
    return 180.0 - interior_angle(shoulder, elbow, wrist)


def abduction(
    trunk_top: np.ndarray,
    trunk_bottom: np.ndarray,
    joint: np.ndarray,
    distal: np.ndarray,
    side_sign: float,
) -> np.ndarray:
    """Angle from the downward trunk midline to joint -> distal, + away from the body.

    Frontal frame (+x = subject's left). ``side_sign`` is +1 for a left limb, -1 for a right
    one. Shoulder: (mid-shoulder, mid-hip, shoulder, elbow); hip: (mid-shoulder, mid-hip, hip,
    knee). The trunk *midline* is the reference (the goniometer's stationary arm parallel to the
    sternum), not the same-side shoulder-hip line, which slants inward.
    """
    return side_sign * signed_angle(trunk_bottom - trunk_top, distal - joint)


def raw_neck_flexion(
    ear: np.ndarray, eye: np.ndarray, shoulder: np.ndarray, hip: np.ndarray
) -> np.ndarray:
    """Head pitch relative to the trunk, not yet zeroed: + chin toward the chest.

    Sagittal frame, near-side landmarks. 0 when the ear -> eye line is perpendicular to the
    trunk line (hip -> shoulder); the subject's neutral is usually a few degrees to -20 deg (the
    eye sits above the ear), hence the neutral zeroing in ``compute_metrics``.
    """
    return wrap_deg(signed_angle(eye - ear, shoulder - hip) - 90.0)


def neck_lateral_flexion(
    left_shoulder: np.ndarray,
    right_shoulder: np.ndarray,
    left_ear: np.ndarray,
    right_ear: np.ndarray,
) -> np.ndarray:
    """Ear line relative to the shoulder line, + head tilted toward the subject's left shoulder.

    Frontal frame.
    """
    return -signed_angle(left_shoulder - right_shoulder, left_ear - right_ear)


def neck_rotation_from_face(
    nose: np.ndarray, left_ear: np.ndarray, right_ear: np.ndarray
) -> np.ndarray:
    """Head yaw from the nose's offset along the ear line, + toward the subject's left.

    Frontal frame. A head turned by r puts the nose NOSE_FORWARD_RATIO x tan(r) half ear
    widths from the ears' midpoint; assumes the shoulders square to the camera.
    """
    ear_line = left_ear - right_ear
    half = np.linalg.norm(ear_line, axis=-1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        offset = np.sum((nose - (left_ear + right_ear) / 2.0) * ear_line, axis=-1) / (2.0 * half)
        ratio = offset / half
    return np.degrees(np.arctan(ratio / NOSE_FORWARD_RATIO))
