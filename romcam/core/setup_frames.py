"""Per-frame pieces of a trial's camera set-up (``romcam.core.setup_geometry``): the steady
frames, the torso's length, the body's roll, the framing box and the ghost's key points.

Arrays follow :class:`romcam.core.landmarks.PoseSequence`: T frames, pixels x right, y down.
"""

from __future__ import annotations

import math

import numpy as np

from romcam.core.geometry import direction_deg
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence

#: Mid-shoulder to mid-hip length (m) assumed without world landmarks (adult, MediaPipe
#: landmarks; ``romcam.core.synthetic`` uses the same 0.50 m).
NOMINAL_TORSO_M = 0.50
#: Landmarks with a lower visibility do not count as seen.
MIN_VISIBILITY = 0.5
#: A steady frame's apparent torso length is within this share of the trial's median.
STEADY_SHARE = 0.10
#: The ghost is the median pose over the first seconds of steady frames (the start position).
GHOST_START_S = 1.0
#: Key points kept for the ghost (the skeleton's joints; the face only by its nose).
GHOST_POINTS: tuple[str, ...] = (
    "nose",
    *(
        f"{side}_{joint}"
        for joint in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
        for side in ("left", "right")
    ),
)
#: A shoulder (hip) line shorter than this share of the torso on screen is too foreshortened
#: to give the roll (a side view).
LINE_SHARES = {"shoulder": 0.4, "hip": 0.2}

LS, RS = LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]
LH, RH = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]


def mid(points: np.ndarray, a: int, b: int) -> np.ndarray:
    """(T, 2 or 3) midpoint of landmarks ``a`` and ``b`` of (T, 33, 2 or 3) points."""
    return (points[:, a] + points[:, b]) / 2.0


def steady_frames(pose: PoseSequence, torso_px: np.ndarray) -> np.ndarray:
    """(T,) bool: a shoulder and a hip seen, torso length within STEADY_SHARE of its median."""
    vis = np.nan_to_num(pose.visibility, nan=0.0) >= MIN_VISIBILITY
    seen = (vis[:, LS] | vis[:, RS]) & (vis[:, LH] | vis[:, RH])
    seen &= np.isfinite(torso_px) & (np.nan_to_num(torso_px) > 0)
    if not seen.any():
        return seen
    typical = float(np.median(torso_px[seen]))
    return seen & (np.abs(np.nan_to_num(torso_px) - typical) <= STEADY_SHARE * typical)


def torso_m(world: np.ndarray | None) -> np.ndarray | float:
    """(T,) world mid-shoulder to mid-hip length (m), NOMINAL_TORSO_M where unknown."""
    if world is None:
        return NOMINAL_TORSO_M
    length = np.linalg.norm(mid(world, LS, RS) - mid(world, LH, RH), axis=-1)
    return np.where(np.isfinite(length) & (length > 0.1), length, NOMINAL_TORSO_M)


def body_roll(pix: np.ndarray, torso_px: np.ndarray, frames: np.ndarray) -> float:
    """The camera roll (deg, CCW +) the body shows over ``frames`` ((T,) bool): the median
    mean tilt of the shoulder and hip lines where they are seen broad enough (front-ish
    views); NaN when they never are (a side view: its trunk line leans with the movement and
    the posture, so it cannot tell the camera's roll)."""
    up = pix * np.array([1.0, -1.0])  # y up: directions only, the origin does not matter
    lines = []
    for (a, b), share in zip(((LS, RS), (LH, RH)), LINE_SHARES.values(), strict=True):
        v = up[:, a] - up[:, b]
        broad = np.hypot(v[:, 0], v[:, 1]) >= share * torso_px
        lines.append(np.where(broad, line_tilt(direction_deg(v)), np.nan))
    stacked = np.stack(lines)
    counted = np.isfinite(stacked).sum(axis=0)
    across = np.where(counted > 0, np.nansum(stacked, axis=0) / np.maximum(counted, 1), np.nan)
    return masked_median(across, frames)


def line_tilt(direction: np.ndarray) -> np.ndarray:
    """Direction of an undirected line (deg) -> its tilt from horizontal in (-90, 90]."""
    return np.asarray(np.mod(direction + 90.0, 180.0) - 90.0, dtype=float)


def frame_boxes(image: np.ndarray) -> np.ndarray:
    """(T, 4) left, top, right, bottom of the seen landmarks, fractions clipped to the frame."""
    seen = np.nan_to_num(image[..., 3], nan=0.0) >= MIN_VISIBILITY
    x = np.where(seen, np.clip(image[..., 0], 0.0, 1.0), np.nan)
    y = np.where(seen, np.clip(image[..., 1], 0.0, 1.0), np.nan)
    out = np.full((image.shape[0], 4), np.nan)
    rows = seen.any(axis=1)
    out[rows] = np.stack(
        [
            np.nanmin(x[rows], 1),
            np.nanmin(y[rows], 1),
            np.nanmax(x[rows], 1),
            np.nanmax(y[rows], 1),
        ],
        axis=-1,
    )
    return out


def start_frames(time_s: np.ndarray, steady: np.ndarray) -> np.ndarray:
    """(T,) bool: the steady frames of the first GHOST_START_S (the start position)."""
    t0 = float(time_s[steady][0])
    return steady & (time_s <= t0 + GHOST_START_S)


def ghost_points(pose: PoseSequence, first: np.ndarray) -> tuple[tuple[str, float, float], ...]:
    """The key points' medians over the ``first`` frames (the start position)."""
    out = []
    for name in GHOST_POINTS:
        i = LANDMARK_INDEX[name]
        seen = first & (np.nan_to_num(pose.image[:, i, 3], nan=0.0) >= MIN_VISIBILITY)
        if seen.any():
            x, y = np.median(pose.image[seen, i, :2], axis=0)
            if math.isfinite(x) and math.isfinite(y):
                out.append((name, float(x), float(y)))
    return tuple(out)


def masked_median(values: np.ndarray, mask: np.ndarray) -> float:
    picked = np.asarray(values, dtype=float)[mask]
    picked = picked[np.isfinite(picked)]
    return float(np.median(picked)) if picked.size else math.nan


def circular_median(deg: np.ndarray) -> float:
    """Direction of the medians of cos and sin (ignores NaN); NaN when none."""
    deg = deg[np.isfinite(deg)]
    if not deg.size:
        return math.nan
    rad = np.radians(deg)
    return float(np.degrees(np.arctan2(np.median(np.sin(rad)), np.median(np.cos(rad)))))
