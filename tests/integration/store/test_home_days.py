"""Home checks in the clinic's store (SQLite and PostgreSQL): one session per home day, source
``home``, the landmark files kept, a trial already there skipped, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from romcam.errors import InputError
from romcam.store import MeasurementInput, RecordingInput, Store
from romcam.store.home_days import HOME_THERAPIST, HomeDay, add_home_days

CET = timezone(timedelta(hours=1))


def _day(
    when: list[datetime], folder: Path | None = None, test: str = "shoulder_flexion"
) -> HomeDay:
    """A home day of trials of ``test`` (right) at ``when`` (CET), landmarks in ``folder``."""
    items = []
    for n, t in enumerate(when):
        recording = None
        if folder is not None:
            csv = folder / f"{test}-{t:%d%H%M%S%f}.csv"
            csv.write_text(f"frame,time_s\n0,0.0\n{n},0.5\n")
            recording = RecordingInput(landmarks=csv)
        m = MeasurementInput(test, "right", "home", 150.0 + n, source="home", measured_at=t)
        items.append((m, recording))
    midnight = datetime.combine(when[0].date(), datetime.min.time(), tzinfo=CET)
    start = midnight.astimezone(UTC).replace(tzinfo=None)
    return HomeDay((start, start + timedelta(days=1)), "Home check.", tuple(items))


def test_one_session_per_home_day_with_the_landmarks_kept(store: Store, tmp_path: Path) -> None:
    client = store.add_client("Home Client")
    day1 = [datetime(2026, 12, 1, 8, 0, 5, 123456, tzinfo=CET)]
    day2 = [datetime(2026, 12, 2, 19, 30, tzinfo=CET), datetime(2026, 12, 2, 19, 31, tzinfo=CET)]
    added = add_home_days(store, client.id, [_day(day1, tmp_path), _day(day2, tmp_path)])
    assert (added.added, added.already, len(added.session_ids)) == (3, 0, 2)
    sessions = store.list_sessions(client.id)
    assert [s.therapist for s in sessions] == [HOME_THERAPIST] * 2
    assert sessions[0].started_at == datetime(2026, 12, 1, 7, 0, 5, 123456)  # naive UTC
    second = store.list_measurements(sessions[1].id)
    assert [m.source for m in second] == ["home", "home"]
    assert [m.value for m in second] == [150.0, 151.0]
    for m in second:
        assert m.recording is not None and m.recording.landmarks_path
        assert store.path_of(m.recording.landmarks_path).read_text().startswith("frame,time_s")


def test_trials_already_there_are_skipped_and_a_later_one_joins_its_day(
    store: Store, tmp_path: Path
) -> None:
    client = store.add_client("Home Client")
    early = datetime(2026, 12, 1, 8, 0, tzinfo=CET)
    late = datetime(2026, 12, 1, 20, 0, tzinfo=CET)
    add_home_days(store, client.id, [_day([late], tmp_path)])
    again = add_home_days(store, client.id, [_day([early, late], tmp_path)])
    assert (again.added, again.already) == (1, 1)
    [session] = store.list_sessions(client.id)
    assert session.started_at == datetime(2026, 12, 1, 7, 0)  # moved to the earlier trial
    assert len(store.list_measurements(session.id)) == 2
    third = add_home_days(store, client.id, [_day([early, late], tmp_path)])
    assert (third.added, third.already, third.session_ids) == (0, 2, ())
    assert len(store.list_sessions(client.id)) == 1


def test_a_clinic_trial_at_the_same_instant_is_not_a_home_duplicate(store: Store) -> None:
    client = store.add_client("Home Client")
    when = datetime(2026, 12, 1, 8, 0, tzinfo=CET)
    visit = store.start_session(client.id, therapist="Sam", started_at=when)
    store.add_measurement(
        visit.id, MeasurementInput("shoulder_flexion", "right", "before", 140.0, measured_at=when)
    )
    added = add_home_days(store, client.id, [_day([when])])
    assert (added.added, added.already) == (1, 0)


def test_all_or_nothing_when_a_later_day_fails(store: Store, tmp_path: Path) -> None:
    """A missing landmark file on the second day: nothing of the first is kept either."""
    client = store.add_client("Home Client")
    good = _day([datetime(2026, 12, 1, 8, 0, tzinfo=CET)], tmp_path)
    bad = _day([datetime(2026, 12, 2, 8, 0, tzinfo=CET)], tmp_path)
    [(_, recording)] = bad.items
    assert recording is not None and recording.landmarks is not None
    recording.landmarks.unlink()
    with pytest.raises(InputError, match="does not exist"):
        add_home_days(store, client.id, [good, bad])
    assert store.list_sessions(client.id) == []
    recordings = store.root / "recordings"
    assert not recordings.exists() or not any(p.is_file() for p in recordings.rglob("*"))


def test_a_home_trial_needs_its_source_and_time(store: Store) -> None:
    client = store.add_client("Home Client")
    day = _day([datetime(2026, 12, 1, 8, 0, tzinfo=CET)])
    clinic = MeasurementInput("shoulder_flexion", "right", "home", 150.0, measured_at=None)
    with pytest.raises(InputError, match="source 'home'"):
        add_home_days(store, client.id, [HomeDay(day.window, "", ((clinic, None),))])
