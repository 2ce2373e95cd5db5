"""Fixtures of the dashboard's AppTest tests: a real clip to upload and a store to save to."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.media.video import H264Writer
from romcam.store import Store
from tests.conftest import MODEL_PATH
from tests.e2e.footage import held_abduction_frames


@pytest.fixture(scope="session")
def clip_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A short MP4: arms raised, held overhead 1.5 s, lowered (see tests/e2e/footage.py)."""
    path = tmp_path_factory.mktemp("clip") / "abduction.mp4"
    frames = held_abduction_frames(width=480, hold_s=1.5)
    h, w = frames[0].shape[:2]
    with H264Writer(path, w, h, 30.0) as writer:
        for frame in frames:
            writer.write(frame)
    return path.read_bytes()


@pytest.fixture
def session_id(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """An open session of a new client, in the test's own data directory (real pose model)."""
    monkeypatch.setenv("ROMCAM_MODEL", str(MODEL_PATH))
    with Store.open() as store:
        return store.start_session(store.add_client("Video Client")).id
