"""Client progress with home checks (AppTest, real SQLite store): the "Import home results"
upload says what it added or why it refused the file, and the history chart shows the home
checks as teal diamonds between the clinic's visits while first/latest stay clinic-to-clinic."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from romcam.store import MeasurementInput, Store
from romcam.store.home_days import HomeDay, add_home_days
from romcam.ui.current import CLIENT_KEY, START_LABEL, session_key
from romcam.ui.home_points import HOME_COLOUR, HOME_LABEL
from tests.integration.home.home_files import plan_for, results_file
from tests.integration.ui.app_helpers import page_app

CLIENT = "Ada Home"
ROUND = "home_results_upload_round"
#: Clinic visits before and after the home days (1-3 December 2026): shoulder flexion (right).
VISITS = (
    (datetime(2026, 11, 28, 10, tzinfo=UTC), 140.0),
    (datetime(2026, 12, 5, 10, tzinfo=UTC), 146.0),
)


def _store_with_visits(folder: Path) -> Path:
    """The client's two clinic visits and a plan; the results file of 4 home trials."""
    with Store.open() as store:
        store.add_client(CLIENT)
        for when, value in VISITS:
            session = store.start_session(CLIENT, therapist="Sam", started_at=when)
            store.add_measurement(
                session.id,
                MeasurementInput("shoulder_flexion", "right", "before", value, measured_at=when),
            )
        return results_file(folder, plan_for(store, CLIENT))


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    uploader = at.file_uploader(key=f"home_results_upload_{at.session_state[ROUND]}")
    assert uploader.label == "Home results file"
    uploader.set_value((name, data, "application/zip")).run()
    return at.button(key="home_results_import").click().run()


def _texts(at: AppTest) -> str:
    return " ".join(e.value for e in [*at.success, *at.error, *at.caption])


def _charts(at: AppTest) -> list[tuple[dict[str, Any], dict[str, pd.DataFrame]]]:
    """Each chart's spec and its datasets by name (the page sends them apart as Arrow)."""
    return [
        (
            json.loads(c.proto.spec),
            {
                d.name: pa.ipc.open_stream(d.data.data).read_all().to_pandas()
                for d in c.proto.datasets
            },
        )
        for c in at.get("vega_lite_chart")
    ]


def _home_layer(spec: dict[str, Any]) -> dict[str, Any]:
    return next(lay for lay in spec["layer"] if lay["mark"].get("shape") == "diamond")


def test_import_then_home_points_between_the_visits(data_dir: Path, tmp_path: Path) -> None:
    path = _store_with_visits(tmp_path)
    at = page_app("progress", "progress_page").run()
    assert not at.exception and not at.error
    _upload(at, path.name, path.read_bytes())
    assert not at.exception and not at.error
    assert (
        "Imported 4 home measurements (2 tests) from 2026-12-01 to 2026-12-03; 0 already there."
        in [s.value for s in at.success]
    )
    summary = at.dataframe[0].value
    row = summary[summary["Test"] == "Shoulder flexion (right)"].iloc[0]
    assert (row["Visits"], row["First"], row["Latest"]) == (2, 140.0, 146.0)  # clinic only
    charts = _charts(at)
    assert len(charts) == 2  # shoulder flexion (right) and knee flexion (left, home only)
    (spec, data), (knee_spec, knee_data) = charts
    home = _home_layer(spec)
    points = data[home["data"]["name"]]
    assert points["value"].tolist() == [150.0, 152.0, 155.0]
    days = [f"{t:%Y-%m-%d}" for t in pd.to_datetime(points["visit"])]
    assert days == ["2026-12-01", "2026-12-02", "2026-12-03"]
    assert home["encoding"]["color"]["scale"] == {"domain": [HOME_LABEL], "range": [HOME_COLOUR]}
    assert {t["title"] for t in home["encoding"]["tooltip"]} >= {"measured", "home check"}
    line = next(lay for lay in spec["layer"] if lay["mark"]["type"] == "line")
    assert data[line["data"]["name"]]["value"].tolist() == [140.0, 146.0]  # visits only
    assert "not counted as visits" in _texts(at)
    assert knee_data[_home_layer(knee_spec)["data"]["name"]]["value"].tolist() == [120.0]

    _upload(at, path.name, path.read_bytes())  # the same file again
    again = "Imported 0 home measurements (2 tests) from 2026-12-01 to 2026-12-03; 4 already there."
    assert again in [s.value for s in at.success]
    with Store.open() as store:
        assert len(store.measurements_frame(client=CLIENT)) == 6
    assert not list((data_dir / "uploads").glob("*/*"))  # the uploaded file is not kept


@pytest.mark.parametrize("kind", ["tampered", "other client", "not ours"])
def test_a_bad_file_is_refused_with_one_sentence(data_dir: Path, tmp_path: Path, kind: str) -> None:
    path = _store_with_visits(tmp_path)
    if kind == "other client":
        with Store.open() as store:
            other = results_file(tmp_path, plan_for(store, "Bea Other"), name="bea.zip")
        data = other.read_bytes()
        expected = f"this file answers a plan of client Bea Other, not {CLIENT}"
    elif kind == "tampered":
        edited = tmp_path / "edited.zip"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(edited, "w") as out:
            for info in src.infolist():
                out.writestr(info, src.read(info).replace(b"150.0", b"175.0"))
        data = edited.read_bytes()
        expected = "was changed or damaged after it was exported"
    else:
        data = b"PK\x05\x06" + bytes(18)  # an empty ZIP
        expected = "is not a romcam home results file"
    at = page_app("progress", "progress_page").run()
    with Store.open() as store:
        at.selectbox(key=CLIENT_KEY).set_value(store.get_client(CLIENT).id).run()
    _upload(at, "results.zip", data)
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("Could not import 'results.zip': ") and expected in error.value
    with Store.open() as store:
        assert store.measurements_frame(client=CLIENT)["source"].tolist() == ["video"] * 2


def test_a_home_check_of_today_is_not_todays_visit(data_dir: Path) -> None:
    """The sidebar never makes an imported home session the current visit by default."""
    now = datetime.now(UTC)
    trial = MeasurementInput(
        "shoulder_flexion", "right", "home", 150.0, source="home", measured_at=now
    )
    with Store.open() as store:
        client = store.add_client(CLIENT)
        naive = now.replace(tzinfo=None)
        day = HomeDay(
            (naive - timedelta(hours=1), naive + timedelta(hours=1)), "", ((trial, None),)
        )
        add_home_days(store, client.id, [day])
    at = page_app("progress", "progress_page").run()
    assert not at.exception
    assert at.sidebar.selectbox(key=session_key(client.id)).value is None
    assert START_LABEL in [b.label for b in at.sidebar.get("form_submit_button")]
