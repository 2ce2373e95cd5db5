"""Files named after a client are unique per client: names with no Latin letters (山田, 田中)
never share an export file or a recordings folder, and one export never replaces another's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text

from romcam.cli import main
from romcam.store import MeasurementInput, RecordingInput, Store
from romcam.store.files import client_file_stem

KINDS = ("measurements", "before-after", "progress")


def test_file_stem_is_the_safe_name_and_the_client_id() -> None:
    assert client_file_stem("山田", 3) == "client-3"
    assert client_file_stem("田中", 4) == "client-4"
    assert client_file_stem("Zoë Müller", 12) == "Zoe_Muller-12"
    assert client_file_stem("../../etc/passwd", 5) == "etc_passwd-5"
    # The id is everything after the last '-', so two clients never share a stem.
    assert client_file_stem("Ann-2", 1) != client_file_stem("Ann", 21)


def _seed(url: str, data_dir: Path, names: tuple[str, ...]) -> dict[str, int]:
    """Each client gets one visit with one value (100, 110, ...); returns name -> client id."""
    ids = {}
    with Store.open(url, root=data_dir) as store:
        for k, name in enumerate(names):
            client = store.add_client(name)
            session = store.start_session(client)
            store.add_measurement(
                session.id, MeasurementInput("knee_flexion", "left", "before", 100.0 + 10 * k)
            )
            ids[name] = client.id
    return ids


def test_exports_of_clients_with_non_latin_names_do_not_collide(
    store_url: str, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _seed(store_url, data_dir, ("山田", "田中"))
    out = tmp_path / "exports"
    for name in ids:
        assert main(["export", name, "--csv", str(out), "--db", store_url]) == 0
    capsys.readouterr()
    expected = {f"client-{ids[n]}-{kind}.csv" for n in ids for kind in KINDS}
    assert {p.name for p in out.iterdir()} == expected
    for value, name in ((100.0, "山田"), (110.0, "田中")):
        frame = pd.read_csv(out / f"client-{ids[name]}-measurements.csv")
        assert frame["client"].tolist() == [name] and frame["value"].tolist() == [value]


def test_recordings_of_clients_with_non_latin_names_have_their_own_folders(
    store: Store, data_dir: Path, tmp_path: Path
) -> None:
    angles = tmp_path / "angles.csv"
    angles.write_text("frame,time_s\n0,0.0\n")
    folders = {}
    for name in ("山田", "田中"):
        client = store.add_client(name)
        session = store.start_session(client)
        m = store.add_measurement(
            session.id,
            MeasurementInput("knee_flexion", "left", "before", 100.0),
            RecordingInput(angles=angles),
        )
        assert m.recording is not None and m.recording.angles_path is not None
        stored = store.path_of(m.recording.angles_path)
        assert stored.read_text() == angles.read_text()
        folders[name] = stored.relative_to(data_dir / "recordings").parts[0]
    assert folders == {
        "山田": f"client-{store.get_client('山田').id}",
        "田中": f"client-{store.get_client('田中').id}",
    }


def test_recordings_stored_under_the_old_folder_name_stay_readable(
    store_url: str, data_dir: Path, tmp_path: Path
) -> None:
    """A store written before the id was part of the folder name (``recordings/Ann/<session>``)
    keeps its files where they are: read, kept by recovery, deleted with their measurement."""
    angles = tmp_path / "angles.csv"
    angles.write_text("frame,time_s\n0,0.0\n")
    with Store.open(store_url, root=data_dir) as store:
        session = store.start_session(store.add_client("Ann"))
        m = store.add_measurement(
            session.id,
            MeasurementInput("knee_flexion", "left", "before", 100.0),
            RecordingInput(angles=angles),
        )
        assert m.recording is not None and m.recording.angles_path is not None
        new_path = m.recording.angles_path
        old_path = new_path.replace(f"/Ann-{session.client_id}/", "/Ann/", 1)
        (data_dir / old_path).parent.parent.mkdir(parents=True)
        (data_dir / new_path).parent.rename((data_dir / old_path).parent)
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE recording SET angles_path = :p"), {"p": old_path})
    with Store.open(store_url, root=data_dir) as store:  # recovery runs here
        stored = store.get_measurement(m.id).recording
        assert stored is not None and stored.angles_path == old_path
        assert store.path_of(old_path).read_text() == angles.read_text()
        store.delete_measurement(m.id)
    assert not (data_dir / old_path).exists()
