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
from romcam.core.assessments import AssessmentTest, Side, test_label
from romcam.core.metric_specs import metric_spec
from romcam.core.posture_summary import PostureEntry
from romcam.core.summary import AssessmentSummary, filmed, summary_for_test
from romcam.errors import InputError, RomcamError
from romcam.paths import safe_filename
from romcam.staging import new_staging_dir, remove_stale_staging
from romcam.store.from_results import (
    RejectedResultError,
    attempt_from_summary,
    has_value,
    measurement_from_analysis,
)
from romcam.ui.charts import angle_curves_chart, captured_from_summary
from romcam.ui.current import context_line_ui, current_context
from romcam.ui.result_view import (
    ResultLayout,
    plain_reason,
    progress_bar,
    quality_words,
    reason_sentence,
    video_and_result,
)
from romcam.ui.settings import current_settings, model_path_for
from romcam.ui.widgets import (
    calibration_ui,
    phase_ui,
    show_error,
    test_picker_ui,
)

if TYPE_CHECKING:
    from romcam.analysis import AnalysisResult
    from romcam.store import Store

log = logging.getLogger(__name__)

VIDEO_TYPES = ("mp4", "mov", "m4v", "webm", "avi", "mkv")
#: Largest accepted upload in MB (keep in line with server.maxUploadSize in .streamlit/config.toml).
MAX_UPLOAD_MB = 500
#: Folder of the data directory holding each shown analysis's upload and outputs.
UPLOADS_DIR = "uploads"
_RESULT = "romcam_analyze_result"
_UPLOADER = "analyze_upload"
#: {_saved_key(): (measurement id, session id)}: what this browser session saved.
_SAVED = "romcam_analyze_saved"
_SAVE_ERROR = "romcam_analyze_save_error"


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

    with progress_bar("Analyzing") as report:
        return analyze_video(
            video,
            out_dir,
            model_path=model_path_for(current_settings()),
            calibration=calibration,
            write_annotated=True,
            headline=test.metric_id(side),
            progress=report,
            jobs=None,  # every core; the fork server stays warm for the next upload
        )


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
    st.session_state.pop(_SAVED, None)
    if analyzed is not None:
        analyzed.discard()


def _result_ui(analyzed: Analyzed, test: AssessmentTest, side: Side | None) -> ResultLayout:
    """The annotated video at a bounded height with the test's result beside it; returns the
    layout (its ``result`` place takes the Save controls)."""
    result = analyzed.result
    st.subheader(f"Result: {analyzed.upload_name}")
    for warning in result.warnings:
        st.warning(warning)
    layout = video_and_result((result.video.width, result.video.height))
    if result.annotated_mp4 is not None and Path(result.annotated_mp4).is_file():
        layout.show_video(Path(result.annotated_mp4))
    return layout


def _entry_ui(entry: AssessmentSummary, test: AssessmentTest, side: Side | None) -> None:
    """The held end range (a number only when accepted), its quality and the view filmed."""
    value = entry["end_range"]
    st.metric(test_label(test.id, side), "—" if value is None else f"{value:.1f} {entry['unit']}")
    cols = st.columns(2)
    cols[0].metric("Quality", quality_words(entry["code"]))
    cols[1].metric("View", filmed(str(entry["view"])).removeprefix("from the "))
    if entry["compensation_note"]:  # the clean range is lower than the one with compensation
        st.info(reason_sentence(entry["compensation_note"]))
    if entry["reason"]:
        st.warning(reason_sentence(entry["reason"]))
    elif entry["hold_s"] is not None:
        st.caption(f"Held {entry['hold_s']:.1f} s from {entry['time_s']:.1f} s.")


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
_SAVE_LABEL = "Save measurement"


def _saved_key(analyzed: Analyzed, test: AssessmentTest, side: Side | None) -> str:
    """What one saved result is: this analysis (its folder), the test and the side."""
    return f"{analyzed.folder}|{test.id}|{side or ''}"


def _save_ui(
    analyzed: Analyzed, test: AssessmentTest, side: Side | None, entry: AssessmentSummary
) -> None:
    st.subheader("Save to a session")
    current = current_context()
    context_line_ui(current)
    if current is None:
        return
    store, session = current.store, current.session
    saved: tuple[int, int] | None = st.session_state.get(_SAVED, {}).get(
        _saved_key(analyzed, test, side)
    )
    if saved is not None:
        st.button(f"Saved as measurement #{saved[0]}", disabled=True, key="analyze_saved")
        st.caption(
            f"In session #{saved[1]}. To change its phase or delete it, open Session review."
        )
        return
    if entry["code"] == "wrong_side":
        st.info(f"Not saved: {plain_reason(entry['reason'])}.")
        return
    if not has_value(attempt_from_summary(entry)):  # "Save it anyway" would have nothing to save
        st.info(
            "Nothing to save: no end range was measured (why: see above). Record the test "
            "again, or choose another test above."
        )
        return
    phase = phase_ui("analyze")
    keep_rejected = False
    if entry["quality"] == "rejected":
        st.caption(
            f"This result failed its quality check (see above): it is saved only if you tick "
            f"**{_KEEP_REJECTED}**, and then marked as failing the check."
        )
        keep_rejected = st.checkbox(_KEEP_REJECTED, key="analyze_keep_rejected")
    st.button(
        _SAVE_LABEL,
        key="analyze_save",
        type="primary",
        disabled=session is None,
        on_click=_save,
        args=(store, session.id if session else 0, analyzed, test, side, phase, keep_rejected),
    )
    _save_error_ui()


def _save(
    store: Store,
    session_id: int,
    analyzed: Analyzed,
    test: AssessmentTest,
    side: Side | None,
    phase: str,
    keep_rejected: bool,
) -> None:
    """Save button callback. Callbacks run one at a time before the page, so a second click
    that arrives before the page showed "Saved" finds the result saved and stores nothing."""
    saved: dict[str, tuple[int, int]] = st.session_state.setdefault(_SAVED, {})
    key = _saved_key(analyzed, test, side)
    if key in saved:
        return
    try:
        measurement, recording = measurement_from_analysis(
            analyzed.result, test, side, phase=phase, keep_rejected=keep_rejected
        )
        record = store.add_measurement(session_id, measurement, recording)
    except RomcamError as exc:
        st.session_state[_SAVE_ERROR] = exc
        return
    saved[key] = (record.id, session_id)


def _save_error_ui() -> None:
    """The error the last Save click met (its callback ran before the page)."""
    exc: RomcamError | None = st.session_state.pop(_SAVE_ERROR, None)
    if isinstance(exc, RejectedResultError):  # its reason is shown above, in words
        st.error(
            "This result failed its quality check (see above) and was not saved: record it "
            f"again, or tick **{_KEEP_REJECTED}** to keep it."
        )
    elif exc is not None:
        show_error(exc, "save the measurement")


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
        result = analyzed.result
        entry = summary_for_test(result.table, test, side, pose=result.pose)
        layout = _result_ui(analyzed, test, side)
        with layout.result:
            _entry_ui(entry, test, side)
            _save_ui(analyzed, test, side, entry)
        curve = angle_curves_chart(
            result.table.to_dataframe(), [entry["metric"]], captured_from_summary(entry)
        )
        st.altair_chart(curve, width="stretch")
    except (RomcamError, ValueError) as exc:
        show_error(exc, "show the result")
        return
    _posture_ui(result.posture)
