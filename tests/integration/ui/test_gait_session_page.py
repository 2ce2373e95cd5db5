"""The Gait page's save and compare under AppTest: a synthetic walk's landmarks.csv (no model),
an earlier walk of the client stored, this one saved to the current session."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from streamlit.testing.v1 import AppTest

from romcam.core.gait_metrics import analyze_gait
from romcam.core.synthetic_gait import synthetic_walk
from romcam.gait_output import write_gait_files
from romcam.media.landmark_csv import write_landmarks_csv
from romcam.store import Store
from romcam.store.from_gait import GAIT_VALUES, save_gait
from romcam.ui.current import CLIENT_KEY, session_key
from tests.integration.ui.app_helpers import page_app


def _earlier_visit(tmp_path: Path) -> tuple[int, int]:
    """A client with a walk (stride 1.1 s) stored on 2 Mar 2026 and a session today."""
    folder = tmp_path / "earlier"
    folder.mkdir()
    result = analyze_gait(synthetic_walk(duration_s=6.0, stride_s=1.1).pose)
    write_gait_files(folder, result, {"path": "walk.csv"}, title="walk")
    with Store.open() as store:
        client = store.add_client("Hal")
        earlier = store.start_session(client, started_at=datetime(2026, 3, 2, 9))
        save_gait(store, earlier.id, folder, phase="before")
        return client.id, store.start_session(client).id


def test_save_to_the_current_session_and_compare(tmp_path: Path, data_dir: Path) -> None:
    client_id, today = _earlier_visit(tmp_path)
    walk = write_landmarks_csv(
        tmp_path / "walk.csv", synthetic_walk(duration_s=6.0, stride_s=0.95).pose
    )
    at: AppTest = page_app("gait", "gait_page")
    at.session_state[CLIENT_KEY] = client_id
    at.session_state[session_key(client_id)] = today
    at.run()
    at.file_uploader(key="gait_upload").set_value(("walk.csv", walk.read_bytes(), "text/csv"))
    at.run()
    next(b for b in at.button if b.label == "Analyze the walk").click().run(timeout=120)
    assert not at.exception and not at.error
    assert "Compare with an earlier visit" in [h.value for h in at.subheader]
    assert at.selectbox(key="gait_compare_with").value == "Session #1: 2 Mar 2026 (before)"
    [chart] = at.get("vega_lite_chart")
    assert "this walk" in json.dumps(json.loads(chart.proto.spec))  # solid: this walk
    [dataset] = chart.proto.datasets
    data = pa.ipc.open_stream(dataset.data.data).read_all().to_pandas()
    assert set(data["visit"]) == {"normal", "2 Mar 2026 (before)", "this walk"}
    assert set(data["joint"]) == {"knee", "hip"} and set(data["side"]) == {"", "left", "right"}
    values = at.dataframe[-1].value
    cadence = values.loc["Gait: cadence (steps/min)"]
    assert abs(cadence["2 Mar 2026 (before), left"] - 120 / 1.1) < 0.5
    assert abs(cadence["this walk, right"] - 120 / 0.95) < 0.5

    at.radio(key="gait_phase").set_value("after").run()
    next(b for b in at.button if b.label == "Save to the current session").click().run()
    assert not at.exception and not at.error
    assert f"Saved: {2 * len(GAIT_VALUES)} gait values in session #{today}." in [
        s.value for s in at.success
    ]
    with Store.open() as store:
        frame = store.measurements_frame(session_id=today)
    assert len(frame) == 2 * len(GAIT_VALUES) and set(frame["phase"]) == {"after"}
    cadence_now = frame[(frame["test"] == "gait_cadence") & (frame["side"] == "left")]
    assert abs(float(cadence_now["value"].iloc[0]) - 120 / 0.95) < 0.5
    assert not [p for p in (data_dir / "uploads").iterdir() if p.is_dir()]  # nothing left
    labels = at.selectbox(key="gait_compare_with").options
    assert len(labels) == 2 and labels[1].startswith(f"Session #{today}: ")


def test_progress_page_shows_the_stored_gait_values(tmp_path: Path, data_dir: Path) -> None:
    client_id, _ = _earlier_visit(tmp_path)
    at = page_app("progress", "progress_page")
    at.session_state[CLIENT_KEY] = client_id
    at.run()
    assert not at.exception and not at.error
    shown = " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "Gait: cadence" in shown
