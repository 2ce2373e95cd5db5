"""Assess (live) page logic under AppTest: pickers, instructions, live read-out panel, saving
of captured trials. The camera widget itself needs a real browser (tests/e2e); here the page
is drawn with a camera function that shows nothing and says the camera plays when the test
sets ``PLAYING`` in the session state, and live updates and captured trials are put on the
real processor's queue as the camera thread would."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from romcam.core.metric_table import MetricTable
from romcam.live.processor import LiveUpdate, StreamEnded, TrialResult
from romcam.live.recording import UNSAVED_DIR
from romcam.store import Store
from romcam.ui.live_status import CAMERA_HELP_TITLE
from tests.integration.ui.app_helpers import write_trial_files

PLAYING = "test_camera_playing"
SCRIPT = f"""
import streamlit as st
from romcam.ui.assess import assess_page
assess_page(camera_ui=lambda processor, settings: st.session_state.get({PLAYING!r}, False))
"""


def _app(playing: bool = False) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=60)
    at.session_state[PLAYING] = playing
    return at


@pytest.fixture
def session_id(data_dir: Path) -> int:
    with Store.open() as store:
        client = store.add_client("Live Client")
        return store.start_session(client.id).id


def _trial(tmp: Path, value: float = 151.0) -> TrialResult:
    files = write_trial_files(tmp / "trial-001", "shoulder_abduction_right", value)
    table = MetricTable.from_dataframe(pd.read_csv(files.angles))
    return TrialResult(
        test_id="shoulder_abduction",
        side="right",
        metric_id="shoulder_abduction_right",
        value=value,
        view="front",
        quality="ok",
        reason="",
        held_max=value,
        held_min=0.0,
        start=0.0,
        excursion=value,
        neutral=None,
        table=table,
        trigger="auto",
        video_path=files.video,
        landmarks_path=None,
        angles_path=files.angles,
        duration_s=3.0,
    )


def _update(**changes: object) -> LiveUpdate:
    """A live update of a front-view trial at 1 s, 30 frames in; ``changes`` replace fields."""
    fields: dict = {
        "time_s": 1.0,
        "frames": 30,
        "phase": "trial",
        "value": 90.0,
        "view": "front",
        "problems": (),
        "people": 1,
        "hold_progress": 0.0,
        "fps": 30.0,
        "camera_fps": 30.0,
    }
    return LiveUpdate(**(fields | changes))


def _processor(at: AppTest):
    return at.session_state["romcam_live_processor"]


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_files_left_by_an_earlier_server_are_removed(data_dir: Path) -> None:
    """Recordings under live-tmp were never saved (a crash, a restart mid-trial): the page
    removes them when it starts, and its own processor records there."""
    stale = data_dir / "live-tmp" / "0123456789ab" / "trial-001"
    stale.mkdir(parents=True)
    (stale / "trial.mp4").write_bytes(b"raw client video")
    (stale / "landmarks.csv").write_text("frame,time_s\n")
    at = _app().run()
    assert not at.exception
    assert not (data_dir / "live-tmp" / "0123456789ab").exists()
    record_dir = _processor(at).config.record_dir
    assert record_dir is not None and record_dir.parent == data_dir / "live-tmp"


@pytest.mark.parametrize(
    ("test_id", "has_side", "neutral_button"),
    [("neck_rotation", True, True), ("posture_side", False, False), ("knee_flexion", True, False)],
)
def test_test_choice_sets_side_instructions_and_buttons(
    session_id: int, test_id: str, has_side: bool, neutral_button: bool
) -> None:
    at = _app().run()
    at.selectbox(key="assess_test").set_value(test_id).run()
    assert not at.exception
    assert (
        (at.radio(key="assess_side") is not None)
        if has_side
        else not any(r.key == "assess_side" for r in at.radio)
    )
    text = " ".join(m.value for m in at.markdown)
    assert "**Camera:**" in text and "**Movement:**" in text
    labels = [b.label for b in at.button]
    assert ("Capture neutral now" in labels) == neutral_button
    assert _processor(at).config.test.id == test_id


def test_captured_trial_is_saved_with_its_recording(session_id: int, tmp_path: Path) -> None:
    at = _app(playing=True).run()
    at.selectbox(key="assess_test").set_value("shoulder_abduction").run()
    at.radio(key="assess_side").set_value("right").run()
    processor = _processor(at)
    processor.results.put(_update(value=149.5, hold_progress=0.4, fps=29.0))
    processor.results.put(_trial(tmp_path))
    at.run()
    assert not at.exception and not at.error
    saved = [m.value for m in at.markdown if "Saved #" in m.value]
    assert saved and "Shoulder abduction (right), before: 151.0 deg" in saved[0]
    assert "quality" not in saved[0]  # an ok value is just the value
    assert any("149.5 deg" in m.value for m in at.metric)
    assert "Measuring 29 of the camera's 30 frames per second." in _captions(at)
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
    assert (m.test, m.side, m.phase, m.source, m.quality) == (
        "shoulder_abduction",
        "right",
        "before",
        "live",
        "ok",
    )
    assert m.value == pytest.approx(151.0) and m.recording is not None
    assert m.recording.video_path and m.recording.angles_path
    assert not (tmp_path / "trial-001").exists()  # the store keeps its own copies


def test_setup_problems_are_listed(session_id: int) -> None:
    at = _app(playing=True).run()
    problems = ("Face the camera square on (turn towards it).", "Not in the picture: right hip.")
    _processor(at).results.put(
        _update(value=math.nan, view="side_left", problems=problems, people=2, fps=25.0)
    )
    at.run()
    assert "Fix the set-up" in at.error[0].value
    assert all(p in at.error[0].value for p in problems)
    assert [m.value for m in at.metric if m.label == "View"] == ["Side view (left side)"]


def test_after_a_capture_the_set_up_checks_are_a_note_not_an_alarm(session_id: int) -> None:
    """After a capture a red "Fix the set-up: Hard to see: right wrist" box stayed while the
    arm was down: now a note for the next trial, red again once a new trial starts."""
    at = _app(playing=True).run()
    problems = ("Hard to see: right wrist; improve the light or uncover it.",)
    _processor(at).results.put(_update(phase="done", problems=problems, hold_progress=1.0))
    at.run()
    assert not at.exception and list(at.error) == []
    [note] = [i.value for i in at.info if "set-up" in i.value]
    assert note.startswith("**For the next trial, check the set-up:**") and problems[0] in note
    _processor(at).results.put(_update(phase="trial", problems=problems))  # New trial
    at.run()
    assert "Fix the set-up" in at.error[0].value and problems[0] in at.error[0].value


@pytest.mark.parametrize(
    ("measured", "hint"), [(17.0, "set the camera frame rate to 15"), (28.0, None)]
)
def test_a_computer_that_falls_behind_the_camera_is_told_what_to_do(
    session_id: int, measured: float, hint: str | None
) -> None:
    at = _app(playing=True).run()
    update = _update(time_s=4.0, frames=120, value=90.0, fps=measured)
    _processor(at).results.put(update)
    at.run()
    [caption] = [c for c in _captions(at) if "frames per second" in c]
    assert caption.startswith(f"Measuring {measured:.0f} of the camera's 30 frames per second.")
    if hint is None:
        assert "cannot keep up" not in caption and "Settings" not in caption
    else:
        assert "This computer cannot keep up" in caption and hint in caption


def test_camera_stopping_mid_trial_is_explained(session_id: int) -> None:
    at = _app().run()
    _processor(at).results.put(StreamEnded(frames=40, lost_trial=True))
    at.run()
    assert not at.exception
    assert "camera stopped before the end range was captured" in at.warning[0].value
    assert "saved earlier are safe" in at.warning[0].value


def test_a_rejected_trial_is_saved_only_when_asked(session_id: int, tmp_path: Path) -> None:
    """The same rule as the Analyze page and `romcam measure --keep-rejected`; nothing of a
    trial that was not saved stays on disk."""
    reason = "shoulder_abduction_right needs a front view; the subject was filmed from the side"
    at = _app().run()
    at.selectbox(key="assess_test").set_value("shoulder_abduction").run()
    at.radio(key="assess_side").set_value("right").run()
    rejected = replace(_trial(tmp_path / "first"), quality="rejected", reason=reason)
    _processor(at).results.put(rejected)
    at.run()
    assert not at.exception
    notice = at.warning[0].value
    assert "failed its quality check" in notice and "was not saved" in notice
    assert "(Shoulder abduction (right) needs a front view;" in notice
    assert "shoulder_abduction_right" not in notice
    assert "Also save trials that fail the quality check" in notice
    assert not (tmp_path / "first" / "trial-001").exists()
    with Store.open() as store:
        assert store.list_measurements(session_id) == []
    at.checkbox(key="assess_keep_rejected").check().run()
    _processor(at).results.put(
        replace(_trial(tmp_path / "second"), quality="rejected", reason=reason)
    )
    at.run()
    assert not at.exception
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
    assert (m.quality, m.quality_reason, m.value) == ("rejected", reason, 151.0)


@pytest.mark.parametrize(
    ("with_session", "value", "blocked", "message"),
    [
        (True, math.nan, False, "could not be saved: no end range was measured"),
        (True, 151.0, True, "could not be saved: "),
        (False, 151.0, False, "Captured, but not saved: choose a client"),
    ],
)
def test_unsavable_capture_is_explained(
    data_dir: Path, tmp_path: Path, with_session: bool, value: float, blocked: bool, message: str
) -> None:
    if with_session:
        with Store.open() as store:
            store.start_session(store.add_client("C").id)
    at = _app().run()
    if blocked:  # the recordings folder cannot be written (a file is in its way)
        (data_dir / "recordings").write_text("in the way")
    _processor(at).results.put(_trial(tmp_path, value))
    at.run()
    assert not at.exception
    assert message in at.warning[0].value
    if blocked:  # nothing lost: moved where no cleaning of live-tmp reaches it
        assert "Its recording is kept in" in at.warning[0].value
        [kept] = (data_dir / UNSAVED_DIR).glob("*/trial.mp4")
        assert str(kept.parent) in at.warning[0].value
        assert "shoulder_abduction-before" in kept.parent.name
        assert not (tmp_path / "trial-001").exists()
    elif not with_session:  # captured, not saved: no raw client video is left behind
        assert not (tmp_path / "trial-001").exists()
    with Store.open() as store:
        assert store.measurements_frame().empty


def test_processing_error_is_shown(session_id: int) -> None:
    at = _app().run()
    _processor(at).report_error("pose model not found at /x.task; pass --model PATH")
    at.run()
    assert not at.exception
    assert "pose model not found" in at.warning[0].value


# --- the panel beside the camera: steps, camera help, capture button, after STOP -------------


def _steps(at: AppTest) -> str:
    [steps] = [m.value for m in at.markdown if "Press START under the video" in m.value]
    return steps


def test_a_fresh_page_shows_the_steps_not_the_camera_errors(data_dir: Path) -> None:
    """A newcomer saw a large blue box of browser exceptions before anything went wrong: now
    the three steps, nothing done yet."""
    at = _app().run()
    assert not at.exception
    assert not any("NotFoundError" in e.value for e in [*at.info, *at.markdown])
    assert [e.label for e in at.expander] == []  # no camera yet, so no camera help either
    steps = _steps(at)
    assert "**1 · Add or choose a client (sidebar)**" in steps  # the next step, in bold
    assert ":gray[" not in steps  # nothing done yet


def test_a_fresh_page_says_where_to_start_once(data_dir: Path) -> None:
    """Two blue boxes ("Choose or add a client in the sidebar", "START appears here once a
    client is chosen") repeated the steps' first line: the steps alone say it now."""
    at = _app().run()
    assert not at.exception
    assert [i.value for i in at.info] == []
    assert "Add or choose a client (sidebar)" in _steps(at)


def test_the_buttons_beside_the_camera_leave_no_gap(session_id: int) -> None:
    """Capture now and New trial sat in the 2nd and 3rd of three columns, the first left empty
    for a neutral button that shoulder abduction does not have: they start at the left now."""
    at = _app().run()
    assert not at.exception
    assert all(len(column.children) > 0 for column in at.columns)
    buttons = ["Capture now", "Pain starts here", "New trial"]
    rows = [b for b in at.get("flex_container") if _labels(b) == buttons]
    assert len(rows) == 1


def _labels(block) -> list[str]:
    return [getattr(child, "label", None) for child in block.children.values()]


def test_the_steps_tick_what_is_done_and_the_camera_help_is_folded(session_id: int) -> None:
    at = _app().run()
    steps = _steps(at)
    assert ":gray[1 · Add or choose a client (sidebar)]" in steps
    assert ":gray[2 · Start today's session (sidebar)]" in steps
    assert "**3 · Press START under the video**" in steps
    assert not any("NotFoundError" in e.value for e in [*at.info, *at.warning, *at.error])
    [help_box] = [e for e in at.expander if e.label == CAMERA_HELP_TITLE]
    assert help_box.proto.expanded is False  # the camera's error messages, behind a plain title
    assert "NotFoundError" in help_box.markdown[0].value


def test_capture_now_is_usable_only_during_a_trial_with_the_camera_on(session_id: int) -> None:
    """It was a red primary button that silently did nothing without a camera."""
    at = _app().run()
    button = at.button(key="assess_capture")
    assert button.disabled and "Press START first" in button.help
    assert button.proto.type == "secondary"  # the capture is normally automatic
    assert at.button(key="assess_new_trial").disabled
    at.session_state[PLAYING] = True
    at.run()
    assert at.button(key="assess_capture").disabled  # no frame measured yet
    assert "loading" in at.button(key="assess_capture").help
    _processor(at).results.put(_update(phase="trial"))
    at.run()
    assert not at.button(key="assess_capture").disabled
    assert not at.button(key="assess_new_trial").disabled
    _processor(at).results.put(_update(phase="done", hold_progress=1.0))
    at.run()
    assert at.button(key="assess_capture").disabled
    assert "New trial" in at.button(key="assess_capture").help


def test_stop_clears_the_live_read_out(session_id: int) -> None:
    """After STOP the value, the frame rate and the "Fix the set-up" box stayed on screen."""
    at = _app(playing=True).run()
    problems = ("Not in the picture: right hip; step back or move the camera.",)
    _processor(at).results.put(_update(value=120.0, problems=problems, fps=14.0, camera_fps=15.0))
    at.run()
    assert any(m.value == "120.0 deg" for m in at.metric) and "Fix the set-up" in at.error[0].value
    assert any("Measuring 14 of the camera's 15" in c for c in _captions(at))
    at.session_state[PLAYING] = False  # STOP
    at.run()
    assert not at.exception
    assert list(at.metric) == [] and list(at.error) == [] and list(at.success) == []
    assert not any("frames per second" in c for c in _captions(at))
    assert "Press START under the video" in _steps(at)


def test_plain_words_for_a_kept_rejected_trial(session_id: int, tmp_path: Path) -> None:
    """No test, metric or quality ids on the page: labels and words."""
    reason = "shoulder_abduction_right needs a front view; the subject was filmed from the side"
    at = _app().run()
    at.selectbox(key="assess_test").set_value("shoulder_abduction").run()
    at.radio(key="assess_side").set_value("right").run()
    at.checkbox(key="assess_keep_rejected").check().run()
    _processor(at).results.put(replace(_trial(tmp_path), quality="rejected", reason=reason))
    at.run()
    [saved] = [m.value for m in at.markdown if "Saved #" in m.value]
    assert "Shoulder abduction (right), before: 151.0 deg (rejected: Shoulder abduction " in saved
    assert "shoulder_abduction" not in saved and "quality" not in saved
