"""A client's home checks in the clinic's store: one session per home day, all or nothing.

A *home session* is an assessment session whose therapist is :data:`HOME_THERAPIST`
(``home check``); its measurements have source ``home``. The outcomes keep visits
clinic-to-clinic by the measurements' source (``romcam.outcomes.home``).

A home measurement is already there when the client has a measurement of source ``home`` with
the same test, side and ``measured_at`` (exact, naive UTC): the natural key of a trial the
client took at one instant. So a results file imported twice (or two exports that overlap)
adds each trial once, without a column for the file's measurement uuids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from romcam.errors import InputError
from romcam.store import files
from romcam.store.models import AssessmentSession, Measurement
from romcam.store.records import (
    HOME_SOURCE,
    HOME_THERAPIST,
    ClientRecord,
    MeasurementInput,
    RecordingInput,
)
from romcam.store.repository import ClientRef, Store
from romcam.store.rows import entry_hint, new_measurement_row, new_recording_row, utc_naive
from romcam.store.tidy import to_client


@dataclass(frozen=True)
class HomeDay:
    """The trials of one home day (the client's local date).

    Attributes:
        window: the day's start and end as naive UTC (the client's local midnights): a home
            session of the client started inside it is the day's session.
        notes: the new session's notes (e.g. which plan and file the trials came from).
        items: the trials, each a measurement of source ``home`` (``measured_at`` given) and
            its files (the landmarks) or None.
    """

    window: tuple[datetime, datetime]
    notes: str
    items: tuple[tuple[MeasurementInput, RecordingInput | None], ...]


@dataclass(frozen=True)
class HomeDaysAdded:
    """What :func:`add_home_days` stored: ``added`` new trials, ``already`` skipped as there,
    ``session_ids`` the home sessions that received new trials (oldest first)."""

    client: ClientRecord
    added: int
    already: int
    session_ids: tuple[int, ...]


def add_home_days(store: Store, client: ClientRef, days: Sequence[HomeDay]) -> HomeDaysAdded:
    """Store ``days`` in ``client``'s record in one transaction: every new trial or none.

    Trials already there (see the module's key) are skipped; a day with new trials goes into
    the client's home session of that day, started as needed at the day's first trial.
    InputError for a trial that is not a valid home measurement; StoreError as the store's.
    """
    for day in days:
        for m, _ in day.items:
            m.validate()
            if m.source != HOME_SOURCE or m.measured_at is None:
                raise InputError("a home measurement needs source 'home' and its measured_at")
    staged: list[files.StagedEntry] = []
    try:
        with store._guard(), store._write() as s:
            client_row = store._client_row(s, client)
            added = already = 0
            sessions: list[int] = []
            for day in days:
                new = [(m, r) for m, r in day.items if not _already_there(s, client_row.id, m)]
                already += len(day.items) - len(new)
                if not new:
                    continue
                session = _day_session(s, client_row.id, day, new)
                sessions.append(session.id)
                parent = files.session_dir(store.root, client_row.name, client_row.id, session.id)
                for m, recording in new:
                    row = new_measurement_row(session.id, m)
                    role_files = recording.files() if recording is not None else {}
                    if recording is not None and role_files:
                        hint = files.entry_dir_name(entry_hint(m))
                        entry = files.stage_entry(store.root, parent, hint, role_files)
                        staged.append(entry)
                        row.recording = new_recording_row(session.id, recording, entry)
                    s.add(row)
                    s.flush()  # the next trial's duplicate check sees this one
                    added += 1
            s.commit()
            result = HomeDaysAdded(to_client(client_row), added, already, tuple(sessions))
    except BaseException:
        for entry in staged:
            files.discard(entry.directory)
        raise
    for entry in staged:
        files.release(entry)
    return result


def _already_there(s: OrmSession, client_id: int, m: MeasurementInput) -> bool:
    side = Measurement.side.is_(None) if m.side is None else Measurement.side == m.side
    query = (
        select(Measurement.id)
        .join(AssessmentSession, Measurement.session_id == AssessmentSession.id)
        .where(
            AssessmentSession.client_id == client_id,
            Measurement.source == HOME_SOURCE,
            Measurement.test_id == m.test,
            side,
            Measurement.measured_at == utc_naive(m.measured_at, "measured_at"),
        )
        .limit(1)
    )
    return s.scalar(query) is not None


def _day_session(
    s: OrmSession,
    client_id: int,
    day: HomeDay,
    new: Sequence[tuple[MeasurementInput, RecordingInput | None]],
) -> AssessmentSession:
    """The client's home session of ``day`` (started earlier if a new trial is earlier), or a
    new one started at the day's first new trial."""
    first = min(utc_naive(m.measured_at, "measured_at") for m, _ in new)
    start, end = (utc_naive(t, "window") for t in day.window)
    row = s.scalar(
        select(AssessmentSession)
        .where(
            AssessmentSession.client_id == client_id,
            AssessmentSession.therapist == HOME_THERAPIST,
            AssessmentSession.started_at >= start,
            AssessmentSession.started_at < end,
        )
        .order_by(AssessmentSession.started_at, AssessmentSession.id)
        .limit(1)
    )
    if row is None:
        row = AssessmentSession(
            client_id=client_id, started_at=first, therapist=HOME_THERAPIST, notes=day.notes
        )
        s.add(row)
        s.flush()
    elif first < row.started_at:
        row.started_at = first
    return row
