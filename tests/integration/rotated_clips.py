"""Phone-style rotated copies of a real upright clip, for the rotation tests.

Each rotated clip stores the upright frames turned counter-clockwise by R degrees plus a display
matrix that turns them clockwise by R for display (how a phone stores portrait video). The
clips are lossless H.264 (libx264rgb, qp 0, BGR), so decoded frames are bit-exact and the
upright clip and every rotated clip, turned back, hold identical pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from romcam.media.video import iter_frames
from tests.conftest import shared_video

#: A side-view squat (knees and trunk move), portrait 540x960 at 25 fps; halved for speed.
SOURCE = "squat_side_portrait_02.mp4"
SECONDS = 2.0
SIZE = (270, 480)  # (width, height) of the upright clip
ROTATIONS = (90, 180, 270)
_TIME_BASE = Fraction(1, 90000)


@dataclass(frozen=True)
class RotatedClips:
    """The upright clip and, by clockwise display rotation, its rotated copies."""

    upright: Path
    rotated: dict[int, Path]


def write_lossless(path: Path, frames: list[tuple[float, np.ndarray]], rotation_deg: int) -> None:
    """Write (time_s, upright BGR) frames stored turned back by ``rotation_deg``, tagged to show
    them turned clockwise by ``rotation_deg``."""
    # np.rot90 (counter-clockwise), not romcam's own helper: the clips must not depend on the
    # code they test.
    stored = [(t, np.rot90(img, rotation_deg // 90)) for t, img in frames]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264rgb", rate=25)
        stream.height, stream.width = stored[0][1].shape[:2]
        stream.pix_fmt = "bgr24"
        stream.options = {"qp": "0", "preset": "ultrafast"}
        stream.time_base = stream.codec_context.time_base = _TIME_BASE
        if rotation_deg:
            stream.set_display_rotation(-rotation_deg)  # PyAV: counter-clockwise degrees
        for t, image in stored:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
            frame.pts, frame.time_base = round(t / _TIME_BASE), _TIME_BASE
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def make_rotated_clips(folder: Path) -> RotatedClips:
    """The first SECONDS of SOURCE at SIZE, upright and rotated by each of ROTATIONS."""
    frames = [
        (f.time_s, cv2.resize(f.image, SIZE, interpolation=cv2.INTER_AREA))
        for f in iter_frames(shared_video(SOURCE), max_seconds=SECONDS)
    ]
    paths = {r: folder / f"rot{r}.mp4" for r in (0, *ROTATIONS)}
    for rotation, path in paths.items():
        write_lossless(path, frames, rotation)
    return RotatedClips(paths.pop(0), paths)
