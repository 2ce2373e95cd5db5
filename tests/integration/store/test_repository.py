"""The Store API on SQLite and PostgreSQL: clients, sessions, measurements, files, bad input."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from romcam.errors import InputError
from romcam.outcomes import compare
from romcam.store import (
    DATABASE_URL_ENV,
    FRAME_COLUMNS,
    MeasurementInput,
    RecordingInput,
    Store,
)


def make_files(folder: Path, seed: int = 0) -> RecordingInput:
    """Three small files with distinct content standing in for a recording."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / "clip.MP4"
    video.write_bytes(bytes(range(256)) * (40 + seed))
    (folder / "landmarks.csv").write_text(f"frame,x\n0,{seed}\n")
    (folder / "angles.csv").write_text(f"frame,shoulder_flexion_right\n0,{seed}.5\n")
    return RecordingInput(
        video=video,
        landmarks=folder / "landmarks.csv",
        angles=folder / "angles.csv",
        duration_s=2.5,
    )


def stored_files(root: Path) -> list[Path]:
    base = root / "recordings"
    return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []


def test_clients_are_unique_case_insensitively(store: Store) -> None:
    ann = store.add_client("Ann Example", date_of_birth=date(1980, 2, 29), notes="left shoulder")
    store.add_client("bob")
    assert [c.name for c in store.list_clients()] == ["Ann Example", "bob"]
    assert store.get_client("ann  EXAMPLE") == ann
    assert store.get_client(ann.id) == ann
    assert store.get_client(str(ann.id)) == ann
    assert ann.date_of_birth == date(1980, 2, 29)
    with pytest.raises(InputError, match="already exists"):
        store.add_client("ANN example")


def test_sessions_in_time_order(store: Store) -> None:
    client = store.add_client("Cleo")
    later = store.start_session(client, started_at=datetime(2026, 3, 2, 10, 0))
    aware = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    earlier = store.start_session("cleo", therapist="Dana", started_at=aware)
    assert earlier.started_at == datetime(2026, 3, 1, 10, 0)  # stored as naive UTC
    assert [s.id for s in store.list_sessions(client.id)] == [earlier.id, later.id]
    assert store.get_session(earlier.id).therapist == "Dana"
    assert store.get_session(earlier.id).client_name == "Cleo"


def test_measurement_with_recording_round_trip(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    session = store.start_session(store.add_client("../../etc/passwd"))
    rec_in = make_files(tmp_path / "src")
    when = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    m = store.add_measurement(
        session.id,
        MeasurementInput(
            "shoulder_flexion",
            "right",
            "before",
            151.5,
            held_max=152.0,
            held_min=10.0,
            start=12.0,
            excursion=139.5,
            view="side_right",
            quality="ok",
            source="video",
            measured_at=when,
            calibration_profile="clinic room 1",
            neutral=0.5,
        ),
        rec_in,
    )
    assert (m.metric, m.unit, m.value, m.neutral) == ("shoulder_flexion_right", "deg", 151.5, 0.5)
    assert m.measured_at == datetime(2026, 3, 1, 9, 30)
    assert m.recording is not None and m.recording.duration_s == 2.5
    video = store.path_of(m.recording.video_path or "")
    assert video.read_bytes() == rec_in.video.read_bytes()  # type: ignore[union-attr]
    assert m.recording.sha256 == hashlib.sha256(video.read_bytes()).hexdigest()
    assert video.is_relative_to(data_dir / "recordings" / f"etc_passwd-{session.client_id}")
    assert video.name == "video.mp4"
    assert len(stored_files(data_dir)) == 3  # no claim or temp file left
    assert store.get_measurement(m.id) == m
    assert store.list_measurements(session.id) == [m]


def test_tidy_frame_and_before_after(store: Store) -> None:
    client = store.add_client("Eve")
    s1 = store.start_session(client, started_at=datetime(2026, 1, 1))
    s2 = store.start_session(client, started_at=datetime(2026, 2, 1))
    for sess, phase, value in [(s1, "before", 120.0), (s1, "after", 135.0), (s2, "before", 140.0)]:
        store.add_measurement(sess.id, MeasurementInput("shoulder_flexion", "left", phase, value))
    store.add_measurement(s1.id, MeasurementInput("neck_flexion", None, "before", 40.0))
    frame = store.measurements_frame(client="Eve")
    assert list(frame.columns) == list(FRAME_COLUMNS)
    assert len(frame) == 4 and set(frame["client"]) == {"Eve"}
    assert frame["session_id"].tolist() == [s1.id, s1.id, s1.id, s2.id]
    assert len(store.measurements_frame(session_id=s2.id)) == 1
    ba = compare.before_after(store.measurements_frame(session_id=s1.id))
    row = ba[ba["test"] == "shoulder_flexion"].iloc[0]
    assert (row["change"], row["verdict"]) == (15.0, compare.MORE_RANGE)
    prog = compare.progress(frame)
    assert prog[prog["test"] == "shoulder_flexion"].iloc[0]["change"] == 20.0


def test_relabel_and_delete_remove_files(store: Store, data_dir: Path, tmp_path: Path) -> None:
    session = store.start_session(store.add_client("Finn"))
    keep = store.add_measurement(
        session.id,
        MeasurementInput("knee_flexion", "left", "before", 120.0),
        make_files(tmp_path / "a", 1),
    )
    drop = store.add_measurement(
        session.id,
        MeasurementInput("knee_flexion", "left", "befor", 122.0),
        make_files(tmp_path / "b", 2),
    )
    assert store.relabel_measurement(drop.id, "after").phase == "after"
    assert len(stored_files(data_dir)) == 6
    store.delete_measurement(drop.id)
    assert [m.id for m in store.list_measurements(session.id)] == [keep.id]
    remaining = stored_files(data_dir)
    assert len(remaining) == 3
    assert all(
        keep.recording and p.parent == store.path_of(keep.recording.video_path or "").parent
        for p in remaining
    )
    with pytest.raises(InputError, match=f"no measurement {drop.id}"):
        store.delete_measurement(drop.id)


def test_reopen_keeps_everything(store_url: str, data_dir: Path) -> None:
    with Store.open(store_url, root=data_dir) as first:
        session = first.start_session(first.add_client("Gus"))
        first.add_measurement(session.id, MeasurementInput("hip_flexion", "right", "x", 90.0))
    with Store.open(store_url, root=data_dir) as again:
        assert [c.name for c in again.list_clients()] == ["Gus"]
        assert again.measurements_frame()["value"].tolist() == [90.0]


GOOD = MeasurementInput("shoulder_flexion", "right", "before", 150.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda s, sid: s.get_client("Nobody"), "no client 'Nobody'"),
        (lambda s, sid: s.get_client(999), "no client 999"),
        (lambda s, sid: s.start_session("Nobody"), "no client 'Nobody'"),
        (lambda s, sid: s.get_session(999), "no session 999"),
        (lambda s, sid: s.get_session("abc"), "session id must be a whole number"),
        (lambda s, sid: s.add_measurement(999, GOOD), "no session 999"),
        (lambda s, sid: s.relabel_measurement(999, "after"), "no measurement 999"),
        (lambda s, sid: s.add_client(""), "a client needs a name"),
        (lambda s, sid: s.add_client("a\nb"), "one line"),
        (lambda s, sid: s.add_client("x" * 121), "at most 120"),
        (lambda s, sid: s.add_client("Hal", date_of_birth="1980-01-01"), "must be a date"),
        (lambda s, sid: s.add_client("Hal", notes=5), "notes must be text"),
        (lambda s, sid: s.start_session("Ida", started_at="today"), "must be a datetime"),
        (lambda s, sid: s.start_session(3.5), "by id or name"),
        (lambda s, sid: s.add_measurement(sid, {"test": "x"}), "expected a MeasurementInput"),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("wrist_flexion", "left", "before", 1.0)
            ),
            "unknown test",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "up", "before", 1.0)
            ),
            "needs a side",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("neck_flexion", "left", "before", 1.0)
            ),
            "has no side",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "left", "before", "150")
            ),
            "value must be a number",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "left", "before", float("nan"))
            ),
            "value must be a finite number",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "left", "before", True)
            ),
            "value must be a number",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "left", "", 1.0)
            ),
            "phase must be",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "left", "b", 1.0, source="phone")
            ),
            "source must be one of",
        ),
        (
            lambda s, sid: s.add_measurement(
                sid, MeasurementInput("shoulder_flexion", "left", "b", 1.0, held_max="x")
            ),
            "held_max must be a number",
        ),
        (
            lambda s, sid: s.add_measurement(sid, GOOD, RecordingInput(video=Path("/nope.mp4"))),
            "video file '/nope.mp4' does not exist",
        ),
        (lambda s, sid: s.relabel_measurement(1, " "), "phase must be non-empty"),
        (lambda s, sid: s.path_of("../../outside.txt"), "outside the data directory"),
    ],
)
def test_bad_input(store: Store, data_dir: Path, call: object, match: str) -> None:
    store.add_client("Ida")
    session = store.start_session("Ida")
    with pytest.raises(InputError, match=match):
        call(store, session.id)  # type: ignore[operator]
    assert store.measurements_frame().empty
    assert stored_files(data_dir) == []
    assert [c.name for c in store.list_clients()] == ["Ida"]


def test_hostile_text_is_data_not_sql(store: Store) -> None:
    name = "Robert'); DROP TABLE client;--"
    client = store.add_client(name, notes="%s %(x)s ? :name")
    assert store.get_client(name) == client
    assert store.list_clients()[0].notes == "%s %(x)s ? :name"


def test_default_store_is_sqlite_in_the_data_dir(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    with Store.open() as store, store.engine.connect() as conn:
        assert store.url == f"sqlite:///{data_dir / 'romcam.db'}"
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
    assert (data_dir / "romcam.db").is_file()


def test_database_url_from_the_environment(
    store_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATABASE_URL_ENV, store_url)
    with Store.open() as store:
        store.add_client("Env")
    assert not (data_dir / "romcam.db").exists()
    with Store.open(store_url, root=data_dir) as store:
        assert [c.name for c in store.list_clients()] == ["Env"]
