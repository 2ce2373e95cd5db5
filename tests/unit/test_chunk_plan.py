"""Planning the chunked analysis (romcam.chunk_plan): ranges, overlap, the jobs cap."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from romcam.chunk_plan import (
    FACE_OVERLAP_S,
    MIN_CHUNK_S,
    OVERLAP_S,
    Chunk,
    check_frames,
    chunk_cost,
    decode_only_share,
    default_jobs,
    frame_times,
    frames_to_analyze,
    may_split,
    overlap_frames,
    overlap_seconds,
    place_borders,
    plan_chunks,
)

GB = 1 << 30
#: Overlap frames at 30 frames/s.
OV = 15


@pytest.mark.parametrize(("n_frames", "jobs"), [(493, 2), (600, 4), (18_000, 8), (270, 2)])
def test_chunks_cover_every_frame_once_each_after_an_overlap(n_frames: int, jobs: int) -> None:
    fps = 30.0
    chunks = plan_chunks(n_frames, fps, jobs)
    assert len(chunks) == jobs
    assert chunks[0].start == chunks[0].warm_start == 0 and chunks[-1].stop == n_frames
    for before, after in itertools.pairwise(chunks):
        assert after.start == before.stop  # contiguous, no frame twice
        assert after.start - after.warm_start == overlap_frames(fps) == OV
    own = [c.stop - c.start for c in chunks]
    assert min(own) >= MIN_CHUNK_S * fps == 120
    # Equal work: the first chunk (no overlap) gets the overlap's worth more of its own.
    assert max(c.frames for c in chunks) - min(c.frames for c in chunks) <= 1


@pytest.mark.parametrize(
    ("n_frames", "jobs", "expected"),
    [(254, 2, 1), (255, 2, 2), (480, 8, 3), (100, 1, 1), (10_000, 3, 3)],
)
def test_short_videos_get_fewer_chunks(n_frames: int, jobs: int, expected: int) -> None:
    """Every chunk keeps at least MIN_CHUNK_S (4 s, 120 frames at 30 fps) of its own frames,
    after a 0.5 s (15 frames) overlap."""
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
    chunks = place_borders(planned, 30.0, checks, np.arange(300), 0.18)  # every frame a keyframe
    assert chunks[0].warm_start == 0 and chunks[0].stop == chunks[1].start
    assert chunks[1].warm_start % 30 == 0 and chunks[1].stop == 300
    assert chunks[1].start - chunks[1].warm_start == OV  # the overlap keeps its length
    assert abs(planned[1].start - chunks[1].start) < 30
    # The even split (157.5 frames each, overlap 143..158) is not on a count; the counts
    # beside it (120, 150) give 135 / 180 or 165 / 150 frames.
    assert sorted(c.frames for c in chunks) == [150, 165]


def _costs(chunks: list[Chunk], keys: np.ndarray, share: float) -> list[float]:
    return [chunk_cost(c, keys, share) for c in chunks]


def test_a_border_moves_after_a_far_keyframe() -> None:
    """The seated clip: 492 frames at 28 fps, keyframes at 0 and 250. A second chunk whose
    overlap starts on the count before the keyframe (frame 224) decodes 224 frames from
    frame 0 first: ~308 against 238 for the first. On the count just after the keyframe the
    two cost 266 and ~240."""
    times = np.arange(492) / 28.0
    checks = check_frames(times, 1.0)
    keys = np.array([0, 250])
    share = 0.18
    placed = place_borders(plan_chunks(492, 28.0, 2), 28.0, checks, keys, share)
    assert placed[1].warm_start == 252 and placed[0].stop == placed[1].start == 266
    assert _costs(placed, keys, share) == pytest.approx([266, 240 + 0.18 * 2])
    before_key = [Chunk(0, 0, 0, 238), Chunk(1, 224, 238, 492)]
    assert _costs(before_key, keys, share) == pytest.approx([238, 268 + 0.18 * 224])


def test_one_keyframe_gives_later_chunks_fewer_frames() -> None:
    """Only frame 0 is a keyframe: each chunk decodes everything before it, so later chunks
    get fewer frames to estimate and the costs stay within a count's interval of each other."""
    n, fps, share = 3000, 30.0, 0.18
    checks = check_frames(np.arange(n) / fps, 1.0)
    keys = np.array([0])
    placed = place_borders(plan_chunks(n, fps, 4), fps, checks, keys, share)
    frames = [c.frames for c in placed]
    assert frames == sorted(frames, reverse=True) and frames[0] - frames[-1] > 200
    costs = _costs(placed, keys, share)
    assert max(costs) - min(costs) <= 30 + 1  # a count's interval
    even_costs = _costs(plan_chunks(n, fps, 4), keys, share)
    assert max(costs) < max(even_costs) - 100
    for before, after in itertools.pairwise(placed):
        assert after.start == before.stop and after.warm_start in checks
        assert after.start - after.warm_start == OV
    assert min(c.stop - c.start for c in placed) >= MIN_CHUNK_S * fps


def test_a_border_without_a_count_that_leaves_both_enough_stays() -> None:
    planned = plan_chunks(300, 30.0, 2)
    assert place_borders(planned, 30.0, np.array([0]), np.array([0]), 0.18) == planned


def test_decoding_costs_less_the_fewer_the_pixels() -> None:
    assert decode_only_share(1920, 1080) == pytest.approx(0.18)
    assert decode_only_share(1280, 720) == pytest.approx(0.08)
    assert decode_only_share(1080, 1920) == decode_only_share(1920, 1080)  # upright phone


def test_counts_every_second_of_model_time_even_when_frames_are_uneven() -> None:
    times = np.array([0.0, 0.6, 0.9995, 1.2, 2.0001, 2.9, 3.1])
    # ms 0, 600, 1000 (rounded: due), 1200, 2000 (due), 2900, 3100 (due)
    np.testing.assert_array_equal(check_frames(times, 1.0), [0, 2, 4, 6])


def test_the_face_model_gets_a_longer_overlap_and_the_same_minimum_chunk() -> None:
    """Its head angles settle more slowly than the pose model's landmarks (chunk_plan)."""
    assert overlap_seconds(False) == OVERLAP_S == 0.5
    assert overlap_seconds(None) == overlap_seconds(True) == FACE_OVERLAP_S == 1.0
    face = plan_chunks(600, 30.0, 2, overlap_s=FACE_OVERLAP_S)
    assert face[1].start - face[1].warm_start == 30
    # Two chunks of >= 4 s own frames need 270 frames after a 1 s overlap, 255 after 0.5 s.
    assert len(plan_chunks(269, 30.0, 2, overlap_s=FACE_OVERLAP_S)) == 1
    assert len(plan_chunks(270, 30.0, 2, overlap_s=FACE_OVERLAP_S)) == 2


@pytest.mark.parametrize(
    ("n_frames", "jobs", "expected"),
    [(230, 2, False), (255, 2, True), (10_000, 1, False), (0, 2, False), (492, 4, True)],
)
def test_may_split_says_whether_the_fork_server_is_worth_starting(
    n_frames: int, jobs: int, expected: bool
) -> None:
    """A 7.7 s clip at 30 fps is analysed in one process (two chunks need 4 s each after a
    0.5 s overlap: 255 frames); one job never splits."""
    assert may_split(n_frames, 30.0, jobs) is expected
