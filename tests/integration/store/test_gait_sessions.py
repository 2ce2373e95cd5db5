"""The gait test in sessions on a real store (SQLite and PostgreSQL): a synthetic walk's
gait.json and cycles.csv stored, compared over two visits, its curves overlaid in the report."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from romcam.core.gait_metrics import analyze_gait
from romcam.core.synthetic_gait import synthetic_walk
from romcam.errors import InputError
from romcam.gait_output import write_gait_files
from romcam.outcomes.compare import before_after, progress
from romcam.outcomes.gait_curves import overlay_frame, read_cycles, stored_walks, two_walks
from romcam.outcomes.report import progress_report, session_report
from romcam.store import MeasurementRecord, Store
from romcam.store.from_gait import GAIT_VALUES, save_gait, stored_gait_json

#: Two visits' walks: a slower and a quicker stride (cadence 109 and 126 steps/min).
STRIDES = (1.1, 0.95)


@pytest.fixture(scope="module")
def walks(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Folders with gait.json and cycles.csv of synthetic walks, one per stride of STRIDES."""
    folders = []
    for stride in STRIDES:
        folder = tmp_path_factory.mktemp(f"walk{stride}")
        result = analyze_gait(synthetic_walk(duration_s=6.0, stride_s=stride).pose)
        write_gait_files(folder, result, {"path": "walk.csv"}, title="walk")
        folders.append(folder)
    return folders


def _session(store: Store, day: int) -> int:
    if not store.list_clients():
        store.add_client("Gia")
    return store.start_session("Gia", started_at=datetime(2026, 3, day, 9)).id


def test_a_walk_is_stored_as_one_measurement_per_value_and_leg(
    store: Store, walks: list[Path]
) -> None:
    sid = _session(store, 2)
    before = sorted(p.name for p in walks[0].iterdir())
    saved = save_gait(store, sid, walks[0], phase="before", landmarks=walks[0] / "cycles.csv")
    assert sorted(p.name for p in walks[0].iterdir()) == before  # the folder is left as it is
    doc = json.loads((walks[0] / "gait.json").read_text())
    assert len(saved) == 2 * len(GAIT_VALUES)
    for record in saved:
        key, factor = GAIT_VALUES[record.test]
        assert record.value == pytest.approx(doc[record.side][key] * factor)
        assert record.metric == f"{record.test}_{record.side}" and record.view == "side"
        assert record.recording is not None and record.recording.angles_path
        stored = store.path_of(record.recording.angles_path)
        assert stored.read_bytes() == (walks[0] / "cycles.csv").read_bytes()
        assert (
            stored_gait_json(store.root, record.recording.angles_path).read_bytes()
            == (walks[0] / "gait.json").read_bytes()
        )
    units = {r.test: r.unit for r in saved}
    assert units["gait_cadence"] == "steps/min" and units["gait_stance"] == "%"
    assert units["gait_step_time"] == "ms" and units["gait_knee_swing"] == "deg"
    assert [r.recording.landmarks_path is not None for r in saved if r.recording] == [True] + [
        False
    ] * (len(saved) - 1)
    # Deleting one value deletes its own folder only; the others keep their curves.
    gone = _cycles_file(store, saved[0]).parent
    store.delete_measurement(saved[0].id)
    assert not gone.exists()
    assert _cycles_file(store, saved[1]).is_file()


def _cycles_file(store: Store, record: MeasurementRecord) -> Path:
    assert record.recording is not None and record.recording.angles_path is not None
    return store.path_of(record.recording.angles_path)


def test_a_failed_save_stores_nothing(store: Store, walks: list[Path], tmp_path: Path) -> None:
    sid = _session(store, 2)
    front = tmp_path / "front"
    front.mkdir()
    (front / "gait.json").write_text(json.dumps({"view": "front", "left": {}, "right": {}}))
    (front / "cycles.csv").write_text("side\n")
    with pytest.raises(InputError, match="front-view walk"):
        save_gait(store, sid, front, phase="before")
    with pytest.raises(InputError, match="no session"):
        save_gait(store, sid + 99, walks[0], phase="before")
    assert store.list_measurements(sid) == []
    assert not (store.root / "recordings").exists() or not any(
        (store.root / "recordings").rglob("*.csv")
    )


def _two_visits(store: Store, walks: list[Path]) -> pd.DataFrame:
    first, second = _session(store, 2), _session(store, 30)
    save_gait(store, first, walks[0], phase="before")
    save_gait(store, first, walks[1], phase="after")
    save_gait(store, second, walks[1], phase="before")
    return store.measurements_frame(client="Gia")


def test_before_after_and_progress_of_gait_values(store: Store, walks: list[Path]) -> None:
    frame = _two_visits(store, walks)
    first = int(frame["session_id"].min())
    ba = before_after(frame[frame["session_id"] == first]).set_index(["test", "side"])
    cadence = _at(ba, "gait_cadence", "left")
    assert cadence["before"] == pytest.approx(120 / 1.1, abs=0.5)
    assert cadence["after"] == pytest.approx(120 / 0.95, abs=0.5)
    assert cadence["unit"] == "steps/min" and cadence["mdc95"] == 6.0
    assert cadence["verdict"] == "real change"  # no direction: more cadence is not "more range"
    assert np.isnan(cadence["after_pct_normal"])
    stride = _at(ba, "gait_stride_time", "right")
    assert stride["change"] == pytest.approx(-150.0, abs=34)  # one frame: 33 ms
    assert _at(ba, "gait_knee_swing", "left")["verdict"] == "within measurement error"
    prog = progress(frame).set_index(["test", "side"])
    assert _at(prog, "gait_cadence", "right")["verdict"] == "real change"
    assert _at(prog, "gait_cadence", "right")["visits"] == 2
    assert not prog["verdict"].str.contains("range").any()


def _at(frame: pd.DataFrame, test: str, side: str) -> Any:
    """The row of ``test`` and ``side`` (index test, side) as a Series."""
    return frame.loc[(test, side)]


def test_two_visits_curves_overlay_from_the_stored_files(store: Store, walks: list[Path]) -> None:
    frame = _two_visits(store, walks)
    found = stored_walks(frame, store.root)
    assert [(phase, w.label) for _, phase, w in found] == [
        ("before", "2 Mar 2026 (before)"),
        ("after", "2 Mar 2026 (after)"),
        ("before", "30 Mar 2026 (before)"),
    ]
    pair = two_walks(found)
    assert [w.label for w in pair] == ["2 Mar 2026 (before)", "30 Mar 2026 (before)"]
    data = overlay_frame(pair)
    assert set(data["visit"]) == {"normal", "2 Mar 2026 (before)", "30 Mar 2026 (before)"}
    for walk, folder in zip(pair, walks, strict=True):
        cycles = read_cycles(folder / "cycles.csv")
        knee = cycles[(cycles["side"] == "right") & (cycles["joint"] == "knee")]
        rows = data[(data["visit"] == walk.label) & (data["side"] == "right")]
        at_70 = rows[(rows["joint"] == "knee") & (rows["pct"] == 70)]
        assert float(at_70["mean"].iloc[0]) == pytest.approx(knee["pct_70"].mean())
        assert int(at_70["n_cycles"].iloc[0]) == len(knee)
    session_pair = two_walks(found, session_id=int(frame["session_id"].min()))
    assert [w.label for w in session_pair] == ["2 Mar 2026 (before)", "2 Mar 2026 (after)"]


def test_reports_show_the_gait_values_and_curves(store: Store, walks: list[Path]) -> None:
    frame = _two_visits(store, walks)
    page = progress_report(frame, files_root=store.root)
    assert "Gait: cadence (left)" in page and "<h2>Gait curves</h2>" in page
    assert re.search(
        r'<img alt="Knee and hip curves over the gait cycle" src="data:image/png', page
    )
    assert "more range" not in page and "less range" not in page
    first = frame[frame["session_id"] == frame["session_id"].min()]
    page = session_report(first, files_root=store.root)
    assert "<h2>Gait curves</h2>" in page and "Knee and hip curves" in page
    assert "not available" in session_report(first)  # no files root: said, not failed
