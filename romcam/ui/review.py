"""Session review: before/after table and chart; each test's trials with their mean ± SD
(exclude a trial with a reason, include it again: ``review_trials``); each measurement with its
annotated video (drawn on demand from the stored video and landmarks), its value, its pain and
its angle curve (where pain began marked); delete or re-label a measurement."""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from romcam.calibration import load_profile
from romcam.core.assessments import test_label
from romcam.core.setup_geometry import setup_note_lines
from romcam.core.summary import filmed
from romcam.errors import InputError, RomcamError
from romcam.media.redraw import redraw_annotated
from romcam.media.video import VideoInfo, probe_video
from romcam.outcomes.compare import before_after
from romcam.outcomes.mdc import load_mdc_table
from romcam.outcomes.quality import NOT_COMPARABLE, is_trusted, mark, why
from romcam.outcomes.report import session_report
from romcam.outcomes.trials import amount
from romcam.store.records import STANDARD_PHASES, MeasurementRecord, SessionRecord
from romcam.ui.charts import (
    angle_curves_chart,
    before_after_chart,
    captured_from_measurement,
    held_in_curve,
)
from romcam.ui.current import Current, context_line_ui, current_context, session_label
from romcam.ui.result_view import (
    as_sentence,
    plain_reason,
    progress_bar,
    quality_words,
    reason_sentence,
    source_words,
    video_and_result,
)
from romcam.ui.review_trials import trials_ui
from romcam.ui.widgets import show_error

if TYPE_CHECKING:
    from romcam.store import Store

log = logging.getLogger(__name__)

#: The annotated video of a stored recording, drawn on demand beside the recording's files (so
#: it goes when the measurement is deleted) and reused afterwards.
ANNOTATED_NAME = "annotated.mp4"
#: A table cell without a value.
NO_VALUE = "—"


def before_after_ui(frame: pd.DataFrame) -> None:
    """The session's before/after comparison as a table and a bar chart. A value that failed
    its quality check is shown as text with the reason (``106.5 (rejected: knee hidden)``),
    never as a plain number, and has no % of normal, change or verdict of its own."""
    try:
        table = before_after(frame, load_mdc_table())
    except (RomcamError, ValueError) as exc:
        show_error(exc, "compare before and after")
        return
    if table.empty:
        st.info("No before/after pairs yet: measure a test in both phases to compare.")
        return
    st.dataframe(_plain_table(table), hide_index=True, width="stretch")
    if table["verdict"].str.startswith(NOT_COMPARABLE).any():
        st.caption(
            "A value marked rejected failed its quality check: it is shown with the reason but "
            "left out of % of normal, the change and the verdict."
        )
    for line in setup_note_lines(table["test"], table["side"], table["setup_note"]):
        st.caption(line)
    st.altair_chart(before_after_chart(table.assign(side=table["side"].fillna(""))))


def _plain_table(table: pd.DataFrame) -> pd.DataFrame:
    """The before/after table as people read it: test names with their side, numbers as text
    (``—`` where there is no value, never "None"), column names in words."""
    rows = list(table.iterrows())
    return pd.DataFrame(
        {
            "Test": [test_label(r["test"], r["side"]) for _, r in rows],
            "Before": [_marked(r, "before") for _, r in rows],
            "After": [_marked(r, "after") for _, r in rows],
            "Change": [_number(r["change"], "+.1f") for _, r in rows],
            "Change %": [_number(r["change_pct"], "+.0f", "%") for _, r in rows],
            "After, % of normal": [_number(r["after_pct_normal"], ".0f", "%") for _, r in rows],
            "Smallest real change (MDC95)": [_number(r["mdc95"], ".1f") for _, r in rows],
            "Verdict": [str(r["verdict"]) for _, r in rows],
        }
    )


def _number(value: object, spec: str, suffix: str = "") -> str:
    """``value`` formatted with ``spec`` (e.g. ``+.1f``), ``—`` when there is none."""
    if not isinstance(value, float | int) or not math.isfinite(value):
        return NO_VALUE
    return f"{value:{spec}}{suffix}"


def _marked(r: pd.Series, phase: str) -> str:
    """One phase's value as text, marked when it failed its quality check (``—`` if none)."""
    value = r[phase]
    if not math.isfinite(value):
        return NO_VALUE
    return mark(f"{value:.1f}", r[f"{phase}_quality"], plain_reason(r[f"{phase}_reason"]))


def _angle_curve_ui(store: Store, m: MeasurementRecord) -> None:
    rec = m.recording
    if rec is None or not rec.angles_path:
        st.caption("No angle file was kept with this measurement.")
        return
    try:
        angles = pd.read_csv(store.path_of(rec.angles_path))
        # The store keeps no hold times: where the curve reached the value is the hold.
        held = held_in_curve(angles["time_s"].to_numpy(), angles[m.metric].to_numpy(), m.value)
        captured = captured_from_measurement(
            m.test,
            m.side,
            m.value,
            m.quality,
            held,
            first_pain=m.first_pain,
            pain_score=m.pain_score,
        )
        st.altair_chart(angle_curves_chart(angles, [m.metric], captured), width="stretch")
    except (OSError, ValueError, KeyError, InputError) as exc:
        st.warning(f"The angle file of measurement #{m.id} cannot be read: {exc}")


def _stored_video(store: Store, m: MeasurementRecord) -> tuple[Path, VideoInfo] | None:
    """The measurement's recorded video and its size; None (with a note) when there is none."""
    rec = m.recording
    if rec is None or not rec.video_path:
        st.caption("No video was kept with this measurement.")
        return None
    try:
        path = store.path_of(rec.video_path)
        if not path.is_file():
            st.warning(f"The video of measurement #{m.id} is missing from {path.parent}.")
            return None
        return path, probe_video(path)
    except RomcamError as exc:
        show_error(exc, "read the measurement's video")
        return None


def annotated_video_ui(store: Store, m: MeasurementRecord, video: Path) -> Path:
    """The stored video with the skeleton, the angle arc and the readout drawn on it: drawn from
    its landmark file the first time (with a progress bar), then reused. The raw video (and a
    note saying why) when it cannot be drawn."""
    out = video.with_name(ANNOTATED_NAME)
    if out.is_file():
        return out
    rec = m.recording
    if rec is None or not rec.landmarks_path:
        st.caption("No landmarks were kept with this measurement: shown without the skeleton.")
        return video
    calibration = None
    if m.calibration_profile:
        try:
            calibration = load_profile(m.calibration_profile)
        except RomcamError:
            st.caption(f"Drawn without the calibration {m.calibration_profile!r} (not found).")
    try:
        with progress_bar("Drawing the skeleton on the video") as report:
            return redraw_annotated(
                video,
                store.path_of(rec.landmarks_path),
                out,
                headline=m.metric,
                calibration=calibration,
                progress=report,
            )
    except (RomcamError, OSError) as exc:
        show_error(exc, "draw the skeleton on the video")
        return video


def _edit_ui(store: Store, m: MeasurementRecord) -> None:
    """Re-label the phase or delete the measurement (with a confirmation)."""
    options = list(dict.fromkeys([*STANDARD_PHASES, m.phase]))
    cols = st.columns([3, 2], vertical_alignment="bottom")
    phase = cols[0].selectbox(
        "Phase", options, index=options.index(m.phase), key=f"review_phase_{m.id}"
    )
    if cols[1].button("Re-label", key=f"review_relabel_{m.id}", disabled=phase == m.phase):
        try:
            store.relabel_measurement(m.id, phase)
            st.rerun()
        except RomcamError as exc:
            show_error(exc, "re-label the measurement")
    cols = st.columns([3, 2], vertical_alignment="center")
    confirm = cols[0].checkbox("Yes, delete it", key=f"review_confirm_{m.id}")
    if cols[1].button("Delete", key=f"review_delete_{m.id}", disabled=not confirm):
        try:
            store.delete_measurement(m.id)
            st.rerun()
        except RomcamError as exc:
            show_error(exc, "delete the measurement")


def _value_ui(m: MeasurementRecord) -> None:
    """The stored value (marked when it failed its check) and where it came from."""
    reason = plain_reason(m.quality_reason)
    # The reason is told in full below: the big number stays short enough to read.
    st.metric(
        f"{test_label(m.test, m.side)}, {m.phase}",
        mark(f"{m.value:.1f} {m.unit}", m.quality, None),
    )
    if not is_trusted(m.quality):
        because = why(m.quality, reason) or quality_words(m.quality)
        st.warning(
            f"This value failed its quality check ({because}): it is left out of "
            "% of normal, trends and verdicts."
        )
    elif reason:
        st.caption(reason_sentence(reason))
    if m.excluded_reason:
        st.warning(f"Left out of the test's mean: {m.excluded_reason}.", icon=":material/block:")
    pain = pain_sentence(m.first_pain, m.pain_score, m.unit)
    if pain:
        st.markdown(pain)
    view = f", filmed {filmed(m.view)}" if m.view else ""
    calibration = f", calibration {m.calibration_profile}" if m.calibration_profile else ""
    st.caption(
        f"From the {source_words(m.source)}{view}{calibration}; measured "
        f"{m.measured_at:%Y-%m-%d %H:%M} UTC."
    )


def pain_sentence(first_pain: float | None, pain_score: int | None, unit: str) -> str:
    """``Pain began at 120°; pain 4/10 at the end range.`` (either part when only it was
    recorded); "" when neither was."""
    parts = []
    if first_pain is not None:
        parts.append(f"pain began at {amount(first_pain, unit)}")
    if pain_score is not None:
        parts.append(f"pain {pain_score}/10 at the end range")
    return as_sentence("; ".join(parts)) if parts else ""


def measurement_ui(store: Store, m: MeasurementRecord) -> None:
    """One stored measurement, drawn when opened (its video may have to be annotated first):
    the annotated video with the value and the edit controls beside it, the angle curve below."""
    value = mark(f"{m.value:.1f} {m.unit}", m.quality, plain_reason(m.quality_reason))
    if m.excluded_reason:  # kept in the record, out of the mean
        value = f"~~{value}~~ (excluded: {m.excluded_reason})"
    title = f"#{m.id} {test_label(m.test, m.side)} — {m.phase}: {value} · {source_words(m.source)}"
    with st.expander(title, key=f"review_open_{m.id}", on_change="rerun") as opened:
        if not opened.open:
            return
        stored = _stored_video(store, m)
        layout = video_and_result((stored[1].width, stored[1].height) if stored else None)
        if stored is not None:
            with layout.video:
                layout.show_video(annotated_video_ui(store, m, stored[0]))
        with layout.result:
            _value_ui(m)
            _edit_ui(store, m)
        _angle_curve_ui(store, m)


def _report_ui(frame: pd.DataFrame, session_id: int) -> None:
    """Build the printable session report on request, then offer it for download."""
    key = f"review_report_{session_id}"
    if st.button("Build the printable report", key=f"{key}_build"):
        try:
            st.session_state[key] = session_report(frame, load_mdc_table())
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


def session_heading(client: str, session: SessionRecord, measurements: int) -> str:
    """The reviewed session in one line: ``**Ann** · Session #3 (today 10:42) · therapist
    Tess · 2 measurements``."""
    therapist = f"therapist {session.therapist}" if session.therapist else "no therapist named"
    count = {0: "no measurements yet", 1: "1 measurement"}.get(
        measurements, f"{measurements} measurements"
    )
    return f"**{client}** · {session_label(session)} · {therapist} · {count}"


def review_page() -> None:
    """The current session (chosen in the sidebar, whose list holds every session of the
    client): a one-line heading, before/after, the report and each measurement."""
    st.title("Session review")
    current = current_context()
    if current is None or current.session is None:
        context_line_ui(current, needs_session=False)
        if current is not None:
            st.info(_no_session_hint(current), icon=":material/arrow_back:")
        return
    store, session = current.store, current.session
    try:
        frame = store.measurements_frame(session_id=session.id)
        measurements = store.list_measurements(session.id)
    except RomcamError as exc:
        show_error(exc, "read the session")
        return
    st.markdown(session_heading(current.client.name, session, len(measurements)))
    if not measurements:
        st.info("No measurements in this session yet.")
        return
    st.subheader("Before / after")
    before_after_ui(frame)
    _report_ui(frame, session.id)
    st.subheader("Trials")
    trials_ui(store, frame)
    st.subheader(f"Measurements ({len(measurements)})")
    for m in measurements:
        measurement_ui(store, m)


def _no_session_hint(current: Current) -> str:
    """Where to go when no session is chosen: pick one, or start the first one."""
    name = current.client.name
    try:
        has_sessions = bool(current.store.list_sessions(current.client.id))
    except RomcamError:
        has_sessions = True  # the sidebar shows the error; keep the general hint
    if not has_sessions:
        return f"{name} has no sessions yet: start today's in the sidebar."
    return (
        f"Choose one of {name}'s sessions in the sidebar (it lists them all), or start "
        "today's there."
    )
