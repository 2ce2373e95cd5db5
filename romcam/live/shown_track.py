"""The video track sent back to the browser: each annotated frame once, no repeats.

With a per-frame callback the outgoing track sends one frame for every camera frame, so
whenever the model runs slower than the camera the last annotated frame was converted, VP8
encoded and decoded again for every camera frame, for nothing new on the screen, on the
cores the model needs. :class:`ShownTrack` is an aiortc track whose :meth:`ShownTrack.recv`
waits for the next frame handed to :meth:`ShownTrack.show` (from any thread): the encoder
then runs once per new picture, at the model's rate.
"""

from __future__ import annotations

import asyncio
import fractions
import threading
import time

import av
import cv2
import numpy as np
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

#: RTP's video clock (Hz): frame times are stamped in its ticks.
VIDEO_CLOCK_HZ = 90_000
_TIME_BASE = fractions.Fraction(1, VIDEO_CLOCK_HZ)


def _wake(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)


class ShownTrack(MediaStreamTrack):
    """A video track of the frames handed to :meth:`show`, each sent once, newest wins.

    :meth:`recv` (on the stream's event loop) returns the newest frame shown since its last
    call, waiting for one when there is none; frames shown while the sender was busy replace
    each other. Frames are stamped with the wall-clock time they were shown (90 kHz ticks).
    """

    kind = "video"

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._pending: av.VideoFrame | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = time.monotonic()
        #: Frames handed to :meth:`show`, and frames :meth:`recv` returned (each sent once).
        self.shown = 0
        self.sent = 0

    def show(self, frame: np.ndarray | av.VideoFrame) -> None:
        """Send ``frame`` next: an (H, W, 3) uint8 BGR image (converted here, on the caller's
        thread, to the encoder's YUV 4:2:0) or a PyAV frame (sent as it is). Thread-safe."""
        if isinstance(frame, np.ndarray):
            h, w = frame.shape[:2]
            even = frame[: h - h % 2, : w - w % 2]  # 4:2:0 needs even sides
            yuv: np.ndarray = cv2.cvtColor(even, cv2.COLOR_BGR2YUV_I420)
            out = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        else:
            out = frame
        with self._lock:
            self._pending = out
            self.shown += 1
            waiter, self._waiter = self._waiter, None
            loop = self._loop
        if waiter is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_wake, waiter)

    def clear(self) -> None:
        """Drop a frame not sent yet (the stream it came from ended)."""
        with self._lock:
            self._pending = None

    async def recv(self) -> av.VideoFrame:
        """The next frame shown (waits for one); raises MediaStreamError once stopped."""
        loop = asyncio.get_running_loop()
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            with self._lock:
                frame, self._pending = self._pending, None
                if frame is None:
                    self._loop, self._waiter = loop, loop.create_future()
                    waiter = self._waiter
            if frame is not None:
                break
            await waiter
        frame.pts = round((time.monotonic() - self._started) * VIDEO_CLOCK_HZ)
        frame.time_base = _TIME_BASE
        self.sent += 1
        return frame

    def stop(self) -> None:
        super().stop()
        with self._lock:
            waiter, self._waiter = self._waiter, None
            loop = self._loop
        if waiter is not None and loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(_wake, waiter)
