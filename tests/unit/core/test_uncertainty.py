"""A trial's own uncertainty from yaw, visibility, hold steadiness and roll (synthetic bodies)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.measure import compute_metrics
from romcam.core.summary import summary_for_test
from romcam.core.synthetic import synthetic_pose, view_yaw
from romcam.core.uncertainty import (
    ROLL_LEVELLED_DEG,
    ROLL_UNLEVELLED_DEG,
    VISIBILITY_DEG,
    combine,
    trial_uncertainty,
    visibility_error_deg,
    yaw_error_deg,
)

# Rest, raise to 120 deg, hold 1.5 s.
RAISE = np.concatenate([np.zeros(20), np.linspace(0.0, 120.0, 30), np.full(45, 120.0)])


def _knee_trial(**pose_options: object) -> tuple[object, dict, object]:
    pose = synthetic_pose({"knee_flexion_left": RAISE}, **pose_options)  # type: ignore[arg-type]
    table = compute_metrics(pose)
    entry = summary_for_test(table, assessment_test("knee_flexion"), "left")
    return table, dict(entry), pose


def test_yaw_term_is_the_largest_projection_error() -> None:
    # Written out: psi = 30, cos = 0.8660, sqrt = 0.9306;
    # atan(1/0.9306) - atan(0.9306) = 47.06 - 42.94 = 4.12 deg.
    assert yaw_error_deg(30.0) == pytest.approx(4.12, abs=0.01)
    assert yaw_error_deg(0.0) == 0.0
    assert yaw_error_deg(10.0) == pytest.approx(0.44, abs=0.01)
    assert yaw_error_deg(-20.0) == yaw_error_deg(20.0)
    # The formula matches a brute-force projection of segments at every angle.
    psi = math.radians(25.0)
    theta = np.radians(np.linspace(0.0, 90.0, 9001))
    projected = np.arctan(np.tan(theta) * math.cos(psi))
    assert yaw_error_deg(25.0) == pytest.approx(np.degrees(theta - projected).max(), abs=1e-3)


def test_visibility_term_is_linear_from_one_to_the_threshold() -> None:
    assert visibility_error_deg(1.0) == 0.0
    assert visibility_error_deg(0.9) == pytest.approx(1.0)
    assert visibility_error_deg(0.5) == VISIBILITY_DEG
    assert visibility_error_deg(0.2) == VISIBILITY_DEG  # never used below the threshold
    assert visibility_error_deg(math.nan) == 0.0


def test_terms_add_in_quadrature() -> None:
    u = combine(yaw_deg=30.0, visibility=0.9, hold_sd=2.0, roll_deg=2.0)
    assert u.total == pytest.approx(math.sqrt(4.12**2 + 1.0 + 4.0 + 4.0), abs=0.01)
    cm = combine(yaw_deg=30.0, visibility=0.9, hold_sd=0.4, roll_deg=2.0, angular=False)
    assert (cm.total, cm.yaw, cm.visibility, cm.roll) == (pytest.approx(0.4), 0.0, 0.0, 0.0)


def test_a_clean_side_view_trial_is_nearly_certain() -> None:
    table, entry, pose = _knee_trial(view="side_left")
    u = trial_uncertainty(table, entry, pose)
    assert entry["quality"] == "ok"
    assert u.yaw_deg == pytest.approx(0.0, abs=1.0)
    assert u.hold == pytest.approx(0.0, abs=0.05)  # a perfectly still synthetic hold
    assert u.roll == 0.0  # knee flexion is a joint angle: roll does not move it
    assert u.total < 0.5


def test_a_turned_body_raises_the_yaw_term() -> None:
    straight = trial_uncertainty(*_knee_trial(view="side_left"))
    turned = trial_uncertainty(*_knee_trial(yaw_deg=view_yaw("side_left") - 20.0))
    assert turned.yaw_deg == pytest.approx(20.0, abs=2.0)
    assert turned.yaw == pytest.approx(yaw_error_deg(turned.yaw_deg), abs=1e-9)
    assert turned.total > straight.total + 1.0


def test_a_shaky_hold_raises_the_hold_term() -> None:
    rng = np.random.default_rng(1)
    shaky = RAISE + np.concatenate([np.zeros(50), rng.normal(0.0, 2.0, 45)])
    pose = synthetic_pose({"knee_flexion_left": shaky}, view="side_left")
    table = compute_metrics(pose)
    entry = summary_for_test(table, assessment_test("knee_flexion"), "left", hold_tolerance=8.0)
    assert entry["hold_s"] is not None
    u = trial_uncertainty(table, entry, pose)
    assert 1.0 < u.hold < 3.0 and u.total >= u.hold


def test_roll_counts_only_for_values_against_the_picture() -> None:
    pose = synthetic_pose({"shoulder_tilt": 3.0}, view="front", n_frames=60)
    table = compute_metrics(pose)
    entry = dict(summary_for_test(table, assessment_test("posture_front"), None))
    assert trial_uncertainty(table, entry, pose).roll == ROLL_UNLEVELLED_DEG
    assert trial_uncertainty(table, entry, pose, level_known=True).roll == ROLL_LEVELLED_DEG


def test_without_landmarks_only_the_hold_term_is_known() -> None:
    table, entry, _ = _knee_trial(view="side_left")
    u = trial_uncertainty(table, entry, None)
    assert math.isnan(u.yaw_deg) and math.isnan(u.visibility_score)
    assert u.total == pytest.approx(u.hold)
