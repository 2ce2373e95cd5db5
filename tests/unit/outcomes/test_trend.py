"""The trend over visits is given only when the visits are enough to mean one (issue 13: two
visits nine minutes apart read as "+690.0 per 30 days")."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pandas as pd
import pytest

from romcam.outcomes import compare
from romcam.outcomes.visits import TREND_MIN_DAYS, TREND_MIN_VISITS, has_trend

T0 = datetime(2025, 3, 12, 7, 49)


def visits(*at_values: tuple[timedelta, float], quality: tuple[str, ...] = ()) -> pd.DataFrame:
    """One 'before' right shoulder abduction per visit, at T0 + offset."""
    return pd.DataFrame(
        [
            {
                "session_id": i + 1,
                "started_at": T0 + offset,
                "phase": "before",
                "test": "shoulder_abduction",
                "side": "right",
                "metric": "shoulder_abduction_right",
                "value": value,
                "unit": "deg",
                "measured_at": T0 + offset,
                "quality": quality[i] if quality else "ok",
                "quality_reason": "",
            }
            for i, (offset, value) in enumerate(at_values)
        ]
    )


def slope(frame: pd.DataFrame) -> float:
    return float(compare.progress(frame)["slope_per_30d"].iloc[0])


def test_the_rule_is_three_visits_over_fourteen_days() -> None:
    assert (TREND_MIN_VISITS, TREND_MIN_DAYS) == (3, 14.0)
    day = timedelta(days=1)
    assert not has_trend([T0, T0 + 14 * day])  # two visits, however far apart
    assert not has_trend([T0, T0 + 6 * day, T0 + 13 * day])  # three, too close
    assert has_trend([T0, T0 + 6 * day, T0 + 14 * day])
    assert not has_trend([])


def test_two_visits_nine_minutes_apart_have_no_trend() -> None:
    frame = visits((timedelta(0), 120.0), (timedelta(minutes=9), 126.0))
    out = compare.progress(frame).iloc[0]
    assert out["change"] == pytest.approx(6.0)  # the change is still there
    assert math.isnan(out["slope_per_30d"])


def test_three_visits_over_four_weeks_have_the_least_squares_trend() -> None:
    frame = visits((timedelta(0), 120.0), (timedelta(days=14), 127.0), (timedelta(days=28), 134.0))
    assert slope(frame) == pytest.approx(15.0)  # 7 deg per 14 days


def test_rejected_visits_do_not_count_toward_the_rule() -> None:
    offsets = (timedelta(0), timedelta(days=10), timedelta(days=20), timedelta(days=30))
    values = (120.0, 175.0, 124.0, 126.0)
    frame = visits(*zip(offsets, values, strict=True), quality=("ok", "rejected", "ok", "ok"))
    assert slope(frame) == pytest.approx(6.0)  # 120, 124, 126 on days 0, 20, 30: 0.2/day
    two_left = visits(*zip(offsets[:3], values[:3], strict=True), quality=("ok", "rejected", "ok"))
    assert math.isnan(slope(two_left))
