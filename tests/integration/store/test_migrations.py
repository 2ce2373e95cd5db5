"""Upgrading an existing database in place: from the first schema to head, no row lost."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text

from romcam.errors import StoreError
from romcam.store import MeasurementInput, Store, migrate
from romcam.store.engine import make_engine
from romcam.store.models import Base

FIRST = "0001"
T = datetime(2026, 1, 2, 3, 4, 5)


def _fill_first_schema(url: str) -> None:
    """Rows written the way a romcam at revision 0001 wrote them."""
    engine = make_engine(url)
    try:
        migrate.upgrade(engine, FIRST)
        assert migrate.current_revision(engine) == FIRST
        assert "neutral" not in {c["name"] for c in inspect(engine).get_columns("measurement")}
        with engine.begin() as conn:
            for cid, name in ((1, "Ann"), (2, "Ben")):
                conn.execute(
                    text(
                        "INSERT INTO client (id, name, name_key, notes, created_at) "
                        "VALUES (:id, :n, :k, '', :t)"
                    ),
                    {"id": cid, "n": name, "k": name.lower(), "t": T},
                )
                conn.execute(
                    text(
                        "INSERT INTO assessment_session (id, client_id, started_at, therapist, "
                        "notes) VALUES (:id, :id, :t, 'Tess', 'visit')"
                    ),
                    {"id": cid, "t": T},
                )
            for mid in range(1, 7):
                conn.execute(
                    text(
                        "INSERT INTO measurement (id, session_id, phase, test_id, side, "
                        "metric_id, value, unit, quality, quality_reason, source, measured_at, "
                        "calibration_profile) VALUES (:id, :s, :p, 'knee_flexion', 'left', "
                        "'knee_flexion_left', :v, 'deg', 'ok', '', 'video', :t, NULL)"
                    ),
                    {
                        "id": mid,
                        "s": 1 + mid % 2,
                        "p": "before" if mid < 4 else "after",
                        "v": 100.0 + mid,
                        "t": T,
                    },
                )
            conn.execute(
                text(
                    "INSERT INTO recording (id, session_id, measurement_id, video_path, "
                    "duration_s, sha256, created_at) VALUES (1, 2, 1, "
                    "'recordings/Ann/2/x/video.mp4', 3.0, :h, :t)"
                ),
                {"h": "ab" * 32, "t": T},
            )
            if engine.dialect.name == "postgresql":
                for table in ("client", "assessment_session", "measurement", "recording"):
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))"
                        )
                    )
    finally:
        engine.dispose()


def test_upgrade_from_first_schema_keeps_every_row(store_url: str, data_dir: Path) -> None:
    _fill_first_schema(store_url)
    with Store.open(store_url, root=data_dir) as store:
        assert migrate.current_revision(store.engine) == migrate.head_revision() != FIRST
        assert [c.name for c in store.list_clients()] == ["Ann", "Ben"]
        frame = store.measurements_frame()
        assert sorted(frame["measurement_id"]) == [1, 2, 3, 4, 5, 6]
        assert sorted(frame["value"]) == [101.0, 102.0, 103.0, 104.0, 105.0, 106.0]
        assert frame["neutral"].isna().all()
        assert store.get_session(1).therapist == "Tess"
        rec = store.get_measurement(1).recording
        assert rec is not None and rec.sha256 == "ab" * 32 and rec.duration_s == 3.0
        # The new column and indexes of revision 0002 are there and usable.
        new = store.add_measurement(
            1, MeasurementInput("knee_flexion", "right", "before", 120.0, neutral=2.0)
        )
        assert new.id == 7 and store.get_measurement(7).neutral == 2.0
        index_names = {ix["name"] for ix in inspect(store.engine).get_indexes("measurement")}
        assert "ix_measurement_session_test_side" in index_names
        # The trial columns of revision 0003 take their values and read back as stored.
        trial = store.add_measurement(
            1,
            MeasurementInput(
                "shoulder_flexion",
                "left",
                "before",
                150.0,
                first_pain=120.0,
                pain_score=4,
                compensation={"trunk_extension": 6.5},
                setup={"distance_m": 2.4, "view": "side_left"},
                uncertainty=3.0,
            ),
        )
        back = store.get_measurement(trial.id)
        assert (back.first_pain, back.pain_score, back.uncertainty) == (120.0, 4, 3.0)
        assert back.compensation == {"trunk_extension": 6.5}
        assert back.setup == {"distance_m": 2.4, "view": "side_left"}
        assert store.exclude_measurement(trial.id, "client coughed").excluded_reason == (
            "client coughed"
        )
        assert store.include_measurement(trial.id).excluded_reason is None


def test_migrations_build_exactly_the_models(store_url: str, data_dir: Path) -> None:
    Store.open(store_url, root=data_dir).close()
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_the_whole_upgrade_is_one_transaction(store_url: str) -> None:
    # Two programs opening a new database at once queue on this one transaction; an upgrade
    # committed step by step let the second one run a step again ("duplicate column").
    engine = make_engine(store_url)
    commits: list[object] = []
    event.listen(engine, "commit", commits.append)
    try:
        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
    finally:
        engine.dispose()
    assert len(commits) == 1


def test_downgrade_to_first_and_back(store_url: str, data_dir: Path) -> None:
    with Store.open(store_url, root=data_dir) as store:
        session = store.start_session(store.add_client("Cy"))
        store.add_measurement(session.id, MeasurementInput("hip_flexion", "left", "after", 95.0))
        command_engine = store.engine
        config = migrate.alembic_config()
        with command_engine.connect() as conn:
            config.attributes["connection"] = conn
            command.downgrade(config, FIRST)
            conn.commit()
        assert migrate.current_revision(command_engine) == FIRST
    with Store.open(store_url, root=data_dir) as store:
        assert store.measurements_frame()["value"].tolist() == [95.0]


def test_database_from_a_newer_romcam_is_refused(store_url: str, data_dir: Path) -> None:
    Store.open(store_url, root=data_dir).close()
    engine = make_engine(store_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match=r"written by a newer romcam \(schema 9999\)"):
        Store.open(store_url, root=data_dir)


def test_head_constant_matches_the_scripts() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert scripts.get_current_head() == migrate.HEAD_REVISION
    assert migrate.known_revisions() == {"0001", "0002", "0003", "0004"}
