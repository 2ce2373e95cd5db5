"""Without a file (a clinic's shared PostgreSQL; SQLite too): a home check's folder imported
straight into the clinic's store, by the import's core function and by ``romcam import
--home-dir DIR --db URL`` — the same checks, counts and de-duplication as a results file."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from romcam.cli.home import PLAN_COPY, client_database_url
from romcam.home.clinic_import import WrongClientError, import_home_results
from romcam.home.local import collect_results
from romcam.home.plan import HomePlan
from romcam.store import MeasurementInput, RecordingInput, Store
from tests.integration.home.home_files import CET, TRIALS, plan_for

CLIENT = "Ada Home"


def _home_check(folder: Path, plan: HomePlan) -> Path:
    """The client's home-check folder (as ``romcam home --data-dir``): the plan's copy and
    the four trials of TRIALS in the client's own store (phase home, source live)."""
    folder.mkdir()
    (folder / PLAN_COPY).write_text(plan.to_json(), encoding="utf-8")
    with Store.open(client_database_url(folder), root=folder) as home:
        client = home.add_client(plan.client.name)
        for day, hour, test, side, value in TRIALS:
            when = datetime(2026, 12, day, hour, 5, 7, 250_000, tzinfo=CET)
            session = home.start_session(client.id, started_at=when)
            csv = folder / f"{test}-{day}.csv"
            csv.write_text("frame,time_s\n0,0.0\n")
            trial = MeasurementInput(test, side, "home", value, source="live", measured_at=when)
            home.add_measurement(session.id, trial, RecordingInput(landmarks=csv))
    return folder


def test_the_core_imports_a_home_check_without_a_file(store: Store, tmp_path: Path) -> None:
    folder = _home_check(tmp_path / "home-check", plan_for(store, CLIENT))
    with Store.open(client_database_url(folder), root=folder) as home:
        results, files = collect_results(home, plan_for_folder(folder))
    report = import_home_results(store, results, files, source="the home check")
    assert (report.added, report.already, report.tests) == (4, 0, 2)
    frame = store.measurements_frame(client=CLIENT)
    assert frame["source"].tolist() == ["home"] * 4
    assert all(store.path_of(p).is_file() for p in frame["landmarks_path"])
    again = import_home_results(store, results, files, source="the home check")
    assert (again.added, again.already) == (0, 4)
    store.add_client("Bea Other")
    with pytest.raises(WrongClientError, match=r"^this home check answers a plan of client Ada"):
        import_home_results(store, results, files, source="the home check", client="Bea Other")


def plan_for_folder(folder: Path) -> HomePlan:
    return HomePlan.from_json((folder / PLAN_COPY).read_text(encoding="utf-8"))


def test_romcam_import_home_dir(store_url: str, data_dir: Path, tmp_path: Path) -> None:
    with Store.open(store_url, root=data_dir) as store:
        folder = _home_check(tmp_path / "home-check", plan_for(store, CLIENT))
    env = {**os.environ, "ROMCAM_DATA_DIR": str(data_dir)}
    env.pop("ROMCAM_DATABASE_URL", None)
    command = [sys.executable, "-m", "romcam", "import", "--home-dir", str(folder)]
    run = subprocess.run(
        [*command, "--db", store_url], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        f"{CLIENT}: Imported 4 home measurements (2 tests) from 2026-12-01 to 2026-12-03; "
        "0 already there."
    )
    both = subprocess.run(
        [*command, str(tmp_path / "x.zip"), "--db", store_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert both.returncode == 2
    assert both.stderr == "romcam: error: give the results FILE or --home-dir DIR (one of them)\n"
