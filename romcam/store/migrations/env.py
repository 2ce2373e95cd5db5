"""Alembic environment for the romcam store.

romcam runs migrations in code (``romcam.store.migrate.upgrade``) and hands over an open
connection in ``config.attributes["connection"]``; the command-line ``alembic`` falls back to
``ROMCAM_DATABASE_URL``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from romcam.store.engine import WRITE_OPTION, default_database_url, make_engine
from romcam.store.models import Base

#: Arbitrary constant: PostgreSQL advisory lock id that serialises concurrent upgrades.
_PG_MIGRATION_LOCK = 7_263_401


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(default_database_url())
    try:
        with engine.execution_options(**{WRITE_OPTION: True}).connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("romcam migrations need a database connection (offline mode unsupported)")
run_migrations_online()
