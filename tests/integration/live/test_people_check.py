"""romcam.live.people_check: counting the people in the live picture on real footage, off the
camera thread."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from romcam.live.people_check import PeopleCheck
from romcam.media.video import VideoReader
from tests.conftest import MODEL_PATH, shared_video


def _rgb_frames(name: str, seconds: float, every_s: float) -> list[tuple[float, np.ndarray]]:
    """(time_s, 640-wide RGB frame) about every ``every_s`` seconds of a shared clip."""
    frames, next_t = [], 0.0
    with VideoReader(shared_video(name), max_seconds=seconds) as reader:
        for f in reader:
            if f.time_s + 1e-6 < next_t:
                continue
            next_t = f.time_s + every_s
            h, w = f.image.shape[:2]
            small = cv2.resize(f.image, (640, round(h * 640 / w)), interpolation=cv2.INTER_AREA)
            frames.append((f.time_s, cv2.cvtColor(small, cv2.COLOR_BGR2RGB)))
    return frames


def _wait_idle(check: PeopleCheck, checks: int, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while check.checks < checks and check.error is None:
        assert time.monotonic() < deadline, "the people check did not finish in time"
        time.sleep(0.005)


def _counts(name: str, seconds: float) -> list[int]:
    """The count after each check of ``seconds`` of a clip, one check per 0.5 s."""
    counts = []
    with PeopleCheck(MODEL_PATH, interval_s=0.5) as check:
        for t, rgb in _rgb_frames(name, seconds, 0.5):
            assert check.offer(rgb, t)
            _wait_idle(check, len(counts) + 1)
            counts.append(check.count())
    return counts


@pytest.mark.footage
def test_therapist_beside_the_client_is_counted() -> None:
    """A therapist moves a seated client's arm: two people, most checks must say so."""
    counts = _counts("hard_two_people_therapist_table_occlusion_01.webm", 4.0)
    assert len(counts) == 8
    assert all(1 <= n <= 3 for n in counts)
    assert sum(n == 2 for n in counts) >= 6


@pytest.mark.footage
def test_one_client_alone_is_one_person() -> None:
    assert _counts("shoulder_abduction_front_seated_02.mp4", 4.0) == [1] * 8


@pytest.mark.footage
def test_checks_are_spaced_and_skipped_while_busy() -> None:
    frames = _rgb_frames("shoulder_abduction_front_seated_02.mp4", 2.0, 0.0)
    with PeopleCheck(MODEL_PATH, interval_s=0.5) as check:
        taken = []
        for t, rgb in frames:
            if check.offer(rgb, t):
                taken.append(t)
                assert not check.offer(rgb, t + 1.0)  # busy: skipped, not queued
                _wait_idle(check, len(taken))
        assert taken[0] == 0.0 and len(taken) == 4
        assert np.all(np.diff(taken) >= 0.5 - 1e-3)
        # A new stream (its clock restarts at 0) is checked at once.
        assert check.offer(frames[0][1], 0.0)
        _wait_idle(check, len(taken) + 1)
        assert check.count() == 1
        # Nothing checked for longer than stale_s: the count is forgotten, not kept.
        assert check.count(now=time.monotonic() + check.stale_s + 0.1) == 0


def test_a_broken_model_turns_the_check_off_without_raising(tmp_path: Path) -> None:
    bad = tmp_path / "broken.task"
    bad.write_bytes(b"not a model")
    frame = np.zeros((360, 640, 3), np.uint8)
    with PeopleCheck(bad) as check:
        assert check.offer(frame, 0.0)
        deadline = time.monotonic() + 20
        while check.error is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert check.error is not None and "pose model" in check.error
        assert not check.offer(frame, 5.0)
        assert check.count() == 0


def test_bad_intervals_are_refused() -> None:
    with pytest.raises(ValueError, match="must be > 0"):
        PeopleCheck(MODEL_PATH, interval_s=0)
