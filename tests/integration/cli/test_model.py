"""``romcam model`` through the real command-line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.cli import main
from romcam.pose import model_files
from romcam.pose.model_files import (
    FACE_MODEL_ENV,
    FACE_MODEL_URL,
    MODEL_ENV,
    cached_face_model_path,
    packaged_face_model_path,
    packaged_model_path,
)
from tests.conftest import MODEL_PATH, SHARED_DIR


@pytest.fixture(autouse=True)
def _private_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    monkeypatch.delenv(FACE_MODEL_ENV, raising=False)


def test_model_path_prints_the_packaged_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(packaged_model_path())


def test_model_path_honours_explicit_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "path", "--model", str(MODEL_PATH)]) == 0
    assert capsys.readouterr().out.strip() == str(MODEL_PATH)


def test_model_path_with_missing_model_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "path", "--model", str(tmp_path / "nope.task")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("romcam: error: pose model not found")
    assert "Traceback" not in err


def test_model_download_without_network_fails_cleanly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["model", "download", "lite", "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert "could not download the lite pose model" in err
    assert "Traceback" not in err


def test_model_download_rejects_unknown_variant(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["model", "download", "huge"])
    assert exc.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


def test_model_path_face_prints_the_packaged_face_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["model", "path", "face"]) == 0
    assert capsys.readouterr().out.strip() == str(packaged_face_model_path())


def test_model_list_shows_both_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["model", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"pose  {packaged_model_path()}", f"face  {packaged_face_model_path()}"]


def test_model_list_says_which_model_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "list", "--face-model", str(tmp_path / "nope.task")]) == 2
    pose, face = capsys.readouterr().out.splitlines()
    assert pose == f"pose  {packaged_model_path()}"
    assert face.startswith("face  missing: face model not found at ")


def test_model_download_face_fetches_the_official_file_into_the_cache(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command's wiring, with Google's address replaced by a copy of the official file."""
    local = SHARED_DIR / "models" / "face_landmarker.task"
    monkeypatch.setattr(model_files, "FACE_MODEL_URL", local.as_uri())
    assert main(["model", "download", "face"]) == 0
    dest = cached_face_model_path()
    assert capsys.readouterr().out.strip() == str(dest)
    assert dest.read_bytes() == local.read_bytes()


def test_model_download_face_without_network_fails_cleanly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["model", "download", "face", "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert f"could not download the face model from {FACE_MODEL_URL}" in err
    assert "Traceback" not in err
