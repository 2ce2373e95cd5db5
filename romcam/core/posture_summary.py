"""Posture is posture: the static posture metrics of a recording, taken only while the subject
was still and upright.

A posture metric (``kind == "posture"`` in the catalogue: craniovertebral angle, forward head,
shoulder/head/pelvic tilt, trunk lateral lean, trunk flexion) describes how someone stands or
sits, not how far a joint goes. It is reported from the frames where the subject was

- **still**: over a window of at least ``STILL_S`` seconds no angle of the angle table (every
  metric in degrees that has a value there) varied by more than ``STILL_RANGE_DEG`` peak to
  peak (walking, squatting, reaching all move some angle by far more);
- **upright**: the trunk within ``UPRIGHT_DEG`` of the vertical (trunk flexion in a side view,
  trunk lateral lean in a front view), standing or sitting tall; a squat leans the trunk
  forward, a plank lies it flat. Where the trunk is not measured uprightness cannot be checked
  and the frame is not used.

Each metric's value is the median of its values over the longest such stretch in which it was
measured (``from_s``, ``to_s``, ``still_s``), in the metric's view. Never from a moving
stretch: a squat, a plank or a walk gives ``not_still`` / ``not_upright``, not a value.
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
import pandas as pd

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.metric_specs import METRIC_IDS, metric_spec
from romcam.core.metric_table import MetricTable
from romcam.core.rom import json_float, run_labels

#: Posture metrics, in catalogue order.
POSTURE_METRIC_IDS: tuple[str, ...] = tuple(
    m for m in METRIC_IDS if metric_spec(m).kind == "posture"
)
#: Shortest still stretch (s). Why 2: posture tests ask the subject to stay still 3 s; 2 s of
#: them is enough for a stable median and far longer than any pause within a movement.
STILL_S = 2.0
#: Largest peak-to-peak change (deg) of any angle over a still stretch. Why 8: smoothed
#: landmark angles of a still person wander 2-5 deg on real footage; a step, a squat or an arm
#: movement changes some angle by 20 deg or more.
STILL_RANGE_DEG = 8.0
#: Largest trunk angle from the vertical (deg) that counts as upright. Why 15: relaxed standing
#: and sitting tall stay within about 5-10 deg; a squat leans the trunk 30-45 deg forward.
UPRIGHT_DEG = 15.0
_TRUNK = {"side": "trunk_flexion", "front": "trunk_lateral_lean"}
#: Largest movement of any body landmark over a still stretch, as a share of the trunk length
#: (shoulder to hip). Why 0.15: landmark jitter of a still person is a few per cent of the
#: trunk; a step, an arm or leg swing or walking towards the camera moves some landmark by
#: half the trunk or more. It catches movement the angles of the current view do not show
#: (a leg swinging forward seen from the front).
STILL_SHIFT = 0.15
_MOVERS = tuple(
    LANDMARK_INDEX[f"{side}_{part}"]
    for side in ("left", "right")
    for part in ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
)
_MIN_VISIBILITY = 0.5


class PostureEntry(TypedDict):
    """One posture metric of a recording; JSON-safe (None where undefined)."""

    value: float | None
    unit: str
    quality: str
    reason: str | None
    from_s: float | None
    to_s: float | None
    still_s: float | None
    view: str
    n_frames: int
    normal_range: list[float] | None


#: The angles whose steadiness says the subject is still.
_ANGLES: tuple[str, ...] = tuple(m for m in METRIC_IDS if metric_spec(m).unit == "deg")


def _landmarks_moving(pose: PoseSequence, index: pd.DatetimeIndex, window: str) -> np.ndarray:
    """(T,) bool: some seen body landmark moved more than STILL_SHIFT trunk lengths over the
    window ending at each frame (image pixels)."""
    xy = pose.image[:, list(_MOVERS), :2] * np.array([pose.image_width, pose.image_height])
    seen = np.nan_to_num(pose.visibility[:, list(_MOVERS)], nan=0.0) >= _MIN_VISIBILITY
    xy = np.where(seen[..., None], xy, np.nan)
    shoulders = xy[:, [0, 6]].mean(axis=1)  # left, right shoulder
    hips = xy[:, [3, 9]].mean(axis=1)
    lengths = np.linalg.norm(shoulders - hips, axis=1)
    if not np.isfinite(lengths).any():
        return np.zeros(len(pose), dtype=bool)
    trunk = float(np.nanmedian(lengths))
    if trunk <= 0:
        return np.zeros(len(pose), dtype=bool)
    frame = pd.DataFrame(xy.reshape(len(pose), -1), index=index)
    roll = frame.rolling(window, min_periods=1)
    spread = (roll.max() - roll.min()).to_numpy()
    with np.errstate(invalid="ignore"):
        return np.nanmax(np.nan_to_num(spread, nan=0.0), axis=1) > STILL_SHIFT * trunk


def still_frames(table: MetricTable, pose: PoseSequence | None = None) -> np.ndarray:
    """(T,) bool: frames inside a window of ``STILL_S`` s in which no angle with a value varied
    by more than ``STILL_RANGE_DEG``, at least one angle had a value throughout and, with the
    ``pose`` the table was measured from (same frames), no seen body landmark moved more than
    ``STILL_SHIFT`` trunk lengths."""
    n = len(table)
    if n == 0:
        return np.zeros(0, dtype=bool)
    t = np.asarray(table.time_s, dtype=float)
    index = pd.to_datetime(t, unit="s")
    window = f"{round(STILL_S * 1000)}ms"
    still_end = (t - t[0]) >= STILL_S - 0.5 * _step(t)
    measured_any = np.zeros(n, dtype=bool)
    for mid in _ANGLES:
        series = pd.Series(np.asarray(table.values[mid], dtype=float), index=index)
        roll = series.rolling(window, min_periods=1)
        spread = (roll.max() - roll.min()).to_numpy()
        still_end &= ~(spread > STILL_RANGE_DEG)  # NaN (no value in the window) passes
        measured_any |= np.isfinite(series.to_numpy())
    still_end &= measured_any
    if pose is not None and len(pose) == n:
        still_end &= ~_landmarks_moving(pose, index, window)
    # A frame is still when a still window (ending at a still_end frame) covers it.
    ends = np.flatnonzero(still_end)
    covered = np.zeros(n + 1, dtype=int)
    first = np.searchsorted(t, t[ends] - STILL_S + 0.5 * _step(t), side="left")
    np.add.at(covered, first, 1)
    np.add.at(covered, ends + 1, -1)
    return np.cumsum(covered[:n]) > 0


def _step(t: np.ndarray) -> float:
    return float(np.median(np.diff(t))) if t.size > 1 else 1.0 / 30.0


def upright_frames(table: MetricTable, view: str) -> np.ndarray:
    """(T,) bool: the trunk (of ``view``: side or front) within ``UPRIGHT_DEG`` of vertical."""
    trunk = np.asarray(table.values[_TRUNK[view]], dtype=float)
    with np.errstate(invalid="ignore"):
        return np.abs(trunk) <= UPRIGHT_DEG


def _longest_run(mask: np.ndarray, t: np.ndarray) -> tuple[int, int]:
    """(first, last) index of the longest run of True in ``mask`` by time; (-1, -1) if none."""
    if not mask.any():
        return -1, -1
    label = run_labels(mask)
    best, best_span = (-1, -1), -1.0
    for run in np.unique(label[mask]):
        idx = np.flatnonzero(label == run)
        span = float(t[idx[-1]] - t[idx[0]])
        if span > best_span:
            best, best_span = (int(idx[0]), int(idx[-1])), span
    return best


def posture_entry(table: MetricTable, metric_id: str, still: np.ndarray) -> PostureEntry:
    """The posture entry of ``metric_id`` given the still frames ``still`` (T,) bool."""
    spec = metric_spec(metric_id)
    values = np.asarray(table.values[metric_id], dtype=float)
    t = np.asarray(table.time_s, dtype=float)
    measured = np.isfinite(values)
    entry: PostureEntry = {
        "value": None,
        "unit": spec.unit,
        "quality": "no_data",
        "reason": f"{metric_id}: no frame has a value; film the {spec.view} view",
        "from_s": None,
        "to_s": None,
        "still_s": None,
        "view": spec.view,
        "n_frames": int(measured.sum()),
        "normal_range": list(spec.normal_range) if spec.normal_range else None,
    }
    if not measured.any():
        return entry
    upright = upright_frames(table, "side" if spec.view == "side" else "front")
    usable = measured & still & upright
    first, last = _longest_run(usable, t)
    span = float(t[last] - t[first]) + _step(t) if first >= 0 else 0.0
    if span < STILL_S - 0.5 * _step(t):
        code, reason = _why_not(measured, still, upright, spec.view, metric_id)
        return {**entry, "quality": code, "reason": reason}
    stretch = usable.copy()
    stretch[:first] = False
    stretch[last + 1 :] = False
    return {
        **entry,
        "value": json_float(float(np.median(values[stretch]))),
        "quality": "ok",
        "reason": None,
        "from_s": json_float(float(t[first]), 2),
        "to_s": json_float(float(t[last]), 2),
        "still_s": json_float(span, 2),
    }


def _why_not(
    measured: np.ndarray, still: np.ndarray, upright: np.ndarray, view: str, metric_id: str
) -> tuple[str, str]:
    trunk = _TRUNK["side" if view == "side" else "front"]
    if not (measured & still).any():
        return "not_still", (
            f"{metric_id}: the subject was never still for {STILL_S:g} s while it was "
            f"measured; stand or sit still, upright, for {STILL_S:g} s"
        )
    if not upright[measured & still].any():
        return "not_upright", (
            f"{metric_id}: the subject was not upright (trunk within {UPRIGHT_DEG:g} deg of "
            f"vertical, {trunk} measured) while still; stand or sit tall for {STILL_S:g} s"
        )
    return "not_still", (
        f"{metric_id}: the subject was still and upright for less than {STILL_S:g} s at a "
        f"time; stand or sit still, upright, for {STILL_S:g} s"
    )


def summarize_posture(
    table: MetricTable, pose: PoseSequence | None = None
) -> dict[str, PostureEntry]:
    """Posture metric id -> entry (see the module docstring), catalogue order; ``pose`` (the
    landmarks ``table`` was measured from) adds the landmark stillness check."""
    still = still_frames(table, pose)
    return {mid: posture_entry(table, mid, still) for mid in POSTURE_METRIC_IDS}
