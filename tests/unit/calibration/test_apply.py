"""undistort_pose puts landmarks imaged through a distorting lens where a pinhole sees them."""

from __future__ import annotations

from dataclasses import replace

import cv2
import numpy as np
import pytest

from romcam.calibration.apply import scaled_camera_matrix, undistort_pose
from romcam.calibration.profile import CalibrationProfile
from romcam.core.landmarks import N_LANDMARKS, PoseSequence
from romcam.errors import CalibrationError

W, H = 1280, 720
K = np.array([[900.0, 0.0, 640.0], [0.0, 905.0, 355.0], [0.0, 0.0, 1.0]])
DIST = np.array([-0.25, 0.09, 0.001, -0.002, 0.0])
LENS = CalibrationProfile(
    name="cam",
    created="2026-01-01T00:00:00+00:00",
    camera_matrix=K,
    dist_coeffs=DIST,
    image_size=(W, H),
    reprojection_error_px=0.2,
)


def pose_pair(width: int, height: int, k: np.ndarray) -> tuple[PoseSequence, np.ndarray]:
    """A pose imaged through the lens (k, DIST) and its ideal pinhole pixels (T, 33, 2)."""
    rng = np.random.default_rng(11)
    t = 4
    ideal = rng.uniform(
        [0.05 * width, 0.05 * height], [0.95 * width, 0.95 * height], (t, N_LANDMARKS, 2)
    )
    normalised = cv2.undistortPoints(ideal.reshape(-1, 1, 2), k, None)  # ideal pixels -> rays
    rays = np.concatenate([normalised.reshape(-1, 2), np.ones((t * N_LANDMARKS, 1))], axis=1)
    seen, _ = cv2.projectPoints(rays, np.zeros(3), np.zeros(3), k, DIST)
    seen = seen.reshape(t, N_LANDMARKS, 2)
    image = np.empty((t, N_LANDMARKS, 4))
    image[..., 0] = seen[..., 0] / width
    image[..., 1] = seen[..., 1] / height
    image[..., 2] = rng.normal(size=(t, N_LANDMARKS))
    image[..., 3] = 0.9
    image[2] = np.nan  # a frame with no subject
    pose = PoseSequence(np.arange(t), np.arange(t) / 30.0, width, height, image)
    ideal[2] = np.nan
    return pose, ideal


def test_distorted_landmarks_are_restored() -> None:
    pose, ideal = pose_pair(W, H, K)
    assert np.nanmax(np.abs(pose.pixels - ideal)) > 20  # the lens moved them a lot
    fixed = undistort_pose(pose, LENS)
    np.testing.assert_allclose(fixed.pixels, ideal, atol=0.01)
    np.testing.assert_array_equal(fixed.image[..., 2:], pose.image[..., 2:])  # z, visibility
    assert np.isnan(fixed.image[2]).all()


def test_half_resolution_video_uses_a_scaled_lens() -> None:
    k_half = scaled_camera_matrix(LENS, W // 2, H // 2)
    np.testing.assert_allclose(np.diag(k_half)[:2], np.diag(K)[:2] / 2)
    pose, ideal = pose_pair(W // 2, H // 2, k_half)
    np.testing.assert_allclose(undistort_pose(pose, LENS).pixels, ideal, atol=0.01)


def test_profile_without_lens_leaves_pose_unchanged() -> None:
    pose, _ = pose_pair(W, H, K)
    level_only = CalibrationProfile(name="level", created="2026-01-01", roll_deg=2.0)
    assert undistort_pose(pose, level_only) is pose


def test_other_aspect_ratio_is_refused() -> None:
    pose, _ = pose_pair(W, H, K)
    square = replace(pose, image_width=720, image_height=720)
    with pytest.raises(CalibrationError, match="different aspect ratio; calibrate the lens"):
        undistort_pose(square, LENS)
