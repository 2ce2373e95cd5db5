"""Session review: before/after table and chart; each recording with its angle curve; delete or
re-label a measurement."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from romcam.errors import InputError, RomcamError
from romcam.outcomes.compare import before_after
from romcam.outcomes.quality import NOT_COMPARABLE, is_trusted, mark, why
from romcam.outcomes.report import session_report
from romcam.store.records import STANDARD_PHASES, MeasurementRecord
from romcam.ui.charts import angle_curves_chart, before_after_chart, captured_from_measurement
from romcam.ui.current import context_line_ui, current_context, session_browser_ui
from romcam.ui.widgets import show_error

if TYPE_CHECKING:
    from romcam.store import Store

log = logging.getLogger(__name__)

_SHOWN = [
    "test",
    "side",
    "before",
    "after",
    "change",
    "change_pct",
    "after_pct_normal",
    "mdc95",
    "verdict",
]


def before_after_ui(frame: pd.DataFrame) -> None:
    """The session's before/after comparison as a table and a bar chart. A value that failed
    its quality check is shown as text with the reason (``106.5 (rejected: knee hidden)``),
    never as a plain number, and has no % of normal, change or verdict of its own."""
    try:
        table = before_after(frame)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "compare before and after")
        return
    if table.empty:
        st.info("No before/after pairs yet: measure a test in both phases to compare.")
        return
    table = table.assign(side=table["side"].fillna(""))
    shown = table.assign(
        before=[_marked(r, "before") for _, r in table.iterrows()],
        after=[_marked(r, "after") for _, r in table.iterrows()],
    )
    st.dataframe(
        shown[_SHOWN],
        hide_index=True,
        width="stretch",
        column_config={
            "change_pct": st.column_config.NumberColumn("change %", format="%.0f%%"),
            "after_pct_normal": st.column_config.NumberColumn(
                "after, % of normal", format="%.0f%%"
            ),
            "mdc95": st.column_config.NumberColumn("MDC95", format="%.1f"),
            "change": st.column_config.NumberColumn("change", format="%.1f"),
        },
    )
    if table["verdict"].str.startswith(NOT_COMPARABLE).any():
        st.caption(
            "A value marked rejected failed its quality check: it is shown with the reason but "
            "left out of % of normal, the change and the verdict."
        )
    labelled = table.assign(test_side=(table["test"] + " " + table["side"]).str.strip())
    st.altair_chart(before_after_chart(labelled), width="content")


def _marked(r: pd.Series, phase: str) -> str:
    """One phase's value as text, marked when it failed its quality check ("" if none)."""
    value = r[phase]
    if not math.isfinite(value):
        return ""
    return mark(f"{value:.1f}", r[f"{phase}_quality"], r[f"{phase}_reason"])


def _angle_curve_ui(store: Store, m: MeasurementRecord) -> None:
    rec = m.recording
    if rec is None or not rec.angles_path:
        st.caption("No angle file was kept with this measurement.")
        return
    try:
        angles = pd.read_csv(store.path_of(rec.angles_path))
        captured = captured_from_measurement(m.test, m.side, m.value, m.quality)
        st.altair_chart(angle_curves_chart(angles, [m.metric], captured), width="stretch")
    except (OSError, ValueError, KeyError, InputError) as exc:
        st.warning(f"The angle file of measurement #{m.id} cannot be read: {exc}")


def _video_ui(store: Store, m: MeasurementRecord) -> None:
    rec = m.recording
    if rec is None or not rec.video_path:
        return
    try:
        path: Path = store.path_of(rec.video_path)
    except InputError as exc:
        st.warning(str(exc))
        return
    if path.is_file():
        st.video(str(path))
    else:
        st.warning(f"The video of measurement #{m.id} is missing from {path.parent}.")


def _edit_ui(store: Store, m: MeasurementRecord) -> None:
    """Re-label the phase or delete the measurement (with a confirmation)."""
    cols = st.columns([2, 1, 2])
    options = list(dict.fromkeys([*STANDARD_PHASES, m.phase]))
    phase = cols[0].selectbox(
        "Phase", options, index=options.index(m.phase), key=f"review_phase_{m.id}"
    )
    if cols[1].button("Re-label", key=f"review_relabel_{m.id}", disabled=phase == m.phase):
        try:
            store.relabel_measurement(m.id, phase)
            st.rerun()
        except RomcamError as exc:
            show_error(exc, "re-label the measurement")
    confirm = cols[2].checkbox("Yes, delete it", key=f"review_confirm_{m.id}")
    if cols[2].button("Delete measurement", key=f"review_delete_{m.id}", disabled=not confirm):
        try:
            store.delete_measurement(m.id)
            st.rerun()
        except RomcamError as exc:
            show_error(exc, "delete the measurement")


def measurement_ui(store: Store, m: MeasurementRecord) -> None:
    """One stored measurement: value, quality, video, angle curve and edit controls."""
    side = f" ({m.side})" if m.side else ""
    value = mark(f"{m.value:.1f} {m.unit}", m.quality, m.quality_reason)
    title = (
        f"#{m.id} {m.test.replace('_', ' ')}{side} — {m.phase}: {value} · {m.source}"
        f" · quality {m.quality}"
    )
    with st.expander(title):
        if not is_trusted(m.quality):
            because = why(m.quality, m.quality_reason) or m.quality
            st.warning(
                f"This value failed its quality check ({because}): it is left out of "
                "% of normal, trends and verdicts."
            )
        elif m.quality_reason:
            st.caption(f"Quality: {m.quality_reason}")
        st.caption(
            f"Measured {m.measured_at:%Y-%m-%d %H:%M} UTC, view {m.view or '?'}"
            + (f", calibration {m.calibration_profile}" if m.calibration_profile else "")
        )
        _video_ui(store, m)
        _angle_curve_ui(store, m)
        _edit_ui(store, m)


def _report_ui(frame: pd.DataFrame, session_id: int) -> None:
    """Build the printable session report on request, then offer it for download."""
    key = f"review_report_{session_id}"
    if st.button("Build the printable report", key=f"{key}_build"):
        try:
            st.session_state[key] = session_report(frame)
        except (RomcamError, ValueError) as exc:
            show_error(exc, "build the report")
    html = st.session_state.get(key)
    if html:
        st.download_button(
            "Download the session report (HTML, print it from the browser)",
            html.encode("utf-8"),
            file_name=f"romcam-session-{session_id}.html",
            mime="text/html",
            key=f"{key}_download",
        )


def review_page() -> None:
    st.title("Session review")
    current = current_context()
    context_line_ui(current, needs_session=False)
    if current is None:
        return
    store = current.store
    session = session_browser_ui(current, "review_session")
    if session is None:
        return
    try:
        frame = store.measurements_frame(session_id=session.id)
        measurements = store.list_measurements(session.id)
    except RomcamError as exc:
        show_error(exc, "read the session")
        return
    if not measurements:
        st.info("No measurements in this session yet.")
        return
    st.subheader("Before / after")
    before_after_ui(frame)
    _report_ui(frame, session.id)
    st.subheader(f"Measurements ({len(measurements)})")
    for m in measurements:
        measurement_ui(store, m)
