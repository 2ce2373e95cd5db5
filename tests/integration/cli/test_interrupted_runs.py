"""A real ``romcam`` process stopped mid-run: SIGTERM exits cleanly (143) and removes its
staging; after SIGKILL the next run removes what the killed one left. A client's files never
wait in the system temp folder."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from romcam.cli import main
from tests.conftest import MODEL_PATH, REPO_ROOT, shared_video

pytestmark = pytest.mark.footage

#: Where romcam stages (docs/files.md; ``romcam.staging``): a hidden folder inside --out, and
#: ``staging/`` in the data directory.
OUTPUT_PREFIX = ".romcam-partial-"
STAGING_DIR = "staging"

#: 17 s of 1080p: a run takes well over the few seconds a test waits before stopping it.
LONG_CLIP = "shoulder_abduction_front_seated_02.mp4"


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "romcam", *argv],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(found: Callable[[], list[Path]], proc: subprocess.Popen[str]) -> list[Path]:
    """Wait (up to 120 s) until ``found`` lists something while ``proc`` runs; then a little
    longer, so that the run is inside its frame loop."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if paths := found():
            time.sleep(1.0)
            return paths
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the run never started staging its files")


def hidden(folder: Path) -> list[Path]:
    """Staging folders an analysis into ``folder/out`` may leave (old and new places)."""
    return sorted(folder.glob(".out.partial-*")) + sorted(folder.glob(f"out/{OUTPUT_PREFIX}*"))


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of the romcam process: its own data dir and its own system temp dir."""
    (tmp_path / "system-tmp").mkdir()
    return {
        **os.environ,
        "ROMCAM_DATA_DIR": str(tmp_path / "data"),
        "ROMCAM_CACHE_DIR": str(tmp_path / "cache"),
        "TMPDIR": str(tmp_path / "system-tmp"),
    }


def analyze(out: Path, *more: str) -> list[str]:
    video = shared_video(LONG_CLIP)
    return ["analyze", str(video), "--out", str(out), "--model", str(MODEL_PATH), *more]


def test_sigterm_during_analyze_exits_143_and_leaves_nothing(
    tmp_path: Path, env: dict[str, str]
) -> None:
    proc = start(analyze(tmp_path / "out", "--max-seconds", "15"), env)
    wait_for(lambda: hidden(tmp_path), proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip().endswith("romcam: terminated") and "Traceback" not in err
    assert hidden(tmp_path) == [] and not (tmp_path / "out").exists()


def test_the_next_analyze_removes_what_a_killed_one_left(
    tmp_path: Path, env: dict[str, str]
) -> None:
    out = tmp_path / "out"
    proc = start(analyze(out, "--max-seconds", "15"), env)
    [left] = wait_for(lambda: hidden(tmp_path), proc)
    proc.kill()
    proc.wait(timeout=30)
    assert left.is_dir() and stat.S_IMODE(left.stat().st_mode) == 0o700
    assert str(proc.pid) in left.name
    rerun = start(analyze(out, "--max-seconds", "0.3", "--no-video", "--face", "off"), env)
    _, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert hidden(tmp_path) == []
    assert sorted(p.name for p in out.iterdir()) == ["angles.csv", "landmarks.csv", "summary.json"]


@pytest.fixture
def session(tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``--db URL`` of a store with session 1 (client Sam)."""
    monkeypatch.setenv("ROMCAM_DATA_DIR", env["ROMCAM_DATA_DIR"])
    db = ["--db", f"sqlite:///{tmp_path / 'romcam.db'}"]
    assert main(["client", "add", "Sam", *db]) == 0
    assert main(["session", "start", "Sam", *db]) == 0
    return db


def measure(db: list[str], *more: str) -> list[str]:
    video = str(shared_video(LONG_CLIP))
    test = ["--test", "shoulder_abduction", "--side", "left", "--model", str(MODEL_PATH)]
    return ["measure", "1", video, *test, "--keep-rejected", *db, *more]


def measure_staging(env: dict[str, str]) -> Callable[[], list[Path]]:
    """Where a measure may stage a client's files: romcam's data dir or the system temp."""
    data, system = Path(env["ROMCAM_DATA_DIR"]), Path(env["TMPDIR"])
    return lambda: sorted((data / STAGING_DIR).glob("measure-*")) + sorted(system.glob("romcam-*"))


def test_a_killed_measure_leaves_no_client_file_in_the_system_temp(
    env: dict[str, str], session: list[str]
) -> None:
    proc = start(measure(session), env)
    [left] = wait_for(measure_staging(env), proc)
    proc.kill()
    proc.wait(timeout=30)
    assert list(Path(env["TMPDIR"]).rglob("*.csv")) == []
    staging = Path(env["ROMCAM_DATA_DIR"]) / STAGING_DIR
    assert left.parent == staging and str(proc.pid) in left.name
    assert stat.S_IMODE(staging.stat().st_mode) == 0o700
    assert stat.S_IMODE(left.stat().st_mode) == 0o700
    # The next measure removes the killed run's folder; SIGTERM ends it cleanly.
    proc = start(measure(session), env)
    wait_for(lambda: [p for p in measure_staging(env)() if p != left], proc)
    assert not left.exists()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert measure_staging(env)() == []


def _children(pid: int) -> list[int]:
    """Ids of the processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat_file.parent.name))
    return found


def _workers(pid: int) -> list[int]:
    """The chunk workers of romcam ``pid``: the children of its fork server (a child)."""
    return [grandchild for child in _children(pid) for grandchild in _children(child)]


def test_a_killed_parallel_analyze_leaves_no_worker_running(
    tmp_path: Path, env: dict[str, str]
) -> None:
    """SIGKILL runs no clean-up in romcam: its worker processes (and the fork server they
    came from) must notice on their own."""
    proc = start(analyze(tmp_path / "out", "--jobs", "2", "--no-video", "--face", "off"), env)
    # Staging is made before the pose pass; two workers forked: the pass has started.
    wait_for(lambda: hidden(tmp_path) if len(_workers(proc.pid)) >= 2 else [], proc)
    left = _workers(proc.pid) + _children(proc.pid)
    assert len(left) >= 3, "the run started no worker process"
    proc.kill()
    proc.wait(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() for w in left):
        time.sleep(0.2)
    running = [w for w in left if Path(f"/proc/{w}").exists()]
    for w in running:  # do not leave them behind for the rest of the suite
        os.kill(w, signal.SIGKILL)
    assert running == []
