"""The trials of a test: their mean ± SD, which ones count, which ones sit far from the others,
and the pain recorded with them.

A stored measurement is one trial; the trials of a test are the measurements of one session,
phase, test and side (``romcam.store.records.MeasurementInput``). Clinical range of motion is
the mean of (usually) three trials, shown with its spread: "165 ± 2°, 3 trials".

Rules (docs/measurements.md, "Trials and pain"):
    * counted: a trial is counted unless it was excluded (``excluded_reason`` given; it stays in
      the record and is listed with its reason). Of the remaining trials only the trusted ones
      (quality ``ok``, ``romcam.outcomes.quality``) count when there is any: a rejected retake
      does not pull the mean of accepted trials. A test with none keeps its untrusted trials.
    * mean and sample SD (ddof=1) of the counted trials; SD is NaN for one trial.
    * outlier: with at least :data:`OUTLIER_MIN_TRIALS` counted trials, a counted trial whose
      distance from the mean of the *other* counted trials exceeds ``max(MDC95, 2 × SD of the
      others)``. MDC95 = 1.96·√2·SEM is the 95 % limit of the difference between two single
      measurements (Weir 2005, J Strength Cond Res 19:231); the difference between one trial
      and the mean of k others has SD SEM·√(1 + 1/k) ≤ SEM·√2, so a larger gap is more than
      measurement error explains. The 2 × SD term keeps ordinary scatter from being flagged
      when the trials themselves vary more than the published MDC95. With two trials nothing
      says which one is off, so none is flagged. A flagged trial still counts until the
      therapist excludes it.
    * pain-free range: the mean of the counted trials' ``first_pain`` (where given); pain score:
      the mean of their ``pain_score``.
    * uncertainty: the root mean square of the counted trials' own uncertainty (missing = 0).
      Not divided by √n: a trial's uncertainty comes mostly from the set-up (yaw, roll,
      visibility), which the trials of one test share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from romcam.outcomes.quality import trusted_mask

#: Fewest counted trials for the outlier rule (with two, neither is "the other one").
OUTLIER_MIN_TRIALS = 3
#: How many SDs of the other trials a trial may sit from their mean before it is flagged.
OUTLIER_SPREAD_FACTOR = 2.0


@dataclass(frozen=True)
class Trials:
    """The trials of one test in one session and phase, in the order they were measured.

    Attributes:
        values: (trials,) every trial's value in the metric's unit, counted or not.
        counted: (trials,) True for the trials in the mean.
        outliers: (trials,) True for a counted trial far from the others (see the module).
        excluded: (trials,) the reason a trial was left out, "" for a trial not excluded.
        mean, sd: mean and sample SD (ddof=1) of the counted trials; NaN without them (SD
            NaN for one).
        first_pain: mean of the counted trials' pain onset value (NaN where none was given).
        pain_score: mean 0-10 pain of the counted trials (NaN where none was given).
        uncertainty: RMS of the counted trials' own uncertainty, in the value's unit (0 when
            none is known).
    """

    values: tuple[float, ...]
    counted: tuple[bool, ...]
    outliers: tuple[bool, ...]
    excluded: tuple[str, ...]
    mean: float
    sd: float
    first_pain: float
    pain_score: float
    uncertainty: float

    @property
    def n(self) -> int:
        """Number of counted trials."""
        return sum(self.counted)

    @property
    def n_excluded(self) -> int:
        """Number of trials left out with a reason."""
        return sum(1 for r in self.excluded if r)


def summarize_trials(
    values: Sequence[float],
    *,
    mdc95: float,
    trusted: Sequence[bool] | None = None,
    excluded: Sequence[str | None] | None = None,
    first_pain: Sequence[float | None] | None = None,
    pain_score: Sequence[float | None] | None = None,
    uncertainty: Sequence[float | None] | None = None,
) -> Trials:
    """The trials' summary; every sequence is (trials,) in measuring order (None = all
    trusted / none excluded / nothing given)."""
    x = np.asarray(values, dtype=float)
    size = len(x)
    reasons = tuple(_text(r) for r in (excluded if excluded is not None else [None] * size))
    kept = np.array([not r for r in reasons], dtype=bool)
    ok = np.asarray(trusted if trusted is not None else [True] * size, dtype=bool)
    counted = kept & ok if (kept & ok).any() else kept
    pool = x[counted]
    return Trials(
        values=tuple(float(v) for v in x),
        counted=tuple(bool(c) for c in counted),
        outliers=tuple(bool(o) for o in outlier_flags(x, counted, mdc95)),
        excluded=reasons,
        mean=float(pool.mean()) if len(pool) else math.nan,
        sd=float(pool.std(ddof=1)) if len(pool) > 1 else math.nan,
        first_pain=_mean_given(first_pain, counted),
        pain_score=_mean_given(pain_score, counted),
        uncertainty=_rms(uncertainty, counted),
    )


def trials_of(group: pd.DataFrame, mdc95: float) -> Trials:
    """:func:`summarize_trials` of one group of tidy-frame rows (one session, phase, test and
    side, in measuring order); missing columns count as not given."""

    def column(name: str) -> list[Any] | None:
        return group[name].tolist() if name in group.columns else None

    return summarize_trials(
        group["value"].astype(float).tolist(),
        mdc95=mdc95,
        trusted=trusted_mask(group).tolist(),
        excluded=column("excluded_reason"),
        first_pain=column("first_pain"),
        pain_score=column("pain_score"),
        uncertainty=column("uncertainty"),
    )


def outlier_flags(values: np.ndarray, counted: np.ndarray, mdc95: float) -> np.ndarray:
    """(trials,) bool: counted trials further than ``max(mdc95, 2 × SD of the others)`` from
    the mean of the other counted trials; all False with fewer than 3 counted trials."""
    flags = np.zeros(len(values), dtype=bool)
    idx = np.flatnonzero(counted)
    if len(idx) < OUTLIER_MIN_TRIALS:
        return flags
    for i in idx:
        others = values[idx[idx != i]]
        limit = max(mdc95, OUTLIER_SPREAD_FACTOR * float(others.std(ddof=1)))
        flags[i] = abs(values[i] - float(others.mean())) > limit
    return flags


def unit_suffix(unit: object) -> str:
    """``°`` for degrees, `` cm`` for centimetres (the unit as written after a number)."""
    return "°" if str(unit) == "deg" else f" {unit}"


def amount(value: float, unit: object) -> str:
    """``165°`` or ``4.5 cm``: whole degrees, centimetres to one decimal; "—" for NaN."""
    if not math.isfinite(value):
        return "—"
    digits = 0 if str(unit) == "deg" else 1
    return f"{value:.{digits}f}{unit_suffix(unit)}"


def trials_label(mean: float, sd: float, n: int, unit: object, excluded: Sequence[str] = ()) -> str:
    """``165 ± 2°, 3 trials``; ``165°, 1 trial``; ``(1 excluded: moved the trunk)`` appended
    for trials left out (``excluded``: their reasons)."""
    trials = f"{n} trial{'' if n == 1 else 's'}"
    if n > 1 and math.isfinite(sd):
        digits = 0 if str(unit) == "deg" else 1
        text = f"{mean:.{digits}f} ± {sd:.{digits}f}{unit_suffix(unit)}, {trials}"
    elif n >= 1:
        text = f"{amount(mean, unit)}, {trials}"
    else:
        text = "no trial counted"
    reasons = [r for r in excluded if r]
    if reasons:
        text += f" ({len(reasons)} excluded: {'; '.join(reasons)})"
    return text


def label_of(trials: Trials, unit: object) -> str:
    """:func:`trials_label` of a :class:`Trials`."""
    return trials_label(trials.mean, trials.sd, trials.n, unit, trials.excluded)


def trial_values_text(
    values: Sequence[float],
    counted: Sequence[bool],
    outliers: Sequence[bool],
    excluded: Sequence[str],
    unit: object,
) -> str:
    """Every trial in order: ``163°, 165°, 178° (outlier), 150° (excluded: moved the trunk)``;
    a trial left out of the mean because it failed its quality check reads ``(not counted)``."""
    parts = []
    for value, used, odd, reason in zip(values, counted, outliers, excluded, strict=True):
        note = (
            f" (excluded: {reason})"
            if reason
            else " (outlier)"
            if odd
            else ""
            if used
            else " (not counted)"
        )
        parts.append(amount(value, unit) + note)
    return ", ".join(parts)


def pain_free_text(before: float, after: float, unit: object) -> str:
    """``pain-free range 120° → 150°`` (either side "—" when not given); "" when neither is."""
    if not (math.isfinite(before) or math.isfinite(after)):
        return ""
    return f"pain-free range {amount(before, unit)} → {amount(after, unit)}"


def pain_score_text(before: float, after: float) -> str:
    """``pain 6/10 → 3/10`` (means to one decimal when not whole); "" when neither is given."""
    if not (math.isfinite(before) or math.isfinite(after)):
        return ""
    return f"pain {score_text(before)} → {score_text(after)}"


def score_text(score: float) -> str:
    """``6/10``, ``5.5/10`` (a mean of trials), "—" when not given."""
    if not math.isfinite(score):
        return "—"
    return f"{score:.0f}/10" if float(score).is_integer() else f"{score:.1f}/10"


def _missing(x: Any) -> bool:
    """None, NaN or pandas' NA (a nullable column's empty cell)."""
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _text(reason: object) -> str:
    return "" if _missing(reason) else str(reason).strip()


def _numbers(values: Sequence[Any]) -> np.ndarray:
    """(trials,) float, NaN where a value is missing."""
    return np.array([math.nan if _missing(v) else float(v) for v in values], dtype=float)


def _given(values: Sequence[float | None] | None, counted: np.ndarray) -> np.ndarray:
    """The counted trials' finite values of an optional per-trial field."""
    if values is None:
        return np.array([], dtype=float)
    x = _numbers(values)[counted]
    return x[np.isfinite(x)]


def _mean_given(values: Sequence[float | None] | None, counted: np.ndarray) -> float:
    given = _given(values, counted)
    return float(given.mean()) if len(given) else math.nan


def _rms(values: Sequence[float | None] | None, counted: np.ndarray) -> float:
    if values is None or not counted.any():
        return 0.0
    x = _numbers(values)[counted]
    x = np.where(np.isfinite(x), x, 0.0)
    return float(np.sqrt(np.mean(x * x)))
