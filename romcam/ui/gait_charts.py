"""The Gait page's overlay chart (Vega-Lite via Altair): the knee and hip curves of two walks,
both legs, on the normative band. Draws ``outcomes.gait_curves.overlay_frame`` data only."""

from __future__ import annotations

import altair as alt
import pandas as pd

from romcam.outcomes.gait_charts import SIDE_COLOURS


def gait_overlay_chart(data: pd.DataFrame, later: str) -> alt.FacetChart:
    """Knee and hip panels: the band (rows of visit ``normal``) grey, each walk's leg a line in
    its colour, the walk ``later`` solid and the other dashed."""
    band = (
        alt.Chart()
        .transform_filter(alt.datum.visit == "normal")
        .transform_calculate(low="datum.mean - datum.sd", high="datum.mean + datum.sd")
        .mark_area(color="#dddddd")
        .encode(
            x=alt.X("pct:Q", title="% of gait cycle", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y("low:Q", title="flexion (deg)"),
            y2="high:Q",
        )
    )
    lines = (
        alt.Chart()
        .transform_filter(alt.datum.visit != "normal")
        .mark_line()
        .encode(
            x="pct:Q",
            y="mean:Q",
            color=alt.Color(
                "side:N",
                title="leg",
                scale=alt.Scale(domain=list(SIDE_COLOURS), range=list(SIDE_COLOURS.values())),
            ),
            strokeDash=alt.condition(
                alt.datum.visit == later, alt.value([1, 0]), alt.value([6, 4])
            ),
            detail="visit:N",
            tooltip=[
                alt.Tooltip("visit:N", title="walk"),
                alt.Tooltip("side:N", title="leg"),
                alt.Tooltip("pct:Q", title="% of cycle"),
                alt.Tooltip("mean:Q", title="flexion (deg)", format=".1f"),
                alt.Tooltip("n_cycles:Q", title="cycles"),
            ],
        )
    )
    return (
        alt.layer(band, lines, data=data)
        .properties(width=300, height=220)
        .facet(column=alt.Column("joint:N", title=None, sort=["knee", "hip"]))
    )
