"""The client's home check under AppTest (client mode): the plan's tests one at a time in
plain words, no clinical control, a trial captured through the real live processor (a
scripted estimator in place of the model) saved in the client's own store with an
encouraging sentence, and app.py showing only the home check's pages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from romcam.home.local import HOME_PHASE
from romcam.live.processor import LiveProcessor
from romcam.store import Store
from tests.conftest import REPO_ROOT
from tests.integration.ui.home_helpers import RAISE, home_app, home_plan
from tests.integration.ui.test_assess_page import _trial
from tests.unit.live.feed import ScriptedEstimator, frames, moving

__all__ = ["home_plan"]

#: The clinical controls of the Assess page (widget keys) the client never sees.
CLINICAL_KEYS = (
    "assess_phase",
    "assess_calibration",
    "assess_keep_rejected",
    "assess_trials",
    "assess_capture",
    "assess_capture_neutral",
    "assess_test",
    "current_client",
)
Keyframes = dict[str, tuple[list[float], list[float]]]
RAISE_TWICE: Keyframes = {
    "shoulder_abduction_right": (
        [0.0, 1.0, 2.0, 3.5, 4.5, 5.5, 6.5, 8.0, 9.0],
        [10.0, 10.0, 150.0, 150.0, 10.0, 10.0, 152.0, 152.0, 10.0],
    )
}
RAISE_RIGHT: Keyframes = {
    "shoulder_abduction_right": ([0.0, 1.0, 2.0, 3.5, 4.5], [10.0, 10.0, 150.0, 150.0, 10.0])
}


def _keys(at: AppTest) -> set[str]:
    widgets = [*at.button, *at.checkbox, *at.selectbox, *at.radio, *at.number_input]
    return {w.key for w in widgets if w.key}


def _text(at: AppTest) -> str:
    return "\n".join(e.value for e in [*at.markdown, *at.caption, *at.subheader])


def _processor(at: AppTest) -> LiveProcessor:
    return at.session_state["romcam_live_processor"]


def _moved(keyframes: Keyframes, duration_s: float) -> AppTest:
    """The page with the camera playing, after the client moved as ``keyframes`` say in front
    of it: every frame through the page's own live processor, a scripted estimator in place
    of the pose model (its factory seam), then the page's next run."""
    at = home_app(playing=True).run()
    processor = _processor(at)
    pose = moving(keyframes, duration_s, "front")
    processor._make_estimator = lambda: ScriptedEstimator(pose)
    for t, img in frames(pose):
        processor.process(img, t)
    at.run()
    assert not at.exception and not at.error
    return at


def test_the_page_shows_the_plan_one_test_at_a_time(home_plan: Path) -> None:
    at = home_app().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "My home check"
    text = _text(at)
    assert "Hello, **Ada Client**!" in text
    assert at.subheader[0].value == "Test 1 of 2: Shoulder abduction, right"
    assert f"**From your therapist:** {RAISE}" in text
    assert "Do it 2 times" in text
    assert "nothing is sent anywhere" in text  # the privacy note
    assert "**Doorway stretch**: daily. 30 s." in text
    assert not set(CLINICAL_KEYS) & _keys(at)
    assert {b.label for b in at.button} == {
        "Previous test",
        "Next test",
        "Pain starts here",
        "Start this one again",
    }
    config = _processor(at).config
    assert (config.test.id, config.side, config.trials) == ("shoulder_abduction", "right", 2)
    at.button(key="home_next").click().run()
    assert at.subheader[0].value == "Test 2 of 2: Knee flexion, left"
    config = _processor(at).config
    assert (config.test.id, config.side, config.trials) == ("knee_flexion", "left", 1)


def test_a_trial_captured_live_is_saved_and_praised(home_plan: Path) -> None:
    at = _moved(RAISE_RIGHT, 4.5)
    with Store.open() as store:
        [client] = store.list_clients()
        [session] = store.list_sessions(client.id)  # today's, made with the first trial
        [trial] = store.list_measurements(session.id)
    assert client.name == "Ada Client"
    assert (trial.test, trial.side, trial.phase, trial.source) == (
        "shoulder_abduction",
        "right",
        HOME_PHASE,
        "live",
    )
    assert trial.value == pytest.approx(150.0, abs=3.0)
    assert trial.recording is not None and trial.recording.landmarks_path
    shown = f"{trial.value:.0f}°"
    more = f"{trial.value - 140.0:.0f}°"
    [praise] = [s.value for s in at.success if s.value.startswith("Great")]
    assert praise == (
        f"Great — {shown}, {more} more than at the clinic. Your target is 160°: "
        f"{160.0 - trial.value:.0f}° to go."
    )
    assert "**Time 2 of 2**" in _text(at)  # back at the start: the second began by itself
    picker: Any = at.get("button_group")[-1]  # the pain score of the trial just saved
    picker.set_value(2).run()
    with Store.open() as store:
        assert store.get_measurement(trial.id).pain_score == 2


def test_both_trials_done_tick_the_test_off(home_plan: Path) -> None:
    at = _moved(RAISE_TWICE, 9.0)
    with Store.open() as store:
        [client] = store.list_clients()
        [session] = store.list_sessions(client.id)
        assert len(store.list_measurements(session.id)) == 2
    text = _text(at)
    assert ":green[:material/check_circle:] Shoulder abduction, right: done" in text
    assert "**All 2 done for this test.** Well done!" in text


def test_without_a_plan_the_page_says_how_to_start(data_dir: Path) -> None:
    at = home_app().run()
    assert not at.exception
    assert "romcam home PLANFILE" in at.error[0].value


def test_a_damaged_plan_is_refused(home_plan: Path) -> None:
    home_plan.write_text(home_plan.read_text().replace("Ada Client", "Eve Client"))
    at = home_app().run()
    assert not at.exception
    assert "the plan file was changed after it was exported" in at.error[0].value


@pytest.fixture
def no_camera_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real camera widget needs a browser: here it draws nothing and never plays."""
    import streamlit_webrtc

    stopped = SimpleNamespace(state=SimpleNamespace(playing=False))
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **_: stopped)
    monkeypatch.setattr(streamlit_webrtc, "create_video_sink_track", lambda *_, **__: None)


def test_client_mode_shows_only_the_home_check_pages(
    home_plan: Path, no_camera_widget: None
) -> None:
    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "My home check"
    pages = {info.get("url_pathname") for info in at._registered_pages.values()}
    assert pages == {"", "my-progress"}  # the home check is the start page
    assert not at.sidebar.selectbox  # no client picker, no sessions
    assert not set(CLINICAL_KEYS) & _keys(at)


def test_a_trial_that_fails_its_check_is_not_kept(home_plan: Path, tmp_path: Path) -> None:
    at = home_app(playing=True).run()
    rejected = replace(_trial(tmp_path), quality="rejected", reason="the right wrist was hidden")
    _processor(at).results.put(rejected)
    at.run()
    assert not at.exception and not at.error
    assert at.warning[0].value.startswith("That one did not count (")
    assert "No problem: go back to the start and try again" in at.warning[0].value
    assert rejected.video_path is not None and not rejected.video_path.exists()
    with Store.open() as store:
        [client] = store.list_clients()
        assert all(not store.list_measurements(s.id) for s in store.list_sessions(client.id))
