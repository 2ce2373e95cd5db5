"""The clean range of a test: its end range over the frames where no compensation passed its
threshold (``romcam.core.compensation``), beside the range with compensation.

Rule: when no compensation passed its threshold while the end range was held, the clean range
is the held end range itself (exactly). Otherwise it is the furthest value the metric reached
in the test's direction over the frames where every compensation was under its threshold (the
value reached before the compensation began), never beyond the held end range.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.compensation import (
    CompensationSpec,
    compensated_frames,
    compensations_for,
    compensations_of_pose,
)
from romcam.core.end_range import HOLD_TOLERANCE, DirectionVerdict
from romcam.core.landmarks import PoseSequence
from romcam.core.metric_table import MetricTable


@dataclass(frozen=True)
class CleanRange:
    """A test's range with and without its compensations.

    Attributes:
        value: the clean range (metric unit); NaN when nothing was measured clean.
        with_compensation: the held end range as measured, compensation included.
        peaks: compensation name -> its peak (deg) during the end range (NaN: not measured).
        note: a sentence when the clean range is lower (by half a unit or more), else None.
    """

    value: float
    with_compensation: float
    peaks: dict[str, float]
    note: str | None


def end_range_frames(
    time_s: np.ndarray,
    values: np.ndarray,
    extreme: Literal["max", "min"],
    value: float,
    held_from_s: float,
    hold_s: float,
) -> np.ndarray:
    """(T,) bool, the frames of the end range: the held stretch from ``held_from_s`` for
    ``hold_s`` s when both are finite, else the frames within HOLD_TOLERANCE of ``value`` on
    its far side (an end range reached but not held)."""
    if math.isfinite(held_from_s) and math.isfinite(hold_s):
        return (time_s >= held_from_s - 1e-9) & (time_s <= held_from_s + hold_s + 1e-9)
    if not math.isfinite(value):
        return np.zeros(time_s.shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        near = (
            values >= value - HOLD_TOLERANCE
            if extreme == "max"
            else values <= value + HOLD_TOLERANCE
        )
    return np.asarray(near, dtype=bool)


def clean_range(
    values: np.ndarray,
    series: Mapping[str, np.ndarray],
    specs: Sequence[CompensationSpec],
    extreme: Literal["max", "min"],
    value: float,
    end_range: np.ndarray,
    unit: str = "deg",
) -> CleanRange:
    """The clean range of a test whose metric read ``values`` ((T,), metric unit) and whose
    held end range is ``value``, with its compensations' ``series`` (name -> (T,) deg, see
    ``compensation.measure``) and ``end_range`` frames ((T,) bool, :func:`end_range_frames`)."""
    over = compensated_frames(series, specs)
    window = end_range if end_range.any() else np.ones(values.shape, dtype=bool)
    peaks = {s.name: _peak(series[s.name][window]) for s in specs}
    if not math.isfinite(value) or not (over & end_range).any():
        return CleanRange(value, value, peaks, None)
    clean = values[~over & np.isfinite(values)]
    if clean.size == 0:
        reached = math.nan
    elif extreme == "max":
        reached = min(float(clean.max()), value)
    else:
        reached = max(float(clean.min()), value)
    lower = not math.isfinite(reached) or abs(value - reached) >= 0.5  # lower when rounded
    note = _note(specs, peaks, reached, value, unit) if lower else None
    return CleanRange(reached, value, peaks, note)


def _peak(x: np.ndarray) -> float:
    return float(np.nanmax(x)) if np.isfinite(x).any() else math.nan


def _note(
    specs: Sequence[CompensationSpec],
    peaks: Mapping[str, float],
    clean: float,
    value: float,
    unit: str,
) -> str:
    """ "trunk leaned 14° sideways at the end range: clean range 152° of 168°"."""
    over = [s for s in specs if peaks[s.name] > s.threshold_deg]
    what = " and ".join(s.words.format(deg=f"{peaks[s.name]:.0f}") for s in over)
    u = "°" if unit == "deg" else f" {unit}"
    if not math.isfinite(clean):
        return f"{what} at the end range: no clean range"
    return f"{what} at the end range: clean range {abs(clean):.0f}{u} of {abs(value):.0f}{u}"


def clean_range_of_test(
    table: MetricTable,
    test: AssessmentTest,
    side: Side | None,
    verdict: DirectionVerdict,
    held: float,
    pose: PoseSequence | None,
    series: Mapping[str, np.ndarray] | None,
) -> CleanRange:
    """The test's clean range (``core/clean_range``) from its compensations' ``series`` or,
    without them, measured on ``pose``; the held value as it is when there is neither."""
    specs = compensations_for(test.id)
    if series is None and specs and pose is not None and len(pose) == len(table):
        series = compensations_of_pose(pose, table.view, table.facing, test.id, side)
    if series is None or not specs:
        return CleanRange(held, held, {}, None)
    values = np.asarray(table.values[test.metric_id(side)], dtype=float)
    t = np.asarray(table.time_s, dtype=float)
    window = end_range_frames(t, values, verdict.direction, held, verdict.time_s, verdict.hold_s)
    unit = test.spec(side).unit
    return clean_range(values, series, specs, verdict.direction, held, window, unit)
