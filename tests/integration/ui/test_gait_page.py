"""The Gait page under Streamlit's AppTest: a synthetic walk's landmarks.csv uploaded (no model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from romcam.core.landmarks import PoseSequence
from romcam.core.synthetic import synthetic_pose
from romcam.core.synthetic_gait import synthetic_walk
from romcam.media.landmark_csv import write_landmarks_csv
from tests.integration.ui.app_helpers import page_app


def _csv_bytes(tmp_path: Path, pose: PoseSequence) -> bytes:
    return write_landmarks_csv(tmp_path / "walk.csv", pose).read_bytes()


def _analyze(data: bytes) -> AppTest:
    at = page_app("gait", "gait_page").run()
    assert not at.exception
    at.file_uploader(key="gait_upload").set_value(("walk.csv", data, "text/csv")).run()
    next(b for b in at.button if b.label == "Analyze the walk").click().run(timeout=120)
    return at


def test_a_walk_shows_its_numbers_and_curves(tmp_path: Path, data_dir: Path) -> None:
    walk = synthetic_walk(duration_s=6.0)
    at = _analyze(_csv_bytes(tmp_path, walk.pose))
    assert not at.exception and not at.error
    assert "Result: walk.csv" in [h.value for h in at.subheader]
    table = at.dataframe[0].value.to_dict()  # {side: {row label: value}}
    assert table["left"]["whole cycles"] >= 3
    cadence = table["right"]["cadence (steps/min)"]
    assert abs(cadence - 120 / walk.stride_s) < 0.5
    assert len(at.get("image")) == 1
    assert not list((data_dir / "uploads").iterdir())  # the upload is gone


def test_standing_still_says_so_in_one_sentence(tmp_path: Path, data_dir: Path) -> None:
    t = np.arange(90) / 30.0
    pose = synthetic_pose({"knee_flexion_left": 10 + 10 * np.sin(t)}, view="side_left")
    at = _analyze(_csv_bytes(tmp_path, pose))
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("Could not measure the walk: walk.csv: no walking was found")
