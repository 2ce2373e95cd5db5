"""Trials of one live test and the pain mark, on synthetic subjects (no model): "trial k of n"
after each capture, the next trial starting once the arm is back at rest, and the angle where
pain began kept with the trial."""

from __future__ import annotations

import pytest

from romcam.core.assessments import assessment_test
from romcam.core.landmarks import PoseSequence
from romcam.live.trial_session import LiveConfig, TrialResult, TrialSession, TrialStep
from tests.unit.live.feed import frame_pose, frames, moving

#: The left arm raised to 150, 140 and 146 deg, each held 1.5 s, back to rest in between.
THREE_TRIALS = {
    "shoulder_abduction_left": (
        [0, 1, 2, 3.5, 4.5, 5.5, 6.5, 8.0, 9.0, 10.0, 11.0, 12.5, 13.5, 14.5],
        [10, 10, 150, 150, 10, 10, 140, 140, 10, 10, 146, 146, 10, 10],
    )
}


def _run_all(trials: int) -> tuple[list[TrialStep], list[TrialResult], TrialSession]:
    pose = moving(THREE_TRIALS, 14.5, "front")
    published: list[object] = []
    config = LiveConfig(test=assessment_test("shoulder_abduction"), side="left", trials=trials)
    session = TrialSession(config, published.append)
    steps = [session.step(img, t, frame_pose(pose, t), 1) for t, img in frames(pose)]
    return steps, [p for p in published if isinstance(p, TrialResult)], session


def test_three_trials_are_captured_one_after_the_other() -> None:
    steps, results, session = _run_all(3)
    assert [r.trial for r in results] == [1, 2, 3]
    assert [r.value for r in results] == [
        pytest.approx(150, abs=1.5),
        pytest.approx(140, abs=1.5),
        pytest.approx(146, abs=1.5),
    ]
    assert all(r.quality == "ok" for r in results), [r.reason for r in results]
    # The page reads "trial k of 3": 1 until the first capture, 2 once back at rest, then 3.
    shown = [(s.trial, s.trials, s.phase) for s in steps]
    assert shown[0] == (1, 3, "trial")
    assert (1, 3, "done") in shown and (2, 3, "trial") in shown and (3, 3, "done") in shown
    assert shown[-1] == (3, 3, "done") and session.trials_captured == 3
    firsts = [shown.index((k, 3, "trial")) for k in (1, 2, 3)]
    assert steps[firsts[1]].value == pytest.approx(10, abs=10)  # began back at rest


def test_no_next_trial_after_the_planned_ones() -> None:
    steps, results, _ = _run_all(1)
    assert len(results) == 1 and results[0].trial == 1
    assert {(s.trial, s.phase) for s in steps if s.phase == "done"} == {(1, "done")}


def _first_capture(trials: int) -> tuple[TrialSession, PoseSequence]:
    """A session planning ``trials`` trials, fed until its first capture."""
    pose = moving(THREE_TRIALS, 5.0, "front")
    config = LiveConfig(test=assessment_test("shoulder_abduction"), side="left", trials=trials)
    session = TrialSession(config, lambda item: None)
    for t, img in frames(pose):
        session.step(img, t, frame_pose(pose, t), 1)
        if session.captured is not None:
            break
    return session, pose


def test_new_trial_after_a_capture_keeps_the_count() -> None:
    session, _ = _first_capture(trials=2)
    assert session.trial_number == 1 and session.phase == "done"
    session.new_attempt()
    assert session.trial_number == 2 and session.phase == "trial"


def test_pain_mark_keeps_the_angle_where_pain_began() -> None:
    pose = moving(THREE_TRIALS, 5.0, "front")
    published: list[object] = []
    config = LiveConfig(test=assessment_test("shoulder_abduction"), side="left")
    session = TrialSession(config, published.append)
    marked_at = None
    for t, img in frames(pose):
        step = session.step(img, t, frame_pose(pose, t), 1)
        if marked_at is None and step.value > 100:
            session.mark_first_pain()  # the key press: the next frame's value counts
            marked_at = step.value
        elif marked_at is not None and step.value > 130:
            session.mark_first_pain()  # a second press in the same trial is ignored
        if session.captured is not None:
            break
    (result,) = [p for p in published if isinstance(p, TrialResult)]
    assert marked_at is not None and result.first_pain is not None
    # One frame later on a rising arm (140 deg/s at 30 fps): a few degrees above the press.
    assert marked_at < result.first_pain < marked_at + 8
    assert result.first_pain < result.value


def test_pain_mark_after_the_capture_is_ignored() -> None:
    session, pose = _first_capture(trials=1)
    session.mark_first_pain()
    t = 4.6
    step = session.step(next(img for _, img in frames(pose)), t, frame_pose(pose, t), 1)
    assert step.first_pain is None and session.captured is not None
    assert session.captured.first_pain is None


def test_a_capture_the_page_did_not_store_is_not_counted() -> None:
    """The page stores each capture; one that failed its check is not stored, so the next
    capture is still trial 1 and the planned trials are still all to come."""
    session, _ = _first_capture(trials=2)
    assert session.trials_captured == 1
    session.capture_not_kept()
    assert session.trials_captured == 0 and session.trial_number == 0
    session.new_attempt()
    assert session.trial_number == 1
