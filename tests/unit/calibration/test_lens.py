"""Lens calibration recovers known intrinsics from rendered checkerboard views; bad input fails."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from romcam.calibration.apply import undistort_pixels
from romcam.calibration.lens import (
    MIN_VIEWS,
    LensCalibration,
    calibrate_lens,
    find_board,
    missing_corner_cells,
)
from romcam.calibration.render import board_view_pages, render_page, webcam
from romcam.calibration.targets import CheckerboardSpec, checkerboard_page, render_png_array
from romcam.errors import CalibrationError

TEXTURE_PX_PER_MM = 4
SPEC = CheckerboardSpec()
CAMERA = webcam(640, 480)


@pytest.fixture(scope="module")
def views() -> list[np.ndarray]:
    """12 sharp rendered views of the printed checkerboard page, covering the frame."""
    layout = checkerboard_page(SPEC)
    texture = render_png_array(layout, TEXTURE_PX_PER_MM)
    pages = board_view_pages(
        CAMERA, (layout.width_mm, layout.height_mm), 12, np.random.default_rng(7)
    )
    return [render_page(CAMERA, texture, TEXTURE_PX_PER_MM, p) for p in pages]


@pytest.fixture(scope="module")
def calibration(views: list[np.ndarray]) -> LensCalibration:
    return calibrate_lens(views, SPEC)


def test_recovers_intrinsics_within_half_a_percent(calibration: LensCalibration) -> None:
    true_k = CAMERA.camera_matrix
    k = calibration.camera_matrix
    for (i, j), label in {(0, 0): "fx", (1, 1): "fy", (0, 2): "cx", (1, 2): "cy"}.items():
        assert k[i, j] == pytest.approx(true_k[i, j], rel=0.005), label
    assert calibration.image_size == (640, 480)
    assert calibration.n_views == 12


def test_recovers_distortion_and_reprojects_well(calibration: LensCalibration) -> None:
    assert calibration.rms_px < 0.2
    k1, k2 = calibration.dist_coeffs[:2]
    assert k1 == pytest.approx(CAMERA.dist_coeffs[0], abs=0.01)
    assert k2 == pytest.approx(CAMERA.dist_coeffs[1], abs=0.03)


def _straightness_px(points: np.ndarray) -> float:
    """Largest distance (px) of (N, 2) points from their total-least-squares line."""
    centred = points - points.mean(axis=0)
    return float(np.abs(centred @ np.linalg.svd(centred)[2][1]).max())


def test_undistorted_board_rows_are_straight(
    views: list[np.ndarray], calibration: LensCalibration
) -> None:
    # A corner-aimed view: its board rows are visibly bent by the barrel distortion.
    view = find_board(views[0], SPEC)
    assert view is not None
    rows = view.corners.reshape(SPEC.inner_rows, SPEC.inner_cols, 2)
    k, d = calibration.camera_matrix, calibration.dist_coeffs
    straight = undistort_pixels(rows, k, d)
    assert max(_straightness_px(r) for r in rows) > 0.5
    assert max(_straightness_px(r) for r in straight) < 0.1


def test_too_few_views_is_rejected(views: list[np.ndarray]) -> None:
    with pytest.raises(CalibrationError, match=f"too few usable views: {MIN_VIEWS - 2} of"):
        calibrate_lens(views[: MIN_VIEWS - 2], SPEC)


def test_blurred_views_are_rejected_as_blur(views: list[np.ndarray]) -> None:
    blurred = [cv2.GaussianBlur(v, (0, 0), 3.0) for v in views]
    with pytest.raises(CalibrationError, match=r"too few usable views.*main cause: blur"):
        calibrate_lens(blurred, SPEC)


def test_blurred_board_is_found_but_flagged(views: list[np.ndarray]) -> None:
    sharp = find_board(views[0], SPEC)
    blurred = find_board(cv2.GaussianBlur(views[0], (0, 0), 3.0), SPEC)
    assert sharp is not None and blurred is not None
    assert sharp.edge_width_px < 3.0 < blurred.edge_width_px


def test_views_missing_the_frame_corners_are_rejected() -> None:
    layout = checkerboard_page(SPEC)
    texture = render_png_array(layout, TEXTURE_PX_PER_MM)
    pages = board_view_pages(
        CAMERA,
        (layout.width_mm, layout.height_mm),
        MIN_VIEWS,
        np.random.default_rng(3),
        distance_mm=800.0,
        spread=0.2,
        corners=False,
    )
    central = [render_page(CAMERA, texture, TEXTURE_PX_PER_MM, p) for p in pages]
    with pytest.raises(CalibrationError, match=r"never reached the .* corner"):
        calibrate_lens(central, SPEC)


def test_pictures_without_a_board_are_rejected() -> None:
    walls = [np.full((120, 160), 90 + 10 * i, np.uint8) for i in range(MIN_VIEWS)]
    with pytest.raises(CalibrationError, match=r"0 of 8 pictures .*without the whole board"):
        calibrate_lens(walls, SPEC)


@pytest.mark.parametrize(
    ("pictures", "message"),
    [
        ([], "no calibration pictures"),
        ([np.zeros((10, 20), np.uint8), np.zeros((20, 10), np.uint8)], "same size"),
    ],
)
def test_bad_picture_sets(pictures: list[np.ndarray], message: str) -> None:
    with pytest.raises(CalibrationError, match=message):
        calibrate_lens(pictures, SPEC)


def test_missing_corner_cells_names_the_empty_corners() -> None:
    points = np.array([[5.0, 5.0], [95.0, 95.0], [50.0, 50.0]])
    assert missing_corner_cells(points, 100, 100) == ["top-right", "bottom-left"]
    everywhere = np.array([[1.0, 1.0], [99.0, 1.0], [1.0, 99.0], [99.0, 99.0]])
    assert missing_corner_cells(everywhere, 100, 100) == []


@pytest.mark.parametrize(
    ("cols", "rows", "square", "message"),
    [(2, 6, 25.0, "inner corners"), (6, 6, 25.0, "different counts"), (9, 6, 0.0, "square_mm")],
)
def test_bad_checkerboard_spec(cols: int, rows: int, square: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CheckerboardSpec(cols, rows, square)
