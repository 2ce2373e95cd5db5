"""The annotated video of an analysis: skeleton, live (causal) angle readout, H.264 output.

Drawing and encoding run on a worker thread fed through a small bounded queue, so they overlap
with decoding and the pose model on the caller's thread; the queue bound keeps memory flat.
Frames are downscaled to at most :data:`MAX_HEIGHT` rows before drawing and encoding. The
worker measures frames in batches of a few (one ``compute_metrics`` call costs about the same
for 1 or 16 frames), so the readout sees at most a batch (~0.3 s) ahead when detecting the view;
values are still filtered causally.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from romcam.closing import Closing
from romcam.core.filtering import OneEuroFilter
from romcam.core.landmarks import N_LANDMARKS, PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.metric_specs import METRIC_IDS, METRICS_BY_ID, metric_spec
from romcam.media.drawing import ARCS, draw_angle_arc, draw_readout, draw_skeleton
from romcam.media.video import H264Writer, even_size
from romcam.worker import QueueWorker

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile

log = logging.getLogger(__name__)

# Why 540 rows and "superfast": on 2 cores the pose model (2 people) uses ~50 ms CPU per
# frame; encoding 720p with "veryfast" added ~26 ms (plus resize and drawing), cutting
# throughput to ~0.7x of a bare decode + pose loop. 540p "superfast" costs ~10 ms per frame,
# plays in browsers like any yuv420p H.264, and keeps the readout legible (benchmarks/README.md).
MAX_HEIGHT = 540
#: libx264 preset of the annotated video.
PRESET = "superfast"
#: A new headline metric must out-move the current one by this much (unit of the metric).
HEADLINE_HYSTERESIS = 10.0
_FITS = {
    "side": ("side_left", "side_right"),
    "front": ("front",),
    "any": ("front", "side_left", "side_right", "oblique"),
}
_IS_ROM = np.array([METRICS_BY_ID[m].kind == "rom" for m in METRIC_IDS])


class LiveReadout:
    """Per-frame, causal metric values for the readout, and which metric to headline.

    Metrics come from :func:`romcam.core.measure.compute_metrics` on one frame (:meth:`update`) or a
    small batch of consecutive frames (:meth:`update_batch`), smoothed causally with a One Euro
    filter. Without a fixed
    ``headline``, the range-of-motion metric with the largest excursion so far is headlined,
    switching only when another out-moves it by :data:`HEADLINE_HYSTERESIS`.
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        headline: str | None = None,
        calibration: CalibrationProfile | None = None,
        extra_rows: int = 3,
    ) -> None:
        if headline is not None:
            metric_spec(headline)  # ValueError naming the known ids
        self.width, self.height = width, height
        self.fixed_headline = headline
        self.headline = headline or METRIC_IDS[0]
        self.extra_rows = extra_rows
        self._roll = (calibration.roll_deg or 0.0) if calibration is not None else 0.0
        self._px_per_cm = (
            calibration.px_per_cm_at(width, height) if calibration is not None else None
        )
        self._filter = OneEuroFilter()
        self._lo = np.full(len(METRIC_IDS), np.inf)
        self._hi = np.full(len(METRIC_IDS), -np.inf)
        self._frames = 0

    def update(
        self, time_s: float, image: np.ndarray | None, world: np.ndarray | None
    ) -> tuple[dict[str, float], str]:
        """Readings (headline first) and the detected view of one frame."""
        ((readings, view),) = self.update_batch([time_s], [image], [world])
        return readings, view

    def update_batch(
        self,
        times: Sequence[float],
        images: Sequence[np.ndarray | None],
        worlds: Sequence[np.ndarray | None],
    ) -> list[tuple[dict[str, float], str]]:
        """:meth:`update` for consecutive frames at once (one metric computation, much faster).

        Returns per frame the readings (headline first, as chosen at that frame) and the view.
        """
        n = len(times)
        image = np.full((n, N_LANDMARKS, 4), np.nan)
        world = np.full((n, N_LANDMARKS, 3), np.nan)
        for i, (im, wo) in enumerate(zip(images, worlds, strict=True)):
            if im is not None:
                image[i] = im
            if wo is not None:
                world[i] = wo
        has_world = any(w is not None for w in worlds)
        frames = np.arange(self._frames, self._frames + n)
        self._frames += n
        seq = PoseSequence(
            frames,
            np.asarray(times, dtype=float),
            self.width,
            self.height,
            image,
            world if has_world else None,
        )
        table = compute_metrics(seq, roll_deg=self._roll, px_per_cm=self._px_per_cm)
        raw = np.column_stack([table.values[m] for m in METRIC_IDS]).astype(float)
        return [self._step(float(times[i]), raw[i], str(table.view[i])) for i in range(n)]

    def _step(self, time_s: float, raw: np.ndarray, view: str) -> tuple[dict[str, float], str]:
        values = self._filter.update(time_s, raw)
        finite = np.isfinite(values)
        self._lo[finite] = np.minimum(self._lo[finite], values[finite])
        self._hi[finite] = np.maximum(self._hi[finite], values[finite])
        self._pick_headline()
        return self._readings(values, view), view

    def _pick_headline(self) -> None:
        if self.fixed_headline is not None:
            return
        span = np.where(np.isfinite(self._hi - self._lo), self._hi - self._lo, -1.0)
        span = np.where(_IS_ROM, span, -1.0)  # posture values are static: never the headline
        best = int(np.argmax(span))
        current = span[METRIC_IDS.index(self.headline)]
        if span[best] > current + HEADLINE_HYSTERESIS or current < 0:
            self.headline = METRIC_IDS[best] if span[best] >= 0 else self.headline

    def _readings(self, values: np.ndarray, view: str) -> dict[str, float]:
        readings = {self.headline: float(values[METRIC_IDS.index(self.headline)])}
        span = np.where(np.isfinite(self._hi - self._lo), self._hi - self._lo, -1.0)
        for i in np.argsort(-span):
            if len(readings) > self.extra_rows:
                break
            mid = METRIC_IDS[i]
            fits = view in _FITS[METRICS_BY_ID[mid].view]
            if mid not in readings and fits and math.isfinite(values[i]) and span[i] > 0:
                readings[mid] = float(values[i])
        return readings


def view_cue(metric_id: str, view: str) -> str | None:
    """A short instruction when ``view`` does not suit ``metric_id`` ("turn sideways")."""
    needed = METRICS_BY_ID[metric_id].view
    if view == "none" or view in _FITS[needed]:
        return None
    return "turn sideways" if needed == "side" else "face the camera"


def frame_cues(metric_id: str, view: str, detected: bool, people: int) -> list[str]:
    """Banner warnings for one frame."""
    if not detected:
        return ["no one in frame"]
    cues = [f"{people} people in frame"] if people >= 2 else []
    cue = view_cue(metric_id, view)
    return [*cues, cue] if cue else cues


class AnnotatedVideoWriter(Closing):
    """Annotate and encode frames on a worker thread; use as a context manager.

    :meth:`put` takes the full-size BGR frame (not modified; do not modify it afterwards) and
    that frame's landmarks; it blocks when the queue is full (back-pressure instead of memory
    growth). Errors on the worker are raised
    again from :meth:`put` or :meth:`close`.
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: float,
        *,
        headline: str | None = None,
        calibration: CalibrationProfile | None = None,
        max_height: int | None = None,
        preset: str | None = None,
        queue_size: int = 4,
        batch: int = 8,
    ) -> None:
        self.readout = LiveReadout(width, height, headline=headline, calibration=calibration)
        self.size = even_size(width, height, max_height=max_height or MAX_HEIGHT)
        self.batch = batch
        self._writer = H264Writer(path, *self.size, fps, preset=preset or PRESET)
        self._pending: list[tuple] = []
        self._worker: QueueWorker[tuple] = QueueWorker(
            "annotated-video", self._take, self._finish, queue_size=queue_size
        )

    def put(
        self,
        frame_bgr: np.ndarray,
        time_s: float,
        image: np.ndarray | None,
        world: np.ndarray | None,
        people: int,
    ) -> None:
        """Queue one frame (any size; it is resized) with its (33, 4) / (33, 3) landmarks."""
        self._worker.put((frame_bgr, time_s, image, world, people))

    def close(self) -> None:
        """Finish the queue and the file; re-raises a worker error (idempotent)."""
        self._worker.close()

    def _take(self, item: tuple) -> None:
        """(worker thread) Collect frames and annotate them a batch at a time."""
        self._pending.append((self._fit(item[0]), *item[1:]))
        if len(self._pending) >= self.batch:
            self._flush(self._pending)

    def _finish(self) -> None:
        """(worker thread) Annotate what is left and finish the file."""
        try:
            if self._pending:
                self._flush(self._pending)
        finally:
            self._writer.close()

    def _fit(self, frame: np.ndarray) -> np.ndarray:
        """A resized copy to draw on (never the caller's frame)."""
        if frame.shape[1::-1] != self.size:
            return cv2.resize(frame, self.size, interpolation=cv2.INTER_LINEAR)
        return frame.copy()

    def _flush(self, pending: list[tuple]) -> None:
        """Annotate and encode the pending frames; they leave the list first, so a failed
        batch is not written again by ``_finish``."""
        batch = list(pending)
        pending.clear()
        frames, times, images, worlds, people = zip(*batch, strict=True)
        readings = self.readout.update_batch(times, images, worlds)
        for i, (values, view) in enumerate(readings):
            self._draw(frames[i], values, view, images[i], people[i])
            self._writer.write(frames[i], times[i])

    def _draw(
        self,
        frame: np.ndarray,
        readings: dict[str, float],
        view: str,
        image: np.ndarray | None,
        people: int,
    ) -> None:
        headline = next(iter(readings))
        draw_skeleton(frame, image)
        if image is not None and headline in ARCS and math.isfinite(readings[headline]):
            draw_angle_arc(frame, image, headline, readings[headline])
        cues = frame_cues(headline, view, image is not None, people)
        draw_readout(frame, readings, view, cues, headline=headline)
