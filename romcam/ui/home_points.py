"""The client's home checks on a visit history chart: filled teal diamonds between the clinic's
visits, off the visits' line, with the legend entry ``home check (client's own)``.

Layers only, for ``romcam.ui.charts.history_chart``; every word on them is one a person reads.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

HOME_COLOUR = "#00897b"
#: Legend entry (and tooltip title) of a home check's point.
HOME_LABEL = "home check (client's own)"


def home_layers(
    home: pd.DataFrame | None,
    x_col: str,
    x: alt.X,
    value_col: str,
    unit: str,
    date_format: str,
) -> list[alt.Chart]:
    """A diamond per home check (one day's value of the test), in its own colour with a
    legend entry; the tooltip says ``home check``, the date, the value and its trials."""
    if home is None or home.empty:
        return []
    data = home.assign(_what=HOME_LABEL)
    tips = [
        alt.Tooltip("_what:N", title="measured"),
        alt.Tooltip(f"{x_col}:T", title="home check", format=date_format),
        alt.Tooltip(f"{value_col}:Q", title=unit, format=".1f"),
    ]
    if "label" in data.columns:
        tips.append(alt.Tooltip("label:N", title="trials"))
    colour = alt.Color(
        "_what:N",
        title=None,
        scale=alt.Scale(domain=[HOME_LABEL], range=[HOME_COLOUR]),
        legend=alt.Legend(orient="bottom", symbolType="diamond"),
    )
    points = alt.Chart(data).mark_point(shape="diamond", filled=True, size=120, opacity=0.9)
    return [points.encode(x=x, y=alt.Y(f"{value_col}:Q"), color=colour, tooltip=tips)]
