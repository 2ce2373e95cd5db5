"""The time axis of a chart of visits: its span, its ticks and how a date reads.

One rule for the dashboard's Vega-Lite charts and the reports' matplotlib charts: visits sit on
a date axis whose domain is padded (a lone visit gets a week around it, not a span of years);
tick labels are dates (months or years on long spans), with the 24-hour time only when the
axis spans less than two days; a
visit's own label carries its time only when another visit falls on the same day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

TickUnit = Literal["minute", "hour", "day", "week", "month", "year"]

#: Date formats (the same directives in Python's strftime and d3-time-format).
DATE_FORMAT = "%d %b %Y"
DATE_TIME_FORMAT = "%d %b %Y %H:%M"
#: Tick labels by tick unit: a month tick reads "Jul 2025", not "01 Jul 2025".
_TICK_FORMATS = {
    "minute": DATE_TIME_FORMAT,
    "hour": DATE_TIME_FORMAT,
    "month": "%b %Y",
    "year": "%Y",
}

#: Around a lone visit (or visits at one instant): this much on either side.
LONE_VISIT_PAD = pd.Timedelta(days=3)
#: Space beyond the first and last visit, as a share of their span (at least MIN_PAD).
PAD_SHARE = 0.08
MIN_PAD = pd.Timedelta(minutes=5)
#: About this many ticks at most.
MAX_TICKS = 8

_UNIT_LENGTH: dict[TickUnit, pd.Timedelta] = {
    "minute": pd.Timedelta(minutes=1),
    "hour": pd.Timedelta(hours=1),
    "day": pd.Timedelta(days=1),
    "week": pd.Timedelta(days=7),
    "month": pd.Timedelta(days=30.44),
    "year": pd.Timedelta(days=365.25),
}
#: Tick steps tried per unit, smallest first; the first giving at most MAX_TICKS is used.
_STEPS: dict[TickUnit, tuple[int, ...]] = {
    "minute": (1, 2, 5, 10, 15, 30),
    "hour": (1, 2, 3, 6, 12),
    "day": (1, 2),
    "week": (1, 2, 4),
    "month": (1, 2, 3, 6),
    "year": (1, 2, 5, 10, 20, 50),
}


@dataclass(frozen=True)
class VisitAxis:
    """A visit chart's time axis.

    Attributes:
        start, end: the domain (naive timestamps, as the visits were given).
        tick_unit, tick_step: one tick every ``tick_step`` ``tick_unit`` s.
        tick_format: strftime / d3 format of the tick labels.
        visit_format: format of one visit's label (tooltips, captions).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    tick_unit: TickUnit
    tick_step: int
    tick_format: str
    visit_format: str


def as_naive(times: Iterable[object]) -> pd.Series:
    """Visit times as naive timestamps (an aware time is turned to UTC first): the charts show
    the stored wall-clock time, which the store keeps in UTC."""
    stamps = pd.to_datetime(pd.Series(list(times)), utc=True)
    return stamps.dt.tz_convert(None)


def visit_axis(times: Iterable[object]) -> VisitAxis:
    """The axis for visits at ``times`` (at least one); ValueError when there is none."""
    stamps = as_naive(times).dropna()
    if stamps.empty:
        raise ValueError("a visit axis needs at least one visit time; got none")
    first, last = stamps.min(), stamps.max()
    span = last - first
    pad = LONE_VISIT_PAD if span == pd.Timedelta(0) else max(span * PAD_SHARE, MIN_PAD)
    start, end = first - pad, last + pad
    unit, step = _ticks(end - start)
    shares_day = bool(stamps.dt.normalize().duplicated().any())
    return VisitAxis(
        start=start,
        end=end,
        tick_unit=unit,
        tick_step=step,
        tick_format=_TICK_FORMATS.get(unit, DATE_FORMAT),
        visit_format=DATE_TIME_FORMAT if shares_day else DATE_FORMAT,
    )


def _ticks(length: pd.Timedelta) -> tuple[TickUnit, int]:
    """The finest unit and step giving at most MAX_TICKS ticks over ``length``; days are the
    finest unit once the axis spans two days (so no tick reads a time of day)."""
    units: tuple[TickUnit, ...] = ("minute", "hour", "day", "week", "month", "year")
    if length >= pd.Timedelta(days=2):
        units = units[2:]
    for unit in units:
        for step in _STEPS[unit]:
            if length / (_UNIT_LENGTH[unit] * step) <= MAX_TICKS:
                return unit, step
    years = length / _UNIT_LENGTH["year"]
    return "year", max(1, math.ceil(years / MAX_TICKS))
