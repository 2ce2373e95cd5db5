"""``romcam gait WALK --session N`` through the real entry point, on a synthetic walk's
landmarks.csv (no model run) and a SQLite store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from romcam.core.synthetic_gait import synthetic_walk
from romcam.media.landmark_csv import write_landmarks_csv
from romcam.store import Store
from romcam.store.from_gait import GAIT_VALUES


@pytest.fixture(scope="module")
def walk_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("walk") / "walk.csv"
    return write_landmarks_csv(path, synthetic_walk(duration_s=6.0).pose)


def _romcam(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROMCAM_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv], capture_output=True, text=True, env=env
    )


def _session(data_dir: Path) -> tuple[str, int]:
    url = f"sqlite:///{data_dir / 'gait.db'}"
    data_dir.mkdir(parents=True, exist_ok=True)
    with Store.open(url, root=data_dir) as store:
        return url, store.start_session(store.add_client("Wes")).id


def test_gait_with_session_stores_the_walk(walk_csv: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    url, sid = _session(data)
    out = tmp_path / "out"
    run = _romcam(
        data,
        "gait",
        str(walk_csv),
        "--out",
        str(out),
        "--session",
        str(sid),
        "--phase",
        "after",
        "--db",
        url,
    )
    assert run.returncode == 0, run.stderr
    assert f"Stored {2 * len(GAIT_VALUES)} gait values in session {sid} (after)" in run.stdout
    assert {"gait.json", "cycles.csv", "gait.png", "gait.html"} <= {p.name for p in out.iterdir()}
    with Store.open(url, root=data) as store:
        frame = store.measurements_frame(session_id=sid)
    assert set(frame["phase"]) == {"after"} and len(frame) == 2 * len(GAIT_VALUES)
    cadence = frame[(frame["test"] == "gait_cadence") & (frame["side"] == "left")]
    assert float(cadence["value"].iloc[0]) == pytest.approx(120 / 1.1, abs=0.5)
    assert frame["angles_path"].notna().all()
    assert frame["landmarks_path"].notna().sum() == 1  # the walk's landmarks kept once


def test_an_unknown_session_is_said_before_the_walk_is_analysed(
    walk_csv: Path, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    url, sid = _session(data)
    out = tmp_path / "out"
    run = _romcam(
        data, "gait", str(walk_csv), "--out", str(out), "--session", str(sid + 5), "--db", url
    )
    assert run.returncode == 2
    assert f"romcam: error: no session {sid + 5} in the store" in run.stderr
    assert not out.exists()


def test_a_failed_save_keeps_the_written_files(walk_csv: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    url, sid = _session(data)
    (data / "recordings").write_text("not a folder")  # the store cannot keep files
    out = tmp_path / "out"
    run = _romcam(
        data, "gait", str(walk_csv), "--out", str(out), "--session", str(sid), "--db", url
    )
    assert run.returncode == 2
    assert f"the walk's files stay in {out}; nothing was stored" in run.stderr
    assert "romcam: error: cannot write the recording files" in run.stderr
    assert (out / "gait.json").is_file() and (out / "cycles.csv").is_file()
    with Store.open(url, root=data) as store:
        assert store.list_measurements(sid) == []
