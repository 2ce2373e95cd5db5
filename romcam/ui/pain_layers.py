"""The trials' and the pain's marks on the dashboard's charts: where pain began on an angle
curve, the ± SD error bar of each visit's mean and the pain-free range over the visits.

Layers only, for ``romcam.ui.charts``; every word on them is one a person reads.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from romcam.outcomes.trials import amount

PAIN_COLOUR = "#c2185b"
#: Legend entry of the pain-free range line on a history chart.
PAIN_FREE_LABEL = "pain-free range"
#: Dash-dot: a pain line is told from the normal range's dashes and the curve's solid line.
PAIN_DASH = [8, 3, 2, 3]


def onset_layers(first_pain: float | None, pain_score: int | None, unit: str) -> list[alt.Chart]:
    """Where pain began: a dash-dot line across an angle curve at ``first_pain`` (the value's
    unit and sign), labelled at the left (``pain from 120° · pain 4/10 at the end``), or only
    the score (top left) when no angle was marked; none when neither was recorded."""
    score = f"pain {pain_score}/10 at the end" if pain_score is not None else ""
    if first_pain is None or not np.isfinite(first_pain):
        if not score:
            return []
        words = alt.Chart().mark_text(text=score, align="left", baseline="top", dx=4, dy=4)
        return [words.encode(x=alt.value(0), y=alt.value(0), color=alt.value(PAIN_COLOUR))]
    label = f"pain from {amount(first_pain, unit)}" + (f" · {score}" if score else "")
    line = alt.Chart().mark_rule(color=PAIN_COLOUR, strokeDash=PAIN_DASH, strokeWidth=2)
    text = alt.Chart().mark_text(
        text=label, align="left", baseline="bottom", dx=4, dy=-3, color=PAIN_COLOUR
    )
    y = alt.datum(first_pain)
    return [
        line.encode(y=y, tooltip=alt.value(label)),
        text.encode(y=y, x=alt.value(0), tooltip=alt.value(label)),
    ]


def spread_layers(
    data: pd.DataFrame, x: alt.X, value_col: str, sd_col: str | None, unit: str
) -> list[alt.Chart]:
    """An error bar of ± SD over each visit whose trials have a spread (two or more)."""
    bars = _rows_with(data, sd_col)
    if bars.empty:
        return []
    low, high = bars[value_col] - bars[sd_col], bars[value_col] + bars[sd_col]
    bars = bars.assign(_low=low, _high=high, _sd=bars[sd_col])
    tip = alt.Tooltip("_sd:Q", title=f"SD of the trials ({unit})", format=".1f")
    rule = alt.Chart(bars).mark_rule(strokeWidth=2)
    return [rule.encode(x=x, y=alt.Y("_low:Q"), y2="_high:Q", tooltip=[tip])]


def pain_free_layers(
    data: pd.DataFrame, x: alt.X, pain_col: str | None, unit: str
) -> list[alt.Chart]:
    """The pain-free range (where pain began) over the visits that recorded it: a dash-dot
    line in the pain colour with a legend entry."""
    given = _rows_with(data, pain_col)
    if given.empty:
        return []
    given = given.assign(_pain=given[pain_col], _what=PAIN_FREE_LABEL)
    legend = alt.Legend(orient="bottom", symbolStrokeColor=PAIN_COLOUR, symbolDash=PAIN_DASH)
    tip = alt.Tooltip("_pain:Q", title=f"pain-free range ({unit})", format=".0f")
    line = alt.Chart(given).mark_line(point=True, strokeDash=PAIN_DASH, color=PAIN_COLOUR)
    return [
        line.encode(
            x=x,
            y=alt.Y("_pain:Q"),
            opacity=alt.Opacity("_what:N", title=None, legend=legend),
            tooltip=[tip],
        )
    ]


def _rows_with(data: pd.DataFrame, column: str | None) -> pd.DataFrame:
    """The rows of ``data`` with a finite number in ``column`` (none without the column)."""
    if column is None or column not in data.columns:
        return data.iloc[0:0]
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    return data[np.isfinite(values)]
