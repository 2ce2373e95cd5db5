"""Calibration of a camera set-up: level (roll, pitch), scale (px/cm) and lens.

Profiles are stored as JSON under ``data_dir()/calibration``; see ``calibration/README.md``.
Apply one with :func:`undistort_pose`, then pass ``roll_deg`` and ``px_per_cm_at(w, h)`` to the
measurement core.
"""

from romcam.calibration.apply import scaled_camera_matrix, undistort_pixels, undistort_pose
from romcam.calibration.profile import (
    CalibrationProfile,
    delete_profile,
    list_profiles,
    load_or_new_profile,
    load_profile,
    new_profile,
    profile_path,
    save_profile,
)

__all__ = [
    "CalibrationProfile",
    "delete_profile",
    "list_profiles",
    "load_or_new_profile",
    "load_profile",
    "new_profile",
    "profile_path",
    "save_profile",
    "scaled_camera_matrix",
    "undistort_pixels",
    "undistort_pose",
]
