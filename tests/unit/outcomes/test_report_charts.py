"""The printable reports' charts and trend cells (issue 13: a legend over the bars, a one-visit
axis spanning years, "Trend / 30 days +690.0" from two visits nine minutes apart)."""

from __future__ import annotations

from datetime import datetime, timedelta

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from romcam.outcomes.compare import before_after, visit_series
from romcam.outcomes.report import progress_report, session_report
from romcam.outcomes.report_charts import before_after_figure, progress_figure
from romcam.outcomes.visits import NO_TREND_NOTE

T0 = datetime(2025, 3, 12, 7, 49)


def measurement(
    session: int, when: datetime, phase: str, test: str, side: str, value: float
) -> dict[str, object]:
    return {
        "session_id": session,
        "started_at": when,
        "client": "Ada",
        "therapist": "Tess",
        "phase": phase,
        "test": test,
        "side": side,
        "metric": f"{test}_{side}",
        "value": value,
        "unit": "deg",
        "measured_at": when,
        "quality": "ok",
        "quality_reason": "",
    }


def one_session() -> pd.DataFrame:
    rows = [
        measurement(1, T0, phase, test, side, value)
        for test, side, before, after in (
            ("shoulder_abduction", "right", 120.0, 150.0),
            ("knee_flexion", "left", 100.0, 130.0),
            ("shoulder_flexion", "left", 140.0, 160.0),
        )
        for phase, value in (("before", before), ("after", after))
    ]
    return pd.DataFrame(rows)


def drawn(fig: Figure) -> Figure:
    FigureCanvasAgg(fig).draw()
    return fig


def test_session_report_legend_sits_below_the_bars() -> None:
    fig = drawn(before_after_figure(before_after(one_session())))
    (ax,) = fig.axes
    assert ax.get_legend() is None and len(fig.legends) == 1
    legend = fig.legends[0].get_window_extent()
    plot = ax.get_window_extent()
    assert legend.y1 <= plot.y0  # entirely under the plot: it covers no bar
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["before", "after"]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "Shoulder abduction (right)",
        "Knee flexion (left)",
        "Shoulder flexion (left)",
    ]


def test_session_report_embeds_the_chart() -> None:
    html = session_report(one_session())
    assert html.count("<img") == 1 and "Smallest real change (MDC95)" in html


def nine_minutes() -> pd.DataFrame:
    return pd.DataFrame(
        [
            measurement(1, T0, "before", "shoulder_abduction", "right", 120.0),
            measurement(
                2, T0 + timedelta(minutes=9), "before", "shoulder_abduction", "right", 126.0
            ),
        ]
    )


def test_progress_report_gives_no_trend_from_two_visits_minutes_apart() -> None:
    html = progress_report(nine_minutes())
    assert "<th>Trend per 30 days</th>" in html
    row = html.split("<td>Shoulder abduction (right)</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>+6.0</td><td>—</td>" in row  # the change, then no trend
    assert "690" not in html and NO_TREND_NOTE in html


def test_progress_chart_of_one_visit_spans_a_week_of_dates() -> None:
    series = visit_series(nine_minutes().iloc[:1])
    ax = drawn(progress_figure(series, "Shoulder abduction (right)", 10.0)).axes[0]
    start, end = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (start, end) == (T0 - timedelta(days=3), T0 + timedelta(days=3))
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels[0] == "10 Mar 2025" and len(labels) == 6


def test_progress_chart_of_visits_minutes_apart_reads_24_hour_times() -> None:
    ax = drawn(progress_figure(visit_series(nine_minutes()), "x", 10.0)).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels == [f"12 Mar 2025 {t}" for t in ("07:45", "07:50", "07:55", "08:00")]
    fig = ax.figure
    assert (
        isinstance(fig, Figure)
        and fig.legends[0].get_window_extent().y1 <= ax.get_window_extent().y0
    )
