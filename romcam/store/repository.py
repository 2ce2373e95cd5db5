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
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import selectinload, sessionmaker

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
from romcam.store.plans import PlanStoreMixin
from romcam.store.records import (
    MAX_NAME_LENGTH,
    ClientRecord,
    MeasurementInput,
    MeasurementRecord,
    RecordingInput,
    SessionRecord,
    check_birth_date,
    check_label,
    check_pain_score,
    check_reason,
)
from romcam.store.rows import (
    as_id,
    check_notes,
    duplicate_client,
    entry_hint,
    name_key,
    new_measurement_row,
    new_recording_row,
    now,
    pause_before_commit,
    utc_naive,
)
from romcam.store.tidy import (
    FRAME_COLUMNS,
    measurement_row,
    to_client,
    to_measurement,
    to_session,
)

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger(__name__)

ClientRef = int | str | ClientRecord
_T = TypeVar("_T")


class Store(PlanStoreMixin):
    """A romcam store: one database plus the recordings folder of the data directory.

    Open with :meth:`open`; use as a context manager or call :meth:`close`. Home plans:
    :class:`~romcam.store.plans.PlanStoreMixin`.
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
        if isinstance(name, str) and not name.strip():
            raise InputError("a client needs a name; type a name or a pseudonym")
        name = check_label("client name", name, max_length=MAX_NAME_LENGTH)
        date_of_birth = check_birth_date(date_of_birth)
        check_notes(notes)
        with self._guard(), self._write() as s:
            if s.scalar(select(Client.id).where(Client.name_key == name_key(name))) is not None:
                raise duplicate_client(name)
            row = Client(
                name=name,
                name_key=name_key(name),
                date_of_birth=date_of_birth,
                notes=notes,
                created_at=now(),
            )
            s.add(row)
            try:
                s.commit()
            except IntegrityError:
                raise duplicate_client(name) from None
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
        check_notes(notes)
        start = utc_naive(started_at, "started_at") if started_at is not None else now()
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
        ``recordings/<client file stem>/<session>/<entry>/``; the rows are committed in one
        transaction. On any failure the rows are rolled back and the files removed; after a
        crash :meth:`recover` (run by :meth:`open`) removes files that have no row.
        """
        return self.add_measurements(session_id, [(measurement, recording)])[0]

    def add_measurements(
        self,
        session_id: int,
        items: Sequence[tuple[MeasurementInput, RecordingInput | None]],
    ) -> list[MeasurementRecord]:
        """Store several measurements (e.g. every value of one walk), each with its own copy of
        its recording files, in one transaction: all of them or none (as
        :meth:`add_measurement`)."""
        for measurement, _ in items:
            if not isinstance(measurement, MeasurementInput):
                raise InputError(f"expected a MeasurementInput; got {type(measurement).__name__}")
            measurement.validate()
        sources = [(entry_hint(m), r.files() if r is not None else {}) for m, r in items]
        session = self.get_session(session_id)
        return self._saved_with_files(
            session,
            sources,
            lambda entries: self._insert_measurements(session.id, items, entries),
        )

    def _saved_with_files(
        self,
        session: SessionRecord,
        sources: Sequence[tuple[str, dict[str, Path]]],
        insert: Callable[[list[files.StagedEntry | None]], _T],
    ) -> _T:
        """Copy each (hint, role -> file) into a new claimed folder, run ``insert`` (which
        commits), release. On any failure the folders are removed (the transaction was
        rolled back by ``insert``)."""
        entries: list[files.StagedEntry | None] = []
        parent = files.session_dir(self.root, session.client_name, session.client_id, session.id)
        try:
            with self._guard():
                for hint, role_files in sources:
                    entries.append(
                        files.stage_entry(self.root, parent, files.entry_dir_name(hint), role_files)
                        if role_files
                        else None
                    )
                result = insert(entries)
        except BaseException:
            for entry in entries:
                if entry is not None:
                    files.discard(entry.directory)
            raise
        for entry in entries:
            if entry is not None:
                files.release(entry)
        return result

    def _insert_measurements(
        self,
        session_id: int,
        items: Sequence[tuple[MeasurementInput, RecordingInput | None]],
        entries: list[files.StagedEntry | None],
    ) -> list[MeasurementRecord]:
        with self._write() as s:
            self._session_row(s, session_id)
            rows = []
            for (m, recording), entry in zip(items, entries, strict=True):
                row = new_measurement_row(session_id, m)
                if entry is not None and recording is not None:
                    row.recording = new_recording_row(session_id, recording, entry)
                s.add(row)
                rows.append(row)
            s.flush()
            pause_before_commit()
            s.commit()
            return [to_measurement(row) for row in rows]

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

    def exclude_measurement(self, measurement_id: int, reason: str) -> MeasurementRecord:
        """Leave a trial out of its test's mean, keeping it (and why) in the record."""
        reason = check_reason(reason)
        with self._guard(), self._write() as s:
            row = self._measurement_row(s, measurement_id)
            row.excluded_reason = reason
            s.commit()
            return to_measurement(row)

    def set_pain_score(self, measurement_id: int, score: int | None) -> MeasurementRecord:
        """Record a saved trial's 0-10 pain at the end range (None: not asked): the live page
        asks for it after the trial is stored."""
        score = check_pain_score(score)
        with self._guard(), self._write() as s:
            row = self._measurement_row(s, measurement_id)
            row.pain_score = score
            s.commit()
            return to_measurement(row)

    def include_measurement(self, measurement_id: int) -> MeasurementRecord:
        """Count an excluded trial in its test's mean again."""
        with self._guard(), self._write() as s:
            row = self._measurement_row(s, measurement_id)
            row.excluded_reason = None
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
            row = s.scalar(select(Client).where(Client.name_key == name_key(ref)))
            if row is None and ref.strip().isdigit():
                row = s.get(Client, int(ref.strip()))
        else:
            row = s.get(Client, ref)
        if row is None:
            raise InputError(f"no client {ref!r} in the store; see `romcam client list`")
        return row

    def _session_row(self, s: OrmSession, session_id: int) -> AssessmentSession:
        sid = as_id("session", session_id)
        row = s.get(AssessmentSession, sid)
        if row is None:
            raise InputError(f"no session {session_id!r} in the store; start one first")
        return row

    def _measurement_row(self, s: OrmSession, measurement_id: int) -> Measurement:
        mid = as_id("measurement", measurement_id)
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
