"""One calibration step each: measure from pictures and return the updated profile.

Shared by ``romcam calibrate`` and the dashboard's Calibration page; neither saves here.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from romcam.calibration.apply import scaled_camera_matrix
from romcam.calibration.lens import LensCalibration, calibrate_lens
from romcam.calibration.level import (
    LevelEstimate,
    LevelMethod,
    level_from_degrees,
    level_from_image,
    level_from_pictures,
)
from romcam.calibration.profile import CalibrationProfile
from romcam.calibration.scale import ScaleEstimate, scale_from_marker
from romcam.calibration.targets import CheckerboardSpec


def lens_for(
    profile: CalibrationProfile, gray: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The profile's lens scaled to the (H, W) picture, or (None, None) without a lens."""
    if not profile.has_lens:
        return None, None
    return scaled_camera_matrix(profile, gray.shape[1], gray.shape[0]), profile.dist_coeffs


def with_level(profile: CalibrationProfile, estimate: LevelEstimate) -> CalibrationProfile:
    return profile.with_source(
        "level", estimate.source, roll_deg=estimate.roll_deg, pitch_deg=estimate.pitch_deg
    )


def level_step(
    profile: CalibrationProfile,
    pictures: Sequence[np.ndarray] = (),
    *,
    degrees: float | None = None,
    method: LevelMethod = "auto",
    where: str = "the image",
) -> tuple[CalibrationProfile, LevelEstimate]:
    """Roll (and pitch where it can) from a typed value or from grey pictures (one = a photo,
    several = video frames, median taken); the profile's lens is used when it has one."""
    if degrees is not None:
        estimate = level_from_degrees(degrees)
    elif len(pictures) == 1:
        k, d = lens_for(profile, pictures[0])
        estimate = level_from_image(
            pictures[0], method=method, camera_matrix=k, dist_coeffs=d, where=where
        )
    else:
        k, d = lens_for(profile, pictures[0]) if pictures else (None, None)
        estimate = level_from_pictures(
            list(pictures), method=method, camera_matrix=k, dist_coeffs=d, where=where
        )
    return with_level(profile, estimate), estimate


def marker_scale_step(
    profile: CalibrationProfile, gray: np.ndarray, marker_cm: float, *, where: str = "the image"
) -> tuple[CalibrationProfile, ScaleEstimate]:
    """Pixels per centimetre from a printed marker of ``marker_cm`` at the subject's plane."""
    k, d = lens_for(profile, gray)
    estimate = scale_from_marker(gray, marker_cm, camera_matrix=k, dist_coeffs=d, where=where)
    return with_scale(profile, estimate), estimate


def with_scale(profile: CalibrationProfile, estimate: ScaleEstimate) -> CalibrationProfile:
    return profile.with_source(
        "scale",
        estimate.source,
        px_per_cm=estimate.px_per_cm,
        scale_image_size=estimate.image_size,
    )


def lens_step(
    profile: CalibrationProfile,
    pictures: Sequence[np.ndarray],
    spec: CheckerboardSpec,
    *,
    where: str = "",
) -> tuple[CalibrationProfile, LensCalibration]:
    """Camera matrix and distortion from checkerboard pictures (CalibrationError if poor)."""
    result = calibrate_lens(list(pictures), spec)
    profile = profile.with_source(
        "lens",
        f"{result.n_views} of {result.n_pictures} checkerboard views from {where}",
        camera_matrix=result.camera_matrix,
        dist_coeffs=result.dist_coeffs,
        image_size=result.image_size,
        reprojection_error_px=result.rms_px,
    )
    return profile, result


def describe(profile: CalibrationProfile) -> str:
    """A few lines saying what the profile holds, for people."""

    def fmt(value: float | None, unit: str) -> str:
        return "not calibrated" if value is None else f"{value:+.2f} {unit}"

    lines = [f"profile {profile.name!r} (updated {profile.created})"]
    lines.append(f"  roll:  {fmt(profile.roll_deg, 'deg')}")
    lines.append(f"  pitch: {fmt(profile.pitch_deg, 'deg')}")
    if profile.px_per_cm is None or profile.scale_image_size is None:
        lines.append("  scale: not calibrated")
    else:
        w, h = profile.scale_image_size
        lines.append(f"  scale: {profile.px_per_cm:.3f} px/cm at {w}x{h}")
    if profile.camera_matrix is None or profile.image_size is None:
        lines.append("  lens:  not calibrated")
    else:
        k = profile.camera_matrix
        rms = profile.reprojection_error_px
        lines.append(
            f"  lens:  fx {k[0, 0]:.1f} fy {k[1, 1]:.1f} cx {k[0, 2]:.1f} cy {k[1, 2]:.1f} px at "
            f"{profile.image_size[0]}x{profile.image_size[1]}, reprojection error "
            + ("unknown" if rms is None else f"{rms:.3f} px")
        )
    lines.extend(f"  source {line}" for line in profile.sources.splitlines())
    return "\n".join(lines)
