"""A database URL that cannot work says why in one sentence: a wrong password, user or database
on a real PostgreSQL server, a driver romcam does not use, a port that is not a number."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from romcam.cli import main
from romcam.errors import InputError, StoreError
from romcam.store import Store
from tests.integration.conftest import postgres_admin_url

#: A role only these tests use; the server asks it for a password (see ``password_role``).
PROBE_ROLE = "romcam_password_probe"


def _one_sentence(capsys: pytest.CaptureFixture[str], url: str, data_dir: Path) -> str:
    """Run ``romcam client list --db URL``; return its error line after checking rc 2."""
    code = main(["client", "list", "--db", url])
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("romcam: error: "), err
    assert "Traceback" not in err
    return lines[0]


_DRIVER = r"romcam uses the postgresql\+psycopg driver \(psycopg 3\), not 'postgresql\+{}'"
_PORT = r"the port '{}' in the database URL is not a number from 1 to 65535"


@pytest.mark.parametrize(
    ("url", "match"),
    [
        *(
            (f"postgresql+{d}://romcam@127.0.0.1:5432/romcam", _DRIVER.format(d))
            for d in ("psycopg2", "asyncpg", "pg8000")
        ),
        *(
            (f"postgresql+psycopg://romcam:secret@127.0.0.1:{p}/romcam", _PORT.format(p))
            for p in ("abc", "54x", "-1", "99999")
        ),
        ("sqlite+pysqlcipher:///x.db", "not 'sqlite\\+pysqlcipher'; use sqlite:///"),
    ],
)
def test_unusable_urls_are_one_sentence(
    url: str, match: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(InputError, match=match):
        Store.open(url, root=data_dir)
    line = _one_sentence(capsys, url, data_dir)
    assert re.search(match, line) and "secret" not in line
    if "psycopg2" in url:  # the sentence gives the URL to use instead
        assert line.endswith("write the URL as postgresql+psycopg://romcam@127.0.0.1:5432/romcam")


# --- a real server ---------------------------------------------------------------------------


def _admin_execute(*statements: str) -> list[object]:
    """Run statements as the test server's administrator; the last one's first column."""
    engine = create_engine(make_url(postgres_admin_url()), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            result: list[object] = []
            for statement in statements:
                rows = conn.execute(text(statement))
                result = [r[0] for r in rows] if rows.returns_rows else []
            return result
    finally:
        engine.dispose()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@pytest.fixture
def password_role() -> Iterator[tuple[str, str]]:
    """(role, password) of a role the server checks a password for.

    The suite's server trusts every local connection (scripts/test.sh), so no password is ever
    wrong there: this puts two lines for this role alone at the top of the server's pg_hba.conf
    (written by the server itself, so the test needs no access to its files), reloads, and puts
    the file back afterwards.
    """
    password = uuid.uuid4().hex
    hba_file = str(_admin_execute("SHOW hba_file")[0])
    original = str(_admin_execute(f"SELECT pg_read_file({_literal(hba_file)})")[0])
    lines = [
        f"local all {PROBE_ROLE} scram-sha-256",
        f"host all {PROBE_ROLE} all scram-sha-256",
        # COPY's text format would escape tabs and backslashes; hba reads spaces the same.
        *(line.replace("\t", " ") for line in original.splitlines()),
    ]
    assert not any("\\" in line for line in lines), "cannot rewrite a pg_hba.conf with '\\'"

    def write_hba(content: list[str]) -> None:
        array = "ARRAY[" + ",".join(_literal(line) for line in content) + "]::text[]"
        _admin_execute(
            f"COPY (SELECT line FROM unnest({array}) WITH ORDINALITY AS t(line, n) ORDER BY n) "
            f"TO {_literal(hba_file)}",
            "SELECT pg_reload_conf()",
        )

    _admin_execute(
        f"DROP ROLE IF EXISTS {PROBE_ROLE}",
        f"CREATE ROLE {PROBE_ROLE} LOGIN PASSWORD {_literal(password)}",
    )
    write_hba(lines)
    try:
        yield PROBE_ROLE, password
    finally:
        write_hba([line.replace("\t", " ") for line in original.splitlines()])
        _admin_execute(f"DROP ROLE IF EXISTS {PROBE_ROLE}")


def _server_url(
    *, username: str | None = None, password: str | None = None, database: str | None = None
) -> str:
    """The test server's URL with another user, password or database."""
    url = make_url(postgres_admin_url())
    url = url.set(
        username=username or url.username, password=password, database=database or url.database
    )
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
def test_wrong_password_says_authentication_failed(
    password_role: tuple[str, str], data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    role, password = password_role
    right = _server_url(username=role, password=password)
    works = create_engine(make_url(right))
    try:  # the role and its password do work
        with works.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
    finally:
        works.dispose()
    wrong = _server_url(username=role, password="not-" + password)
    with pytest.raises(StoreError) as caught:
        Store.open(wrong, root=data_dir)
    message = str(caught.value)
    assert f'authentication failed for user "{role}"' in message
    assert "check the user name and password in the database URL" in message
    assert "server running" not in message and "not-" + password not in message
    line = _one_sentence(capsys, wrong, data_dir)
    assert "authentication failed" in line and "not-" + password not in line
    no_password = _server_url(username=role)
    with pytest.raises(StoreError, match=f'user "{role}" needs a password'):
        Store.open(no_password, root=data_dir)


@pytest.mark.postgres
def test_unknown_user_says_so(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _server_url(username="nobody_here")
    with pytest.raises(StoreError) as caught:
        Store.open(url, root=data_dir)
    message = str(caught.value)
    assert 'authentication failed for user "nobody_here"' in message
    assert "the role does not exist" in message and "server running" not in message
    assert "nobody_here" in _one_sentence(capsys, url, data_dir)


@pytest.mark.postgres
def test_unknown_database_says_how_to_create_it(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _server_url(database="romcam_no_such_db")
    with pytest.raises(StoreError) as caught:
        Store.open(url, root=data_dir)
    message = str(caught.value)
    assert 'the database "romcam_no_such_db" does not exist' in message
    assert "create it with `createdb romcam_no_such_db`" in message
    assert "server running" not in message
    assert "createdb romcam_no_such_db" in _one_sentence(capsys, url, data_dir)


def test_server_down_still_asks_whether_it_runs(data_dir: Path) -> None:
    url = URL.create("postgresql+psycopg", "romcam", None, "127.0.0.1", 1, "none")
    with pytest.raises(StoreError, match="is the server running"):
        Store.open(url.render_as_string(), root=data_dir)
