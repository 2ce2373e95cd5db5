"""Planning the chunked analysis (romcam.chunk_plan): ranges, overlap, the jobs cap."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from romcam.chunk_plan import (
    MIN_CHUNK_OVERLAPS,
    Chunk,
    align_to_checks,
    check_frames,
    default_jobs,
    frame_times,
    frames_to_analyze,
    overlap_frames,
    plan_chunks,
)

GB = 1 << 30


@pytest.mark.parametrize(("n_frames", "jobs"), [(493, 2), (600, 4), (18_000, 8), (270, 2)])
def test_chunks_cover_every_frame_once_each_after_an_overlap(n_frames: int, jobs: int) -> None:
    fps = 30.0
    chunks = plan_chunks(n_frames, fps, jobs)
    assert len(chunks) == jobs
    assert chunks[0].start == chunks[0].warm_start == 0 and chunks[-1].stop == n_frames
    for before, after in itertools.pairwise(chunks):
        assert after.start == before.stop  # contiguous, no frame twice
        assert after.start - after.warm_start == overlap_frames(fps) == 30
    own = [c.stop - c.start for c in chunks]
    assert min(own) >= MIN_CHUNK_OVERLAPS * 30
    # Equal work: the first chunk (no overlap) gets the overlap's worth more of its own.
    assert max(c.frames for c in chunks) - min(c.frames for c in chunks) <= 1


@pytest.mark.parametrize(
    ("n_frames", "jobs", "expected"),
    [(269, 2, 1), (270, 2, 2), (480, 8, 3), (100, 1, 1), (10_000, 3, 3)],
)
def test_short_videos_get_fewer_chunks(n_frames: int, jobs: int, expected: int) -> None:
    """Every chunk keeps at least MIN_CHUNK_OVERLAPS (4) overlaps (30 frames at 30 fps) of
    its own frames."""
    assert len(plan_chunks(n_frames, 30.0, jobs)) == expected


def test_one_chunk_is_the_whole_video_without_overlap() -> None:
    assert plan_chunks(50, 30.0, 4) == [Chunk(0, 0, 0, 50)]


@pytest.mark.parametrize(
    ("cores", "available", "expected"),
    [(2, 20 * GB, 2), (8, 3 * GB + 5, 3), (8, GB // 2, 1), (1, 64 * GB, 1), (16, 16 * GB, 16)],
)
def test_default_jobs_are_the_cores_capped_by_memory(
    cores: int, available: int, expected: int
) -> None:
    assert default_jobs(cores, available) == expected


@pytest.mark.parametrize(
    ("args", "match"),
    [((0, 30.0, 2), "n_frames"), ((10, 0.0, 2), "fps"), ((10, 30.0, 0), "jobs")],
)
def test_bad_plans_are_refused(args: tuple[int, float, int], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        plan_chunks(*args)


def test_a_chunk_checks_its_ranges() -> None:
    with pytest.raises(ValueError, match="warm_start <= start < stop"):
        Chunk(1, 40, 30, 60)


def test_frame_times_follow_the_readers_rule() -> None:
    """Seconds since the first frame; a repeated timestamp becomes previous + 1/fps."""
    times = frame_times([1000, 4000, 7000, 7000, 13000], Fraction(1, 90_000), 30.0)
    expected = [0.0, 3000 / 90_000, 6000 / 90_000, 6000 / 90_000 + 1 / 30, 12000 / 90_000]
    np.testing.assert_allclose(times, expected, rtol=0, atol=1e-12)


def test_frames_to_analyze_stops_like_the_reader() -> None:
    times = np.arange(100) / 10.0
    assert frames_to_analyze(times, None, None) == 100
    assert frames_to_analyze(times, None, 2.0) == 20  # t < 2.0 s
    assert frames_to_analyze(times, 7, 2.0) == 7


def test_overlaps_start_on_the_serial_passs_people_counts() -> None:
    times = np.arange(300) / 30.0 + 0.0004  # 30 fps: a count every 30 frames
    checks = check_frames(times, 1.0)
    np.testing.assert_array_equal(checks, np.arange(0, 300, 30))
    planned = plan_chunks(300, 30.0, 2)
    chunks = align_to_checks(planned, checks)
    assert chunks[0].warm_start == 0 and chunks[0].stop == chunks[1].start
    assert chunks[1].warm_start % 30 == 0 and chunks[1].stop == 300
    assert chunks[1].start - chunks[1].warm_start == 30  # the overlap keeps its length
    assert 0 <= planned[1].start - chunks[1].start < 30


def test_counts_every_second_of_model_time_even_when_frames_are_uneven() -> None:
    times = np.array([0.0, 0.6, 0.9995, 1.2, 2.0001, 2.9, 3.1])
    # ms 0, 600, 1000 (rounded: due), 1200, 2000 (due), 2900, 3100 (due)
    np.testing.assert_array_equal(check_frames(times, 1.0), [0, 2, 4, 6])
