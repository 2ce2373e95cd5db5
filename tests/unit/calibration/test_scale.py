"""Pixels per cm from a rendered marker at a known distance and from a subject of known height."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.calibration.render import marker_view, webcam
from romcam.calibration.scale import (
    EYE_HEIGHT_FRACTION,
    px_per_cm_from_quad,
    scale_from_height,
    scale_from_marker,
)
from romcam.calibration.targets import marker_page, render_png_array
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseSequence
from romcam.errors import CalibrationError

TEXTURE_PX_PER_MM = 4
CAMERA = webcam(960, 540, fov_deg=60.0)
LAYOUT = marker_page()
TEXTURE = render_png_array(LAYOUT, TEXTURE_PX_PER_MM)


def marker_at(distance_mm: float) -> np.ndarray:
    image, _ = marker_view(
        CAMERA,
        TEXTURE,
        TEXTURE_PX_PER_MM,
        (LAYOUT.width_mm, LAYOUT.height_mm),
        (LAYOUT.width_mm / 2, 110.0),
        distance_mm=distance_mm,
    )
    return image


@pytest.mark.parametrize("distance_mm", [700.0, 1000.0, 1500.0])
def test_marker_scale_within_one_percent(distance_mm: float) -> None:
    # Face-on at distance Z on the optical axis: 1 cm spans f * 10 mm / Z pixels.
    truth = CAMERA.camera_matrix[0, 0] * 10.0 / distance_mm
    lens = {"camera_matrix": CAMERA.camera_matrix, "dist_coeffs": CAMERA.dist_coeffs}
    with_lens = scale_from_marker(marker_at(distance_mm), 10.0, **lens)
    without = scale_from_marker(marker_at(distance_mm), 10.0)
    assert with_lens.px_per_cm == pytest.approx(truth, rel=0.005)
    assert without.px_per_cm == pytest.approx(truth, rel=0.01)
    assert with_lens.image_size == (960, 540)


def test_no_marker_is_a_clear_error() -> None:
    with pytest.raises(CalibrationError, match="no ArUco marker"):
        scale_from_marker(np.full((540, 960), 220, np.uint8), 10.0)


@pytest.mark.parametrize("size", [0.0, -3.0, float("nan")])
def test_bad_marker_size(size: float) -> None:
    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    with pytest.raises(CalibrationError, match="positive number of cm"):
        px_per_cm_from_quad(square, size)


def standing_pose(px_per_cm: float, height_cm: float, n: int = 20, seed: int = 0) -> PoseSequence:
    """Eyes and heels of an upright subject, 1 px of landmark noise; frame 3 has no subject."""
    rng = np.random.default_rng(seed)
    w, h = 1280, 720
    image = np.full((n, N_LANDMARKS, 4), np.nan)
    eye_to_heel = EYE_HEIGHT_FRACTION * height_cm * px_per_cm
    points = {
        "left_eye": (650, 60),
        "right_eye": (630, 60),
        "left_heel": (660, 60 + eye_to_heel),
        "right_heel": (620, 60 + eye_to_heel),
    }
    for name, (x, y) in points.items():
        i = LANDMARK_INDEX[name]
        image[:, i, 0] = (x + rng.normal(0, 1, n)) / w
        image[:, i, 1] = (y + rng.normal(0, 1, n)) / h
        image[:, i, 2] = 0.0
        image[:, i, 3] = 0.95
    image[3] = np.nan
    return PoseSequence(np.arange(n), np.arange(n) / 30.0, w, h, image)


def test_height_scale_recovers_px_per_cm() -> None:
    pose = standing_pose(px_per_cm=3.5, height_cm=172.0)
    estimate = scale_from_height(pose, 172.0)
    assert estimate.px_per_cm == pytest.approx(3.5, rel=0.01)
    assert estimate.image_size == (1280, 720)
    assert "19 frames" in estimate.source


def test_height_needs_visible_eyes_and_heels() -> None:
    pose = standing_pose(px_per_cm=3.5, height_cm=172.0)
    image = pose.image.copy()
    image[:, LANDMARK_INDEX["left_heel"], 3] = 0.1  # heel hidden in every frame
    hidden = PoseSequence(pose.frame, pose.time_s, 1280, 720, image)
    with pytest.raises(CalibrationError, match="eyes and heels are not both visible"):
        scale_from_height(hidden, 172.0)


@pytest.mark.parametrize("height", [0.0, 20.0, 300.0, float("inf")])
def test_implausible_height(height: float) -> None:
    with pytest.raises(CalibrationError, match="height must be between 50 and 250 cm"):
        scale_from_height(standing_pose(3.5, 170.0), height)
