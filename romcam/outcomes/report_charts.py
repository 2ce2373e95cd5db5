"""The printable reports' charts (matplotlib figures): before/after bars of one session and a
test's values over visits. Legends sit below the plot, never over the data; visits sit on a
date axis (``romcam.outcomes.visit_axis``, the rule the dashboard's charts use too).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import Locator

from romcam.core.assessments import test_label
from romcam.outcomes.quality import is_trusted, trusted_mask
from romcam.outcomes.visit_axis import VisitAxis, as_naive, visit_axis

BEFORE_COLOUR, AFTER_COLOUR = "#9bb7d4", "#2f6ea8"


def before_after_figure(ba: pd.DataFrame) -> Figure:
    """Bars of the before and after magnitudes per test and side (``before_after()`` rows):
    before above after; a value that failed its quality check is a hatched grey bar (legend:
    rejected, not compared); where pain began (``*_first_pain``, the pain-free range) a red
    tick on the bar."""
    labels = [test_label(str(t), s) for t, s in zip(ba["test"], ba["side"], strict=True)]
    fig = Figure(figsize=(7.5, 0.55 * len(labels) + 1.6), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    y = np.arange(len(labels), dtype=float)
    for phase, offset, colour in (("before", -0.2, BEFORE_COLOUR), ("after", 0.2, AFTER_COLOUR)):
        ok = ba[f"{phase}_quality"].map(is_trusted).to_numpy(dtype=bool)
        values = ba[phase].abs().to_numpy(dtype=float)
        ax.barh(y + offset, np.where(ok, values, 0.0), 0.4, label=phase, color=colour)
        if not ok.all():
            label = f"{phase}: rejected, not compared"
            bars = (y[~ok] + offset, values[~ok], 0.4)
            ax.barh(*bars, label=label, color="#dddddd", edgecolor="#888888", hatch="//")
    pain = np.concatenate([_pain_at(ba, phase) for phase in ("before", "after")])
    rows = np.concatenate([y - 0.2, y + 0.2])
    given = np.isfinite(pain)
    if given.any():
        ax.plot(pain[given], rows[given], "|", **PAIN_MARKER, markersize=14)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel("range reached (degrees, magnitude)")
    _legend_below(fig, ax)
    return fig


def progress_figure(group: pd.DataFrame, label: str, mdc95: float) -> Figure:
    """One test's trusted values over visits (``visit_series()`` rows: line, MDC95 band around
    the first, ± SD of each visit's trials as error bars); values that failed their quality
    check as hollow grey circles, off the line; the pain-free range (``first_pain``) of each
    visit that recorded it as a red dash."""
    fig = Figure(figsize=(7.5, 3.1), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ok = trusted_mask(group).to_numpy()
    times = as_naive(group["started_at"]).to_numpy()
    values = group["value"].to_numpy(dtype=float)
    if ok.any():
        first = values[ok][0]
        ax.axhspan(first - mdc95, first + mdc95, color="#dddddd", label="within MDC95 of first")
        ax.plot(times[ok], values[ok], marker="o", color=AFTER_COLOUR, label=label)
        sd = group["sd"].to_numpy(dtype=float) if "sd" in group else np.full(len(group), np.nan)
        spread = ok & np.isfinite(sd)
        if spread.any():
            ax.errorbar(
                times[spread],
                values[spread],
                yerr=sd[spread],
                linestyle="none",
                color=AFTER_COLOUR,
                capsize=3,
                label="± SD of the trials",
            )
    if not ok.all():
        ax.plot(
            times[~ok],
            values[~ok],
            linestyle="none",
            marker="o",
            markerfacecolor="none",
            markeredgecolor="#888888",
            label="rejected (left out of the trend)",
        )
    pain = _pain_at(group, None)
    if np.isfinite(pain).any():
        given = np.isfinite(pain)
        ax.plot(times[given], pain[given], "_", **PAIN_MARKER, markersize=12)
    ax.set_ylabel(str(group["unit"].iloc[0]))
    date_axis(ax, visit_axis(group["started_at"]))
    _legend_below(fig, ax)
    return fig


#: How a pain-free range (the value where pain began) is marked on a chart.
PAIN_MARKER: dict[str, Any] = {"color": "#c0392b", "markeredgewidth": 2.5, "label": "pain began"}


def _pain_at(frame: pd.DataFrame, phase: str | None) -> np.ndarray:
    """(rows,) the pain-free range of each row (``{phase}_first_pain``, or ``first_pain`` for
    None; NaN where none was recorded), as a magnitude for a phase's bars."""
    column = "first_pain" if phase is None else f"{phase}_first_pain"
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    values = frame[column].to_numpy(dtype=float)
    return values if phase is None else np.abs(values)


def date_axis(ax: Axes, axis: VisitAxis) -> None:
    """Put ``axis`` (domain, ticks, date format) on ``ax``'s x axis."""
    ax.set_xlim(float(mdates.date2num(axis.start)), float(mdates.date2num(axis.end)))
    ax.xaxis.set_major_locator(_locator(axis))
    ax.xaxis.set_major_formatter(mdates.DateFormatter(axis.tick_format))
    ax.tick_params(axis="x", labelsize=8)


def _locator(axis: VisitAxis) -> Locator:
    step = axis.tick_step
    locators: dict[str, Any] = {
        "minute": lambda: mdates.MinuteLocator(byminute=range(0, 60, step)),
        "hour": lambda: mdates.HourLocator(byhour=range(0, 24, step)),
        "day": lambda: mdates.DayLocator(interval=step),
        "week": lambda: mdates.WeekdayLocator(byweekday=mdates.MO, interval=step),
        "month": lambda: mdates.MonthLocator(interval=step),
        "year": lambda: mdates.YearLocator(step),
    }
    locator: Locator = locators[axis.tick_unit]()
    return locator


def _legend_below(fig: Figure, ax: Axes) -> None:
    """The legend in one row under the plot (outside the axes, so it covers no bar or point)."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncols=len(handles),
            frameon=False,
            fontsize=8,
        )
