"""Posture only while still and upright: never from a squat, a plank, a walk or a movement."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from romcam.core.filtering import smooth_table
from romcam.core.measure import compute_metrics
from romcam.core.posture_summary import (
    POSTURE_METRIC_IDS,
    STILL_S,
    summarize_posture,
)
from romcam.core.synthetic import synthetic_pose

FPS = 30.0


def posture_of(angles: dict[str, np.ndarray | float], view: str, n: int, seed: int = 0):
    pose = synthetic_pose(angles, view=view, n_frames=n, noise_px=1.0, seed=seed)
    return summarize_posture(smooth_table(compute_metrics(pose), method="zero_phase"), pose)


def squat(t: np.ndarray, start_s: float) -> dict[str, np.ndarray]:
    """Squats every 2 s from ``start_s``: knees to 110, hips to 100, trunk 40 forward."""
    phase = np.clip(t - start_s, 0, None)
    depth = np.where(t >= start_s, np.sin(np.pi * phase / 2.0) ** 2, 0.0)
    return {
        "knee_flexion_left": 110 * depth,
        "knee_flexion_right": 110 * depth,
        "hip_flexion_left": 100 * depth,
        "hip_flexion_right": 100 * depth,
        "trunk_flexion": 40 * depth,
    }


def test_standing_still_then_squatting_reports_the_standing_posture_only():
    n = 240  # 3 s standing, 5 s squatting
    t = np.arange(n) / FPS
    angles = {**squat(t, 3.0), "craniovertebral_angle": 52.0}
    posture = posture_of(angles, "side_left", n)
    assert list(posture) == list(POSTURE_METRIC_IDS)
    cva = posture["craniovertebral_angle"]
    assert cva["quality"] == "ok" and cva["value"] == pytest.approx(52.0, abs=1.5)
    # The stretch used is the standing one, at least STILL_S long, before the squats.
    assert cva["from_s"] == pytest.approx(0.0, abs=0.1)
    assert STILL_S - 0.05 <= cva["still_s"] <= 3.3 and cva["to_s"] < 3.3
    assert posture["trunk_flexion"]["value"] == pytest.approx(0.0, abs=1.5)
    json.dumps(posture, allow_nan=False)


def test_squatting_only_gives_no_posture():
    n = 240
    t = np.arange(n) / FPS
    posture = posture_of({**squat(t, 0.0), "craniovertebral_angle": 45.0}, "side_left", n)
    assert posture["craniovertebral_angle"]["value"] is None
    assert posture["craniovertebral_angle"]["quality"] == "not_still"


@pytest.mark.parametrize(
    ("angles", "view"),
    [
        # Holding the bottom of a squat still: trunk 40 deg forward.
        (
            {"knee_flexion_left": 110.0, "hip_flexion_left": 100.0, "trunk_flexion": 40.0},
            "side_left",
        ),
        # A plank seen from the side: the trunk lies horizontal.
        ({"trunk_flexion": 85.0, "shoulder_flexion_left": 90.0}, "side_left"),
    ],
)
def test_still_but_not_upright_gives_no_posture(angles, view):
    posture = posture_of(angles, view, 150)
    measured = [e for e in posture.values() if e["n_frames"] > 0]
    assert measured and all(e["value"] is None for e in measured)
    assert {e["quality"] for e in measured} == {"not_upright"}


def test_leaning_sideways_seen_from_the_front_is_not_posture():
    pose = synthetic_pose({"shoulder_tilt": 3.0}, view="front", n_frames=120, noise_px=1.0)
    table = smooth_table(compute_metrics(pose), method="zero_phase")
    leaning = replace(table, values={**table.values, "trunk_lateral_lean": np.full(120, 25.0)})
    entry = summarize_posture(leaning, pose)["shoulder_tilt"]
    assert entry["quality"] == "not_upright" and entry["value"] is None
    assert summarize_posture(table, pose)["shoulder_tilt"]["quality"] == "ok"


def test_sitting_tall_is_posture():
    angles = {"knee_flexion_left": 90.0, "hip_flexion_left": 90.0, "craniovertebral_angle": 50.0}
    posture = posture_of(angles, "side_left", 120)
    assert posture["craniovertebral_angle"]["value"] == pytest.approx(50.0, abs=1.5)


def test_walking_gives_no_posture():
    n = 240
    t = np.arange(n) / FPS
    swing = np.sin(2 * np.pi * t)
    angles = {
        "shoulder_flexion_left": 20 * swing,
        "shoulder_flexion_right": -20 * swing,
        "hip_flexion_left": 25 * swing,
        "hip_flexion_right": -25 * swing,
        "knee_flexion_left": 30 * (1 + swing),
        "knee_flexion_right": 30 * (1 - swing),
        "shoulder_tilt": 1.0,
    }
    # Seen from the side, the swinging angles are not still.
    assert posture_of(angles, "side_left", n)["craniovertebral_angle"]["quality"] == "not_still"
    # Seen from the front while walking towards the camera, the angles of the front view
    # barely change, but the body grows in the picture: the landmarks are not still.
    pose = synthetic_pose(angles, view="front", n_frames=n, noise_px=1.0)
    grow = (0.8 + 0.4 * t / t[-1])[:, None, None]
    image = pose.image.copy()
    image[..., :2] = 0.5 + (image[..., :2] - 0.5) * grow
    walking = replace(pose, image=image)
    table = smooth_table(compute_metrics(walking), method="zero_phase")
    assert summarize_posture(table)["shoulder_tilt"]["quality"] == "ok"  # angles alone: still
    posture = summarize_posture(table, walking)
    assert posture["shoulder_tilt"]["quality"] == "not_still"
    assert posture["shoulder_tilt"]["value"] is None


def test_front_posture_while_still():
    posture = posture_of({"shoulder_tilt": 4.0, "pelvic_tilt": -3.0}, "front", 90)
    assert posture["shoulder_tilt"]["value"] == pytest.approx(4.0, abs=1.0)
    assert posture["pelvic_tilt"]["value"] == pytest.approx(-3.0, abs=1.0)
    assert posture["craniovertebral_angle"]["quality"] == "no_data"


def test_a_posture_test_reports_the_still_upright_posture():
    from romcam.core.assessments import assessment_test
    from romcam.core.summary import summary_for_test

    n = 240
    t = np.arange(n) / FPS
    angles = {**squat(t, 3.0), "craniovertebral_angle": 52.0}
    pose = synthetic_pose(angles, view="side_left", n_frames=n, noise_px=1.0)
    table = smooth_table(compute_metrics(pose), method="zero_phase")
    result = summary_for_test(table, assessment_test("posture_side"), None, pose=pose)
    assert result["quality"] == "ok" and result["code"] == "ok"
    assert result["end_range"] == pytest.approx(52.0, abs=1.5) == result["value"]
    assert result["time_s"] == pytest.approx(0.0, abs=0.1) and result["hold_s"] >= STILL_S - 0.05
    squatting = summary_for_test(
        smooth_table(
            compute_metrics(synthetic_pose(squat(t, 0.0), view="side_left")), method="zero_phase"
        ),
        assessment_test("posture_side"),
        None,
    )
    assert squatting["code"] == "not_still" and squatting["end_range"] is None
