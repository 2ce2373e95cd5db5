"""romcam.live.processor with synthetic subjects (the estimator factory seam, no model): what
the page gets after each frame, the pipeline, the frame rates on the frames' capture times, the
commands, and the models' lifecycle across streams."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.head_pose import HeadPose
from romcam.core.landmarks import PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.synthetic import synthetic_pose
from romcam.errors import ModelError
from romcam.live.processor import (
    FrameRates,
    LiveProcessor,
    LiveUpdate,
    StreamEnded,
    TrialResult,
    drain,
)
from romcam.live.shown_track import ShownTrack
from romcam.live.trial_session import LiveConfig
from tests.unit.live.feed import (
    FPS,
    H,
    HeadScript,
    ScriptedEstimator,
    W,
    frames,
    head_pose,
    moving,
    turning_head,
)

ABDUCTION = {"shoulder_abduction_left": ([0, 1, 2, 3.5, 4.5], [10, 10, 150, 150, 10])}
WAIT_S = 10.0


@pytest.mark.parametrize(
    ("frames", "fps", "camera_fps", "suggested"),
    [
        (120, 17.0, 30.0, 15),  # falls behind: a rate it keeps up with, in steps of 5
        (120, 23.0, 30.0, 20),
        (120, 9.0, 30.0, 10),  # never below the lowest rate Settings offers
        (120, 26.0, 30.0, None),  # within 80 %: keeps up
        (20, 5.0, 30.0, None),  # the first frames load the models
        (120, 15.0, 15.0, None),
    ],
)
def test_camera_rate_to_keep_up(
    frames: int, fps: float, camera_fps: float, suggested: int | None
) -> None:
    update = LiveUpdate(
        time_s=4.0,
        frames=frames,
        phase="trial",
        value=1.0,
        view="front",
        problems=(),
        people=1,
        hold_progress=0.0,
        fps=fps,
        camera_fps=camera_fps,
    )
    assert update.camera_rate_to_keep_up() == suggested


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"side": None}, "needs a side"),
        ({"min_hold_s": 0.0}, "min_hold_s must be > 0"),
        ({"min_excursion": -1.0}, "min_excursion must be >= 0"),
    ],
)
def test_bad_config_is_refused(kwargs: dict, match: str) -> None:
    base = {"test": assessment_test("shoulder_abduction"), "side": "right"}
    with pytest.raises(ValueError, match=match):
        LiveConfig(**{**base, **kwargs})


class Factory:
    """An estimator factory for the processor: a new scripted estimator per stream."""

    def __init__(self, pose: PoseSequence, people: int = 1, head: HeadScript | None = None) -> None:
        self.pose, self.people, self.head = pose, people, head
        self.made: list[ScriptedEstimator] = []

    def __call__(self) -> ScriptedEstimator:
        self.made.append(ScriptedEstimator(self.pose, self.people, self.head))
        return self.made[-1]


def _processor(
    test_id: str,
    pose: PoseSequence,
    record_dir: Path | None = None,
    head: HeadScript | None = None,
) -> tuple[LiveProcessor, Factory]:
    factory = Factory(pose, head=head)
    config = LiveConfig(
        test=assessment_test(test_id), side="left", record_dir=record_dir, auto_capture=False
    )
    return LiveProcessor(config, make_estimator=factory), factory


def _feed(processor: LiveProcessor, pose: PoseSequence, start: int, stop: int) -> None:
    """Process frames ``start`` to ``stop`` of ``pose`` one after the other."""
    for t, img in frames(pose, start, stop):
        processor.process(img, t)


def _wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.002)


def test_each_frame_is_measured_checked_and_drawn() -> None:
    pose = moving(ABDUCTION, 3.0, "front")
    processor, factory = _processor("shoulder_abduction", pose)
    factory.people = 2  # a second person in the picture
    try:
        outs = [processor.process(img, t) for t, img in frames(pose)]
    finally:
        processor.close()
    updates = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    assert [u.frames for u in updates] == list(range(1, len(pose) + 1))
    assert updates[-1].value == pytest.approx(150.0, abs=2.0) and updates[-1].view == "front"
    assert updates[-1].people == 2 and "2 people in the picture" in updates[-1].problems[0]
    assert updates[-1].hold_progress > 0.5 and updates[-1].phase == "trial"
    blank = np.full_like(outs[-1], 90)
    assert (np.abs(outs[-1].astype(int) - blank).sum(axis=2) > 60).mean() > 0.05  # drawn
    assert len(factory.made) == 1 and factory.made[0].closed


def test_offered_frames_are_measured_on_the_pipeline_at_the_cameras_rate() -> None:
    """The camera callback's path; the frame rates count the frames' capture times, so they
    are exact however loaded the machine is (real sleeps made this test fail under load)."""
    pose = moving(ABDUCTION, 2.0, "front")
    processor, _ = _processor("shoulder_abduction", pose)
    shown = []
    try:
        for k, (t, img) in enumerate(frames(pose)):
            shown.append(processor.offer(img, t))
            _wait_for(lambda k=k: processor.frames == k + 1)  # the pipeline took it
    finally:
        processor.close()
    assert shown[0] is None  # nothing measured yet
    updates = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    assert [u.frames for u in updates] == list(range(1, len(pose) + 1))
    assert [u.camera_fps for u in updates[2:]] == pytest.approx([FPS] * (len(updates) - 2))
    assert [u.fps for u in updates[2:]] == pytest.approx([FPS] * (len(updates) - 2))
    assert shown[-1] is not None and shown[-1].shape == (pose.image_height, pose.image_width, 3)
    assert processor.offer(shown[-1], 99.0) is None  # closed: ignored


def test_each_annotated_frame_goes_to_the_video_track_once() -> None:
    """The browser's track gets every annotated frame once, whatever the camera's rate (a
    frame callback sent the last annotated frame again for each camera frame)."""
    pose = moving(ABDUCTION, 1.0, "front")
    processor, _ = _processor("shoulder_abduction", pose)
    track = ShownTrack()
    processor.on_annotated = track.show
    try:
        for k, (t, img) in enumerate(frames(pose)):
            processor.offer(img, t)
            _wait_for(lambda k=k: track.shown == k + 1)  # sent as soon as it is drawn
            assert processor.frames == k + 1  # and once: the next camera frame sends nothing
    finally:
        processor.close()
    assert processor.frames == len(pose)


def test_stop_during_the_neutral_then_start_again(tmp_path: Path) -> None:
    """STOP in a neck test's neutral phase, then START: new models, a new attempt, no error
    (the closed recorder was reused: 'this worker is closed', an internal error)."""
    pose = moving({"neck_rotation": ([0, 1.5, 2.5], [8, 8, 48])}, 3.0, "front")
    head = turning_head([0, 1.5, 2.5], [8, 8, 48])
    processor, factory = _processor("neck_rotation", pose, tmp_path, head=head)
    try:
        _feed(processor, pose, 0, 10)
        processor.stream_ended()
        assert factory.made[0].closed and not any(tmp_path.rglob("*.csv"))
        _feed(processor, pose, 0, 40)
    finally:
        processor.close()
    items = drain(processor.results)
    assert processor.error is None and not [i for i in items if isinstance(i, str)]
    assert [i.lost_trial for i in items if isinstance(i, StreamEnded)] == [False]
    assert processor.phase == "trial" and len(factory.made) == 2
    assert not tmp_path.exists() or not any(tmp_path.iterdir())  # closed: nothing saved


def test_stop_forgets_the_read_out_and_the_frame_rates() -> None:
    """After STOP the page showed the last value and frame rate; the next START began with
    them too, until its first frame was measured."""
    pose = moving(ABDUCTION, 3.0, "front")
    processor, _ = _processor("shoulder_abduction", pose)
    try:
        _feed(processor, pose, 0, 60)
        assert processor.latest is not None and processor.latest.camera_fps == pytest.approx(FPS)
        processor.stream_ended()
        assert processor.latest is None
        drain(processor.results)
        _feed(processor, pose, 0, 1)  # the next stream's first frame: no rate from one frame
    finally:
        processor.close()
    [first] = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    assert (first.fps, first.camera_fps) == (0.0, 0.0)


def test_commands_capture_reset_and_close(tmp_path: Path) -> None:
    pose = moving(ABDUCTION, 3.0, "front")
    record_dir = tmp_path / "live-tmp" / "abc"
    processor, _ = _processor("shoulder_abduction", pose, record_dir)
    _feed(processor, pose, 0, 20)
    processor.reset()  # New trial: the attempt and its files are dropped
    assert not (record_dir / "trial-001").exists()
    _feed(processor, pose, 20, 80)
    processor.request_capture()
    _feed(processor, pose, 80, 81)
    trial = processor.captured
    assert isinstance(trial, TrialResult) and trial.trigger == "button"
    assert trial in drain(processor.results)
    assert trial.video_path is not None and trial.video_path.parent.name == "trial-002"
    processor.close()
    assert trial.video_path.is_file()  # captured: the page's to store


def test_closing_mid_attempt_leaves_no_files(tmp_path: Path) -> None:
    """Switching the test closes the processor mid-attempt: no raw video is left behind."""
    pose = moving(ABDUCTION, 3.0, "front")
    record_dir = tmp_path / "live-tmp" / "abc"
    processor, _ = _processor("shoulder_abduction", pose, record_dir)
    _feed(processor, pose, 0, 30)
    processor.close()
    assert not record_dir.exists()


def _without_model(tmp_path: Path) -> LiveProcessor:
    """A processor with the real models, whose file is missing."""
    missing = tmp_path / "x.task"
    return LiveProcessor(
        LiveConfig(test=assessment_test("shoulder_abduction"), side="right", model_path=missing)
    )


def test_missing_model_is_a_clear_error_and_reported(tmp_path: Path) -> None:
    processor = _without_model(tmp_path)
    with pytest.raises(ModelError, match="pose model not found"):
        processor.process(np.zeros((48, 64, 3), np.uint8), 0.0)
    processor.report_error("pose model not found")  # what the camera callback does
    assert processor.error and drain(processor.results) == ["pose model not found"]
    processor.close()


def test_missing_model_on_the_pipeline_is_reported_and_the_camera_goes_on(tmp_path: Path) -> None:
    processor = _without_model(tmp_path)
    frame = np.zeros((48, 64, 3), np.uint8)
    try:
        assert processor.offer(frame, 0.0) is None
        _wait_for(lambda: processor.error is not None)
        assert processor.error is not None and "pose model not found" in processor.error
        assert drain(processor.results) == [processor.error]
        assert processor.offer(frame, 0.1) is None  # the page then shows the camera's frame
    finally:
        processor.close()


def test_frame_rates_follow_capture_times_not_when_frames_are_measured() -> None:
    """The page read "16 of 15": the rates were counted on the wall clock as frames arrived
    and finished, and a stall followed by a burst pushed the measured rate over the camera's.
    A 15 frames/s camera's frames measured in bursts read 15 of 15 from the first seconds on."""
    pose = moving(ABDUCTION, 4.0, "front")
    processor, _ = _processor("shoulder_abduction", pose)
    try:
        for t, img in frames(pose):
            if round(t * FPS) % 2 == 0:  # a 15 frames/s camera, measured as fast as it can go
                processor.process(img, t)
    finally:
        processor.close()
    updates = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    assert len(updates) == 60
    assert [u.camera_fps for u in updates[1:]] == pytest.approx([15.0] * 59)
    assert [u.fps for u in updates[1:]] == pytest.approx([15.0] * 59)


def _rates(
    rates: FrameRates, offered: list[float], measured: set[float]
) -> list[tuple[float, float]]:
    """(measured, camera) frames/s after each measured frame; frames offered in order."""
    shown = []
    for t in offered:
        rates.offered(t)
        if t in measured:
            shown.append(rates.measured(t))
    return shown


def test_frame_rates_never_show_more_measured_than_the_camera_sent() -> None:
    """Jittered capture times, bursts and skipped frames (the pipeline keeps only the newest):
    the measured rate is the camera's times the share measured, never above it, nor once
    rounded as the page shows it."""
    rng = np.random.default_rng(13)
    times = np.cumsum(rng.uniform(0.5, 1.5, 600) / 15.0)  # a 15 frames/s camera, jittered
    skipped = np.arange(600) % 3 == 0
    shown = _rates(FrameRates(), list(times), set(times[~skipped]))
    assert all(fps <= camera and round(fps) <= round(camera) for fps, camera in shown)
    assert shown[-1][1] == pytest.approx(15.0, rel=0.1)
    assert shown[-1][0] == pytest.approx(2 / 3 * shown[-1][1], rel=0.1)


def test_frame_rates_count_a_two_second_window_and_start_again_with_a_new_stream() -> None:
    rates = FrameRates(window_s=2.0)
    assert rates.measured(10.0) == (0.0, 0.0)  # nothing offered: no rate
    rates.offered(10.0)
    assert rates.measured(10.0) == (0.0, 0.0)  # one frame: no rate yet
    every = [10.0 + k / 10 for k in range(1, 61)]
    halves = _rates(rates, every, set(every[1::2]))  # 10 frames/s, every other one measured
    assert list(halves[-1]) == pytest.approx([5.0, 10.0])  # only the last 2 s count
    stream = [k / 15 for k in range(31)]  # STOP, START: capture times begin at 0 again
    assert list(_rates(rates, stream, set(stream))[-1]) == pytest.approx([15.0, 15.0])
    rates.reset()
    assert rates.measured(5.0) == (0.0, 0.0)


# --- the face model in the neck tests ---------------------------------------------------------

#: The body's synthetic head stays at 8 deg to the left the whole time (its neutral).
STILL_BODY_HEAD = {"neck_rotation": ([0.0, 4.0], [8.0, 8.0])}


def _neck_updates(head: HeadScript, duration_s: float = 4.0) -> list[LiveUpdate]:
    pose = moving(STILL_BODY_HEAD, duration_s, "front")
    processor, _ = _processor("neck_rotation", pose, head=head)
    try:
        _feed(processor, pose, 0, len(pose))
    finally:
        processor.close()
    return [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]


def test_uses_face_model_for_the_front_view_neck_tests_only() -> None:
    for test_id, uses in [
        ("neck_rotation", True),
        ("neck_lateral_flexion", True),
        ("shoulder_abduction", False),
        ("knee_flexion", False),
    ]:
        config = LiveConfig(test=assessment_test(test_id), side="left")
        assert config.uses_face_model is uses, test_id


def test_the_head_pose_drives_the_live_neck_rotation() -> None:
    """The body's head points stay still; the face model's head turns 40 deg left after the
    neutral: the live value follows the head pose, not the body."""
    turning = turning_head([0.0, 2.0, 3.0, 4.0], [0.0, 0.0, 40.0, 40.0])
    updates = _neck_updates(turning)
    switch = next(i for i, u in enumerate(updates) if u.phase == "trial")
    assert switch < 45  # the neutral is taken once the head has been still ~1 s
    assert abs(updates[switch + 5].value) < 1.0  # zeroed at the head's neutral
    assert updates[-1].value == pytest.approx(40.0, abs=2.0)
    still = _neck_updates(turning_head([0.0, 4.0], [0.0, 0.0]))
    assert abs(still[-1].value) < 1.0  # the same body, the head still: no rotation


def test_frames_whose_face_is_lost_have_no_neck_value() -> None:
    def lost_between_3_and_3_5_s(t: float) -> HeadPose | None:
        return None if 3.0 <= t < 3.5 else head_pose(yaw=20.0 if t >= 2.0 else 0.0)

    updates = _neck_updates(lost_between_3_and_3_5_s)
    lost = [u for u in updates if 3.05 <= u.time_s < 3.5]
    assert lost and all(np.isnan(u.value) for u in lost)  # empty, not the body's guess
    assert updates[-1].value == pytest.approx(20.0, abs=2.0)  # back with the face


def test_the_live_frame_shows_the_head_axes() -> None:
    """The annotated frame differs round the face (the cloud at the centre) only with a head."""
    pose = moving(STILL_BODY_HEAD, 0.5, "front")
    outs = []
    for head in (None, lambda t: head_pose(yaw=30.0)):
        processor, _ = _processor("neck_rotation", pose, head=head)
        try:
            outs.append([processor.process(img, t) for t, img in frames(pose, 0, 3)][-1])
        finally:
            processor.close()
    differs = np.abs(outs[0].astype(int) - outs[1].astype(int)).sum(axis=2) > 60
    h, w = differs.shape
    assert differs[round(0.35 * h) : round(0.65 * h), round(0.4 * w) : round(0.7 * w)].any()


def test_a_face_measured_neck_rotation_is_not_rejected_for_the_body_models_turn() -> None:
    """Seen on the rotation clip: the body model's world shoulder line turns with the head
    (it read -34 / +7 deg while the shoulders' width in the picture stayed within 4 %), so
    its out-of-plane flag fired at every end range and rejected a correct live trial. A neck
    test measured from the face does not take that flag."""
    body = synthetic_pose(
        {"neck_rotation": np.full(150, 8.0)},
        view="front",
        fps=FPS,
        image_size=(W, H),
        noise_px=0.2,
        yaw_deg=25.0,
    )
    assert compute_metrics(body).flags["out_of_plane"].all()  # the flag the body model raises
    turning = turning_head([0.0, 2.0, 3.0, 5.0], [0.0, 0.0, 40.0, 40.0])
    processor, _ = _processor("neck_rotation", body, head=turning)
    try:
        _feed(processor, body, 0, 140)
        processor.request_capture()
        _feed(processor, body, 140, 150)
    finally:
        processor.close()
    items = drain(processor.results)
    problems = {p for u in items if isinstance(u, LiveUpdate) for p in u.problems}
    assert not any("measurement plane" in p for p in problems), problems
    [trial] = [r for r in items if isinstance(r, TrialResult)]
    assert trial.value == pytest.approx(40.0, abs=2.0)
    assert trial.quality == "ok", trial.reason
