"""Where the annotated video's readout panel goes (issue 11, item 10): away from the subject,
steady from frame to frame; and the output size of portrait clips. Synthetic landmarks."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.synthetic import synthetic_pose
from romcam.media.annotated_video import output_size
from romcam.media.drawing import PANEL_COLOUR, draw_readout
from romcam.media.panel_placement import (
    SWITCH_FRAMES,
    Corner,
    PanelPlacer,
    corner_rect,
    overlap,
    subject_box,
)

W, H = 540, 960  # a portrait phone clip after downscaling
PANEL = (220, 126)
OPPOSITE: dict[Corner, Corner] = {
    "bottom_left": "top_right",
    "bottom_right": "top_left",
    "top_left": "bottom_right",
    "top_right": "bottom_left",
}


def landmarks_in(corner: Corner, seed: int = 0) -> np.ndarray:
    """(33, 4) landmarks scattered over a 40 % x 40 % box in ``corner`` of the frame."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.02, 0.42, 33)
    y = rng.uniform(0.05, 0.45, 33)
    if corner.endswith("right"):
        x = 1.0 - x
    if corner.startswith("bottom"):
        y = 1.0 - y
    return np.column_stack([x, y, np.zeros(33), np.full(33, 0.9)])


def _place(placer: PanelPlacer, landmarks: np.ndarray | None, frames: int = 1):
    for _ in range(frames):
        rect = placer.place(landmarks, (W, H), PANEL, margin=9, top=27)
    return rect


@pytest.mark.parametrize("corner", list(OPPOSITE))
def test_panel_leaves_the_subject_for_the_farthest_corner(corner: Corner) -> None:
    """The panel starts in the subject's corner; every other corner is free and the
    diagonal one, farthest from the subject, is chosen."""
    placer = PanelPlacer(corner=corner)
    landmarks = landmarks_in(corner)
    rect = _place(placer, landmarks, SWITCH_FRAMES)
    box = subject_box(landmarks, W, H)
    assert box is not None and overlap(rect, box) == 0
    assert placer.corner == OPPOSITE[corner]


@pytest.mark.parametrize("corner", ["bottom_right", "top_left", "top_right"])
def test_panel_stays_bottom_left_while_that_is_free(corner: Corner) -> None:
    placer = PanelPlacer()
    _place(placer, landmarks_in(corner), 3 * SWITCH_FRAMES)
    assert placer.corner == "bottom_left" and placer.covered == 0


def test_hysteresis_waits_and_ignores_a_one_frame_jump() -> None:
    placer = PanelPlacer()
    bottom_left = landmarks_in("bottom_left")
    for _ in range(SWITCH_FRAMES - 1):
        _place(placer, bottom_left)
    assert placer.corner == "bottom_left"  # not yet: a few frames are not a new position
    _place(placer, landmarks_in("top_right"))  # one stray frame elsewhere resets the count
    _place(placer, bottom_left, SWITCH_FRAMES - 1)
    assert placer.corner == "bottom_left"
    _place(placer, bottom_left)
    assert placer.corner == "top_right"
    _place(placer, None, 10)  # nobody in the picture: the panel stays where it is
    assert placer.corner == "top_right"


def test_low_visibility_landmarks_do_not_count() -> None:
    landmarks = landmarks_in("top_right")
    landmarks[:5, :2] = 0.05, 0.95  # five guessed, hidden points in the bottom left
    landmarks[:5, 3] = 0.1
    box = subject_box(landmarks, W, H)
    assert box is not None and box[0] > W / 2 and box[3] < H / 2
    landmarks[:, 3] = 0.1
    assert subject_box(landmarks, W, H) is None


def test_readout_is_drawn_in_the_chosen_corner() -> None:
    """A subject standing in the bottom-left: the panel's shade lands in the top right."""
    frame = np.full((H, W, 3), 255, np.uint8)
    landmarks = landmarks_in("bottom_left")
    placer = PanelPlacer()
    readings = {"knee_flexion_left": 95.0, "hip_flexion_left": 80.0}
    for _ in range(SWITCH_FRAMES):
        frame[:] = 255
        draw_readout(frame, readings, "side_left", placer=placer, landmarks=landmarks)
    assert placer.corner == "top_right"
    darkened = frame.mean(axis=2) < 200
    assert darkened[50:130, W - 100 : W - 20].mean() > 0.5  # the panel, top right
    assert darkened[H - 150 : H - 20, 20:200].mean() < 0.05  # nothing over the subject
    assert tuple(PANEL_COLOUR) != (255, 255, 255)


def test_default_panel_stays_bottom_left_and_fits_a_portrait_frame() -> None:
    frame = np.full((H, W, 3), 255, np.uint8)
    draw_readout(frame, {"knee_flexion_left": 95.0, "trunk_flexion": 20.0}, "side_left")
    darkened = frame.mean(axis=2) < 200
    rows, cols = np.nonzero(darkened[60:])
    assert rows.min() + 60 > H * 0.75 and cols.min() < 20  # bottom left
    assert cols.max() < W * 0.5  # as wide as its text: half of the portrait frame at most


def test_corner_rects_sit_inside_the_frame_below_the_banner() -> None:
    for corner in OPPOSITE:
        x0, y0, x1, y1 = corner_rect(corner, (W, H), PANEL, 9, 27)
        assert 0 <= x0 < x1 <= W and 27 <= y0 < y1 <= H


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        ((1080, 1920), (540, 960)),  # portrait phone clip: short side 540, not 304x540
        ((1920, 1080), (960, 540)),  # landscape: as before
        ((540, 960), (540, 960)),  # never scaled up
        ((640, 360), (640, 360)),
        ((1281, 721), (958, 540)),  # even sizes for yuv420p
    ],
)
def test_output_size_caps_the_short_side(size: tuple[int, int], expected: tuple[int, int]) -> None:
    assert output_size(*size) == expected


def test_synthetic_subject_gets_a_free_corner() -> None:
    """A synthetic side-view squatter framed like a phone clip: after the first frames the
    panel never covers the subject's box when a free corner exists."""
    knee = np.concatenate([np.linspace(0, 110, 45), np.linspace(110, 0, 45)])
    pose = synthetic_pose({"knee_flexion_left": knee}, view="side_left", image_size=(W, H))
    placer = PanelPlacer()
    covered = 0
    for i in range(len(pose)):
        rect = placer.place(pose.image[i], (W, H), PANEL, margin=9, top=27)
        box = subject_box(pose.image[i], W, H, margin=0.0)
        free = any(overlap(corner_rect(c, (W, H), PANEL, 9, 27), box) == 0 for c in OPPOSITE)
        covered += i >= SWITCH_FRAMES and free and overlap(rect, box) > 0
    assert covered == 0
