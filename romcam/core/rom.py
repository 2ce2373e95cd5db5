"""Range of motion from one metric series: the end-range values the subject actually HELD.

Definition (used everywhere in romcam). A *hold window* is a stretch of consecutive valid
samples that

- covers ``min_hold_s`` seconds (``t_last - t_first + dt``, with ``dt`` the median frame step,
  so 15 frames at 30 fps cover 0.5 s); only these shortest windows are examined, since any
  longer hold contains them;
- contains no gap between valid samples longer than ``max_gap_s`` (a hold cannot span a long
  gap) and has valid values on at least half of its nominal frames;
- stays in the band ``median ± hold_tolerance`` (median of the window): its first and last
  samples and at least ``hold_fraction`` of all its samples lie in the band. Steadiness is
  judged on a 5-sample running median of the series, so frame jitter and a one-frame glitch do
  not break a hold, and a brief peak is not widened.

The held maximum comes from the hold window with the highest median. Its value is pooled over
the whole *hold* around that window: the union of overlapping hold windows whose medians are
within ``hold_tolerance`` of it; the value is the median of that stretch's samples lying within
``hold_tolerance`` of it (re-centred a few times). Pooling removes most of the bias that
picking the highest of many noisy window medians would have. The held minimum is the same from the
lowest window, and ``start`` the same from the earliest one. A single-frame spike or a swing
through a position never forms a hold, so it never becomes a ROM value. Values are in the
metric's unit (degrees for angles); extension is a negative minimum of a flexion series.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

logger = logging.getLogger(__name__)

Quality = Literal["ok", "rejected", "no_data"]
#: The held plateau's band is at least this many robust standard deviations of its samples
#: wide (each side): 2.5 keeps about 99 % of normally scattered samples of a still position.
WOBBLE_BANDS = 2.5


@dataclass(frozen=True, kw_only=True)
class RomResult:
    """Held end ranges of one series.

    Attributes:
        max, min: held maximum / minimum (NaN when nothing was held).
        start: held value at the start of the trial (the hold around the earliest window).
        excursion: ``max - min``.
        max_time_s, min_time_s: time (s) at which the held maximum / minimum starts.
        max_hold_s, min_hold_s: how long (s) the value stayed within ``±hold_tolerance`` of the
            held maximum / minimum (the merged run of overlapping hold windows).
        n_valid: frames with a finite value.
        quality: ``ok``, ``rejected`` (see ``reason``) or ``no_data`` (no frame has a value).
        reason: "" when ok; one sentence saying what was wrong and what to do otherwise.
        peak, trough: highest / lowest value reached, held or not (of the 5-sample running
            median, so a one- or two-frame glitch does not count); NaN without data.

    Held values are filled whenever a hold exists, even when ``quality`` is ``rejected`` for
    another reason (e.g. too many missing frames): check ``quality`` before using them.
    """

    max: float
    min: float
    start: float
    excursion: float
    max_time_s: float
    min_time_s: float
    max_hold_s: float
    min_hold_s: float
    n_valid: int
    quality: Quality
    reason: str
    peak: float = float("nan")
    trough: float = float("nan")

    @property
    def ok(self) -> bool:
        return self.quality == "ok"

    def extreme(self, which: Literal["max", "min"]) -> float:
        """The held maximum or minimum."""
        return self.max if which == "max" else self.min


@dataclass(frozen=True)
class _Holds:
    """Qualifying hold windows over the valid samples: start/end times and held values."""

    t_start: np.ndarray  # (W,) s, increasing (window 0 is the earliest)
    t_end: np.ndarray  # (W,) s, time of the last sample
    value: np.ndarray  # (W,) window median


def json_float(x: float, digits: int = 1) -> float | None:
    """JSON-safe rounded float: None for NaN/inf; -0.0 becomes 0.0."""
    if not math.isfinite(x):
        return None
    return round(float(x), digits) + 0.0


def _validate(time_s: np.ndarray, values: np.ndarray, **params: float) -> None:
    if time_s.ndim != 1 or values.ndim != 1:
        raise ValueError(
            f"time_s and values must be 1-D (T,) arrays; got shapes {time_s.shape} "
            f"and {values.shape}"
        )
    if time_s.shape != values.shape:
        raise ValueError(
            f"time_s and values must have the same shape; got {time_s.shape} and {values.shape}"
        )
    if not np.all(np.isfinite(time_s)):
        raise ValueError("time_s must be finite everywhere; got NaN or inf")
    if time_s.size > 1 and not np.all(np.diff(time_s) > 0):
        raise ValueError("time_s must be strictly increasing; got a repeated or earlier time")
    for name, value in params.items():
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive number; got {value!r}")


def _rom(
    n_valid: int,
    quality: Quality,
    reason: str,
    holds: _Holds | None = None,
    hold_tolerance: float = 0.0,
    t: np.ndarray | None = None,
    y: np.ndarray | None = None,
    dt: float = 0.0,
    steady: np.ndarray | None = None,
) -> RomResult:
    nan = float("nan")
    if holds is None or holds.value.size == 0 or t is None or y is None or steady is None:
        return RomResult(
            max=nan,
            min=nan,
            start=nan,
            excursion=nan,
            max_time_s=nan,
            min_time_s=nan,
            max_hold_s=nan,
            min_hold_s=nan,
            n_valid=n_valid,
            quality=quality,
            reason=reason,
        )
    args = (hold_tolerance, t, y, dt, steady)
    hi, hi_t, hi_len = _extreme_hold(holds, int(np.argmax(holds.value)), *args)
    lo, lo_t, lo_len = _extreme_hold(holds, int(np.argmin(holds.value)), *args)
    start = _extreme_hold(holds, 0, *args)[0]
    return RomResult(
        max=hi,
        min=lo,
        start=start,
        excursion=hi - lo,
        max_time_s=hi_t,
        min_time_s=lo_t,
        max_hold_s=hi_len,
        min_hold_s=lo_len,
        n_valid=n_valid,
        quality=quality,
        reason=reason,
    )


def _extreme_hold(
    holds: _Holds, k: int, tol: float, t: np.ndarray, y: np.ndarray, dt: float, steady: np.ndarray
) -> tuple[float, float, float]:
    """Held value, start time and duration of the hold around window ``k``.

    The hold is the union of overlapping hold windows whose medians stay within ``tol`` of
    window ``k``'s. Its plateau is the samples of that stretch whose running median (``steady``)
    lies within ``tol`` of the held value; the held value is the median of the plateau's raw
    samples (re-centred a few times). Membership is judged on the steadier running median and
    the value taken from the raw samples, so landmark noise as wide as the band neither clips
    the plateau to one side nor drags the value to the band's edge: the estimate is the robust
    centre of the plateau, unbiased for symmetric noise. Returns it, the first plateau sample's
    time and the plateau's time span.
    """
    value = float(holds.value[k])
    near = np.flatnonzero(np.abs(holds.value - value) <= tol)
    reach = np.maximum.accumulate(holds.t_end[near])
    new_group = np.concatenate([[True], holds.t_start[near][1:] > reach[:-1] + 1.5 * dt])
    group = np.cumsum(new_group)
    mine = near[group == group[np.searchsorted(near, k)]]
    run = (t >= holds.t_start[mine[0]]) & (t <= holds.t_end[mine].max())
    value = float(np.median(y[run]))  # not the chosen window's median: the highest is biased
    # The band follows the plateau's own wobble when it is wider than ``tol`` (short segments
    # under landmark noise): a fixed band would clip the plateau to its top or bottom.
    spread = 1.4826 * float(np.median(np.abs(y[run] - value)))
    width = max(tol, WOBBLE_BANDS * spread)
    plateau = run
    for _ in range(3):  # re-centre on the plateau's samples
        grown = _connected(np.abs(steady - value) <= width, run)
        if not grown.any():
            break
        plateau = grown
        value = float(np.median(y[plateau]))
    inside = t[plateau]
    return value, float(inside[0]), float(inside[-1] - inside[0]) + dt


def run_labels(mask: np.ndarray) -> np.ndarray:
    """(n,) int: a label per run of equal consecutive values of ``mask`` (n,) bool."""
    return np.cumsum(np.concatenate([[1], np.diff(mask.astype(int)) != 0]))


def _connected(mask: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """(n,) bool: the runs of consecutive True in ``mask`` that overlap ``seed`` (n,) bool."""
    label = run_labels(mask)
    keep = np.unique(label[seed & mask])
    return mask & np.isin(label, keep)


def running_median(y: np.ndarray, segment: np.ndarray, half: int = 2) -> np.ndarray:
    """(n,) median of the ``2*half+1`` samples around each one, within its segment.

    Used only to judge steadiness: it removes frame-to-frame jitter and isolated glitches
    without widening a brief peak.
    """
    n = y.size
    idx = np.arange(n)[:, None] + np.arange(-half, half + 1)[None, :]
    clipped = np.clip(idx, 0, n - 1)
    same = (idx == clipped) & (segment[clipped] == segment[:, None])
    return np.nanmedian(np.where(same, y[clipped], np.nan), axis=1)


def _find_holds(
    t: np.ndarray,
    y: np.ndarray,
    steady: np.ndarray,
    segment: np.ndarray,
    *,
    dt: float,
    min_hold_s: float,
    hold_tolerance: float,
    hold_fraction: float,
) -> _Holds:
    """Hold windows among valid samples ``t`` (increasing, s) / ``y`` (finite), vectorised.

    ``steady`` is the running median of ``y`` and ``segment`` its run ids (split at gaps).
    """
    n = t.size
    # Shortest window from each start i: last sample j with t_j - t_i + dt >= min_hold_s.
    end = np.searchsorted(t, t + (min_hold_s - dt) - 1e-9 * max(dt, 1e-9), side="left")
    end = np.maximum(end, np.arange(n))
    inside = end < n
    end_c = np.minimum(end, n - 1)
    length = end_c - np.arange(n) + 1
    covered = t[end_c] - t + dt
    enough = length >= np.maximum(3, 0.5 * covered / dt)
    candidate = inside & (segment[end_c] == segment) & enough
    starts = np.flatnonzero(candidate)
    if starts.size == 0:
        empty = np.empty(0)
        return _Holds(empty, empty, empty)
    width = int(length[starts].max())
    idx = starts[:, None] + np.arange(width)[None, :]
    in_window = idx <= end_c[starts][:, None]
    windows = np.where(in_window, y[np.minimum(idx, n - 1)], np.nan)
    median = np.nanmedian(windows, axis=1)
    in_band = (
        np.abs(steady[np.minimum(idx, n - 1)] - median[:, None]) <= hold_tolerance
    ) & in_window
    rows = np.arange(starts.size)
    ends_in_band = in_band[:, 0] & in_band[rows, end_c[starts] - starts]
    held = ends_in_band & (in_band.sum(axis=1) >= hold_fraction * in_window.sum(axis=1) - 1e-9)
    keep = starts[held]
    return _Holds(t[keep], t[end_c[keep]], median[held])


def extract_rom(
    time_s: np.ndarray,
    values: np.ndarray,
    *,
    min_hold_s: float = 0.5,
    hold_tolerance: float = 3.0,
    hold_fraction: float = 0.8,
    max_gap_s: float = 0.25,
    max_missing_fraction: float = 0.5,
    min_valid_frames: int = 10,
    unheld_margin: float | None = 15.0,
    extremes: Sequence[Literal["max", "min"]] = ("max", "min"),
    unit: str = "",
) -> RomResult:
    """Held maximum, minimum and start value of one metric series (see the module docstring).

    Args:
        time_s: (T,) strictly increasing seconds (steps need not be uniform).
        values: (T,) metric values in their unit; NaN where not measured.
        min_hold_s: shortest time (s) a position must be held to count.
        hold_tolerance: half-width of the band (metric unit) the value must stay in.
        hold_fraction: share of a hold window's samples that must lie in the band.
        max_gap_s: longest gap (s) between valid samples a hold may span.
        max_missing_fraction: reject when more of the frames between the first and the last
            valid frame are missing (leading/trailing frames without a subject do not count).
        min_valid_frames: reject when fewer frames have a value.
        unheld_margin: reject when the series reached more than this beyond a held extreme
            named in ``extremes`` (the end range was not held; the held value would understate
            it); None disables the check.
        extremes: which held extremes must be the end range reached: ``max``, ``min``, both.
        unit: appended to numbers in ``reason`` (e.g. ``" deg"``).

    Raises:
        ValueError: shapes differ or are not 1-D, time is not finite and strictly increasing,
            or a parameter is out of range.
    """
    time_s = np.asarray(time_s, dtype=float)
    values = np.asarray(values, dtype=float)
    _validate(
        time_s,
        values,
        min_hold_s=min_hold_s,
        hold_tolerance=hold_tolerance,
        hold_fraction=hold_fraction,
        max_gap_s=max_gap_s,
    )
    if hold_fraction > 1 or not 0 <= max_missing_fraction <= 1:
        raise ValueError(
            "hold_fraction must be in (0, 1] and max_missing_fraction in [0, 1]; "
            f"got {hold_fraction!r} and {max_missing_fraction!r}"
        )
    valid = np.isfinite(values)
    n_valid = int(valid.sum())
    if n_valid == 0:
        return _rom(0, "no_data", "no frame has a value; make sure the body parts are in view")
    if n_valid < max(min_valid_frames, 2):
        return _rom(
            n_valid,
            "rejected",
            f"only {n_valid} frames have a value (fewer than "
            f"{min_valid_frames}); record the movement for longer",
        )
    t, y = time_s[valid], values[valid]
    dt = float(np.median(np.diff(time_s)))
    segment = np.concatenate([[0], np.cumsum(np.diff(t) > max_gap_s)])
    steady = running_median(y, segment)
    holds = _find_holds(
        t,
        y,
        steady,
        segment,
        dt=dt,
        min_hold_s=min_hold_s,
        hold_tolerance=hold_tolerance,
        hold_fraction=hold_fraction,
    )
    result = _rom(n_valid, "ok", "", holds, hold_tolerance, t, y, dt, steady)
    first, last = np.flatnonzero(valid)[[0, -1]]
    missing = 1.0 - n_valid / (last - first + 1)
    peak, trough = float(steady.max()), float(steady.min())
    if missing > max_missing_fraction:
        reason = (
            f"{missing:.0%} of the frames have no value (more than "
            f"{max_missing_fraction:.0%}); keep the whole body part in view"
        )
    elif holds.value.size == 0:
        reason = (
            f"hold the end position still (within ±{hold_tolerance:g}{unit}) for "
            f"{min_hold_s:g} s; the value never stayed still that long"
        )
    else:
        rule = (
            f"hold the end position still (within ±{hold_tolerance:g}{unit}) for {min_hold_s:g} s"
        )
        reason = _unheld_reason(result, peak, trough, unheld_margin, extremes, rule, unit)
    return replace(
        result, quality="rejected" if reason else "ok", reason=reason, peak=peak, trough=trough
    )


def _unheld_reason(
    result: RomResult,
    peak: float,
    trough: float,
    margin: float | None,
    extremes: Sequence[Literal["max", "min"]],
    rule: str,
    unit: str,
) -> str:
    """Why the held extreme is not the end range reached (more than ``margin`` short), or ""."""
    if margin is None:
        return ""
    if "max" in extremes and peak - result.max > margin:
        return f"{rule}; the top ({peak:.0f}{unit}) was not held"
    if "min" in extremes and result.min - trough > margin:
        return f"{rule}; the bottom ({trough:.0f}{unit}) was not held"
    return ""
