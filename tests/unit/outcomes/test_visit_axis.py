"""The time axis of visit charts (dashboard and reports): padded domain, ticks, date formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from romcam.outcomes.visit_axis import DATE_FORMAT, DATE_TIME_FORMAT, MAX_TICKS, visit_axis

T0 = datetime(2025, 3, 12, 7, 49)


def test_one_visit_gets_three_days_either_side_and_day_ticks() -> None:
    axis = visit_axis([T0])
    assert (axis.start, axis.end) == (T0 - timedelta(days=3), T0 + timedelta(days=3))
    assert (axis.tick_unit, axis.tick_step, axis.tick_format) == ("day", 1, DATE_FORMAT)
    assert axis.visit_format == DATE_FORMAT


def test_two_visits_nine_minutes_apart_show_their_24_hour_times() -> None:
    axis = visit_axis([T0, T0 + timedelta(minutes=9)])
    assert axis.tick_unit == "minute" and axis.tick_format == DATE_TIME_FORMAT
    assert axis.visit_format == DATE_TIME_FORMAT
    assert axis.start == T0 - timedelta(minutes=5)  # at least five minutes either side
    assert axis.end == T0 + timedelta(minutes=14)
    assert datetime(2025, 3, 12, 19, 5).strftime(axis.tick_format) == "12 Mar 2025 19:05"


@pytest.mark.parametrize(
    ("days", "unit", "label"),
    [
        (6, "day", "12 Mar 2025"),
        (30, "week", "12 Mar 2025"),
        (200, "month", "Mar 2025"),
        (2000, "year", "2025"),
    ],
)
def test_longer_spans_tick_in_whole_days_or_more(days: int, unit: str, label: str) -> None:
    axis = visit_axis([T0, T0 + timedelta(days=days)])
    assert axis.tick_unit == unit and T0.strftime(axis.tick_format) == label
    assert axis.visit_format == DATE_FORMAT  # no two visits on one day
    length = pd.Timedelta(axis.end - axis.start)
    per_tick = {"day": 1, "week": 7, "month": 30.44, "year": 365.25}[unit] * axis.tick_step
    assert length / pd.Timedelta(days=per_tick) <= MAX_TICKS


def test_two_visits_on_one_day_among_others_carry_their_time() -> None:
    axis = visit_axis([T0, T0 + timedelta(hours=3), T0 + timedelta(days=40)])
    assert axis.tick_format == DATE_FORMAT and axis.visit_format == DATE_TIME_FORMAT


def test_aware_times_are_read_in_utc_and_none_is_refused() -> None:
    axis = visit_axis([datetime(2025, 3, 12, 7, 49, tzinfo=UTC)])
    assert axis.start.tzinfo is None and axis.start + timedelta(days=3) == T0
    with pytest.raises(ValueError, match="at least one visit"):
        visit_axis([])
