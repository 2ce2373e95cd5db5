"""The home check's "My progress" page: a chart per test of the plan (each day's result, the
therapist's target and the clinic's last value as lines) and "Export my results", the
results file the client gives the therapist (``romcam.home.results``). Runs under AppTest."""

from __future__ import annotations

import math
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from romcam.core.assessments import assessment_test
from romcam.core.metric_specs import metric_spec
from romcam.errors import RomcamError
from romcam.home.local import daily_results, export_results
from romcam.home.plan import HomePlan, PlanItem
from romcam.home.words import PRIVACY, amount, check_title
from romcam.paths import safe_filename
from romcam.ui.charts import AnyChart
from romcam.ui.home_context import HomeContext, home_context
from romcam.ui.settings import current_settings
from romcam.ui.widgets import show_error

if TYPE_CHECKING:
    from romcam.core.assessments import Side

#: Session-state key of the results file prepared: (include videos, file name, bytes).
EXPORT_KEY = "home_export"
INCLUDE_VIDEOS = "Include my videos"
PREPARE_LABEL = "Prepare my results file"
DOWNLOAD_LABEL = "Download my results file"
_DAY_MS = 24 * 3600 * 1000


def results_file_name(plan: HomePlan, day: date | None = None) -> str:
    """``romcam-home-results-Ada_Client-2026-12-03.zip``."""
    name = safe_filename(plan.client.name, default="client")
    return f"romcam-home-results-{name}-{(day or date.today()).isoformat()}.zip"


_COLOURS = {"my result": "#1f77b4", "target": "#2ca02c", "clinic": "#7f7f7f"}


def value_domain(values: list[float], margin: float = 5.0) -> list[float]:
    """[low, high] of the y axis: every value with ``margin`` (or 10 % of their spread) either
    side, in whole units, so one day's result does not make a zero-height axis."""
    low, high = min(values), max(values)
    pad = max(margin, 0.1 * (high - low))
    return [float(math.floor(low - pad)), float(math.ceil(high + pad))]


def progress_chart(
    days: pd.DataFrame, metric_id: str, target: float | None, clinic: float | None
) -> AnyChart:
    """Each day's result (points and a line), the target (dashed, green) and the clinic's
    last value (dotted, grey) as horizontal lines labelled in the legend."""
    spec = metric_spec(metric_id)
    data = days.assign(day=pd.to_datetime(days["day"]), what="my result")
    unit = "degrees" if spec.unit == "deg" else spec.unit
    references = {"target": target, "clinic": clinic}
    shown = [v for v in (*data["value"].tolist(), *references.values()) if v is not None]
    y = alt.Y(
        "value:Q",
        title=unit,
        scale=alt.Scale(domain=value_domain(shown)),
        axis=alt.Axis(format=".0f"),
    )
    legend = ["my result", *(what for what, value in references.items() if value is not None)]
    colour = alt.Color(
        "what:N",
        title=None,
        scale=alt.Scale(domain=legend, range=[_COLOURS[what] for what in legend]),
    )
    result = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                "day:T",
                title="day",
                # One tick a day at most: a few days apart, Vega-Lite ticked every half day.
                axis=alt.Axis(format="%-d %b", labelAngle=0, tickMinStep=_DAY_MS),
            ),
            y=y,
            color=colour,
            tooltip=[
                alt.Tooltip("day:T", format="%-d %b %Y"),
                alt.Tooltip("value:Q", format=".0f"),
            ],
        )
    )
    lines = pd.DataFrame(
        [
            {"what": what, "value": value}
            for what, value in (("target", target), ("clinic", clinic))
            if value is not None
        ],
        columns=["what", "value"],
    )
    rules = alt.Chart(lines).mark_rule(strokeDash=[6, 4]).encode(y="value:Q", color=colour)
    return alt.layer(result, rules, height=240)


def _summary(
    days: pd.DataFrame, unit: str, item: PlanItem, plan: HomePlan, side: Side | None
) -> str:
    """``Latest: 152° (3 Dec) · target 160° · at the clinic 148° (20 Nov)``."""
    parts = []
    if not days.empty:
        last = days.iloc[-1]
        parts.append(f"Latest: {amount(float(last['value']), unit)} ({last['day']:%-d %b})")
    if item.target is not None:
        parts.append(f"target {amount(item.target, unit)}")
    clinic = plan.clinic_value(str(item.test_id), side)
    if clinic is not None:
        parts.append(f"at the clinic {amount(clinic.value, unit)} ({clinic.measured_at:%-d %b})")
    return " · ".join(parts)


def _charts_ui(context: HomeContext) -> None:
    try:
        days = daily_results(context.store, context.client)
    except RomcamError as exc:
        show_error(exc, "read your measurements")
        return
    for item, side in context.plan.checks:
        test_id = str(item.test_id)
        metric_id = assessment_test(test_id).metric_id(side)
        st.subheader(check_title(item.label, side))
        rows = days[(days["test"] == test_id) & (days["side"] == (side or ""))]
        unit = metric_spec(metric_id).unit
        summary = _summary(rows, unit, item, context.plan, side)
        clinic = context.plan.clinic_value(test_id, side)
        if rows.empty:  # a chart of lines alone, over no days, says nothing
            st.caption("No results yet: do this test on the *My home check* page.")
        else:
            st.altair_chart(
                progress_chart(rows, metric_id, item.target, clinic.value if clinic else None),
                width="stretch",
            )
        if summary:
            st.caption(summary)


def _prepare_export(context: HomeContext, include_videos: bool) -> None:
    """(button callback) Write the results file and keep its bytes for the download."""
    folder = Path(current_settings().data_dir)
    try:
        with tempfile.TemporaryDirectory(dir=folder, prefix="export-") as tmp:
            path = Path(tmp) / results_file_name(context.plan)
            export_results(context.store, context.plan, path, include_video=include_videos)
            data = path.read_bytes()
    except RomcamError as exc:
        st.session_state[EXPORT_KEY] = exc
        return
    st.session_state[EXPORT_KEY] = (include_videos, path.name, data)


def export_ui(context: HomeContext) -> None:
    """Export my results: a checkbox for the videos, a button that prepares the file and the
    download of the file prepared."""
    st.header("Export my results")
    st.markdown(
        "Your therapist can add your results to your record from this file. It holds your "
        "measurements and the positions of your joints during each test (no pictures), and "
        "your videos only if you tick the box."
    )
    include = st.checkbox(INCLUDE_VIDEOS, key="home_include_videos")
    st.button(
        PREPARE_LABEL,
        key="home_prepare_export",
        icon=":material/folder_zip:",
        on_click=_prepare_export,
        args=(context, include),
    )
    prepared = st.session_state.get(EXPORT_KEY)
    if isinstance(prepared, RomcamError):
        show_error(prepared, "prepare your results file")
    elif prepared is not None and prepared[0] == include:
        _, name, data = prepared
        st.download_button(
            DOWNLOAD_LABEL,
            data,
            file_name=name,
            mime="application/zip",
            key="home_download",
            type="primary",
            icon=":material/download:",
            on_click="ignore",
        )
        st.caption(f"{name}: give this file to your therapist (e-mail, USB stick, …).")


def my_progress_page() -> None:
    """The page: a chart per test, then the export."""
    st.title("My progress")
    context = home_context()
    if context is None:
        return
    st.caption(PRIVACY)
    _charts_ui(context)
    export_ui(context)
