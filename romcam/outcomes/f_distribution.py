"""Quantiles of Fisher's F distribution, for the ICC confidence intervals (standard library only).

romcam keeps SciPy out of its dependencies; the ICC intervals need F quantiles with
non-integer degrees of freedom (McGraw & Wong 1996's Satterthwaite ``v``), so the CDF is the
regularized incomplete beta function (continued fraction, Press et al., *Numerical Recipes*,
3rd ed., §6.4) and the quantile is found by bisection on it.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Lentz's evaluation of the incomplete beta function's continued fraction."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < _EPS:
            break
    return h


def regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on this side of the mean; use symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def f_cdf(value: float, df1: float, df2: float) -> float:
    """P(F <= value) for F with (df1, df2) degrees of freedom (df > 0, need not be integers)."""
    if value <= 0.0:
        return 0.0
    return regularized_beta(df1 / 2.0, df2 / 2.0, df1 * value / (df1 * value + df2))


def f_quantile(probability: float, df1: float, df2: float) -> float:
    """The value F with P(F <= value) = ``probability`` (0 < probability < 1), to ~1e-10."""
    if not 0.0 < probability < 1.0 or not (df1 > 0 and df2 > 0):
        raise ValueError(f"f_quantile needs 0 < p < 1 and df > 0; got {probability}, {df1}, {df2}")
    low, high = 0.0, 1.0
    while f_cdf(high, df1, df2) < probability:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = 0.5 * (low + high)
        if f_cdf(middle, df1, df2) < probability:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(1.0, high):
            break
    return 0.5 * (low + high)
