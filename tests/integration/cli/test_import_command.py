"""``romcam import FILE [--client NAME_OR_ID]`` as a real subprocess (SQLite and PostgreSQL):
the count sentence, a re-import adding nothing, one-sentence refusals with exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from romcam.store import Store
from tests.integration.home.home_files import plan_for, results_file

CLIENT = "Ada Home"


def _romcam(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROMCAM_DATA_DIR": str(data_dir)}
    env.pop("ROMCAM_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_import_reports_what_it_added_and_what_was_there(
    store_url: str, data_dir: Path, tmp_path: Path
) -> None:
    with Store.open(store_url, root=data_dir) as store:
        path = results_file(tmp_path, plan_for(store, CLIENT))
        store.add_client("Bea Other")
    run = _romcam(data_dir, "import", str(path), "--db", store_url)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == (
        f"{CLIENT}: Imported 4 home measurements (2 tests) from 2026-12-01 to 2026-12-03; "
        "0 already there."
    )
    again = _romcam(data_dir, "import", str(path), "--client", CLIENT, "--db", store_url)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip().endswith(
        "Imported 0 home measurements (2 tests) from 2026-12-01 to 2026-12-03; 4 already there."
    )
    wrong = _romcam(data_dir, "import", str(path), "--client", "Bea Other", "--db", store_url)
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == (
        f"romcam: error: this file answers a plan of client {CLIENT}, not Bea Other; "
        f"import it for {CLIENT}\n"
    )
    with Store.open(store_url, root=data_dir) as store:
        assert len(store.measurements_frame(client=CLIENT)) == 4
        assert store.measurements_frame(client="Bea Other").empty


def test_bad_files_are_one_sentence(data_dir: Path, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'clinic.db'}"
    text = tmp_path / "notes.txt"
    text.write_text("not a results file\n")
    run = _romcam(data_dir, "import", str(text), "--db", db)
    assert run.returncode == 2
    assert run.stderr.startswith("romcam: error: notes.txt is not a romcam home results file")
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    missing = _romcam(data_dir, "import", str(tmp_path / "nowhere.zip"), "--db", db)
    assert missing.returncode == 2 and "nowhere.zip" in missing.stderr
    assert missing.stderr.count("\n") == 1
