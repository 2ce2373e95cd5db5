"""The summary of one recording: held ROM values and a quality verdict per metric, JSON-safe.

Every entry is a :class:`MetricSummary` (a typed dict, so it goes straight into
``summary.json``, the store and the dashboard) with:

- ``max``, ``min``, ``start``, ``excursion``, ``peak``, ``trough`` (metric unit, rounded to
  0.1) and ``max_time_s``, ``min_time_s``, ``max_hold_s``, ``min_hold_s`` (seconds, rounded to
  0.01): see :class:`romcam.core.rom.RomResult`; null where undefined (NaN never appears);
- ``view``: the dominant detected view (a value of ``metric_table.VIEWS``) over the frames where
  the metric was measured, or over all frames when it never was (see :func:`dominant_view`);
- ``quality`` (``ok``, ``rejected``, ``no_data``) and ``reason`` ("" when ok);
- ``unit``, ``n_frames`` (frames with a value), ``normal_range`` ([low, high] or null).

A metric is rejected when its dominant view does not fit the view it needs (side, front; ``any``
accepts every recognised view) and, for a left/right metric that needs a side view, when the
other side faced the camera (the far limb is hidden behind the body), and when the series went
well beyond a held extreme without holding it (``rom.extract_rom``'s ``unheld_margin``; both
extremes here, only the test's one in :func:`summary_for_test`). Held values are kept in
a rejected entry for inspection: always check ``quality`` before using them.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Any, Literal, TypedDict

import numpy as np

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.metric_specs import METRIC_IDS, metric_spec
from romcam.core.metric_table import VIEWS, MetricTable
from romcam.core.rom import Quality, RomResult, extract_rom

logger = logging.getLogger(__name__)


class MetricSummary(TypedDict):
    """The summary of one metric over a recording (see the module docstring); JSON-safe."""

    max: float | None
    min: float | None
    start: float | None
    excursion: float | None
    peak: float | None
    trough: float | None
    max_time_s: float | None
    min_time_s: float | None
    max_hold_s: float | None
    min_hold_s: float | None
    view: str
    quality: Quality
    reason: str
    unit: str
    n_frames: int
    normal_range: list[float] | None


class AssessmentSummary(MetricSummary):
    """The result of one clinical test: its metric's summary plus the test's fields (see
    :func:`summary_for_test`)."""

    test: str
    side: Side | None
    metric: str
    label: str
    extreme: Literal["max", "min"]
    value: float | None
    value_from_start: float | None
    n_valid: int


_FILMED = {
    "front": "from the front",
    "side_left": "from the left side",
    "side_right": "from the right side",
    "oblique": "at an angle (neither front nor side)",
    "none": "without a recognisable view",
}
#: Detected views that suit a metric or test needing a ``side``, ``front`` or ``any`` view.
VIEW_FITS: dict[str, tuple[str, ...]] = {
    "side": ("side_left", "side_right"),
    "front": ("front",),
    "any": ("front", "side_left", "side_right", "oblique"),
}


def _num(x: float, digits: int = 1) -> float | None:
    """JSON-safe rounded float: None for NaN/inf; -0.0 becomes 0.0."""
    if not math.isfinite(x):
        return None
    return round(float(x), digits) + 0.0


def dominant_view(view: np.ndarray, measured: np.ndarray) -> str:
    """Most common recognised view over ``measured`` frames, else over all frames.

    Args:
        view: (T,) str, values of ``VIEWS``.
        measured: (T,) bool, True where the metric has a value.

    ``none`` is ignored: when no measured frame has a recognised view, all frames are counted,
    and ``none`` is returned only when no frame has one. Ties go to the earlier entry of VIEWS.
    """
    order = {v: i for i, v in enumerate(VIEWS)}
    for pool in (view[measured], view):
        counts = Counter(str(v) for v in pool if str(v) != "none")
        if counts:
            return min(counts, key=lambda v: (-counts[v], order.get(v, len(order))))
    return "none"


def view_fits(needed: str, view: str, side: str | None = None) -> bool:
    """True when the detected ``view`` suits a metric or test needing ``needed`` (side, front,
    any); with ``side`` (left/right) a side view must show that side (the far limb is hidden)."""
    if view not in VIEW_FITS.get(needed, ()):
        return False
    return not (needed == "side" and side in ("left", "right") and view != f"side_{side}")


def view_problem(metric_id: str, needed: str, side: str | None, view: str) -> str:
    """ "" when ``view`` suits a metric needing ``needed`` (side/front/any), else the reason."""
    if not view_fits(needed, view):
        return (
            f"{metric_id} needs a {needed} view; the subject was filmed "
            f"{_FILMED.get(view, repr(view))}"
            if needed != "any"
            else f"{metric_id}: the subject was filmed {_FILMED.get(view, repr(view))}"
        )
    if not view_fits(needed, view, side):
        return (
            f"{metric_id} needs the {side} side facing the camera; the subject was filmed "
            f"{_FILMED[view]}, which hides the {side} limb"
        )
    return ""


def view_instruction(needed: str, side: str | None, view: str) -> str | None:
    """What the subject should change while filming when ``view`` does not suit (arguments as
    :func:`view_problem`); None when it suits or no view was recognised."""
    if view == "none" or view_fits(needed, view, side):
        return None
    if needed == "front":
        return "Face the camera square on (turn towards it)."
    if not view_fits(needed, view):
        return "Turn sideways to the camera: this test needs a side view."
    return f"Turn around: the {side} side of the body must face the camera."


def _entry(
    table: MetricTable,
    metric_id: str,
    needed_view: str,
    min_hold_s: float,
    extremes: tuple[Literal["max", "min"], ...] = ("max", "min"),
    **rom_options: Any,
) -> tuple[MetricSummary, RomResult]:
    spec = metric_spec(metric_id)
    values = np.asarray(table.values[metric_id], dtype=float)
    measured = np.isfinite(values)
    view = dominant_view(np.asarray(table.view), measured)
    rom = extract_rom(
        table.time_s,
        values,
        min_hold_s=min_hold_s,
        extremes=extremes,
        unit=f" {spec.unit}",
        **rom_options,
    )
    quality: Quality = rom.quality
    reason = f"{metric_id}: {rom.reason}" if rom.reason else ""
    problem = view_problem(metric_id, needed_view, spec.side, view)
    if rom.quality != "no_data" and problem:
        quality, reason = "rejected", problem
    entry: MetricSummary = {
        "max": _num(rom.max),
        "min": _num(rom.min),
        "start": _num(rom.start),
        "excursion": _num(rom.excursion),
        "peak": _num(rom.peak),
        "trough": _num(rom.trough),
        "max_time_s": _num(rom.max_time_s, 2),
        "min_time_s": _num(rom.min_time_s, 2),
        "max_hold_s": _num(rom.max_hold_s, 2),
        "min_hold_s": _num(rom.min_hold_s, 2),
        "view": view,
        "quality": quality,
        "reason": reason,
        "unit": spec.unit,
        "n_frames": int(measured.sum()),
        "normal_range": list(spec.normal_range) if spec.normal_range else None,
    }
    return entry, rom


def summarize(table: MetricTable, *, min_hold_s: float = 0.5) -> dict[str, MetricSummary]:
    """Metric id -> summary entry (see the module docstring) for every id of METRIC_IDS.

    ``table`` should already be smoothed (``filtering.smooth_table``); the hold detection
    tolerates residual jitter of a few degrees but a smoothed series gives steadier values.
    """
    out: dict[str, MetricSummary] = {}
    for mid in METRIC_IDS:
        out[mid], _ = _entry(table, mid, metric_spec(mid).view, min_hold_s)
    logger.debug(
        "summary: %d of %d metrics ok", sum(e["quality"] == "ok" for e in out.values()), len(out)
    )
    return out


def summary_for_test(
    table: MetricTable,
    test: AssessmentTest,
    side: Side | None,
    *,
    min_hold_s: float = 0.5,
    **rom_options: Any,
) -> AssessmentSummary:
    """The result of one clinical test: the summary entry of its metric plus

    - ``test`` (id), ``side``, ``metric`` (column id), ``label``, ``extreme`` (``max``/``min``,
      from ``test.extreme(side)``), ``n_valid`` (= ``n_frames``);
    - ``value``: the held extreme of the metric, in the metric's sign convention (e.g.
      shoulder extension is negative, right neck rotation is negative);
    - ``value_from_start``: ``value - start``, the movement from the starting position (the
      result to use for tests with ``needs_neutral``).

    The view check uses the test's view (e.g. elbow flexion is filmed from the side) and, for a
    sided side-view test, requires that side to face the camera. ``rom_options`` are further
    hold rules for ``rom.extract_rom`` (``hold_tolerance``, ``max_gap_s``,
    ``min_valid_frames`` ...), e.g. the live ones that follow the frame rate.

    Raises:
        ValueError: ``side`` does not fit the test (see ``AssessmentTest.metric_id``).
    """
    metric_id = test.metric_id(side)
    extreme: Literal["max", "min"] = test.extreme(side)
    entry, rom = _entry(table, metric_id, test.view, min_hold_s, (extreme,), **rom_options)
    value = rom.extreme(extreme)
    result: AssessmentSummary = {
        "test": test.id,
        "side": side,
        "metric": metric_id,
        "label": test.label,
        "extreme": extreme,
        "value": _num(value),
        "value_from_start": _num(value - rom.start),
        **entry,
        "n_valid": rom.n_valid,
    }
    return result
