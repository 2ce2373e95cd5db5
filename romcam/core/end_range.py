"""Each direction of a metric judged apart: did the body move that way, and was it held there?

A metric series has two directions: towards its maximum and towards its minimum (flexion and
extension, left and right rotation). A direction is an **end range** only when

1. the body moved that way: the furthest value reached (of the 5-sample running median, so a
   one-frame glitch does not count) lies at least ``min_excursion`` beyond the *start position*
   (the median of the first ``min_hold_s`` seconds with a value) — ``not_moved`` otherwise;
2. a held plateau lies that way, at least ``min_excursion`` beyond the start (the start's own
   rest is not an end range) — ``not_held`` otherwise;
3. the held plateau is the end range reached: the series did not go more than
   ``unheld_margin`` further without holding it (the held value would understate the end
   range) — ``not_held`` otherwise.

The start position itself never has to be held: a one-way movement (neck flexion from neutral,
an arm raised from the rest) is judged on the direction it went only. Held values come from
:func:`romcam.core.rom.extract_rom` (the robust centre of the held plateau).

Codes (``quality`` of a :class:`DirectionVerdict`): ``ok``, ``not_moved``, ``not_held``,
``no_data`` (no frame has a value), ``too_few_frames``, ``gaps`` (too many frames without a
value); :mod:`romcam.core.summary` adds the view and flag codes (``wrong_view``, ``wrong_side``,
``occluded``, ``out_of_frame``, ``low_visibility``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from romcam.core.rom import RomResult, extract_rom, run_labels, running_median

Direction = Literal["max", "min"]
Reference = Literal["start", "opposite"] | float
DIRECTIONS: tuple[Direction, Direction] = ("max", "min")

#: The hold rule, one number each, used by every message: the end position must stay within
#: ±HOLD_TOLERANCE for HOLD_S seconds (README "What it measures").
HOLD_S = 0.5
HOLD_TOLERANCE = 3.0
#: A direction counts as moved when it goes this far (metric unit, degrees) beyond the start.
#: Why 10: it is over three times the ±3 deg hold band (two still positions closer than that
#: cannot be told apart) and above the 5-8 deg scatter of 2-D landmark angles on real footage,
#: yet below the smallest normal end range in the catalogue (hip extension, 30 deg).
MIN_EXCURSION = 10.0
#: Rhythmic swing (walking arm swing, running, jumping jacks): at least this many reversals
#: of MIN_EXCURSION or more (three back-and-forth cycles) ...
SWING_REVERSALS = 6
#: ... at most this far apart (s) on the median. Walking arm and leg swing reverse every
#: 0.5-0.7 s (a stride of 1-1.4 s); a clinical test holds 0.5 s at each end and moves there
#: and back, so its reversals are further apart.
SWING_HALF_PERIOD_S = 0.8
#: A held plateau this far short of the value reached is not the end range (see rom.py).
UNHELD_MARGIN = 15.0


@dataclass(frozen=True, kw_only=True)
class DirectionVerdict:
    """One direction of one series.

    Attributes:
        direction: ``max`` or ``min``.
        value: the held end range (metric unit), NaN unless ``quality`` is ``ok``.
        quality: ``ok`` or a code (see the module docstring); reason: "" when ok, else a
            sentence saying what was wrong and what to do.
        hold_s: how long (s) the end range was held; for ``not_held``, how long the value
            stayed near the furthest value reached; NaN without data.
        time_s: when the held end range starts (s), NaN unless ok.
        reached: furthest value reached that way (running median), NaN without data.
        start: the start position (metric unit), NaN without data.
    """

    direction: Direction
    value: float
    quality: str
    reason: str
    hold_s: float
    time_s: float
    reached: float
    start: float

    @property
    def ok(self) -> bool:
        return self.quality == "ok"


def judge_directions(
    time_s: np.ndarray,
    values: np.ndarray,
    *,
    min_hold_s: float = HOLD_S,
    hold_tolerance: float = HOLD_TOLERANCE,
    min_excursion: float = MIN_EXCURSION,
    unheld_margin: float = UNHELD_MARGIN,
    unit: str = "",
    reference: Reference = "start",
    **rom_options: Any,
) -> tuple[RomResult, dict[Direction, DirectionVerdict]]:
    """The held values of ``values`` (T,) at ``time_s`` (T,) s and a verdict per direction.

    ``reference`` is what a direction's excursion is measured from: ``start`` (the start
    position: the summary of a recording, where either end may be the rest), ``opposite``
    (the other end reached: a one-way test such as shoulder abduction, whose rest is the other
    end wherever the recording began) or a number (a test zeroed at its neutral: 0).
    ``rom_options`` go to :func:`extract_rom` (``max_gap_s``, ``min_valid_frames`` ...).
    The RomResult's own quality ignores the directions (only data problems).
    """
    rom = extract_rom(
        time_s,
        values,
        min_hold_s=min_hold_s,
        hold_tolerance=hold_tolerance,
        unheld_margin=None,
        unit=unit,
        **rom_options,
    )
    t, y = np.asarray(time_s, dtype=float), np.asarray(values, dtype=float)
    valid = np.isfinite(y)
    verdicts: dict[Direction, DirectionVerdict] = {}
    span = np.flatnonzero(valid)
    missing = 1.0 - valid.sum() / (span[-1] - span[0] + 1) if span.size else 1.0
    gappy = bool(missing > rom_options.get("max_missing_fraction", 0.5))
    for direction in DIRECTIONS:
        if rom.quality == "no_data" or (rom.quality == "rejected" and np.isnan(rom.peak)):
            verdicts[direction] = _empty(direction, rom)
            continue
        verdicts[direction] = _judge(
            direction,
            rom,
            t[valid],
            y[valid],
            _Rule(min_hold_s, hold_tolerance, min_excursion, unheld_margin, unit, reference, gappy),
        )
    return rom, verdicts


@dataclass(frozen=True)
class _Rule:
    min_hold_s: float
    tolerance: float
    min_excursion: float
    unheld_margin: float
    unit: str
    reference: Reference
    gappy: bool


def _empty(direction: Direction, rom: RomResult) -> DirectionVerdict:
    code = "no_data" if rom.quality == "no_data" else "too_few_frames"
    nan = float("nan")
    return DirectionVerdict(
        direction=direction,
        value=nan,
        quality=code,
        reason=rom.reason,
        hold_s=nan,
        time_s=nan,
        reached=nan,
        start=nan,
    )


def _judge(
    direction: Direction, rom: RomResult, t: np.ndarray, y: np.ndarray, rule: _Rule
) -> DirectionVerdict:
    """Verdict of one direction over the valid samples ``t``, ``y`` (see the module rules)."""
    sign = 1.0 if direction == "max" else -1.0
    dt = float(np.median(np.diff(t))) if t.size > 1 else 0.0
    steady = running_median(y, np.zeros(y.size, dtype=int))
    start = float(np.median(y[t <= t[0] + rule.min_hold_s]))
    reached = rom.peak if direction == "max" else rom.trough
    held = rom.extreme(direction)
    u = rule.unit
    base = _Base(direction, reached, start)
    ref, ref_name = _reference(rule.reference, sign, rom, start)
    if _rhythmic(t, steady, rule.min_excursion):
        reason = (
            "the value swung back and forth rhythmically without stopping (as in walking or a "
            "set of repetitions); an end range is measured from a still hold: hold the end "
            f"position still (within ±{rule.tolerance:g}{u}) for {rule.min_hold_s:g} s"
        )
        return base.verdict("swing", reason)
    if sign * (reached - ref) < rule.min_excursion:
        reason = (
            f"no movement this way: it stayed within {rule.min_excursion:g}{u} of "
            f"{ref_name} ({ref:.0f}{u})"
        )
        return base.verdict("not_moved", reason)
    if rule.gappy:  # too many frames without a value: the held value is not trustworthy
        return base.verdict("gaps", rom.reason)
    near = _time_near(t, steady, reached, sign, 2 * rule.tolerance, dt)
    hold_rule = (
        f"hold the end position still (within ±{rule.tolerance:g}{u}) for "
        f"{rule.min_hold_s:g} s; it was held {min(near, rule.min_hold_s):.1f} s"
    )
    unheld = not np.isfinite(held) or sign * (held - ref) < rule.min_excursion
    if unheld or sign * (reached - held) > rule.unheld_margin:
        return base.verdict("not_held", hold_rule, hold_s=near)
    hold_s = rom.max_hold_s if direction == "max" else rom.min_hold_s
    time = rom.max_time_s if direction == "max" else rom.min_time_s
    return base.verdict("ok", "", value=held, hold_s=hold_s, time_s=time)


def _reference(
    reference: Reference, sign: float, rom: RomResult, start: float
) -> tuple[float, str]:
    """The position a direction's excursion is measured from, and its name."""
    if reference == "opposite":
        return (rom.trough if sign > 0 else rom.peak), "the rest position"
    if not isinstance(reference, str):
        return float(reference), "neutral"
    return start, "the start position"


def _rhythmic(t: np.ndarray, steady: np.ndarray, swing: float) -> bool:
    """True when the series swings back and forth like a limb in walking: at least
    SWING_REVERSALS reversals of at least ``swing`` whose median spacing is at most
    SWING_HALF_PERIOD_S."""
    turns: list[float] = []
    hi = lo = float(steady[0])
    hi_t = lo_t = float(t[0])
    rising: bool | None = None
    for ti, yi in zip(t.tolist(), steady.tolist(), strict=True):
        if yi > hi:
            hi, hi_t = yi, ti
        if yi < lo:
            lo, lo_t = yi, ti
        if rising is not False and hi - yi >= swing:  # turned down from a top
            turns.append(hi_t)
            rising, lo, lo_t = False, yi, ti
        elif rising is not True and yi - lo >= swing:  # turned up from a bottom
            turns.append(lo_t)
            rising, hi, hi_t = True, yi, ti
    if len(turns) < SWING_REVERSALS:
        return False
    return float(np.median(np.diff(turns))) <= SWING_HALF_PERIOD_S


@dataclass(frozen=True)
class _Base:
    direction: Direction
    reached: float
    start: float

    def verdict(
        self,
        quality: str,
        reason: str,
        *,
        value: float = math.nan,
        hold_s: float = math.nan,
        time_s: float = math.nan,
    ) -> DirectionVerdict:
        return DirectionVerdict(
            direction=self.direction,
            value=value,
            quality=quality,
            reason=reason,
            hold_s=hold_s,
            time_s=time_s,
            reached=self.reached,
            start=self.start,
        )


def _time_near(
    t: np.ndarray, steady: np.ndarray, reached: float, sign: float, band: float, dt: float
) -> float:
    """Longest time (s) the running median stayed within ``band`` of ``reached`` (its side)."""
    near = sign * (reached - steady) <= band
    if not near.any():
        return 0.0
    label = run_labels(near)
    best = 0.0
    for run in np.unique(label[near]):
        times = t[label == run]
        best = max(best, float(times[-1] - times[0]) + dt)
    return best
