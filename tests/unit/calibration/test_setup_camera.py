"""romcam.calibration.setup_camera: a profile's lens, level and pitch in a trial's set-up,
and the analysis' set-up handed to the store by measurement_from_analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from romcam.analysis import AnalysisResult
from romcam.calibration import CalibrationProfile
from romcam.calibration.setup_camera import setup_camera, trial_setup
from romcam.core.assessments import assessment_test
from romcam.core.filtering import smooth_table
from romcam.core.measure import compute_metrics
from romcam.core.setup_geometry import nominal_focal_px
from romcam.core.synthetic import synthetic_pose
from romcam.media.video import VideoInfo
from romcam.store.from_results import measurement_from_analysis

CREATED = "2026-12-03T07:00:00+00:00"
K = np.array([[1000.0, 0.0, 639.5], [0.0, 1000.0, 359.5], [0.0, 0.0, 1.0]])
LENS = CalibrationProfile(
    name="tripod",
    created=CREATED,
    roll_deg=2.0,
    pitch_deg=-3.0,
    camera_matrix=K,
    dist_coeffs=np.zeros(5),
    image_size=(1280, 720),
)


def test_lens_level_and_pitch_of_the_profile() -> None:
    pose = synthetic_pose({}, n_frames=20, image_size=(640, 360), roll_deg=2.0, px_per_m=125.0)
    setup = trial_setup(pose, LENS)
    assert setup is not None
    # K is scaled to the 640x360 frames: 500 px; 500 / 125 px/m = 4 m.
    assert setup["distance_m"] == pytest.approx(4.0, rel=1e-3)
    assert (setup["distance_source"], setup["roll_source"]) == ("lens", "calibration")
    assert setup["roll_deg"] == 2.0 and setup["height_source"] == "calibrated_pitch"


def test_a_lens_of_another_aspect_and_no_profile_use_the_nominal_field_of_view() -> None:
    assert setup_camera(LENS, 720, 720).focal_px is None
    assert setup_camera(None, 640, 360).focal_px is None
    pose = synthetic_pose({}, n_frames=5, image_size=(640, 360), px_per_m=125.0)
    setup = trial_setup(pose)
    assert setup is not None and setup["distance_source"] == "nominal_fov"
    assert setup["distance_m"] == pytest.approx(nominal_focal_px(640, 360) / 125.0, abs=5e-4)
    level_only = CalibrationProfile(name="level", created=CREATED, roll_deg=-1.0)
    assert setup_camera(level_only, 640, 360).roll_deg == -1.0


def test_the_analysis_setup_goes_to_the_store() -> None:
    pose = synthetic_pose(
        {"shoulder_flexion_left": np.r_[np.full(20, 5.0), np.full(40, 130.0)]}, view="side_left"
    )
    table = smooth_table(compute_metrics(pose), method="zero_phase")
    info = VideoInfo(Path("clip.mp4"), 1280, 720, 30.0, 60, 2.0, "h264")
    setup = trial_setup(pose)
    result = AnalysisResult(
        video=info, pose=pose, table=table, summary={}, warnings=(), setup=setup
    )
    measurement, _ = measurement_from_analysis(
        result, assessment_test("shoulder_flexion"), "left", phase="before", keep_rejected=True
    )
    assert measurement.setup == setup and setup is not None
    assert setup["yaw_deg"] == pytest.approx(90.0, abs=1.0)
    measurement.validate()  # the store takes it as it is
