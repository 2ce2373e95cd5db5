"""Nothing committed is lost: concurrent writers, a writer killed mid-save, locked, read-only
and full databases; on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from romcam.errors import InputError, StoreError
from romcam.store import MeasurementInput, RecordingInput, Store
from romcam.store.engine import BUSY_MESSAGE, translate_error
from romcam.store.rows import PAUSE_BEFORE_COMMIT_ENV
from tests.fs_fixtures import dead_pid

REPO = Path(__file__).resolve().parents[3]

# Each worker opens the store itself (the first open of an empty database migrates it, so two
# workers also race on the upgrade), adds its own client and session, then saves N measurements
# with a recording. It prints how many were saved and how many got the retryable busy error.
WRITER = """
import json, sys, time
from pathlib import Path
from romcam.errors import StoreError
from romcam.store import MeasurementInput, RecordingInput, Store
url, root, src, n, tag, go = sys.argv[1:7]
while not Path(go).exists():
    time.sleep(0.005)
saved = busy = 0
with Store.open(url, root=Path(root)) as store:
    session = store.start_session(store.add_client("writer " + tag))
    for i in range(int(n)):
        try:
            store.add_measurement(
                session.id, MeasurementInput("shoulder_flexion", "left", tag, float(i)),
                RecordingInput(video=Path(src), duration_s=1.0))
            saved += 1
        except StoreError as exc:
            assert exc.retryable and str(exc) == "the database is busy; try again", exc
            busy += 1
print(json.dumps({"saved": saved, "busy": busy}))
"""

SAVE_ONE = """
import sys
from pathlib import Path
from romcam.store import MeasurementInput, RecordingInput, Store
url, root, session_id, src = sys.argv[1:5]
with Store.open(url, root=Path(root)) as store:
    store.add_measurement(int(session_id), MeasurementInput("knee_flexion", "right", "before",
                          110.0), RecordingInput(video=Path(src)))
"""


def _python(code: str, *args: object, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env or dict(os.environ),
    )


def _video(tmp_path: Path, size: int = 200_000) -> Path:
    path = tmp_path / "clip.mp4"
    path.write_bytes(os.urandom(size))
    return path


def stored_files(root: Path) -> list[Path]:
    base = root / "recordings"
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def test_two_processes_write_at_once(store_url: str, data_dir: Path, tmp_path: Path) -> None:
    src, go, n = _video(tmp_path), tmp_path / "go", 12
    procs = [_python(WRITER, store_url, data_dir, src, n, tag, go) for tag in ("a", "b")]
    time.sleep(0.5)  # both interpreters are up and polling
    go.touch()
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    assert all(r["saved"] + r["busy"] == n for r in results)
    with Store.open(store_url, root=data_dir) as store:
        frame = store.measurements_frame()
        assert len(frame) == sum(r["saved"] for r in results) > 0
        for path in frame["video_path"]:
            assert store.path_of(path).read_bytes() == src.read_bytes()
        assert len(stored_files(data_dir)) == len(frame)
    # With the default busy timeout neither writer should have had to give up.
    assert [r["busy"] for r in results] == [0, 0]


def test_killed_between_file_copy_and_commit(
    store_url: str, data_dir: Path, tmp_path: Path
) -> None:
    with Store.open(store_url, root=data_dir) as store:
        session = store.start_session(store.add_client("Kim"))
    marker = tmp_path / "paused"
    env = {**os.environ, PAUSE_BEFORE_COMMIT_ENV: str(marker)}
    proc = _python(SAVE_ONE, store_url, data_dir, session.id, _video(tmp_path), env=env)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the writer never reached the commit"
        time.sleep(0.02)
    assert [p.name for p in stored_files(data_dir) if p.name == "video.mp4"] == ["video.mp4"]
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with Store.open(store_url, root=data_dir) as store:  # opening recovers
        assert store.measurements_frame().empty
        assert stored_files(data_dir) == []
        # The lock died with the writer: saving works again.
        m = store.add_measurement(
            session.id,
            MeasurementInput("knee_flexion", "right", "before", 111.0),
            RecordingInput(video=_video(tmp_path)),
        )
        assert len(stored_files(data_dir)) == 1 and store.get_measurement(m.id).value == 111.0


def test_recovery_leaves_a_live_writers_files_alone(store: Store, data_dir: Path) -> None:
    live = data_dir / "recordings" / "x" / "1" / "abc-test"
    live.mkdir(parents=True)
    (live / "video.mp4").write_bytes(b"v")
    (live / f".pending-{os.getpid()}").touch()  # claimed by a running process (this one)
    assert store.recover() == 0
    assert (live / "video.mp4").exists()


def test_recovery_after_crashes_at_other_moments(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    session = store.start_session(store.add_client("Max"))
    kept = store.add_measurement(
        session.id,
        MeasurementInput("knee_flexion", "left", "before", 100.0),
        RecordingInput(video=_video(tmp_path)),
    )
    assert kept.recording is not None
    kept_dir = store.path_of(kept.recording.video_path or "").parent
    dead = dead_pid()
    folder = kept_dir.parent
    # Killed while copying: a partial folder.
    (folder / f".partial-{dead}-abc").mkdir()
    (folder / f".partial-{dead}-abc" / ".tmp-video.mp4").write_bytes(b"half")
    # Killed after its rename, before its commit: a claimed folder with no row.
    (folder / "def-knee").mkdir()
    (folder / "def-knee" / "video.mp4").write_bytes(b"v")
    (folder / "def-knee" / f".pending-{dead}").touch()
    # Killed after committing a delete, before removing the files: no claim, no row.
    (folder / "ghi-knee").mkdir()
    (folder / "ghi-knee" / "video.mp4").write_bytes(b"v")
    # Killed after its commit, before dropping its claim: the row keeps the folder.
    (kept_dir / f".pending-{dead}").touch()
    assert store.recover() == 3
    assert stored_files(data_dir) == [store.path_of(kept.recording.video_path or "")]


@contextlib.contextmanager
def hold_write_lock(url: str) -> Iterator[None]:
    """Another connection holding the write lock (SQLite) / the measurement table (PostgreSQL)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(make_url(url).database or "", isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("LOCK TABLE measurement IN ACCESS EXCLUSIVE MODE"))
            yield
            conn.rollback()
    finally:
        engine.dispose()


def test_locked_database_is_a_clear_retryable_error(
    store_url: str, data_dir: Path, tmp_path: Path
) -> None:
    with Store.open(store_url, root=data_dir, busy_timeout=0.3) as store:
        session = store.start_session(store.add_client("Lou"))
        m = MeasurementInput("elbow_flexion", "left", "before", 140.0)
        rec = RecordingInput(video=_video(tmp_path))
        with hold_write_lock(store_url), pytest.raises(StoreError) as caught:
            store.add_measurement(session.id, m, rec)
        assert caught.value.retryable and str(caught.value) == BUSY_MESSAGE
        assert stored_files(data_dir) == [] and store.measurements_frame().empty
        store.add_measurement(session.id, m, rec)  # trying again succeeds
        assert len(stored_files(data_dir)) == 1


def _read_only_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = f"{parsed.query['options']} -cdefault_transaction_read_only=on"
    return parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)


def test_read_only_database(store_url: str, data_dir: Path) -> None:
    with Store.open(store_url, root=data_dir) as store:
        store.add_client("Mo")
    with Store.open(_read_only_url(store_url), root=data_dir) as store:
        assert [c.name for c in store.list_clients()] == ["Mo"]  # reading still works
        with pytest.raises(StoreError, match="the database is read-only") as caught:
            store.add_client("Nia")
        assert not caught.value.retryable


def test_full_disk_sqlite(tmp_path: Path, data_dir: Path) -> None:
    """SQLite's page limit gives the real 'database or disk is full' error of a full disk."""
    url = f"sqlite:///{tmp_path / 'full.db'}"
    with Store.open(url, root=data_dir) as store:
        client = store.add_client("Ola")

        @event.listens_for(store.engine, "connect")
        def _cap(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 4}")

        store.engine.dispose()
        started = 0
        with pytest.raises(StoreError, match="disk holding the database is full") as caught:
            for _ in range(200):
                store.start_session(client, notes="x" * 9_000)
                started += 1
        assert not caught.value.retryable
        assert len(store.list_sessions(client)) == started  # nothing committed was lost


def test_unreachable_server_and_bad_urls(data_dir: Path) -> None:
    with pytest.raises(StoreError, match="cannot connect to the database"):
        Store.open("postgresql+psycopg://romcam@127.0.0.1:1/none", root=data_dir)
    with pytest.raises(InputError, match="unsupported database 'mysql'"):
        Store.open("mysql://x@localhost/db", root=data_dir)
    with pytest.raises(InputError, match="database URL is not valid"):
        Store.open("not a url", root=data_dir)
    with pytest.raises(StoreError, match="cannot create the folder for the database"):
        Store.open("sqlite:////proc/romcam-nope/romcam.db", root=data_dir)


@pytest.mark.parametrize(
    ("errno_", "match"),
    [(28, "disk holding the romcam data directory is full"), (30, "read-only or no permission")],
)
def test_file_system_errors_become_sentences(errno_: int, match: str) -> None:
    translated = translate_error(OSError(errno_, os.strerror(errno_)))
    assert translated is not None and not translated.retryable
    assert translated.args[0].startswith("the disk") or "cannot write" in translated.args[0]
    assert match in str(translated)
