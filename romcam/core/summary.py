"""The summary of one recording: held end ranges per metric and direction, JSON-safe.

Every entry is a :class:`MetricSummary` (a typed dict, so it goes straight into
``summary.json``, the store and the dashboard) with:

- ``max``, ``min``: the held value of each direction (``core/end_range``): its accepted end
  range, or, when only the view, side, gaps or occlusion rejected it, its held value for
  inspection; null when the body did not move or hold that way; ``excursion`` = max - min;
- ``max_quality``, ``min_quality``: ``ok`` or the direction's code; ``max_reason``,
  ``min_reason``: why not (null when ok);
- ``start`` (the start position), ``peak``, ``trough`` (metric unit, rounded to 0.1) and
  ``max_time_s``, ``min_time_s``, ``max_hold_s``, ``min_hold_s`` (seconds, rounded to 0.01):
  see :class:`romcam.core.rom.RomResult`; null where undefined (NaN never appears);
- ``view``: the dominant detected view (a value of ``metric_table.VIEWS``) over the frames where
  the metric was measured, or over all frames when it never was (see :func:`dominant_view`);
- ``quality`` (``ok`` when one direction is, ``rejected``, ``no_data``) and ``reason`` ("" when
  ok);
- ``unit``, ``n_frames`` (frames with a value), ``normal_range`` ([low, high] or null).

Only range-of-motion metrics (``ROM_METRIC_IDS``) are summarised here; posture metrics are
summarised apart (``core/posture_summary``). A direction is rejected when the dominant view does
not fit the metric (side, front; ``any`` accepts every recognised view), when a left/right
side-view metric's other side faced the camera (``wrong_side``), when its limb was seen end-on
(``core/foreshortening``), and by the direction rules of ``core/end_range``.
:func:`summary_for_test` judges only the test's own direction.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal, TypedDict

import numpy as np

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.clean_range import clean_range_of_test
from romcam.core.end_range import (
    DIRECTIONS,
    Direction,
    DirectionVerdict,
    Reference,
    judge_directions,
)
from romcam.core.foreshortening import end_on_frames
from romcam.core.landmarks import PoseSequence
from romcam.core.metric_specs import METRIC_IDS, metric_spec
from romcam.core.metric_table import VIEWS, MetricTable
from romcam.core.posture_summary import posture_entry, still_frames
from romcam.core.rom import Quality, RomResult, json_float
from romcam.core.uncertainty import trial_uncertainty

#: The metrics with an end range (``kind == "rom"``); posture metrics are summarised apart
#: (``romcam.core.posture_summary``).
ROM_METRIC_IDS: tuple[str, ...] = tuple(m for m in METRIC_IDS if metric_spec(m).kind == "rom")

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
    max_quality: str
    min_quality: str
    max_reason: str | None
    min_reason: str | None
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
    end_range: float | None
    code: str
    hold_s: float | None
    time_s: float | None
    value_with_compensation: float | None
    compensation: dict[str, float] | None
    compensation_note: str | None
    uncertainty: float | None


class TestReport(TypedDict):
    """One entry of summary.json's ``tests``: a test and side and its held (clean) end range."""

    test: str
    side: Side | None
    metric: str
    end_range: float | None
    quality: str
    reason: str | None
    hold_s: float | None
    time_s: float | None
    end_range_with_compensation: float | None
    compensation: dict[str, float] | None
    compensation_note: str | None


_FILMED = {
    "front": "from the front",
    "side_left": "from the left side",
    "side_right": "from the right side",
    "oblique": "at an angle (neither front nor side)",
    "none": "without a recognisable view",
}


def filmed(view: str) -> str:
    """How the subject was filmed, in words: ``side_left`` -> ``from the left side``."""
    return _FILMED.get(view, view.replace("_", " "))


#: Detected views that suit a metric or test needing a ``side``, ``front`` or ``any`` view.
VIEW_FITS: dict[str, tuple[str, ...]] = {
    "side": ("side_left", "side_right"),
    "front": ("front",),
    "any": ("front", "side_left", "side_right", "oblique"),
}


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


#: A metric whose limb was seen end-on in more than this share of its measured frames is not
#: reported (wrong_view): what is left would be a few frames at the edges of the real movement.
END_ON_SHARE = 0.5
#: Flags that empty a metric's frames, as direction codes, most specific first.
EMPTYING_FLAGS: tuple[str, ...] = ("occluded", "out_of_frame", "low_visibility", "wrong_view")
_FLAG_REASON = {
    "occluded": "the body parts it needs were hidden (behind something or the body)",
    "out_of_frame": "the body parts it needs were outside the picture",
    "low_visibility": "the model could not see the body parts it needs",
    "wrong_view": "the camera view did not suit it",
}


def _emptied_by(table: MetricTable, measured: np.ndarray) -> str | None:
    """The flag most often set where the subject was seen but the metric has no value."""
    subject = ~np.asarray(table.flags.get("no_subject", np.zeros(len(table), bool)), dtype=bool)
    empty = subject & ~measured
    counts = {f: int((table.flags[f] & empty).sum()) for f in EMPTYING_FLAGS if f in table.flags}
    best = max(counts, key=lambda f: counts[f], default=None)
    return best if best is not None and counts[best] > 0 else None


def _view_verdicts(
    verdicts: dict[Direction, DirectionVerdict], code: str, reason: str
) -> dict[Direction, DirectionVerdict]:
    return {d: replace(v, quality=code, reason=reason, value=math.nan) for d, v in verdicts.items()}


#: Codes whose held value is kept in the entry for inspection (a plateau was held that way, but
#: the view or the gaps make it untrustworthy); other codes have no held value that way.
_INSPECTABLE = ("ok", "wrong_view", "wrong_side", "gaps", "occluded")


def _held(rom: RomResult, verdict: DirectionVerdict) -> float:
    """The held value of ``verdict``'s direction: that direction's own, never the other one's
    plateau (the held minimum of a one-way raise is not its top)."""
    if verdict.ok:
        return verdict.value
    return rom.extreme(verdict.direction) if verdict.quality in _INSPECTABLE else math.nan


def _entry(
    table: MetricTable,
    metric_id: str,
    needed_view: str,
    min_hold_s: float,
    directions: tuple[Direction, ...] = DIRECTIONS,
    side_problem: str = "",
    reference: Reference = "start",
    pose: PoseSequence | None = None,
    **rom_options: Any,
) -> tuple[MetricSummary, RomResult, dict[Direction, DirectionVerdict]]:
    """The summary entry of ``metric_id``; ``quality`` is ok when one of ``directions`` is.
    With the ``pose`` the table was measured from, frames where a limb segment of the metric
    is seen end-on are left out (``core/foreshortening``)."""
    spec = metric_spec(metric_id)
    values = np.asarray(table.values[metric_id], dtype=float)
    measured = np.isfinite(values)
    end_on_problem = ""
    if pose is not None and len(pose) == len(values):
        hidden, segment = end_on_frames(pose, metric_id)
        share = (hidden & measured).sum() / max(int(measured.sum()), 1)
        values = np.where(hidden, np.nan, values)
        if share > END_ON_SHARE:
            end_on_problem = (
                f"{metric_id}: the {segment.replace('-', ' to ')} segment pointed at the camera "
                f"(seen end-on) in {share:.0%} of the frames; film the limb moving across the "
                "picture"
            )
    view = dominant_view(np.asarray(table.view), measured)
    rom, verdicts = judge_directions(
        table.time_s,
        values,
        min_hold_s=min_hold_s,
        unit=f" {spec.unit}",
        reference=reference,
        **rom_options,
    )
    problem = view_problem(metric_id, needed_view, spec.side, view)
    if end_on_problem and view_fits(needed_view, view, spec.side):
        verdicts = _view_verdicts(verdicts, "wrong_view", end_on_problem)
    elif not view_fits(needed_view, view):
        verdicts = _view_verdicts(verdicts, "wrong_view", problem)
    elif problem:
        verdicts = _view_verdicts(verdicts, "wrong_side", side_problem or problem)
    elif rom.quality == "no_data" and (flag := _emptied_by(table, measured)):
        verdicts = _view_verdicts(verdicts, flag, f"no value: {_FLAG_REASON[flag]}")
    quality: Quality = "ok"
    reason = ""
    if not any(verdicts[d].ok for d in directions):
        # The reason of a direction that moved says more than "no movement this way".
        moved = [verdicts[d] for d in directions if verdicts[d].quality != "not_moved"]
        first = (moved or [verdicts[directions[0]]])[0]
        quality = "no_data" if rom.quality == "no_data" and not end_on_problem else "rejected"
        reason = (
            first.reason if first.reason.startswith(metric_id) else f"{metric_id}: {first.reason}"
        )
    start = verdicts["max"].start
    entry: MetricSummary = {
        "max": json_float(_held(rom, verdicts["max"])),
        "min": json_float(_held(rom, verdicts["min"])),
        "start": json_float(start),
        "excursion": json_float(_held(rom, verdicts["max"]) - _held(rom, verdicts["min"])),
        "peak": json_float(rom.peak),
        "trough": json_float(rom.trough),
        "max_time_s": json_float(rom.max_time_s, 2),
        "min_time_s": json_float(rom.min_time_s, 2),
        "max_hold_s": json_float(rom.max_hold_s, 2),
        "min_hold_s": json_float(rom.min_hold_s, 2),
        "max_quality": verdicts["max"].quality,
        "min_quality": verdicts["min"].quality,
        "max_reason": verdicts["max"].reason or None,
        "min_reason": verdicts["min"].reason or None,
        "view": view,
        "quality": quality,
        "reason": reason,
        "unit": spec.unit,
        "n_frames": int(measured.sum()),
        "normal_range": list(spec.normal_range) if spec.normal_range else None,
    }
    return entry, rom, verdicts


def summarize(
    table: MetricTable, *, min_hold_s: float = 0.5, pose: PoseSequence | None = None
) -> dict[str, MetricSummary]:
    """Metric id -> summary entry (see the module docstring) for every id of ROM_METRIC_IDS;
    ``pose`` (the landmarks ``table`` was measured from) adds the end-on limb check.

    ``table`` should already be smoothed (``filtering.smooth_table``); the hold detection
    tolerates residual jitter of a few degrees but a smoothed series gives steadier values.
    """
    out: dict[str, MetricSummary] = {}
    for mid in ROM_METRIC_IDS:
        out[mid] = _entry(table, mid, metric_spec(mid).view, min_hold_s, pose=pose)[0]
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
    pose: PoseSequence | None = None,
    compensation: Mapping[str, np.ndarray] | None = None,
    **rom_options: Any,
) -> AssessmentSummary:
    """The result of one clinical test: the summary entry of its metric plus

    - ``test`` (id), ``side``, ``metric`` (column id), ``label``, ``extreme`` (``max``/``min``,
      from ``test.extreme(side)``), ``n_valid`` (= ``n_frames``);
    - ``value``: the clean range (``core/clean_range``): the held extreme of the metric, in
      the metric's sign convention (e.g. shoulder extension is negative, right neck rotation is
      negative), over the frames where no compensation of the test passed its threshold;
      ``end_range``: the same when the test's direction is an accepted end range, else None;
    - ``value_with_compensation``: the held extreme over every frame (as ``max``/``min``);
      ``compensation``: name -> peak (deg) of each compensation during the end range (None:
      none watched or no landmarks); ``compensation_note``: a sentence when ``value`` is lower;
    - ``code``: ``ok`` or the direction's code (``not_moved``, ``not_held``, ``wrong_side`` ...);
      ``hold_s``, ``time_s``: how long and from when the end range was held;
    - ``value_from_start``: ``value - start``, the movement from the starting position (the
      result to use for tests with ``needs_neutral``).
    - ``uncertainty``: the trial's own uncertainty in the metric's unit, from yaw, landmark
      visibility, hold steadiness and roll (``core/uncertainty``; None when not finite).

    Only the test's own direction is judged: the start position never has to be held. The
    view check uses the test's view (e.g. elbow flexion is filmed from the side) and, for a
    sided side-view test, requires that side to face the camera. ``rom_options`` are further
    hold rules for ``rom.extract_rom`` (``hold_tolerance``, ``max_gap_s``,
    ``min_valid_frames`` ...), e.g. the live ones that follow the frame rate.

    Raises:
        ValueError: ``side`` does not fit the test (see ``AssessmentTest.metric_id``).
    """
    metric_id = test.metric_id(side)
    extreme: Direction = test.extreme(side)
    entry, rom, verdicts = _entry(
        table,
        metric_id,
        test.view,
        min_hold_s,
        (extreme,),
        _side_choice(table, metric_id, side),
        0.0 if test.needs_neutral else "opposite",
        pose,
        **rom_options,
    )
    verdict = verdicts[extreme]
    held = verdict.value if verdict.ok else rom.extreme(extreme)
    clean = clean_range_of_test(table, test, side, verdict, held, pose, compensation)
    value = clean.value
    result: AssessmentSummary = {
        "test": test.id,
        "side": side,
        "metric": metric_id,
        "label": test.label,
        "extreme": extreme,
        "value": json_float(value),
        "value_from_start": json_float(value - entry_start(verdict, test.needs_neutral)),
        **entry,
        "n_valid": rom.n_valid,
        "end_range": json_float(value) if verdict.ok else None,
        "code": verdict.quality,
        "hold_s": json_float(verdict.hold_s, 2),
        "time_s": json_float(verdict.time_s, 2),
        "value_with_compensation": json_float(held),
        # None: the test watches none, or none could be measured (no landmarks).
        "compensation": {k: round(v, 1) for k, v in clean.peaks.items() if math.isfinite(v)}
        or None,
        "compensation_note": clean.note,
        "uncertainty": None,
    }
    if test.spec(side).kind == "posture" and verdict.quality not in ("wrong_view", "wrong_side"):
        result = _posture_result(result, table, pose)
    result["uncertainty"] = json_float(trial_uncertainty(table, result, pose).total, 2)
    return result


def _posture_result(
    result: AssessmentSummary, table: MetricTable, pose: PoseSequence | None
) -> AssessmentSummary:
    """A posture test's result: its metric's posture while still and upright
    (``core/posture_summary``), not a held end range."""
    posture = posture_entry(table, result["metric"], still_frames(table, pose))
    ok = posture["quality"] == "ok"
    quality: Quality = "ok" if ok else "no_data" if posture["quality"] == "no_data" else "rejected"
    return {
        **result,
        "value": posture["value"],
        "value_from_start": posture["value"],
        "end_range": posture["value"] if ok else None,
        "code": posture["quality"],
        "quality": quality,
        "reason": posture["reason"] or "",
        "hold_s": posture["still_s"],
        "time_s": posture["from_s"],
    }


def entry_start(verdict: DirectionVerdict, zeroed: bool) -> float:
    """Where a test's movement starts: neutral (0) when the metric is zeroed at it, else the
    start position of the recording."""
    return 0.0 if zeroed else verdict.start


def _side_choice(table: MetricTable, metric_id: str, side: Side | None) -> str:
    """The reason for a sided test whose side the video does not show: which side to choose."""
    shown = dominant_view(np.asarray(table.view), np.ones(len(table), dtype=bool))
    if side is None or not shown.startswith("side_") or shown == f"side_{side}":
        return ""
    other = shown.removeprefix("side_")
    return f"{metric_id}: this video shows the {other} side; choose {other}"


def report_of_test(entry: AssessmentSummary) -> TestReport:
    """The summary.json ``tests`` entry of a test's summary (see :func:`summary_for_test`)."""
    return {
        "test": entry["test"],
        "side": entry["side"],
        "metric": entry["metric"],
        "end_range": entry["end_range"],
        "quality": entry["code"],
        "reason": entry["reason"] or None,
        "hold_s": entry["hold_s"],
        "time_s": entry["time_s"],
        "end_range_with_compensation": entry["value_with_compensation"]
        if entry["end_range"] is not None
        else None,
        "compensation": entry["compensation"],
        "compensation_note": entry["compensation_note"],
    }


def sides_of_test(test: AssessmentTest, side: Side | None) -> tuple[Side | None, ...]:
    """The sides to measure ``test`` on: ``side``, or both for a sided test without one."""
    if test.sided and side is None:
        return ("left", "right")
    return (side,)


def reports_for_tests(
    table: MetricTable,
    requested: Sequence[tuple[AssessmentTest, Side | None]],
    pose: PoseSequence | None = None,
) -> list[TestReport]:
    """summary.json's ``tests``: one entry per requested test and side (both sides of a sided
    test requested without one), in the order asked."""
    return [
        report_of_test(summary_for_test(table, test, side, pose=pose))
        for test, asked in requested
        for side in sides_of_test(test, asked)
    ]
