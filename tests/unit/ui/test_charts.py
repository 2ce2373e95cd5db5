"""The dashboard's Vega-Lite charts, asserted on the specs Altair builds (issue 13: visits on a
date axis, the normal end range as a line, the captured value marked, no raw ids)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from romcam.core.metric_specs import METRIC_IDS
from romcam.ui.charts import (
    REJECTED_LABEL,
    Captured,
    angle_curves_chart,
    before_after_chart,
    captured_from_measurement,
    captured_from_summary,
    held_in_curve,
    history_chart,
)

VISIT = datetime(2025, 3, 12, 7, 49)
#: Ids people must never read: metric and test ids, view codes, quality codes.
RAW_ID = re.compile(r"\b[a-z]+_[a-z_]+\b|\bside_(left|right)\b|\bno_data\b|\bmdc95\b")


def history(*offsets: timedelta, values: tuple[float, ...] = ()) -> pd.DataFrame:
    values = values or tuple(120.0 + 6 * i for i in range(len(offsets)))
    return pd.DataFrame(
        {
            "visit": [VISIT + o for o in offsets],
            "value": values,
            "verdict": ["first visit", *["within measurement error"] * (len(offsets) - 1)],
            "trusted": [True] * len(offsets),
        }
    )


def layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return spec.get("layer", [spec])


def x_encoding(spec: dict[str, Any]) -> dict[str, Any]:
    return next(lay["encoding"]["x"] for lay in layers(spec) if lay["mark"]["type"] == "line")


def normal_ends(spec: dict[str, Any]) -> list[float]:
    """The y of the dashed normal-range lines."""
    return [
        lay["encoding"]["y"]["datum"]
        for lay in layers(spec)
        if lay["mark"]["type"] == "rule" and lay["mark"].get("strokeDash")
    ]


def as_time(d: dict[str, int]) -> datetime:
    return datetime(d["year"], d["month"], d["date"], d["hours"], d["minutes"], d["seconds"])


def words(spec: Any) -> Iterator[str]:
    """Every title and every fixed text a chart shows or puts in a tooltip."""
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key in ("title", "text", "value") and isinstance(value, str):
                yield value
            yield from words(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from words(item)


def shown_values(spec: dict[str, Any]) -> Iterator[str]:
    """The values of the nominal fields the chart encodes (legend entries, labels, tooltips)."""
    nominal = set()
    for lay in layers(spec):
        for enc in lay.get("encoding", {}).values():
            for e in enc if isinstance(enc, list) else [enc]:
                if isinstance(e, dict) and e.get("type") == "nominal":
                    nominal.add(e["field"])
    for rows in spec["datasets"].values():
        for row in rows:
            yield from (str(row[f]) for f in nominal if f in row)


def test_one_visit_sits_on_a_date_axis_a_week_wide() -> None:
    spec = history_chart(history(timedelta(0)), "shoulder_abduction_right", x_col="visit").to_dict()
    x = x_encoding(spec)
    assert x["type"] == "temporal"
    assert x["axis"]["format"] == "%d %b %Y"  # a date, not ".209"
    assert x["axis"]["tickCount"] == {"interval": "day", "step": 1}
    start, end = (as_time(d) for d in x["scale"]["domain"])
    assert (start, end) == (VISIT - timedelta(days=3), VISIT + timedelta(days=3))


def test_visits_minutes_apart_read_as_24_hour_times_with_the_date() -> None:
    spec = history_chart(
        history(timedelta(0), timedelta(minutes=8)), "shoulder_abduction_right", x_col="visit"
    ).to_dict()
    x = x_encoding(spec)
    assert x["type"] == "temporal" and x["axis"]["format"] == "%d %b %Y %H:%M"
    assert "%I" not in x["axis"]["format"] and "%p" not in x["axis"]["format"]
    start, end = (as_time(d) for d in x["scale"]["domain"])
    assert start < VISIT and end > VISIT + timedelta(minutes=8)
    assert end - start <= timedelta(minutes=30)
    tips = {t["title"]: t for t in layers(spec)[-1]["encoding"]["tooltip"]}
    assert tips["visit"]["format"] == "%d %b %Y %H:%M"  # two visits on one day: their times


def test_visits_weeks_apart_show_dates_only() -> None:
    offsets = (timedelta(0), timedelta(days=14), timedelta(days=30))
    x = x_encoding(history_chart(history(*offsets), "knee_flexion_left", x_col="visit").to_dict())
    assert x["axis"]["format"] == "%d %b %Y"
    assert x["axis"]["tickCount"] == {"interval": "week", "step": 1}


def test_history_draws_the_normal_end_range_as_a_labelled_line() -> None:
    spec = history_chart(
        history(timedelta(0)), "shoulder_abduction_right", x_col="visit", extreme="max"
    ).to_dict()
    marks = [lay["mark"]["type"] for lay in layers(spec)]
    assert "rect" not in marks and "rule" in marks
    assert normal_ends(spec) == [180.0]
    texts = [lay["mark"].get("text") for lay in layers(spec) if lay["mark"]["type"] == "text"]
    assert texts == ["normal end range 180° — AAOS 1965 (Norkin & White 2016, App. A)"]


def test_angle_curve_has_the_normal_end_line_not_a_band() -> None:
    table = pd.DataFrame({"time_s": np.arange(30) / 10, "shoulder_flexion_left": np.arange(30.0)})
    spec = angle_curves_chart(table, ["shoulder_flexion_left"], extreme="max").to_dict()
    marks = [lay["mark"]["type"] for lay in layers(spec)]
    assert "rect" not in marks and marks.count("rule") == 1
    assert normal_ends(spec) == [180.0]  # flexion's end, not extension's -60
    both = angle_curves_chart(table, ["shoulder_flexion_left"]).to_dict()
    assert sorted(normal_ends(both)) == [-60.0, 180.0]


def test_angle_curve_marks_the_captured_value_over_its_hold() -> None:
    table = pd.DataFrame({"time_s": np.arange(40) / 10, "shoulder_abduction_right": 166.0})
    captured = Captured(value=166.0, extreme="max", from_s=1.6, to_s=3.0)
    spec = angle_curves_chart(table, ["shoulder_abduction_right"], captured=captured).to_dict()
    held = [
        {k: lay["encoding"][k] for k in ("x", "x2", "y")}
        for lay in layers(spec)
        if lay["mark"]["type"] == "rule" and "x2" in lay.get("encoding", {})
    ]
    assert held == [{"x": {"datum": 1.6}, "x2": {"datum": 3.0}, "y": {"datum": 166.0}}]
    texts = [lay["mark"].get("text") for lay in layers(spec) if lay["mark"]["type"] == "text"]
    assert "captured 166°, held 1.4 s" in texts
    unheld = Captured(value=166.0, extreme="max", note="rejected")
    spec = angle_curves_chart(table, ["shoulder_abduction_right"], captured=unheld).to_dict()
    texts = [lay["mark"].get("text") for lay in layers(spec) if lay["mark"]["type"] == "text"]
    assert "captured 166° (rejected)" in texts


def test_captured_from_an_analysis_summary_and_a_stored_measurement() -> None:
    entry = {"end_range": 92.4, "extreme": "max", "time_s": 2.0, "hold_s": 1.25}
    assert captured_from_summary(entry) == Captured(92.4, "max", 2.0, 3.25)
    rejected = {"end_range": None, "extreme": "max", "time_s": None, "hold_s": None}
    assert captured_from_summary(rejected).value is None
    stored = captured_from_measurement("neck_rotation", "right", -50.0, "not_held")
    assert stored == Captured(-50.0, "min", note="rejected")  # right rotation is negative


def _live_curve() -> pd.DataFrame:
    """A stored live trial at 30 frames/s: rest, raise to 165 deg by 1.9 s, hold to 5.0 s
    (±0.3 deg noise, one frame 1 deg off), lower by 5.3 s."""
    t = np.arange(160) / 30
    curve = np.interp(t, [0, 1.0, 1.9, 5.0, 5.3], [8, 8, 165, 165, 158])
    rng = np.random.default_rng(1)
    hold = (t >= 1.9) & (t <= 5.0)
    curve[hold] += rng.uniform(-0.3, 0.3, hold.sum())
    curve[100] += 1.0
    return pd.DataFrame({"time_s": t, "shoulder_abduction_right": curve})


def text_layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    return [lay for lay in layers(spec) if lay["mark"]["type"] == "text"]


def test_a_stored_value_is_marked_where_its_curve_held_it() -> None:
    """Review drew a stored live value as a dotted rule across the whole chart, its label
    over the normal end's line at the right edge: now over the hold, the label inside."""
    table = _live_curve()
    held = held_in_curve(table["time_s"].to_numpy(), table.iloc[:, 1].to_numpy(), 165.0)
    assert held is not None
    assert held[0] == pytest.approx(1.9, abs=0.05) and held[1] == pytest.approx(5.0, abs=0.05)
    assert held_in_curve(table["time_s"].to_numpy(), table.iloc[:, 1].to_numpy(), 175.0) is None
    captured = captured_from_measurement("shoulder_abduction", "right", 165.0, "ok", held)
    spec = angle_curves_chart(table, ["shoulder_abduction_right"], captured=captured).to_dict()
    rules = [lay["encoding"] for lay in layers(spec) if lay["mark"]["type"] == "rule"]
    assert [r["x"]["datum"] for r in rules if "x2" in r] == [held[0]]
    assert all("x" in r for r in rules if r["y"]["datum"] == 165.0)  # no rule across
    [label] = [t for t in text_layers(spec) if t["mark"]["text"].startswith("captured 165°")]
    # The hold ends near the right edge: the label ends there and grows to the left, below
    # the value (the normal end's line at 180° is above it).
    assert label["encoding"]["x"] == {"datum": held[1]} and label["mark"]["align"] == "right"
    assert label["mark"]["baseline"] == "top" and label["mark"]["dy"] > 0


def test_the_captured_label_grows_into_the_plot_from_either_side() -> None:
    table = pd.DataFrame({"time_s": np.arange(60) / 10, "neck_rotation": np.zeros(60)})
    early = Captured(value=-50.0, extreme="min", from_s=0.5, to_s=1.5)
    spec = angle_curves_chart(table, ["neck_rotation"], captured=early).to_dict()
    [label] = [t for t in text_layers(spec) if t["mark"]["text"].startswith("captured")]
    assert label["encoding"]["x"] == {"datum": 0.5} and label["mark"]["align"] == "left"
    assert label["mark"]["baseline"] == "bottom"  # a min: above the value, off the normal line
    unknown = Captured(value=-50.0, extreme="min")
    spec = angle_curves_chart(table, ["neck_rotation"], captured=unknown).to_dict()
    [label] = [t for t in text_layers(spec) if t["mark"]["text"].startswith("captured")]
    assert label["encoding"]["x"] == {"value": "width"}
    assert (label["mark"]["align"], label["mark"]["dx"]) == ("right", -4)


def test_no_raw_ids_in_titles_legends_or_tooltips() -> None:
    table = pd.DataFrame({"time_s": [0.0, 0.1], **{m: [1.0, 2.0] for m in METRIC_IDS[:2]}})
    charts = [
        angle_curves_chart(table, list(METRIC_IDS[:2])),
        history_chart(history(timedelta(0)), "knee_flexion_left", x_col="visit"),
    ]
    for chart in charts:
        spec = chart.to_dict()
        shown = [*words(spec), *shown_values(spec)]
        assert shown and not [w for w in shown if RAW_ID.search(w)], shown
    legend_entries = set(shown_values(charts[0].to_dict()))
    assert {"Shoulder flexion (left)", "Shoulder flexion (right)"} <= legend_entries


def test_before_after_bars_are_labelled_by_test_and_side_with_the_legend_below() -> None:
    table = pd.DataFrame(
        {
            "test": ["knee_flexion", "neck_rotation"],
            "side": ["left", ""],
            "before": [100.0, 40.0],
            "after": [110.0, 50.0],
            "before_quality": ["ok", "ok"],
            "after_quality": ["ok", "not_held"],
        }
    ).assign(test_side=lambda t: (t["test"] + " " + t["side"]).str.strip())
    spec = before_after_chart(table).to_dict()
    rows = [row for rows in spec["datasets"].values() for row in rows]
    assert {r["test"] for r in rows} == {"Knee flexion (left)", "Neck rotation"}
    assert {r["status"] for r in rows} == {"before", "after", REJECTED_LABEL}
    assert spec["encoding"]["color"]["legend"]["orient"] == "bottom"
    shown = [*words(spec), *shown_values(spec)]
    assert not [w for w in shown if RAW_ID.search(w)], shown


def test_before_after_bars_name_their_unit_and_list_only_what_is_drawn() -> None:
    """The axis read "value" and the legend listed "rejected (left out)" with nothing rejected
    (issue 13's e2e screenshots)."""
    table = pd.DataFrame(
        {
            "test": ["shoulder_abduction", "shoulder_flexion"],
            "side": ["right", "left"],
            "unit": ["deg", "deg"],
            "before": [165.0, math.nan],
            "after": [math.nan, 136.0],
            "before_quality": ["ok", None],
            "after_quality": [None, "ok"],
        }
    )
    spec = before_after_chart(table).to_dict()
    assert spec["encoding"]["x"]["title"] == "value (deg)"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["before", "after"]


@pytest.mark.parametrize("metric", ["forward_head_cm"])
def test_a_metric_without_a_norm_has_no_normal_line(metric: str) -> None:
    table = pd.DataFrame({"time_s": [0.0, 0.1], metric: [1.0, 2.0]})
    marks = [lay["mark"]["type"] for lay in layers(angle_curves_chart(table, [metric]).to_dict())]
    assert marks == ["line"]
