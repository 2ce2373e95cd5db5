"""Drawing functions change the pixels where they should and nowhere else."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.head_pose import N_FACE_LANDMARKS, HeadPose, rotation_from_angles
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS
from romcam.media.drawing import (
    ARC_COLOUR,
    FACE_OVAL,
    HEAD_AXIS_COLOURS,
    HEAD_AXIS_SHARE,
    LEFT_COLOUR,
    MIDLINE_COLOUR,
    NOSE_TIP,
    draw_angle_arc,
    draw_head_axes,
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


def test_skeleton_without_face_leaves_the_face_lines_out() -> None:
    face = {"nose": (0.5, 0.2), "left_eye": (0.55, 0.18), "left_ear": (0.62, 0.19)}
    with_face = draw_skeleton(_blank(), _pose({**face, **ARM}))
    without = draw_skeleton(_blank(), _pose({**face, **ARM}), face=False)
    band = slice(round(0.15 * H), round(0.25 * H))
    assert with_face[band].any() and not without[band].any()
    assert (without == draw_skeleton(_blank(), _pose(ARM))).all()  # the body as before


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


# --- the head's axes ---------------------------------------------------------------------------

#: A synthetic face: the outline an ellipse round (0.5, 0.45), 0.24 of the frame high
#: (173 px at 720p, so the axes are 0.6 x 173 = 104 px long), the nose tip at (0.5, 0.47).
NOSE = np.array([0.5 * W, 0.47 * H])
AXIS_PX = HEAD_AXIS_SHARE * 0.24 * H
UP_COLOUR = HEAD_AXIS_COLOURS[1]


def _head(yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> HeadPose:
    landmarks = np.zeros((N_FACE_LANDMARKS, 3))
    landmarks[:, :2] = NOSE / (W, H)
    angles = np.linspace(-np.pi / 2, 3 * np.pi / 2, len(FACE_OVAL), endpoint=False)
    landmarks[list(FACE_OVAL), 0] = 0.5 + 0.06 * np.cos(angles)
    landmarks[list(FACE_OVAL), 1] = 0.45 + 0.12 * np.sin(angles)
    return HeadPose(
        rotation=rotation_from_angles(yaw, pitch, roll),
        translation=np.array([0.0, 0.0, -50.0]),
        landmarks=landmarks,
        confidence=1.0,
    )


def _colour_at(frame: np.ndarray, along_px: float, direction_deg: float) -> tuple[int, ...]:
    """The pixel ``along_px`` from the nose in image direction ``direction_deg`` (0 = right,
    90 = down)."""
    a = np.radians(direction_deg)
    x, y = NOSE + along_px * np.array([np.cos(a), np.sin(a)])
    return tuple(int(c) for c in frame[round(y), round(x)])


def test_head_facing_the_camera_draws_the_ear_line_and_up_axis_full_length() -> None:
    frame = draw_head_axes(_blank(), _head())
    assert _colour_at(frame, 0.5 * AXIS_PX, 0) == LEFT_COLOUR  # toward the subject's left
    assert _colour_at(frame, 0.5 * AXIS_PX, -90) == UP_COLOUR
    assert _colour_at(frame, 0, 0) == ARC_COLOUR  # the nose axis is a dot: it points at us
    assert _colour_at(frame, 0.5 * AXIS_PX, 180) == (0, 0, 0)  # nothing toward the right ear
    chin = np.round((0.5 * W, (0.45 + 0.12) * H)).astype(int)
    assert frame[chin[1], chin[0]].tolist() == list(MIDLINE_COLOUR)  # the outline's bottom
    assert not frame[:, : round(0.4 * W)].any() and not frame[:, round(0.6 * W) :].any()


@pytest.mark.parametrize("yaw", [20.0, 40.0])
def test_head_turned_left_swings_the_nose_axis_right_by_the_sine_of_the_turn(yaw: float) -> None:
    frame = draw_head_axes(_blank(), _head(yaw=yaw), outline=False)
    reach = AXIS_PX * np.sin(np.radians(yaw))
    assert _colour_at(frame, 0.8 * reach, 0) == ARC_COLOUR
    # Beyond the nose axis's tip only the (foreshortened) ear line goes on.
    assert _colour_at(frame, reach + 0.5 * (AXIS_PX * np.cos(np.radians(yaw)) - reach), 0) == (
        LEFT_COLOUR
    )
    assert _colour_at(frame, 0.8 * reach, 180) == (0, 0, 0)  # nothing swung to the other side


@pytest.mark.parametrize("roll", [-20.0, 20.0])
def test_head_tilt_tilts_the_ear_line_by_the_roll(roll: float) -> None:
    """+ roll: toward the subject's left shoulder, the ear line goes down to the image right."""
    frame = draw_head_axes(_blank(), _head(roll=roll), outline=False)
    assert _colour_at(frame, 0.6 * AXIS_PX, roll) == LEFT_COLOUR
    assert _colour_at(frame, 0.6 * AXIS_PX, roll - 90) == UP_COLOUR
    assert _colour_at(frame, 0.6 * AXIS_PX, -roll) == (0, 0, 0)


def test_chin_down_swings_the_nose_axis_down() -> None:
    frame = draw_head_axes(_blank(), _head(pitch=30.0), outline=False)
    assert _colour_at(frame, 0.8 * AXIS_PX * np.sin(np.radians(30)), 90) == ARC_COLOUR


def test_no_head_or_unplaced_face_draws_nothing() -> None:
    frame = _blank()
    assert draw_head_axes(frame, None) is frame and not frame.any()
    head = _head()
    head.landmarks[NOSE_TIP] = np.nan
    assert not draw_head_axes(_blank(), head).any()


def test_head_axes_scale_with_the_face_on_a_small_frame() -> None:
    frame = np.zeros((120, 160, 3), np.uint8)
    draw_head_axes(frame, _head(yaw=30.0))
    drawn = np.argwhere(frame.any(axis=2))
    assert len(drawn) > 20
    assert np.ptp(drawn[:, 0]) <= 0.24 * 120 + 4  # within the face's height (and its axes)
