"""When analyze runs the face model (pose_pass.FaceStage), without running it."""

from __future__ import annotations

from contextlib import ExitStack

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS
from romcam.pose.estimator import FramePose
from romcam.pose_pass import FACE_MIN_EAR_PX, FaceStage, PassOptions

WIDTH, HEIGHT = 1920, 1080


def _pose(ears_px: float) -> FramePose:
    image = np.full((N_LANDMARKS, 4), 0.5)
    image[LANDMARK_INDEX["left_ear"], 0] = 0.5 + ears_px / 2 / WIDTH
    image[LANDMARK_INDEX["right_ear"], 0] = 0.5 - ears_px / 2 / WIDTH
    return FramePose(image=image, world=np.zeros((N_LANDMARKS, 3)))


def _stage(face: bool | None, *tests: str) -> FaceStage:
    opts = PassOptions(
        None, False, None, None, 2, [(assessment_test(t), None) for t in tests], face, None
    )
    return FaceStage(opts, ExitStack())


@pytest.mark.parametrize(("ears", "on"), [(FACE_MIN_EAR_PX + 5, True), (30.0, False)])
def test_auto_runs_the_face_model_for_a_large_head_in_the_first_frame_with_a_subject(
    ears: float, on: bool
) -> None:
    stage = _stage(None)
    assert stage.decide(None, WIDTH, HEIGHT) is False and stage.on is None  # nobody yet
    assert stage.decide(_pose(ears), WIDTH, HEIGHT) is on
    # Settled once: a turned head (ears close together) keeps it on.
    assert stage.decide(_pose(10.0 if on else 500.0), WIDTH, HEIGHT) is on


def test_a_neck_test_runs_it_from_the_first_frame_and_the_caller_can_force_it() -> None:
    assert _stage(None, "neck_rotation").decide(None, WIDTH, HEIGHT) is True
    assert _stage(None, "shoulder_abduction").decide(_pose(30.0), WIDTH, HEIGHT) is False
    assert _stage(False, "neck_rotation").decide(_pose(500.0), WIDTH, HEIGHT) is False
    assert _stage(True).decide(None, WIDTH, HEIGHT) is True


def test_an_off_stage_gives_no_track_and_an_on_stage_empties_other_peoples_frames() -> None:
    off = _stage(False)
    off.process(np.zeros((4, 4, 3), dtype=np.uint8), 0, None)
    assert off.track(np.array([True])) is None
    on = _stage(None)
    on.on = True
    on._heads = [None, None]  # as if the face was lost twice
    track = on.track(np.array([True, False]))
    assert track is not None and len(track) == 2 and np.isnan(track.confidence).all()
