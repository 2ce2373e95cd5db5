"""Schema migrations run in code: ``alembic upgrade`` on an open engine, without an ini file.

Alembic is imported only when a migration has to run, so opening an up-to-date store (every
CLI command) stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from romcam.store.engine import WRITE_OPTION

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Newest revision in ``migrations/versions`` (a test checks it against Alembic's own head).
HEAD_REVISION = "0004"
_VERSION_TABLE = "alembic_version"


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations shipped in the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    """Revision id of the newest schema this romcam knows."""
    return HEAD_REVISION


def known_revisions() -> set[str]:
    """Every revision id shipped with this romcam (read from the migration scripts)."""
    from alembic.script import ScriptDirectory

    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """Revision the database is at; None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(_VERSION_TABLE):
            return None
        return conn.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database in place to ``revision`` (rows are kept; concurrent calls queue)."""
    from alembic import command

    config = alembic_config()
    # One transaction opened here, before Alembic looks at the schema: Alembic then runs every
    # step inside it. Left to itself it commits after each step on SQLite (no transactional
    # DDL there), so a second process could slip in between steps and run one again.
    with engine.execution_options(**{WRITE_OPTION: True}).connect() as conn, conn.begin():
        config.attributes["connection"] = conn
        command.upgrade(config, revision)
