"""Client progress page under AppTest, against a real SQLite store in a temp data dir."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from romcam.outcomes.compare import progress
from romcam.store import MeasurementInput, Store
from romcam.ui.progress import measurements_csv
from tests.integration.ui.app_helpers import fill_store, page_app


@pytest.fixture
def filled(data_dir: Path, tmp_path: Path):
    return fill_store(tmp_path / "src")


def test_history_with_normal_range_and_verdicts(filled) -> None:
    at = page_app("progress", "progress_page").run()
    assert not at.exception and not at.error
    summary = at.dataframe[0].value
    assert summary["Test"].iloc[0] == "Shoulder abduction (right)"
    assert summary["Visits"].iloc[0] == 2
    assert summary["First"].iloc[0] == pytest.approx(120.0)  # "before" of visit 1
    assert summary["Latest"].iloc[0] == pytest.approx(160.0)  # "before" of visit 2
    with Store.open() as store:
        expected = progress(store.measurements_frame(client=filled.client_id))
    assert summary["Verdict"].iloc[0] == expected["verdict"].iloc[0]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1 and '"type": "rule"' in charts[0].proto.spec  # normal end range
    caption = " ".join(c.value for c in at.caption)
    assert "+40.0 deg" in caption and expected["verdict"].iloc[0] in caption


def test_phase_after_compares_after_values(filled) -> None:
    at = page_app("progress", "progress_page").run()
    at.radio(key="progress_phase").set_value("after").run()
    summary = at.dataframe[0].value
    assert summary["First"].iloc[0] == pytest.approx(150.0)
    assert summary["Latest"].iloc[0] == pytest.approx(165.0)


def test_csv_export_holds_every_measurement(filled) -> None:
    at = page_app("progress", "progress_page").run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Export measurements (CSV)" in labels
    with Store.open() as store:
        frame = store.measurements_frame(client=filled.client_id)
    exported = pd.read_csv(io.BytesIO(measurements_csv(frame)))
    assert sorted(exported["measurement_id"]) == sorted(filled.measurement_ids)
    assert list(exported.columns) == list(frame.columns)


def test_no_measurements_is_a_clear_message(data_dir: Path) -> None:
    with Store.open() as store:
        store.add_client("Nobody Yet")
    at = page_app("progress", "progress_page").run()
    assert not at.exception
    assert "No measurements for Nobody Yet" in at.info[0].value


def test_printable_progress_report(filled) -> None:
    at = page_app("progress", "progress_page").run()
    at.button(key="progress_report").click().run()
    assert not at.exception and not at.error
    html = at.session_state["progress_report_html"]
    assert "Ada Client" in html and "<img" in html  # the charts are embedded
    labels = [b.proto.label for b in at.get("download_button")]
    assert any("report" in label for label in labels)


def test_rejected_value_is_marked_and_left_out_of_the_trend(filled) -> None:
    """Knee flexion (left) before treatment: 100 deg at visit 1 (ok), 106.5 deg at visit 2
    saved although it failed the quality check."""
    with Store.open() as store:
        first, second = filled.session_ids
        store.add_measurement(first, MeasurementInput("knee_flexion", "left", "before", 100))
        store.add_measurement(
            second,
            MeasurementInput(
                "knee_flexion",
                "left",
                "before",
                106.5,
                quality="rejected",
                quality_reason="knee hidden",
            ),
        )
    at = page_app("progress", "progress_page").run()
    assert not at.exception and not at.error
    summary = at.dataframe[0].value
    knee = summary[summary["Test"] == "Knee flexion (left)"].iloc[0]
    assert knee["Visits"] == 2 and knee["Latest"] == pytest.approx(100.0)
    assert knee["Left out"] == "2026-10-01: 106.5 (rejected: knee hidden)"
    assert knee["Verdict"] == "not comparable: the latest value was rejected"
    abduction = summary[summary["Test"] == "Shoulder abduction (right)"].iloc[0]
    assert pd.isna(abduction["Left out"]) and abduction["Latest"] == pytest.approx(160.0)
    captions = " ".join(c.value for c in at.caption)
    assert "106.5 deg (rejected: knee hidden)" in captions and "left out of the trend" in captions
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert sum('"filled": false' in spec for spec in specs) == 1  # the knee's hollow point
    at.button(key="progress_report").click().run()
    html = at.session_state["progress_report_html"]
    assert "2026-10-01: 106.5 (rejected: knee hidden)" in html
