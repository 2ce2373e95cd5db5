"""``romcam angles`` on a landmark file with impossible cells: one sentence naming the line, no
NumPy overflow warnings (the reader refuses them before any maths)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from romcam.media.landmark_csv import write_landmarks_csv
from tests.unit.core.test_occlusion import _seated_front


@pytest.mark.parametrize(
    ("cell", "shown"), [("1e300", "1e+300"), ("inf", "inf"), ("-1e9", "-1e+09")]
)
def test_impossible_coordinates_are_one_sentence(tmp_path: Path, cell: str, shown: str) -> None:
    path = write_landmarks_csv(tmp_path / "landmarks.csv", _seated_front())
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[5].split(",")
    cells[header.index("right_knee_x")] = cell
    lines[5] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    run = subprocess.run(
        [sys.executable, "-m", "romcam", "angles", str(path), "-o", str(tmp_path / "a.csv")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert run.stderr == (
        f"romcam: error: {path} line 6, column right_knee_x: {shown} is not a usable landmark "
        "value (expected a finite number within ±10000); correct that cell or leave it empty\n"
    )
    assert not (tmp_path / "a.csv").exists()
