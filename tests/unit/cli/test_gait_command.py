"""``romcam gait LANDMARKS.csv`` as a subprocess on synthetic walks (no model, no video)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from romcam.core.synthetic import synthetic_pose
from romcam.core.synthetic_gait import synthetic_walk
from romcam.media.landmark_csv import write_landmarks_csv

SIDE_KEYS = (
    "cadence_steps_per_min",
    "step_time_s",
    "stride_time_s",
    "stance_pct",
    "peak_knee_flexion_swing_deg",
    "knee_flexion_loading_deg",
    "peak_hip_extension_deg",
    "n_cycles",
)


def romcam(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv], capture_output=True, text=True, timeout=120
    )


def test_gait_writes_json_csv_and_plots(tmp_path: Path) -> None:
    walk = synthetic_walk(duration_s=6.0)
    src = write_landmarks_csv(tmp_path / "walk.csv", walk.pose)
    out = tmp_path / "gait"
    run = romcam("gait", str(src), "--out", str(out))
    assert run.returncode == 0, run.stderr
    doc = json.loads((out / "gait.json").read_text())
    for side in ("left", "right"):
        assert set(SIDE_KEYS) <= set(doc[side])
        assert doc[side]["n_cycles"] >= 3
        assert doc[side]["cadence_steps_per_min"] == pytest.approx(120 / walk.stride_s, abs=0.5)
    assert doc["symmetry"]["stance_pct_si_pct"] == pytest.approx(0.0, abs=1.0)
    with (out / "cycles.csv").open() as f:
        rows = list(csv.DictReader(f))
    n = doc["left"]["n_cycles"] + doc["right"]["n_cycles"]
    assert len(rows) == 2 * n  # a knee and a hip row per cycle
    assert {r["joint"] for r in rows} == {"knee", "hip"}
    assert np.isfinite([float(r["pct_50"]) for r in rows]).all()
    assert (out / "gait.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "data:image/png;base64," in (out / "gait.html").read_text()
    assert "peak knee flexion in swing" in run.stdout


def test_standing_still_is_one_clear_sentence(tmp_path: Path) -> None:
    t = np.arange(90) / 30.0
    pose = synthetic_pose({"knee_flexion_left": 10 + 10 * np.sin(t)}, view="side_left")
    src = write_landmarks_csv(tmp_path / "still.csv", pose)
    run = romcam("gait", str(src), "--out", str(tmp_path / "g"))
    assert run.returncode == 2
    line = run.stderr.strip()
    assert line.startswith(f"romcam: error: {src}: no walking was found")
    assert line.count("\n") == 0 and "film the subject walking" in line
    assert not (tmp_path / "g" / "gait.json").exists()


def test_front_view_walk_is_one_clear_sentence(tmp_path: Path) -> None:
    src = write_landmarks_csv(
        tmp_path / "front.csv", synthetic_walk(duration_s=4.0, view="front").pose
    )
    run = romcam("gait", str(src), "--out", str(tmp_path / "g"))
    assert run.returncode == 2
    assert "was seen from the front" in run.stderr and "film the walk from the side" in run.stderr
    assert "use --view front" in run.stderr


def test_front_view_walk_gives_pelvic_drop_with_view_front(tmp_path: Path) -> None:
    walk = synthetic_walk(duration_s=6.0, view="front", pelvic_drop_deg=5.0, trunk_lean_deg=3.0)
    src = write_landmarks_csv(tmp_path / "front.csv", walk.pose)
    run = romcam("gait", str(src), "--out", str(tmp_path / "g"), "--view", "front")
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "g" / "gait.json").read_text())
    assert doc["view"] == "front"
    for side in ("left", "right"):
        assert doc[side]["pelvic_drop_deg"] == pytest.approx(5.0, abs=0.5)
        assert doc[side]["trunk_lean_deg"] == pytest.approx(3.0, abs=0.5)
