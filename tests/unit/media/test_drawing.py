"""Drawing functions change the pixels where they should and nowhere else."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS
from romcam.media.drawing import (
    LEFT_COLOUR,
    draw_angle_arc,
    draw_hold_cue,
    draw_readout,
    draw_skeleton,
)

H, W = 720, 1280


def _pose(points: dict[str, tuple[float, float]], visibility: float = 0.99) -> np.ndarray:
    """(33, 4) landmarks: the given normalised points, others NaN."""
    lms = np.full((N_LANDMARKS, 4), np.nan)
    for name, (x, y) in points.items():
        lms[LANDMARK_INDEX[name]] = (x, y, 0.0, visibility)
    return lms


class _FramePose:
    def __init__(self, image: np.ndarray) -> None:
        self.image = image


# Left arm abducted 90 degrees: shoulder at (0.6, 0.4), elbow straight out to the right.
ARM = {
    "left_shoulder": (0.6, 0.4),
    "left_hip": (0.6, 0.8),
    "left_elbow": (0.75, 0.4),
    "left_wrist": (0.9, 0.4),
}


def _blank() -> np.ndarray:
    return np.zeros((H, W, 3), np.uint8)


def test_skeleton_draws_bones_between_visible_landmarks() -> None:
    frame = draw_skeleton(_blank(), _FramePose(_pose(ARM)))
    # Midpoint of the upper arm (left side: blue).
    y, x = round(0.4 * H), round(0.675 * W)
    assert tuple(frame[y, x]) == LEFT_COLOUR
    # Far away from every landmark nothing is drawn.
    assert not frame[50:150, 50:300].any()


def test_skeleton_skips_low_visibility_landmarks() -> None:
    frame = draw_skeleton(_blank(), _pose(ARM, visibility=0.2), min_visibility=0.5)
    assert not frame.any()


def test_skeleton_accepts_no_pose() -> None:
    frame = _blank()
    assert draw_skeleton(frame, None) is frame and not frame.any()


def test_skeleton_rejects_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"\(33, 4\)"):
        draw_skeleton(_blank(), np.zeros((17, 3)))


def test_arc_is_drawn_on_the_lateral_side_of_the_shoulder() -> None:
    frame = draw_angle_arc(_blank(), _pose(ARM), "shoulder_abduction_left", 90.0)
    cx, cy = round(0.6 * W), round(0.4 * H)
    drawn = np.argwhere(frame.any(axis=2))
    near = drawn[np.hypot(drawn[:, 0] - cy, drawn[:, 1] - cx) < 80]
    assert len(near) > 20
    # The 90-degree arc from "down" to "right" lies in the lower-right quadrant.
    assert np.all(near[:, 0] >= cy - 3) and np.all(near[:, 1] >= cx - 3)


@pytest.mark.parametrize("metric", ["neck_rotation", "shoulder_abduction_right"])
def test_arc_skipped_without_spec_or_landmarks(metric: str) -> None:
    frame = draw_angle_arc(_blank(), _pose(ARM), metric, 10.0)
    assert not frame.any()


def test_readout_draws_panel_and_banner_only() -> None:
    frame = np.full((H, W, 3), 128, np.uint8)
    draw_readout(
        frame,
        {
            "shoulder_abduction_left": 153.0,
            "elbow_flexion_left": float("nan"),
            "forward_head_cm": 3.3,
        },
        "front",
        ["2 people in frame"],
    )
    changed = (frame != 128).any(axis=2)
    assert changed[:36].mean() > 0.9  # banner across the top is shaded
    assert changed[H - 150 : H - 20, 20:400].mean() > 0.5  # panel bottom left
    assert not changed[100:400, 500:1200].any()  # the middle of the picture is untouched


def test_readout_with_no_readings_draws_banner_only() -> None:
    frame = np.full((H, W, 3), 128, np.uint8)
    draw_readout(frame, {}, "none")
    changed = (frame != 128).any(axis=2)
    assert changed[:36].any() and not changed[40:].any()


def test_drawing_scales_to_small_frames() -> None:
    frame = np.zeros((120, 160, 3), np.uint8)
    draw_skeleton(frame, _pose(ARM))
    draw_angle_arc(frame, _pose(ARM), "shoulder_abduction_left", 90.0)
    draw_readout(frame, {"shoulder_abduction_left": 90.0}, "side_left", ["turn sideways"])
    assert frame.any()


def test_hold_cue_is_drawn_and_turns_green_when_captured() -> None:
    frame = np.zeros((360, 640, 3), np.uint8)
    draw_hold_cue(frame, "trial", 0.5, None, "deg")
    bar = frame[26:32, 10:310]  # below the 18 px banner band, above the text baseline
    assert (bar[..., 2] > 200).mean() > 0.5  # amber fill (BGR: high red)
    assert (frame[26:32, 330:630, 2] < 100).all()  # not filled beyond half
    draw_hold_cue(frame, "trial", 1.0, 151.0, "deg")
    assert (frame[26:32, 330:630, 1] > 150).mean() > 0.5  # green across
