"""compute_metrics on synthetic bodies with known angles: every metric, both sides, both
facing directions; roll; masks; neutral zeroing; flags; bad input."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.measure import (
    FLAG_NAMES,
    NEUTRAL_METRICS,
    compute_metrics,
    neutral_offsets,
    raw_neck_values,
)
from romcam.core.metric_specs import METRIC_IDS, METRICS_BY_ID
from romcam.core.metric_table import MetricTable
from romcam.core.synthetic import NECK, synthetic_pose

SIDE_VIEWS = ("side_left", "side_right")
FRONT_VIEWS = (("front", "camera"), ("front", "away"))
LIMB = np.array([-45.0, -10.0, 0.0, 25.0, 60.0, 90.0, 135.0, 170.0])
FLEX = np.array([-10.0, 0.0, 15.0, 45.0, 90.0, 120.0, 150.0])
SMALL = np.array([-30.0, -12.0, -2.5, 0.0, 4.0, 17.0, 35.0])
ABDUCTION = np.array([-20.0, 0.0, 20.0, 45.0, 90.0, 135.0, 175.0])


def _neutral(view: str, facing: str) -> dict[str, float]:
    """The raw neck values of the synthetic body with a neutral head in that view."""
    raw = raw_neck_values(synthetic_pose({}, view=view, facing=facing))
    return {k: float(v[0]) for k, v in raw.items() if np.isfinite(v[0])}


def _measure(metric: str, values: np.ndarray, view: str, facing: str = "camera") -> np.ndarray:
    angles = {metric: values}
    if metric == "trunk_lateral_lean":
        # A body leans as one piece: the shoulder line tilts with the trunk. A lean under level
        # shoulders is a sheared trunk, which core.occlusion reads as misplaced hips.
        angles["shoulder_tilt"] = -values
    pose = synthetic_pose(angles, view=view, facing=facing)
    table = compute_metrics(pose, neutral=_neutral(view, facing))
    return np.asarray(table.values[metric])


SIDE_CASES = [
    (f"{base}_{side}", values, f"side_{side}")
    for base, values in (
        ("shoulder_flexion", LIMB),
        ("hip_flexion", LIMB[:7]),
        ("knee_flexion", FLEX),
        ("elbow_flexion", FLEX[1:]),
    )
    for side in ("left", "right")
] + [
    (mid, values, view)
    for mid, values in (
        ("neck_flexion", SMALL),
        ("trunk_flexion", SMALL),
        ("craniovertebral_angle", np.array([30.0, 48.0, 60.0, 90.0, 105.0])),
    )
    for view in SIDE_VIEWS
]


@pytest.mark.parametrize(("metric", "values", "view"), SIDE_CASES)
def test_side_metrics_exact(metric: str, values: np.ndarray, view: str) -> None:
    got = _measure(metric, values, view)
    np.testing.assert_allclose(got, values, atol=0.1)


FRONT_CASES = (
    [
        (f"{base}_{side}", values, facing)
        for base, values in (
            ("shoulder_abduction", ABDUCTION),
            ("hip_abduction", ABDUCTION[:5]),
            ("elbow_flexion", FLEX[1:]),
        )
        for side in ("left", "right")
        for facing in ("camera", "away")
    ]
    + [
        (mid, SMALL, facing)
        for mid in (
            "neck_lateral_flexion",
            "shoulder_tilt",
            "head_tilt",
            "pelvic_tilt",
            "trunk_lateral_lean",
        )
        for facing in ("camera", "away")
    ]
    + [("neck_rotation", np.array([-70.0, -45.0, -10.0, 0.0, 20.0, 60.0, 75.0]), "camera")]
)


@pytest.mark.parametrize(("metric", "values", "facing"), FRONT_CASES)
def test_front_metrics_exact(metric: str, values: np.ndarray, facing: str) -> None:
    got = _measure(metric, values, "front", facing)
    np.testing.assert_allclose(got, values, atol=0.1)


@pytest.mark.parametrize("with_world", [True, False])
def test_neck_rotation_without_world(with_world: bool) -> None:
    values = np.array([-60.0, -5.0, 0.0, 30.0, 60.0])
    pose = synthetic_pose({"neck_rotation": values}, with_world=with_world)
    got = compute_metrics(pose).values["neck_rotation"]
    np.testing.assert_allclose(got, values, atol=0.1)


def test_neck_rotation_is_nan_facing_away() -> None:
    pose = synthetic_pose({"neck_rotation": 30.0}, view="front", facing="away")
    table = compute_metrics(pose)
    assert np.isnan(table.values["neck_rotation"]).all()
    assert table.flags["facing_away"].all()


@pytest.mark.parametrize("view", SIDE_VIEWS)
@pytest.mark.parametrize("cva", [40.0, 55.0, 80.0])
def test_forward_head_cm(view: str, cva: float) -> None:
    pose = synthetic_pose({"craniovertebral_angle": cva}, view=view, px_per_m=300.0)
    got = compute_metrics(pose, px_per_cm=3.0).values["forward_head_cm"][0]
    assert got == pytest.approx(100.0 * NECK * np.cos(np.radians(cva)), abs=0.01)
    assert np.isnan(compute_metrics(pose).values["forward_head_cm"]).all()


@pytest.mark.parametrize("roll", [-8.0, 5.0, 15.0])
@pytest.mark.parametrize(
    ("metric", "value", "view"),
    [
        ("shoulder_tilt", 4.0, "front"),
        ("pelvic_tilt", -3.0, "front"),
        ("head_tilt", 6.0, "front"),
        ("trunk_lateral_lean", 5.0, "front"),
        ("trunk_flexion", 12.0, "side_left"),
        ("craniovertebral_angle", 50.0, "side_right"),
    ],
)
def test_roll_correction_makes_level_referenced_metrics_true(
    roll: float, metric: str, value: float, view: str
) -> None:
    pose = synthetic_pose({metric: value}, view=view, roll_deg=roll)
    corrected = compute_metrics(pose, roll_deg=roll).values[metric][0]
    uncorrected = compute_metrics(pose).values[metric][0]
    assert corrected == pytest.approx(value, abs=0.1)
    assert abs(uncorrected - value) > abs(roll) / 2  # the roll really was there


@pytest.mark.parametrize("roll", [-10.0, 12.0])
def test_roll_leaves_segment_angles_unchanged(roll: float) -> None:
    angles = {
        "shoulder_flexion_left": 70.0,
        "elbow_flexion_left": 35.0,
        "knee_flexion_left": 50.0,
        "hip_flexion_left": 30.0,
    }
    pose = synthetic_pose(angles, view="side_left", roll_deg=roll)
    with_roll = compute_metrics(pose, roll_deg=roll)
    without = compute_metrics(pose)
    for mid, value in angles.items():
        assert with_roll.values[mid][0] == pytest.approx(value, abs=0.1)
        assert without.values[mid][0] == pytest.approx(value, abs=0.1)


def test_neck_flexion_zeroed_at_first_second_by_default() -> None:
    fps = 30.0
    pitch = np.concatenate([np.zeros(30), np.linspace(0.0, 40.0, 60)])
    pose = synthetic_pose({"neck_flexion": pitch}, view="side_right", fps=fps)
    got = compute_metrics(pose).values["neck_flexion"]
    np.testing.assert_allclose(got, pitch, atol=0.1)


def test_explicit_neutral_is_subtracted() -> None:
    pose = synthetic_pose({"neck_lateral_flexion": 10.0, "neck_rotation": 20.0})
    table = compute_metrics(pose, neutral={"neck_lateral_flexion": 3.0, "neck_rotation": -5.0})
    assert table.values["neck_lateral_flexion"][0] == pytest.approx(7.0, abs=0.1)
    assert table.values["neck_rotation"][0] == pytest.approx(25.0, abs=0.1)


def test_neutral_offsets_from_a_still_window() -> None:
    pitch = np.concatenate([np.full(30, 0.0), np.full(30, 30.0)])
    pose = synthetic_pose({"neck_flexion": pitch}, view="side_left")
    first = neutral_offsets(pose, start_s=0.0, end_s=0.9)
    later = neutral_offsets(pose, start_s=1.1)
    assert set(first) == {"neck_flexion"}  # a side view gives only the sagittal neutral
    assert later["neck_flexion"] - first["neck_flexion"] == pytest.approx(30.0, abs=0.1)
    table = compute_metrics(pose, neutral=first)
    np.testing.assert_allclose(table.values["neck_flexion"], pitch, atol=0.1)


def test_raw_neck_values_keys_and_shape() -> None:
    raw = raw_neck_values(synthetic_pose({}, n_frames=4))
    assert set(raw) == set(NEUTRAL_METRICS)
    assert all(v.shape == (4,) for v in raw.values())
    assert np.isnan(raw["neck_flexion"]).all()  # a front view has no sagittal head pitch


@pytest.mark.parametrize("view", SIDE_VIEWS)
def test_far_side_is_nan_in_side_view(view: str) -> None:
    near = view.removeprefix("side_")
    far = "right" if near == "left" else "left"
    pose = synthetic_pose({}, view=view)
    table = compute_metrics(pose, min_visibility=0.0)  # even when trusting every landmark
    for base in ("shoulder_flexion", "hip_flexion", "knee_flexion", "elbow_flexion"):
        assert np.isnan(table.values[f"{base}_{far}"]).all()
        assert np.isfinite(table.values[f"{base}_{near}"]).all()


@pytest.mark.parametrize(
    ("view", "facing", "nan_metrics"),
    [
        (
            "front",
            "camera",
            [
                "shoulder_flexion_left",
                "knee_flexion_right",
                "trunk_flexion",
                "neck_flexion",
                "craniovertebral_angle",
            ],
        ),
        (
            "side_left",
            "camera",
            [
                "shoulder_abduction_left",
                "hip_abduction_left",
                "shoulder_tilt",
                "neck_rotation",
                "trunk_lateral_lean",
            ],
        ),
    ],
)
def test_wrong_view_is_nan_and_flagged(view: str, facing: str, nan_metrics: list[str]) -> None:
    pose = synthetic_pose({}, view=view, facing=facing)
    table = compute_metrics(pose)
    for mid in nan_metrics:
        assert np.isnan(table.values[mid]).all(), mid
    assert compute_metrics(pose, metrics=nan_metrics[:1]).flags["wrong_view"].all()
    matching = "shoulder_tilt" if view == "front" else "trunk_flexion"
    assert not compute_metrics(pose, metrics=[matching]).flags["wrong_view"].any()


def test_oblique_view_keeps_only_elbows_and_flags_out_of_plane() -> None:
    pose = synthetic_pose({"elbow_flexion_left": 40.0}, yaw_deg=45.0)
    table = compute_metrics(pose)
    assert table.view[0] == "oblique"
    assert table.flags["out_of_plane"].all()
    finite = {m for m in METRIC_IDS if np.isfinite(table.values[m]).any()}
    assert finite == {"elbow_flexion_left", "elbow_flexion_right"}


@pytest.mark.parametrize(
    ("yaw", "flagged"), [(10.0, False), (22.0, True), (-80.0, False), (-110.0, True)]
)
def test_out_of_plane_threshold(yaw: float, flagged: bool) -> None:
    table = compute_metrics(synthetic_pose({}, yaw_deg=yaw))
    assert bool(table.flags["out_of_plane"][0]) is flagged


def _with_visibility(pose: PoseSequence, name: str, vis: float, frames: slice) -> PoseSequence:
    image = pose.image.copy()
    image[frames, LANDMARK_INDEX[name], 3] = vis
    return PoseSequence(
        pose.frame, pose.time_s, pose.image_width, pose.image_height, image, pose.world
    )


def test_low_visibility_landmark_makes_nan_and_flags() -> None:
    pose = _with_visibility(
        synthetic_pose({"shoulder_flexion_left": 90.0}, view="side_left", n_frames=6),
        "left_elbow",
        0.2,
        slice(2, 4),
    )
    table = compute_metrics(pose, metrics=["shoulder_flexion_left"])
    got = table.values["shoulder_flexion_left"]
    np.testing.assert_array_equal(np.isnan(got), [False, False, True, True, False, False])
    np.testing.assert_array_equal(table.flags["low_visibility"], np.isnan(got))
    assert np.isfinite(compute_metrics(pose, min_visibility=0.1).values["elbow_flexion_left"]).all()


def test_out_of_frame_landmark_makes_nan_and_flags() -> None:
    pose = synthetic_pose({"shoulder_abduction_right": 90.0}, n_frames=3)
    image = pose.image.copy()
    image[1, LANDMARK_INDEX["right_elbow"], 0] = -0.05
    pose = PoseSequence(pose.frame, pose.time_s, 1280, 720, image, pose.world)
    table = compute_metrics(pose, metrics=["shoulder_abduction_right"])
    np.testing.assert_array_equal(
        np.isnan(table.values["shoulder_abduction_right"]), [False, True, False]
    )
    np.testing.assert_array_equal(table.flags["out_of_frame"], [False, True, False])


def test_frames_without_subject() -> None:
    pose = synthetic_pose({"shoulder_tilt": 2.0}, n_frames=5)
    image, world = pose.image.copy(), pose.world.copy()  # type: ignore[union-attr]
    image[1:3] = np.nan
    world[1:3] = np.nan
    pose = PoseSequence(pose.frame, pose.time_s, 1280, 720, image, world)
    table = compute_metrics(pose)
    np.testing.assert_array_equal(table.view, ["front", "none", "none", "front", "front"])
    np.testing.assert_array_equal(table.facing[1:3], ["none", "none"])
    np.testing.assert_array_equal(table.flags["no_subject"], [False, True, True, False, False])
    assert all(np.isnan(table.values[m][1:3]).all() for m in METRIC_IDS)
    assert not table.flags["wrong_view"][1:3].any()


def test_table_shape_flags_and_subset() -> None:
    pose = synthetic_pose({"shoulder_abduction_left": 30.0}, n_frames=7)
    table = compute_metrics(pose, metrics=["shoulder_abduction_left"])
    assert isinstance(table, MetricTable)
    assert set(table.values) == set(METRIC_IDS)
    assert set(table.flags) == set(FLAG_NAMES)
    assert np.isnan(table.values["shoulder_tilt"]).all()  # not requested
    assert table.to_dataframe().shape[0] == 7


def test_empty_sequence() -> None:
    pose = synthetic_pose({}, n_frames=1)
    empty = PoseSequence(pose.frame[:0], pose.time_s[:0], 1280, 720, pose.image[:0], pose.world[:0])  # type: ignore[index]
    table = compute_metrics(empty)
    assert len(table) == 0


def test_noise_gives_small_errors() -> None:
    values = np.linspace(0.0, 150.0, 200)
    pose = synthetic_pose(
        {"shoulder_flexion_right": values}, view="side_right", noise_px=0.5, seed=7
    )
    err = compute_metrics(pose).values["shoulder_flexion_right"] - values
    # 0.5 px per axis on a ~78 px upper arm and a ~130 px trunk: about 0.6 deg standard error.
    assert np.sqrt(np.nanmean(err**2)) < 1.0
    assert np.nanmax(np.abs(err)) < 3.0


POSE = synthetic_pose({}, n_frames=2)
BAD: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
    (POSE.image, {}, TypeError, "pose must be a PoseSequence"),
    (POSE, {"roll_deg": float("nan")}, ValueError, "roll_deg must be a finite angle"),
    (POSE, {"roll_deg": 90.0}, ValueError, "within"),
    (POSE, {"px_per_cm": 0.0}, ValueError, "px_per_cm must be a positive number"),
    (POSE, {"px_per_cm": -2.0}, ValueError, "px_per_cm"),
    (POSE, {"min_visibility": 1.5}, ValueError, r"min_visibility must be within \[0, 1\]"),
    (POSE, {"neutral": {"knee_flexion_left": 1.0}}, ValueError, "neutral only takes"),
    (POSE, {"neutral": {"neck_flexion": float("inf")}}, ValueError, "must be finite"),
    (POSE, {"metrics": ["elbow_flexion"]}, ValueError, "unknown metrics"),
    (POSE, {"metrics": "neck_flexion"}, ValueError, "collection of metric ids"),
]


@pytest.mark.parametrize(("pose", "kwargs", "error", "match"), BAD)
def test_bad_input(pose: Any, kwargs: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        compute_metrics(pose, **kwargs)


def test_neutral_offsets_bad_window() -> None:
    with pytest.raises(ValueError, match="start_s must be <= end_s"):
        neutral_offsets(POSE, start_s=2.0, end_s=1.0)


@pytest.mark.parametrize("side", ["left", "right"])
def test_shoulder_abduction_falls_back_to_vertical_without_hips(side: str) -> None:
    """Seated subject framed at the waist: the hips fall outside the image."""
    metric = f"shoulder_abduction_{side}"
    pose = synthetic_pose({metric: 150.0, "trunk_lateral_lean": 6.0}, n_frames=2)
    image = pose.image.copy()
    image[1, [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]], 1] = 1.05
    pose = PoseSequence(pose.frame, pose.time_s, 1280, 720, image, pose.world)
    table = compute_metrics(pose, metrics=[metric])
    # Frame 0 uses the trunk midline; frame 1 the vertical, off by the 6 deg lean.
    lean_sign = 1.0 if side == "right" else -1.0  # leaning left moves the trunk toward the left arm
    assert table.values[metric][0] == pytest.approx(150.0, abs=0.1)
    assert table.values[metric][1] == pytest.approx(150.0 + lean_sign * 6.0, abs=0.1)
    np.testing.assert_array_equal(table.flags["vertical_reference"], [False, True])
    assert not table.flags["out_of_frame"].any()
    assert np.isnan(compute_metrics(pose).values[f"hip_abduction_{side}"][1])


def _upside_down(pose: PoseSequence, frames: slice) -> PoseSequence:
    """The pose with head and feet swapped in ``frames``, as BlazePose sometimes returns it."""
    image, world = pose.image.copy(), pose.world.copy()  # type: ignore[union-attr]
    image[frames, :, 1] = 1.0 - image[frames, :, 1]
    world[frames, :, 1] = -world[frames, :, 1]
    return PoseSequence(pose.frame, pose.time_s, 1280, 720, image, world)


def test_upside_down_front_pose_is_not_measured() -> None:
    pose = _upside_down(
        synthetic_pose({"shoulder_abduction_left": 170.0, "shoulder_tilt": 3.0}, n_frames=4),
        slice(1, 3),
    )
    table = compute_metrics(pose)
    np.testing.assert_array_equal(table.flags["implausible_pose"], [False, True, True, False])
    for mid in ("shoulder_abduction_left", "shoulder_tilt", "trunk_lateral_lean"):
        np.testing.assert_array_equal(np.isnan(table.values[mid]), [False, True, True, False])
    assert abs(table.values["shoulder_abduction_left"][0] - 170.0) < 0.1


def test_deep_forward_bend_in_side_view_is_still_measured() -> None:
    pose = synthetic_pose({"trunk_flexion": 110.0}, view="side_left", n_frames=2)
    table = compute_metrics(pose, metrics=["trunk_flexion"])
    assert not table.flags["implausible_pose"].any()
    np.testing.assert_allclose(table.values["trunk_flexion"], 110.0, atol=0.1)


def test_anatomically_impossible_values_are_dropped_and_flagged() -> None:
    pose = synthetic_pose({"head_tilt": 0.0}, n_frames=3)
    image = pose.image.copy()
    # Last frame: the left ear slid far below the right one, a landmark failure (tilt ~ -75
    # deg). The last frame, so that the occlusion jump rule (which needs a frame on each
    # side) does not withhold it first.
    ears = [LANDMARK_INDEX["left_ear"], LANDMARK_INDEX["right_ear"]]
    width_px = abs(image[2, ears[0], 0] - image[2, ears[1], 0]) * 1280
    image[2, ears[0], 1] += 3.7 * width_px / 720
    pose = PoseSequence(pose.frame, pose.time_s, 1280, 720, image, pose.world)
    table = compute_metrics(pose, metrics=["head_tilt", "shoulder_tilt"])
    np.testing.assert_array_equal(np.isnan(table.values["head_tilt"]), [False, False, True])
    np.testing.assert_array_equal(table.flags["implausible_value"], [False, False, True])
    assert np.isfinite(table.values["shoulder_tilt"]).all()


@pytest.mark.parametrize("mid", METRIC_IDS)
def test_normal_ranges_lie_inside_plausible_ranges(mid: str) -> None:
    spec = METRICS_BY_ID[mid]
    low, high = spec.plausible_range
    if spec.normal_range is not None:
        assert low < spec.normal_range[0] and spec.normal_range[1] < high
