"""Client progress as a therapist reads it (AppTest, real SQLite store): visits on a date axis,
no trend from two visits minutes apart, the normal end range as a line, no raw ids on the page
or in the printable report (issue 13)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from romcam.outcomes.visits import NO_TREND_NOTE
from romcam.store import MeasurementInput, Store
from tests.integration.ui.app_helpers import page_app

T0 = datetime(2025, 3, 12, 7, 49, tzinfo=UTC)
#: Ids people must never read: metric, test, view and quality codes, ``mdc95``, "None".
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\bmdc95\b|\bNone\b|\bseries\b")


def visits(data_dir: Path, *offsets: timedelta) -> None:
    """One client; per visit (at T0 + offset) right shoulder abduction before, 120 + 6 per
    visit, and at the first visit also left knee flexion."""
    with Store.open() as store:
        client = store.add_client("Nina Minutes")
        for i, offset in enumerate(offsets):
            session = store.start_session(client.id, started_at=T0 + offset)
            value = 120.0 + 6 * i
            store.add_measurement(
                session.id, MeasurementInput("shoulder_abduction", "right", "before", value)
            )
            if i == 0:
                store.add_measurement(
                    session.id, MeasurementInput("knee_flexion", "left", "before", 100.0)
                )


def specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def x_axis(spec: dict[str, Any]) -> dict[str, Any]:
    return next(lay["encoding"]["x"] for lay in spec["layer"] if lay["mark"]["type"] == "line")


@pytest.fixture
def nine_minutes(data_dir: Path) -> AppTest:
    visits(data_dir, timedelta(0), timedelta(minutes=9))
    at = page_app("progress", "progress_page").run()
    assert not at.exception and not at.error
    return at


def test_two_visits_nine_minutes_apart_read_as_dated_24_hour_times(nine_minutes: AppTest) -> None:
    abduction, knee = specs(nine_minutes)
    x = x_axis(abduction)
    assert x["type"] == "temporal" and x["axis"]["format"] == "%d %b %Y %H:%M"
    assert [d["minutes"] for d in x["scale"]["domain"]] == [44, 3]  # 07:44 to 08:03
    one = x_axis(knee)  # knee flexion: measured at one visit
    assert one["axis"]["format"] == "%d %b %Y"
    assert [(d["date"], d["hours"]) for d in one["scale"]["domain"]] == [(9, 7), (15, 7)]


def test_no_trend_from_two_visits_minutes_apart_on_the_page(nine_minutes: AppTest) -> None:
    summary = nine_minutes.dataframe[0].value
    row = summary[summary["Test"] == "Shoulder abduction (right)"].iloc[0]
    assert row["Change"] == pytest.approx(6.0)
    assert row["Trend per 30 days"] != row["Trend per 30 days"]  # NaN, shown as the placeholder
    assert nine_minutes.dataframe[0].proto.placeholder == "—"
    assert NO_TREND_NOTE in " ".join(c.value for c in nine_minutes.caption)


def test_no_trend_from_two_visits_minutes_apart_in_the_report(nine_minutes: AppTest) -> None:
    nine_minutes.button(key="progress_report").click().run()
    html = nine_minutes.session_state["progress_report_html"]
    row = html.split("<td>Shoulder abduction (right)</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>+6.0</td><td>—</td>" in row and "690" not in html


def test_a_trend_once_three_visits_span_two_weeks(data_dir: Path) -> None:
    visits(data_dir, timedelta(0), timedelta(days=7), timedelta(days=14))
    at = page_app("progress", "progress_page").run()
    summary = at.dataframe[0].value
    row = summary[summary["Test"] == "Shoulder abduction (right)"].iloc[0]
    assert row["Trend per 30 days"] == pytest.approx(6 / 7 * 30)


def test_normal_end_range_is_a_line_and_no_raw_ids_are_shown(nine_minutes: AppTest) -> None:
    abduction = specs(nine_minutes)[0]
    marks = [lay["mark"]["type"] for lay in abduction["layer"]]
    assert "rect" not in marks and "rule" in marks
    assert "normal end range 180°" in json.dumps(abduction, ensure_ascii=False)
    assert "color" not in next(
        lay["encoding"] for lay in abduction["layer"] if lay["mark"]["type"] == "line"
    )  # one series: no "series: value" legend
    headings = [m.value for m in nine_minutes.markdown]
    assert "**Shoulder abduction (right)**" in headings and "**Knee flexion (left)**" in headings
    summary = nine_minutes.dataframe[0].value
    values = [v for v in summary.to_numpy().ravel() if not pd.isna(v)]
    cells = [str(c) for c in [*summary.columns, *values]]
    assert not [c for c in cells if RAW.search(c)], cells
    tooltips = [
        lay["encoding"].get("tooltip", []) for spec in specs(nine_minutes) for lay in spec["layer"]
    ]
    titles = [t["title"] for tips in tooltips if isinstance(tips, list) for t in tips]
    titles += [tips["value"] for tips in tooltips if isinstance(tips, dict)]
    assert titles and not [t for t in titles if RAW.search(t)], titles
