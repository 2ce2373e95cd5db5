"""A recorded trial's own uncertainty reaches the stored measurement (summary -> adapter)."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.measure import compute_metrics
from romcam.core.summary import summary_for_test
from romcam.core.synthetic import synthetic_pose, view_yaw
from romcam.core.uncertainty import trial_uncertainty
from romcam.store.from_results import attempt_from_summary, measurement_input

RAISE = np.concatenate([np.zeros(20), np.linspace(0.0, 120.0, 30), np.full(45, 120.0)])


def test_the_summary_carries_the_uncertainty_and_the_store_input_keeps_it() -> None:
    pose = synthetic_pose({"knee_flexion_left": RAISE}, yaw_deg=view_yaw("side_left") - 25.0)
    table = compute_metrics(pose)
    entry = summary_for_test(table, assessment_test("knee_flexion"), "left", pose=pose)
    expected = trial_uncertainty(table, entry, pose).total
    assert expected > 2.0  # 25 deg of yaw: about 2.8 deg from the yaw term alone
    assert entry["uncertainty"] == pytest.approx(expected, abs=0.005)
    stored = measurement_input(
        attempt_from_summary(entry),
        phase="test",
        source="video",
        calibration=None,
        keep_rejected=True,
    )
    assert stored.uncertainty == entry["uncertainty"]
