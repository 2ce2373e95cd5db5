"""Vega-Lite (Altair) charts of the dashboard: angle curves with the normal end range and the
captured value, visit histories on a date axis, before/after bars.

Charts only draw data they are given; they compute nothing clinical. Every word on them (axis
titles, legends, tooltips) is a label a person reads, never an id.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import altair as alt
import numpy as np
import pandas as pd

from romcam.core.assessments import Side, assessment_test, test_label
from romcam.core.metric_specs import MetricSpec, metric_spec
from romcam.outcomes.quality import is_trusted, quality_word
from romcam.outcomes.visit_axis import MAX_TICKS, VisitAxis, as_naive, visit_axis
from romcam.ui.home_points import home_layers
from romcam.ui.pain_layers import onset_layers, pain_free_layers, spread_layers

#: What these functions return (``alt.layer(...).properties()`` may type as a FacetChart).
AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart
Extreme = Literal["max", "min"]

NORMAL_COLOUR = "#2e7d32"
CAPTURED_COLOUR = "#e65100"


@dataclass(frozen=True)
class Captured:
    """The captured end range, marked on an angle curve.

    Attributes:
        value: the result in the metric's unit (sign as the angle table's column); None when
            no value was accepted.
        extreme: ``max`` or ``min``: the end of the normal range the test moves toward.
        from_s, to_s: the held stretch, seconds from the recording's start (None: not known).
        note: said after the value, e.g. ``rejected`` for a value saved despite its check.
        first_pain: where pain began (the value's unit and sign), drawn as a line; None = not
            marked. pain_score: 0-10 pain at the end range, said with it; None = not asked.
    """

    value: float | None
    extreme: Extreme
    from_s: float | None = None
    to_s: float | None = None
    note: str = ""
    first_pain: float | None = None
    pain_score: int | None = None


def captured_from_summary(entry: Mapping[str, Any]) -> Captured:
    """The captured value of an ``AssessmentSummary`` (the Analyze page's result): its
    accepted end range, held ``hold_s`` seconds from ``time_s``."""
    start, hold = entry.get("time_s"), entry.get("hold_s")
    if start is None or hold is None:
        return Captured(value=entry.get("end_range"), extreme=entry["extreme"])
    return Captured(
        value=entry.get("end_range"),
        extreme=entry["extreme"],
        from_s=float(start),
        to_s=float(start) + float(hold),
    )


def captured_from_measurement(
    test: str,
    side: str | None,
    value: float,
    quality: str,
    held: tuple[float, float] | None = None,
    *,
    first_pain: float | None = None,
    pain_score: int | None = None,
) -> Captured:
    """The captured value of a stored measurement; ``held`` (from, to in s) is where its angle
    curve reached it (:func:`held_in_curve`: the store keeps no hold times); the trial's pain
    (``first_pain``, ``pain_score``) as stored."""
    extreme = assessment_test(test).extreme(side_of(side))
    note = "" if is_trusted(quality) else quality_word(quality)
    start, end = held if held is not None else (None, None)
    return Captured(
        value=value,
        extreme=extreme,
        from_s=start,
        to_s=end,
        note=note,
        first_pain=first_pain,
        pain_score=pain_score,
    )


#: How close (metric unit) the angle curve must come to a stored value to be where it was held.
HELD_TOLERANCE = 0.5
#: Frames off the value for at most this long (s) do not split a hold (noise, a blink).
HELD_GAP_S = 0.3


def held_in_curve(
    times: np.ndarray, values: np.ndarray, target: float, tolerance: float = HELD_TOLERANCE
) -> tuple[float, float] | None:
    """The longest stretch (from, to in s) of an angle curve within ``tolerance`` of
    ``target``, gaps up to HELD_GAP_S bridged; None when the curve never comes that close.

    Args:
        times: seconds, increasing, shape (n,). values: the curve, shape (n,), NaN = not seen.
    """
    t = np.asarray(times, dtype=float)
    near = np.abs(np.asarray(values, dtype=float) - target) <= tolerance  # NaN: False
    hits = t[near]
    if hits.size == 0 or not math.isfinite(target):
        return None
    breaks = np.flatnonzero(np.diff(hits) > HELD_GAP_S)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [hits.size - 1]])
    longest = int(np.argmax(hits[ends] - hits[starts]))
    return float(hits[starts[longest]]), float(hits[ends[longest]])


def side_of(side: object) -> Side | None:
    """``left`` or ``right``; None for anything else (None, NaN, "")."""
    return "left" if side == "left" else "right" if side == "right" else None


def _degrees(value: float, unit: str) -> str:
    return f"{value:.0f}°" if unit == "deg" else f"{value:.1f} {unit}"


def _normal_ends(spec: MetricSpec, extreme: Extreme | None) -> list[float]:
    """The normal range's ends worth a line: the test's end (``extreme``); without one, the
    ends other than zero (zero is the start position of a range of motion)."""
    if spec.normal_range is None:
        return []
    low, high = spec.normal_range
    if spec.kind == "rom" and extreme is not None:
        return [high if extreme == "max" else low]
    return [end for end in (low, high) if spec.kind != "rom" or end != 0]


def _normal_layers(spec: MetricSpec, extreme: Extreme | None) -> list[alt.Chart]:
    """A dashed line at each normal end, labelled with its value and source (none if the
    metric has no agreed norm). The words are in the spec itself (no data rows)."""
    words = "normal end range" if spec.kind == "rom" else "normal limit"
    layers = []
    for end in _normal_ends(spec, extreme):
        label = f"{words} {_degrees(end, spec.unit)} — {spec.source}"
        rule = alt.Chart().mark_rule(color=NORMAL_COLOUR, strokeDash=[6, 4], strokeWidth=1.5)
        # Above the line, inside the plot (below it, a bottom line's words meet the axis).
        text = alt.Chart().mark_text(
            text=label, align="left", baseline="bottom", dx=4, dy=-3, color=NORMAL_COLOUR
        )
        layers += [
            rule.encode(y=alt.datum(end), tooltip=alt.value(label)),
            text.encode(y=alt.datum(end), x=alt.value(0), tooltip=alt.value(label)),
        ]
    return layers


def _captured_layers(
    captured: Captured | None, unit: str, span: tuple[float, float]
) -> list[alt.Chart]:
    """The captured value: a thick segment over the held stretch (or a dotted line across the
    chart when the stretch is not known) and its label, both in the spec itself.

    The label sits on the curve's free side of the value (below a ``max``, above a ``min``:
    the normal end's line is on the other side) and grows from the hold toward the middle of
    the time axis ``span`` (s), so it stays inside the plot."""
    if captured is None or captured.value is None or not math.isfinite(captured.value):
        return []
    label = f"captured {_degrees(captured.value, unit)}"
    label += f" ({captured.note})" if captured.note else ""
    y = alt.datum(captured.value)
    above = captured.extreme == "min"
    text: dict[str, Any] = dict(
        color=CAPTURED_COLOUR,
        fontSize=12,
        fontWeight="bold",
        baseline="bottom" if above else "top",
        dy=-6 if above else 6,
    )
    if captured.from_s is None or captured.to_s is None:
        line = alt.Chart().mark_rule(color=CAPTURED_COLOUR, strokeDash=[2, 3], strokeWidth=2)
        words = alt.Chart().mark_text(text=label, align="right", dx=-4, **text)
        return [
            line.encode(y=y, tooltip=alt.value(label)),
            words.encode(y=y, x=alt.value("width"), tooltip=alt.value(label)),
        ]
    start, end = captured.from_s, captured.to_s
    if end > start:
        label += f", held {end - start:.1f} s"
    left_half = (start + end) / 2 <= sum(span) / 2
    words = alt.Chart().mark_text(text=label, align="left" if left_half else "right", **text)
    held = alt.Chart().mark_rule(color=CAPTURED_COLOUR, strokeWidth=5, opacity=0.8)
    layers = [
        held.encode(y=y, x=alt.datum(start), x2=alt.datum(end), tooltip=alt.value(label)),
        words.encode(y=y, x=alt.datum(start if left_half else end), tooltip=alt.value(label)),
    ]
    if end == start:  # one frame: a segment of no length would not show
        dot = alt.Chart().mark_point(color=CAPTURED_COLOUR, filled=True, size=80)
        layers.append(dot.encode(y=y, x=alt.datum(start), tooltip=alt.value(label)))
    return layers


def angle_curves_chart(
    table: pd.DataFrame,
    metric_ids: list[str],
    captured: Captured | None = None,
    extreme: Extreme | None = None,
) -> AnyChart:
    """Line chart of metric columns of an angle table over ``time_s``, with the first metric's
    normal end range as a labelled line and, when given, the captured value on the curve.

    Args:
        table: the angle table (columns ``time_s`` and metric ids), one row per frame.
        metric_ids: columns to plot, shown by their labels.
        captured: the test's result to mark (its ``extreme`` picks the normal end shown).
        extreme: the normal end to show without ``captured`` (None: every end but zero).
    """
    missing = [m for m in ["time_s", *metric_ids] if m not in table.columns]
    if missing:
        raise ValueError(f"angle table lacks columns {missing}; got {list(table.columns)[:8]}…")
    labels = {m: metric_spec(m).label for m in metric_ids}
    long = table[["time_s", *metric_ids]].melt("time_s", var_name="metric", value_name="value")
    long = long[np.isfinite(long["value"].to_numpy(dtype=float))]
    long = long.assign(measure=long["metric"].map(labels)).drop(columns="metric")
    spec = metric_spec(metric_ids[0])
    y_title = f"{spec.label} ({spec.unit})" if len(metric_ids) == 1 else spec.unit
    line = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("time_s:Q", title="time (s)"),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color(
                "measure:N",
                title=None,
                legend=alt.Legend(orient="bottom") if len(metric_ids) > 1 else None,
            ),
            tooltip=[
                alt.Tooltip("measure:N", title="measure"),
                alt.Tooltip("time_s:Q", title="time (s)", format=".2f"),
                alt.Tooltip("value:Q", title=spec.unit, format=".1f"),
            ],
        )
    )
    end = captured.extreme if captured is not None else extreme
    span = (float(long["time_s"].min()), float(long["time_s"].max())) if len(long) else (0.0, 0.0)
    layers = [
        *_normal_layers(spec, end),
        line,
        *_captured_layers(captured, spec.unit, span),
    ]
    if captured is not None:
        layers += onset_layers(captured.first_pain, captured.pain_score, spec.unit)
    return alt.layer(*layers).properties(height=260)


#: Legend entry of a value that failed its quality check (drawn hollow and grey, off the line).
REJECTED_LABEL = "rejected (left out)"


def history_chart(
    history: pd.DataFrame,
    metric_id: str,
    value_col: str = "value",
    x_col: str = "measured_at",
    color_col: str | None = None,
    trusted_col: str | None = None,
    extreme: Extreme | None = None,
    sd_col: str | None = None,
    pain_col: str | None = None,
    home: pd.DataFrame | None = None,
) -> AnyChart:
    """Points and lines of stored values over visits on a date axis (``visit_axis``), with
    the normal end range of ``metric_id`` (toward ``extreme``) as a labelled line.

    With ``color_col``, one line per value of that column; with ``trusted_col`` (a bool
    column), only trusted rows make the line, the others are hollow grey circles with a legend
    entry ``rejected (left out)``. Tooltips give the visit's date, the value, and the columns
    ``verdict`` and ``why`` when present (``label``, "152 ± 2°, 3 trials", too). With
    ``sd_col``, each trusted visit's mean has an error bar of ± that SD (its trials' spread);
    with ``pain_col``, the pain-free range (where pain began) of each visit is a second,
    dash-dot line in the pain colour, labelled ``pain-free range`` in the legend. ``home``
    (the same ``x_col`` and ``value_col``): the client's home checks, diamonds off the line
    (``romcam.ui.home_points``), inside the axis too.
    """
    spec = metric_spec(metric_id)
    y_title = f"{spec.label} ({spec.unit})"
    home_times = list(home[x_col]) if home is not None else []
    axis = visit_axis([*history[x_col], *home_times])
    data = history.assign(**{x_col: as_naive(history[x_col]).to_numpy()})
    scale = alt.Scale(domain=[_vega_time(axis.start), _vega_time(axis.end)])
    x = alt.X(
        f"{x_col}:T",
        title="visit",
        scale=scale,
        axis=alt.Axis(
            format=axis.tick_format,
            tickCount=_tick_count(axis),
            labelAngle=0,
        ),
    )
    y = alt.Y(f"{value_col}:Q", title=y_title)
    tips = [
        alt.Tooltip(f"{x_col}:T", title="visit", format=axis.visit_format),
        alt.Tooltip(f"{value_col}:Q", title=spec.unit, format=".1f"),
    ]
    if "label" in data.columns:
        tips.append(alt.Tooltip("label:N", title="trials"))
    if "verdict" in data.columns:
        tips.append(alt.Tooltip("verdict:N", title="compared with the first visit"))
    # Only a left-out point says why; on the line the reason would be an empty line.
    why = [alt.Tooltip("why:N", title="left out")] if "why" in data.columns else []
    trusted = data if trusted_col is None else data[data[trusted_col].astype(bool)]
    line = alt.Chart(trusted).encode(x=x, y=y, tooltip=tips).mark_line(point=True)
    if color_col is not None:
        legend = alt.Legend(orient="bottom", title=None)
        line = line.encode(color=alt.Color(f"{color_col}:N", legend=legend))
    layers = [*_normal_layers(spec, extreme), line]
    layers += spread_layers(trusted, x, value_col, sd_col, spec.unit)
    layers += pain_free_layers(trusted, x, pain_col, spec.unit)
    if home is not None:
        naive_home = home.assign(**{x_col: as_naive(home[x_col]).to_numpy()})
        layers += home_layers(naive_home, x_col, x, value_col, spec.unit, axis.visit_format)
    if trusted_col is not None and not data[trusted_col].all():
        rejected = data[~data[trusted_col].astype(bool)].assign(quality=REJECTED_LABEL)
        layers.append(
            alt.Chart(rejected)
            .mark_point(filled=False, size=90, color="#888888")
            .encode(
                x=x,
                y=y,
                shape=alt.Shape("quality:N", title=None, legend=alt.Legend(orient="bottom")),
                tooltip=[*tips, *why],
            )
        )
    return alt.layer(*layers).properties(height=260)


def _tick_count(axis: VisitAxis) -> alt.TimeIntervalStep | int:
    """The axis's ticks for Vega: an interval from days up; below that a count, as Vega reads
    Vega-Lite's ``minute``/``hour`` intervals as unknown units and fails to draw."""
    if axis.tick_unit in ("minute", "hour"):
        return MAX_TICKS
    return alt.TimeIntervalStep(interval=axis.tick_unit, step=axis.tick_step)


def _vega_time(stamp: pd.Timestamp) -> alt.DateTime:
    """A naive timestamp as Vega-Lite's local date-time (as Vega reads the data's naive ISO
    strings, so domain and points agree)."""
    return alt.DateTime(
        year=stamp.year,
        month=stamp.month,
        date=stamp.day,
        hours=stamp.hour,
        minutes=stamp.minute,
        seconds=stamp.second,
    )


def before_after_chart(table: pd.DataFrame, label_col: str = "test_side") -> AnyChart:
    """Horizontal bars of ``before`` and ``after`` values per test and side, labelled as people
    read them (``Knee flexion (left)``, from the ``test`` and ``side`` columns when present, else
    ``label_col``); with the columns ``before_quality`` / ``after_quality``, a value that failed
    its quality check is a grey bar labelled ``rejected (left out)``. Legend below the bars."""
    if "test" in table.columns:
        sides = table["side"] if "side" in table.columns else pd.Series(None, index=table.index)
        names = [test_label(str(t), s) for t, s in zip(table["test"], sides, strict=True)]
    else:
        names = table[label_col].astype(str).tolist()
    labelled = pd.DataFrame({"test": names}, index=table.index)
    long = pd.concat(
        [
            labelled.assign(
                phase=phase,
                value=table[phase].to_numpy(dtype=float),
                trusted=table[f"{phase}_quality"].map(is_trusted).to_numpy(dtype=bool)
                if f"{phase}_quality" in table
                else True,
            )
            for phase in ("before", "after")
            if phase in table
        ]
    ).dropna(subset=["value"])
    long = long.assign(status=long["phase"].where(long["trusted"], REJECTED_LABEL))
    # The legend lists "rejected (left out)" only when a bar is one.
    domain = ["before", "after", REJECTED_LABEL][
        : 3 if (long["status"] == REJECTED_LABEL).any() else 2
    ]
    units = set(table["unit"].dropna()) if "unit" in table.columns else set()
    value_title = f"value ({units.pop()})" if len(units) == 1 else "value"
    return (
        alt.Chart(long.drop(columns="trusted"))
        .mark_bar()
        .encode(
            y=alt.Y(
                "test:N",
                title=None,
                sort=list(dict.fromkeys(names)),
                axis=alt.Axis(labelLimit=260),  # "Shoulder abduction (right)" in full
            ),
            yOffset=alt.YOffset("phase:N", sort=["before", "after"]),
            x=alt.X("value:Q", title=value_title),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(
                    domain=domain, range=["#9bb7d4", "#2f6ea8", "#bbbbbb"][: len(domain)]
                ),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("test:N", title="test"),
                alt.Tooltip("phase:N", title="phase"),
                alt.Tooltip("status:N", title="counted as"),
                alt.Tooltip("value:Q", title="value", format=".1f"),
            ],
        )
        .properties(height=alt.Step(16))
    )
