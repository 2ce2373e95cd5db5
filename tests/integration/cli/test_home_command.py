"""``romcam home`` through the real entry point: a bad, changed or missing plan file and the
other argument errors refused with one sentence (exit 2), another client's plan kept out of
a client's folder, ``romcam home export -o FILE`` writing a results file that reads back, and
the dashboard really starting on localhost in client mode."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from romcam.cli.home import PLAN_COPY, client_env
from romcam.home.local import HOME_PHASE, HOME_PLAN_ENV, home_client
from romcam.home.plan import CHANGED_MESSAGE, PlanClient, read_plan
from romcam.home.results import read_results
from romcam.store import MeasurementInput, RecordingInput, Store
from tests.integration.ui.home_helpers import ada_plan, write_plan


def _romcam(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROMCAM_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv], capture_output=True, text=True, env=env
    )


def _refused(run: subprocess.CompletedProcess[str], sentence: str) -> None:
    assert run.returncode == 2, run.stderr
    assert run.stderr == f"romcam: error: {sentence}\n"


@pytest.fixture
def romcam_data(tmp_path: Path) -> Path:
    return tmp_path / "romcam-data"


def test_a_file_that_is_not_a_plan_is_refused(romcam_data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("see you next week")
    _refused(
        _romcam(romcam_data, "home", str(bad)),
        "this file is not a romcam plan (it is not JSON); choose the .romcam-plan.json file",
    )
    assert not (romcam_data / "home-check" / PLAN_COPY).exists()


def test_a_changed_plan_is_refused(romcam_data: Path, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    plan.write_text(plan.read_text().replace('"target": 160.0', '"target": 90.0'))
    _refused(_romcam(romcam_data, "home", str(plan)), CHANGED_MESSAGE)


def test_a_missing_plan_file_is_named(romcam_data: Path, tmp_path: Path) -> None:
    run = _romcam(romcam_data, "home", str(tmp_path / "nope.romcam-plan.json"))
    assert run.returncode == 2
    assert run.stderr.startswith("romcam: error: ") and "nope.romcam-plan.json" in run.stderr


def test_without_a_plan_given_before(romcam_data: Path) -> None:
    folder = romcam_data / "home-check"
    _refused(
        _romcam(romcam_data, "home"),
        f"there is no plan in {folder} yet; start with the plan file your therapist gave you: "
        "romcam home PLANFILE",
    )


def test_options_that_go_with_export_only(romcam_data: Path, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    _refused(
        _romcam(romcam_data, "home", str(plan), "-o", "x.zip"),
        "-o and --include-videos go with export: romcam home export -o FILE",
    )
    _refused(
        _romcam(romcam_data, "home", str(plan), "--port", "0"),
        "--port 0 is not a port; give a number from 1 to 65535",
    )
    _refused(
        _romcam(romcam_data, "home", "export"),
        "say where to write your results: romcam home export -o FILE",
    )


def _install(folder: Path, plan_file: Path) -> None:
    """As ``romcam home PLANFILE`` leaves the folder (without starting the dashboard)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PLAN_COPY).write_text(plan_file.read_text())


def test_another_clients_plan_needs_its_own_folder(romcam_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ada-home"
    _install(folder, write_plan(tmp_path / "ada"))
    other = replace(ada_plan(), client=PlanClient(store_id=8, name="Bob"))
    bob = tmp_path / "bob" / "bob.romcam-plan.json"
    bob.parent.mkdir()
    bob.write_text(other.to_json())
    _refused(
        _romcam(romcam_data, "home", str(bob), "--data-dir", str(folder)),
        f"the home check in {folder} is Ada Client's, and this plan is for Bob; give Bob a "
        "folder of their own with --data-dir",
    )
    assert read_plan(folder / PLAN_COPY).client.name == "Ada Client"  # untouched


def _measured(folder: Path, tmp_path: Path) -> None:
    """Two home trials of Ada's right shoulder abduction in her folder's store."""
    plan = read_plan(folder / PLAN_COPY)
    landmarks = tmp_path / "landmarks.csv"
    landmarks.write_text("frame,time_s\n0,0.0\n")
    with Store.open(f"sqlite:///{folder / 'romcam.db'}", root=folder) as store:
        client = home_client(store, plan)
        session = store.start_session(client.id)
        for n, value in enumerate((148.0, 151.0)):
            when = datetime.now(UTC) - timedelta(minutes=5 - n)
            trial = MeasurementInput(
                "shoulder_abduction", "right", HOME_PHASE, value, source="live", measured_at=when
            )
            store.add_measurement(session.id, trial, RecordingInput(landmarks=landmarks))


def test_export_writes_the_results_file(romcam_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ada-home"
    _install(folder, write_plan(tmp_path / "ada"))
    _refused(
        _romcam(
            romcam_data, "home", "export", "-o", str(tmp_path / "r.zip"), "--data-dir", str(folder)
        ),
        "there are no measurements to export yet; do today's home check first",
    )
    _measured(folder, tmp_path)
    out = tmp_path / "out" / "results.zip"
    run = _romcam(romcam_data, "home", "export", "-o", str(out), "--data-dir", str(folder))
    assert run.returncode == 0, run.stderr
    assert run.stdout == f"Wrote 2 measurements to {out}: give this file to your therapist.\n"
    results = read_results(out)
    assert results.client_id == 7 and [m.value for m in results.measurements] == [148.0, 151.0]
    assert all(m.landmarks for m in results.measurements)


def test_client_mode_never_uses_a_clinic_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROMCAM_DATABASE_URL", "postgresql+psycopg://clinic@db.example/romcam")
    env = client_env(tmp_path, tmp_path / PLAN_COPY)
    assert env["ROMCAM_DATABASE_URL"] == f"sqlite:///{(tmp_path / 'romcam.db').resolve()}"
    assert env["ROMCAM_DATA_DIR"] == str(tmp_path)
    assert env[HOME_PLAN_ENV] == str(tmp_path / PLAN_COPY)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_home_starts_the_dashboard_on_localhost(romcam_data: Path, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    port = _free_port()
    env = {**os.environ, "ROMCAM_DATA_DIR": str(romcam_data)}
    server = subprocess.Popen(
        [sys.executable, "-m", "romcam", "home", str(plan), "--port", str(port), "--no-browser"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        health = f"http://localhost:{port}/_stcore/health"
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(health, timeout=2) as reply:
                    assert reply.read() == b"ok"
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the dashboard did not start in 90 s"
                time.sleep(0.5)
        copied = romcam_data / "home-check" / PLAN_COPY
        assert read_plan(copied).plan_id == read_plan(plan).plan_id
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
