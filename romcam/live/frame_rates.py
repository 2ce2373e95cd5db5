"""The live page's frame rates: the camera's and how many of its frames are measured."""

from __future__ import annotations

import threading
from collections import deque


class FrameRates:
    """The camera's frame rate and how many of its frames are measured, both counted on the
    frames' own capture times (s of stream time) over one sliding window.

    Counting the camera's frames as they arrive and the measured ones as they finish, each
    on the wall clock in a window of its own, read "16 of 15": a stall (the page's
    once-a-second rerun holds the Python lock) delays a few frames, which then arrive or
    finish in a burst, so both meters swung around the true 15 independently. Here the
    camera's rate comes from the capture times, which no delay moves, and the measured rate
    is that rate times the share of the window's frames that were measured: a subset of the
    camera's frames, so never above the camera's rate, before or after rounding.
    """

    def __init__(self, window_s: float = 2.0) -> None:
        self._window_s = window_s
        self._lock = threading.Lock()  # the camera thread offers, the annotating one measures
        self._offered: deque[float] = deque(maxlen=4096)
        self._measured: deque[float] = deque(maxlen=4096)

    def offered(self, time_s: float) -> None:
        """The camera sent a frame captured at ``time_s`` (earlier than the last: a new stream)."""
        with self._lock:
            if self._offered and time_s <= self._offered[-1]:
                self._offered.clear()
                self._measured.clear()
            self._offered.append(time_s)

    def measured(self, time_s: float) -> tuple[float, float]:
        """The offered frame captured at ``time_s`` was measured: (measured, camera) frames/s
        over the window that ends at it; 0.0 until the window holds two camera frames."""
        with self._lock:
            self._measured.append(time_s)
            start = time_s - self._window_s
            for times in (self._offered, self._measured):
                while times and times[0] <= start:
                    times.popleft()
            camera = [t for t in self._offered if t <= time_s]
            measured = min(len(self._measured), len(camera))
        if len(camera) < 2 or not time_s > camera[0]:
            return 0.0, 0.0
        camera_rate = (len(camera) - 1) / (time_s - camera[0])
        return camera_rate * measured / len(camera), camera_rate

    def reset(self) -> None:
        """Forget all frames (the stream ended)."""
        with self._lock:
            self._offered.clear()
            self._measured.clear()
