"""The video track sent back to the browser: each annotated frame once, never repeated."""

from __future__ import annotations

import asyncio
import threading

import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from romcam.live.shown_track import VIDEO_CLOCK_HZ, ShownTrack

#: How long a recv() that must wait is given to (wrongly) return.
QUIET_S = 0.2


def _bgr(value: int, h: int = 37, w: int = 64) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


def _luma(frame: av.VideoFrame) -> float:
    return float(frame.to_ndarray(format="gray").mean())


def test_a_frame_is_sent_once_then_recv_waits_for_the_next() -> None:
    async def run() -> None:
        track = ShownTrack()
        track.show(_bgr(200))
        first = await track.recv()
        assert (first.width, first.height) == (64, 36)  # even sides for 4:2:0
        assert _luma(first) == pytest.approx(200, abs=3)
        again = asyncio.ensure_future(track.recv())
        await asyncio.sleep(QUIET_S)
        assert not again.done()  # the last frame is not sent again
        # Annotated frames come from the processor's thread.
        threading.Thread(target=track.show, args=(_bgr(40),)).start()
        second = await asyncio.wait_for(again, 5.0)
        assert _luma(second) == pytest.approx(40, abs=3)
        assert second.pts > first.pts and second.time_base * VIDEO_CLOCK_HZ == 1
        assert (track.shown, track.sent) == (2, 2)

    asyncio.run(run())


def test_frames_shown_while_the_sender_is_busy_are_replaced_by_the_newest() -> None:
    async def run() -> None:
        track = ShownTrack()
        camera = av.VideoFrame.from_ndarray(_bgr(10), format="bgr24")
        for value in (60, 120):
            track.show(_bgr(value))
        track.show(camera)  # a PyAV frame is sent as it is
        assert await track.recv() is camera
        track.show(_bgr(120))
        track.clear()  # the stream ended: its last frame is dropped
        waiting = asyncio.ensure_future(track.recv())
        await asyncio.sleep(QUIET_S)
        assert not waiting.done()
        track.stop()
        with pytest.raises(MediaStreamError):
            await asyncio.wait_for(waiting, 5.0)
        assert (track.shown, track.sent) == (4, 1)

    asyncio.run(run())
