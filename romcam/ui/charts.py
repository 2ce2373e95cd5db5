"""Vega-Lite (Altair) charts of the dashboard: angle curves and histories with the normal range.

Charts only draw data they are given; they compute nothing clinical.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from romcam.core.metric_specs import metric_spec
from romcam.outcomes.quality import is_trusted

#: What these functions return (``alt.layer(...).properties()`` may type as a FacetChart).
AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart


def _band(normal: tuple[float, float] | None, y_field: str, x_domain: tuple | None) -> list:
    """A shaded rectangle over the normal range (empty list when there is none)."""
    if normal is None:
        return []
    band = pd.DataFrame({"low": [normal[0]], "high": [normal[1]], "label": ["normal range"]})
    return [
        alt.Chart(band)
        .mark_rect(opacity=0.12, color="green")
        .encode(y=alt.Y("low:Q", title=y_field), y2="high:Q", tooltip=["label", "low", "high"])
    ]


def angle_curves_chart(table: pd.DataFrame, metric_ids: list[str]) -> AnyChart:
    """Line chart of metric columns of an angle table over ``time_s``, normal range shaded.

    Args:
        table: the angle table (columns ``time_s`` and metric ids), one row per frame.
        metric_ids: columns to plot; the band shows the first one's normal range.
    """
    missing = [m for m in ["time_s", *metric_ids] if m not in table.columns]
    if missing:
        raise ValueError(f"angle table lacks columns {missing}; got {list(table.columns)[:8]}…")
    long = table[["time_s", *metric_ids]].melt("time_s", var_name="metric", value_name="value")
    long = long[np.isfinite(long["value"].to_numpy(dtype=float))]
    spec = metric_spec(metric_ids[0])
    y_title = f"{spec.label} ({spec.unit})" if len(metric_ids) == 1 else spec.unit
    line = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("time_s:Q", title="time (s)"),
            y=alt.Y("value:Q", title=y_title),
            color=alt.Color("metric:N", title="metric"),
            tooltip=[
                "metric",
                alt.Tooltip("time_s:Q", format=".2f"),
                alt.Tooltip("value:Q", format=".1f"),
            ],
        )
    )
    return alt.layer(*_band(spec.normal_range, y_title, None), line).properties(height=260)


#: Legend entry of a value that failed its quality check (drawn hollow and grey, off the line).
REJECTED_LABEL = "rejected (left out)"


def history_chart(
    history: pd.DataFrame,
    metric_id: str,
    value_col: str = "value",
    x_col: str = "measured_at",
    color_col: str = "phase",
    trusted_col: str | None = None,
) -> AnyChart:
    """Points and lines of stored values over visits, normal range of ``metric_id`` shaded.

    With ``trusted_col`` (a bool column), only trusted rows make the line; the others are
    hollow grey circles with a legend entry ``rejected (left out)``.
    """
    spec = metric_spec(metric_id)
    y_title = f"{spec.label} ({spec.unit})"
    tips = [c for c in history.columns if c in (x_col, value_col, color_col, "verdict", "why")]
    x = alt.X(f"{x_col}:T", title="visit")
    y = alt.Y(f"{value_col}:Q", title=y_title)
    trusted = history if trusted_col is None else history[history[trusted_col].astype(bool)]
    line = (
        alt.Chart(trusted)
        .encode(x=x, y=y, color=alt.Color(f"{color_col}:N", title=color_col), tooltip=tips)
        .mark_line(point=True)
    )
    layers = [*_band(spec.normal_range, y_title, None), line]
    if trusted_col is not None and not history[trusted_col].all():
        rejected = history[~history[trusted_col].astype(bool)].assign(quality=REJECTED_LABEL)
        layers.append(
            alt.Chart(rejected)
            .mark_point(filled=False, size=90, color="#888888")
            .encode(
                x=x, y=y, shape=alt.Shape("quality:N", title="quality"), tooltip=[*tips, "quality"]
            )
        )
    return alt.layer(*layers).properties(height=260)


def before_after_chart(table: pd.DataFrame, label_col: str = "test_side") -> AnyChart:
    """Grouped bars of ``before`` and ``after`` values per test and side; with the columns
    ``before_quality`` / ``after_quality``, a value that failed its quality check is a grey
    bar labelled ``rejected (left out)``."""
    long = table.melt(
        label_col,
        value_vars=[c for c in ("before", "after") if c in table],
        var_name="phase",
        value_name="value",
    ).dropna(subset=["value"])
    status = long["phase"].copy()
    for phase in ("before", "after"):
        column = f"{phase}_quality"
        if column in table:
            bad = set(table.loc[~table[column].map(is_trusted).astype(bool), label_col])
            status[(long["phase"] == phase) & long[label_col].isin(bad)] = REJECTED_LABEL
    long = long.assign(status=status)
    domain = ["before", "after", REJECTED_LABEL]
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            x=alt.X("phase:N", title=None, sort=["before", "after"]),
            y=alt.Y("value:Q", title="value"),
            color=alt.Color(
                "status:N",
                title=None,
                scale=alt.Scale(domain=domain, range=["#9bb7d4", "#2f6ea8", "#bbbbbb"]),
            ),
            column=alt.Column(f"{label_col}:N", title=None),
            tooltip=[label_col, "phase", "status", alt.Tooltip("value:Q", format=".1f")],
        )
        .properties(width=90, height=220)
    )
