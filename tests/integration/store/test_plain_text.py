"""Every name and label the store takes refuses terminal escapes and bidi overrides, through
the store API (the dashboard's path) and the ``romcam`` command; a future birth date too."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from romcam.errors import InputError
from romcam.store import MeasurementInput, Store

ESCAPE = "bell\x07\x1b[31mred"
OVERRIDE = "Ann\u202etxt.exe"
BEFORE = MeasurementInput("shoulder_flexion", "right", "before", 150.0)


def _measurement(**changes: Any) -> MeasurementInput:
    return dataclasses.replace(BEFORE, **changes)


WRITERS: list[tuple[str, Callable[[Store, int, str], object]]] = [
    ("client name", lambda s, sid, bad: s.add_client(bad)),
    ("notes", lambda s, sid, bad: s.add_client("Ola", notes=bad)),
    ("therapist", lambda s, sid, bad: s.start_session("Ida", therapist=bad)),
    ("notes", lambda s, sid, bad: s.start_session("Ida", notes=bad)),
    ("phase", lambda s, sid, bad: s.add_measurement(sid, _measurement(phase=bad[:20]))),
    (
        "calibration_profile",
        lambda s, sid, bad: s.add_measurement(sid, _measurement(calibration_profile=bad)),
    ),
    ("view", lambda s, sid, bad: s.add_measurement(sid, _measurement(view=bad))),
    ("quality", lambda s, sid, bad: s.add_measurement(sid, _measurement(quality=bad[:20]))),
    (
        "quality_reason",
        lambda s, sid, bad: s.add_measurement(sid, _measurement(quality_reason=bad)),
    ),
    ("phase", lambda s, sid, bad: s.relabel_measurement(1, bad[:20])),
]


@pytest.mark.parametrize("bad", [ESCAPE, OVERRIDE], ids=["escape", "rtl-override"])
@pytest.mark.parametrize(
    ("field", "write"), WRITERS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(WRITERS)]
)
def test_every_writer_refuses_control_characters(
    store: Store, field: str, write: Callable[[Store, int, str], object], bad: str
) -> None:
    session = store.start_session(store.add_client("Ida"))
    first = store.add_measurement(session.id, BEFORE)
    with pytest.raises(InputError, match=f"^{field} contains the character U\\+"):
        write(store, session.id, bad)
    assert [c.name for c in store.list_clients()] == ["Ida"]
    assert [s.id for s in store.list_sessions("Ida")] == [session.id]
    assert store.list_measurements(session.id) == [first]


def test_an_empty_client_name_reads_as_a_sentence(store: Store) -> None:
    for empty in ("", "   "):
        with pytest.raises(InputError, match=r"^a client needs a name; type a name or a pseudonym"):
            store.add_client(empty)


def test_a_birth_date_in_the_future_is_refused(store: Store) -> None:
    tomorrow = date.today() + timedelta(days=1)
    with pytest.raises(InputError, match=f"date of birth {tomorrow.isoformat()} is in the future"):
        store.add_client("Kai", date_of_birth=tomorrow)
    assert store.list_clients() == []
    assert store.add_client("Kai", date_of_birth=date.today()).date_of_birth == date.today()


def _romcam(*argv: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ROMCAM_DATA_DIR": str(data_dir)}
    env.pop("ROMCAM_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_cli_refuses_escapes_and_future_birth_dates(data_dir: Path) -> None:
    added = _romcam("client", "add", ESCAPE, data_dir=data_dir)
    assert added.returncode == 2 and added.stdout == ""
    assert added.stderr == (
        "romcam: error: client name contains the character U+0007 at position 5; remove it "
        "(names and labels are plain text)\n"
    )
    future = (date.today() + timedelta(days=400)).isoformat()
    born = _romcam("client", "add", "Kai", "--dob", future, data_dir=data_dir)
    assert born.returncode == 2 and "\x1b" not in born.stderr
    assert f"date of birth {future} is in the future" in born.stderr
    assert born.stderr.count("\n") == 1
    listed = _romcam("client", "list", data_dir=data_dir)
    assert listed.returncode == 0 and "No clients yet" in listed.stdout
