"""Apply a profile's lens to pose landmarks (roll and scale are applied by ``romcam.core.measure``).

Order of use: ``undistort_pose`` first, then ``compute_metrics(pose, roll_deg=profile.roll_deg,
px_per_cm=profile.px_per_cm_at(w, h))``; :func:`causal_measurer` does both frame by frame.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import replace

import cv2
import numpy as np

from romcam.calibration.profile import CalibrationProfile
from romcam.core.causal_measurer import CausalMeasurer
from romcam.core.landmarks import PoseSequence
from romcam.errors import CalibrationError

#: Relative difference of width/height ratios still treated as the same aspect.
ASPECT_TOLERANCE = 0.01
#: OpenCV's default stops after 5 iterations (~0.01 px off in the corners of a strong lens).
_UNDISTORT_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 50, 1e-9)


def scaled_camera_matrix(profile: CalibrationProfile, width: int, height: int) -> np.ndarray:
    """(3, 3) K of ``profile`` for frames of ``width`` x ``height`` pixels.

    A camera that records at a lower resolution with the same field of view (same aspect)
    scales K; a different aspect means a crop the calibration cannot describe.
    """
    if profile.camera_matrix is None or profile.image_size is None:
        raise CalibrationError(f"calibration profile {profile.name!r} has no lens calibration")
    cal_w, cal_h = profile.image_size
    if abs((width / height) / (cal_w / cal_h) - 1.0) > ASPECT_TOLERANCE:
        raise CalibrationError(
            f"frames are {width}x{height} but lens profile {profile.name!r} was calibrated at "
            f"{cal_w}x{cal_h}, a different aspect ratio; calibrate the lens at this resolution"
        )
    s = width / cal_w
    k = profile.camera_matrix.astype(float).copy()
    # Pixel centres sit at integer coordinates, so the principal point scales about -0.5.
    k[0, 0] *= s
    k[1, 1] *= s
    k[0, 2] = (k[0, 2] + 0.5) * s - 0.5
    k[1, 2] = (k[1, 2] + 0.5) * s - 0.5
    return k


def undistort_pixels(
    points: np.ndarray, camera_matrix: np.ndarray, dist_coeffs: np.ndarray
) -> np.ndarray:
    """Remove lens distortion from pixel points, keeping K (``P = K``).

    Args:
        points: (..., 2) pixel coordinates (x right, y down); NaN rows pass through.
        camera_matrix: (3, 3) K at the points' resolution.
        dist_coeffs: (k,) OpenCV distortion coefficients.
    Returns:
        (..., 2) undistorted pixel coordinates, same shape.
    """
    pts = np.asarray(points, dtype=float)
    if pts.shape[-1] != 2:
        raise ValueError(f"points must be (..., 2); got {pts.shape}")
    flat = pts.reshape(-1, 2)
    out = np.full_like(flat, np.nan)
    ok = np.isfinite(flat).all(axis=1)
    if ok.any():
        src = flat[ok].reshape(-1, 1, 2)
        dst = cv2.undistortPoints(
            src, camera_matrix, dist_coeffs, P=camera_matrix, criteria=_UNDISTORT_CRITERIA
        )
        out[ok] = dst.reshape(-1, 2)
    return out.reshape(pts.shape)


def undistort_pose(pose: PoseSequence, profile: CalibrationProfile) -> PoseSequence:
    """``pose`` with its image landmarks undistorted by the profile's lens (else unchanged).

    Only normalised x, y change; z, visibility and world landmarks are kept. K is rescaled
    when the video size differs from the calibration size with the same aspect; a different
    aspect raises CalibrationError.
    """
    if not profile.has_lens:
        return pose
    assert profile.dist_coeffs is not None  # has_lens
    w, h = pose.image_width, pose.image_height
    k = scaled_camera_matrix(profile, w, h)
    pixels = undistort_pixels(pose.pixels, k, profile.dist_coeffs)
    image = pose.image.copy()
    image[..., 0] = pixels[..., 0] / w
    image[..., 1] = pixels[..., 1] / h
    return replace(pose, image=image)


def causal_measurer(
    profile: CalibrationProfile | None,
    width: int,
    height: int,
    *,
    metrics: Collection[str] | None = None,
    neutral: Mapping[str, float] | None = None,
) -> CausalMeasurer:
    """A :class:`~romcam.core.causal_measurer.CausalMeasurer` for frames of ``width`` x
    ``height`` pixels with the profile's roll, scale and lens (None: no calibration).

    Raises:
        CalibrationError: the lens was calibrated at another aspect ratio.
    """
    if profile is None:
        return CausalMeasurer(width, height, metrics=metrics, neutral=neutral)
    if profile.has_lens:
        scaled_camera_matrix(profile, width, height)  # a wrong aspect fails now, not mid-stream
    return CausalMeasurer(
        width,
        height,
        roll_deg=profile.roll_deg or 0.0,
        px_per_cm=profile.px_per_cm_at(width, height),
        correct_lens=(lambda pose: undistort_pose(pose, profile)) if profile.has_lens else None,
        metrics=metrics,
        neutral=neutral,
    )
