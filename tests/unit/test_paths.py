"""File names from user text, data directories and atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam import paths
from romcam.paths import atomic_write_text, safe_filename


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Client A", "Client_A"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "unnamed"),
        ("  .hidden  ", "hidden"),
        ("Zoë Müller", "Zoe_Muller"),
        ("a/b\\c:d", "a_b_c_d"),
        ("x" * 100, "x" * 64),
        ("", "unnamed"),
    ],
)
def test_safe_filename_never_escapes_its_folder(text: str, expected: str) -> None:
    name = safe_filename(text)
    assert name == expected
    assert (Path("/base") / name).parent == Path("/base")


def test_data_dir_follows_the_environment(data_dir: Path) -> None:
    assert not data_dir.exists()
    assert paths.data_dir() == data_dir
    assert data_dir.is_dir()


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.html"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second ✓")
    assert target.read_text(encoding="utf-8") == "second ✓"
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_atomic_write_failure_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "bad \udcff surrogate")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]
