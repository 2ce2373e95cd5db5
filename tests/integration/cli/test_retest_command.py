"""``romcam retest summary`` and ``adopt`` as a subprocess, on a real SQLite store of pairs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from romcam.outcomes.mdc import load_mdc_table
from romcam.outcomes.reliability import reliability
from romcam.store import MeasurementInput, Store
from tests.retest_seed import knee_matrix, seed_retest_pairs


def romcam(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROMCAM_DATA_DIR": str(data_dir)}
    env.pop("ROMCAM_MDC_FILE", None)
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'romcam.db'}"
    data = tmp_path / "data"
    with Store.open(url, root=data) as store:
        seed_retest_pairs(store)
    return url, data


def test_summary_prints_icc_sem_and_mdc_per_test(seeded: tuple[str, Path]) -> None:
    url, data = seeded
    run = romcam(data, "retest", "summary", "--db", url)
    assert run.returncode == 0, run.stderr
    expected = reliability(knee_matrix())
    knee = next(line for line in run.stdout.splitlines() if line.startswith("Knee flexion"))
    agreement = expected.icc_agreement
    assert f"{agreement.value:.2f} [{agreement.lower:.2f}, {agreement.upper:.2f}]" in knee
    assert f"{expected.sem:.1f}°" in knee and f"{expected.mdc95:.1f}°" in knee
    assert knee.split()[2:4] == ["6", "3"]  # pairs, clients
    assert "Knee flexion: only 6 pairs" in run.stdout
    assert "Shoulder flexion: all pairs come from one client" in run.stdout


def test_summary_of_one_client_and_of_an_empty_store(seeded: tuple[str, Path]) -> None:
    url, data = seeded
    run = romcam(data, "retest", "summary", "--db", url, "--client", "Cy")
    assert run.returncode == 0 and "(Cy;" in run.stdout
    assert "Shoulder" not in run.stdout
    knee = next(line for line in run.stdout.splitlines() if line.startswith("Knee flexion"))
    assert knee.split()[2:4] == ["2", "1"]
    assert "Knee flexion: all pairs come from one client" in run.stdout
    empty = romcam(data, "retest", "summary", "--db", f"sqlite:///{data / 'empty.db'}")
    assert empty.returncode == 0 and "No test-retest pairs yet" in empty.stdout
    unknown = romcam(data, "retest", "summary", "--db", url, "--client", "Nobody")
    assert unknown.returncode == 2 and "romcam: error: no client 'Nobody'" in unknown.stderr


def test_adopted_file_is_loaded_and_used_by_compare(
    seeded: tuple[str, Path], tmp_path: Path
) -> None:
    url, data = seeded
    out = tmp_path / "clinic.toml"
    run = romcam(data, "retest", "adopt", "--db", url, "-o", str(out))
    assert run.returncode == 0, run.stderr
    assert f"Wrote {out}" in run.stdout and "ROMCAM_MDC_FILE" in run.stdout
    mdc = reliability(knee_matrix()).mdc95
    table = load_mdc_table(out)
    assert table.mdc("knee_flexion") == pytest.approx(mdc, abs=0.05)
    assert table.lookup("knee_flexion").source.startswith("clinic test-retest, 6 pairs, ")

    # A before/after change of 8 deg: within the published 10 deg, real with the clinic's MDC.
    assert mdc < 8.0
    with Store.open(url, root=data) as store:
        sid = store.start_session("Bo").id
        store.add_measurement(sid, MeasurementInput("knee_flexion", "left", "before", 110.0))
        store.add_measurement(sid, MeasurementInput("knee_flexion", "left", "after", 118.0))
    default = romcam(data, "compare", str(sid), "--db", url)
    clinic = romcam(data, "compare", str(sid), "--db", url, "--mdc", str(out))
    assert "within measurement error" in default.stdout
    assert "real change: more range" in clinic.stdout
    # Saved as clinic-mdc.toml in the data directory, it is used without --mdc.
    (data / "clinic-mdc.toml").write_text(out.read_text())
    assert "real change: more range" in romcam(data, "compare", str(sid), "--db", url).stdout


def test_adopt_refuses_a_folder_and_a_store_without_pairs(
    seeded: tuple[str, Path], tmp_path: Path
) -> None:
    url, data = seeded
    folder = romcam(data, "retest", "adopt", "--db", url, "-o", str(tmp_path))
    assert folder.returncode == 2 and "is a folder; give a file name" in folder.stderr
    empty = romcam(
        data, "retest", "adopt", "--db", f"sqlite:///{data / 'e.db'}", "-o", str(tmp_path / "x")
    )
    assert empty.returncode == 2 and "no MDC to adopt" in empty.stderr
    assert not (tmp_path / "x").exists()
