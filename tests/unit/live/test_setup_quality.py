"""A live trial is not "quality ok" while a set-up check fails or the angle table flags its
held stretch (issue 11, item 8): synthetic subjects, no model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.landmarks import LANDMARK_INDEX
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.metric_table import MetricTable
from romcam.live.setup_quality import MIN_SHARE, held_frames, setup_issues
from romcam.live.trial_session import LiveConfig, TrialSession
from romcam.pose.estimator import FramePose
from tests.unit.live.feed import frame_pose, frames, moving

#: Left arm: rest, raised to 150 deg, held 1.5 s (2.0-3.5 s), lowered.
ABDUCTION = {"shoulder_abduction_left": ([0, 1, 2, 3.5, 4.5], [10, 10, 150, 150, 10])}
HIP = LANDMARK_INDEX["left_hip"]


def _hip_below_picture(pose: FramePose) -> FramePose:
    image = pose.image.copy()
    image[HIP, 1] = 1.15  # below the bottom edge: the camera framed the client at the waist
    return replace(pose, image=image)


def _trial(hidden_between: tuple[float, float] | None, every: int = 1):
    """Capture one abduction trial whose left hip is out of the picture on every
    ``every``-th frame between the two times (s)."""
    pose = moving(ABDUCTION, 5.5, "front")
    config = LiveConfig(test=assessment_test("shoulder_abduction"), side="left")
    session = TrialSession(config, lambda item: None)
    for i, (t, img) in enumerate(frames(pose)):
        seen = frame_pose(pose, t)
        if hidden_between and hidden_between[0] <= t <= hidden_between[1] and i % every == 0:
            seen = _hip_below_picture(seen)
        session.step(img, t, seen, 1)
        if session.captured is not None:
            return session.captured
    raise AssertionError("no trial was captured")


def test_clean_trial_stays_ok() -> None:
    trial = _trial(None)
    assert trial.quality == "ok" and trial.reason == ""
    assert trial.value == pytest.approx(150.0, abs=1.5)


def test_hip_out_of_the_picture_while_held_rejects_the_trial() -> None:
    trial = _trial((1.8, 3.8))
    assert trial.quality == "rejected"
    assert "set-up problem while the end range was held" in trial.reason
    assert "Not in the picture: left hip" in trial.reason
    assert "(flag vertical_reference)" in trial.reason  # the angle table said so too
    assert trial.value == pytest.approx(150.0, abs=3.0)  # the value is kept, for inspection


def test_a_one_frame_flicker_does_not_reject() -> None:
    """One frame in ten (10 % < MIN_SHARE) with the hip out: a flicker, not the set-up."""
    trial = _trial((1.8, 3.8), every=10)
    assert trial.quality == "ok", trial.reason


def test_problem_before_the_hold_does_not_count() -> None:
    """The client stepped back into the picture before raising the arm."""
    trial = _trial((0.0, 0.8))
    assert trial.quality == "ok", trial.reason


def _table(n: int, flags: dict[str, np.ndarray]) -> MetricTable:
    values = {m: np.full(n, np.nan) for m in METRIC_IDS}
    return MetricTable(
        frame=np.arange(n),
        time_s=np.arange(n) / 10.0,
        values=values,
        view=np.full(n, "front", dtype=object),
        facing=np.full(n, "camera", dtype=object),
        flags=flags,
    )


@pytest.mark.parametrize(("flagged", "counts"), [(2, False), (3, True)])
def test_flag_share_threshold(flagged: int, counts: bool) -> None:
    """A flag on 2 of 10 held frames (< MIN_SHARE) is a flicker; on 3 (>= 25 %) it counts."""
    assert MIN_SHARE == 0.25
    plane = np.zeros(20, dtype=bool)
    plane[5 : 5 + flagged] = True
    table = _table(20, {"out_of_plane": plane})
    held = np.zeros(20, dtype=bool)
    held[5:15] = True
    issues = setup_issues(table, [()] * 20, held)
    assert issues == (
        ["the body was turned out of the measurement plane (flag out_of_plane)"] if counts else []
    )


def test_held_frames_follow_the_summary_or_take_the_whole_trial() -> None:
    table = _table(20, {})
    entry = {"extreme": "max", "max_time_s": 0.5, "max_hold_s": 0.5}
    held = held_frames(table, entry)  # type: ignore[arg-type]
    assert np.flatnonzero(held).tolist() == list(range(5, 11))
    nothing = {"extreme": "max", "max_time_s": None, "max_hold_s": None}
    assert held_frames(table, nothing).all()  # type: ignore[arg-type]
