"""Compensations and the clean range on synthetic skeletons with imposed trunk lean, trunk
flexion, shoulder hike and trunk turn (``romcam.core.compensation``, ``core.clean_range``)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.compensation import (
    COMPENSATIONS,
    compensated_frames,
    compensations_for,
    compensations_of_pose,
)
from romcam.core.filtering import smooth_table
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.summary import summary_for_test
from romcam.core.synthetic import synthetic_pose

FPS = 30.0


def ramp(t: np.ndarray, knots: list[float], levels: list[float]) -> np.ndarray:
    return np.interp(t, knots, levels)


def measured(
    test_id: str, side: str | None, pose: PoseSequence
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The test's compensations on ``pose`` (view and facing as the metric table found them)
    and the time axis."""
    metric = assessment_test(test_id).metric_id(side)  # type: ignore[arg-type]
    table = compute_metrics(pose, metrics=[metric])
    return compensations_of_pose(pose, table.view, table.facing, test_id, side), pose.time_s


def leaning(lean: np.ndarray) -> dict[str, np.ndarray]:
    """A rigid trunk leaning sideways (+ to the subject's left): its shoulder line turns with
    it (the synthetic body keeps the shoulder line level unless told)."""
    return {"trunk_lateral_lean": lean, "shoulder_tilt": -lean}


T = np.arange(0.0, 3.0, 1.0 / FPS)
#: Still for 1 s (the start), then the compensation grows to its imposed value by 2 s.
GROW = ramp(T, [0, 1, 2], [0, 0, 1])


def bend(deg: float) -> dict[str, np.ndarray]:
    """Trunk flexion (+ forward) growing to ``deg``."""
    return {"trunk_flexion": deg * GROW}


def hike(deg: float) -> dict[str, np.ndarray]:
    """Shoulder line tilt (+ left shoulder higher) growing to ``deg``."""
    return {"shoulder_tilt": deg * GROW}


PPT = "posterior_pelvic_tilt"


@pytest.mark.parametrize(
    ("test_id", "side", "view", "angles", "name", "imposed"),
    [
        ("shoulder_abduction", "left", "front", leaning(-14 * GROW), "trunk_lateral_lean", 14),
        ("shoulder_abduction", "right", "front", leaning(9 * GROW), "trunk_lateral_lean", 9),
        ("shoulder_flexion", "left", "side_left", bend(-12), "trunk_extension", 12),
        ("shoulder_flexion", "right", "side_right", bend(-7), "trunk_extension", 7),
        ("hip_flexion", "left", "side_left", bend(15), "trunk_flexion", 15),
        ("hip_flexion", "right", "side_right", bend(-11), PPT, 11),
        ("neck_lateral_flexion", "left", "front", hike(8), "shoulder_elevation", 8),
        ("neck_lateral_flexion", "right", "front", hike(-6), "shoulder_elevation", 6),
    ],
)  # fmt: skip
def test_each_compensation_reads_the_imposed_change(
    test_id: str, side: str, view: str, angles: dict, name: str, imposed: float
) -> None:
    pose = synthetic_pose(angles, view=view, fps=FPS, noise_px=0.5, seed=3)
    series, t = measured(test_id, side, pose)
    end = series[name][t >= 2.0]
    assert np.all(np.isfinite(end))
    assert float(np.median(end)) == pytest.approx(imposed, abs=1.0)
    assert float(np.nanmax(series[name][t < 1.0])) < 1.5  # the start is its own baseline
    for other, values in series.items():  # the other compensation of hip flexion stays at 0
        if other != name:
            assert float(np.nanmax(values)) < 1.5


def test_the_other_way_is_no_compensation() -> None:
    """Leaning forward in shoulder flexion, or the other shoulder hiking in neck lateral
    flexion, is not the test's compensation: 0."""
    pose = synthetic_pose({"trunk_flexion": 12 * GROW}, view="side_left", fps=FPS)
    assert float(np.nanmax(measured("shoulder_flexion", "left", pose)[0]["trunk_extension"])) == 0
    pose = synthetic_pose({"shoulder_tilt": -8 * GROW}, view="front", fps=FPS)
    hike = measured("neck_lateral_flexion", "left", pose)[0]["shoulder_elevation"]
    assert float(np.nanmax(hike)) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("turn", [12.0, 25.0])
def test_trunk_rotation_from_the_narrowing_shoulders(turn: float) -> None:
    """The whole body turned by ``turn`` while the head turns 50 deg relative to it."""
    pose = synthetic_pose(
        {"neck_rotation": 50 * GROW}, view="front", yaw_deg=turn * GROW, fps=FPS, noise_px=0.3
    )
    series, t = measured("neck_rotation", "left", pose)
    assert float(np.median(series["trunk_rotation"][t >= 2.0])) == pytest.approx(turn, abs=2.0)


def test_a_landmark_unseen_or_another_view_gives_no_value() -> None:
    pose = synthetic_pose(leaning(12 * GROW), view="side_left", fps=FPS)
    series, _ = measured("shoulder_abduction", "left", pose)
    assert np.isnan(series["trunk_lateral_lean"]).all()


def test_every_compensation_has_a_threshold_source_and_cue() -> None:
    for test_id, specs in COMPENSATIONS.items():
        assert specs == compensations_for(test_id)
        view = assessment_test(test_id).view
        for spec in specs:
            assert spec.view == view and spec.threshold_deg > 0 and spec.source and spec.cue
    assert compensations_for("knee_flexion") == ()
    series = {"trunk_lateral_lean": np.array([0.0, 10.0, 10.5, np.nan])}
    over = compensated_frames(series, COMPENSATIONS["shoulder_abduction"])
    assert over.tolist() == [False, False, True, False]


# --- the clean range -------------------------------------------------------------------------

TT = np.arange(0.0, 7.0, 1.0 / FPS)
#: Left arm: rest 1 s, raised upright to 150 by 3 s, then to 170 by 4 s while the trunk leans
#: 0 -> 15 deg (to the right, away from the arm), held at 170 with the lean until 5.5 s,
#: lowered (the lean gone) by 6.5 s.
ARM = ramp(TT, [0, 1, 3, 4, 5.5, 6.5], [10, 10, 150, 170, 170, 10])
LEAN = ramp(TT, [0, 3, 4, 5.5, 6.5], [0, 0, 15, 15, 0])


def abduction_summary(lean: np.ndarray, with_pose: bool = True) -> dict:
    pose = synthetic_pose(
        {"shoulder_abduction_left": ARM, **leaning(-lean)},
        view="front",
        fps=FPS,
        noise_px=0.3,
        seed=5,
    )
    table = smooth_table(compute_metrics(pose, metrics=["shoulder_abduction_left"]))
    test = assessment_test("shoulder_abduction")
    return dict(summary_for_test(table, test, "left", pose=pose if with_pose else None))


def test_clean_range_stops_where_the_lean_passed_its_threshold() -> None:
    entry = abduction_summary(LEAN)
    # The lean passes 10 deg at 3 + 10/15 s, when the arm was at 150 + 20 * 2/3.
    crossing = 150 + 20 * (10 / 15)
    assert entry["quality"] == "ok"
    assert entry["value_with_compensation"] == pytest.approx(170.0, abs=1.0)
    assert entry["value"] == pytest.approx(crossing, abs=1.5)
    assert entry["end_range"] == entry["value"]
    assert entry["max"] == entry["value_with_compensation"]  # the held extreme is kept
    assert entry["compensation"]["trunk_lateral_lean"] == pytest.approx(15.0, abs=1.5)
    assert entry["compensation_note"] == (
        f"trunk leaned {entry['compensation']['trunk_lateral_lean']:.0f}° sideways at the end "
        f"range: clean range {entry['value']:.0f}° of {entry['value_with_compensation']:.0f}°"
    )


@pytest.mark.parametrize("peak_lean", [0.0, 6.0])
def test_without_compensation_the_clean_range_is_todays_range(peak_lean: float) -> None:
    """No lean, or one under its threshold: the value is exactly the held end range."""
    entry = abduction_summary(LEAN * peak_lean / 15)
    today = abduction_summary(LEAN * peak_lean / 15, with_pose=False)
    assert entry["value"] == today["value"] == entry["value_with_compensation"]
    assert entry["value"] == pytest.approx(170.0, abs=1.0)
    assert entry["compensation"]["trunk_lateral_lean"] == pytest.approx(peak_lean, abs=1.0)
    assert entry["compensation_note"] is None
    assert today["compensation"] is None


def test_a_lean_after_the_end_range_leaves_the_range_clean() -> None:
    """Leaning only on the way down (not at the held end range) does not lower the value."""
    late = ramp(TT, [0, 5.5, 6.0, 7.0], [0, 0, 15, 15])
    entry = abduction_summary(late)
    assert entry["value"] == entry["value_with_compensation"]
    assert entry["compensation_note"] is None


def test_without_a_bending_side_a_shoulder_hike_counts_either_way() -> None:
    """A recording headlining neck lateral flexion does not say the side: either shoulder."""
    pose = synthetic_pose(hike(-7), view="front", fps=FPS)
    table = compute_metrics(pose, metrics=["neck_lateral_flexion"])
    series = compensations_of_pose(pose, table.view, table.facing, "neck_lateral_flexion", None)
    assert float(np.median(series["shoulder_elevation"][T >= 2.0])) == pytest.approx(7.0, abs=1)


def test_a_compensation_never_measured_is_no_peak() -> None:
    """Hips out of the picture (a seated subject framed at the waist): the trunk lean cannot
    be measured, nothing counts as compensated and no peak is given."""
    pose = synthetic_pose({"shoulder_abduction_left": ARM}, view="front", fps=FPS, seed=5)
    image = pose.image.copy()
    for hip in ("left_hip", "right_hip"):
        image[:, LANDMARK_INDEX[hip], 3] = 0.1  # unseen
    pose = replace(pose, image=image)
    table = smooth_table(compute_metrics(pose, metrics=["shoulder_abduction_left"]))
    entry = summary_for_test(table, assessment_test("shoulder_abduction"), "left", pose=pose)
    assert entry["compensation"] is None and entry["compensation_note"] is None
    assert entry["value"] == entry["value_with_compensation"]
    assert entry["value"] == pytest.approx(170.0, abs=1.5)
