"""Camera roll and pitch from rendered views of a level marker, vertical edges and typed values."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from romcam.calibration.level import (
    level_from_degrees,
    level_from_edges,
    level_from_image,
    level_from_marker,
    level_from_pictures,
    roll_from_segments,
)
from romcam.calibration.markers import quad_roll_deg
from romcam.calibration.render import marker_view, webcam
from romcam.calibration.targets import marker_page, render_png_array
from romcam.errors import CalibrationError

TEXTURE_PX_PER_MM = 4
CAMERA = webcam(960, 540, fov_deg=60.0)
LAYOUT = marker_page()
TEXTURE = render_png_array(LAYOUT, TEXTURE_PX_PER_MM)
PAGE_MM = (LAYOUT.width_mm, LAYOUT.height_mm)
MARKER_CENTRE_MM = (LAYOUT.width_mm / 2, 60.0 + 50.0)  # marker_page puts it 60 mm from the top


def wall_marker(roll_deg: float, pitch_deg: float = 0.0, distance_mm: float = 1200.0) -> np.ndarray:
    image, _ = marker_view(
        CAMERA,
        TEXTURE,
        TEXTURE_PX_PER_MM,
        PAGE_MM,
        MARKER_CENTRE_MM,
        roll_deg=roll_deg,
        pitch_deg=pitch_deg,
        distance_mm=distance_mm,
    )
    return image


def door_frame(roll_deg: float, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """A wall with a dark door frame (two vertical jambs) seen by a camera rolled by roll_deg."""
    w, h = size
    big = np.full((3 * h, 3 * w), 170, np.uint8)
    big[:, int(1.2 * w) : int(1.3 * w)] = 60
    big[:, int(1.7 * w) : int(1.8 * w)] = 60
    big[: int(1.15 * h), int(1.2 * w) : int(1.8 * w)] = 60  # lintel
    # Rotating the picture counter-clockwise on screen by roll = rolling the camera by roll.
    rot = cv2.getRotationMatrix2D((1.5 * w, 1.5 * h), roll_deg, 1.0)
    turned = cv2.warpAffine(big, rot, (3 * w, 3 * h), flags=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(turned[h : 2 * h, w : 2 * w], (0, 0), 0.8)


@pytest.mark.parametrize("roll", [-12.0, -4.5, -1.0, 0.0, 0.7, 3.0, 8.25])
def test_marker_roll_recovered_within_half_a_degree(roll: float) -> None:
    estimate = level_from_marker(wall_marker(roll))
    assert estimate.roll_deg == pytest.approx(roll, abs=0.5)
    assert estimate.pitch_deg is None  # no lens known


@pytest.mark.parametrize(("roll", "pitch"), [(2.0, 8.0), (-5.0, -6.0), (0.0, 12.0), (1.0, -15.0)])
def test_marker_gives_pitch_with_a_lens(roll: float, pitch: float) -> None:
    estimate = level_from_marker(
        wall_marker(roll, pitch, distance_mm=900.0),
        camera_matrix=CAMERA.camera_matrix,
        dist_coeffs=CAMERA.dist_coeffs,
    )
    assert estimate.roll_deg == pytest.approx(roll, abs=0.5)
    assert estimate.pitch_deg == pytest.approx(pitch, abs=1.5)


@pytest.mark.parametrize("roll", [0.0, 1.0])
def test_pitch_of_a_face_on_marker_is_unknown_not_guessed(roll: float) -> None:
    # A 100 mm marker 1.2 m away is ~110 px wide: a level camera's keystone is sub-pixel and
    # the two mirror-image tilts fit alike, so pitch must be None rather than a coin toss.
    estimate = level_from_marker(
        wall_marker(roll, 0.0), camera_matrix=CAMERA.camera_matrix, dist_coeffs=CAMERA.dist_coeffs
    )
    assert estimate.pitch_deg is None
    assert estimate.roll_deg == pytest.approx(roll, abs=0.5)


def test_marker_roll_sign_matches_profile_convention() -> None:
    # Positive roll: a level line (the marker's top edge) rises to the right on screen.
    from romcam.calibration.markers import find_marker

    tl, tr, _, _ = find_marker(wall_marker(6.0))
    assert tr[1] < tl[1]


def test_video_frames_give_the_median_roll() -> None:
    frames = [wall_marker(r) for r in (2.9, 3.0, 3.1)] + [np.full((540, 960), 90, np.uint8)]
    estimate = level_from_pictures(frames, method="marker", where="clip.mp4")
    assert estimate.roll_deg == pytest.approx(3.0, abs=0.5)
    assert "3 frames of clip.mp4" in estimate.source


def test_no_marker_is_a_clear_error() -> None:
    with pytest.raises(CalibrationError, match=r"no ArUco marker .* was found in blank\.png"):
        level_from_marker(np.full((480, 640), 200, np.uint8), where="blank.png")


def test_marker_hung_sideways_is_rejected() -> None:
    sideways = cv2.rotate(wall_marker(0.0), cv2.ROTATE_90_CLOCKWISE)
    with pytest.raises(CalibrationError, match=r"appears turned by .* TOP uppermost"):
        level_from_marker(sideways)


@pytest.mark.parametrize("roll", [-9.0, -2.0, 0.0, 1.5, 6.0])
def test_vertical_edges_give_roll_within_half_a_degree(roll: float) -> None:
    estimate = level_from_edges(door_frame(roll))
    assert estimate.roll_deg == pytest.approx(roll, abs=0.5)
    assert estimate.pitch_deg is None


def test_auto_falls_back_to_edges_without_a_marker() -> None:
    estimate = level_from_image(door_frame(4.0), method="auto")
    assert estimate.roll_deg == pytest.approx(4.0, abs=0.5)
    assert estimate.source.startswith("vertical edges")


def test_no_vertical_edge_is_a_clear_error() -> None:
    with pytest.raises(CalibrationError, match="no straight vertical edge"):
        level_from_edges(np.full((480, 640), 128, np.uint8))


def test_no_reference_in_any_frame_is_a_clear_error() -> None:
    blank = [np.full((480, 640), 128, np.uint8)] * 3
    with pytest.raises(CalibrationError, match=r"in any of 3 frames of v\.mp4"):
        level_from_pictures(blank, where="v.mp4")


def test_roll_from_segments_signs_and_weights() -> None:
    # Top leaning left by 3 deg on screen = positive roll; segment direction does not matter.
    t = np.radians(3.0)
    up = [100.0, 400.0, 100.0 - 300 * np.sin(t), 400.0 - 300 * np.cos(t)]
    down = [up[2], up[3], up[0], up[1]]
    short_outlier = [0.0, 0.0, 30.0, 60.0]  # too short and too tilted to count
    assert roll_from_segments(np.array([up, down, short_outlier]), 480) == pytest.approx(3.0)


def test_converging_edges_are_refused() -> None:
    # A camera looking down makes verticals fan out: no single roll fits them.
    fan = [
        [320 + 40 * k, 400, 320 + 40 * k + 300 * np.sin(np.radians(4 * k)), 100]
        for k in range(-3, 4)
    ]
    with pytest.raises(CalibrationError, match="vertical edges found disagree"):
        roll_from_segments(np.array(fan), 480)


def test_quad_roll_of_an_axis_aligned_square_is_zero() -> None:
    square = np.array([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]])
    assert quad_roll_deg(square) == pytest.approx(0.0)
    c, s = np.cos(np.radians(5)), np.sin(np.radians(5))
    turned = square @ np.array([[c, -s], [s, c]])  # rows (x, y) rotated CCW on screen
    assert quad_roll_deg(turned) == pytest.approx(5.0)


def test_typed_value_is_kept() -> None:
    estimate = level_from_degrees(-2.25)
    assert (estimate.roll_deg, estimate.pitch_deg) == (-2.25, None)


@pytest.mark.parametrize("value", [float("nan"), 60.0, -46.0])
def test_typed_value_out_of_range(value: float) -> None:
    with pytest.raises(CalibrationError, match="typed roll must be between"):
        level_from_degrees(value)


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="method must be auto, marker or edge"):
        level_from_image(door_frame(0.0), method="ruler")  # type: ignore[arg-type]
