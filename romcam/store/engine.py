"""Database engines: which URL, connection settings, and turning driver errors into sentences.

SQLite (the default, one file in the data directory) runs in WAL mode with foreign keys on and a
busy timeout; every write transaction starts with ``BEGIN IMMEDIATE`` so two writers queue on
the lock instead of failing half-way. PostgreSQL (``ROMCAM_DATABASE_URL`` or ``--db``) serves a
clinic with several workstations.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from romcam.errors import InputError, StoreError
from romcam.paths import data_dir

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "ROMCAM_DATABASE_URL"
#: How long a writer waits for another one before reporting "busy" (seconds); the
#: environment variable overrides it.
BUSY_TIMEOUT_S = 15.0
BUSY_TIMEOUT_ENV = "ROMCAM_DB_BUSY_TIMEOUT_S"
#: Execution option that marks a connection as a writer (``BEGIN IMMEDIATE`` on SQLite).
WRITE_OPTION = "romcam_write"
BUSY_MESSAGE = "the database is busy; try again"


def default_database_url() -> str:
    """``ROMCAM_DATABASE_URL`` if set, else SQLite ``romcam.db`` in the data directory."""
    env = os.environ.get(DATABASE_URL_ENV, "").strip()
    if env:
        return env
    return URL.create("sqlite", database=str(data_dir() / "romcam.db")).render_as_string()


def parse_url(url: str) -> URL:
    """Parsed URL; InputError when it is not a database URL we support.

    Supported: ``sqlite:///path`` and ``postgresql[+psycopg]://...`` (plain ``postgresql``
    means psycopg 3, the driver romcam installs); a port is a number from 1 to 65535.
    """
    try:
        parsed = make_url(url)
    except ValueError:  # SQLAlchemy's int() of the port text
        port = _PORT_TEXT.match(url)
        raise (_bad_port(port.group(1)) if port else _invalid_url()) from None
    except ArgumentError:
        raise _invalid_url() from None
    backend = parsed.get_backend_name()
    if backend not in _DRIVERS:
        raise InputError(f"unsupported database {backend!r}; use sqlite or postgresql")
    if parsed.drivername not in _DRIVERS[backend]:
        raise _unsupported_driver(parsed)
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise _bad_port(str(parsed.port))
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


#: Backend -> the driver names romcam runs on (the bare name means romcam's default driver).
_DRIVERS = {
    "sqlite": ("sqlite", "sqlite+pysqlite"),
    "postgresql": ("postgresql", "postgresql+psycopg"),
}
#: The port text of ``scheme://[user[:password]@]host:PORT[/...]`` (host may be ``[IPv6]``).
_PORT_TEXT = re.compile(r"^[^:/]+://(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?\[]*):([^/?]*)")


def _invalid_url() -> InputError:
    return InputError(
        "the database URL is not valid; expected e.g. sqlite:///path/romcam.db or "
        "postgresql+psycopg://user@host/dbname"
    )


def _bad_port(text: str) -> InputError:
    return InputError(
        f"the port {text!r} in the database URL is not a number from 1 to 65535; "
        "write e.g. postgresql+psycopg://user@host:5432/dbname"
    )


def _unsupported_driver(parsed: URL) -> InputError:
    if parsed.get_backend_name() == "sqlite":
        return InputError(
            f"romcam opens SQLite with Python's sqlite3 module, not {parsed.drivername!r}; "
            "use sqlite:///path/romcam.db"
        )
    fixed = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=True)
    return InputError(
        f"romcam uses the postgresql+psycopg driver (psycopg 3), not {parsed.drivername!r}; "
        f"write the URL as {fixed}"
    )


def busy_timeout_s() -> float:
    """``ROMCAM_DB_BUSY_TIMEOUT_S`` when set to a positive number, else ``BUSY_TIMEOUT_S``."""
    text = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    try:
        value = float(text) if text else BUSY_TIMEOUT_S
    except ValueError:
        raise InputError(f"{BUSY_TIMEOUT_ENV} must be a number of seconds; got {text!r}") from None
    if not value > 0:
        raise InputError(f"{BUSY_TIMEOUT_ENV} must be positive; got {text!r}")
    return value


def make_engine(url: str, *, busy_timeout: float | None = None) -> Engine:
    """An engine for ``url`` with romcam's connection settings (see the module docstring).

    ``busy_timeout``: seconds a writer waits for a lock (None = :func:`busy_timeout_s`).
    """
    parsed = parse_url(url)
    timeout = busy_timeout if busy_timeout is not None else busy_timeout_s()
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, timeout)
    connect_args = {"connect_timeout": 10, "application_name": "romcam"}
    engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # A writer waiting for a lock gives up after the timeout: a retryable "busy" error.
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = {int(timeout * 1000)}")
        dbapi_conn.commit()

    return engine


def _sqlite_engine(url: URL, timeout: float) -> Engine:
    if url.database and url.database != ":memory:" and not url.query.get("uri"):
        folder = Path(url.database).resolve().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the folder for the database {str(folder)!r}: {exc.strerror}"
            ) from None
    engine = create_engine(url, connect_args={"timeout": timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the sqlite3 module so BEGIN is ours.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if url.query.get("mode") != "ro":
                _use_wal(cur, timeout)
            # FULL: a committed measurement survives a power cut, not only a crash.
            cur.execute("PRAGMA synchronous = FULL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        writer = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

    return engine


def _use_wal(cur: Any, timeout: float) -> None:
    """Switch the SQLite file to WAL mode, waiting up to ``timeout`` s for other openers.

    SQLite answers "database is locked" at once, without its busy handler, when several
    processes open a new database at the same moment and all ask for WAL mode.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def describe_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return "<invalid URL>"


def translate_error(exc: BaseException, *, url: str = "") -> StoreError | None:
    """A StoreError with one clear sentence for a database or file failure; None if unknown.

    Busy/locked/deadlocked is ``retryable``; read-only, full disk and an unreachable server
    are not.
    """
    if isinstance(exc, OSError):
        return _translate_os_error(exc)
    if not isinstance(exc, SQLAlchemyError):
        return None
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).lower()
    sqlstate = getattr(orig, "sqlstate", None) or ""
    where = f" ({describe_url(url)})" if url else ""
    if "database is locked" in text or "database is busy" in text or sqlstate in _PG_RETRY:
        return StoreError(BUSY_MESSAGE, retryable=True)
    if "readonly database" in text or "read-only" in text or sqlstate == "25006":
        return StoreError(f"the database is read-only{where}; check its file permissions")
    if "disk is full" in text or sqlstate == "53100":
        return StoreError(f"the disk holding the database is full{where}; free some space")
    if "unable to open database" in text:
        return StoreError(f"cannot open the database file{where}; check the path and access")
    refused = _login_refused(str(orig if orig is not None else exc), url, where)
    if refused is not None:
        return refused
    if (isinstance(exc, DBAPIError) and exc.connection_invalidated) or sqlstate.startswith("08"):
        return StoreError(f"lost the connection to the database{where}; try again", retryable=True)
    if "connection" in text and ("refused" in text or "failed" in text):
        return StoreError(f"cannot connect to the database{where}; is the server running?")
    return None


#: What a PostgreSQL server says when it refuses a login -> the sentence romcam shows
#: (``name`` is the user or database the server named, ``user`` the URL's user).
_LOGIN_REFUSALS = (
    (
        r'password authentication failed for user "(?P<name>[^"]*)"',
        'authentication failed for user "{name}"{where}; check the user name and password in '
        "the database URL",
    ),
    (
        r'role "(?P<name>[^"]*)" does not exist',
        'authentication failed for user "{name}"{where}: the role does not exist on the '
        "server; check the user name in the database URL or create the role with "
        "`createuser {name}`",
    ),
    (
        r'database "(?P<name>[^"]*)" does not exist',
        'the database "{name}" does not exist on the server{where}; create it with '
        "`createdb {name}` or correct its name in the URL",
    ),
    (
        r"no password supplied",
        'user "{user}" needs a password{where}; write it in the database URL as '
        "user:password@host (or in ~/.pgpass)",
    ),
    (
        r'role "(?P<name>[^"]*)" is not permitted to log in',
        'user "{name}" may not log in to the database server{where}; use another user or ask '
        "its administrator to run ALTER ROLE {name} LOGIN",
    ),
    (
        r"no pg_hba\.conf entry",
        'the database server does not accept user "{user}" from this computer{where}; ask its '
        "administrator to allow it in pg_hba.conf",
    ),
)


def _login_refused(text: str, url: str, where: str) -> StoreError | None:
    """The server answered but refused this user or database: say which and what to fix.

    psycopg reports these before a connection exists, so there is no SQLSTATE: the server's
    own words are matched (English unless the server's lc_messages says otherwise).
    """
    for pattern, sentence in _LOGIN_REFUSALS:
        if match := re.search(pattern, text):
            name = match.groupdict().get("name", "")
            return StoreError(sentence.format(name=name, user=_url_user(url), where=where))
    return None


def _url_user(url: str) -> str:
    try:
        return make_url(url).username or ""
    except (ArgumentError, ValueError):
        return ""


#: PostgreSQL SQLSTATEs worth a retry: serialization failure, deadlock, lock not available.
_PG_RETRY = frozenset({"40001", "40P01", "55P03"})


def _translate_os_error(exc: OSError) -> StoreError | None:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreError("the disk holding the romcam data directory is full; free some space")
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreError(
            "cannot write to the romcam data directory (read-only or no permission); "
            "check its permissions or set ROMCAM_DATA_DIR"
        )
    return None
