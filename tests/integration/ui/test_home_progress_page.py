"""The home check's "My progress" under AppTest: a chart per test of the plan with the target
and the clinic's value, and "Export my results" giving a results file that reads back
(landmarks always, videos only when ticked)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from romcam.home.local import HOME_PHASE, home_client
from romcam.home.plan import read_plan
from romcam.home.results import read_results
from romcam.store import MeasurementInput, Store
from tests.integration.ui.app_helpers import write_trial_files
from tests.integration.ui.home_helpers import home_plan, progress_app

__all__ = ["home_plan"]


@pytest.fixture
def two_days(home_plan: Path, tmp_path: Path) -> list[float]:
    """Ada's right shoulder abduction at home two days ago (145°) and yesterday (151°, 153°),
    each trial with its video, landmarks and angles."""
    plan = read_plan(home_plan)
    values = [(2, 145.0), (1, 151.0), (1, 153.0)]
    with Store.open() as store:
        client = home_client(store, plan)
        sessions = {}
        for n, (days_ago, value) in enumerate(values):
            when = datetime.now(UTC) - timedelta(days=days_ago)
            if days_ago not in sessions:
                sessions[days_ago] = store.start_session(client.id, started_at=when).id
            files = write_trial_files(tmp_path / f"t{n}", "shoulder_abduction_right", value)
            landmarks = tmp_path / f"t{n}" / "landmarks.csv"
            landmarks.write_text("frame,time_s\n0,0.0\n")
            measurement = MeasurementInput(
                "shoulder_abduction",
                "right",
                HOME_PHASE,
                value,
                source="live",
                measured_at=when + timedelta(seconds=n),
            )
            recording = type(files)(
                video=files.video, landmarks=landmarks, angles=files.angles, duration_s=3.0
            )
            store.add_measurement(sessions[days_ago], measurement, recording)
    return [v for _, v in values]


def _prepare(at: AppTest) -> bytes:
    at.button(key="home_prepare_export").click().run()
    assert not at.exception and not at.error
    assert at.get("download_button"), "the download is offered once the file is prepared"
    return bytes(at.session_state["home_export"][2])


def test_progress_chart_per_test_with_target_and_clinic(two_days: list[float]) -> None:
    at = progress_app().run()
    assert not at.exception and not at.error
    assert at.title[0].value == "My progress"
    assert [s.value for s in at.subheader] == ["Shoulder abduction, right", "Knee flexion, left"]
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == 1  # knee flexion has no results yet: no chart
    rules = [layer for layer in specs[0]["layer"] if layer["mark"]["type"] == "rule"]
    chart = at.get("vega_lite_chart")[0].proto
    [data] = [d.data.data for d in chart.datasets if d.name == rules[0]["data"]["name"]]
    lines = pa.ipc.open_stream(data).read_all().to_pandas()
    assert lines.to_dict("records") == [
        {"what": "target", "value": 160.0},
        {"what": "clinic", "value": 140.0},
    ]
    captions = [c.value for c in at.caption]
    yesterday = datetime.now(UTC).astimezone() - timedelta(days=1)
    assert f"Latest: 152° ({yesterday:%-d %b}) · target 160° · at the clinic 140° (20 Nov)" in (
        captions
    )
    assert "No results yet: do this test on the *My home check* page." in captions
    assert any("nothing is sent anywhere" in c for c in captions)


def test_export_gives_a_results_file_that_reads_back(
    two_days: list[float], home_plan: Path, tmp_path: Path
) -> None:
    plan = read_plan(home_plan)
    at = progress_app().run()
    path = tmp_path / "results.zip"
    path.write_bytes(_prepare(at))
    results = read_results(path)
    assert (results.plan_uuid, results.client_id, results.client_name) == (
        plan.plan_id,
        7,
        "Ada Client",
    )
    assert [m.value for m in results.measurements] == two_days
    assert [m.trial for m in results.measurements] == [1, 1, 2]
    assert all(m.landmarks and m.angles and m.video is None for m in results.measurements)
    # The same measurements have the same ids at the next export (the import de-duplicates).
    path.write_bytes(_prepare(at))
    assert [m.uuid for m in read_results(path).measurements] == [
        m.uuid for m in results.measurements
    ]
    at.checkbox(key="home_include_videos").check().run()
    assert not at.get("download_button")  # the file prepared has no videos: prepare again
    path.write_bytes(_prepare(at))
    with_videos = read_results(path)
    assert with_videos.includes_video
    assert all(m.video for m in with_videos.measurements)


def test_nothing_to_export_yet(home_plan: Path) -> None:
    at = progress_app().run()
    at.button(key="home_prepare_export").click().run()
    assert not at.exception
    assert "there are no measurements to export yet" in at.error[0].value
