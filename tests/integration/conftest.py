"""Fixtures for integration tests (shared file: add fixtures, do not change others')."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from romcam.store import Store
from tests.integration.rotated_clips import RotatedClips, make_rotated_clips

# --- session store: the same tests against SQLite and PostgreSQL ----------------------------

POSTGRES_URL_ENV = "ROMCAM_TEST_POSTGRES_URL"
STORE_BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_admin_url() -> str:
    """The server scripts/test.sh started; FAILS the test when it is not configured."""
    url = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if not url:
        pytest.fail(
            f"{POSTGRES_URL_ENV} is not set: run ./scripts/test.sh (it starts PostgreSQL), "
            'or deselect these tests with -m "not postgres"'
        )
    return url


def _create_postgres_schema() -> str:
    """A new empty schema on the test server; the URL makes it the connection's search_path."""
    admin_url = make_url(postgres_admin_url())
    name = f"romcam_t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    finally:
        admin.dispose()
    url = admin_url.update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


def _drop_postgres_schema(url: str) -> None:
    options = make_url(url).query["options"]
    name = str(options).split("=", 1)[1]
    admin = create_engine(make_url(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    finally:
        admin.dispose()


def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new empty database (SQLite file) or schema (PostgreSQL, dropped afterwards)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'romcam-test.db'}"
        return
    url = _create_postgres_schema()
    try:
        yield url
    finally:
        _drop_postgres_schema(url)


@pytest.fixture(params=STORE_BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, empty database (SQLite) or schema (PostgreSQL) for one test."""
    yield from fresh_database_url(request.param, tmp_path)


@pytest.fixture
def store(store_url: str, data_dir: Path) -> Iterator[Store]:
    """An open :class:`romcam.store.Store` on a fresh database, files under ``data_dir``."""
    opened = Store.open(store_url, root=data_dir)
    try:
        yield opened
    finally:
        opened.close()


# --- phone-style rotated clips (display matrix), made once per session ---------------------


@pytest.fixture(scope="session")
def rotated_clips(tmp_path_factory: pytest.TempPathFactory) -> RotatedClips:
    """A real upright clip and its copies rotated by 90, 180 and 270 degrees for display."""
    return make_rotated_clips(tmp_path_factory.mktemp("rotated"))
