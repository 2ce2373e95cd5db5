"""End to end: a rolled camera's level measured from a marker corrects posture metrics to truth.

One physical camera roll (``rotation_roll_pitch_yaw``) both images a level wall marker and
images a subject; the roll measured from the marker, passed to ``compute_metrics``, must give
the metrics of the level camera. Angles between body segments do not depend on roll at all.
"""

from __future__ import annotations

import numpy as np
import pytest

from romcam.calibration.level import level_from_marker
from romcam.calibration.render import marker_view, rotation_roll_pitch_yaw, webcam
from romcam.calibration.targets import marker_page, render_png_array
from romcam.core.landmarks import PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.synthetic import synthetic_pose

W, H = 960, 540
CAMERA = webcam(W, H, fov_deg=60.0)
FRONT_TRUTH = {
    "shoulder_tilt": 4.0,
    "pelvic_tilt": -3.0,
    "trunk_lateral_lean": 5.0,
    "head_tilt": 2.0,
    "shoulder_abduction_left": 40.0,
    "shoulder_abduction_right": 25.0,
    "elbow_flexion_left": 30.0,
}
SIDE_TRUTH = {
    "trunk_flexion": 12.0,
    "craniovertebral_angle": 48.0,
    "hip_flexion_left": 20.0,
    "knee_flexion_left": 15.0,
}
ROLL_METRICS = ("shoulder_tilt", "pelvic_tilt", "trunk_lateral_lean", "head_tilt")
SEGMENT_METRICS = ("shoulder_abduction_left", "shoulder_abduction_right", "elbow_flexion_left")


def roll_camera(pose: PoseSequence, roll_deg: float) -> PoseSequence:
    """The pose as a camera rolled by ``roll_deg`` (same K, no distortion) would image it."""
    k = CAMERA.camera_matrix
    pixels = pose.pixels.reshape(-1, 2)
    rays = np.linalg.solve(k, np.column_stack([pixels, np.ones(len(pixels))]).T)
    seen = k @ (rotation_roll_pitch_yaw(roll_deg, 0.0) @ rays)
    image = pose.image.copy()
    image[..., 0] = (seen[0] / seen[2]).reshape(pose.pixels.shape[:2]) / pose.image_width
    image[..., 1] = (seen[1] / seen[2]).reshape(pose.pixels.shape[:2]) / pose.image_height
    return PoseSequence(pose.frame, pose.time_s, pose.image_width, pose.image_height, image)


def measured_roll(roll_deg: float) -> float:
    layout = marker_page()
    image, _ = marker_view(
        CAMERA,
        render_png_array(layout, 4),
        4,
        (layout.width_mm, layout.height_mm),
        (layout.width_mm / 2, 110.0),
        roll_deg=roll_deg,
        distance_mm=1000.0,
    )
    return level_from_marker(image).roll_deg


def column(pose: PoseSequence, metric: str, roll_deg: float = 0.0) -> float:
    return float(np.nanmedian(compute_metrics(pose, roll_deg=roll_deg).values[metric]))


@pytest.mark.parametrize("roll", [-7.0, 3.5])
def test_front_view_posture_is_corrected_back_to_truth(roll: float) -> None:
    level = synthetic_pose(FRONT_TRUTH, view="front", image_size=(W, H), with_world=False)
    rolled = roll_camera(level, roll)
    estimate = measured_roll(roll)
    for metric in ROLL_METRICS:
        truth = column(level, metric)
        assert truth == pytest.approx(FRONT_TRUTH[metric], abs=0.5), metric
        # Uncorrected, the camera's roll leaks into the metric (sensitivity check).
        assert abs(column(rolled, metric) - truth) > 0.5 * abs(roll), metric
        assert column(rolled, metric, estimate) == pytest.approx(truth, abs=0.5), metric
    for metric in SEGMENT_METRICS:
        assert column(rolled, metric) == pytest.approx(column(level, metric), abs=0.01), metric


@pytest.mark.parametrize("roll", [-5.0, 6.0])
def test_side_view_trunk_and_cva_are_corrected(roll: float) -> None:
    level = synthetic_pose(SIDE_TRUTH, view="side_left", image_size=(W, H), with_world=False)
    rolled = roll_camera(level, roll)
    estimate = measured_roll(roll)
    for metric in ("trunk_flexion", "craniovertebral_angle"):
        truth = column(level, metric)
        assert abs(column(rolled, metric) - truth) > 0.5 * abs(roll), metric
        assert column(rolled, metric, estimate) == pytest.approx(truth, abs=0.5), metric
    for metric in ("hip_flexion_left", "knee_flexion_left"):
        assert column(rolled, metric) == pytest.approx(column(level, metric), abs=0.01), metric
