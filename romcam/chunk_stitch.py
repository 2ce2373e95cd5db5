"""Stitching the chunks of a chunked pose pass (``romcam.parallel_analysis``) in frame order.

The workers' frames arrive in any order between chunks; :class:`Stitcher` buffers them, checks
each seam, chooses the subject with one :class:`~romcam.core.tracking.SubjectTracker` over the
whole video (as the serial pass does, from every person each chunk's model found) and hands
each frame to the serial pass's :class:`~romcam.pose_pass.PassCollector` and, on a thread of
its own that decodes the video again, to the annotated video.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import deque
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from romcam.chunk_plan import Chunk
from romcam.core.tracking import SubjectTracker
from romcam.pose.estimator import FramePose
from romcam.pose_pass import FaceStage, PassCollector, PassOptions

if TYPE_CHECKING:
    from romcam.core.head_pose import HeadPose
    from romcam.media.annotated_video import AnnotatedVideoWriter
    from romcam.media.video import VideoReader

log = logging.getLogger(__name__)

#: Two poses are the same person when their landmarks' median distance is at most this
#: share of the image diagonal (the model's jitter is well under 1 %; two people are apart).
SAME_PERSON_MAX = 0.05
#: A chunk joins the previous one when it found the previous chunk's subject in at least
#: this share of the overlap's second half (where its tracker has settled).
SEAM_MATCH_SHARE = 0.5


class ChunkMismatchError(Exception):
    """The chunked pass cannot match the serial one; the message says why."""


@dataclass(frozen=True)
class ChunkFrame:
    """One frame a worker estimated: every person found as (33, 4) image and (33, 3) world
    landmarks, the people counted, the head pose and whether the face model ran."""

    index: int
    time_s: float
    found: tuple[tuple[np.ndarray, np.ndarray], ...]
    people: int
    head: HeadPose | None
    face_ran: bool


def same_person(a: np.ndarray, b: np.ndarray, width: int, height: int) -> bool:
    """Whether (33, >=2) normalised image landmarks ``a`` and ``b`` are one person: their
    median distance is at most SAME_PERSON_MAX of the image diagonal."""
    apart = np.hypot((a[:, 0] - b[:, 0]) * width, (a[:, 1] - b[:, 1]) * height)
    return bool(np.nanmedian(apart) <= SAME_PERSON_MAX * np.hypot(width, height))


class Stitcher:
    """Takes the workers' messages; emits frames in order to ``collector`` (and the
    annotated video). Raises :class:`ChunkMismatchError` when the result could differ from
    the serial pass's."""

    def __init__(
        self,
        chunks: Sequence[Chunk],
        reader: VideoReader,
        collector: PassCollector,
        opts: PassOptions,
        annotated: AnnotatedVideoWriter | None,
        stack: ExitStack,
    ) -> None:
        info = reader.info
        self.chunks = list(chunks)
        self.total = chunks[-1].stop
        self.size = (info.width, info.height)
        self.collector = collector
        self.progress = opts.progress
        #: Only decides (never runs a model): the whole video's face-model decision.
        self.face = FaceStage(opts, stack)
        self._tracker = SubjectTracker(aspect_ratio=info.width / info.height)
        self._buffers: dict[int, deque[ChunkFrame]] = {c.index: deque() for c in chunks}
        self._ended: set[int] = set()
        self._current = 0
        self._seam_checked = False
        self._next_index = 0
        self._done = 0
        overlap = max(c.start - c.warm_start for c in self.chunks)
        self._recent: deque[tuple[int, np.ndarray | None]] = deque(
            maxlen=2 * overlap + 1  # overlaps reach back to a people count
        )
        self._annotator = None if annotated is None else _Annotator(reader, annotated)
        if self._annotator is not None:
            stack.callback(self._annotator.close)

    @property
    def all_ended(self) -> bool:
        return len(self._ended) == len(self.chunks)

    def take(self, kind: str, chunk_index: int, payload: object) -> None:
        """One worker message: ("frames", chunk, [ChunkFrame]) or ("end", chunk, problem)."""
        if kind == "frames":
            frames: list[ChunkFrame] = payload  # type: ignore[assignment]
            self._buffers[chunk_index].extend(frames)
            start = self.chunks[chunk_index].start
            self._done += sum(f.index >= start for f in frames)
            if self.progress is not None and frames:
                self.progress(self._done, self.total)
        elif payload is not None:
            raise ChunkMismatchError(f"chunk {chunk_index + 1}: {payload}")
        else:
            self._ended.add(chunk_index)
        self._advance()

    def finish(self) -> None:
        """Check every frame was emitted; wait for the annotated video's frames."""
        if self._next_index != self.total:
            raise ChunkMismatchError(f"{self._next_index} of {self.total} frames came back")
        if self._annotator is not None:
            self._annotator.close()

    def _advance(self) -> None:
        while self._current < len(self.chunks):
            chunk = self.chunks[self._current]
            buffer = self._buffers[chunk.index]
            ended = chunk.index in self._ended
            if not self._seam_checked:
                if not ended and not any(f.index >= chunk.start for f in buffer):
                    return  # the overlap is still coming
                self._check_seam(chunk, [f for f in buffer if f.index < chunk.start])
                self._seam_checked = True
            while buffer:
                frame = buffer.popleft()
                if frame.index >= chunk.start:
                    self._emit(frame)
            if not ended:
                return
            self._current += 1
            self._seam_checked = False

    def _check_seam(self, chunk: Chunk, overlap: list[ChunkFrame]) -> None:
        """ChunkMismatchError unless the chunk found the previous chunk's subject over the settled
        half of the overlap (frames where the previous chunk had a subject)."""
        if chunk.index == 0:
            return
        subject_at = dict(self._recent)
        compared = matched = 0
        for frame in overlap[len(overlap) // 2 :]:
            subject = subject_at.get(frame.index)
            if subject is None:
                continue
            compared += 1
            matched += any(same_person(subject, image, *self.size) for image, _ in frame.found)
        log.debug("seam before frame %d: subject found in %d of %d", chunk.start, matched, compared)
        if compared and matched < SEAM_MATCH_SHARE * compared:
            raise ChunkMismatchError(
                f"chunk {chunk.index + 1} did not find the subject in the overlap before frame "
                f"{chunk.start} ({matched} of {compared} frames)"
            )

    def _emit(self, frame: ChunkFrame) -> None:
        if frame.index != self._next_index:
            raise ChunkMismatchError(f"frame {frame.index} came back instead of {self._next_index}")
        chosen = self._tracker.select([image for image, _ in frame.found])
        fp = None if chosen is None else FramePose(*frame.found[chosen])
        face_on = self.face.decide(fp, *self.size)
        if face_on and not frame.face_ran:
            raise ChunkMismatchError(f"the face model did not run on frame {frame.index}")
        head = frame.head if face_on else None
        self.collector.add(frame.index, frame.time_s, fp, frame.people, head)
        self._recent.append((frame.index, None if fp is None else fp.image))
        if self._annotator is not None:
            self._annotator.put((frame.index, fp, frame.people, head, face_on))
        self._next_index += 1


_AnnotatedItem = tuple[int, FramePose | None, int, "HeadPose | None", bool]


class _Annotator:
    """Decodes the video again on its own thread and draws each stitched frame into the
    annotated video (which draws and encodes on a thread of its own) as it is emitted."""

    def __init__(self, reader: VideoReader, annotated: AnnotatedVideoWriter) -> None:
        self._reader = reader
        self._annotated = annotated
        self._items: queue.Queue[_AnnotatedItem | None] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="annotate-chunks", daemon=True)
        self._thread.start()

    def put(self, item: _AnnotatedItem) -> None:
        self._items.put(item)

    def close(self) -> None:
        """Wait for the frames put so far (idempotent); re-raise an error of the thread."""
        if self._thread.is_alive():
            self._items.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        try:
            for index, time_s, frame_bgr in self._reader:
                item = self._items.get()
                if item is None:
                    return
                if item[0] != index:
                    raise RuntimeError(f"annotating frame {item[0]}, decoded frame {index}")
                _, fp, people, head, with_heads = item
                image, world = (None, None) if fp is None else (fp.image, fp.world)
                self._annotated.with_heads = with_heads
                self._annotated.put(frame_bgr, time_s, image, world, people, head=head)
        except BaseException as exc:  # raised again by close()
            self._error = exc
