"""Analyze page: an upload (client video) and its analysis outputs live in ``<data dir>/uploads``
only while its analysis is shown. They go when another video replaces it, the uploader is
cleared, the browser session ends or the server stops, and what a killed server left is removed
on the next page run; a saved analysis keeps its own copies in the store."""

from __future__ import annotations

import gc
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from romcam.store import Store
from tests.conftest import REPO_ROOT
from tests.fs_fixtures import dead_pid
from tests.integration.ui.app_helpers import analyzed_elsewhere, page_app, upload_and_analyze


def _uploads(data_dir: Path) -> list[Path]:
    """The upload folders under ``data_dir/uploads``."""
    root = data_dir / "uploads"
    return sorted(root.iterdir()) if root.is_dir() else []


def _set_upload(at: AppTest, upload: tuple[str, bytes, str] | None) -> AppTest:
    return at.file_uploader(key="analyze_upload").set_value(upload).run()


@pytest.mark.footage
def test_an_unsaved_analysis_goes_when_another_video_replaces_it(
    session_id: int, clip_bytes: bytes, data_dir: Path
) -> None:
    at = upload_and_analyze(page_app("analyze", "analyze_page"), "first.mp4", clip_bytes)
    assert not at.exception and not at.error
    [first] = _uploads(data_dir)
    assert stat.S_IMODE(first.stat().st_mode) == 0o700  # client video: private
    assert (first / "first.mp4").read_bytes() == clip_bytes
    assert (first / "out" / "annotated.mp4").is_file()
    _set_upload(at, ("second.mp4", clip_bytes, "video/mp4"))  # not analyzed yet
    assert not at.exception
    assert not first.exists()
    assert "Result: first.mp4" not in [h.value for h in at.subheader]
    next(b for b in at.button if b.label == "Analyze").click().run(timeout=180)
    assert not at.exception and not at.error
    [second] = _uploads(data_dir)
    assert (second / "second.mp4").is_file()
    _set_upload(at, None)  # the user clears the uploader
    assert not at.exception
    assert _uploads(data_dir) == []
    with Store.open() as store:
        assert store.list_measurements(session_id) == []


@pytest.mark.footage
def test_a_saved_analysis_keeps_its_files_in_the_store(
    session_id: int, clip_bytes: bytes, data_dir: Path
) -> None:
    at = upload_and_analyze(page_app("analyze", "analyze_page"), "saved.mp4", clip_bytes)
    next(b for b in at.button if b.label == "Save measurement").click().run(timeout=60)
    assert not at.exception and not at.error
    [upload] = _uploads(data_dir)
    _set_upload(at, None)
    assert not upload.exists()
    with Store.open() as store:
        [m] = store.list_measurements(session_id)
        assert m.recording is not None
        video = store.path_of(m.recording.video_path)
        assert video.read_bytes() == clip_bytes
        assert (data_dir / "recordings") in video.parents
        assert m.recording.angles_path is not None
        assert store.path_of(m.recording.angles_path).is_file()


def test_uploads_a_gone_server_left_are_removed_a_running_ones_stay(
    data_dir: Path, other_running_pid: int
) -> None:
    """Killed or crashed servers (and older romcams, whose folders carry no pid) leave client
    video nothing saved; a second server on the same data directory keeps its uploads."""
    uploads = data_dir / "uploads"
    left = [uploads / f"{dead_pid()}-0123456789ab", uploads / "0123456789ab"]
    running = uploads / f"{other_running_pid}-0123456789ab"
    for folder in [*left, running]:
        (folder / "out").mkdir(parents=True)
        (folder / "clip.mp4").write_bytes(b"client video")
        (folder / "out" / "landmarks.csv").write_text("frame,time_s\n")
    at = page_app("analyze", "analyze_page").run()
    assert not at.exception
    assert [p for p in left if p.exists()] == []
    assert (running / "clip.mp4").is_file()


def test_the_upload_goes_when_its_browser_session_ends(data_dir: Path) -> None:
    """Streamlit frees a session's state some time after its browser left (closed tab, no
    reconnection): the analysis then takes its folder with it."""
    at = page_app("analyze", "analyze_page").run()  # the first run removes stale uploads
    folder = data_dir / "uploads" / f"{os.getpid()}-0123456789ab"
    at.session_state["romcam_analyze_result"] = analyzed_elsewhere(folder)
    at.run()
    assert not at.exception
    assert "Result: elbow.mp4" in [h.value for h in at.subheader]
    assert (folder / "trial.mp4").is_file()
    del at
    gc.collect()
    assert not folder.exists()


def test_the_upload_goes_when_the_server_stops(tmp_path: Path) -> None:
    """A server stopped with Ctrl+C or SIGTERM exits normally: what its sessions held goes."""
    folder = tmp_path / "uploads" / "0123456789ab"
    script = (
        "from pathlib import Path\n"
        "from tests.integration.ui.app_helpers import analyzed_elsewhere\n"
        f"held = analyzed_elsewhere(Path({str(folder)!r}))\n"
        "assert (held.folder / 'trial.mp4').is_file()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, check=True, timeout=120)
    assert not folder.exists()
