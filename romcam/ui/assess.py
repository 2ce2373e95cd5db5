"""Assess (live): guided test from the webcam, with live checks, hold capture and saving.

The camera widget (``live_camera_ui``) is the only part that needs a real browser; everything
else on the page runs under ``streamlit.testing.v1.AppTest``. Frames are handed to
:class:`romcam.live.processor.LiveProcessor`, which measures them on its own threads; this
page reads its results queue in a fragment that reruns once a second while the camera plays
(the video
itself carries the per-frame readout and hold cue; each rerun costs server and browser CPU).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import streamlit as st

from romcam.calibration import CalibrationProfile
from romcam.core.assessments import AssessmentTest, Side
from romcam.core.metric_specs import metric_spec
from romcam.errors import RomcamError
from romcam.live.processor import LiveProcessor, LiveUpdate, StreamEnded, drain
from romcam.live.recording import new_live_record_dir, remove_stale_live_files
from romcam.live.trial_session import LiveConfig, TrialResult
from romcam.live.trial_types import MAX_TRIALS
from romcam.ui.current import context_line_ui, current_context, start_session_now
from romcam.ui.live_save import LiveChoice, NotSaved, remove_dir, store_captured
from romcam.ui.live_save import save_trial as save_trial  # where it was before the split
from romcam.ui.live_status import (
    buttons_ui,
    camera_help_ui,
    readout_ui,
    saved_line,
    steps_ui,
)
from romcam.ui.live_trials import (
    LAST_SAVED,
    SavedTrial,
    pain_score_ui,
    pain_words,
    trials_so_far_ui,
)
from romcam.ui.previous_setup import previous_setup_for
from romcam.ui.settings import Settings, current_settings, model_path_for
from romcam.ui.widgets import (
    calibration_ui,
    instructions_ui,
    open_store,
    phase_ui,
    show_error,
    test_picker_ui,
)

if TYPE_CHECKING:
    from romcam.live.shown_track import ShownTrack
    from romcam.store import Store

log = logging.getLogger(__name__)

_PROCESSOR = "romcam_live_processor"
_SAVED = "romcam_live_saved"
#: Session-state key of the notice above the live read-out (a trial not saved, the camera lost).
LIVE_NOTICE = "romcam_live_notice"
_NOTICE = LIVE_NOTICE
#: Posture tests are a still pose held this long (s); ROM tests need this excursion (deg).
POSTURE_HOLD_S = 3.0
ROM_MIN_EXCURSION = 20.0


def live_config(
    test: AssessmentTest,
    side: Side | None,
    settings: Settings,
    calibration: CalibrationProfile | None = None,
    trials: int = 3,
) -> LiveConfig:
    """The live processor's settings for one test (posture tests are a 3 s still pose) done
    as ``trials`` trials."""
    posture = metric_spec(test.metric_id(side)).kind == "posture"
    return LiveConfig(
        test=test,
        side=side,
        model_path=model_path_for(settings),
        calibration=calibration,
        min_hold_s=POSTURE_HOLD_S if posture else 1.0,
        min_excursion=0.0 if posture else ROM_MIN_EXCURSION,
        record_fps=float(settings.camera_fps),
        trials=trials,
    )


def live_processor(config: LiveConfig) -> LiveProcessor:
    """This browser session's processor for ``config`` (a new one when the choice changed)."""
    held: LiveProcessor | None = st.session_state.get(_PROCESSOR)
    if held is not None and _same_test(held.config, config):
        return held
    if held is not None:
        held.close()  # drops an uncaptured attempt's files (a trial that failed to save stays)
    folder = new_live_record_dir(Path(current_settings().data_dir))
    processor = LiveProcessor(_with_dir(config, folder))
    st.session_state[_PROCESSOR] = processor
    return processor


def _same_test(a: LiveConfig, b: LiveConfig) -> bool:
    return _with_dir(a, None) == _with_dir(b, None)


def _with_dir(config: LiveConfig, folder: Path | None) -> LiveConfig:
    from dataclasses import replace

    return replace(config, record_dir=folder)


_KEEP_REJECTED = "Also save trials that fail the quality check"


def choice_ui(store: Store | None) -> LiveChoice:
    """The current client and session (chosen in the sidebar), phase, test, side and
    calibration pickers."""
    current = current_context()
    if current is not None:  # else the steps beside the camera say where to choose one
        context_line_ui(current)
    session = current.session if current else None
    phase = phase_ui("assess")
    test, side = test_picker_ui("assess")
    calibration = calibration_ui("assess")
    trials = st.number_input(
        "Trials per test",
        min_value=1,
        max_value=MAX_TRIALS,
        value=3,
        step=1,
        key="assess_trials",
        help="Clinical range of motion is the mean of (usually) three trials. Each trial is "
        "saved as its own measurement; after each one the next starts once the body part is "
        "back at the start position.",
    )
    keep_rejected = st.checkbox(
        _KEEP_REJECTED,
        key="assess_keep_rejected",
        help="A trial whose quality check fails (e.g. the end range was not held, or the "
        "camera saw the wrong side) is not saved unless this box is ticked; it is then saved "
        "marked as failing the check.",
    )
    instructions_ui(test, side)
    return LiveChoice(
        session.id if session else None,
        phase,
        test,
        side,
        calibration,
        keep_rejected,
        client_id=current.client.id if current else None,
        trials=int(trials),
    )


_SLOT_KEY = "romcam_live_slot"


@dataclass
class _Slot:
    """The processor the camera thread should use (swapped when the test changes) and the
    video track sent back to the browser (a new one per stream)."""

    processor: LiveProcessor | None = None
    track: ShownTrack | None = None

    def show(self, frame: Any) -> None:
        """Send ``frame`` (BGR array or PyAV frame) to the browser, once."""
        track = self.track
        if track is not None:
            track.show(frame)


#: Draws the camera widget for a processor; returns True while the camera plays.
CameraUi = Callable[[LiveProcessor, Settings], bool]

#: Messages streamlit-webrtc shows inside the video widget when the camera cannot be used.
CAMERA_TEXTS = {
    "start": "START",
    "stop": "STOP",
    "select_device": "SELECT DEVICE",
    "media_api_not_available": "This browser cannot use a camera here. Open the app as "
    "http://localhost:8501 (or over HTTPS) in Chrome, Edge or Firefox.",
    "device_ask_permission": "Allow this page to use the camera (see the browser's prompt).",
    "device_not_available": "No camera found. Plug in a webcam and press START again, or use "
    "'Analyze a recording' with a video file.",
    "device_access_denied": "Camera permission was denied. Allow the camera for this site in "
    "the browser's address bar, then press START again.",
}


_PREPARED = False
#: Seconds between refreshes of the live status panel.
STATUS_EVERY_S = 1.0
#: Python's thread switch interval while the camera runs (s; Python's default is 0.005).
SWITCH_INTERVAL_S = 0.001


def _prepare_process_for_live() -> None:
    """Keep the camera's threads from waiting on the Python lock (once per process).

    Streamlit runs ``gc.collect(2)`` after each script run (``runner.postScriptGC``), so also
    after each run of the status fragment, once a second. With the pose model, PyAV,
    aiortc, pandas and Streamlit loaded that scans ~250 000 objects for ~0.2-0.3 s holding
    the GIL, which stalls the camera thread: 3 frames/s instead of 12 in the browser.
    ``gc.freeze`` moves the objects alive now (modules, the loaded libraries) out of all later
    collections; newer objects are still collected as before.

    The pose model and the VP8 and H.264 codecs release the lock while they work and need it
    back after; with Python's default 5 ms switch interval each hand-back waits behind the
    measuring thread's Python code (a VP8 encoder ran 19 instead of 77 times a second beside
    one busy Python thread). A 1 ms interval hands the lock over sooner.
    """
    global _PREPARED
    if not _PREPARED:
        gc.collect()
        gc.freeze()
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        _PREPARED = True


def live_camera_ui(processor: LiveProcessor, settings: Settings) -> bool:
    """The webcam widget (streamlit-webrtc); returns True while the camera is playing.

    Needs a real browser: AppTest cannot run it, so it is kept apart from the page logic.
    """
    import time

    import av
    from streamlit_webrtc import WebRtcMode, create_video_sink_track, webrtc_streamer
    from streamlit_webrtc.config import Translations

    from romcam.live.shown_track import ShownTrack

    _prepare_process_for_live()
    # The camera callback reads the processor from this slot at every frame, so a callback left
    # from an earlier run never feeds a processor the page has replaced.
    slot: _Slot = st.session_state.setdefault(_SLOT_KEY, _Slot())
    slot.processor = processor

    if slot.track is None or slot.track.readyState != "live":
        slot.track = ShownTrack()
    processor.on_annotated = slot.show

    def on_frame(frame: av.VideoFrame) -> None:
        # On the stream's event loop: hand the frame over and return at once (the model runs
        # on the processor's pipeline threads, which also report its errors to the page and
        # send each annotated frame to the track once). Until the first annotated frame, and
        # once processing has failed, the browser gets the camera's own frames.
        current = slot.processor
        if current is None or current.error:
            slot.show(frame)
            return
        t = float(frame.time) if frame.time is not None else time.monotonic()
        if current.offer(frame, t) is None:
            slot.show(frame)

    def on_ended() -> None:
        if slot.processor is not None:
            slot.processor.stream_ended()
        if slot.track is not None:
            slot.track.stop()  # the next stream gets a new track, without this one's frames

    no_ice_servers: dict[str, Any] = {"iceServers": []}  # localhost: no STUN/TURN lookups
    ctx = webrtc_streamer(
        key="romcam-live",
        mode=WebRtcMode.SENDRECV,
        rtc_configuration=no_ice_servers,
        media_stream_constraints=settings.media_constraints(),
        # The camera's frames go to a sink, the browser gets only new annotated frames: a
        # frame callback would send (and encode) one frame per camera frame, repeating the
        # last annotated one while the model is busy.
        sink_video_track=create_video_sink_track(on_frame, key="romcam-live", on_ended=on_ended),
        source_video_track=slot.track,
        translations=cast(Translations, CAMERA_TEXTS),
    )
    return bool(ctx.state.playing)


def read_messages(
    processor: LiveProcessor, save: Callable[[TrialResult], bool]
) -> LiveUpdate | None:
    """Read the processor's queue: ``save`` each captured trial (False: not stored, so not
    counted), note stream ends in :data:`LIVE_NOTICE`; the latest update."""
    latest = None
    for item in drain(processor.results):
        if isinstance(item, LiveUpdate):
            latest = item
        elif isinstance(item, TrialResult) and not save(item):
            processor.capture_not_kept()  # "trial k of n" counts the stored trials
        elif isinstance(item, StreamEnded) and item.lost_trial:
            st.session_state[_NOTICE] = (
                "The camera stopped before the end range was captured, so that attempt was not "
                "saved. Measurements saved earlier are safe. Press START to try again."
            )
        elif isinstance(item, str):
            st.session_state[_NOTICE] = item
    return latest or processor.latest


def _save_captured(store: Store | None, choice: LiveChoice | None, result: TrialResult) -> bool:
    """Store a captured trial and say so on the page; False when it was not stored."""
    if choice is None or choice.session_id is None or store is None:
        if result.video_path is not None:
            remove_dir(result.video_path.parent)  # nothing was saved: its recording goes too
        st.session_state[_NOTICE] = (
            "Captured, but not saved: choose a client and a session first, then capture again."
        )
        return False
    record = store_captured(store, choice, result)
    if isinstance(record, NotSaved) and record.rejected:
        why = record.why
        st.session_state[_NOTICE] = (
            f"{why[:1].upper()}{why[1:]}, or tick “{_KEEP_REJECTED}” to keep such trials."
        )
        return False
    if isinstance(record, NotSaved):
        st.session_state[_NOTICE] = f"The captured trial could not be saved: {record.why}."
        return False
    saved: list[str] = st.session_state.setdefault(_SAVED, [])
    line = saved_line(
        record.id,
        result.test_id,
        result.side,
        choice.phase,
        record.value,
        record.quality,
        record.quality_reason,
    )
    saved.append(f"{line} · trial {result.trial}" + pain_words(record.first_pain, record.unit))
    st.session_state[LAST_SAVED] = SavedTrial(record.id, result.trial, record.value)
    st.toast(f"Saved: {saved[-1]}", icon=":material/check_circle:")
    return True


def status_ui(
    processor: LiveProcessor, store: Store | None, choice: LiveChoice | None, playing: bool
) -> None:
    """Beside the video: notices, the live read-out while the camera plays (cleared when it
    stops), the capture buttons and the trials saved."""
    update = read_messages(processor, lambda result: _save_captured(store, choice, result))
    if st.session_state.get(_NOTICE):
        st.warning(st.session_state[_NOTICE])
    if playing and update is None:
        st.caption("Starting: the first frames load the pose model (a few seconds).")
    elif playing and update is not None:
        readout_ui(update, processor.config.metric_id, processor.config.min_excursion > 0)
    if buttons_ui(processor, playing, update):
        st.session_state.pop(_NOTICE, None)
    if store is not None and choice is not None:
        pain_score_ui(store)
        trials_so_far_ui(store, choice.session_id, choice.phase, choice.test.id, choice.side)
    for line in reversed(st.session_state.get(_SAVED, [])):
        st.write(f":material/check_circle: Saved {line}")


def _camera_for_client(camera_ui: CameraUi, processor: LiveProcessor, settings: Settings) -> bool:
    """The camera widget once a client is chosen (until then the steps say to choose one);
    START with no session starts today's session for the client. True while the camera
    plays."""
    current = current_context()
    if current is None:
        return False
    playing = camera_ui(processor, settings)
    if playing and current.session is None and start_session_now(current) is not None:
        st.rerun()  # the new session reaches the sidebar, the pickers and the live panel
    return playing


def assess_page(camera_ui: CameraUi = live_camera_ui) -> None:
    """The page. ``camera_ui`` draws the camera widget; AppTest passes one without a browser."""
    st.title("Assess (live)")
    store = open_store()
    settings = current_settings()
    remove_stale_live_files(Path(settings.data_dir))  # left by an earlier server: never saved
    left, right = st.columns([2, 3], gap="large")
    with left:
        choice = choice_ui(store)
    try:
        config = live_config(
            choice.test, choice.side, settings, choice.calibration, trials=choice.trials
        )
    except RomcamError as exc:
        show_error(exc, "load the pose model (see Settings)")
        return
    processor = live_processor(config)
    processor.set_previous_setup(
        previous_setup_for(store, choice.client_id, choice.session_id, choice.test.id, choice.side)
    )
    with right:
        playing = _camera_for_client(camera_ui, processor, settings)
        if not playing:
            steps_ui(choice.client_id is not None, choice.session_id is not None)
            if choice.client_id is not None:  # the camera widget is drawn
                camera_help_ui()
        st.fragment(status_ui, run_every=STATUS_EVERY_S if playing else None)(
            processor, store, choice, playing
        )
