"""A client's results file into the clinic's store (SQLite and PostgreSQL): the round trip,
a re-import adding nothing, and every bad file refused with nothing stored."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from romcam.errors import InputError, StoreError
from romcam.home.clinic_import import ForeignResultsError, WrongClientError, import_results
from romcam.home.results import NotAResultsFileError, TamperedResultsError
from romcam.store import Store
from romcam.store.files import client_file_stem
from romcam.store.home_days import HOME_THERAPIST
from tests.integration.home.home_files import plan_for, results_file

CLIENT = "Ada Home"


def _nothing_stored(store: Store, client: str = CLIENT) -> None:
    assert store.measurements_frame(client=client).empty
    assert store.list_sessions(client) == []
    recordings = store.root / "recordings"
    assert not recordings.exists() or not any(p.is_file() for p in recordings.rglob("*"))


def test_round_trip_one_home_session_per_day(store: Store, tmp_path: Path) -> None:
    path = results_file(tmp_path, plan_for(store, CLIENT))
    report = import_results(store, path)
    assert report.sentence() == (
        "Imported 4 home measurements (2 tests) from 2026-12-01 to 2026-12-03; 0 already there."
    )
    assert (report.client.name, report.first_day, report.last_day) == (
        CLIENT,
        date(2026, 12, 1),
        date(2026, 12, 3),
    )
    sessions = store.list_sessions(CLIENT)
    assert [s.therapist for s in sessions] == [HOME_THERAPIST] * 3
    assert [s.started_at for s in sessions] == [
        datetime(2026, 12, 1, 17, 5, 7, 250_000),  # 18:05 CET, naive UTC
        datetime(2026, 12, 2, 7, 5, 7, 250_000),
        datetime(2026, 12, 3, 18, 5, 7, 250_000),
    ]
    assert "home-results.zip" in sessions[0].notes
    frame = store.measurements_frame(client=CLIENT)
    assert frame["source"].tolist() == ["home"] * 4
    assert frame["phase"].tolist() == ["home"] * 4
    assert frame["value"].tolist() == [150.0, 152.0, 120.0, 155.0]
    for landmarks in frame["landmarks_path"]:
        assert store.path_of(landmarks).read_text().startswith("frame,time_s,trial")


def test_a_reimport_adds_nothing_and_an_overlapping_file_only_the_new(
    store: Store, tmp_path: Path
) -> None:
    plan = plan_for(store, CLIENT)
    path = results_file(tmp_path, plan)
    import_results(store, path)
    again = import_results(store, path, client=CLIENT)
    assert again.sentence() == (
        "Imported 0 home measurements (2 tests) from 2026-12-01 to 2026-12-03; 4 already there."
    )
    later = ((3, 19, "shoulder_flexion", "right", 155.0), (4, 9, "knee_flexion", "left", 124.0))
    overlap = results_file(tmp_path, plan, later, name="later.zip")  # new uuids, same instant
    report = import_results(store, overlap)
    assert (report.added, report.already) == (1, 1)
    assert report.sentence().endswith("(2 tests) from 2026-12-03 to 2026-12-04; 1 already there.")
    assert len(store.measurements_frame(client=CLIENT)) == 5
    assert len(store.list_sessions(CLIENT)) == 4


def test_a_file_changed_after_its_export_is_refused(store: Store, tmp_path: Path) -> None:
    path = results_file(tmp_path, plan_for(store, CLIENT))
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(edited, "w") as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "results.json":
                data = data.replace(b"150.0", b"170.0")  # a better value, typed in
            out.writestr(info, data)
    with pytest.raises(TamperedResultsError) as caught:
        import_results(store, edited)
    assert "was changed or damaged after it was exported" in str(caught.value)
    assert str(caught.value).endswith("ask the client to export it again")
    _nothing_stored(store)


def test_a_file_of_another_clients_plan_is_refused(store: Store, tmp_path: Path) -> None:
    path = results_file(tmp_path, plan_for(store, CLIENT))
    store.add_client("Bea Other")
    with pytest.raises(WrongClientError) as caught:
        import_results(store, path, client="Bea Other")
    assert str(caught.value) == (
        f"this file answers a plan of client {CLIENT}, not Bea Other; import it for {CLIENT}"
    )
    _nothing_stored(store, "Bea Other")
    _nothing_stored(store)


def test_a_file_of_another_clinics_plan_is_refused(
    store: Store, tmp_path: Path, data_dir: Path
) -> None:
    with Store.open(f"sqlite:///{tmp_path / 'other-clinic.db'}", root=data_dir) as other:
        path = results_file(tmp_path, plan_for(other, CLIENT))
    store.add_client(CLIENT)
    with pytest.raises(ForeignResultsError, match="was not made from a plan of this clinic"):
        import_results(store, path, client=CLIENT)
    _nothing_stored(store)


@pytest.mark.parametrize(
    "content", [b"name,value\nAda,1\n", b"PK\x03\x04 a broken zip", b""], ids=str
)
def test_a_file_that_is_no_results_file_is_refused(
    store: Store, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "notes.zip"
    path.write_bytes(content)
    with pytest.raises(NotAResultsFileError, match=r"^notes.zip is not a romcam home results"):
        import_results(store, path)


def test_a_file_with_no_measurement_is_refused(store: Store, tmp_path: Path) -> None:
    path = results_file(tmp_path, plan_for(store, CLIENT), trials=())
    with pytest.raises(InputError, match="holds no measurement"):
        import_results(store, path)


def test_all_or_nothing_when_the_store_fails_on_the_second_day(
    store: Store, tmp_path: Path
) -> None:
    """The second home session's recordings folder cannot be made: the first day is not kept."""
    plan = plan_for(store, CLIENT)
    path = results_file(tmp_path, plan)
    client = store.get_client(CLIENT)
    blocker = store.root / "recordings" / client_file_stem(client.name, client.id) / "2"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        import_results(store, path)
    blocker.unlink()
    _nothing_stored(store)
    assert import_results(store, path).added == 4  # and the file still imports afterwards
