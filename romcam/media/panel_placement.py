"""Where the readout panel goes: the frame corner that covers the subject least, kept steady.

In a portrait phone clip the subject fills most of the frame's width, so a panel fixed at the
bottom left hides the knee of a squat. :class:`PanelPlacer` puts the panel, frame by frame, in
the corner whose rectangle overlaps the subject's bounding box (its confident landmarks) least,
and moves it only when another corner is clearly better for a while (hysteresis), so the
panel does not jump between corners at every frame. Pure NumPy; pixel coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

Corner = Literal["bottom_left", "bottom_right", "top_left", "top_right"]
#: Candidate corners, in order of preference when they are equally good.
CORNERS: tuple[Corner, ...] = ("bottom_left", "bottom_right", "top_left", "top_right")
#: Box (x0, y0, x1, y1) in pixels, x1 > x0 and y1 > y0.
Box = tuple[int, int, int, int]

#: Landmarks below this visibility do not count toward the subject's box (a guessed hidden
#: wrist should not push the panel away from where the body actually is).
MIN_VISIBILITY = 0.5
#: Margin around the subject's box, as a share of the frame's short side: landmarks are joint
#: centres, the body's outline (and the drawn skeleton's joints) reaches a little beyond them.
BOX_MARGIN = 0.03
#: Another corner must cover less of the subject by this share of the panel's area ...
SWITCH_GAIN = 0.1
#: ... for this many consecutive frames (about 0.2 s at 25-30 fps: a squat's turning point
#: lasts longer; one frame's landmark jitter does not).
SWITCH_FRAMES = 5


def subject_box(
    landmarks: np.ndarray | None, width: int, height: int, margin: float = BOX_MARGIN
) -> Box | None:
    """Pixel box of the confident landmarks of a (33, 4) normalised x, y, z, visibility array,
    padded by ``margin`` (share of the short side) and clipped to the frame; None without any
    confident landmark."""
    if landmarks is None:
        return None
    xy = np.asarray(landmarks, dtype=float)[:, :2]
    vis = np.nan_to_num(np.asarray(landmarks, dtype=float)[:, 3], nan=0.0)
    keep = np.isfinite(xy).all(axis=1) & (vis >= MIN_VISIBILITY)
    if not keep.any():
        return None
    pad = margin * min(width, height)
    x = np.clip(xy[keep, 0] * width, 0, width)
    y = np.clip(xy[keep, 1] * height, 0, height)
    x0, x1 = max(0.0, x.min() - pad), min(float(width), x.max() + pad)
    y0, y1 = max(0.0, y.min() - pad), min(float(height), y.max() + pad)
    return round(x0), round(y0), max(round(x1), round(x0) + 1), max(round(y1), round(y0) + 1)


def corner_rect(
    corner: Corner, frame_size: tuple[int, int], panel_size: tuple[int, int], margin: int, top: int
) -> Box:
    """The panel's box in ``corner`` of a (width, height) frame: ``margin`` px from the edges,
    and at least ``top`` px down (below the view banner) for the top corners."""
    (w, h), (pw, ph) = frame_size, panel_size
    x0 = margin if corner.endswith("left") else w - pw - margin
    y0 = top + margin if corner.startswith("top") else h - ph - margin
    return x0, y0, x0 + pw, y0 + ph


def overlap(a: Box, b: Box) -> int:
    """Area (px^2) shared by two boxes."""
    dx = min(a[2], b[2]) - max(a[0], b[0])
    dy = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, dx) * max(0, dy)


@dataclass
class PanelPlacer:
    """Chooses the readout panel's corner for each frame of one video (see the module doc).

    Attributes:
        corner: the current corner. frames: frames placed; covered: frames whose panel
            overlapped the subject's (unpadded) box, for the log and the tests.
    """

    corner: Corner = "bottom_left"
    frames: int = 0
    covered: int = 0
    _candidate: Corner | None = None
    _streak: int = 0

    def place(
        self,
        landmarks: np.ndarray | None,
        frame_size: tuple[int, int],
        panel_size: tuple[int, int],
        *,
        margin: int,
        top: int,
    ) -> Box:
        """The panel's box for this frame of (width, height) ``frame_size``, given the
        subject's (33, 4) normalised ``landmarks`` (None: nobody; the corner stays)."""
        self.frames += 1
        subject = subject_box(landmarks, *frame_size)
        rects = {c: corner_rect(c, frame_size, panel_size, margin, top) for c in CORNERS}
        if subject is None:
            self._candidate, self._streak = None, 0
            return rects[self.corner]
        cost = {c: overlap(rects[c], subject) for c in CORNERS}
        cx, cy = (subject[0] + subject[2]) / 2, (subject[1] + subject[3]) / 2

        def distance(c: Corner) -> float:
            r = rects[c]
            return float(np.hypot((r[0] + r[2]) / 2 - cx, (r[1] + r[3]) / 2 - cy))

        best = min(CORNERS, key=lambda c: (cost[c], -distance(c)))
        area = panel_size[0] * panel_size[1]
        if best != self.corner and cost[self.corner] - cost[best] > SWITCH_GAIN * area:
            self._streak = self._streak + 1 if best == self._candidate else 1
            self._candidate = best
            if self._streak >= SWITCH_FRAMES:
                self.corner, self._candidate, self._streak = best, None, 0
        else:
            self._candidate, self._streak = None, 0
        unpadded = subject_box(landmarks, *frame_size, margin=0.0)
        self.covered += unpadded is not None and overlap(rects[self.corner], unpadded) > 0
        return rects[self.corner]
