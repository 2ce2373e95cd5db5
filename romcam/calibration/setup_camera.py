"""A trial's camera set-up (``romcam.core.setup_geometry``) with what a calibration profile
knows: its lens (focal length, distortion), its level (roll) and its pitch."""

from __future__ import annotations

import logging

from romcam.calibration.apply import scaled_camera_matrix, undistort_pose
from romcam.calibration.profile import CalibrationProfile
from romcam.core.landmarks import PoseSequence
from romcam.core.setup_geometry import CameraSetup, SetupCamera, camera_setup
from romcam.errors import CalibrationError

log = logging.getLogger(__name__)


def setup_camera(profile: CalibrationProfile | None, width: int, height: int) -> SetupCamera:
    """The camera facts of ``profile`` for frames of ``width`` x ``height`` px (None: none
    known). A lens calibrated at another aspect ratio is not used (the nominal field of view
    is)."""
    if profile is None:
        return SetupCamera()
    focal = None
    if profile.has_lens:
        try:
            focal = float(scaled_camera_matrix(profile, width, height)[0, 0])
        except CalibrationError as exc:
            log.info("set-up without the lens: %s", exc)
    return SetupCamera(focal_px=focal, roll_deg=profile.roll_deg, pitch_deg=profile.pitch_deg)


def profile_setup(
    pose: PoseSequence, profile: CalibrationProfile | None = None
) -> CameraSetup | None:
    """The set-up of the trial ``pose`` (raw landmarks; undistorted here when the profile's
    lens fits), or None when the torso was never seen."""
    camera = setup_camera(profile, pose.image_width, pose.image_height)
    if profile is not None and camera.focal_px is not None:
        pose = undistort_pose(pose, profile)
    return camera_setup(pose, camera)


def trial_setup(
    pose: PoseSequence, profile: CalibrationProfile | None = None
) -> dict[str, float | str] | None:
    """The store's ``setup`` JSON of :func:`profile_setup` (None: the torso never seen)."""
    found = profile_setup(pose, profile)
    return found.to_dict() if found is not None else None
