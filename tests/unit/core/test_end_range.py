"""Each direction judged apart: moved, held, the start never held; the held value unbiased."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.end_range import MIN_EXCURSION, judge_directions
from romcam.core.filtering import smooth_table
from romcam.core.measure import compute_metrics
from romcam.core.synthetic import synthetic_pose

FPS = 30.0


def eased(t: np.ndarray, knots: list[float], levels: list[float]) -> np.ndarray:
    """Cosine-eased moves between ``levels`` at ``knots`` (s); constant after the last."""
    y = np.full(t.shape, float(levels[-1]))
    for a, b, ya, yb in zip(knots[:-1], knots[1:], levels[:-1], levels[1:], strict=True):
        m = (t >= a) & (t < b)
        s = (t[m] - a) / (b - a)
        y[m] = ya + (yb - ya) * (1 - np.cos(np.pi * s)) / 2
    return y


T = np.arange(0, 8.0, 1 / FPS)


def test_one_way_raise_is_an_end_range_and_the_rest_is_not_moved():
    # Seated abduction: arms down at 10 (never held long), raised and held at 158, lowered.
    y = eased(T, [0, 0.3, 2.3, 4.3, 6.0], [10, 10, 158, 158, 10])
    _, v = judge_directions(T, y)
    assert v["max"].ok and v["max"].value == pytest.approx(158.0, abs=0.1)
    assert v["max"].hold_s == pytest.approx(2.0, abs=0.5)
    assert v["min"].quality == "not_moved" and np.isnan(v["min"].value)
    assert "within 10 deg of the start position" not in v["min"].reason  # no unit given
    assert "within 10 of the start position (10)" in v["min"].reason


def test_start_is_never_required_to_be_held():
    # Neck flexion from neutral: the neutral lasts only 0.2 s, the flexion is held 2 s.
    y = eased(T, [0, 0.2, 1.2, 3.2, 4.0], [0, 0, 45, 45, 0])
    _, v = judge_directions(T, y, unit=" deg")
    assert v["max"].ok and v["max"].value == pytest.approx(45.0, abs=0.1)
    assert v["max"].start == pytest.approx(0.0, abs=1.0)  # not the held top (was 34)
    assert v["min"].quality == "not_moved"


def test_small_wobble_is_not_a_movement():
    y = 5.0 + 3.0 * np.sin(2 * np.pi * 0.3 * T)  # 6 deg peak to peak, below MIN_EXCURSION
    assert MIN_EXCURSION > 6.0
    _, v = judge_directions(T, y)
    assert v["max"].quality == v["min"].quality == "not_moved"


def test_an_unheld_swing_says_what_to_do_with_one_number():
    # Held flexion at 150, then a 0.2 s swing to -40: extension moved but was not held.
    y = eased(T, [0, 1.5, 3.5, 5.5, 6.2, 6.4, 6.7], [10, 10, 150, 150, -40, -40, 10])
    _, v = judge_directions(T, y, unit=" deg")
    assert v["max"].ok
    assert v["min"].quality == "not_held"
    assert v["min"].reason == (
        "hold the end position still (within ±3 deg) for 0.5 s; it was held 0.4 s"
    )


def test_periodic_swing_gives_no_end_range_either_way():
    # Arm swing while walking: +-25 deg at 1 Hz, with a 0.5 s flat stretch at one crest
    # (a hold by the hold rule alone) - still a swing, not an end range.
    y = 25.0 * np.sin(2 * np.pi * T)
    y[(T > 3.25) & (T < 3.75)] = 25.0
    _, v = judge_directions(T, y)
    assert v["max"].quality == v["min"].quality == "swing"
    assert "swung back and forth rhythmically" in v["max"].reason


def test_repeated_test_with_holds_is_not_a_swing():
    # Three abductions at a clinical pace: up 0.6 s, hold 0.6 s, down 0.6 s, rest 0.4 s.
    knots, levels = [0.0], [10.0]
    for _ in range(3):
        k = knots[-1]
        knots += [k + 0.6, k + 1.2, k + 1.8, k + 2.2]
        levels += [160.0, 160.0, 10.0, 10.0]
    y = eased(T, knots, levels)
    _, v = judge_directions(T, y)
    assert v["max"].ok and v["max"].value == pytest.approx(160.0, abs=0.1)


def test_test_reference_opposite_accepts_a_trial_that_starts_at_the_top():
    # A live trial may start at the held top: the rest is the other end reached.
    y = np.interp(T, [0, 2, 2.6, 8], [164, 164, 11, 11])
    _, from_start = judge_directions(T, y)
    assert from_start["max"].quality == "not_moved"
    _, for_test = judge_directions(T, y, reference="opposite")
    assert for_test["max"].ok and for_test["max"].value == pytest.approx(164.0, abs=0.1)


def test_neutral_reference_needs_a_movement_from_neutral():
    y = np.full(T.size, 2.0)  # stays at neutral
    _, v = judge_directions(T, y, reference=0.0)
    assert v["max"].quality == "not_moved" and "of neutral (0)" in v["max"].reason


def test_no_data_and_too_few_frames():
    _, v = judge_directions(T, np.full(T.size, np.nan))
    assert v["max"].quality == v["min"].quality == "no_data"
    few = np.full(T.size, np.nan)
    few[:5] = 30.0
    _, v = judge_directions(T, few)
    assert v["max"].quality == "too_few_frames"


def test_gaps_reject_an_otherwise_held_end_range():
    y = eased(T, [0, 0.5, 1.5, 6.0, 7.0], [0, 0, 90, 90, 0])
    holey = y.copy()
    holey[np.arange(T.size) % 3 != 0] = np.nan  # two of three frames missing
    _, v = judge_directions(T, holey, max_gap_s=0.2)
    assert v["max"].quality == "gaps"


def _neck_flexion_errors(noise_px: float, seeds: range) -> np.ndarray:
    ang = np.concatenate([np.zeros(30), np.linspace(0, 45, 30), np.full(60, 45.0)])
    ang = np.concatenate([ang, np.linspace(45, 0, 30), np.zeros(30)])
    errors = []
    for seed in seeds:
        pose = synthetic_pose({"neck_flexion": ang}, view="side_left", noise_px=noise_px, seed=seed)
        table = smooth_table(compute_metrics(pose), method="zero_phase")
        _, v = judge_directions(table.time_s, table.values["neck_flexion"])
        errors.append(v["max"].value - 45.0)
    return np.asarray(errors)


@pytest.mark.parametrize("noise_px", [0.0, 1.0, 2.0])
def test_held_value_is_unbiased_on_a_short_segment(noise_px):
    # The head (ear-eye) is the shortest segment: 1-2 px of noise wobbles its plateau by
    # several degrees. The plateau's robust centre stays within 1 deg on average (it took
    # the band's edge before: 2.4 deg low in issue 11).
    errors = _neck_flexion_errors(noise_px, range(12))
    assert np.all(np.isfinite(errors))
    assert abs(errors.mean()) < 1.0
    assert np.abs(errors).max() < 5.0


@pytest.mark.parametrize("noise_px", [1.0, 2.0])
def test_held_value_is_unbiased_on_a_long_segment(noise_px):
    ang = np.concatenate([np.zeros(30), np.linspace(0, 90, 30), np.full(60, 90.0)])
    errors = []
    for seed in range(6):
        pose = synthetic_pose(
            {"knee_flexion_left": ang}, view="side_left", noise_px=noise_px, seed=seed
        )
        table = smooth_table(compute_metrics(pose), method="zero_phase")
        _, v = judge_directions(table.time_s, table.values["knee_flexion_left"])
        errors.append(v["max"].value - 90.0)
    assert abs(np.mean(errors)) < 0.5 and np.abs(errors).max() < 1.0
