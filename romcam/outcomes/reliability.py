"""The clinic's own measurement error: ICC, SEM and MDC95 from test-retest scores.

Pure NumPy. Input: an n x k matrix of scores, one row per subject (a client's test and side),
one column per occasion (k = 2 for test and retest). From the two-way ANOVA of that matrix
(Shrout & Fleiss 1979; McGraw & Wong 1996):

    MSR = between-subject mean square, df n-1
    MSC = between-occasion mean square, df k-1 (a systematic shift, e.g. learning)
    MSE = residual mean square, df (n-1)(k-1)
    ICC(3,1) = (MSR - MSE) / (MSR + (k-1) MSE)                       consistency
    ICC(2,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)   absolute agreement
    SEM = sqrt(MSE)            (the one romcam reports; Weir 2005, eq. 8)
    SEM_icc = SD x sqrt(1 - ICC(2,1)), SD of all n*k scores (kept for comparison)
    MDC95 = 1.96 x sqrt(2) x SEM

Why sqrt(MSE): it is the within-subject spread itself and does not depend on how different
the clients are from each other. A clinic's first pairs often come from a few similar clients,
where the ICC (a ratio to the between-client spread) is small or meaningless and
SD x sqrt(1 - ICC) swings with it, while sqrt(MSE) still estimates the error of one
measurement. For k = 2 it equals SD(retest - test) / sqrt(2), so MDC95 = 1.96 x SD(difference).
Formulas and sources in full: docs/reliability.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from romcam.errors import InputError
from romcam.outcomes.f_distribution import f_quantile

#: z for a two-sided 95 % interval; MDC95 = Z95 * sqrt(2) * SEM.
Z95 = 1.96
#: Fewer pairs than this and the ICC's interval is too wide to mean much.
MIN_PAIRS_FOR_ICC = 10


@dataclass(frozen=True)
class Interval:
    """A value with its 95 % confidence interval (``lower`` <= value <= ``upper``)."""

    value: float
    lower: float
    upper: float


@dataclass(frozen=True)
class Reliability:
    """Test-retest reliability of one test from an n x k matrix of scores.

    Attributes:
        n: subjects (rows; for test-retest, the number of pairs); k: occasions (columns).
        icc_agreement: ICC(2,1), two-way random, absolute agreement, single measure, with CI.
        icc_consistency: ICC(3,1), two-way mixed, consistency, single measure, with CI.
        sem: sqrt(MSE), in the scores' unit; the standard error of measurement romcam uses.
        sem_from_icc: SD of all scores x sqrt(1 - ICC(2,1)) (NaN when ICC(2,1) is not finite).
        mdc95: 1.96 x sqrt(2) x ``sem``.
        mean_change: mean of last column minus first (retest - test), the systematic shift.
        systematic: True when that shift differs from 0 (paired t-test, p < 0.05).
        ms_subjects, ms_occasions, ms_error: the ANOVA mean squares (MSR, MSC, MSE).
    """

    n: int
    k: int
    icc_agreement: Interval
    icc_consistency: Interval
    sem: float
    sem_from_icc: float
    mdc95: float
    mean_change: float
    systematic: bool
    ms_subjects: float
    ms_occasions: float
    ms_error: float

    @property
    def icc_meaningful(self) -> bool:
        """False when the pairs are too few for the ICC to be read (its CI spans most of 0-1)."""
        return self.n >= MIN_PAIRS_FOR_ICC


def mdc95_from_sem(sem: float) -> float:
    """MDC95 = 1.96 x sqrt(2) x SEM (Weir 2005; Haley & Fragala-Pinkham 2006)."""
    return Z95 * math.sqrt(2.0) * sem


def reliability(scores: ArrayLike, *, what: str = "the scores") -> Reliability:
    """ICC(2,1), ICC(3,1), SEM and MDC95 of an n x k matrix (n >= 2 subjects, k >= 2 occasions).

    ``what`` names the data in error messages (e.g. ``"knee_flexion"``). InputError when the
    matrix is too small, holds a missing value, or has no variation to estimate an error from.
    """
    x = _checked_matrix(scores, what)
    n, k = x.shape
    grand = x.mean()
    ss_total = float(((x - grand) ** 2).sum())
    ss_rows = float(k * ((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = float(n * ((x.mean(axis=0) - grand) ** 2).sum())
    ss_error = max(ss_total - ss_rows - ss_cols, 0.0)
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    mse = ss_error / ((n - 1) * (k - 1))
    if ss_total == 0.0:
        raise InputError(
            f"every value of {what} is the same ({grand:g}); reliability needs measurements "
            "that vary, so check that the pairs are real separate measurements"
        )
    if mse <= 1e-12 * max(msr, msc, 1.0):
        raise InputError(
            f"the repeated measurements of {what} differ from the first by the same amount "
            "for every subject (no random error), so no SEM can be estimated; check that "
            "the pairs are separate measurements and not copies"
        )
    agreement = _icc_agreement(msr, msc, mse, n, k)
    consistency = _icc_consistency(msr, mse, n, k)
    sem = math.sqrt(mse)
    sd_all = math.sqrt(ss_total / (n * k - 1))
    icc2 = agreement.value
    sem_icc = sd_all * math.sqrt(1.0 - icc2) if math.isfinite(icc2) and icc2 <= 1 else math.nan
    mean_change, systematic = _systematic_shift(x)
    return Reliability(
        n=n,
        k=k,
        icc_agreement=agreement,
        icc_consistency=consistency,
        sem=sem,
        sem_from_icc=sem_icc,
        mdc95=mdc95_from_sem(sem),
        mean_change=mean_change,
        systematic=systematic,
        ms_subjects=msr,
        ms_occasions=msc,
        ms_error=mse,
    )


def _checked_matrix(scores: ArrayLike, what: str) -> np.ndarray:
    x = np.asarray(scores, dtype=float)
    if x.ndim != 2:
        raise InputError(f"{what} must be a table of subjects x occasions; got shape {x.shape}")
    n, k = x.shape
    if k < 2:
        raise InputError(
            f"{what} has {k} measurement per subject; test-retest needs at least 2 "
            "(test and retest)"
        )
    if n < 2:
        raise InputError(
            f"{what} has {n} pair; reliability needs at least 2 pairs (measure the test again, "
            "or another client)"
        )
    if not np.isfinite(x).all():
        raise InputError(f"{what} holds a missing or infinite value; give complete pairs only")
    return x


def _icc_consistency(msr: float, mse: float, n: int, k: int, alpha: float = 0.05) -> Interval:
    """ICC(3,1) = ICC(C,1) and its CI: McGraw & Wong 1996, Table 7, case 3 (F-based)."""
    value = (msr - mse) / (msr + (k - 1) * mse)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    f_obs = msr / mse
    f_low = f_obs / f_quantile(1 - alpha / 2, df1, df2)
    f_up = f_obs * f_quantile(1 - alpha / 2, df2, df1)
    return _bounded(value, (f_low - 1) / (f_low + k - 1), (f_up - 1) / (f_up + k - 1), k)


def _icc_agreement(
    msr: float, msc: float, mse: float, n: int, k: int, alpha: float = 0.05
) -> Interval:
    """ICC(2,1) = ICC(A,1) and its CI: McGraw & Wong 1996, Table 7, case 2A (Satterthwaite v)."""
    value = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    if not value < 1.0:
        return Interval(value, math.nan, math.nan)
    a = k * value / (n * (1 - value))
    b = 1 + k * value * (n - 1) / (n * (1 - value))
    denominator = (a * msc) ** 2 / (k - 1) + (b * mse) ** 2 / ((n - 1) * (k - 1))
    v = (a * msc + b * mse) ** 2 / denominator if denominator > 0 else math.nan
    if not (math.isfinite(v) and v > 0):
        return Interval(value, math.nan, math.nan)
    f_star = f_quantile(1 - alpha / 2, n - 1, v)
    f_star_inv = f_quantile(1 - alpha / 2, v, n - 1)
    rest = k * msc + (k * n - k - n) * mse
    lower = n * (msr - f_star * mse) / (f_star * rest + n * msr)
    upper = n * (f_star_inv * msr - mse) / (rest + n * f_star_inv * msr)
    return _bounded(value, lower, upper, k)


def _bounded(value: float, lower: float, upper: float, k: int) -> Interval:
    """The interval cut to the ICC's own range, -1/(k-1) to 1: with very few subjects the
    F-based bounds can fall outside it (e.g. -40 for 2 pairs), which no ICC can be."""
    floor = -1.0 / (k - 1)
    return Interval(value, max(lower, floor), min(upper, 1.0))


def _systematic_shift(x: np.ndarray, alpha: float = 0.05) -> tuple[float, bool]:
    """Mean of last minus first occasion, and whether a paired t-test finds it (p < alpha)."""
    diff = x[:, -1] - x[:, 0]
    n = diff.size
    mean = float(diff.mean())
    sd = float(diff.std(ddof=1))
    if sd == 0.0:
        return mean, mean != 0.0
    # t_(1 - alpha/2, n-1)^2 = F_(1 - alpha, 1, n-1): the F quantile gives the t test's bound.
    t_crit = math.sqrt(f_quantile(1 - alpha, 1, n - 1))
    return mean, abs(mean) > t_crit * sd / math.sqrt(n)


def real_change_threshold(mdc95: float, u1: float | None = None, u2: float | None = None) -> float:
    """The change two trials must exceed to be real: sqrt(MDC95² + u1² + u2²).

    ``mdc95`` is the test's minimal detectable change; ``u1`` and ``u2`` are the two compared
    values' own uncertainties (``romcam.core.uncertainty``), all in the value's unit. A missing
    (None or NaN) uncertainty counts as 0, so the threshold is never below the MDC95.
    """
    terms = [mdc95, *(0.0 if u is None or math.isnan(u) else u for u in (u1, u2))]
    if any(not math.isfinite(t) or t < 0 for t in terms):
        raise InputError(
            f"the real-change threshold needs non-negative numbers; got MDC95 {mdc95}, "
            f"uncertainties {u1} and {u2}"
        )
    return math.sqrt(sum(t * t for t in terms))
