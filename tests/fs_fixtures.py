"""File-system fixtures shared by the tests of writing commands (import the fixture by name)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder this process cannot write in: a 0555 folder, or, as root (who ignores
    permission bits), /sys, where even root cannot create a file."""
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.geteuid() != 0:
            yield folder
        elif Path("/sys/kernel").is_dir():
            yield Path("/sys")
        else:
            pytest.skip("running as root without /sys: no folder root cannot write")
    finally:
        folder.chmod(0o755)


def dead_pid() -> int:
    """The id of a process that has exited (and been reaped): its staging folders are stale."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def other_running_pid() -> Iterator[int]:
    """The id of another process that runs for the test (e.g. a second dashboard server)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()
