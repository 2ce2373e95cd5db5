"""A limb seen end-on (pointing at the camera) gives no end range, by the body's proportions."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.filtering import smooth_table
from romcam.core.foreshortening import end_on_frames
from romcam.core.measure import compute_metrics
from romcam.core.summary import summarize
from romcam.core.synthetic import synthetic_pose

N = 90
RAISE = np.concatenate([np.linspace(0.0, 30.0, 30), np.full(60, 30.0)])


def _summary(angles: dict, *, with_world: bool):
    pose = synthetic_pose(angles, view="front", n_frames=N, noise_px=1.0, with_world=with_world)
    table = smooth_table(compute_metrics(pose), method="zero_phase")
    return summarize(table, pose=pose), pose


@pytest.mark.parametrize("with_world", [True, False])
def test_seated_hip_abduction_seen_end_on_is_not_an_end_range(with_world):
    # Seated, filmed from the front: the thighs point at the camera.
    seated = {"hip_flexion_left": 90.0, "hip_flexion_right": 90.0, "knee_flexion_left": 90.0}
    # Knees apart by 15 deg: the stub of thigh in the picture is a quarter of its length.
    summary, pose = _summary({**seated, "hip_abduction_left": RAISE / 2}, with_world=with_world)
    hidden, segment = end_on_frames(pose, "hip_abduction_left")
    assert hidden.mean() > 0.9 and segment == "hip-knee"
    entry = summary["hip_abduction_left"]
    assert entry["quality"] == "rejected"
    assert entry["max_quality"] == entry["min_quality"] == "wrong_view"
    assert "hip to knee segment pointed at the camera (seen end-on)" in entry["reason"]


@pytest.mark.parametrize("with_world", [True, False])
def test_standing_hip_abduction_across_the_picture_is_kept(with_world):
    summary, pose = _summary({"hip_abduction_left": RAISE}, with_world=with_world)
    assert not end_on_frames(pose, "hip_abduction_left")[0].any()
    entry = summary["hip_abduction_left"]
    assert entry["max_quality"] == "ok" and entry["max"] == pytest.approx(30.0, abs=1.5)


def test_a_moment_end_on_drops_only_those_frames():
    # A knee raised towards the camera for 1 s, then the leg down across the picture.
    raised = np.concatenate([np.full(30, 90.0), np.zeros(60)])
    pose = synthetic_pose({"hip_flexion_left": raised}, view="front", n_frames=N, with_world=False)
    hidden, segment = end_on_frames(pose, "hip_abduction_left")
    assert segment == "hip-knee"
    assert hidden[:30].all() and not hidden[30:].any()
