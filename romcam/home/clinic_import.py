"""Back at the clinic: a client's results file into the client's record (``romcam import``, the
Client progress page's upload).

The file is checked before anything is stored: every member against its manifest
(``romcam.home.results``: a changed or damaged file is refused), its plan against this store's
plans (a plan this store never made: "not made from a plan of this clinic"), and the plan's
client against the client asked for ("answers a plan of client X, not Y"). Then every trial
goes in, or none (``romcam.store.home_days``): one home session per day the client measured
(their local date), source ``home``, the landmark and angle files (and a video, if the client
included it) kept as the trial's recording. A trial already in the record (the same test, side
and instant, from home) is counted and skipped, so importing a file twice adds nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import groupby
from pathlib import Path

from romcam.errors import InputError
from romcam.home.results import (
    HomeMeasurement,
    HomeResults,
    TamperedResultsError,
    TrialFiles,
    extract_member,
    read_results,
)
from romcam.store import ClientRecord, MeasurementInput, RecordingInput, Store
from romcam.store.home_days import HOME_SOURCE, HomeDay, add_home_days
from romcam.store.repository import ClientRef


class ForeignResultsError(InputError):
    """The file answers a plan this store does not know (another clinic's, or a deleted one)."""


class WrongClientError(InputError):
    """The file answers a plan of another client than the one it is imported for."""


@dataclass(frozen=True)
class ImportReport:
    """What an import did: ``added`` new home measurements and ``already`` ones skipped (there
    from an earlier import), of ``tests`` tests, measured from ``first_day`` to ``last_day``
    (the client's local dates) by ``client``."""

    client: ClientRecord
    added: int
    already: int
    tests: int
    first_day: date
    last_day: date

    def sentence(self) -> str:
        """``Imported 4 home measurements (2 tests) from 2026-12-01 to 2026-12-03; 0 already
        there.``"""
        days = (
            f"on {self.first_day.isoformat()}"
            if self.first_day == self.last_day
            else f"from {self.first_day.isoformat()} to {self.last_day.isoformat()}"
        )
        return (
            f"Imported {_count(self.added, 'home measurement')} "
            f"({_count(self.tests, 'test')}) {days}; {self.already} already there."
        )


def import_results(store: Store, path: Path, client: ClientRef | None = None) -> ImportReport:
    """Import the results file ``path`` into ``client``'s record (None: the plan's client).

    Raises NotAResultsFileError, TamperedResultsError (``romcam.home.results``),
    ForeignResultsError, WrongClientError, InputError (an unknown client, a file with no
    measurement) or StoreError; nothing is stored then.
    """
    path = Path(path)
    results = read_results(path)
    with tempfile.TemporaryDirectory(prefix="romcam-import-") as tmp:
        files = {m.uuid: _extracted(path, m, Path(tmp)) for m in results.measurements}
        return import_home_results(
            store, results, files, source=path.name, this="this file", client=client
        )


def import_home_results(
    store: Store,
    results: HomeResults,
    files: Mapping[str, TrialFiles],
    *,
    source: str,
    this: str = "this home check",
    client: ClientRef | None = None,
) -> ImportReport:
    """The core of every import: ``results`` with each trial's files on disk (``files``, by
    measurement uuid; a video only when ``results.includes_video``) into ``client``'s record,
    all or nothing. ``source`` names where they came from in the sentences and the sessions'
    notes (a file's name; without a file, e.g. a home check's folder), ``this`` what it is
    in the wrong client's sentence. Raises as :func:`import_results` does."""
    target = _target_client(store, results, source, this, client)
    if not results.measurements:
        raise InputError(
            f"{source} holds no measurement; ask the client to do a home check first, then "
            "export again"
        )
    days = _home_days(results, files, source)
    added = add_home_days(store, target.id, days)
    local_days = [_local_day(m) for m in results.measurements]
    return ImportReport(
        client=added.client,
        added=added.added,
        already=added.already,
        tests=len({m.test for m in results.measurements}),
        first_day=min(local_days),
        last_day=max(local_days),
    )


def _target_client(
    store: Store, results: HomeResults, source: str, this: str, client: ClientRef | None
) -> ClientRecord:
    """The client to import for, once the plan is this store's and the results the plan's."""
    stored = store.find_plan(results.plan_uuid)
    if stored is None:
        raise ForeignResultsError(
            f"{source} was not made from a plan of this clinic (its plan is not in this "
            "store); check that you import it into the right clinic's store"
        )
    if results.client_id is not None and results.client_id != stored.client_id:
        raise TamperedResultsError(
            f"{source} was changed or damaged after it was exported (it names another client "
            "than its plan); ask the client to export it again"
        )
    target = store.get_client(client if client is not None else stored.client_id)
    if target.id != stored.client_id:
        raise WrongClientError(
            f"{this} answers a plan of client {stored.client_name}, not {target.name}; "
            f"import it for {stored.client_name}"
        )
    return target


def _home_days(results: HomeResults, files: Mapping[str, TrialFiles], source: str) -> list[HomeDay]:
    """The trials grouped by the client's local day, each with its files."""
    ordered = sorted(results.measurements, key=lambda m: (_local_day(m), m.measured_at))
    days = []
    for day, group in groupby(ordered, key=_local_day):
        trials = list(group)
        notes = (
            f"Home check of {day.isoformat()}, imported from {source} (plan {results.plan_uuid})."
        )
        items = tuple(
            (_measurement(m), _recording(files.get(m.uuid), results.includes_video)) for m in trials
        )
        days.append(HomeDay(window=_day_window(trials[0]), notes=notes, items=items))
    return days


def _measurement(m: HomeMeasurement) -> MeasurementInput:
    same = {name: getattr(m, name) for name in _SAME_FIELDS}
    return MeasurementInput(**same, source=HOME_SOURCE, measured_at=m.measured_at)


#: The fields a home measurement and a stored measurement share, meaning the same.
_SAME_FIELDS = (
    *("test", "side", "phase", "value", "unit", "view", "quality", "quality_reason"),
    *("held_max", "held_min", "start", "excursion", "neutral", "uncertainty"),
    *("first_pain", "pain_score", "compensation", "setup"),
)


def _recording(files: TrialFiles | None, with_video: bool) -> RecordingInput | None:
    if files is None or (files.landmarks is None and files.angles is None and files.video is None):
        return None
    video = files.video if with_video else None
    return RecordingInput(landmarks=files.landmarks, angles=files.angles, video=video)


def _extracted(path: Path, m: HomeMeasurement, folder: Path) -> TrialFiles:
    """The trial's files, extracted under ``folder/<uuid>/`` (each checked against the
    manifest again as it is copied)."""

    def extracted(role: str, name: str | None) -> Path | None:
        # Named by role, not by the member's name: a name in the file never picks a path here.
        dest = folder / m.uuid / f"{role}{Path(name).suffix}" if name is not None else None
        return None if dest is None or name is None else extract_member(path, name, dest)

    return TrialFiles(
        landmarks=extracted("landmarks", m.landmarks),
        angles=extracted("angles", m.angles),
        video=extracted("video", m.video),
    )


def _local_day(m: HomeMeasurement) -> date:
    """The client's date of the trial (its time in the UTC offset it was exported with)."""
    return m.measured_at.date()


def _day_window(m: HomeMeasurement) -> tuple[datetime, datetime]:
    """The client's local day of ``m`` as naive UTC: from its midnight to the next."""
    midnight = datetime.combine(m.measured_at.date(), time(), tzinfo=m.measured_at.tzinfo)
    start = midnight.astimezone(UTC).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
