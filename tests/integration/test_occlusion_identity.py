"""Occlusion, identity and people warnings on real footage (the real pose model)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from romcam.analysis import AnalysisResult, analyze_landmarks, analyze_video
from romcam.media.landmark_csv import read_landmarks_csv
from tests.conftest import MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

HIP_POSTURE = ("trunk_lateral_lean", "pelvic_tilt", "shoulder_tilt")


def _analyze(name: str, out: Path, **options: object) -> AnalysisResult:
    return analyze_video(
        shared_video(name), out, model_path=MODEL_PATH, write_annotated=False, jobs=2, **options
    )


def _longest_run_s(mask: np.ndarray, time_s: np.ndarray) -> float:
    """Longest stretch (s) of consecutive True frames."""
    best, start = 0.0, None
    for i, flag in enumerate(mask):
        if flag and start is None:
            start = i
        if start is not None and (not flag or i == len(mask) - 1):
            stop = i if flag else i - 1
            best = max(best, float(time_s[stop] - time_s[start]))
            start = None
    return best


@pytest.fixture(scope="module")
def therapist(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    """A therapist beside a seated patient; the table hides both lower bodies."""
    out = tmp_path_factory.mktemp("therapist") / "out"
    return _analyze("hard_two_people_therapist_table_occlusion_01.webm", out)


def test_therapist_clip_warns_about_the_second_person(therapist: AnalysisResult) -> None:
    # VIDEO mode tracks the one person it found; the periodic IMAGE-mode count sees both.
    assert any("two or more people" in w for w in therapist.warnings), therapist.warnings


def test_therapist_clip_warns_that_the_hips_were_hidden(therapist: AnalysisResult) -> None:
    (hips,) = [w for w in therapist.warnings if w.startswith("hips hidden")]
    share = float(re.search(r"\((\d+) % of frames\)", hips).group(1))  # type: ignore[union-attr]
    assert share >= 75.0, hips


def test_therapist_clip_withholds_posture_over_the_hidden_hips(therapist: AnalysisResult) -> None:
    table = therapist.table
    seen = therapist.pose.detected
    assert table.flags["occluded"][seen].mean() >= 0.75
    for mid in HIP_POSTURE:
        values = np.isfinite(np.asarray(table.values[mid]))
        assert values[seen].mean() <= 0.2, mid
        # Posture is judged over >= 2 s of sitting still: no such stretch is left.
        assert _longest_run_s(values, table.time_s) < 2.0, mid
        assert therapist.posture[mid]["quality"] != "ok", therapist.posture[mid]


def test_barbell_clip_hides_the_parts_behind_the_plates(tmp_path: Path) -> None:
    result = _analyze("hard_occlusion_barbell_squat_side_01.mp4", tmp_path / "out")
    hidden = " ".join(result.warnings)
    assert "shoulders hidden" in hidden and "elbows hidden" in hidden, result.warnings
    seen = result.pose.detected
    assert result.table.flags["occluded"][seen].mean() >= 0.3
    # Trunk flexion from the skeletons behind the plates is not a posture value.
    assert result.posture["trunk_flexion"]["quality"] != "ok", result.posture["trunk_flexion"]


def test_walk_in_out_clip_keeps_the_first_person_only(tmp_path: Path) -> None:
    # A woman walks in at ~7 s and out at ~19 s; a man at ~24-44 s; another from ~51 s.
    result = _analyze("intel_people_walk_in_out.mp4", tmp_path / "out")
    (warning,) = [w for w in result.warnings if w.startswith("another person")]
    match = re.fullmatch(
        r"another person from (\d+\.\d) s; results are for the person seen from (\d+\.\d) s",
        warning,
    )
    assert match is not None, warning
    other_from, subject_from = float(match.group(1)), float(match.group(2))
    assert 5.0 <= subject_from <= 8.0 and 21.0 <= other_from <= 26.0
    t = result.pose.time_s
    assert not result.pose.detected[t >= other_from].any()
    for values in result.table.values.values():
        assert not np.isfinite(np.asarray(values)[t >= other_from]).any()
    # landmarks.csv holds the subject only: `romcam angles` measures no one else either.
    assert result.landmarks_csv is not None
    again, _ = analyze_landmarks(read_landmarks_csv(result.landmarks_csv))
    for values in again.values.values():
        assert not np.isfinite(np.asarray(values)[t >= other_from]).any()


def test_single_person_demo_never_measures_the_passer_by(tmp_path: Path) -> None:
    result = _analyze("sports2d_demo.mp4", tmp_path / "out", max_people=1)
    assert any(w.startswith("another person") for w in result.warnings), result.warnings
    # The subject is the man on the roof: his hips stay in the upper half of the picture.
    seen = result.pose.detected
    hips_y = result.pose.image[seen][:, 23:25, 1].mean(axis=1)
    assert seen.mean() > 0.5 and np.nanmax(hips_y) < 0.55


@pytest.mark.parametrize(
    "name",
    [
        "shoulder_abduction_front_seated_02.mp4",
        "squat_side_portrait_01.mp4",
        "neck_rotation_front_seated_01.mp4",
    ],
)
def test_clean_clips_are_not_flagged_occluded(name: str, tmp_path: Path) -> None:
    result = _analyze(name, tmp_path / "out", max_seconds=8.0)
    seen = result.pose.detected
    assert result.table.flags["occluded"][seen].mean() <= 0.10
    assert not any(w.startswith("another person") for w in result.warnings)
