"""romcam.core.setup_geometry on synthetic skeletons with a known camera: distance (from the
image scale), camera height, yaw, roll and framing recovered within the documented
tolerances; the differences, their sentence and the comparison note; the store's JSON."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from romcam.core.setup_geometry import (
    DISTANCE_TOLERANCE,
    HEIGHT_TOLERANCE_M,
    ROLL_TOLERANCE_DEG,
    YAW_TOLERANCE_DEG,
    CameraSetup,
    SetupCamera,
    camera_setup,
    nominal_focal_px,
    setup_difference,
    setup_note,
    setup_note_of,
    typical_setup,
)
from romcam.core.synthetic import TORSO, synthetic_pose

SIZE = (1280, 720)
#: Abduction 0 -> 150 deg over 2 s: the arm moves, the torso stays.
MOVING = {"shoulder_abduction_left": np.linspace(0.0, 150.0, 60)}


def _setup(
    camera: SetupCamera | None = None, trunk_flexion: float = 0.0, **kwargs: object
) -> CameraSetup:
    angles = {**MOVING, "trunk_flexion": trunk_flexion}
    found = camera_setup(synthetic_pose(angles, image_size=SIZE, **kwargs), camera)  # type: ignore[arg-type]
    assert found is not None
    return found


@pytest.mark.parametrize("px_per_m", [150.0, 259.2, 400.0])
def test_distance_from_the_apparent_size_with_the_nominal_field_of_view(px_per_m: float) -> None:
    found = _setup(px_per_m=px_per_m, noise_px=1.0)
    expected = nominal_focal_px(*SIZE) / px_per_m
    assert found.distance_m == pytest.approx(expected, rel=0.03)
    assert found.distance_source == "nominal_fov"


def test_distance_ratio_of_two_visits_is_the_inverse_scale_ratio() -> None:
    near, far = _setup(px_per_m=300.0, noise_px=1.0), _setup(px_per_m=240.0, noise_px=1.0, seed=1)
    assert far.distance_m / near.distance_m == pytest.approx(300.0 / 240.0, rel=0.02)


def test_a_lens_focal_length_and_no_world_landmarks() -> None:
    found = _setup(SetupCamera(focal_px=1100.0), px_per_m=250.0, with_world=False)
    assert found.distance_m == pytest.approx(1100.0 / 250.0, rel=1e-6)
    assert found.distance_source == "lens"


@pytest.mark.parametrize("above_hips_m", [-0.2, 0.25, 0.7])
def test_camera_height_above_the_mid_torso(above_hips_m: float) -> None:
    found = _setup(camera_height_m=above_hips_m, noise_px=1.0)
    # The mid-torso point is half the torso above the hip centre.
    assert found.camera_height_m == pytest.approx(above_hips_m - TORSO / 2, abs=0.01)
    assert found.height_source == "level_assumed"


def test_a_calibrated_pitch_turns_the_frame_position_into_height() -> None:
    # The centre row sees the mid-torso: level, the camera is at its height; tilted up 5 deg
    # (and still seeing it there), the camera must be lower by distance x tan 5 deg.
    level = _setup(SetupCamera(pitch_deg=0.0), camera_height_m=TORSO / 2)
    tilted = _setup(SetupCamera(pitch_deg=5.0), camera_height_m=TORSO / 2)
    assert level.camera_height_m == pytest.approx(0.0, abs=1e-6)
    assert tilted.camera_height_m == pytest.approx(
        -tilted.distance_m * math.tan(math.radians(5.0)), abs=1e-3
    )
    assert tilted.height_source == "calibrated_pitch"


@pytest.mark.parametrize("yaw", [0.0, 25.0, -40.0, 90.0, -90.0, 70.0])
def test_yaw_is_the_views_estimate(yaw: float) -> None:
    assert _setup(yaw_deg=yaw, noise_px=0.5).yaw_deg == pytest.approx(yaw, abs=3.0)


@pytest.mark.parametrize(("yaw", "roll"), [(0.0, 3.0), (0.0, -2.0), (35.0, 4.0), (180.0, 1.0)])
def test_roll_from_the_shoulder_and_hip_lines(yaw: float, roll: float) -> None:
    found = _setup(yaw_deg=yaw, roll_deg=roll, noise_px=0.5)
    assert found.roll_deg == pytest.approx(roll, abs=0.5)
    assert found.roll_source == "body"


def test_a_side_view_cannot_tell_the_roll() -> None:
    # A trunk leaning forward (here 30 deg) would read as a rolled camera: not used.
    found = _setup(view="side_left", roll_deg=4.0, trunk_flexion=30.0)
    assert math.isnan(found.roll_deg) and found.roll_source == "unknown"
    assert "roll_deg" not in found.to_dict()
    assert [p.quantity for p in setup_difference(found, found).parts] == [
        "distance",
        "height",
        "yaw",
        "framing",
    ]


def test_roll_from_the_calibration_when_it_has_a_level() -> None:
    found = _setup(SetupCamera(roll_deg=1.5), roll_deg=1.5)
    assert (found.roll_deg, found.roll_source) == (1.5, "calibration")


def test_framing_box_and_a_shift_in_the_frame() -> None:
    pose = synthetic_pose(MOVING, image_size=SIZE)
    found = camera_setup(pose)
    assert found is not None
    assert 0.0 <= found.box_left < found.torso_x < found.box_right <= 1.0
    assert 0.0 <= found.box_top < found.torso_y < found.box_bottom <= 1.0
    image = pose.image.copy()
    image[..., 0] += 0.15
    moved = camera_setup(replace(pose, image=image))
    assert moved is not None
    assert moved.torso_x - found.torso_x == pytest.approx(0.15, abs=1e-6)
    assert "body 15 % of the frame further right" in setup_difference(found, moved).sentence


def test_frames_without_the_torso_are_left_out_and_none_means_no_setup() -> None:
    pose = synthetic_pose(MOVING, image_size=SIZE)
    image = pose.image.copy()
    image[:20] = np.nan  # no subject in the first 20 frames
    image[20:25, :, 1] *= 0.5  # a bad detection squashing the body
    found = camera_setup(replace(pose, image=image))
    assert found is not None and found.frames == 35
    assert found.distance_m == pytest.approx(nominal_focal_px(*SIZE) / (0.36 * 720), rel=1e-6)
    image[:] = np.nan
    assert camera_setup(replace(pose, image=image)) is None


def test_ghost_is_the_start_position() -> None:
    found = _setup()
    ghost = found.ghost_points
    assert {"nose", "left_shoulder", "right_hip", "left_ankle"} <= set(ghost)
    # The arm starts down: its wrist well below the shoulder (abducted 0-75 deg in 1 s).
    assert ghost["left_wrist"][1] > ghost["left_shoulder"][1]


def test_store_json_round_trip() -> None:
    found = _setup(yaw_deg=80.0, roll_deg=2.0, noise_px=1.0)
    stored = found.to_dict()
    assert all(isinstance(v, int | float | str) for v in stored.values())
    assert all(isinstance(v, str) or math.isfinite(v) for v in stored.values())
    back = CameraSetup.from_dict(stored)
    assert back.to_dict() == stored
    assert setup_difference(found, back).within_tolerance
    assert back.ghost_points.keys() == found.ghost_points.keys()
    assert CameraSetup.from_dict({}).distance_m != CameraSetup.from_dict({}).distance_m  # NaN


def _base(**changes: Any) -> CameraSetup:
    base = CameraSetup.from_dict(
        {
            "distance_m": 2.5,
            "camera_height_m": 0.1,
            "torso_x": 0.5,
            "torso_y": 0.45,
            "yaw_deg": 88.0,
            "roll_deg": 0.5,
        }
    )
    return replace(base, **changes)


def test_difference_sentence_in_plain_numbers() -> None:
    earlier = _base()
    later = _base(distance_m=2.9, camera_height_m=0.2, yaw_deg=96.0)
    diff = setup_difference(earlier, later)
    assert diff.sentence == "0.4 m further, camera 10 cm higher, turned 8°"
    assert diff.change("distance") == pytest.approx(0.4)
    assert not diff.within_tolerance  # 0.4 m is 16 % of 2.5 m
    assert [p.quantity for p in diff.parts if not p.within] == ["distance"]
    assert diff.beyond == "0.4 m further"


@pytest.mark.parametrize(
    ("changes", "within"),
    [
        ({"distance_m": 2.5 * (1 + DISTANCE_TOLERANCE) - 0.01}, True),
        ({"distance_m": 2.5 * (1 + DISTANCE_TOLERANCE) + 0.01}, False),
        ({"camera_height_m": 0.1 - HEIGHT_TOLERANCE_M + 0.01}, True),
        ({"camera_height_m": 0.1 - HEIGHT_TOLERANCE_M - 0.01}, False),
        ({"yaw_deg": 88.0 - YAW_TOLERANCE_DEG - 1}, False),
        ({"yaw_deg": -178.0}, False),  # across +-180: 94 deg, not 266
        ({"roll_deg": 0.5 + ROLL_TOLERANCE_DEG - 0.1}, True),
        ({"roll_deg": 0.5 - ROLL_TOLERANCE_DEG - 0.1}, False),
        ({"torso_x": 0.62}, False),
    ],
)
def test_each_tolerance(changes: dict[str, float], within: bool) -> None:
    assert setup_difference(_base(), _base(**changes)).within_tolerance is within


def test_height_in_the_frame_when_the_metres_are_unknown() -> None:
    earlier, later = _base(camera_height_m=math.nan), _base(camera_height_m=math.nan, torso_y=0.3)
    assert setup_difference(earlier, later).sentence == "body 15 % of the frame higher in the frame"


def test_the_same_setup_and_the_comparison_note() -> None:
    assert setup_difference(_base(), _base(yaw_deg=88.4)).sentence == "the same set-up"
    assert setup_note(_base(), _base(distance_m=2.55)) is None
    assert setup_note(None, _base()) is None
    note = setup_note(_base().to_dict(), _base(distance_m=3.1, roll_deg=4.0).to_dict())
    assert note == (
        "Different camera set-up from the earlier measurement (0.6 m further, tilted 4°): "
        "part of the change may come from the set-up."
    )


def test_groups_of_trials_compared_by_their_median_setup() -> None:
    earlier = [_base().to_dict(), None, math.nan, _base(distance_m=2.6).to_dict()]
    later = [_base(distance_m=d).to_dict() for d in (3.2, 3.3, 2.5)]
    typical = typical_setup(later)
    assert typical is not None and typical.distance_m == pytest.approx(3.2)
    note = setup_note_of(earlier, later)
    assert note is not None and "0.7 m further" in note  # 3.2 vs the median 2.55
    assert setup_note_of([None], later) is None
    yaw = typical_setup([_base(yaw_deg=y) for y in (179.0, -179.0, 178.0)])
    assert yaw is not None and abs(abs(yaw.yaw_deg) - 179.0) < 1.0
