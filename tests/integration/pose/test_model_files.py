"""Model file resolution, validation and download (the download really fails: no network here)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from romcam.errors import ModelError
from romcam.pose.model_files import (
    FACE_MODEL_ENV,
    FACE_MODEL_SHA256,
    FACE_MODEL_URL,
    MODEL_ENV,
    cached_face_model_path,
    cached_model_path,
    download_face_model,
    download_model,
    file_sha256,
    model_url,
    packaged_face_model_path,
    packaged_model_path,
    resolve_face_model,
    resolve_model,
    validate_face_model,
    validate_model,
)
from tests.conftest import MODEL_PATH, SHARED_DIR

FACE_MODEL_PATH = SHARED_DIR / "models" / "face_landmarker.task"


@pytest.fixture(autouse=True)
def _private_cache(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODEL_ENV, raising=False)
    monkeypatch.delenv(FACE_MODEL_ENV, raising=False)


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


# --- the face model ---------------------------------------------------------------------------


def test_packaged_face_model_is_the_shared_official_file() -> None:
    packaged = packaged_face_model_path()
    assert packaged.read_bytes() == FACE_MODEL_PATH.read_bytes()
    assert file_sha256(packaged) == FACE_MODEL_SHA256
    assert packaged.stat().st_size == 3_758_596
    notice = (packaged.parent / "NOTICE").read_text()
    assert "face_landmarker.task" in notice
    assert FACE_MODEL_SHA256 in notice


def test_face_model_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_face_model() == packaged_face_model_path()
    monkeypatch.setenv(FACE_MODEL_ENV, str(FACE_MODEL_PATH))
    assert resolve_face_model() == FACE_MODEL_PATH
    explicit = tmp_path / "copy.task"
    explicit.write_bytes(FACE_MODEL_PATH.read_bytes())
    assert resolve_face_model(explicit) == explicit


def test_face_model_falls_back_to_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A package stripped of the face model: the downloaded file, else a clear error."""
    import romcam.pose.model_files as model_files

    monkeypatch.setattr(model_files, "_PACKAGED_FACE", Path("/nonexistent/face.task"))
    with pytest.raises(ModelError, match=r"no face model found.*romcam model download face"):
        resolve_face_model()
    cached = cached_face_model_path()
    cached.write_bytes(FACE_MODEL_PATH.read_bytes())
    assert resolve_face_model() == cached


def test_the_pose_model_is_not_a_face_model() -> None:
    """The pose bundle has no geometry pipeline: it would give no head pose."""
    with pytest.raises(ModelError, match=r"face model .* gives no head pose; pass --face-model"):
        validate_face_model(MODEL_PATH)
    validate_model(FACE_MODEL_PATH)  # a face bundle is a valid .task bundle all the same


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (None, r"face model not found at .*--face-model PATH"),
        (b"", r"face model .* is empty \(0 bytes\)"),
        (b"<html>", r"face model .* corrupt or not a \.task bundle.*romcam model download face"),
    ],
)
def test_invalid_face_model_files(tmp_path: Path, content: bytes | None, match: str) -> None:
    path = tmp_path / "face.task"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ModelError, match=match):
        resolve_face_model(path)


def test_face_model_url_is_the_official_version_1() -> None:
    assert FACE_MODEL_URL == (
        "https://storage.googleapis.com/mediapipe-models/face_landmarker/"
        "face_landmarker/float16/1/face_landmarker.task"
    )


def test_face_download_without_network_is_a_clear_error_and_leaves_nothing() -> None:
    dest = cached_face_model_path()
    with pytest.raises(
        ModelError, match=r"could not download the face model from https://storage.*--face-model"
    ):
        download_face_model(timeout_s=5)
    assert list(dest.parent.iterdir()) == []


def test_face_download_from_a_local_url_installs_the_model() -> None:
    path = download_face_model(url=FACE_MODEL_PATH.as_uri())
    assert path == cached_face_model_path()
    assert file_sha256(path) == FACE_MODEL_SHA256
    assert resolve_face_model() == packaged_face_model_path()  # the packaged one still wins
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_face_download_of_another_bundle_is_rejected(tmp_path: Path) -> None:
    """A valid face bundle that is not the pinned file (another version, a tampered one)."""
    other = tmp_path / "other.task"
    with zipfile.ZipFile(FACE_MODEL_PATH) as src, zipfile.ZipFile(other, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, src.read(name))
        dst.writestr("extra.txt", b"x")
    with pytest.raises(ModelError, match=r"not a valid face model \(its sha256 is"):
        download_face_model(url=other.as_uri())
    assert list(cached_face_model_path().parent.iterdir()) == []
