"""The walk's annotated video: the skeleton (``media.drawing``) and each gait event marked.

A small pass of its own over the source video (no model: the landmarks come from the
analysis): at a heel strike a ring round the heel and "L HEEL STRIKE" / "R HEEL STRIKE"
stay up for EVENT_SHOW_S, at a toe off the same at the toe. The legs are drawn as the gait
analysis untangled them (``core.gait_legs``), so the colours follow the real legs.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from romcam.core.gait_metrics import GaitResult
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.media.drawing import LEFT_COLOUR, RIGHT_COLOUR, draw_skeleton
from romcam.media.video import H264Writer, VideoReader, even_size

#: How long an event's mark stays on screen (s).
EVENT_SHOW_S = 0.25
_COLOURS = {"left": LEFT_COLOUR, "right": RIGHT_COLOUR}


def _marks(result: GaitResult) -> list[tuple[float, str, str, str]]:
    """(time s, side, landmark, label) of every detected event."""
    out = []
    times = np.asarray(result.track.pose.time_s, dtype=float)
    for side, ev in result.track.events.items():
        tag = side[0].upper()
        for f in ev.heel_strikes:
            out.append((float(times[f]), side, f"{side}_heel", f"{tag} HEEL STRIKE"))
        for f in ev.toe_offs:
            out.append((float(times[f]), side, f"{side}_foot_index", f"{tag} TOE OFF"))
    return out


def write_gait_video(
    video: Path, out_path: Path, result: GaitResult, *, max_seconds: float | None = None
) -> Path:
    """Draw the (untangled) skeleton and the events of ``result`` on ``video``'s frames."""
    pose: PoseSequence = result.track.pose
    by_frame = {int(f): i for i, f in enumerate(pose.frame)}
    marks = _marks(result)
    with VideoReader(video, max_seconds=max_seconds) as reader:
        w, h = even_size(reader.info.width, reader.info.height)
        with H264Writer(out_path, w, h, reader.info.fps) as writer:
            for frame in reader:
                image = frame.image.copy()
                i = by_frame.get(frame.frame_index)
                if i is not None:
                    draw_skeleton(image, pose.image[i], face=False)
                    _draw_marks(image, pose, i, marks)
                writer.write(image, frame.time_s)
    return out_path


def _draw_marks(
    image: np.ndarray, pose: PoseSequence, i: int, marks: list[tuple[float, str, str, str]]
) -> None:
    t = float(pose.time_s[i])
    h, w = image.shape[:2]
    scale = min(h, w) / 720.0
    row = 0
    for when, side, landmark, label in marks:
        if not 0.0 <= t - when <= EVENT_SHOW_S:
            continue
        x, y = pose.image[i, LANDMARK_INDEX[landmark], :2]
        colour = _COLOURS[side]
        if np.isfinite(x) and np.isfinite(y):
            centre = (round(x * w), round(y * h))
            cv2.circle(image, centre, round(14 * scale), colour, max(2, round(3 * scale)))
        org = (round(20 * scale), round((40 + 36 * row) * scale))
        cv2.putText(image, label, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 5, cv2.LINE_AA)
        cv2.putText(image, label, org, cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 2, cv2.LINE_AA)
        row += 1
