"""Model file resolution, validation and download (the download really fails: no network here)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from romcam.errors import ModelError
from romcam.pose.model_files import (
    MODEL_ENV,
    cached_model_path,
    download_model,
    model_url,
    packaged_model_path,
    resolve_model,
    validate_model,
)
from tests.conftest import MODEL_PATH


@pytest.fixture(autouse=True)
def _private_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as bundle:
        for name, data in members.items():
            bundle.writestr(name, data)
    return path


def test_packaged_model_is_the_shared_full_model() -> None:
    packaged = packaged_model_path()
    assert packaged.read_bytes() == MODEL_PATH.read_bytes()
    assert (packaged.parent / "NOTICE").read_text().count("Apache License") == 1


def test_default_resolution_is_the_packaged_model() -> None:
    assert resolve_model() == packaged_model_path()
    assert resolve_model(variant="full") == packaged_model_path()


def test_explicit_path_wins_over_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, str(tmp_path / "missing.task"))
    assert resolve_model(MODEL_PATH) == MODEL_PATH


def test_env_wins_over_packaged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODEL_ENV, str(MODEL_PATH))
    assert resolve_model() == MODEL_PATH


def test_other_variant_comes_from_the_cache() -> None:
    with pytest.raises(ModelError, match=r"romcam model download heavy"):
        resolve_model(variant="heavy")
    cached = _write_zip(cached_model_path("heavy"), {"pose_detector.tflite": b"x"})
    assert resolve_model(variant="heavy") == cached


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, r"not found at .*--model PATH"),
        (b"", r"is empty \(0 bytes\)"),
        (b"not a zip at all", r"corrupt or not a \.task bundle"),
        ({"readme.txt": b"hello"}, r"holds no \.tflite network"),
    ],
)
def test_invalid_model_files_raise_model_error(
    tmp_path: Path, content: bytes | dict[str, bytes] | None, match: str
) -> None:
    path = tmp_path / "model.task"
    if isinstance(content, dict):
        _write_zip(path, content)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=match):
        validate_model(path)
    with pytest.raises(ModelError, match=match):
        resolve_model(path)


def test_unknown_variant() -> None:
    with pytest.raises(ModelError, match=r"unknown pose model variant 'huge'"):
        resolve_model(variant="huge")


def test_model_url_follows_google_storage_layout() -> None:
    assert model_url("lite") == (
        "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
        "pose_landmarker_lite/float16/latest/pose_landmarker_lite.task"
    )


def test_download_without_network_is_a_clear_error_and_leaves_nothing() -> None:
    dest = cached_model_path("lite")
    with pytest.raises(ModelError, match=r"could not download .*\(no network\?\).*--model PATH"):
        download_model("lite", timeout_s=5)
    assert list(dest.parent.iterdir()) == []


def test_download_from_a_local_url_installs_a_valid_model() -> None:
    path = download_model("full", url=MODEL_PATH.as_uri())
    assert path == cached_model_path("full")
    assert path.read_bytes() == MODEL_PATH.read_bytes()
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_download_of_a_corrupt_file_is_rejected_and_removed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.task"
    bad.write_bytes(b"<html>captive portal</html>")
    with pytest.raises(ModelError, match=r"is not a valid pose model"):
        download_model("heavy", url=bad.as_uri())
    assert list(cached_model_path("heavy").parent.iterdir()) == []
