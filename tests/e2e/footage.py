"""Camera-like frames made from the seated shoulder-abduction clip, for the live tests.

The clip (``internal-tests-only/shoulder_abduction_front_seated_02.mp4``) has the subject
raising both arms overhead and lowering them again every ~2.5 s without stopping, and it cuts
the subject at the waist. Two things are changed so that it shows what a live assessment needs:

- the first frame (arms by the sides) is repeated for 1 s and the top frame of one raise (arms
  overhead, about 7.5 s) is repeated for ``hold_s`` seconds: a client holding still;
- black rows are added below the picture (``pad``), so that the hips, which the model places
  just under the bottom edge, fall inside the frame: shoulder abduction is measured against the
  trunk line (shoulder to hip) and the metric is empty while a hip is outside the picture.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from romcam.media.video import VideoReader
from tests.conftest import shared_video

CLIP = "shoulder_abduction_front_seated_02.mp4"
#: Arms at rest from REST_S, overhead at TOP_S, back at rest by END_S (seconds in the clip).
REST_S, TOP_S, END_S = 6.10, 7.52, 8.95


def _decode(width: int, pad: float) -> list[tuple[float, np.ndarray]]:
    out = []
    with VideoReader(shared_video(CLIP), max_seconds=END_S + 0.05) as reader:
        for frame in reader:
            if frame.time_s < REST_S:
                continue
            h, w = frame.image.shape[:2]
            height = round(h * width / w) // 2 * 2
            small = cv2.resize(frame.image, (width, height), interpolation=cv2.INTER_AREA)
            below = round(height * pad) // 2 * 2
            out.append(
                (
                    frame.time_s,
                    cv2.copyMakeBorder(small, 0, below, 0, 0, cv2.BORDER_CONSTANT, value=(0, 0, 0)),
                )
            )
    return out


def held_abduction_frames(
    width: int = 640, pad: float = 0.4, hold_s: float = 2.0, fps: float = 30.0
) -> list[np.ndarray]:
    """BGR frames at ``fps``: rest 1 s, raise, the top held ``hold_s`` s, lower, rest 0.5 s."""
    decoded = _decode(width, pad)
    top = min(range(len(decoded)), key=lambda i: abs(decoded[i][0] - TOP_S))
    frames = [decoded[0][1]] * round(1.0 * fps)
    frames += [img for _, img in decoded[: top + 1]]
    frames += [decoded[top][1]] * round(hold_s * fps)
    frames += [img for _, img in decoded[top + 1 :]]
    frames += [decoded[-1][1]] * round(0.5 * fps)
    return frames


def write_y4m(frames: list[np.ndarray], path: Path, fps: int = 30) -> Path:
    """Write BGR frames as an uncompressed YUV4MPEG2 (4:2:0) file, Chromium's fake camera."""
    h, w = frames[0].shape[:2]
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for frame in frames:
            out.write(b"FRAME\n")
            out.write(cv2.cvtColor(frame, cv2.COLOR_BGR2YUV_I420).tobytes())
    return path
