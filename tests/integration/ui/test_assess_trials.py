"""Assess (live) under AppTest: a test done as "trial k of n", the pain key's button, the pain
mark and the 0-10 pain score stored with each trial, and the trials' mean ± SD beside the
camera once they are saved."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from romcam.store import Store
from tests.integration.ui.test_assess_page import _app, _processor, _trial, _update


def _shoulder(at):
    at.selectbox(key="assess_test").set_value("shoulder_abduction").run()
    at.radio(key="assess_side").set_value("right").run()
    return _processor(at)


def _texts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_page_says_which_trial_of_how_many(session_id: int) -> None:
    at = _app(playing=True).run()
    at.number_input(key="assess_trials").set_value(3).run()
    processor = _shoulder(at)
    assert processor.config.trials == 3
    processor.results.put(_update(trial=2, trials=3))
    at.run()
    assert "**Trial 2 of 3**" in _texts(at)
    processor.results.put(_update(phase="done", trial=2, trials=3, hold_progress=1.0))
    at.run()
    assert "Trial 2 of 3 captured.** Go back to the start position: trial 3" in _texts(at)
    processor.results.put(_update(phase="done", trial=3, trials=3, hold_progress=1.0))
    at.run()
    assert "**All 3 trials captured.**" in _texts(at)


def test_pain_button_marks_the_trial_only_while_it_runs(session_id: int) -> None:
    at = _app(playing=True).run()
    processor = _shoulder(at)
    button = at.button(key="assess_first_pain")
    assert button.disabled and "loading" in button.help  # no frame measured yet
    processor.latest = _update(phase="trial")  # as the processor keeps its newest read-out
    processor.results.put(processor.latest)
    at.run()
    button = at.button(key="assess_first_pain")
    assert not button.disabled and "P key" in button.help
    button.click().run()
    assert "pain" in processor._session._commands  # reaches the trial at the next frame


def test_three_trials_are_saved_with_pain_and_shown_with_their_mean(
    session_id: int, tmp_path: Path
) -> None:
    at = _app(playing=True).run()
    processor = _shoulder(at)
    for k, (value, pain) in enumerate([(150.0, 120.0), (140.0, None), (146.0, 118.0)], start=1):
        trial = replace(_trial(tmp_path / f"t{k}", value), trial=k, first_pain=pain)
        processor.results.put(trial)
        at.run()
        assert not at.exception and not at.error
        # The 0-10 pain score of the trial just saved: picked, it is stored with it.
        picker = at.get("button_group")[-1]
        assert f"trial {k}" in picker.label
        picker.set_value(k + 2).run()
        assert any(f"Pain score {k + 2}/10 stored" in c.value for c in at.caption)
    with Store.open() as store:
        trials = store.list_measurements(session_id)
    assert [m.value for m in trials] == [150.0, 140.0, 146.0]
    assert [m.first_pain for m in trials] == [120.0, None, 118.0]
    assert [m.pain_score for m in trials] == [3, 4, 5]
    text = _texts(at)
    assert "**Shoulder abduction (right), before: 145 ± 5°, 3 trials**" in text
    assert any("Trials: 150°, 140°, 146°" in c.value for c in at.caption)
    saved = [m.value for m in at.markdown if "Saved #" in m.value]
    assert saved[0].endswith("· trial 3, pain from 118°")


def test_a_trial_not_saved_is_not_counted(session_id: int, tmp_path: Path) -> None:
    at = _app(playing=True).run()
    processor = _shoulder(at)
    processor._session.trials_captured = 1  # as after the capture below
    rejected = replace(_trial(tmp_path), quality="rejected", reason="right wrist hidden")
    processor.results.put(rejected)
    processor.results.put(_update(phase="done", trial=0, trials=3, hold_progress=1.0))
    at.run()
    assert processor._session.trials_captured == 0
    assert "failed its quality check" in at.warning[0].value
    assert "**Trial 1 of 3 was not saved:** go back to the start position" in _texts(at)
