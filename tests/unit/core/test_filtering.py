"""Smoothing: noise reduction on a known raise-hold-lower curve, lag, gaps, edges, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.filtering import (
    OneEuroFilter,
    bridge_gaps,
    one_euro,
    smooth_series,
    smooth_table,
    smooth_zero_phase,
)
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.metric_table import MetricTable

FPS = 30.0
PEAK = 150.0
NOISE_SD = 3.0


def raise_hold_lower(t: np.ndarray, peak: float = PEAK) -> np.ndarray:
    """Shoulder-flexion-like curve (deg): rest 1.5 s, raise 2 s, hold 2 s, lower 2 s, rest."""
    knots = [0.0, 1.5, 3.5, 5.5, 7.5, 1e9]
    levels = [0.0, 0.0, peak, peak, 0.0, 0.0]
    y = np.zeros_like(t)
    for a, b, ya, yb in zip(knots[:-1], knots[1:], levels[:-1], levels[1:], strict=True):
        m = (t >= a) & (t < b)
        s = (t[m] - a) / (b - a)
        y[m] = ya + (yb - ya) * (1 - np.cos(np.pi * s)) / 2
    return y


@pytest.fixture
def motion() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(time, truth, noisy) at 30 fps with seeded Gaussian noise of 3 deg SD."""
    t = np.arange(0, 9.0, 1 / FPS)
    truth = raise_hold_lower(t)
    noisy = truth + np.random.default_rng(7).normal(0, NOISE_SD, t.size)
    return t, truth, noisy


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.nanmean(a**2)))


HOLD = (3.7, 5.3)  # inside the plateau, away from its ends
STILL = ((0.3, 1.3), HOLD, (7.8, 8.9))


def in_windows(t: np.ndarray, windows: tuple[tuple[float, float], ...]) -> np.ndarray:
    return np.any([(t >= a) & (t <= b) for a, b in windows], axis=0)


def test_zero_phase_reduces_noise_and_keeps_plateau(motion):
    t, truth, noisy = motion
    out = smooth_zero_phase(t, noisy)
    assert rms(out - truth) < 0.5 * rms(noisy - truth)
    hold = in_windows(t, (HOLD,))
    assert abs(np.median(out[hold]) - PEAK) < 1.0
    assert np.max(np.abs(out[hold] - PEAK)) < 3.0


def test_zero_phase_has_no_lag(motion):
    t, truth, _ = motion
    out = smooth_zero_phase(t, truth)
    # The noise-free curve (below 0.25 Hz) passes within a small fraction of a degree.
    assert np.max(np.abs(out - truth)) < 0.5


def test_zero_phase_keeps_quadratics_exactly_including_edges():
    t = np.arange(0, 2.0, 1 / FPS)
    y = 10.0 + 20.0 * t - 7.0 * t**2
    np.testing.assert_allclose(smooth_zero_phase(t, y), y, atol=1e-6)


def test_zero_phase_handles_non_uniform_time(motion):
    t, truth, noisy = motion
    rng = np.random.default_rng(3)
    keep = np.sort(rng.choice(t.size, size=int(0.8 * t.size), replace=False))
    jittered = t[keep] + rng.uniform(-0.004, 0.004, keep.size)
    out = smooth_zero_phase(jittered, noisy[keep])
    truth_j = raise_hold_lower(jittered)
    assert rms(out - truth_j) < 0.6 * rms(noisy[keep] - truth[keep])


def test_zero_phase_columns_are_independent(motion):
    t, _, noisy = motion
    other = noisy[::-1].copy()
    other[100:110] = np.nan
    both = smooth_zero_phase(t, np.column_stack([noisy, other]))
    np.testing.assert_allclose(both[:, 0], smooth_zero_phase(t, noisy))
    np.testing.assert_allclose(both[:, 1], smooth_zero_phase(t, other), equal_nan=True)


def test_causal_reduces_noise_with_bounded_lag(motion):
    t, truth, noisy = motion
    out = one_euro(t, noisy)
    raw = noisy - truth
    # Overall a causal filter trades noise against lag while moving (~0.7 here);
    # where the subject is still (what a live reading shows) it smooths strongly.
    assert rms(out - truth) < 0.8 * rms(raw)
    still = in_windows(t, STILL)
    assert rms((out - truth)[still]) < 0.6 * rms(raw[still])
    assert abs(np.median(out[in_windows(t, (HOLD,))]) - PEAK) < 1.0
    shifts = [rms(out[s:] - truth[: t.size - s]) for s in range(10)]
    assert int(np.argmin(shifts)) <= 2  # at most 2 frames (67 ms) behind


def test_causal_lag_on_a_ramp_is_bounded():
    t = np.arange(0, 3.0, 1 / FPS)
    speed = 100.0  # deg/s, a brisk arm raise
    out = one_euro(t, speed * t)
    lag_s = (speed * t - out)[t > 1.0] / speed
    assert np.all(lag_s >= 0)
    assert np.max(lag_s) < 0.05


def test_one_euro_filter_nan_passthrough_and_gap_reset():
    f = OneEuroFilter(max_gap_s=0.25)
    dt = 1 / FPS
    f.update(0.0, [10.0, 10.0])
    out = f.update(dt, [np.nan, 20.0])
    assert np.isnan(out[0]) and 10.0 < out[1] < 20.0
    # Short gap for component 0 (2 frames): state kept, so the output is smoothed.
    out = f.update(2 * dt, [20.0, 20.0])
    assert 10.0 < out[0] < 20.0
    # Long gap (0.5 s): component restarts at the new value.
    for i in range(3, 18):
        f.update(i * dt, [np.nan, 20.0])
    out = f.update(18 * dt, [50.0, 20.0])
    assert out[0] == 50.0


def test_one_euro_filter_scalar_and_errors():
    f = OneEuroFilter()
    out = f.update(0.0, 5.0)
    assert out.shape == () and float(out) == 5.0
    with pytest.raises(ValueError, match="increase"):
        f.update(0.0, 6.0)
    with pytest.raises(ValueError, match="keep shape"):
        f.update(0.1, [1.0, 2.0])
    f.reset()
    assert f.update(0.0, [1.0, 2.0]).shape == (2,)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_cutoff_hz": 0.0}, "min_cutoff_hz"),
        ({"beta": -1.0}, "beta"),
        ({"max_gap_s": float("nan")}, "max_gap_s"),
    ],
)
def test_one_euro_filter_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OneEuroFilter(**kwargs)


def test_short_gap_bridged_long_gap_left():
    t = np.arange(0, 3.0, 1 / FPS)
    y = 10.0 * t
    y_gaps = y.copy()
    y_gaps[30:36] = np.nan  # 6 frames: 0.233 s from the value before to the one after
    y_gaps[60:75] = np.nan  # 15 frames: 0.533 s
    bridged = bridge_gaps(t, y_gaps, max_gap_s=0.25)
    np.testing.assert_allclose(bridged[30:36], y[30:36])
    assert np.all(np.isnan(bridged[60:75]))
    smoothed = smooth_zero_phase(t, y_gaps)
    np.testing.assert_allclose(smoothed[30:36], y[30:36], atol=1e-6)
    assert np.all(np.isnan(smoothed[60:75]))
    assert np.all(np.isfinite(np.delete(smoothed, np.arange(60, 75))))


def test_short_runs_between_long_gaps_are_blanked():
    t = np.arange(0, 3.0, 1 / FPS)
    y = np.full(t.size, np.nan)
    y[:30] = 5.0
    y[45:47] = 99.0  # a 2-frame glitch between long gaps
    y[60:63] = 7.0  # 3 frames: kept
    out = bridge_gaps(t, y, max_gap_s=0.25, min_run=3)
    assert np.all(np.isnan(out[45:47]))
    np.testing.assert_allclose(out[60:63], 7.0)
    np.testing.assert_allclose(smooth_zero_phase(t, y)[60:63], 7.0)
    assert np.all(np.isnan(smooth_zero_phase(t, np.full(t.size, np.nan))))


def test_causal_leaves_gaps_nan(motion):
    t, _, noisy = motion
    y = noisy.copy()
    y[50:53] = np.nan
    out = one_euro(t, y)
    assert np.all(np.isnan(out[50:53])) and np.all(np.isfinite(np.delete(out, [50, 51, 52])))


def make_table(t: np.ndarray, columns: dict[str, np.ndarray], view: str = "side_left"):
    nan = np.full(t.size, np.nan)
    values = {mid: columns.get(mid, nan) for mid in METRIC_IDS}
    return MetricTable(
        frame=np.arange(t.size),
        time_s=t,
        values=values,
        view=np.full(t.size, view, dtype=object),
        facing=np.full(t.size, "left", dtype=object),
        flags={"low_visibility": np.zeros(t.size, dtype=bool)},
    )


@pytest.mark.parametrize("method", ["zero_phase", "causal"])
def test_smooth_table_smooths_every_metric(motion, method):
    t, truth, noisy = motion
    table = make_table(t, {"shoulder_flexion_left": noisy, "knee_flexion_right": noisy + 5})
    out = smooth_table(table, method=method)
    assert isinstance(out, MetricTable) and set(out.values) == set(METRIC_IDS)
    assert rms(out.values["shoulder_flexion_left"] - truth) < 0.8 * rms(noisy - truth)
    np.testing.assert_allclose(
        out.values["knee_flexion_right"], out.values["shoulder_flexion_left"] + 5, atol=1e-6
    )
    assert np.all(np.isnan(out.values["hip_flexion_left"]))
    assert out.view is table.view and out.flags is table.flags
    assert table.values["shoulder_flexion_left"] is noisy  # the input is not modified


@pytest.mark.parametrize("method", ["zero_phase", "causal"])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (4, 0)])
def test_empty_series(method, shape):
    t = np.arange(float(shape[0]))
    assert smooth_series(t, np.zeros(shape), method=method).shape == shape


@pytest.mark.parametrize(
    ("time_s", "values", "kwargs", "match"),
    [
        (np.zeros((3, 1)), np.zeros(3), {}, "time_s must be a 1-D"),
        (np.arange(3.0), np.zeros(4), {}, r"values must have shape \(T,\)"),
        (np.arange(3.0), np.zeros((3, 2, 1)), {}, r"values must have shape \(T,\)"),
        (np.array([0.0, 1.0, 1.0]), np.zeros(3), {}, "strictly increasing"),
        (np.array([0.0, np.nan, 2.0]), np.zeros(3), {}, "finite"),
        (np.arange(3.0), np.zeros(3), {"bandwidth_s": 0.0}, "bandwidth_s"),
        (np.arange(3.0), np.zeros(3), {"method": "median"}, "method must be"),
    ],
)
def test_bad_input(time_s, values, kwargs, match):
    with pytest.raises(ValueError, match=match):
        smooth_series(time_s, values, **kwargs)
