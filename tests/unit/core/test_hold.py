"""romcam.core.hold: the causal held-end-range detector on synthetic series with noise."""

from __future__ import annotations

import math

import numpy as np
import pytest

from romcam.core.hold import HoldDetector

FPS = 30.0


def _feed(detector: HoldDetector, values: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    t = np.arange(values.size) / FPS
    progress = np.array([detector.update(ti, vi) for ti, vi in zip(t, values, strict=True)])
    return progress, [detector.released]


def _trial(
    rng: np.random.Generator,
    peak: float,
    hold_s: float,
    pause: float | None = None,
    noise: float = 0.8,
) -> np.ndarray:
    """Rest at 0, raise over 1.5 s (optionally pausing 1.2 s at ``pause``), hold, lower."""
    parts = [np.zeros(15)]
    if pause is not None:
        parts += [np.linspace(0, pause, 20), np.full(36, pause), np.linspace(pause, peak, 25)]
    else:
        parts.append(np.linspace(0, peak, 45))
    parts += [np.full(round(hold_s * FPS), peak), np.linspace(peak, 0, 30), np.zeros(15)]
    series = np.concatenate(parts)
    return series + rng.normal(0, noise, series.size)


def test_hold_at_end_range_is_detected_and_released_on_return() -> None:
    rng = np.random.default_rng(1)
    series = _trial(rng, 150.0, hold_s=1.5)
    detector = HoldDetector(1.0, 3.0, "max", min_excursion=20.0)
    t = np.arange(series.size) / FPS
    released_at = None
    for ti, vi in zip(t, series, strict=True):
        detector.update(ti, vi)
        if detector.released and released_at is None:
            released_at = ti
    assert detector.held == pytest.approx(150.0, abs=1.0)
    hold_end = (15 + 45 + 45) / FPS
    assert released_at is not None and hold_end - 0.05 <= released_at <= hold_end + 0.3


def test_pause_on_the_way_up_is_not_the_end_range() -> None:
    rng = np.random.default_rng(2)
    series = _trial(rng, 160.0, hold_s=1.2, pause=80.0)
    detector = HoldDetector(1.0, 3.0, "max", min_excursion=20.0)
    t = np.arange(series.size) / FPS
    held_when_released = []
    for ti, vi in zip(t, series, strict=True):
        was = detector.released
        detector.update(ti, vi)
        if detector.released and not was:
            held_when_released.append(detector.held)
    assert len(held_when_released) == 1
    assert held_when_released[0] == pytest.approx(160.0, abs=1.0)


@pytest.mark.parametrize("hold_s", [0.1, 0.6])
def test_short_holds_and_spikes_are_not_holds(hold_s: float) -> None:
    rng = np.random.default_rng(3)
    series = _trial(rng, 140.0, hold_s=hold_s)
    series[20] = 175.0  # one-frame spike
    detector = HoldDetector(1.0, 3.0, "max", min_excursion=20.0)
    progress, _ = _feed(detector, series)
    assert progress.max() < 1.0
    assert not detector.released and math.isnan(detector.held)


def test_stream_starting_at_the_top_still_detects_the_next_hold() -> None:
    rng = np.random.default_rng(5)
    series = np.r_[np.full(10, 150.0), np.linspace(150, 0, 20), _trial(rng, 150.0, 1.5)]
    detector = HoldDetector(1.0, 3.0, "max", min_excursion=20.0)
    _feed(detector, series)
    assert detector.start < 5.0
    assert detector.released and detector.held == pytest.approx(150.0, abs=1.0)


def test_min_extreme_and_gaps() -> None:
    rng = np.random.default_rng(4)
    series = -_trial(rng, 50.0, hold_s=1.5)  # extension: end range is the minimum
    detector = HoldDetector(1.0, 3.0, "min", min_excursion=20.0)
    _feed(detector, series)
    assert detector.released and detector.held == pytest.approx(-50.0, abs=1.0)
    # A long gap of NaN in the middle of a hold ends the run without releasing it.
    gap = HoldDetector(1.0, 3.0, "max", min_excursion=0.0)
    values = np.r_[np.full(20, 90.0), np.full(20, np.nan), np.full(20, 90.0)]
    progress, _ = _feed(gap, values)
    assert progress.max() < 1.0 and not gap.released
