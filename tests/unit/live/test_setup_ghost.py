"""The camera set-up on the live path (synthetic subjects, the scripted estimator): a captured
trial carries its set-up; with last visit's set-up the frame shows its ghost and the
differences, amber beyond tolerance and green within; SetupWatch forgets on a new attempt or
stream."""

from __future__ import annotations

import math

import numpy as np
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.landmarks import PoseSequence
from romcam.core.setup_geometry import camera_setup, nominal_focal_px, setup_difference
from romcam.core.synthetic import synthetic_pose
from romcam.live.processor import LiveProcessor, TrialResult, drain
from romcam.live.setup_ghost import PreviousSetup, SetupWatch
from romcam.live.trial_types import LiveConfig
from romcam.media.setup_drawing import OUTSIDE_COLOUR, WITHIN_COLOUR
from tests.unit.live.feed import ScriptedEstimator, frame_pose, frames

SIZE = (640, 360)
FPS = 30.0
PX_PER_M = 0.36 * SIZE[1]


def _pose(px_per_m: float = PX_PER_M, seconds: float = 3.0) -> PoseSequence:
    t = np.arange(0.0, seconds, 1.0 / FPS)
    abduction = np.interp(t, [0, 1, 2, 2.5], [10, 10, 150, 150])
    return synthetic_pose(
        {"shoulder_abduction_left": abduction},
        view="front",
        fps=FPS,
        image_size=SIZE,
        noise_px=0.3,
        px_per_m=px_per_m,
    )


def _processor(pose: PoseSequence) -> LiveProcessor:
    config = LiveConfig(test=assessment_test("shoulder_abduction"), side="left", auto_capture=False)
    return LiveProcessor(config, make_estimator=lambda: ScriptedEstimator(pose))


def _feed(processor: LiveProcessor, pose: PoseSequence, start: int, stop: int) -> np.ndarray:
    out = None
    for t, img in frames(pose, start, stop):
        out = processor.process(img, t)
    assert out is not None
    return out


def test_a_captured_trial_carries_its_setup() -> None:
    pose = _pose()
    processor = _processor(pose)
    try:
        _feed(processor, pose, 0, 80)
        processor.request_capture()
        _feed(processor, pose, 80, 81)
        [trial] = [r for r in drain(processor.results) if isinstance(r, TrialResult)]
    finally:
        processor.close()
    assert trial.setup is not None and processor.captured == trial
    assert trial.setup["distance_m"] == pytest.approx(nominal_focal_px(*SIZE) / PX_PER_M, rel=0.02)
    assert trial.setup["yaw_deg"] == pytest.approx(0.0, abs=3.0)
    assert trial.setup["frames"] == 81
    assert "ghost_left_shoulder_x" in trial.setup


def _bottom_right(frame: np.ndarray, colour: tuple[int, int, int]) -> int:
    region = frame[int(0.6 * SIZE[1]) :, int(0.7 * SIZE[0]) :].astype(int)
    return int((np.abs(region - colour).max(axis=-1) <= 30).sum())


def _annotated(previous: PreviousSetup | None) -> np.ndarray:
    pose = _pose()
    processor = _processor(pose)
    processor.set_previous_setup(previous)
    try:
        return _feed(processor, pose, 0, 40)
    finally:
        processor.close()


def test_last_visits_ghost_and_differences_are_drawn() -> None:
    now = camera_setup(_pose())
    further = camera_setup(_pose(px_per_m=0.7 * PX_PER_M))  # last visit: 43 % further away
    assert now is not None and further is not None
    plain = _annotated(None)
    same = _annotated(PreviousSetup(now, "last visit"))
    moved = _annotated(PreviousSetup(further, "last visit"))
    # The ghost: last visit's smaller body; its hip midpoint lies where today's torso is not.
    ghost = further.ghost_points
    x = round((ghost["left_hip"][0] + ghost["right_hip"][0]) / 2 * SIZE[0])
    y = round((ghost["left_hip"][1] + ghost["right_hip"][1]) / 2 * SIZE[1])
    assert (
        np.abs(
            moved[y - 2 : y + 3, x - 2 : x + 3].astype(int) - plain[y - 2 : y + 3, x - 2 : x + 3]
        ).max()
        > 20
    )
    # The panel: nothing without a previous set-up; all green when it is the same; amber
    # (distance beyond tolerance) when the camera stood elsewhere.
    assert _bottom_right(plain, WITHIN_COLOUR) == 0 and _bottom_right(plain, OUTSIDE_COLOUR) == 0
    assert _bottom_right(same, WITHIN_COLOUR) > 50 and _bottom_right(same, OUTSIDE_COLOUR) == 0
    assert _bottom_right(moved, OUTSIDE_COLOUR) > 20
    assert not setup_difference(further, now).within_tolerance


def test_watch_forgets_on_a_new_stream_a_new_size_and_after_a_trial() -> None:
    pose = _pose()
    watch = SetupWatch()
    for i in range(30):
        watch.add(frame_pose(pose, float(pose.time_s[i])), float(pose.time_s[i]), *SIZE)
    watch.add(None, 1.5, *SIZE)  # no subject: skipped
    assert len(watch) == 30
    current = watch.current()
    assert current is not None and current.frames == 30
    watch.add(frame_pose(pose, 0.0), 0.0, *SIZE)  # time went back: a new stream
    assert len(watch) == 1
    watch.add(frame_pose(pose, 0.1), 0.1, 320, 180)  # another camera size
    assert len(watch) == 1
    setup = watch.take_trial_setup()
    assert setup is not None and setup["frames"] == 1 and len(watch) == 0
    assert watch.take_trial_setup() is None and watch.current() is None
    assert watch.overlay() is None  # no previous set-up: nothing to draw
    assert math.isfinite(float(setup["distance_m"]))
