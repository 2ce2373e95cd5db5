"""Analyze a recording: upload a video (size and type checked), analyze it with a progress bar,
play the annotated video, plot the angle curves and save the result to a session.

The uploaded video and the analysis outputs wait in ``<data dir>/uploads/<id>/`` while the
result is shown, and no longer (see :class:`Analyzed`): saving copies what the store keeps into
its recordings folder. ``<id>`` starts with the server's pid, so a later server removes what a
crashed one left without touching a running one's (:func:`remove_stale_uploads`).
"""

from __future__ import annotations

import logging
import shutil
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from romcam.calibration import CalibrationProfile
from romcam.core.assessments import AssessmentTest, Side
from romcam.core.metric_specs import metric_spec
from romcam.core.posture_summary import PostureEntry
from romcam.core.summary import AssessmentSummary, summary_for_test
from romcam.errors import InputError, RomcamError
from romcam.paths import safe_filename
from romcam.staging import new_staging_dir, remove_stale_staging
from romcam.store.from_results import RejectedResultError, measurement_from_analysis
from romcam.ui.charts import angle_curves_chart, captured_from_summary
from romcam.ui.current import context_line_ui, current_context
from romcam.ui.settings import current_settings, model_path_for
from romcam.ui.widgets import (
    calibration_ui,
    phase_ui,
    show_error,
    test_picker_ui,
)

if TYPE_CHECKING:
    from romcam.analysis import AnalysisResult

log = logging.getLogger(__name__)

VIDEO_TYPES = ("mp4", "mov", "m4v", "webm", "avi", "mkv")
#: Largest accepted upload in MB (keep in line with server.maxUploadSize in .streamlit/config.toml).
MAX_UPLOAD_MB = 500
#: Folder of the data directory holding each shown analysis's upload and outputs.
UPLOADS_DIR = "uploads"
_RESULT = "romcam_analyze_result"
_UPLOADER = "analyze_upload"


@dataclass(frozen=True)
class Analyzed:
    """An analyzed upload kept across reruns (in ``st.session_state``): the result and the
    folder holding the uploaded video and the analysis outputs.

    The folder lives as long as this analysis: :meth:`discard` deletes it when the analysis is
    replaced or the uploader cleared; else it is deleted when this object is garbage-collected
    (Streamlit frees a session's state some minutes after its browser left) or the server
    exits normally. Stale folders of a killed server go on the next start (:func:`analyze_page`).
    """

    upload_name: str
    folder: Path
    result: AnalysisResult

    def __post_init__(self) -> None:
        # Holds the path, not this object, so that it cannot keep the analysis alive.
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def discard(self) -> None:
        """Delete the upload and its outputs now (a saved analysis has its own copies)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def remove_stale_uploads(data_dir: Path) -> int:
    """Remove the upload folders of servers that are gone (killed, crashed) and those an older
    romcam left; a running server's stay. Returns how many went."""
    return remove_stale_staging(data_dir / UPLOADS_DIR, "", unnamed_are_stale=True)


def check_upload(name: str, size_bytes: int, max_mb: float = MAX_UPLOAD_MB) -> str:
    """A safe file name for an upload; InputError when its type or size is not accepted."""
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in VIDEO_TYPES:
        raise InputError(
            f"{name!r} is not a video file this app reads; upload one of: "
            f"{', '.join('.' + t for t in VIDEO_TYPES)}"
        )
    if size_bytes <= 0:
        raise InputError(f"{name!r} is empty (0 bytes); upload the recording again")
    if size_bytes > max_mb * 1_000_000:
        raise InputError(
            f"{name!r} is {size_bytes / 1e6:.0f} MB, more than the {max_mb:g} MB "
            "limit; trim the video or lower its resolution"
        )
    return f"{safe_filename(Path(name).stem, default='video')}.{suffix}"


def run_analysis(
    video: Path,
    out_dir: Path,
    test: AssessmentTest,
    side: Side | None,
    calibration: CalibrationProfile | None = None,
) -> AnalysisResult:
    """Analyze ``video`` into ``out_dir`` with a progress bar (removed when done)."""
    from romcam.analysis import analyze_video

    bar = st.progress(0.0, text="Analyzing…")
    shown = [-1]

    def report(done: int, total: int) -> None:
        percent = min(100, 100 * done // total) if total else 0
        if percent != shown[0]:  # one update per percent, not per frame
            shown[0] = percent
            bar.progress(percent / 100, text=f"Analyzing… frame {done} of {total or '?'}")

    try:
        return analyze_video(
            video,
            out_dir,
            model_path=model_path_for(current_settings()),
            calibration=calibration,
            write_annotated=True,
            headline=test.metric_id(side),
            progress=report,
        )
    finally:
        bar.empty()


def _upload_ui(
    test: AssessmentTest, side: Side | None, calibration: CalibrationProfile | None
) -> None:
    uploaded = st.file_uploader(
        "Video of the test", type=list(VIDEO_TYPES), key=_UPLOADER, on_change=_discard_analysis
    )
    if uploaded is None or not st.button("Analyze", type="primary"):
        return
    uploads = Path(current_settings().data_dir) / UPLOADS_DIR
    uploads.mkdir(parents=True, exist_ok=True)
    folder = new_staging_dir(uploads, "")  # 0700: client video, for this user's eyes only
    try:
        name = check_upload(uploaded.name, uploaded.size)
        video = folder / name
        video.write_bytes(uploaded.getbuffer())
        result = run_analysis(video, folder / "out", test, side, calibration)
    except RomcamError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        show_error(exc, f"analyze {uploaded.name!r}")
        return
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # also when a rerun stops the analysis
        raise
    _discard_analysis()  # the same video analyzed again
    st.session_state[_RESULT] = Analyzed(uploaded.name, folder, result)


def _discard_analysis() -> None:
    """Drop the analysis shown and its files: the user replaced or removed its video."""
    analyzed: Analyzed | None = st.session_state.pop(_RESULT, None)
    if analyzed is not None:
        analyzed.discard()


def _result_ui(analyzed: Analyzed, test: AssessmentTest, side: Side | None) -> AssessmentSummary:
    """Play the annotated video, show the test's result and its angle curve; returns the entry."""
    result = analyzed.result
    entry = summary_for_test(result.table, test, side, pose=result.pose)
    st.subheader(f"Result: {analyzed.upload_name}")
    for warning in result.warnings:
        st.warning(warning)
    # Only an accepted end range is shown as a number; otherwise the reason says what to do.
    value = entry["end_range"]
    cols = st.columns(3)
    cols[0].metric(
        entry["label"] + (f" ({side})" if side else ""),
        "—" if value is None else f"{value:.1f} {entry['unit']}",
    )
    cols[1].metric("Quality", entry["code"].replace("_", " "))
    cols[2].metric("View", str(entry["view"]).replace("_", " "))
    if entry["reason"]:
        st.warning(entry["reason"].split(": ", 1)[-1])
    elif entry["hold_s"] is not None:
        st.caption(f"Held {entry['hold_s']:.1f} s from {entry['time_s']:.1f} s.")
    if result.annotated_mp4 is not None and Path(result.annotated_mp4).is_file():
        st.video(str(result.annotated_mp4))
    curve = angle_curves_chart(
        result.table.to_dataframe(), [entry["metric"]], captured_from_summary(entry)
    )
    st.altair_chart(curve, width="stretch")
    _posture_ui(result.posture)
    return entry


def _posture_ui(posture: Mapping[str, PostureEntry]) -> None:
    """Posture apart from the range of motion: values taken while still and upright."""
    st.subheader("Posture (while still and upright)")
    rows = [
        {
            "measure": metric_spec(mid).label,
            "value": e["value"],
            "unit": e["unit"],
            "from (s)": e["from_s"],
            "to (s)": e["to_s"],
        }
        for mid, e in posture.items()
        if e["quality"] == "ok"
    ]
    if rows:
        st.dataframe(rows, hide_index=True)
    else:
        st.caption(
            "No posture value: the subject was never still and upright (standing or sitting "
            "tall) for 2 s."
        )


_KEEP_REJECTED = "Save it anyway"


def _save_ui(
    analyzed: Analyzed, test: AssessmentTest, side: Side | None, entry: AssessmentSummary
) -> None:
    st.subheader("Save to a session")
    current = current_context()
    context_line_ui(current)
    if current is None:
        return
    store, session = current.store, current.session
    phase = phase_ui("analyze")
    keep_rejected = False
    if entry["code"] == "wrong_side":
        st.info(f"Not saved: {entry['reason'].split(': ', 1)[-1]}.")
        return
    if entry["quality"] == "rejected":
        st.caption(
            f"This result failed its quality check (see above): it is saved only if you tick "
            f"**{_KEEP_REJECTED}**, and then marked as failing the check."
        )
        keep_rejected = st.checkbox(_KEEP_REJECTED, key="analyze_keep_rejected")
    if not st.button("Save measurement", disabled=session is None):
        return
    assert session is not None
    try:
        measurement, recording = measurement_from_analysis(
            analyzed.result, test, side, phase=phase, keep_rejected=keep_rejected
        )
        record = store.add_measurement(session.id, measurement, recording)
    except RejectedResultError as exc:
        why = str(exc)
        st.error(f"{why[:1].upper()}{why[1:]}, or tick **{_KEEP_REJECTED}** to keep it.")
        return
    except RomcamError as exc:
        show_error(exc, "save the measurement")
        return
    st.success(f"Saved measurement #{record.id} to session #{session.id}.")


def analyze_page() -> None:
    st.title("Analyze a recording")
    # Left by an earlier server that was killed or crashed (a normal stop removes them).
    remove_stale_uploads(Path(current_settings().data_dir))
    test, side = test_picker_ui("analyze")
    calibration = calibration_ui("analyze")
    _upload_ui(test, side, calibration)
    analyzed: Analyzed | None = st.session_state.get(_RESULT)
    if analyzed is None:
        st.caption(f"Accepted: {', '.join(VIDEO_TYPES)}, up to {MAX_UPLOAD_MB} MB.")
        return
    try:
        entry = _result_ui(analyzed, test, side)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "show the result")
        return
    _save_ui(analyzed, test, side, entry)
