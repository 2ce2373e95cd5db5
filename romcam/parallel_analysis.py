"""One video on several cores: the pose pass in contiguous chunks, one process each.

Only pose estimation is parallel. Each worker process (forked from a fork server that has
imported MediaPipe but started none of its threads, ``romcam.worker_start``) seeks to the
keyframe before its chunk's overlap (the plan puts overlaps just after keyframes when they
are far apart, ``chunk_plan.place_borders``), decodes up to its last
frame and runs its own VIDEO-mode pose landmarker (and face landmarker) on the overlap and
its own frames. It streams every frame's results back: *every* person found, not a chosen
subject. The main process stitches them in frame order and chooses the subject with one
:class:`~romcam.core.tracking.SubjectTracker` over the whole video, exactly as the serial
pass does, then feeds the same :class:`~romcam.pose_pass.PassCollector` (landmark file,
subject split, warnings) and draws the annotated video from its own decode of the video as
the stitched frames arrive. Everything downstream is the serial code.

Frame indices and times equal the serial pass's: they are planned from the container's
packet timestamps (no decoding) with the reader's own rule, and each worker checks that the
decoder gives exactly the planned timestamps.

When the chunked result could differ from the serial one, the whole video is analysed
serially instead (logged; nothing is lost but time): the timestamps cannot be planned
(missing or repeated ones, a file that looks truncated, so truncation is reported as the
serial pass reports it), a worker's decoder disagrees with the plan or fails, a chunk's model
did not find the previous chunk's subject in the overlap (``max_people=1`` locked onto
someone else), or the face model's auto decision differs between chunks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import queue
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av
import numpy as np

from romcam.chunk_plan import (
    Chunk,
    check_frames,
    decode_only_share,
    frame_times,
    frames_to_analyze,
    overlap_seconds,
    place_borders,
    plan_chunks,
    workers_for,
)
from romcam.chunk_stitch import ChunkFrame, ChunkMismatchError, Stitcher
from romcam.media.rotation import upright
from romcam.media.video import (
    TRUNCATION_MIN_MISSING,
    TRUNCATION_SHARE,
    VideoReader,
    frame_to_rgb,
    prefetch,
)
from romcam.pose.estimator import PEOPLE_CHECK_S
from romcam.pose_pass import FaceStage, PassCollector, PassOptions, PassResult
from romcam.worker_start import worker_context

if TYPE_CHECKING:
    from multiprocessing.synchronize import Event

    from romcam.core.head_pose import HeadPose
    from romcam.media.annotated_video import AnnotatedVideoWriter
    from romcam.pose.estimator import FramePose

log = logging.getLogger(__name__)

#: Frames a worker sends back at a time (its progress steps).
BATCH_FRAMES = 8


@dataclass(frozen=True)
class ChunkPlan:
    """The frames to analyse (presentation timestamps, times in s) and their chunks."""

    pts: np.ndarray
    time_s: np.ndarray
    chunks: list[Chunk]


@dataclass(frozen=True)
class ScannedStream:
    """The video stream's frames from its packets, in presentation order: (T,) timestamps in
    stream ticks, (T,) seconds since the first frame, and the (K,) indices of keyframes."""

    pts: np.ndarray
    time_s: np.ndarray
    keyframes: np.ndarray


@dataclass(frozen=True)
class ChunkTask:
    """What one worker needs (picklable): the video, its chunk and frames, the models."""

    path: Path
    rotation_deg: int
    chunk: Chunk
    pts: np.ndarray  # of frames warm_start .. stop-1
    time_s: np.ndarray
    opts: PassOptions  # without the progress callback


def plan_for(reader: VideoReader, jobs: int | None, face: bool | None = None) -> ChunkPlan | None:
    """The chunks for ``reader``'s video with ``jobs`` processes (None: the default), or
    None for the serial pass (one process, a short video, timestamps that cannot be planned).
    ``face``: whether the face model runs (None: it may), which sets the overlap."""
    workers = workers_for(jobs)
    if workers < 2:
        return None
    scanned = scan_timestamps(reader.path, reader.info.frame_count, reader.info.fps)
    if scanned is None:
        return None
    times = scanned.time_s
    count = frames_to_analyze(times, reader.max_frames, reader.max_seconds)
    fps = reader.info.fps
    chunks = plan_chunks(count, fps, workers, overlap_s=overlap_seconds(face)) if count else []
    checks = check_frames(times[:count], PEOPLE_CHECK_S)
    share = decode_only_share(reader.info.width, reader.info.height)
    chunks = place_borders(chunks, fps, checks, scanned.keyframes, share)
    if len(chunks) < 2:
        return None
    log.debug("%s: %d chunks of frames %s", reader.path.name, len(chunks), chunks)
    return ChunkPlan(scanned.pts[:count], times[:count], chunks)


def scan_timestamps(path: Path, expected_frames: int, fps: float) -> ScannedStream | None:
    """Every frame's timestamp and the keyframes, from the video stream's packets (no
    decoding), or None when they cannot be planned: a packet without a timestamp, a repeated
    one, or fewer packets than the header promises (the serial reader then reports the
    truncation)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        time_base = Fraction(stream.time_base or Fraction(1, 1))
        packets = [(p.pts, p.is_keyframe) for p in container.demux(stream) if p.size]
    if not packets or any(pts is None for pts, _ in packets):
        return None
    pts = np.sort(np.asarray([pts for pts, _ in packets], dtype=np.int64))
    key_pts = np.asarray([stamp for stamp, key in packets if key], dtype=np.int64)
    missing = expected_frames - len(pts)
    if np.any(np.diff(pts) <= 0) or (
        missing >= TRUNCATION_MIN_MISSING and len(pts) < TRUNCATION_SHARE * expected_frames
    ):
        return None
    times = frame_times(pts.tolist(), time_base, fps)
    return ScannedStream(pts, times, np.searchsorted(pts, key_pts))


def parallel_pass(
    reader: VideoReader,
    plan: ChunkPlan,
    lm_path: Path | None,
    opts: PassOptions,
    annotated: AnnotatedVideoWriter | None,
) -> PassResult | None:
    """The pose pass of ``reader``'s video in ``plan``'s chunks (None: it fell back; run
    the serial pass). ``reader`` is read only for the annotated video."""
    from romcam.pose.model_files import resolve_model

    # Absolute paths: the workers are forked from the fork server, in its working directory.
    face_model = opts.face_model_path
    worker_opts = replace(
        opts,
        progress=None,
        model_path=resolve_model(opts.model_path).absolute(),
        face_model_path=Path(face_model).absolute() if face_model is not None else None,
    )
    tasks = [_task(reader, plan, chunk, worker_opts) for chunk in plan.chunks]
    try:
        with ExitStack() as stack:
            collector = PassCollector(reader.info, lm_path, stack)
            stitcher = Stitcher(plan.chunks, reader, collector, opts, annotated, stack)
            _run_workers(tasks, stitcher)
            stitcher.finish()
    except ChunkMismatchError as why:
        log.info("%s: analysing on one core instead (%s)", reader.path.name, why)
        return None
    return collector.finish(stitcher.face.on, None)


def _task(reader: VideoReader, plan: ChunkPlan, chunk: Chunk, opts: PassOptions) -> ChunkTask:
    span = slice(chunk.warm_start, chunk.stop)
    return ChunkTask(
        reader.path.absolute(),
        reader.info.rotation_deg,
        chunk,
        plan.pts[span],
        plan.time_s[span],
        opts,
    )


def _run_workers(tasks: list[ChunkTask], stitcher: Stitcher) -> None:
    """Run the tasks on one process each, handing their messages to ``stitcher`` until
    every chunk has ended; a worker's error is raised here (its own one-sentence error)."""
    context = worker_context()
    events = context.Queue()
    stop = context.Event()
    face_decision = context.Value("i", _UNDECIDED, lock=False)
    with ProcessPoolExecutor(
        max_workers=len(tasks),
        mp_context=context,
        initializer=_init_worker,
        initargs=(events, stop, face_decision),
    ) as pool:
        futures = [pool.submit(_estimate_chunk, task) for task in tasks]
        try:
            while not stitcher.all_ended:
                _raise_worker_error(futures)
                try:
                    stitcher.take(*events.get(timeout=0.2))
                except queue.Empty:
                    continue
        except BaseException:
            stop.set()  # the workers stop at their next frame
            for future in futures:
                future.cancel()
            raise


def _raise_worker_error(futures: list[Future[None]]) -> None:
    """A worker's own error (its one sentence); a worker process that died (killed, out of
    memory): ChunkMismatchError, so the serial pass runs instead."""
    for future in futures:
        if future.done() and (error := future.exception()) is not None:
            if isinstance(error, BrokenProcessPool):
                raise ChunkMismatchError(f"a worker process stopped ({error})") from error
            raise error


# --- worker process -------------------------------------------------------------------


@dataclass
class _WorkerLinks:
    """(worker) The main process's queue, its stop event and the face-model decision that
    the first chunk shares with the others (a ``multiprocessing.Value``, see _ChunkFace)."""

    events: Any = None
    stop: Event | None = None
    face_decision: Any = None


_links = _WorkerLinks()

#: Values of the shared face-model decision.
_UNDECIDED, _OFF, _ON, _NOT_IN_FIRST_CHUNK = -1, 0, 1, 2


def _init_worker(events: Any, stop: Event, face_decision: Any) -> None:
    global _links
    _links = _WorkerLinks(events, stop, face_decision)
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    # A worker stopped early must not wait at exit for the main process to read what it
    # sent (it no longer reads); a finished chunk's messages have all been read by then.
    events.cancel_join_thread()


def _exit_with_parent() -> None:
    """(worker) End this process once the romcam process that started it is gone: one killed
    with SIGKILL runs no clean-up, and its workers would go on decoding a video nobody waits
    for. (Their parent process is the fork server; ``parent_process()`` is the one that asked
    for them, watched through a pipe it holds.)"""
    parent = multiprocessing.parent_process()
    if parent is not None:
        parent.join()
        os._exit(1)


class _ChunkFace:
    """(worker) The face model of one chunk, following the serial pass's auto decision.

    The first chunk decides as the serial pass does (its first frames are the serial pass's)
    and shares the decision. Later chunks run the face model until it is known, then follow
    it; when the first chunk had no subject at all, they decide on their own (the main
    process falls back if that differs from the whole video's decision).
    """

    def __init__(self, task: ChunkTask, stack: ExitStack) -> None:
        self.first = task.chunk.index == 0
        self.stage = FaceStage(task.opts, stack, eager=not self.first)
        self.shared = _links.face_decision

    def process(self, rgb: np.ndarray, ms: int, fp: FramePose | None) -> HeadPose | None:
        stage, shared = self.stage, self.shared
        if self.first:
            head = stage.process(rgb, ms, fp)
            if stage.on is not None and shared.value == _UNDECIDED:
                shared.value = _ON if stage.on else _OFF
            return head
        if stage.on is None and shared.value in (_ON, _OFF):
            stage.on = shared.value == _ON
        return stage.process(rgb, ms, fp if shared.value == _NOT_IN_FIRST_CHUNK else None)

    def end(self) -> None:
        if self.first and self.shared.value == _UNDECIDED:
            self.shared.value = _NOT_IN_FIRST_CHUNK


def _estimate_chunk(task: ChunkTask) -> None:
    """(worker) Estimate the chunk's frames; send ("frames", chunk, [ChunkFrame]) batches
    and one ("end", chunk, problem or None)."""
    from romcam.pose.estimator import PoseEstimator

    index, events, stop = task.chunk.index, _links.events, _links.stop
    problem = None
    with ExitStack() as stack:
        estimator = stack.enter_context(
            PoseEstimator(task.opts.model_path, max_people=task.opts.max_people)
        )
        face = _ChunkFace(task, stack)
        batch: list[ChunkFrame] = []
        try:
            to_rgb = partial(_to_rgb, task.rotation_deg)
            for frame_index, time_s, rgb in prefetch(_decode_chunk(task), to_rgb):
                if stop is not None and stop.is_set():
                    return
                ms = round(time_s * 1000)
                fp = estimator.process(rgb, ms)
                head = face.process(rgb, ms, fp)
                found = tuple((p.image, p.world) for p in estimator.people_found)
                people = int(estimator.people_in_last_frame)
                batch.append(ChunkFrame(frame_index, time_s, found, people, head, face.stage.ran))
                if len(batch) >= BATCH_FRAMES:
                    events.put(("frames", index, batch))
                    batch = []
        except ChunkMismatchError as why:
            problem = str(why)
        face.end()
        events.put(("frames", index, batch))
    events.put(("end", index, problem))


def _decode_chunk(task: ChunkTask) -> Iterator[tuple[int, float, Any]]:
    """(worker) (frame index, time_s, PyAV frame) of the chunk's frames, decoded from the
    keyframe before them; ChunkMismatchError when the decoder's timestamps are not the
    planned ones."""
    chunk = task.chunk
    planned = zip(
        range(chunk.warm_start, chunk.stop), task.pts.tolist(), task.time_s.tolist(), strict=True
    )
    index, want, time_s = next(planned)
    try:
        with av.open(str(task.path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            if chunk.warm_start:
                container.seek(want, stream=stream, backward=True, any_frame=False)
            for frame in container.decode(stream):
                if frame.pts is not None and frame.pts < want:
                    continue  # between the keyframe and the first planned frame
                if frame.pts != want:
                    raise ChunkMismatchError(
                        f"frame {index}: decoded timestamp {frame.pts}, not {want}"
                    )
                yield index, time_s, frame
                if (following := next(planned, None)) is None:
                    return
                index, want, time_s = following
    except av.FFmpegError as exc:
        raise ChunkMismatchError(f"decoding failed at frame {index}: {exc}") from exc
    raise ChunkMismatchError(f"the video ended before frame {index}")


def _to_rgb(rotation_deg: int, item: tuple[int, float, Any]) -> tuple[int, float, np.ndarray]:
    """(worker) The frame as the serial pass gives it to the models: upright RGB."""
    index, time_s, frame = item
    return index, time_s, upright(frame_to_rgb(frame), rotation_deg)
