"""The live compensation gate through a TrialSession fed by a scripted synthetic subject: the
cue while the trunk leans, the automatic capture held back until it is upright again, and the
captured trial's clean range and compensation peak."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.compensation import TRUNK_LATERAL_LEAN
from romcam.core.landmarks import PoseSequence
from romcam.core.synthetic import synthetic_pose
from romcam.live.checks import compensation_cues
from romcam.live.compensation_gate import CompensationGate
from romcam.live.trial_session import LiveConfig, TrialSession, TrialStep
from tests.unit.live.feed import FPS, H, W, frame_pose, frames

UPRIGHT = TRUNK_LATERAL_LEAN.cue


def abduction(lean_deg: float) -> PoseSequence:
    """Left arm raised to 150 by 2 s (upright), held to 3.5 s; from 2 s the trunk leans
    ``lean_deg`` to the right (its shoulder line with it) and stays leaning while the arm goes
    down (by 4.5 s), upright again by 5.5 s; still to 6.5 s."""
    t = np.arange(0.0, 6.5, 1.0 / FPS)
    arm = np.interp(t, [0, 1, 2, 3.5, 4.5], [10, 10, 150, 150, 10])
    lean = np.interp(t, [0, 2, 2.5, 4.5, 5.5], [0, 0, lean_deg, lean_deg, 0])
    angles = {"shoulder_abduction_left": arm, "trunk_lateral_lean": -lean, "shoulder_tilt": lean}
    return synthetic_pose(angles, view="front", fps=FPS, image_size=(W, H), noise_px=0.2)


def run(lean_deg: float) -> tuple[TrialSession, list[TrialStep], np.ndarray]:
    pose = abduction(lean_deg)
    config = LiveConfig(test=assessment_test("shoulder_abduction"), side="left")
    session = TrialSession(config, lambda item: None)
    steps, times = [], []
    for t, img in frames(pose):
        steps.append(session.step(img, t, frame_pose(pose, t), 1))
        times.append(t)
        if session.captured is not None:
            break
    return session, steps, np.array(times)


def test_capture_waits_while_the_trunk_leans_and_follows_when_upright() -> None:
    session, steps, t = run(15.0)
    trial = session.captured
    assert trial is not None and trial.trigger == "auto"
    # Upright (under 10 deg) again only once the lean has come back below 10 deg: after 4.83 s.
    assert t[-1] > 4.8
    leaning = (t > 2.45) & (t < 4.75)
    assert all(UPRIGHT in s.problems for s, lean in zip(steps, leaning, strict=True) if lean)
    assert not any(UPRIGHT in s.problems for s in steps[: int(2.0 * FPS)])
    # The arm reached 150 before the lean began: the clean range is the whole range here.
    assert trial.value == pytest.approx(150.0, abs=2.0)
    assert trial.compensation is not None
    assert trial.compensation["trunk_lateral_lean"] == pytest.approx(15.0, abs=1.5)
    assert trial.compensation_note is None  # the peak is kept; the range is not lower


def test_upright_trial_is_captured_as_before() -> None:
    """No lean: captured as the arm comes down (the gate never holds), no cue, no note."""
    session, steps, t = run(0.0)
    trial = session.captured
    assert trial is not None and trial.trigger == "auto"
    assert 3.5 < t[-1] < 4.5
    assert not any(UPRIGHT in s.problems for s in steps)
    assert trial.value == pytest.approx(150.0, abs=1.5)
    assert trial.compensation == {"trunk_lateral_lean": pytest.approx(0.0, abs=1.0)}
    assert trial.compensation_note is None


def test_gate_of_a_test_without_compensations_never_holds() -> None:
    gate = CompensationGate(assessment_test("knee_flexion"), "left")
    assert gate.update(0.0, None, (W, H), "side_left", "left") == {}
    assert gate.cues == () and not gate.holding and gate.series() == {}


def test_each_cue_is_said_once() -> None:
    from romcam.core.compensation import COMPENSATIONS

    specs = COMPENSATIONS["hip_flexion"]
    both = {"trunk_flexion": 12.0, "posterior_pelvic_tilt": 11.0}
    assert compensation_cues(both, specs) == ("Keep the trunk upright.",)
    assert compensation_cues({"trunk_flexion": float("nan")}, specs) == ()
