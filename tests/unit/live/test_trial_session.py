"""romcam.live.trial_session on synthetic subjects, no model: the neutral, the hold, the capture,
and what each way an attempt ends leaves on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.landmarks import PoseSequence
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.metric_table import MetricTable
from romcam.live.trial_session import LiveConfig, TrialResult, TrialSession, trial_summary
from romcam.media.video import probe_video
from tests.unit.live.feed import FPS, HeadScript, frame_pose, frames, moving, turning_head

#: Left arm: rest, raised to 150 deg, held 1.5 s, lowered.
ABDUCTION = {"shoulder_abduction_left": ([0, 1, 2, 3.5, 4.5], [10, 10, 150, 150, 10])}
#: Head turned 8 deg to the left at rest (the neutral), then to 48 deg, held, and back.
ROTATION = {"neck_rotation": ([0, 1.5, 2.5, 4.0, 5.0], [8, 8, 48, 48, 8])}
#: The face model's head in the neck tests: it turns as the body's synthetic head does.
ROTATION_HEAD = turning_head(*ROTATION["neck_rotation"])


def _config(test_id: str, record_dir: Path | None, **changes: object) -> LiveConfig:
    return LiveConfig(test=assessment_test(test_id), side="left", record_dir=record_dir, **changes)


def _run(
    session: TrialSession,
    pose: PoseSequence,
    start: int = 0,
    stop: int | None = None,
    head: HeadScript | None = None,
):
    """Feed frames of ``pose`` (and the face model's ``head``) until a capture; the steps."""
    steps = []
    for t, img in frames(pose, start, stop):
        found = head(t) if head is not None else None
        steps.append(session.step(img, t, frame_pose(pose, t), 1, head=found))
        if session.captured is not None:
            break
    return steps


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def test_held_end_range_is_captured_with_its_files(tmp_path: Path) -> None:
    pose = moving(ABDUCTION, 5.5, "front")
    published: list[object] = []
    session = TrialSession(_config("shoulder_abduction", tmp_path), published.append)
    steps = _run(session, pose)
    trial = session.captured
    assert trial is not None and published == [trial]
    assert trial.trigger == "auto" and trial.quality == "ok", trial.reason
    assert trial.value == pytest.approx(150.0, abs=1.5) and trial.view == "front"
    assert trial.held_max == pytest.approx(trial.value) and trial.held_min < 15
    assert 3.5 < steps[-1].value < 150 and steps[-1].phase == "done"  # captured on the way down
    assert steps[-1].captured == trial.value
    assert [s.phase for s in steps[:-1]] == ["trial"] * (len(steps) - 1)
    assert max(s.hold_progress for s in steps) == 1.0
    assert trial.video_path and trial.landmarks_path and trial.angles_path
    assert probe_video(trial.video_path).frame_count == len(steps)
    angles = pd.read_csv(trial.angles_path)
    assert list(angles["frame"]) == list(pd.read_csv(trial.landmarks_path)["frame"])
    assert trial.duration_s == pytest.approx(len(steps) / FPS, abs=1e-6)


def test_neck_test_takes_the_neutral_first_and_zeroes_at_it(tmp_path: Path) -> None:
    pose = moving(ROTATION, 5.5, "front")
    session = TrialSession(_config("neck_rotation", tmp_path), lambda item: None)
    steps = _run(session, pose, head=ROTATION_HEAD)
    phases = [s.phase for s in steps]
    switch = phases.index("trial")
    assert phases[:switch] == ["neutral"] * switch
    assert 28 <= switch <= 40  # after about a second of keeping still
    assert all(abs(s.value - 8) < 2.0 for s in steps[5:switch])  # raw while taking the neutral
    assert all(abs(s.value) < 1.0 for s in steps[switch + 1 : 45])  # zeroed at it
    trial = session.captured
    assert trial is not None and trial.neutral == pytest.approx(8.0, abs=1.0)
    assert trial.value == pytest.approx(40.0, abs=1.5) and trial.quality == "ok", trial.reason
    assert pd.read_csv(trial.angles_path)["frame"].iloc[0] == switch + 1  # after the neutral


def test_button_captures_and_neutral_on_request() -> None:
    """The neutral and the capture on the buttons; the head never holds still in the trial,
    so the value is the median of the last half second."""
    pose = moving({"neck_rotation": ([0, 0.2, 3.0], [8, 8, 64])}, 3.0, "front")
    head = turning_head([0, 0.2, 3.0], [8, 8, 64])
    session = TrialSession(_config("neck_rotation", None, auto_capture=False), lambda i: None)
    _run(session, pose, 0, 5, head)
    session.request_neutral()
    _run(session, pose, 5, 6, head)
    assert session.phase == "trial"
    steps = _run(session, pose, 6, 80, head)
    session.request_capture()
    steps += _run(session, pose, 80, 81, head)
    trial = session.captured
    assert trial is not None and trial.trigger == "button" and trial.video_path is None
    assert trial.quality != "ok"  # nothing was held
    last = pose.time_s[80]
    recent = [s.value for s, t in zip(steps, pose.time_s[6:81], strict=True) if t >= last - 0.5]
    assert trial.value == pytest.approx(float(np.median(recent)), abs=1e-6)
    assert 35 < trial.value < 50  # ~54 deg raw, zeroed at the ~8 deg neutral, filter lag


def test_stop_in_the_neutral_drops_the_attempt_and_the_next_stream_measures(
    tmp_path: Path,
) -> None:
    """STOP while the neutral is taken: its recording is deleted, and the next START records
    a new attempt (the closed recorder was reused: 'this worker is closed')."""
    pose = moving(ROTATION, 3.0, "front")
    session = TrialSession(_config("neck_rotation", tmp_path), lambda item: None)
    _run(session, pose, 0, 10, ROTATION_HEAD)
    assert session.phase == "neutral" and (tmp_path / "trial-001" / "landmarks.csv").is_file()
    assert session.stream_ended() is False  # no trial was lost: nothing to tell the page
    assert _files(tmp_path) == []
    _run(session, pose, 0, 40, ROTATION_HEAD)  # the next stream's clock starts at 0 again
    assert session.phase == "trial"
    assert {p.parent.name for p in _files(tmp_path)} == {"trial-002"}


def test_stop_mid_trial_is_a_lost_trial_without_files(tmp_path: Path) -> None:
    pose = moving(ABDUCTION, 5.5, "front")
    session = TrialSession(_config("shoulder_abduction", tmp_path), lambda item: None)
    _run(session, pose, 0, 40)
    assert session.stream_ended() is True
    assert _files(tmp_path) == [] and session.phase == "trial"
    assert session.stream_ended() is False  # nothing under way any more


@pytest.mark.parametrize("how", ["new_attempt", "close", "new_stream"])
def test_an_uncaptured_attempt_leaves_nothing_on_disk(tmp_path: Path, how: str) -> None:
    record_dir = tmp_path / "live-tmp" / "abc"
    pose = moving(ABDUCTION, 5.5, "front")
    session = TrialSession(_config("shoulder_abduction", record_dir), lambda item: None)
    _run(session, pose, 0, 30)
    assert (record_dir / "trial-001" / "landmarks.csv").is_file()  # and the video, encoding
    if how == "new_attempt":
        session.new_attempt()  # the New trial button
    elif how == "close":
        session.close()  # the test was switched
        assert not record_dir.exists()
    else:
        _run(session, pose, 0, 5)  # a new stream without STOP: its clock starts again
        assert (record_dir / "trial-002" / "landmarks.csv").is_file()
    assert not (record_dir / "trial-001").exists()


def test_a_captured_trials_files_stay_for_the_page(tmp_path: Path) -> None:
    pose = moving(ABDUCTION, 5.5, "front")
    session = TrialSession(_config("shoulder_abduction", tmp_path), lambda item: None)
    _run(session, pose)
    trial = session.captured
    assert trial is not None and trial.video_path is not None
    session.new_attempt()
    session.close()
    assert trial.video_path.is_file() and trial.angles_path and trial.angles_path.is_file()


def test_a_failing_recording_is_reported_and_the_trial_goes_on(tmp_path: Path) -> None:
    (tmp_path / "trial-001").write_text("a file where the folder should be")
    published: list[object] = []
    session = TrialSession(_config("shoulder_abduction", tmp_path), published.append)
    _run(session, moving(ABDUCTION, 5.5, "front"))
    messages = [p for p in published if isinstance(p, str)]
    assert len(messages) == 1 and "recording failed" in messages[0]
    trial = published[-1]
    assert isinstance(trial, TrialResult) and trial.video_path is None
    assert trial.value == pytest.approx(150.0, abs=1.5)


@pytest.mark.parametrize("fps", [3.0, 30.0])
def test_trial_summary_follows_the_live_frame_rate(fps: float) -> None:
    """A 1.5 s hold at 150 deg is found whether the model processed 30 or only 3 frames/s."""
    rng = np.random.default_rng(7)
    t = np.arange(0, 6, 1 / fps)
    value = np.interp(t, [0, 1, 2, 3.5, 4.5, 6], [10, 10, 150, 150, 10, 10])
    value += rng.normal(0, 0.5, t.size)
    table = _abduction_table(t, value)
    config = _config("shoulder_abduction", None)
    summary = trial_summary(table, config)
    assert summary["quality"] == "ok", summary["reason"]
    assert summary["max"] == pytest.approx(150.0, abs=1.0)
    assert summary["min"] == pytest.approx(10.0, abs=1.0)
    assert (summary["view"], summary["reason"]) == ("front", "")
    side_on = MetricTable(
        table.frame, t, table.values, np.full(t.size, "side_left", dtype=object), table.facing
    )
    rejected = trial_summary(side_on, config)
    assert rejected["quality"] == "rejected" and "needs a front view" in rejected["reason"]


def test_trial_quality_asks_only_for_the_tests_end_range_to_be_held() -> None:
    """The camera starts with the arm up (held 2 s at 164 deg), then it drops to the side and
    the capture comes at once: the rest is reached but not held, which is fine for abduction
    (a max test), but an unheld higher peak than the hold is not."""
    t = np.arange(0, 3, 1 / 20)
    value = np.interp(t, [0, 2, 2.6, 3], [164, 164, 11, 11])
    config = _config("shoulder_abduction", None)
    summary = trial_summary(_abduction_table(t, value), config)
    assert summary["quality"] == "ok", summary["reason"]
    assert summary["max"] == pytest.approx(164.0, abs=0.5)
    flick = value + np.where((t > 1.0) & (t < 1.4), 20.0, 0.0)  # 0.4 s flick 20 deg higher
    summary = trial_summary(_abduction_table(t, flick), config)
    assert summary["quality"] == "rejected" and "it was held 0.4 s" in summary["reason"]


def _abduction_table(t: np.ndarray, value: np.ndarray) -> MetricTable:
    """A front-view trial table holding only ``shoulder_abduction_left`` values."""
    return MetricTable(
        frame=np.arange(t.size),
        time_s=t,
        values={
            m: value if m == "shoulder_abduction_left" else np.full(t.size, np.nan)
            for m in METRIC_IDS
        },
        view=np.full(t.size, "front", dtype=object),
        facing=np.full(t.size, "camera", dtype=object),
    )
