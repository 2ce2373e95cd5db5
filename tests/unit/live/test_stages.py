"""romcam.live.stages: the camera never waits, the two stages overlap, the newest frame wins,
errors reach the page once, and closing completes the frame in progress."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from romcam.live.stages import LivePipeline

WAIT_S = 5.0


def _image(value: int) -> np.ndarray:
    return np.full((4, 6, 3), value, np.uint8)


class Stages:
    """Stage functions that record what ran, optionally held back until released."""

    def __init__(self, hold_estimate: bool = False) -> None:
        self.estimated: list[int] = []
        self.annotated: list[int] = []
        self.errors: list[BaseException] = []
        self.release = threading.Event()
        if not hold_estimate:
            self.release.set()
        self.annotated_one = threading.Event()

    def estimate(self, frame: int, time_s: float) -> int:
        self.release.wait(WAIT_S)
        self.estimated.append(frame)
        return frame

    def annotate(self, frame: int) -> np.ndarray:
        self.annotated.append(frame)
        self.annotated_one.set()
        return _image(frame)

    def pipeline(self) -> LivePipeline[int, int]:
        return LivePipeline(self.estimate, self.annotate, self.errors.append, name="test")


def _wait_for(condition, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.002)


def test_offer_returns_at_once_and_the_newest_frame_wins() -> None:
    stages = Stages(hold_estimate=True)
    with stages.pipeline() as pipeline:
        started = time.perf_counter()
        assert pipeline.offer(1, 0.0) is None  # nothing annotated yet
        _wait_for(lambda: pipeline._newest is None)  # frame 1 is in the model
        for frame in (2, 3, 4):  # arrive while the model is busy: only the newest waits
            assert pipeline.offer(frame, frame / 30) is None
        assert time.perf_counter() - started < 1.0  # the camera never waited for the model
        stages.release.set()
        _wait_for(lambda: stages.annotated == [1, 4])
        np.testing.assert_array_equal(pipeline.offer(5, 5 / 30), _image(4))
        _wait_for(lambda: stages.annotated == [1, 4, 5])
    assert stages.estimated == [1, 4, 5]
    assert (pipeline.offered, pipeline.skipped) == (5, 2)
    assert stages.errors == []


def test_the_model_of_one_frame_overlaps_the_annotating_of_the_last() -> None:
    second_started = threading.Event()
    annotated: list[int] = []

    def estimate(frame: int, time_s: float) -> int:
        if frame == 2:
            second_started.set()
        return frame

    def annotate(frame: int) -> np.ndarray:
        if frame == 1:  # run one after the other, frame 2's model would never start
            assert second_started.wait(WAIT_S), "the stages did not overlap"
        annotated.append(frame)
        return _image(frame)

    errors: list[BaseException] = []
    with LivePipeline(estimate, annotate, errors.append) as pipeline:
        pipeline.offer(1, 0.0)
        _wait_for(lambda: pipeline._newest is None)
        pipeline.offer(2, 1 / 30)
        _wait_for(lambda: annotated == [1, 2])
    assert errors == []


@pytest.mark.parametrize("failing", ["estimate", "annotate"])
def test_a_failing_stage_is_reported_once_and_frames_are_no_longer_taken(failing: str) -> None:
    errors: list[BaseException] = []

    def estimate(frame: int, time_s: float) -> int:
        if failing == "estimate":
            raise ValueError("model broke")
        return frame

    def annotate(frame: int) -> np.ndarray:
        if failing == "annotate":
            raise ValueError("model broke")
        return _image(frame)

    pipeline = LivePipeline(estimate, annotate, errors.append)
    for frame in range(1, 6):
        assert pipeline.offer(frame, frame / 30) is None
        time.sleep(0.02)
    _wait_for(lambda: pipeline.failed)
    pipeline.close()
    assert [str(e) for e in errors] == ["model broke"]


def test_close_completes_the_frame_in_progress_and_drops_the_waiting_one() -> None:
    stages = Stages(hold_estimate=True)
    pipeline = stages.pipeline()
    pipeline.offer(1, 0.0)
    _wait_for(lambda: pipeline._newest is None)
    pipeline.offer(2, 1 / 30)  # waits behind frame 1
    closer = threading.Thread(target=pipeline.close)
    closer.start()
    time.sleep(0.05)
    stages.release.set()
    closer.join(WAIT_S)
    assert not closer.is_alive()
    assert stages.annotated == [1]
    pipeline.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        pipeline.offer(3, 2 / 30)
    assert stages.errors == []
