"""romcam.live.checks: the set-up checks say what to fix, for the test's view and side."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS
from romcam.core.summary import view_instruction
from romcam.live.checks import required_landmarks, setup_problems


def test_required_landmarks_follow_test_and_side() -> None:
    abd = assessment_test("shoulder_abduction")
    assert required_landmarks(abd, "right") == (
        "right_shoulder",
        "right_elbow",
        "right_wrist",
        "right_hip",
    )
    rot = assessment_test("neck_rotation")
    names = required_landmarks(rot, "left")
    assert "nose" in names and "left_ear" in names and "right_ear" in names


@pytest.mark.parametrize(
    ("test_id", "side", "view", "fix"),
    [
        ("shoulder_abduction", "right", "side_left", "Face the camera"),
        ("shoulder_flexion", "right", "front", "Turn sideways"),
        ("shoulder_flexion", "right", "side_left", "right side of the body must face"),
        ("shoulder_flexion", "left", "side_left", None),
        ("posture_side", None, "side_right", None),
        ("neck_flexion", None, "oblique", "Turn sideways"),
    ],
)
def test_view_instruction(test_id: str, side, view: str, fix: str | None) -> None:
    """The filming instruction the set-up checks show (``summary.view_instruction``)."""
    test = assessment_test(test_id)
    got = view_instruction(test.view, test.spec(side).side, view)
    assert (got is None) if fix is None else (fix in got)


def _front_pose() -> np.ndarray:
    pose = np.full((N_LANDMARKS, 4), np.nan)
    pose[:, :2] = 0.5
    pose[:, 3] = 0.95
    return pose


def test_setup_problems_say_what_to_fix() -> None:
    test = assessment_test("shoulder_abduction")
    assert setup_problems(None, test, "right", "none", 0)[0].startswith("Nobody found")
    # Someone in the picture, but not the followed client: lost, not absent.
    assert setup_problems(None, test, "right", "none", 1)[0].startswith("Client lost")
    assert setup_problems(_front_pose(), test, "right", "front", 1) == ()
    pose = _front_pose()
    pose[LANDMARK_INDEX["right_hip"], 1] = 1.3  # below the picture
    pose[LANDMARK_INDEX["right_wrist"], 3] = 0.1  # hidden
    problems = setup_problems(pose, test, "right", "side_right", 2, {"out_of_plane": True})
    text = " ".join(problems)
    assert "2 people" in text
    assert "Face the camera" in text
    assert "Not in the picture: right hip" in text
    assert "Hard to see: right wrist" in text
    assert "out of the measurement plane" in text
