"""The annotated video of an analysis: skeleton, head axes, live (causal) readout, H.264 output.

Drawing and encoding run on a worker thread fed through a small bounded queue, so they overlap
with decoding and the pose model on the caller's thread; the queue bound keeps memory flat.
Frames are downscaled to at most :data:`MAX_SHORT_SIDE` pixels on their short side (a portrait
phone clip stays as sharp as a landscape one) before drawing and encoding. The
readout is the live view's causal measurer (``romcam.core.causal_measurer``), so it shows
what ``angles.csv`` says (same calibration and neutral) as the live view would have shown it.
The worker measures frames in batches of a few (one ``compute_metrics`` call costs about the
same for 1 or 16 frames), so the readout sees at most a batch (~0.3 s) ahead when detecting the
view; values are still filtered causally.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np

from romcam.calibration.apply import causal_measurer
from romcam.closing import Closing
from romcam.core.causal_measurer import FrameMeasurement
from romcam.core.compensation import CompensationTracker, over_threshold, watched_test
from romcam.core.head_pose import HeadPose
from romcam.core.metric_specs import METRIC_IDS, METRICS_BY_ID, metric_spec
from romcam.core.summary import view_fits
from romcam.media.drawing import (
    ARCS,
    draw_angle_arc,
    draw_head_axes,
    draw_readout,
    draw_skeleton,
)
from romcam.media.panel_placement import PanelPlacer
from romcam.media.video import H264Writer, even_size
from romcam.worker import QueueWorker

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile

log = logging.getLogger(__name__)

# Why 540 rows and "superfast": on 2 cores the pose model (2 people) uses ~50 ms CPU per
# frame; encoding 720p with "veryfast" added ~26 ms (plus resize and drawing), cutting
# throughput to ~0.7x of a bare decode + pose loop. 540p "superfast" costs ~10 ms per frame,
# plays in browsers like any yuv420p H.264, and keeps the readout legible (benchmarks/README.md).
# The cap is on the short side: a 1080x1920 portrait clip becomes 540x960, the same pixel count
# (and encoder cost) as a landscape 960x540, instead of an unreadable 304x540.
MAX_SHORT_SIDE = 540
#: libx264 preset of the annotated video.
PRESET = "superfast"
#: A new headline metric must out-move the current one by this much (unit of the metric).
HEADLINE_HYSTERESIS = 10.0
_IS_ROM = np.array([METRICS_BY_ID[m].kind == "rom" for m in METRIC_IDS])


class LiveReadout:
    """Per-frame, causal metric values for the readout, and which metric to headline.

    Values come from a :class:`~romcam.core.causal_measurer.CausalMeasurer` (the live view's
    measurer, with the calibration's level, scale and lens and ``angles.csv``'s neck-flexion
    neutral), one frame (:meth:`update`) or a small batch of consecutive frames
    (:meth:`update_batch`) at a time. Without a fixed ``headline``, the range-of-motion
    metric with the largest excursion so far is headlined, switching only when another
    out-moves it by :data:`HEADLINE_HYSTERESIS`.
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
        self.fixed_headline = headline
        self.headline = headline or METRIC_IDS[0]
        self.extra_rows = extra_rows
        self.measurer = causal_measurer(calibration, width, height)
        #: The subject's facing (``FrameMeasurement.facing``) in each frame of the last batch.
        self.last_facings: list[str] = []
        self._lo = np.full(len(METRIC_IDS), np.inf)
        self._hi = np.full(len(METRIC_IDS), -np.inf)

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
        heads: Sequence[HeadPose | None] | None = None,
    ) -> list[tuple[dict[str, float], str]]:
        """:meth:`update` for consecutive frames at once (one metric computation, much faster).

        ``heads``: the face model's head pose per frame (None where the face was lost), or
        None when the face model did not run (see ``CausalMeasurer.measure_batch``).
        Returns per frame the readings (headline first, as chosen at that frame) and the view.
        """
        measured = self.measurer.measure_batch(times, images, worlds, heads=heads)
        self.last_facings = [m.facing for m in measured]
        return [self._step(m) for m in measured]

    def _step(self, measured: FrameMeasurement) -> tuple[dict[str, float], str]:
        values = measured.values
        finite = np.isfinite(values)
        self._lo[finite] = np.minimum(self._lo[finite], values[finite])
        self._hi[finite] = np.maximum(self._hi[finite], values[finite])
        self._pick_headline(measured.view)
        return self._readings(values, measured.view), measured.view

    def _pick_headline(self, view: str) -> None:
        """Headline the moving ROM metric the frame's view suits (no view: any)."""
        if self.fixed_headline is not None:
            return
        span = np.where(np.isfinite(self._hi - self._lo), self._hi - self._lo, -1.0)
        span = np.where(_IS_ROM, span, -1.0)  # posture values are static: never the headline
        if view != "none":
            span = np.where(_fits_view(view), span, -1.0)
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
            fits = view_fits(METRICS_BY_ID[mid].view, view)
            if mid not in readings and fits and math.isfinite(values[i]) and span[i] > 0:
                readings[mid] = float(values[i])
        return readings


def _fits_view(view: str) -> np.ndarray:
    """(len(METRIC_IDS),) bool: the metrics ``view`` suits (``summary.view_fits``)."""
    return np.array([view_fits(METRICS_BY_ID[m].view, view) for m in METRIC_IDS])


def view_cue(metric_id: str, view: str) -> str | None:
    """A short instruction when ``view`` does not suit ``metric_id`` ("turn sideways")."""
    needed = METRICS_BY_ID[metric_id].view
    if view == "none" or view_fits(needed, view):
        return None
    return "turn sideways" if needed == "side" else "face the camera"


def frame_cues(
    metric_id: str, view: str, detected: bool, people: int, *, chosen: bool = True
) -> list[str]:
    """Banner warnings for one frame.

    Args:
        metric_id: the headline metric; view: the frame's detected view.
        detected: the subject was found; people: the people the model saw in the picture.
        chosen: the headline was chosen by the user (``--headline``, a test): only then can a
            view be wrong for the recording, and the view cue is shown. A headline picked
            from the movement is one the clip's own view suits, so it gets no view cue (a
            front-view neck rotation clip is never told to "turn sideways").
    """
    if not detected:
        # People seen but not the subject: it is lost (hidden, left, or another person).
        return ["subject lost" if people >= 1 else "no one in frame"]
    cues = [f"{people} people in frame"] if people >= 2 else []
    cue = view_cue(metric_id, view) if chosen else None
    return [*cues, cue] if cue else cues


def compensation_cues(
    tracker: CompensationTracker,
    time_s: float,
    image: np.ndarray | None,
    size: tuple[int, int],
    view: str,
    facing: str,
) -> list[str]:
    """Banner cues of the compensations over their thresholds in this frame ("keep the trunk
    upright"), after feeding it to ``tracker`` (``core.compensation``: the change from the
    recording's start), worded like the other banner cues."""
    current = tracker.update(time_s, image, size, view, facing)
    return list(
        dict.fromkeys(s.cue.rstrip(".").lower() for s in over_threshold(current, tracker.specs))
    )


def output_size(width: int, height: int, max_short_side: int = MAX_SHORT_SIDE) -> tuple[int, int]:
    """(width, height) of the annotated video: scaled down so that the short side is at most
    ``max_short_side`` px (never up), both even, aspect ratio kept to within a pixel."""
    if min(width, height) <= max_short_side:
        return even_size(width, height)
    return even_size(width, height, max_height=round(height * max_short_side / min(width, height)))


class AnnotatedVideoWriter(Closing):
    """Annotate and encode frames on a worker thread; use as a context manager.

    :meth:`put` takes the full-size BGR frame (not modified; do not modify it afterwards) and
    that frame's landmarks; it blocks when the queue is full (back-pressure instead of memory
    growth). Errors on the worker are raised
    again from :meth:`put` or :meth:`close`.

    ``with_heads``: the caller runs the face model and gives each frame's head pose to
    :meth:`put`; the readout then measures the neck from it (as ``angles.csv`` does) and the
    head's axes are drawn.
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
        max_short_side: int | None = None,
        preset: str | None = None,
        queue_size: int = 4,
        batch: int = 8,
        with_heads: bool = False,
    ) -> None:
        self.readout = LiveReadout(width, height, headline=headline, calibration=calibration)
        # A chosen headline of a test that watches compensations: its cues are shown too.
        watched = watched_test(headline) if headline is not None else None
        self.compensation = CompensationTracker(*watched) if watched else None
        self.size = output_size(width, height, max_short_side or MAX_SHORT_SIDE)
        #: Puts the readout panel in the corner that covers the subject least.
        self.panel = PanelPlacer()
        self.batch = batch
        self.with_heads = with_heads
        self._writer = H264Writer(path, *self.size, fps, preset=preset or PRESET)
        self._pending: list[tuple] = []
        self._worker: QueueWorker[tuple] = QueueWorker(
            "annotated-video", self._take, self._flush_and_close, queue_size=queue_size
        )

    def put(
        self,
        frame_bgr: np.ndarray,
        time_s: float,
        image: np.ndarray | None,
        world: np.ndarray | None,
        people: int,
        *,
        head: HeadPose | None = None,
    ) -> None:
        """Queue one frame (any size; it is resized) with its (33, 4) / (33, 3) landmarks and
        its head pose (face model; None: no face, or no face model)."""
        self._worker.put((frame_bgr, time_s, image, world, people, head))

    def close(self) -> None:
        """Finish the queue and the file; re-raises a worker error (idempotent)."""
        self._worker.close()

    def _take(self, item: tuple) -> None:
        """(worker thread) Collect frames and annotate them a batch at a time."""
        self._pending.append((self._fit(item[0]), *item[1:]))
        if len(self._pending) >= self.batch:
            self._flush(self._pending)

    def _flush_and_close(self) -> None:
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
        batch is not written again by ``_flush_and_close``."""
        batch = list(pending)
        pending.clear()
        frames, times, images, worlds, people, heads = zip(*batch, strict=True)
        readings = self.readout.update_batch(
            times, images, worlds, heads if self.with_heads else None
        )
        for i, (values, view) in enumerate(readings):
            extra = []
            if self.compensation is not None:
                size = (self.readout.measurer.width, self.readout.measurer.height)
                facing = self.readout.last_facings[i]
                extra = compensation_cues(
                    self.compensation, times[i], images[i], size, view, facing
                )
            self._draw(frames[i], values, view, images[i], people[i], heads[i], extra)
            self._writer.write(frames[i], times[i])

    def _draw(
        self,
        frame: np.ndarray,
        readings: dict[str, float],
        view: str,
        image: np.ndarray | None,
        people: int,
        head: HeadPose | None,
        extra_cues: Sequence[str] = (),
    ) -> None:
        headline = next(iter(readings))
        draw_skeleton(frame, image, face=head is None)
        draw_head_axes(frame, head)
        if image is not None and headline in ARCS and math.isfinite(readings[headline]):
            draw_angle_arc(frame, image, headline, readings[headline])
        cues = frame_cues(
            headline,
            view,
            image is not None,
            people,
            chosen=self.readout.fixed_headline is not None,
        )
        cues = [*cues, *extra_cues] if image is not None else cues
        draw_readout(
            frame, readings, view, cues, headline=headline, placer=self.panel, landmarks=image
        )
