"""Static posture metrics referenced to the true horizontal or vertical.

Point arguments are (T, 2) arrays in subject-frame up coordinates (see ``romcam.core.angles``):
frontal frame +x = the subject's left, sagittal frame +x = the subject's forward; y up; the
camera roll already removed. Results are (T,) degrees in (-180, 180] or pixels; NaN propagates.
"""

from __future__ import annotations

import numpy as np

from romcam.core.geometry import direction_deg


def line_tilt(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Right -> left line vs horizontal, + when the subject's left point is higher.

    Frontal frame; shoulder, head (ears) and pelvic (hips) tilt.
    """
    return direction_deg(left - right)


def lean_from_vertical(bottom: np.ndarray, top: np.ndarray) -> np.ndarray:
    """Line bottom -> top vs the upward vertical, + toward +x of the frame.

    Frontal frame (mid-hip -> mid-shoulder): trunk lateral lean, + toward the subject's left.
    Sagittal frame (near hip -> near shoulder): trunk flexion, + forward.
    """
    v = top - bottom
    return np.degrees(np.arctan2(v[:, 0], v[:, 1]))


def craniovertebral_angle(shoulder: np.ndarray, ear: np.ndarray) -> np.ndarray:
    """Shoulder (C7 proxy) -> ear line vs the forward horizontal, sagittal frame.

    90 = ear straight above the shoulder; smaller = head further forward; > 90 = ear behind.
    """
    return direction_deg(ear - shoulder)


def forward_head_px(shoulder: np.ndarray, ear: np.ndarray) -> np.ndarray:
    """Horizontal distance of the ear ahead of the shoulder, pixels, + forward (sagittal)."""
    return ear[:, 0] - shoulder[:, 0]
