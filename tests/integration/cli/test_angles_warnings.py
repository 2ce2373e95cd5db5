"""``romcam angles`` says what was hidden, as ``romcam analyze`` does (synthetic landmarks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from romcam.cli import main
from romcam.media.landmark_csv import write_landmarks_csv
from tests.unit.core.test_occlusion import _hips_pinned_on_a_table_edge, _seated_front


def test_angles_warns_about_hidden_hips(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    landmarks = write_landmarks_csv(
        tmp_path / "landmarks.csv", _hips_pinned_on_a_table_edge(_seated_front())
    )
    summary = tmp_path / "summary.json"
    assert main(["angles", str(landmarks), "--summary", str(summary)]) == 0
    warnings = json.loads(summary.read_text())["warnings"]
    assert any(w.startswith("hips hidden") for w in warnings), warnings
    err = capsys.readouterr().err
    assert "romcam: warning: hips hidden" in err


def test_angles_of_a_clean_body_warns_of_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    landmarks = write_landmarks_csv(tmp_path / "landmarks.csv", _seated_front())
    summary = tmp_path / "summary.json"
    assert main(["angles", str(landmarks), "--summary", str(summary)]) == 0
    assert json.loads(summary.read_text())["warnings"] == []
    assert "warning" not in capsys.readouterr().err
