"""``romcam model`` through the real command-line entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.cli import main
from romcam.pose.model_files import MODEL_ENV, packaged_model_path
from tests.conftest import MODEL_PATH


@pytest.fixture(autouse=True)
def _private_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)


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
