"""Summary: held values per metric, view checks, JSON safety and per-test results."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.metric_specs import METRIC_IDS, metric_spec
from romcam.core.metric_table import MetricTable
from romcam.core.summary import (
    ROM_METRIC_IDS,
    dominant_view,
    reports_for_tests,
    summarize,
    summary_for_test,
    view_problem,
)

FPS = 30.0
T = np.arange(0, 9.0, 1 / FPS)


def move(t: np.ndarray, knots: list[float], levels: list[float]) -> np.ndarray:
    """Cosine-eased moves between ``levels`` at ``knots`` (s); constant after the last knot."""
    y = np.full(t.shape, float(levels[-1]))
    for a, b, ya, yb in zip(knots[:-1], knots[1:], levels[:-1], levels[1:], strict=True):
        m = (t >= a) & (t < b)
        s = (t[m] - a) / (b - a)
        y[m] = ya + (yb - ya) * (1 - np.cos(np.pi * s)) / 2
    return y


#: Rest 1.5 s at 10, raise to 150.04 over 2 s, hold 2 s, lower to -40 and hold, back to 10.
FLEXION = move(T, [0, 1.5, 3.5, 5.5, 6.5, 7.5, 8.2], [10, 10, 150.04, 150.04, -40, -40, 10])


def make_table(columns: dict[str, np.ndarray], view: str | np.ndarray = "side_left"):
    nan = np.full(T.size, np.nan)
    views = np.full(T.size, view, dtype=object) if isinstance(view, str) else view
    return MetricTable(
        frame=np.arange(T.size),
        time_s=T,
        values={mid: columns.get(mid, nan) for mid in METRIC_IDS},
        view=views,
        facing=np.full(T.size, "left", dtype=object),
    )


def test_summary_has_every_metric_and_is_json_safe():
    summary = summarize(make_table({"shoulder_flexion_left": FLEXION}))
    # Posture metrics are summarised apart (posture_summary), never as end ranges.
    assert list(summary) == list(ROM_METRIC_IDS)
    assert not any(metric_spec(m).kind == "posture" for m in summary)
    text = json.dumps(summary, allow_nan=False)
    assert json.loads(text) == summary
    keys = {
        "max",
        "min",
        "start",
        "excursion",
        "view",
        "quality",
        "reason",
        "unit",
        "n_frames",
        "normal_range",
        "peak",
        "trough",
        "max_time_s",
        "min_time_s",
        "max_hold_s",
        "min_hold_s",
        "max_quality",
        "min_quality",
        "max_reason",
        "min_reason",
    }
    assert all(set(entry) == keys for entry in summary.values())


def test_measured_metric_in_the_right_view():
    entry = summarize(make_table({"shoulder_flexion_left": FLEXION}))["shoulder_flexion_left"]
    assert entry["quality"] == "ok" and entry["reason"] == ""
    assert entry["max"] == 150.0 and entry["min"] == -40.0 and entry["start"] == 10.0
    assert entry["excursion"] == 190.0
    assert entry["view"] == "side_left" and entry["unit"] == "deg"
    assert entry["n_frames"] == T.size
    assert entry["normal_range"] == list(metric_spec("shoulder_flexion_left").normal_range)
    assert 1.0 <= entry["max_hold_s"] <= 3.0


def test_unmeasured_metric_is_no_data_with_the_overall_view():
    entry = summarize(make_table({}, view="front"))["hip_flexion_right"]
    assert entry["quality"] == "no_data" and entry["n_frames"] == 0
    assert entry["view"] == "front"
    assert entry["max"] is None and entry["min"] is None and entry["start"] is None
    assert entry["reason"]


def test_wrong_view_is_rejected_with_a_clear_reason():
    summary = summarize(
        make_table({"shoulder_flexion_left": FLEXION, "elbow_flexion_left": FLEXION}, "front")
    )
    entry = summary["shoulder_flexion_left"]
    assert entry["quality"] == "rejected"
    assert entry["reason"] == (
        "shoulder_flexion_left needs a side view; the subject was filmed from the front"
    )
    assert entry["max"] == 150.0  # kept for inspection; quality says not to use it
    assert summary["elbow_flexion_left"]["quality"] == "ok"  # any view will do


def test_far_side_limb_is_rejected_in_a_side_view():
    entry = summarize(make_table({"shoulder_flexion_right": FLEXION}, "side_left"))[
        "shoulder_flexion_right"
    ]
    assert entry["quality"] == "rejected"
    assert "needs the right side facing the camera" in entry["reason"]


def test_front_metric_filmed_obliquely_is_rejected():
    entry = summarize(make_table({"shoulder_abduction_left": FLEXION}, "oblique"))[
        "shoulder_abduction_left"
    ]
    assert entry["quality"] == "rejected"
    assert entry["reason"].startswith("shoulder_abduction_left needs a front view")


def test_view_is_the_dominant_one_where_the_metric_was_measured():
    views = np.where(T < 3.0, "front", "side_left").astype(object)  # front only for 1/3
    values = FLEXION.copy()
    values[T < 3.0] = np.nan
    views[T > 8.0] = "none"
    entry = summarize(make_table({"knee_flexion_left": values}, views))["knee_flexion_left"]
    assert entry["view"] == "side_left"
    assert entry["n_frames"] == int(np.isfinite(values).sum())


@pytest.mark.parametrize(
    ("views", "measured", "expected"),
    [
        (["front", "front", "side_left"], [False, False, True], "side_left"),
        (["front", "front", "side_left"], [False, False, False], "front"),
        (["none", "none", "oblique"], [True, True, False], "oblique"),
        (["none", "none"], [True, True], "none"),
        (["side_right", "front"], [True, True], "front"),  # tie: VIEWS order
        ([], [], "none"),
    ],
)
def test_dominant_view(views, measured, expected):
    arr = np.array(views, dtype=object)
    assert dominant_view(arr, np.array(measured, dtype=bool)) == expected


def test_view_problem_any_accepts_recognised_views_only():
    assert view_problem("elbow_flexion_left", "any", "left", "oblique") == ""
    assert "without a recognisable view" in view_problem(
        "elbow_flexion_left", "any", "left", "none"
    )


def test_rom_rejection_reason_names_the_metric():
    swinging = 60.0 * np.sin(2 * np.pi * T)
    entry = summarize(make_table({"hip_flexion_left": swinging}))["hip_flexion_left"]
    assert entry["quality"] == "rejected"
    assert entry["reason"].startswith("hip_flexion_left: the value swung back and forth")
    assert entry["max_quality"] == entry["min_quality"] == "swing"
    assert entry["max"] is None


def test_summary_for_test_flexion_and_extension():
    table = make_table({"shoulder_flexion_right": FLEXION}, "side_right")
    flex = summary_for_test(table, assessment_test("shoulder_flexion"), "right")
    assert flex["quality"] == "ok" and flex["extreme"] == "max"
    assert flex["value"] == 150.0 and flex["value_from_start"] == 140.0
    assert flex["metric"] == "shoulder_flexion_right" and flex["test"] == "shoulder_flexion"
    assert flex["n_valid"] == flex["n_frames"] == T.size
    ext = summary_for_test(table, assessment_test("shoulder_extension"), "right")
    assert ext["extreme"] == "min" and ext["value"] == -40.0
    json.dumps([flex, ext], allow_nan=False)


def test_summary_for_test_midline_metric_right_side_takes_the_minimum():
    table = make_table({"neck_rotation": FLEXION / 3}, "front")
    right = summary_for_test(table, assessment_test("neck_rotation"), "right")
    left = summary_for_test(table, assessment_test("neck_rotation"), "left")
    assert right["extreme"] == "min" and left["extreme"] == "max"
    assert right["value"] == pytest.approx(-40 / 3, abs=0.06)
    assert left["value"] == pytest.approx(150.04 / 3, abs=0.06)


def test_summary_for_test_uses_the_tests_view():
    # elbow_flexion is "any" in the catalogue but the clinical test is filmed from the side.
    table = make_table({"elbow_flexion_left": FLEXION}, "front")
    result = summary_for_test(table, assessment_test("elbow_flexion"), "left")
    assert result["quality"] == "rejected" and "needs a side view" in result["reason"]


@pytest.mark.parametrize(
    ("test_id", "side", "match"),
    [("shoulder_flexion", None, "needs a side"), ("neck_flexion", "left", "has no side")],
)
def test_summary_for_test_bad_side(test_id, side, match):
    with pytest.raises(ValueError, match=match):
        summary_for_test(make_table({}), assessment_test(test_id), side)


def test_empty_table_is_no_data_everywhere():
    empty = np.empty(0)
    table = MetricTable(
        frame=np.empty(0, dtype=int),
        time_s=empty,
        values={mid: empty for mid in METRIC_IDS},
        view=np.empty(0, dtype=object),
        facing=np.empty(0, dtype=object),
    )
    summary = summarize(table)
    assert all(e["quality"] == "no_data" and e["view"] == "none" for e in summary.values())


def test_high_knees_without_a_hold_are_rejected_for_the_test():
    # Standing still 1.5 s, then fast knee raises to 130 deg without holding (as in a
    # high-knees clip): the only hold is the standing start, which is not a hip flexion ROM.
    raises = np.clip(130 * np.sin(np.pi * (T - 1.5) / 0.6) ** 2, 0, None) * (T > 1.5)
    table = make_table({"hip_flexion_right": raises - 8.0}, "side_right")
    result = summary_for_test(table, assessment_test("hip_flexion"), "right")
    assert result["quality"] == "rejected" and result["value"] == -8.0
    # The peak is that of the 5-frame running median: a little under the 122 deg crest.
    assert 110.0 < result["peak"] <= 122.0
    # Raises every 0.6 s are a rhythmic swing, not a held end range.
    assert result["code"] == "swing" and result["end_range"] is None
    assert result["reason"].startswith("hip_flexion_right: the value swung back and forth")
    # One raise without a hold: the hold rule, one number, said as what to do (item 7).
    once = np.where(T < 2.1, raises, 0.0) - 8.0
    result = summary_for_test(
        make_table({"hip_flexion_right": once}, "side_right"),
        assessment_test("hip_flexion"),
        "right",
    )
    assert re.fullmatch(
        r"hip_flexion_right: hold the end position still \(within ±3 deg\) for 0\.5 s; "
        r"it was held 0\.[0-4] s",
        result["reason"],
    )
    assert result["code"] == "not_held" and result["end_range"] is None


def test_summary_for_test_checks_only_the_tests_extreme():
    # Held flexion at 150; a quick swing back to -40 on lowering is not held.
    y = move(T, [0, 1.5, 3.5, 5.5, 6.2, 6.4, 6.7], [10, 10, 150, 150, -40, -40, 10])
    table = make_table({"shoulder_flexion_left": y})
    flex = summary_for_test(table, assessment_test("shoulder_flexion"), "left")
    assert flex["quality"] == "ok" and flex["value"] == 150.0
    ext = summary_for_test(table, assessment_test("shoulder_extension"), "left")
    assert ext["quality"] == "rejected" and ext["code"] == "not_held"
    assert "for 0.5 s; it was held 0.4 s" in ext["reason"]
    # Without a test each direction is judged apart: flexion is an end range, the swing not.
    entry = summarize(table)["shoulder_flexion_left"]
    assert entry["quality"] == "ok" and entry["max_quality"] == "ok"
    assert entry["min_quality"] == "not_held"


def test_a_sided_test_the_video_does_not_show_says_which_side_to_choose():
    table = make_table({"shoulder_flexion_left": FLEXION}, "side_left")
    right = summary_for_test(table, assessment_test("shoulder_flexion"), "right")
    assert right["code"] == "wrong_side" and right["end_range"] is None
    assert right["reason"] == "shoulder_flexion_right: this video shows the left side; choose left"
    left = summary_for_test(table, assessment_test("shoulder_flexion"), "left")
    assert left["code"] == "ok" and left["end_range"] == left["value"]


def test_reports_for_tests_measures_both_sides_without_a_side():
    table = make_table({"shoulder_flexion_left": FLEXION}, "side_left")
    reports = reports_for_tests(table, [(assessment_test("shoulder_flexion"), None)])
    assert [(r["test"], r["side"], r["quality"]) for r in reports] == [
        ("shoulder_flexion", "left", "ok"),
        ("shoulder_flexion", "right", "wrong_side"),
    ]
    assert set(reports[0]) == {
        "test",
        "side",
        "metric",
        "end_range",
        "quality",
        "reason",
        "hold_s",
        "time_s",
        "end_range_with_compensation",
        "compensation",
        "compensation_note",
    }
    # Without landmarks no compensation is measured: the clean range is the held one.
    assert reports[0]["end_range_with_compensation"] == reports[0]["end_range"]
    assert reports[0]["compensation"] is None and reports[0]["compensation_note"] is None
    assert reports[0]["reason"] is None and reports[0]["hold_s"] > 0.5
    json.dumps(reports, allow_nan=False)


def test_an_emptied_metric_names_the_flag_that_emptied_it():
    table = make_table({}, "front")
    hidden = np.ones(len(table), dtype=bool)
    flagged = MetricTable(
        frame=table.frame,
        time_s=table.time_s,
        values=table.values,
        view=table.view,
        facing=table.facing,
        flags={"occluded": hidden, "no_subject": ~hidden},
    )
    entry = summarize(flagged)["shoulder_abduction_left"]
    assert entry["quality"] == "no_data"
    assert entry["max_quality"] == entry["min_quality"] == "occluded"
    assert "hidden" in entry["reason"]


def test_held_values_are_reported_for_their_own_direction_only():
    # A one-way raise held at 150 from a brief rest at 10: the minimum direction has no held
    # value of its own (its only plateau would be the top).
    y = move(T, [0, 0.3, 1.5, 4.0, 5.0], [10, 10, 150, 150, 10])
    entry = summarize(make_table({"shoulder_flexion_left": y}))["shoulder_flexion_left"]
    assert entry["max_quality"] == "ok" and entry["max"] == 150.0
    assert entry["min_quality"] == "not_moved" and entry["min"] is None
    assert entry["excursion"] is None and entry["start"] == 10.0
