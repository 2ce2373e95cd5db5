"""ICC, SEM and MDC95 against published worked examples and a hand calculation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from romcam.errors import InputError
from romcam.outcomes.f_distribution import f_cdf, f_quantile
from romcam.outcomes.reliability import (
    MIN_PAIRS_FOR_ICC,
    mdc95_from_sem,
    real_change_threshold,
    reliability,
)

# Shrout & Fleiss 1979, Psychol Bull 86:420, the worked example: 6 targets (rows) x 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]
# McGraw & Wong 1996, Psychol Methods 1:30, Table 6: 10 targets x 2 measurements.
MCGRAW_WONG = [
    [103, 119], [82, 65], [116, 106], [102, 102], [99, 105],
    [98, 100], [104, 107], [62, 85], [97, 101], [107, 110],
]  # fmt: skip


def test_shrout_fleiss_anova_and_iccs() -> None:
    r = reliability(SHROUT_FLEISS)
    # Their ANOVA table: BMS 11.24, JMS 32.49, EMS 1.02; ICC(2,1) .29, ICC(3,1) .71.
    assert r.ms_subjects == pytest.approx(11.24, abs=0.005)
    assert r.ms_occasions == pytest.approx(32.49, abs=0.005)
    assert r.ms_error == pytest.approx(1.02, abs=0.005)
    assert r.icc_agreement.value == pytest.approx(0.29, abs=0.005)
    assert r.icc_consistency.value == pytest.approx(0.71, abs=0.006)
    assert (r.n, r.k) == (6, 4)


def test_shrout_fleiss_confidence_intervals() -> None:
    # 95 % intervals by the McGraw & Wong formulas, as R's psych::ICC prints them for this
    # table: ICC2 [0.019, 0.76], ICC3 [0.342, 0.95].
    r = reliability(SHROUT_FLEISS)
    assert r.icc_agreement.lower == pytest.approx(0.019, abs=0.0005)
    assert r.icc_agreement.upper == pytest.approx(0.76, abs=0.005)
    assert r.icc_consistency.lower == pytest.approx(0.342, abs=0.0005)
    assert r.icc_consistency.upper == pytest.approx(0.95, abs=0.005)


def test_mcgraw_wong_two_occasions() -> None:
    # k = 2, the test-retest shape. psych::ICC: ICC2 0.720 [0.228, 0.922], ICC3 0.714 [0.197,
    # 0.920], F = 6.00 on (9, 9).
    r = reliability(MCGRAW_WONG)
    assert r.ms_subjects / r.ms_error == pytest.approx(6.00, abs=0.005)
    assert r.icc_agreement.value == pytest.approx(0.720, abs=0.0005)
    assert r.icc_agreement.lower == pytest.approx(0.228, abs=0.0005)
    assert r.icc_agreement.upper == pytest.approx(0.922, abs=0.0005)
    assert r.icc_consistency.value == pytest.approx(0.714, abs=0.0005)
    assert r.icc_consistency.lower == pytest.approx(0.197, abs=0.0005)
    assert r.icc_consistency.upper == pytest.approx(0.920, abs=0.0005)


def test_hand_calculation_two_occasions() -> None:
    # Four knees measured twice (deg):       test  retest  diff
    #                                         120   124     +4
    #                                         130   128     -2
    #                                         110   114     +4
    #                                         140   138     -2
    # grand mean 125.5; row means 122, 129, 112, 139; column means 125, 126.
    # SS_total = 5.5² + 1.5² + 4.5² + 2.5² + 15.5² + 11.5² + 14.5² + 12.5² = 798
    # SS_rows  = 2 x (3.5² + 3.5² + 13.5² + 13.5²) = 778        -> MSR = 778/3 = 259.33
    # SS_cols  = 4 x (0.5² + 0.5²) = 2                          -> MSC = 2
    # SS_err   = 798 - 778 - 2 = 18, df (4-1)(2-1) = 3           -> MSE = 6
    # ICC(3,1) = (259.33 - 6) / (259.33 + 6) = 0.9548
    # ICC(2,1) = (259.33 - 6) / (259.33 + 6 + 2 x (2 - 6) / 4) = 0.9620
    # SEM = sqrt(6) = 2.449; the differences 4, -2, 4, -2 have SD sqrt(12) and
    # SD(diff) / sqrt(2) = sqrt(6): for k = 2, MDC95 = 1.96 x sqrt(2) x SEM = 1.96 x SD(diff).
    scores = np.array([[120, 124], [130, 128], [110, 114], [140, 138]], dtype=float)
    r = reliability(scores)
    assert r.ms_subjects == pytest.approx(778 / 3)
    assert r.ms_occasions == pytest.approx(2.0)
    assert r.ms_error == pytest.approx(6.0)
    assert r.icc_consistency.value == pytest.approx(0.9548, abs=5e-5)
    assert r.icc_agreement.value == pytest.approx(0.9620, abs=5e-5)
    assert r.sem == pytest.approx(math.sqrt(6.0))
    assert r.mdc95 == pytest.approx(1.96 * math.sqrt(12.0))  # = 1.96 x SD(diff)
    assert r.mean_change == pytest.approx(1.0)
    assert not r.systematic
    assert not r.icc_meaningful  # 4 pairs < MIN_PAIRS_FOR_ICC


def test_sem_from_icc_is_sd_times_root_one_minus_icc() -> None:
    r = reliability(MCGRAW_WONG)
    sd = float(np.asarray(MCGRAW_WONG, dtype=float).std(ddof=1))
    assert r.sem_from_icc == pytest.approx(sd * math.sqrt(1 - r.icc_agreement.value))
    assert r.mdc95 == pytest.approx(1.96 * math.sqrt(2) * r.sem)


def test_systematic_shift_is_found() -> None:
    rng = np.random.default_rng(3)
    test = rng.normal(120, 15, 12)
    retest = test + 8 + rng.normal(0, 1.5, 12)
    r = reliability(np.column_stack([test, retest]))
    assert r.systematic and r.mean_change == pytest.approx(8, abs=1.5)
    assert r.icc_meaningful and MIN_PAIRS_FOR_ICC <= 12
    # The agreement ICC counts the shift as error, the consistency ICC does not.
    assert r.icc_agreement.value < r.icc_consistency.value


def test_f_quantiles_match_printed_tables() -> None:
    # F tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2): F.975(5,15) 3.576, F.975(15,5)
    # 6.428, F.95(1,10) 4.965, F.975(9,9) 4.026.
    assert f_quantile(0.975, 5, 15) == pytest.approx(3.576, abs=0.0005)
    assert f_quantile(0.975, 15, 5) == pytest.approx(6.428, abs=0.0005)
    assert f_quantile(0.95, 1, 10) == pytest.approx(4.965, abs=0.0005)
    assert f_quantile(0.975, 9, 9) == pytest.approx(4.026, abs=0.0005)
    assert f_cdf(f_quantile(0.3, 3.7, 22.1), 3.7, 22.1) == pytest.approx(0.3, abs=1e-9)


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ([[120, 122]], "at least 2 pairs"),
        ([[120], [130]], r"at least 2 \(test and retest\)"),
        ([120, 122], "table of subjects x occasions"),
        ([[120, 122], [130, math.nan]], "missing or infinite"),
        ([[120, 120], [120, 120]], "every value of knee_flexion is the same"),
        ([[120, 123], [130, 133], [90, 93]], "no random error"),
    ],
)
def test_degenerate_inputs_say_what_to_do(scores: list, message: str) -> None:
    with pytest.raises(InputError, match=message):
        reliability(scores, what="knee_flexion")


def test_real_change_threshold() -> None:
    assert real_change_threshold(9.0) == 9.0
    assert real_change_threshold(9.0, 3.0, 4.0) == pytest.approx(math.sqrt(81 + 9 + 16))
    assert real_change_threshold(9.0, None, math.nan) == 9.0
    with pytest.raises(InputError, match="non-negative"):
        real_change_threshold(9.0, -1.0)
    assert mdc95_from_sem(3.5) == pytest.approx(9.70, abs=0.005)  # Pua 2008: SEM 3.5 -> 9.7


def test_intervals_stay_within_the_iccs_range() -> None:
    # Two pairs: the F-based lower bound of ICC(2,1) is about -40; no ICC is below -1/(k-1).
    r = reliability([[160.0, 163.0], [158.0, 154.0]])
    for interval in (r.icc_agreement, r.icc_consistency):
        assert -1.0 <= interval.lower <= interval.value <= interval.upper <= 1.0
    assert r.icc_agreement.lower == -1.0
