"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

# File-system fixtures (an unwritable folder, another running process) for every test.
pytest_plugins = ["tests.fs_fixtures"]

REPO_ROOT = Path(__file__).resolve().parents[1]
#: ../shared beside the repository: model and real footage (see its README files).
SHARED_DIR = REPO_ROOT.parent / "shared"
VIDEOS_DIR = SHARED_DIR / "videos"
INTERNAL_VIDEOS_DIR = VIDEOS_DIR / "internal-tests-only"
MODEL_PATH = SHARED_DIR / "models" / "pose_landmarker_full.task"
#: The Face Landmarker bundle (head pose for the neck metrics).
FACE_MODEL_PATH = SHARED_DIR / "models" / "face_landmarker.task"


def shared_video(name: str) -> Path:
    """Path of a clip in ../shared/videos (or its internal-tests-only folder); fails if absent."""
    for folder in (VIDEOS_DIR, INTERNAL_VIDEOS_DIR):
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(f"{name} not found in {VIDEOS_DIR}; the suite needs ../shared")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private romcam data directory for one test (never the user's real one)."""
    path = tmp_path / "romcam-data"
    monkeypatch.setenv("ROMCAM_DATA_DIR", str(path))
    monkeypatch.setenv("ROMCAM_CACHE_DIR", str(tmp_path / "romcam-cache"))
    return path
