"""From a measured attempt to a stored measurement: the one rule of the CLI, the Analyze page
and the live page (a value is needed, a rejected result only when asked, calibration kept)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.measure import compute_metrics
from romcam.core.summary import summary_for_test
from romcam.core.synthetic import synthetic_pose
from romcam.store.from_results import (
    AttemptResult,
    NotMeasuredError,
    RejectedResultError,
    attempt_from_summary,
    measurement_input,
)

HELD = np.concatenate([np.zeros(20), np.linspace(0.0, 30.0, 20), np.full(40, 30.0)])


def _attempt(**changes: object) -> AttemptResult:
    fields: dict[str, object] = {
        "test": "knee_flexion",
        "side": "left",
        "value": 120.0,
        "quality": "ok",
        "reason": "",
        "view": "side_left",
        "held_max": 120.0,
        "held_min": 2.0,
        "start": 2.0,
        "excursion": 118.0,
    }
    return AttemptResult(**{**fields, **changes})  # type: ignore[arg-type]


def _store(attempt: AttemptResult, keep_rejected: bool = False):
    return measurement_input(
        attempt, phase="before", source="video", calibration="tripod", keep_rejected=keep_rejected
    )


def test_an_ok_attempt_is_stored_with_its_calibration() -> None:
    m = _store(_attempt(held_min=math.nan))
    assert (m.test, m.side, m.phase, m.value, m.source) == (
        "knee_flexion",
        "left",
        "before",
        120.0,
        "video",
    )
    assert m.calibration_profile == "tripod" and m.quality == "ok"
    assert m.held_min is None  # NaN is not stored
    m.validate()


@pytest.mark.parametrize(
    "changes", [{"value": None}, {"value": math.nan}, {"quality": "no_data", "value": 3.0}]
)
def test_an_attempt_without_a_value_is_never_stored(changes: dict) -> None:
    with pytest.raises(NotMeasuredError, match="Knee flexion could not be measured"):
        _store(_attempt(**changes), keep_rejected=True)


def test_the_set_up_named_in_the_refusal_is_for_the_attempt_s_side() -> None:
    """It read "the {side} side of the body facing it" (issue 13's e2e walk-through)."""
    with pytest.raises(NotMeasuredError) as refused:
        _store(_attempt(value=None), keep_rejected=True)
    assert "{side}" not in str(refused.value)
    assert "the left side of the body facing it" in str(refused.value)


def test_a_rejected_attempt_is_stored_only_when_asked() -> None:
    rejected = _attempt(quality="rejected", reason="knee_flexion_left needs a side view")
    with pytest.raises(RejectedResultError, match=r"failed its quality check \(knee_flexion"):
        _store(rejected)
    m = _store(rejected, keep_rejected=True)
    assert m.quality == "rejected" and m.quality_reason == rejected.reason


def test_a_video_neck_test_stores_the_movement_from_its_start() -> None:
    """Neck flexion from a recording: the value from the held start, which is the neutral."""
    pose = synthetic_pose({"neck_flexion": 10.0 + HELD}, view="side_left")
    table = compute_metrics(pose, neutral={})
    entry = summary_for_test(table, assessment_test("neck_flexion"), None)
    assert entry["value"] is not None and entry["start"] is not None
    attempt = attempt_from_summary(entry)
    assert attempt.value == pytest.approx(entry["value"] - entry["start"], abs=0.11)
    assert attempt.neutral == entry["start"]
    m = _store(attempt)
    assert m.value == pytest.approx(30.0, abs=1.0) and m.neutral == entry["start"]


def test_a_video_limb_test_stores_the_held_extreme() -> None:
    pose = synthetic_pose({"knee_flexion_left": 5.0 + HELD}, view="side_left")
    entry = summary_for_test(compute_metrics(pose), assessment_test("knee_flexion"), "left")
    attempt = attempt_from_summary(entry)
    assert attempt.value == entry["value"] and attempt.neutral is None
    assert _store(attempt).value == pytest.approx(35.0, abs=1.0)


def test_a_side_the_video_does_not_show_is_never_stored() -> None:
    """Issue 11, item 9: "this video shows the left side; choose left", not "no data"."""
    from pathlib import Path

    from romcam.analysis import AnalysisResult
    from romcam.core.filtering import smooth_table
    from romcam.media.video import VideoInfo
    from romcam.store.from_results import WrongSideError, measurement_from_analysis

    pose = synthetic_pose({"shoulder_flexion_left": 5.0 + 4 * HELD}, view="side_left")
    table = smooth_table(compute_metrics(pose), method="zero_phase")
    info = VideoInfo(
        path=Path("clip.mp4"),
        width=1280,
        height=720,
        fps=30.0,
        frame_count=80,
        duration_s=2.7,
        codec="h264",
    )
    result = AnalysisResult(video=info, pose=pose, table=table, summary={}, warnings=())
    test = assessment_test("shoulder_flexion")
    with pytest.raises(WrongSideError, match=r"^this video shows the left side; choose left$"):
        measurement_from_analysis(result, test, "right", phase="before", keep_rejected=True)
    measurement, _ = measurement_from_analysis(
        result, test, "left", phase="before", keep_rejected=False
    )
    assert measurement.value == pytest.approx(125.0, abs=1.0) and measurement.quality == "ok"


def test_pain_and_the_measured_extras_go_with_the_trial() -> None:
    # Issue 15: the caller's pain; compensation, set-up and uncertainty from the attempt unless
    # the caller gives them.
    attempt = _attempt(
        compensation={"trunk_lateral_lean": 7.5}, setup={"distance_m": 2.4}, uncertainty=3.0
    )
    m = measurement_input(
        attempt,
        phase="before",
        source="live",
        calibration=None,
        keep_rejected=False,
        first_pain=95.0,
        pain_score=4,
    )
    assert (m.first_pain, m.pain_score) == (95.0, 4)
    assert m.compensation == {"trunk_lateral_lean": 7.5} and m.setup == {"distance_m": 2.4}
    assert m.uncertainty == 3.0
    m.validate()
    given = measurement_input(
        attempt,
        phase="before",
        source="live",
        calibration=None,
        keep_rejected=False,
        uncertainty=5.0,
        setup={"distance_m": 3.0},
    )
    assert given.uncertainty == 5.0 and given.setup == {"distance_m": 3.0}
    plain = _store(_attempt())
    assert (plain.first_pain, plain.pain_score, plain.compensation) == (None, None, None)
    assert (plain.setup, plain.uncertainty) == (None, None)


def test_a_video_trial_keeps_the_summary_s_compensation_and_uncertainty() -> None:
    pose = synthetic_pose({"shoulder_abduction_left": 5.0 + 4 * HELD}, view="front")
    test = assessment_test("shoulder_abduction")
    entry = summary_for_test(compute_metrics(pose), test, "left", pose=pose)
    assert entry["compensation"] is not None and entry["uncertainty"] is not None
    m = _store(attempt_from_summary(entry))
    assert m.compensation == entry["compensation"]  # {"trunk_lateral_lean": 0.0}: upright
    assert m.uncertainty == entry["uncertainty"]
    m.validate()
