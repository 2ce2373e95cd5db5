"""A two-stage pipeline for live frames, so that the camera callback never waits for the model.

The pose model releases the Python lock while it runs (~31 ms a frame with the full model on
a 2-core machine); measuring, drawing and recording a frame hold it (~8 ms). Run one after the
other on the camera's thread they add up to ~40 ms, i.e. at most ~25 of a webcam's 30 frames
per second, and every frame waits for both. Here the pose stage of the newest frame runs on
one thread while the annotating stage (measure, check, record, draw) of the previous frame runs
on another, and the camera callback only hands its frame over and takes the newest annotated
frame back.

Frames that arrive while the pose stage is busy replace each other: only the newest waits, so
the picture never lags behind the camera by more than one frame in the pipeline. Nothing here
knows about poses; :class:`romcam.live.processor.LiveProcessor` provides the two stages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np

from romcam.closing import Closing
from romcam.worker import QueueWorker

log = logging.getLogger(__name__)

F = TypeVar("F")  # what the camera offers (an image)
E = TypeVar("E")  # what the first stage hands to the second


class LivePipeline(Closing, Generic[F, E]):
    """Runs ``estimate(frame, time_s)`` and then ``annotate(estimate)`` for the newest frame.

    Args:
        estimate: first stage (the pose model), on the pipeline's ``<name>-pose`` thread.
        annotate: second stage (measure, record, draw), on its ``<name>-annotate`` thread;
            returns the (H, W, 3) uint8 frame to show.
        on_error: called once, on a pipeline thread, with the first exception of either stage;
            the pipeline then stops taking frames.
        name: prefix of the thread names.
    """

    def __init__(
        self,
        estimate: Callable[[F, float], E],
        annotate: Callable[[E], np.ndarray],
        on_error: Callable[[BaseException], None],
        name: str = "live",
    ) -> None:
        self._estimate = estimate
        self._annotate = annotate
        self._on_error = on_error
        self._ready = threading.Condition()
        self._newest: tuple[F, float] | None = None
        self._closed = False
        self.failed = False
        #: Frames offered so far, and how many of them were replaced by a newer one unprocessed.
        self.offered = 0
        self.skipped = 0
        #: The newest annotated frame (None before the first).
        self.latest: np.ndarray | None = None
        # One estimated frame may wait: the pose stage then holds back instead of piling up.
        self._annotator: QueueWorker[E] = QueueWorker(
            f"{name}-annotate", self._run_annotate, None, 1
        )
        self._thread = threading.Thread(
            target=self._run_estimates, name=f"{name}-pose", daemon=True
        )
        self._thread.start()

    def offer(self, frame: F, time_s: float) -> np.ndarray | None:
        """Hand over a frame taken at ``time_s`` s (returns at once); the newest annotated
        frame, or None before the first. The frame must not be modified afterwards."""
        with self._ready:
            if self._closed:
                raise RuntimeError("this pipeline is closed")
            if self._newest is not None:
                self.skipped += 1
            self._newest = (frame, time_s)
            self.offered += 1
            self._ready.notify()
        return self.latest

    def close(self) -> None:
        """Complete the frame in progress, drop a waiting one, stop both threads (idempotent)."""
        with self._ready:
            self._closed = True
            self._newest = None
            self._ready.notify()
        self._thread.join()
        try:
            self._annotator.close()
        except Exception as exc:  # the last frame's annotating stage failed
            self._fail(exc)

    def _run_estimates(self) -> None:
        while True:
            with self._ready:
                while self._newest is None and not self._closed:
                    self._ready.wait()
                if self._closed:
                    return
                assert self._newest is not None
                item, self._newest = self._newest, None
            try:
                self._annotator.put(self._estimate(*item))
            except Exception as exc:  # either stage (the annotator's error comes back here)
                self._fail(exc)
                return

    def _run_annotate(self, estimate: E) -> None:
        self.latest = self._annotate(estimate)

    def _fail(self, exc: BaseException) -> None:
        if self.failed:
            return
        self.failed = True
        log.debug("live pipeline stopped", exc_info=exc)
        self._on_error(exc)
