"""romcam.media.setup_drawing: the ghost skeleton is faint and where its key points are; the
set-up panel's lines are green within tolerance and amber outside."""

from __future__ import annotations

import numpy as np

from romcam.media.setup_drawing import (
    GHOST_ALPHA,
    GHOST_COLOUR,
    OUTSIDE_COLOUR,
    WITHIN_COLOUR,
    draw_ghost,
    draw_setup_panel,
)

W, H = 640, 360
GREY = 90
POINTS = {
    "nose": (0.5, 0.2),
    "left_shoulder": (0.55, 0.3),
    "right_shoulder": (0.45, 0.3),
    "left_hip": (0.53, 0.6),
    "right_hip": (0.47, 0.6),
}


def _blank() -> np.ndarray:
    return np.full((H, W, 3), GREY, np.uint8)


def test_ghost_is_drawn_faintly_along_its_bones_only() -> None:
    frame = _blank()
    draw_ghost(frame, POINTS)
    # Halfway down the left side (shoulder -> hip), a bone; far to the side, nothing.
    x, y = round(0.54 * W), round(0.45 * H)
    expected = GREY + GHOST_ALPHA * (np.array(GHOST_COLOUR) - GREY)
    assert np.abs(frame[y, x].astype(float) - expected).max() <= 3  # faint: blended, not solid
    assert (frame[:, : round(0.3 * W)] == GREY).all()
    assert (frame[:, round(0.7 * W) :] == GREY).all()
    # The neck: nose to the shoulders' midpoint.
    assert (frame[round(0.25 * H), W // 2] != GREY).any()


def test_ghost_without_points_leaves_the_frame() -> None:
    frame = _blank()
    draw_ghost(frame, {})
    assert (frame == GREY).all()


def _coloured(region: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int((np.abs(region.astype(int) - colour).max(axis=-1) <= 40).sum())


def test_panel_colours_its_lines_bottom_right() -> None:
    frame = _blank()
    draw_setup_panel(
        frame, "Set-up vs last visit", [("0.4 m further", False), ("not turned", True)]
    )
    panel = frame[H // 2 :, W // 2 :]
    assert _coloured(panel, OUTSIDE_COLOUR) > 20
    assert _coloured(panel, WITHIN_COLOUR) > 20
    assert (frame[: H // 2, : W // 2] == GREY).all()
    only_within = _blank()
    draw_setup_panel(only_within, "Set-up vs last visit", [("not turned", True)])
    assert _coloured(only_within, OUTSIDE_COLOUR) == 0
