"""Planning one video's chunked analysis: which frames each process estimates, and how many
processes. Numbers in, numbers out (no video, no model), so it is tested without either.

A chunk owns the frames ``[start, stop)``. Before ``start`` it also decodes and estimates the
frames ``[warm_start, start)`` (the overlap, :data:`OVERLAP_S`) so that MediaPipe's tracker and
its landmark filters have settled by the chunk's first own frame; those frames are compared
with the previous chunk's at the seam and then dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

#: Seconds of overlap each chunk after the first estimates before its own frames, when only
#: the pose model runs. On the three test clips the chunked landmarks equal the serial
#: pass's from the first own frame with 0.25 s already (two poses; with one, the differences
#: do not shrink from 0.5 s to 1 s); benchmarks/README.md.
OVERLAP_S = 0.5
#: The overlap when the face model may run (neck metrics): its head angles settle more
#: slowly. Seated clip, chunked against serial: neck flexion 1.87 deg apart with 0.5 s,
#: 0.02 deg with 1 s, 0.0 with 2 s.
FACE_OVERLAP_S = 1.0
#: A chunk with fewer seconds of its own frames costs more (overlap, model start) than it
#: saves.
MIN_CHUNK_S = 4.0
#: Memory set aside per worker process when choosing the number of jobs: a worker's peak
#: resident size with the pose and face models is ~0.5 GB (benchmarks/README.md), doubled
#: for headroom.
WORKER_MEMORY_BYTES = 1 << 30
#: Decoding a 1920x1080 H.264 frame without estimating it (from the keyframe before a chunk
#: to its first frame) costs about this share of a frame estimated: 224 such frames delayed
#: a chunk's first result by 1.03 s, ~4.6 ms each, against ~26 ms (benchmarks/README.md).
DECODE_ONLY_SHARE_1080P = 0.18


@dataclass(frozen=True)
class Chunk:
    """Frames ``[start, stop)`` of one process, estimated from ``warm_start`` (0-based
    frame indices into the whole video; ``warm_start <= start < stop``)."""

    index: int
    warm_start: int
    start: int
    stop: int

    def __post_init__(self) -> None:
        if not 0 <= self.warm_start <= self.start < self.stop:
            raise ValueError(
                f"a chunk needs 0 <= warm_start <= start < stop; got {self.warm_start}, "
                f"{self.start}, {self.stop}"
            )

    @property
    def frames(self) -> int:
        """Frames this chunk estimates, overlap included."""
        return self.stop - self.warm_start


def overlap_seconds(face: bool | None) -> float:
    """The overlap for a pass whose face model runs (True), may run (None) or does not."""
    return OVERLAP_S if face is False else FACE_OVERLAP_S


def overlap_frames(fps: float, overlap_s: float = OVERLAP_S) -> int:
    """Frames in ``overlap_s`` seconds at ``fps`` frames/s (at least 1)."""
    return max(1, round(overlap_s * fps))


def min_chunk_frames(fps: float) -> int:
    """Own frames every chunk keeps at ``fps`` frames/s (MIN_CHUNK_S)."""
    return max(1, round(MIN_CHUNK_S * fps))


def plan_chunks(
    n_frames: int, fps: float, jobs: int, *, overlap_s: float = OVERLAP_S
) -> list[Chunk]:
    """Contiguous chunks covering frames ``[0, n_frames)``, at most ``jobs`` of them.

    Fewer when the video is short: every chunk keeps at least MIN_CHUNK_S seconds of its
    own frames (one chunk: the serial pass). The work (own frames plus overlap) is
    shared equally, so the first chunk, which has no overlap, gets the overlap's worth more.
    """
    if n_frames < 1 or jobs < 1 or not fps > 0:
        raise ValueError(f"need n_frames, jobs >= 1 and fps > 0; got {n_frames}, {jobs}, {fps}")
    overlap = overlap_frames(fps, overlap_s)
    # Every chunk's own frames (work - overlap) stay >= MIN_CHUNK_S.
    count = max(1, min(jobs, (n_frames - overlap) // min_chunk_frames(fps)))
    if count == 1:
        return [Chunk(0, 0, 0, n_frames)]
    work = (n_frames + (count - 1) * overlap) / count  # frames each process estimates
    stops = [round(work + i * (work - overlap)) for i in range(count - 1)] + [n_frames]
    starts = [0, *stops[:-1]]
    return [
        Chunk(i, max(0, start - overlap) if i else 0, start, stop)
        for i, (start, stop) in enumerate(zip(starts, stops, strict=True))
    ]


def workers_for(jobs: int | None) -> int:
    """Processes for ``jobs`` (None: :func:`default_jobs` on this machine)."""
    return jobs if jobs is not None else default_jobs(available_cores(), available_memory())


def may_split(n_frames: int, fps: float, jobs: int | None) -> bool:
    """Whether ``n_frames`` at ``fps`` can be analysed in more than one chunk with ``jobs``
    processes (the shorter overlap; the face model's may still leave one chunk)."""
    workers = workers_for(jobs)
    return n_frames > 0 and fps > 0 and workers > 1 and len(plan_chunks(n_frames, fps, workers)) > 1


def default_jobs(cores: int, available_bytes: int, per_worker: int = WORKER_MEMORY_BYTES) -> int:
    """Processes for ``jobs=None``: one per available core, as many as memory allows (>= 1)."""
    return max(1, min(cores, available_bytes // per_worker))


def available_cores() -> int:
    """CPU cores this process may run on (its affinity mask, e.g. under taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def available_memory() -> int:
    """Bytes of memory available to new processes (Linux MemAvailable; else all of it)."""
    try:
        with Path("/proc/meminfo").open(encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def frame_times(pts: Sequence[int], time_base: Fraction, fps: float) -> np.ndarray:
    """(T,) seconds since the first frame for frames with presentation timestamps ``pts``
    (stream ticks of ``time_base``, in presentation order), by the rule of
    ``media.video.VideoReader``: a time not after the previous one becomes previous + 1/fps."""
    times = np.empty(len(pts))
    step = 1.0 / fps
    start: float | None = None
    last = -np.inf
    for i, ticks in enumerate(pts):
        raw = float(ticks * time_base)  # as PyAV's frame.time
        start = raw if start is None else start
        t = float(raw - start)
        if t <= last:
            t = last + step
        times[i] = last = t
    return times


def frames_to_analyze(times: np.ndarray, max_frames: int | None, max_seconds: float | None) -> int:
    """How many of the frames at ``times`` an analysis limited by ``max_frames`` and
    ``max_seconds`` covers (as ``VideoReader`` stops)."""
    count = len(times)
    if max_seconds is not None:
        count = int(np.searchsorted(times, max_seconds, side="left"))
    if max_frames is not None:
        count = min(count, max_frames)
    return count


def check_frames(time_s: np.ndarray, every_s: float) -> np.ndarray:
    """Indices of the frames on which a pose estimator fed frames at ``time_s`` from the
    first one runs its periodic people count every ``every_s`` seconds (the rule of
    ``pose.estimator.PEOPLE_CHECK_S``: due when ``every_s`` has passed since the last one,
    in the whole milliseconds the model is given)."""
    due: list[int] = []
    last_ms = -1
    check_ms: int | None = None
    for i, t in enumerate(time_s.tolist()):
        last_ms = max(round(t * 1000), last_ms + 1)
        if check_ms is None or last_ms - check_ms >= every_s * 1000:
            check_ms = last_ms
            due.append(i)
    return np.asarray(due, dtype=int)


def decode_only_share(width: int, height: int) -> float:
    """What decoding one frame that is not estimated costs, as a share of estimating one
    (DECODE_ONLY_SHARE_1080P scaled by the pixels: decoding grows with them, the model's
    input does not)."""
    return DECODE_ONLY_SHARE_1080P * (width * height) / (1920 * 1080)


def chunk_cost(chunk: Chunk, keyframes: np.ndarray, decode_share: float) -> float:
    """``chunk``'s work in estimated frames: the frames it estimates, plus ``decode_share``
    for each frame decoded only to reach them (from the keyframe at or before its
    ``warm_start``; ``keyframes``: sorted frame indices starting with 0)."""
    return chunk.frames + decode_share * float(
        _decode_only(np.asarray(chunk.warm_start), keyframes)
    )


def _decode_only(warm_start: np.ndarray, keyframes: np.ndarray) -> np.ndarray:
    """Frames decoded before each ``warm_start`` only to reach it (from the keyframe at or
    before it)."""
    return warm_start - keyframes[np.searchsorted(keyframes, warm_start, side="right") - 1]


def place_borders(
    chunks: Sequence[Chunk],
    fps: float,
    checks: np.ndarray,
    keyframes: np.ndarray,
    decode_share: float,
) -> list[Chunk]:
    """``chunks`` (from :func:`plan_chunks`) with every overlap starting on a people count,
    the borders placed so that the costliest chunk (:func:`chunk_cost`) costs least.

    On a people count (``checks``: frame indices, see :func:`check_frames`), a chunk's
    estimator counts people on the same frames as the serial pass (it counts on its first
    frame and every PEOPLE_CHECK_S after). The cost moves a border to just after a keyframe
    when the keyframes are far apart: a chunk that starts long after one decodes every frame
    from it first. The overlap keeps its length and every chunk keeps MIN_CHUNK_S seconds of
    its own frames at ``fps``; with no such placement the chunks are returned as given.
    """
    if len(chunks) < 2:
        return list(chunks)
    keys = np.union1d([0], keyframes).astype(int)
    layout = _Layout(
        chunks[-1].stop,
        len(chunks),
        chunks[1].start - chunks[1].warm_start,
        min_chunk_frames(fps),
    )
    counts = np.asarray(checks, dtype=int)
    low, high = layout.n_frames / layout.count, layout.n_frames * (1 + decode_share)
    best = layout.fit(high, counts, keys, decode_share)
    if best is None:
        return list(chunks)
    while high - low > 0.5:  # bisect the costliest chunk's cost, in frames
        middle = (low + high) / 2
        fitted = layout.fit(middle, counts, keys, decode_share)
        if fitted is None:
            low = middle
        else:
            high, best = middle, fitted
    return best


@dataclass(frozen=True)
class _Layout:
    """``count`` chunks over ``n_frames`` frames with ``overlap`` frames of overlap, each
    with at least ``least`` frames of its own."""

    n_frames: int
    count: int
    overlap: int
    least: int

    def fit(
        self, most: float, checks: np.ndarray, keys: np.ndarray, decode_share: float
    ) -> list[Chunk] | None:
        """Chunks that each cost at most ``most``, or None. Each chunk reaches as far as it
        may: a later border never costs the chunks after it more (a frame further on is one
        frame fewer to estimate and at most one more to decode, which costs less)."""
        least, candidates = self.least, checks + self.overlap
        placed: list[Chunk] = []
        warm = start = 0
        for index in range(self.count - 1):
            reach = warm + most - decode_share * float(_decode_only(np.asarray(warm), keys))
            room = self.n_frames - (self.count - 1 - index) * least  # the others' own frames
            stops = candidates[(candidates >= start + least) & (candidates <= min(reach, room))]
            if not len(stops):
                return None
            placed.append(Chunk(index, warm, start, int(stops[-1])))
            warm, start = int(stops[-1]) - self.overlap, int(stops[-1])
        last = Chunk(self.count - 1, warm, start, self.n_frames)
        return [*placed, last] if chunk_cost(last, keys, decode_share) <= most else None
