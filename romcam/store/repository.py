"""The store's public API: clients, sessions and measurements with their recordings.

Every method opens its own short transaction and returns frozen records
(:mod:`romcam.store.records`), never live ORM objects. Expected failures raise
:class:`~romcam.errors.InputError` (unknown client/session/measurement, duplicate client name,
a value of the wrong kind) or :class:`~romcam.errors.StoreError` (database busy: ``retryable``;
read-only; disk full; server unreachable), each with one sentence to show the user.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload, sessionmaker

from romcam.core.metric_specs import metric_spec
from romcam.errors import InputError, RomcamError, StoreError
from romcam.paths import data_dir
from romcam.store import files, migrate
from romcam.store.engine import (
    WRITE_OPTION,
    default_database_url,
    describe_url,
    make_engine,
    translate_error,
)
from romcam.store.models import AssessmentSession, Client, Measurement, Recording
from romcam.store.records import (
    MAX_NAME_LENGTH,
    MAX_NOTES_LENGTH,
    ClientRecord,
    MeasurementInput,
    MeasurementRecord,
    RecordingInput,
    RecordingRecord,
    SessionRecord,
    check_label,
)
from romcam.store.tidy import (
    FRAME_COLUMNS,
    measurement_row,
    to_client,
    to_measurement,
    to_recording,
    to_session,
)

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

#: Test-only hook: when set to a file path, ``add_measurement`` writes that file once the
#: recording files are in place and the rows are flushed, then sleeps before committing (so a
#: test can kill the process exactly there).
PAUSE_BEFORE_COMMIT_ENV = "ROMCAM_TEST_PAUSE_BEFORE_COMMIT"

ClientRef = int | str | ClientRecord
_T = TypeVar("_T")


class Store:
    """A romcam store: one database plus the recordings folder of the data directory.

    Open with :meth:`open`; use as a context manager or call :meth:`close`.
    """

    def __init__(self, engine: Engine, root: Path, url: str) -> None:
        self.engine = engine
        self.root = root
        self._url = url
        self._read = sessionmaker(engine, expire_on_commit=False)
        self._write = sessionmaker(
            engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False
        )

    # -- lifecycle ---------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        root: Path | None = None,
        busy_timeout: float | None = None,
    ) -> Store:
        """Open (creating if needed) and upgrade in place the store at ``url``.

        Args:
            url: SQLAlchemy URL; None = ``ROMCAM_DATABASE_URL`` or SQLite in the data dir.
            root: folder for recording files; None = ``romcam.paths.data_dir()``.
            busy_timeout: seconds a writer waits for another before the retryable "busy"
                StoreError; None = ``ROMCAM_DB_BUSY_TIMEOUT_S`` or 15 s.

        Runs ``alembic upgrade head`` (no row is lost) and removes files left by a save that
        was interrupted (see :meth:`recover`).
        """
        url = url or default_database_url()
        engine = make_engine(url, busy_timeout=busy_timeout)
        store = cls(engine, Path(root) if root is not None else data_dir(), url)
        try:
            with store._guard():
                store._upgrade()
            store.recover()
        except BaseException:
            engine.dispose()
            raise
        return store

    def _upgrade(self) -> None:
        current = migrate.current_revision(self.engine)
        if current == migrate.head_revision():
            return
        if current is not None and current not in migrate.known_revisions():
            raise StoreError(
                f"the database {self.url} was written by a newer romcam (schema {current}); "
                "upgrade romcam to use it"
            )
        migrate.upgrade(self.engine)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return describe_url(self._url)

    def recover(self) -> int:
        """Remove recording folders that have no row and no living writer; return how many.

        Runs on :meth:`open`. Also drops the claim a writer that died right after its commit
        left on its (kept) folder.
        """
        garbage = files.candidates(self.root)
        if not garbage:
            return 0
        with self._guard(), self._read() as s:
            rows = s.execute(
                select(Recording.video_path, Recording.landmarks_path, Recording.angles_path)
            )
            referenced = {files.entry_of(self.root, p) for row in rows for p in row if p}
        files.drop_claims(g for g in garbage if g in referenced)
        return files.sweep(self.root, [g for g in garbage if g not in referenced])

    # -- clients -----------------------------------------------------------------------------

    def add_client(
        self, name: str, *, date_of_birth: date | None = None, notes: str = ""
    ) -> ClientRecord:
        """Create a client; InputError if the name (case-insensitive) is taken or not valid."""
        name = check_label("client name", name, max_length=MAX_NAME_LENGTH)
        if date_of_birth is not None and (
            not isinstance(date_of_birth, date) or isinstance(date_of_birth, datetime)
        ):
            raise InputError(f"date_of_birth must be a date; got {date_of_birth!r}")
        _check_notes(notes)
        with self._guard(), self._write() as s:
            if s.scalar(select(Client.id).where(Client.name_key == _name_key(name))) is not None:
                raise _duplicate(name)
            row = Client(
                name=name,
                name_key=_name_key(name),
                date_of_birth=date_of_birth,
                notes=notes,
                created_at=_now(),
            )
            s.add(row)
            try:
                s.commit()
            except IntegrityError:
                raise _duplicate(name) from None
            return to_client(row)

    def list_clients(self) -> list[ClientRecord]:
        """Every client, by name."""
        with self._guard(), self._read() as s:
            return [to_client(c) for c in s.scalars(select(Client).order_by(Client.name_key))]

    def get_client(self, id_or_name: ClientRef) -> ClientRecord:
        """A client by id (int), exact name (case-insensitive), or a name that is all digits
        and matches no name but an id. InputError naming what was asked when unknown."""
        with self._guard(), self._read() as s:
            return to_client(self._client_row(s, id_or_name))

    # -- sessions ----------------------------------------------------------------------------

    def start_session(
        self,
        client: ClientRef,
        *,
        therapist: str | None = None,
        notes: str = "",
        started_at: datetime | None = None,
    ) -> SessionRecord:
        """Start an assessment session (a visit) for ``client``; started_at defaults to now."""
        if therapist is not None:
            therapist = check_label("therapist", therapist, max_length=MAX_NAME_LENGTH)
        _check_notes(notes)
        start = _utc_naive(started_at, "started_at") if started_at is not None else _now()
        with self._guard(), self._write() as s:
            client_row = self._client_row(s, client)
            row = AssessmentSession(
                client_id=client_row.id, started_at=start, therapist=therapist, notes=notes
            )
            s.add(row)
            s.commit()
            return to_session(row, client_row.name)

    def list_sessions(self, client: ClientRef) -> list[SessionRecord]:
        """A client's sessions, oldest first."""
        with self._guard(), self._read() as s:
            client_row = self._client_row(s, client)
            rows = s.scalars(
                select(AssessmentSession)
                .where(AssessmentSession.client_id == client_row.id)
                .order_by(AssessmentSession.started_at, AssessmentSession.id)
            )
            return [to_session(r, client_row.name) for r in rows]

    def get_session(self, session_id: int) -> SessionRecord:
        """A session by id; InputError naming the id when unknown."""
        with self._guard(), self._read() as s:
            row = self._session_row(s, session_id)
            return to_session(row, row.client.name)

    # -- measurements ------------------------------------------------------------------------

    def add_measurement(
        self,
        session_id: int,
        measurement: MeasurementInput,
        recording: RecordingInput | None = None,
    ) -> MeasurementRecord:
        """Store a measurement and copies of its recording files, all or nothing.

        Files are copied under temporary names, fsynced and renamed into
        ``recordings/<safe client>/<session>/<entry>/``; the rows are committed in one
        transaction. On any failure the rows are rolled back and the files removed; after a
        crash :meth:`recover` (run by :meth:`open`) removes files that have no row.
        """
        if not isinstance(measurement, MeasurementInput):
            raise InputError(f"expected a MeasurementInput; got {type(measurement).__name__}")
        measurement.validate()
        sources = recording.files() if recording is not None else {}
        session = self.get_session(session_id)
        return self._saved_with_files(
            session,
            _entry_hint(measurement),
            sources,
            lambda entry: self._insert_measurement(session.id, measurement, recording, entry),
        )

    def add_session_recording(self, session_id: int, recording: RecordingInput) -> RecordingRecord:
        """Keep files that belong to a whole session (no single measurement), all or nothing.

        Same guarantees as :meth:`add_measurement`; InputError when no file is given.
        """
        if not isinstance(recording, RecordingInput):
            raise InputError(f"expected a RecordingInput; got {type(recording).__name__}")
        sources = recording.files()
        if not sources:
            raise InputError("the recording names no file; give a video, landmarks or angles file")
        session = self.get_session(session_id)
        return self._saved_with_files(
            session,
            "session",
            sources,
            lambda entry: self._insert_recording(session.id, recording, entry),
        )

    def list_session_recordings(self, session_id: int) -> list[RecordingRecord]:
        """Recordings kept for the session as a whole (not those of its measurements)."""
        with self._guard(), self._read() as s:
            self._session_row(s, session_id)
            rows = s.scalars(
                select(Recording)
                .where(Recording.session_id == session_id, Recording.measurement_id.is_(None))
                .order_by(Recording.created_at, Recording.id)
            )
            return [r for r in map(to_recording, rows) if r is not None]

    def _saved_with_files(
        self,
        session: SessionRecord,
        hint: str,
        sources: dict[str, Path],
        insert: Callable[[files.StagedEntry | None], _T],
    ) -> _T:
        """Copy ``sources`` into a new claimed folder, run ``insert`` (which commits), release.

        On any failure the folder is removed (the transaction was rolled back by ``insert``).
        """
        entry: files.StagedEntry | None = None
        try:
            with self._guard():
                if sources:
                    entry = files.stage_entry(
                        self.root,
                        files.session_dir(self.root, session.client_name, session.id),
                        files.entry_dir_name(hint),
                        sources,
                    )
                result = insert(entry)
        except BaseException:
            if entry is not None:
                files.discard(entry.directory)
            raise
        if entry is not None:
            files.release(entry)
        return result

    def _insert_recording(
        self, session_id: int, recording: RecordingInput, entry: files.StagedEntry | None
    ) -> RecordingRecord:
        assert entry is not None
        with self._write() as s:
            self._session_row(s, session_id)
            row = _recording_row(session_id, recording, entry)
            s.add(row)
            s.flush()
            _test_pause()
            s.commit()
            out = to_recording(row)
            assert out is not None
            return out

    def _insert_measurement(
        self,
        session_id: int,
        m: MeasurementInput,
        recording: RecordingInput | None,
        entry: files.StagedEntry | None,
    ) -> MeasurementRecord:
        with self._write() as s:
            self._session_row(s, session_id)
            row = _measurement_row(session_id, m)
            if entry is not None and recording is not None:
                row.recording = _recording_row(session_id, recording, entry)
            s.add(row)
            s.flush()
            _test_pause()
            s.commit()
            return to_measurement(row)

    def get_measurement(self, measurement_id: int) -> MeasurementRecord:
        """A measurement by id; InputError when unknown."""
        with self._guard(), self._read() as s:
            return to_measurement(self._measurement_row(s, measurement_id))

    def list_measurements(self, session_id: int) -> list[MeasurementRecord]:
        """A session's measurements in the order they were taken."""
        with self._guard(), self._read() as s:
            self._session_row(s, session_id)
            rows = s.scalars(
                select(Measurement)
                .where(Measurement.session_id == session_id)
                .options(selectinload(Measurement.recording))
                .order_by(Measurement.measured_at, Measurement.id)
            )
            return [to_measurement(r) for r in rows]

    def delete_measurement(self, measurement_id: int) -> None:
        """Delete a measurement, its recording row and its files (files after the commit)."""
        with self._guard(), self._write() as s:
            row = self._measurement_row(s, measurement_id)
            paths = [
                p
                for p in (
                    (
                        row.recording.video_path,
                        row.recording.landmarks_path,
                        row.recording.angles_path,
                    )
                    if row.recording is not None
                    else ()
                )
                if p
            ]
            s.delete(row)
            s.commit()
        for entry in {files.entry_of(self.root, p) for p in paths}:
            files.discard(entry)

    def relabel_measurement(self, measurement_id: int, phase: str) -> MeasurementRecord:
        """Change a measurement's phase label (e.g. a 'before' that was really 'after')."""
        phase = check_label("phase", phase)
        with self._guard(), self._write() as s:
            row = self._measurement_row(s, measurement_id)
            row.phase = phase
            s.commit()
            return to_measurement(row)

    def measurements_frame(
        self, session_id: int | None = None, client: ClientRef | None = None
    ) -> pd.DataFrame:
        """Tidy frame, one row per measurement, columns ``FRAME_COLUMNS`` (see tidy.py).

        Filters by session and/or client; neither = the whole store. Sorted by session start,
        then measurement time.
        """
        import pandas as pd  # only here: keeps `import romcam.store` (and the CLI) quick

        with self._guard(), self._read() as s:
            query = (
                select(Measurement, AssessmentSession, Client)
                .join(AssessmentSession, Measurement.session_id == AssessmentSession.id)
                .join(Client, AssessmentSession.client_id == Client.id)
                .options(selectinload(Measurement.recording))
            )
            if session_id is not None:
                self._session_row(s, session_id)
                query = query.where(AssessmentSession.id == session_id)
            if client is not None:
                query = query.where(Client.id == self._client_row(s, client).id)
            query = query.order_by(
                AssessmentSession.started_at,
                AssessmentSession.id,
                Measurement.measured_at,
                Measurement.id,
            )
            rows = [measurement_row(m, sess, c) for m, sess, c in s.execute(query)]
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS)).astype(
            {"value": float, "measurement_id": int, "session_id": int, "client_id": int}
        )

    def path_of(self, relative: str) -> Path:
        """Absolute path of a stored file given its path relative to the data dir."""
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise InputError(f"stored path {relative!r} points outside the data directory")
        return path

    # -- helpers -----------------------------------------------------------------------------

    def _client_row(self, s: OrmSession, ref: ClientRef) -> Client:
        if isinstance(ref, ClientRecord):
            ref = ref.id
        row: Client | None = None
        if isinstance(ref, bool) or not isinstance(ref, int | str):
            raise InputError(f"a client is given by id or name; got {ref!r}")
        if isinstance(ref, str):
            row = s.scalar(select(Client).where(Client.name_key == _name_key(ref)))
            if row is None and ref.strip().isdigit():
                row = s.get(Client, int(ref.strip()))
        else:
            row = s.get(Client, ref)
        if row is None:
            raise InputError(f"no client {ref!r} in the store; see `romcam client list`")
        return row

    def _session_row(self, s: OrmSession, session_id: int) -> AssessmentSession:
        sid = _as_id("session", session_id)
        row = s.get(AssessmentSession, sid)
        if row is None:
            raise InputError(f"no session {session_id!r} in the store; start one first")
        return row

    def _measurement_row(self, s: OrmSession, measurement_id: int) -> Measurement:
        mid = _as_id("measurement", measurement_id)
        row = s.get(Measurement, mid, options=[selectinload(Measurement.recording)])
        if row is None:
            raise InputError(f"no measurement {measurement_id!r} in the store")
        return row

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """Turn database and file-system failures into StoreError sentences."""
        try:
            yield
        except RomcamError:
            raise
        except (SQLAlchemyError, OSError) as exc:
            translated = translate_error(exc, url=self._url)
            if translated is not None:
                raise translated from exc
            if isinstance(exc, OSError):
                raise StoreError(f"cannot write the recording files: {exc.strerror}") from exc
            first = str(getattr(exc, "orig", exc)).splitlines()[0]
            raise StoreError(f"the database reported an error: {first}") from exc


def _measurement_row(session_id: int, m: MeasurementInput) -> Measurement:
    metric = m.metric_id()
    measured = _utc_naive(m.measured_at, "measured_at") if m.measured_at else _now()
    return Measurement(
        session_id=session_id,
        phase=m.phase.strip(),
        test_id=m.test,
        side=m.side,
        metric_id=metric,
        value=float(m.value),
        unit=m.unit or metric_spec(metric).unit,
        held_max=_opt_float(m.held_max),
        held_min=_opt_float(m.held_min),
        start_value=_opt_float(m.start),
        excursion=_opt_float(m.excursion),
        view=m.view,
        quality=m.quality.strip(),
        quality_reason=m.quality_reason,
        source=m.source,
        measured_at=measured,
        calibration_profile=m.calibration_profile,
        neutral=_opt_float(m.neutral),
    )


def _recording_row(
    session_id: int, recording: RecordingInput, entry: files.StagedEntry
) -> Recording:
    return Recording(
        session_id=session_id,
        video_path=entry.files.get("video"),
        landmarks_path=entry.files.get("landmarks"),
        angles_path=entry.files.get("angles"),
        duration_s=_opt_float(recording.duration_s),
        # The video's digest when there is a video, else the first kept file's.
        sha256=entry.sha256.get("video") or next(iter(entry.sha256.values()), None),
        created_at=_now(),
    )


def _entry_hint(m: MeasurementInput) -> str:
    return "-".join(p for p in (m.test, m.side, m.phase) if p)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _duplicate(name: str) -> InputError:
    return InputError(f"a client named {name!r} already exists; use it or choose another name")


def _check_notes(notes: object) -> None:
    if not isinstance(notes, str):
        raise InputError(f"notes must be text; got {type(notes).__name__}")
    if len(notes) > MAX_NOTES_LENGTH:
        raise InputError(f"notes must be at most {MAX_NOTES_LENGTH} characters")


def _as_id(kind: str, value: object) -> int:
    if isinstance(value, bool):
        raise InputError(f"a {kind} id must be a whole number; got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InputError(f"a {kind} id must be a whole number; got {value!r}")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _utc_naive(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise InputError(f"{name} must be a datetime; got {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _test_pause() -> None:
    marker = os.environ.get(PAUSE_BEFORE_COMMIT_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(120)
