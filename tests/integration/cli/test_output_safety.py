"""Writing commands never replace their inputs, and a file-system problem is one sentence with
exit status 2 (landmark files and databases made in the test; no pose model)."""

from __future__ import annotations

import re
import signal
from datetime import datetime
from pathlib import Path

import pytest

from romcam.cli import main
from romcam.media.landmark_csv import write_landmarks_csv
from romcam.store import MeasurementInput, Store
from tests.unit.core.test_occlusion import _seated_front


def error_of(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """Run romcam; assert it failed with exit status 2 and one line; return that line."""
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("romcam: error: "), err
    return err.strip()


@pytest.fixture
def landmarks(tmp_path: Path) -> Path:
    return write_landmarks_csv(tmp_path / "work" / "landmarks.csv", _seated_front(n=40))


@pytest.mark.parametrize(
    ("output", "match"),
    [
        (["-o", "{lm}"], r"the output .*landmarks.csv is the input .*landmarks.csv; give -o"),
        (["--summary", "{lm}"], r"the output .*landmarks.csv is the input"),
        (["-o", "{dir}/sub/../landmarks.csv"], r"the output .*sub/../landmarks.csv is the input"),
        (["-o", "{dir}/alias.csv"], r"the output .*alias.csv is the input .*landmarks.csv"),
        (["-o", "{dir}/hard.csv"], r"the output .*hard.csv is the input .*landmarks.csv"),
        (["-o", "{dir}/a.csv", "--summary", "{dir}/a.csv"], r"two outputs are the same file"),
    ],
)
def test_angles_never_replaces_its_landmark_file(
    landmarks: Path, capsys: pytest.CaptureFixture[str], output: list[str], match: str
) -> None:
    folder = landmarks.parent
    (folder / "alias.csv").symlink_to(landmarks)
    (folder / "hard.csv").hardlink_to(landmarks)
    (folder / "sub").mkdir()
    original = landmarks.read_bytes()
    argv = [a.format(lm=landmarks, dir=folder) for a in output]
    assert re.search(match, error_of(capsys, ["angles", str(landmarks), *argv]))
    assert landmarks.read_bytes() == original
    assert not (folder / "a.csv").exists()


def test_angles_default_output_never_replaces_a_landmark_file_named_angles_csv(
    landmarks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    renamed = landmarks.rename(landmarks.with_name("angles.csv"))
    original = renamed.read_bytes()
    assert "is the input" in error_of(capsys, ["angles", str(renamed)])
    assert renamed.read_bytes() == original


def test_angles_output_problems_are_one_sentence(
    landmarks: Path,
    unwritable: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = landmarks.parent
    err = error_of(capsys, ["angles", str(landmarks), "-o", str(folder)])
    assert err.endswith(f"-o {folder} is a folder; give a file name")
    err = error_of(capsys, ["angles", str(landmarks), "--summary", str(landmarks / "s.json")])
    assert "cannot be made" in err and f"{landmarks} is a file, not a folder" in err
    err = error_of(capsys, ["angles", str(landmarks), "-o", str(unwritable / "a.csv")])
    assert f"-o {unwritable / 'a.csv'}: cannot write in {unwritable}: permission denied" in err
    assert sorted(p.name for p in folder.iterdir()) == ["landmarks.csv"]


@pytest.fixture
def db(tmp_path: Path, data_dir: Path) -> tuple[list[str], Path]:
    """``--db URL`` of a SQLite store with client Pat and one measured session; the file."""
    path = tmp_path / "romcam.db"
    url = f"sqlite:///{path}"
    with Store.open(url, root=data_dir) as store:
        store.add_client("Pat")
        session = store.start_session("Pat", started_at=datetime(2026, 1, 5, 9))
        store.add_measurement(
            session.id, MeasurementInput("shoulder_flexion", "left", "before", 150.0)
        )
    return ["--db", url], path


def test_export_and_report_targets_are_checked_first(
    tmp_path: Path,
    db: tuple[list[str], Path],
    unwritable: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, _ = db
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    err = error_of(capsys, ["export", "Pat", "--csv", str(a_file), *url])
    assert err.endswith(f"--csv {a_file} is a file, not a folder; give a folder")
    err = error_of(capsys, ["export", "Pat", "--csv", str(unwritable / "csv"), *url])
    assert "permission denied" in err
    err = error_of(capsys, ["report", "1", "-o", str(tmp_path), *url])
    assert err.endswith(f"-o {tmp_path} is a folder; give a file name")
    err = error_of(capsys, ["report", "1", "-o", str(a_file / "r.html"), *url])
    assert f"{a_file} is a file, not a folder" in err
    assert a_file.read_text() == "mine"


def test_report_never_replaces_the_database(
    db: tuple[list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, db_file = db
    original = db_file.read_bytes()
    err = error_of(capsys, ["report", "--client", "Pat", "-o", str(db_file), *url])
    assert f"the output {db_file} is the input {db_file}" in err
    assert db_file.read_bytes() == original
    assert main(["compare", "1", *url]) == 0  # still a database


def test_calibrate_targets_into_a_file_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "targets"
    a_file.write_text("x")
    err = error_of(capsys, ["calibrate", "targets", "--out", str(a_file)])
    assert err.endswith(f"--out {a_file} is a file, not a folder; give a folder")


def test_an_os_error_no_check_foresaw_is_still_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("x")
    monkeypatch.setenv("ROMCAM_DATA_DIR", str(a_file / "romcam"))
    err = error_of(capsys, ["calibrate", "level", "--degrees", "1.5", "--name", "desk"])
    assert err == (
        f"romcam: error: {a_file / 'romcam'}: a part of the path is a file, not a folder; "
        "choose a path of folders"
    )


def test_main_restores_the_sigterm_handler(landmarks: Path) -> None:
    before = signal.getsignal(signal.SIGTERM)
    assert main(["angles", str(landmarks), "-o", str(landmarks.with_name("a.csv"))]) == 0
    assert signal.getsignal(signal.SIGTERM) == before


def test_a_read_only_output_file_is_refused_not_replaced(
    landmarks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rename replaces a read-only file whatever its mode; someone marked it so it stays."""
    kept = landmarks.parent / "angles-final.csv"
    kept.write_text("frame,time_s\n")
    kept.chmod(0o444)
    line = error_of(capsys, ["angles", str(landmarks), "-o", str(kept)])
    assert re.search(r"-o .*angles-final.csv is read-only; make it writable", line)
    assert kept.read_text() == "frame,time_s\n"
