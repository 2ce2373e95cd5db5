"""`romcam --help`, `--version` and argument errors load no heavy library: pandas, SQLAlchemy,
OpenCV, PyAV, MediaPipe, Streamlit and the plotting libraries are imported by the command that
needs them. (The time itself is measured in benchmarks/bench_cli_start.py.)"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("pandas", "sqlalchemy", "cv2", "av", "mediapipe", "streamlit", "matplotlib", "altair")

_PROBE = """
import json, sys
from romcam.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:  # argparse: --help, --version, usage errors
    code = exc.code
loaded = sorted({m.split(".")[0] for m in sys.modules} & set(json.loads({heavy!r})))
print("\\nLOADED=" + json.dumps([code, loaded]))
"""


def _loaded_by(argv: list[str]) -> tuple[int, list[str]]:
    """Run romcam's main in a fresh interpreter; (exit status, heavy libraries imported)."""
    probe = _PROBE.replace("{heavy!r}", repr(json.dumps(HEAVY)))
    run = subprocess.run(
        [sys.executable, "-c", probe, *argv], capture_output=True, text=True, timeout=60
    )
    line = run.stdout.rsplit("LOADED=", 1)[-1]
    code, loaded = json.loads(line)
    return int(code or 0), loaded


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["--version"], 0),
        (["--help"], 0),
        (["analyze", "--help"], 0),
        (["gait", "--help"], 0),
        (["home", "--help"], 0),
        (["calibrate", "level", "--help"], 0),
        (["analyze"], 2),  # missing VIDEO
        (["compare", "notanumber"], 2),
        (["measure", "--test", "nosuchtest"], 2),
        (["retest", "summary", "--help"], 0),
        (["retest", "adopt"], 2),  # missing -o
        (["trial", "exclude", "--help"], 0),
        (["measure", "1", "a.mp4", "--test", "knee_flexion", "--pain", "x"], 2),
        (["import", "--help"], 0),
        (["import"], 2),  # missing FILE
    ],
)
def test_help_version_and_usage_errors_import_no_heavy_library(
    argv: list[str], status: int
) -> None:
    code, loaded = _loaded_by(argv)
    assert code == status
    assert loaded == []


def test_a_command_that_needs_them_still_loads_them() -> None:
    """The probe can see an import: listing clients opens the store (SQLAlchemy)."""
    code, loaded = _loaded_by(["client", "list", "--db", "sqlite://"])
    assert code == 0
    assert "sqlalchemy" in loaded
