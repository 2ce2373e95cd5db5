"""The client's own store on their computer: the client and today's session (made when
needed), the days' results for "my progress", and the results file written from it.

The home check keeps its measurements in an ordinary :class:`romcam.store.Store` in the
client's data directory (``<data dir>/home-check``, never the clinic's): one client (the
plan's name), one session per local day, each trial a measurement of phase ``home`` and
source ``live``.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.errors import InputError
from romcam.home.plan import HomePlan
from romcam.home.results import (
    HomeMeasurement,
    HomeResults,
    TrialFiles,
    utc_now,
    write_results,
)
from romcam.store.records import ClientRecord, MeasurementRecord, SessionRecord

if TYPE_CHECKING:
    import pandas as pd

    from romcam.store import Store

#: The phase label of every home measurement in the client's store.
HOME_PHASE = "home"
#: The namespace of the measurements' uuids (uuid5 of client, test, side and time).
_UUID_NAMESPACE = uuid.UUID("7b0f4a1e-5d2c-4f7a-9a0e-3c2b1d4e5f60")


def home_client(store: Store, plan: HomePlan) -> ClientRecord:
    """The plan's client in the client's store, added the first time."""
    for client in store.list_clients():
        if client.name.casefold() == plan.client.name.casefold():
            return client
    return store.add_client(plan.client.name, notes="Home check (romcam home).")


def local_day(when: datetime) -> date:
    """The local calendar day of a stored time (the store keeps naive UTC; a pandas
    Timestamp is taken as the datetime it is)."""
    to_datetime = getattr(when, "to_pydatetime", None)
    when = to_datetime() if to_datetime is not None else when
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone().date()


def todays_session(store: Store, client: ClientRecord) -> SessionRecord:
    """Today's session of the client (local day), started now if there is none yet."""
    today = date.today()
    for session in reversed(store.list_sessions(client.id)):
        if local_day(session.started_at) == today:
            return session
    return store.start_session(client.id, notes="Home check.")


def measurement_uuid(client_name: str, m: MeasurementRecord) -> str:
    """A measurement's id in the results file: the same at every export of it."""
    key = f"{client_name.casefold()}|{m.test}|{m.side or ''}|{aware_utc(m.measured_at).isoformat()}"
    return str(uuid.uuid5(_UUID_NAMESPACE, key))


def aware_utc(when: datetime) -> datetime:
    """A stored (naive UTC) time as timezone-aware UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Exported:
    """A results file written: where, and what it holds."""

    path: Path
    results: HomeResults


def export_results(
    store: Store, plan: HomePlan, path: Path, *, include_video: bool = False
) -> Exported:
    """Write every home measurement of the plan's client to the results file ``path``.

    Raises InputError when there is nothing to export yet (no measurement), OSError when
    ``path`` cannot be written."""
    results, files = collect_results(store, plan, include_video=include_video)
    write_results(path, results, files)
    return Exported(path, results)


def collect_results(
    store: Store, plan: HomePlan, *, include_video: bool = False
) -> tuple[HomeResults, dict[str, TrialFiles]]:
    """What the results file holds, in memory: the results and each trial's files (by
    measurement uuid); InputError when there is no measurement yet."""
    client = home_client(store, plan)
    measurements: list[HomeMeasurement] = []
    files: dict[str, TrialFiles] = {}
    for session in store.list_sessions(client.id):
        trial_numbers: dict[tuple[str, str | None], int] = {}
        for m in store.list_measurements(session.id):
            if m.phase != HOME_PHASE:
                continue
            key = (m.test, m.side)
            trial_numbers[key] = trial_numbers.get(key, 0) + 1
            home = _home_measurement(client.name, m, trial_numbers[key])
            measurements.append(home)
            files[home.uuid] = _trial_files(store, m)
    if not measurements:
        raise InputError("there are no measurements to export yet; do today's home check first")
    results = HomeResults(
        plan_uuid=plan.plan_id,
        client_id=plan.client.store_id,
        client_name=plan.client.name,
        exported_at=utc_now(),
        measurements=tuple(sorted(measurements, key=lambda h: h.measured_at)),
        includes_video=include_video,
    )
    return results, files


def _home_measurement(client_name: str, m: MeasurementRecord, trial: int) -> HomeMeasurement:
    return HomeMeasurement(
        uuid=measurement_uuid(client_name, m),
        test=m.test,
        side=m.side,
        phase=m.phase,
        value=m.value,
        unit=m.unit,
        measured_at=aware_utc(m.measured_at),
        quality=m.quality,
        quality_reason=m.quality_reason,
        trial=trial,
        view=m.view,
        held_max=m.held_max,
        held_min=m.held_min,
        start=m.start,
        excursion=m.excursion,
        neutral=m.neutral,
        uncertainty=m.uncertainty,
        first_pain=m.first_pain,
        pain_score=m.pain_score,
        compensation=dict(m.compensation) if m.compensation else None,
        setup=dict(m.setup) if m.setup else None,
    )


def _trial_files(store: Store, m: MeasurementRecord) -> TrialFiles:
    rec = m.recording
    if rec is None:
        return TrialFiles()

    def stored(relative: str | None) -> Path | None:
        return store.path_of(relative) if relative else None

    return TrialFiles(
        landmarks=stored(rec.landmarks_path),
        angles=stored(rec.angles_path),
        video=stored(rec.video_path),
    )


def daily_results(store: Store, client: ClientRecord) -> pd.DataFrame:
    """The client's home results per local day, test and side: columns ``day`` (date),
    ``test``, ``side`` ("" when none), ``value`` (mean of the day's trials that passed their
    quality check and were not left out), ``unit``, ``trials``; oldest day first."""
    import pandas as pd

    frame = store.measurements_frame(client=client.id)
    columns = ["day", "test", "side", "value", "unit", "trials"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    kept = frame[
        (frame["phase"] == HOME_PHASE)
        & (frame["quality"] == "ok")
        & frame["excluded_reason"].isna()
        & frame["value"].map(math.isfinite)
    ].copy()
    if kept.empty:
        return pd.DataFrame(columns=columns)
    kept["day"] = kept["measured_at"].map(local_day)
    kept["side"] = kept["side"].fillna("")
    days = (
        kept.groupby(["day", "test", "side", "unit"], as_index=False)
        .agg(value=("value", "mean"), trials=("value", "size"))
        .sort_values("day")
    )
    return days[columns].reset_index(drop=True)


#: The environment variable ``romcam home`` starts the dashboard with: the client's plan file.
#: Set, the dashboard runs in client mode (the home check's pages only).
HOME_PLAN_ENV = "ROMCAM_HOME_PLAN"
