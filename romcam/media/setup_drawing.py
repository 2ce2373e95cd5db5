"""Drawing the camera set-up on a live frame: last visit's ghost skeleton and the set-up's
differences, green within tolerance, amber outside (``romcam.core.setup_geometry``).

Same conventions as :mod:`romcam.media.drawing`: (H, W, 3) uint8 BGR frames drawn in place,
sizes scaled to the short side, key points as normalised image coordinates (x right, y down).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from romcam.core.landmarks import LANDMARK_NAMES, SKELETON_EDGES
from romcam.media.drawing import _scale, _shade, _text

#: The ghost: a pale lilac, apart from the skeleton's blue, orange and grey.
GHOST_COLOUR = (235, 190, 220)
#: How much the ghost covers the picture (0 = invisible, 1 = solid).
GHOST_ALPHA = 0.45
WITHIN_COLOUR = (80, 210, 80)  # green: within tolerance
OUTSIDE_COLOUR = (0, 170, 255)  # amber: beyond tolerance (the readout's warning colour)

#: Bones of the ghost, by name (the skeleton's bones between key points, plus the neck).
_GHOST_EDGES: tuple[tuple[str, str], ...] = tuple(
    (LANDMARK_NAMES[a], LANDMARK_NAMES[b]) for a, b in SKELETON_EDGES
)


def draw_ghost(
    frame_bgr: np.ndarray,
    points: Mapping[str, tuple[float, float]],
    *,
    colour: tuple[int, int, int] = GHOST_COLOUR,
    alpha: float = GHOST_ALPHA,
) -> np.ndarray:
    """Draw a faint skeleton through ``points`` (name -> normalised (x, y)) in place: the bones
    whose two ends are given, the neck (nose to the shoulders' midpoint) and the joints.
    Returns the frame."""
    h, w = frame_bgr.shape[:2]
    px = {n: (round(x * w), round(y * h)) for n, (x, y) in points.items()}
    segments = [(px[a], px[b]) for a, b in _GHOST_EDGES if a in px and b in px]
    if "nose" in px and "left_shoulder" in px and "right_shoulder" in px:
        (lx, ly), (rx, ry) = px["left_shoulder"], px["right_shoulder"]
        segments.append((px["nose"], ((lx + rx) // 2, (ly + ry) // 2)))
    if not px:
        return frame_bgr
    s = _scale(frame_bgr)
    layer = frame_bgr.copy()
    for a, b in segments:
        cv2.line(layer, a, b, colour, max(2, round(6 * s)), cv2.LINE_AA)
    for p in px.values():
        cv2.circle(layer, p, max(3, round(7 * s)), colour, -1, cv2.LINE_AA)
    cv2.addWeighted(layer, alpha, frame_bgr, 1.0 - alpha, 0.0, dst=frame_bgr)
    return frame_bgr


def draw_setup_panel(
    frame_bgr: np.ndarray, title: str, lines: Sequence[tuple[str, bool]]
) -> np.ndarray:
    """Draw the set-up panel at the bottom right (in place): ``title`` then each line in green
    (True: within tolerance) or amber (False). Returns the frame."""
    s = _scale(frame_bgr)
    h, w = frame_bgr.shape[:2]
    size, row, pad = 0.6 * s, round(26 * s), round(10 * s)
    thickness = max(1, round(2 * size))
    texts = [title, *(text for text, _ in lines)]
    width = max(cv2.getTextSize(t, cv2.FONT_HERSHEY_DUPLEX, size, thickness)[0][0] for t in texts)
    x0 = w - width - 3 * pad
    y0 = h - row * len(texts) - 2 * pad
    _shade(frame_bgr, x0, y0, w - pad, h - pad)
    y = y0 + row
    _text(frame_bgr, title, (x0 + pad, y), size, (230, 230, 230))
    for text, within in lines:
        y += row
        _text(frame_bgr, text, (x0 + pad, y), size, WITHIN_COLOUR if within else OUTSIDE_COLOUR)
    return frame_bgr
