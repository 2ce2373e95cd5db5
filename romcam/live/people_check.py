"""How many people are in the live picture, checked twice a second on its own thread.

The live path tracks the subject with a one-person pose model: the Pose Landmarker in VIDEO
mode then follows the person it found from frame to frame without running its person detector
again, which makes it about 40 % faster per frame than looking for two people (31 vs 50 ms at
640x360 on 2 cores, ``benchmarks/bench_live.py``). A second person walking in would then go
unnoticed, so separate landmarkers that look for up to :data:`MAX_PEOPLE` people run on a
sampled frame every ``interval_s`` seconds, on a worker thread (the model releases the Python
lock while it runs), and the page warns while they see more than one person.

Checks alternate between a VIDEO-mode landmarker (follows people across checks) and an
IMAGE-mode one (looks at each frame afresh): on the footage in ``../shared/videos`` each finds
second people the other misses (a therapist beside a seated client is found by IMAGE mode only;
a passer-by side-on in low sun mostly by VIDEO mode). The count is the larger of the two
latest, each forgotten after ``stale_s`` seconds.
"""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

import numpy as np

from romcam.closing import Closing
from romcam.core.tracking import count_people
from romcam.errors import ModelError
from romcam.pose.estimator import PoseEstimator
from romcam.worker import QueueWorker

log = logging.getLogger(__name__)

#: The most people a check looks for (one is the client; any more is a warning).
MAX_PEOPLE = 3
_MODES = ("video", "image")


class PeopleCheck(Closing):
    """Counts the people in a frame every ``interval_s`` seconds of stream time.

    :meth:`offer` is called with every frame and returns at once; it hands a frame to the
    worker only when ``interval_s`` has passed since the last one and the worker is idle.

    Args:
        model_path: the pose model (``None`` = the default resolution).
        interval_s: stream seconds between checks.
        stale_s: wall-clock seconds after which a check no longer counts (the camera may
            have stopped sending frames to check).
    """

    def __init__(
        self, model_path: Path | None, interval_s: float = 0.5, stale_s: float = 3.0
    ) -> None:
        if not interval_s > 0 or not stale_s > 0:
            raise ValueError(f"interval_s and stale_s must be > 0; got {interval_s}, {stale_s}")
        self.model_path = model_path
        self.interval_s = interval_s
        self.stale_s = stale_s
        #: Checks finished so far (a failed one too).
        self.checks = 0
        #: Why the check stopped working (None while it works).
        self.error: str | None = None
        self._estimators: dict[str, PoseEstimator] = {}
        self._counts = {mode: (0, -math.inf) for mode in _MODES}  # (people, monotonic time)
        self._worker: QueueWorker[tuple[np.ndarray, int]] | None = None
        self._last_offer_t = -math.inf
        self._busy = False

    def offer(self, frame_rgb: np.ndarray, time_s: float) -> bool:
        """Maybe check this (H, W, 3) uint8 RGB frame taken at ``time_s`` s of stream time;
        True if it was handed to the worker. The frame must not be modified afterwards."""
        if self.error is not None:
            return False
        if time_s < self._last_offer_t:  # a new stream: its clock starts again
            self._last_offer_t = -math.inf
        if self._busy or time_s - self._last_offer_t < self.interval_s - 1e-3:
            return False
        if self._worker is None:
            self._worker = QueueWorker("people-check", self._check, self._close_models, 1)
        self._busy = True
        self._last_offer_t = time_s
        self._worker.put((frame_rgb, round(time_s * 1000)))
        return True

    def count(self, now: float | None = None) -> int:
        """People seen by the latest checks; 0 when none finished in the last ``stale_s``
        seconds (``now``: ``time.monotonic()`` by default)."""
        now = time.monotonic() if now is None else now
        fresh = [n for n, at in self._counts.values() if now - at <= self.stale_s]
        return max(fresh, default=0)

    def close(self) -> None:
        """Stop the worker and release its models (idempotent)."""
        if self._worker is not None:
            self._worker.close()

    def _check(self, item: tuple[np.ndarray, int]) -> None:
        """(worker thread) Count the people in one frame. A failure turns the check off (the
        measurement goes on without it) instead of breaking the camera thread."""
        frame_rgb, ms = item
        mode = _MODES[self.checks % len(_MODES)]
        try:
            estimator = self._estimators.get(mode)
            if estimator is None:
                estimator = PoseEstimator(
                    self.model_path, max_people=MAX_PEOPLE, video=mode == "video"
                )
                self._estimators[mode] = estimator
            people = [p.image for p in estimator.detect(frame_rgb, ms)]
            aspect = frame_rgb.shape[1] / frame_rgb.shape[0]
            self._counts[mode] = (count_people(people, aspect), time.monotonic())
        except (ModelError, RuntimeError, ValueError) as exc:
            log.warning("people check turned off: %s", exc)
            self.error = str(exc)
        finally:
            self._busy = False
            self.checks += 1

    def _close_models(self) -> None:
        for estimator in self._estimators.values():
            estimator.close()
        self._estimators.clear()
