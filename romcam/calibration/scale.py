"""Pixels per centimetre at the subject's plane: from a printed marker or the subject's height.

Height method: the eye-to-heel distance in the image is a known fraction of stature. Eye height
is 0.936 x stature in the Drillis & Contini segment proportions reproduced in D. A. Winter,
*Biomechanics and Motor Control of Human Movement*, 4th ed. (2009), Fig. 4.1; MediaPipe's heel
landmark sits at the back of the heel, within about 1 % of stature of the floor, so the heel is
taken as floor level. Expect about +/-3 % error from individual proportions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from romcam.calibration.apply import undistort_pixels
from romcam.calibration.markers import find_marker, quad_side_px
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.errors import CalibrationError

#: Eye height / stature (Drillis & Contini; Winter 2009, Fig. 4.1).
EYE_HEIGHT_FRACTION = 0.936
#: Landmarks below this visibility are not used for the height scale.
MIN_VISIBILITY = 0.5
#: Plausible stature range in cm for a typed height.
HEIGHT_RANGE_CM = (50.0, 250.0)


@dataclass(frozen=True)
class ScaleEstimate:
    """``px_per_cm`` at the subject's plane, valid for frames of ``image_size`` (width, height)."""

    px_per_cm: float
    image_size: tuple[int, int]
    source: str


def px_per_cm_from_quad(corners: np.ndarray, marker_cm: float) -> float:
    """Pixels per cm from a (4, 2) marker quad whose printed side is ``marker_cm``."""
    if not (np.isfinite(marker_cm) and marker_cm > 0):
        raise CalibrationError(f"the marker size must be a positive number of cm; got {marker_cm}")
    return quad_side_px(corners) / marker_cm


def scale_from_marker(
    gray: np.ndarray,
    marker_cm: float,
    *,
    camera_matrix: np.ndarray | None = None,
    dist_coeffs: np.ndarray | None = None,
    where: str = "the image",
) -> ScaleEstimate:
    """Scale from a marker held flat, face-on, at the subject's plane (lens-corrected if known)."""
    if not (np.isfinite(marker_cm) and marker_cm > 0):
        raise CalibrationError(f"the marker size must be a positive number of cm; got {marker_cm}")
    corners = find_marker(gray, where=where)
    if camera_matrix is not None and dist_coeffs is not None:
        corners = undistort_pixels(corners, camera_matrix, dist_coeffs)
    height, width = gray.shape[:2]
    return ScaleEstimate(
        px_per_cm_from_quad(corners, marker_cm),
        (width, height),
        f"{marker_cm:g} cm ArUco marker in {where}",
    )


def eye_to_heel_px(pose: PoseSequence) -> np.ndarray:
    """(T,) pixel distance from the eyes' midpoint to the heels' midpoint; NaN if not visible."""
    idx = [LANDMARK_INDEX[n] for n in ("left_eye", "right_eye", "left_heel", "right_heel")]
    pixels = pose.pixels[:, idx]
    visible = pose.visibility[:, idx] >= MIN_VISIBILITY
    pixels = np.where(visible[..., None], pixels, np.nan)
    eyes = pixels[:, :2].mean(axis=1)
    heels = pixels[:, 2:].mean(axis=1)
    return np.linalg.norm(eyes - heels, axis=1)


def scale_from_height(
    pose: PoseSequence, height_cm: float, *, where: str = "the pose"
) -> ScaleEstimate:
    """Scale from a subject standing upright, whole body in frame, and their stature in cm.

    Uses the median eye-to-heel distance over frames where both eyes and heels are visible.
    """
    low, high = HEIGHT_RANGE_CM
    if not (np.isfinite(height_cm) and low <= height_cm <= high):
        raise CalibrationError(f"height must be between {low:g} and {high:g} cm; got {height_cm}")
    distances = eye_to_heel_px(pose)
    distances = distances[np.isfinite(distances)]
    if distances.size == 0:
        raise CalibrationError(
            f"eyes and heels are not both visible in any frame of {where}; "
            "film the subject standing upright with the whole body in frame"
        )
    px_per_cm = float(np.median(distances)) / (EYE_HEIGHT_FRACTION * height_cm)
    return ScaleEstimate(
        px_per_cm,
        (pose.image_width, pose.image_height),
        f"subject height {height_cm:g} cm, eye-to-heel in {distances.size} frames of {where}",
    )
