"""File-system fixtures shared by the tests of writing commands (import the fixture by name)."""

from __future__ import annotations

import os
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
