"""Joint angle formulas on hand-placed points in the subject frames (+x forward / left)."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core import angles


def _p(*xy: float) -> np.ndarray:
    return np.array([xy], dtype=float)


def _unit(deg_from_down_toward_plus_x: float, length: float = 1.0) -> np.ndarray:
    a = np.radians(deg_from_down_toward_plus_x)
    return _p(length * np.sin(a), -length * np.cos(a))


SHOULDER, HIP = _p(0.0, 0.0), _p(0.0, -5.0)


@pytest.mark.parametrize("deg", [-60.0, -10.0, 0.0, 45.0, 90.0, 150.0, 180.0])
def test_sagittal_flexion_forward_positive(deg: float) -> None:
    elbow = SHOULDER + _unit(deg, 3.0)
    assert angles.sagittal_flexion(SHOULDER, HIP, SHOULDER, elbow)[0] == pytest.approx(deg)


def test_sagittal_flexion_is_relative_to_the_trunk() -> None:
    leaning_hip = _unit(180.0 + 20.0, 5.0)  # trunk leaning 20 deg forward: hip behind, below
    elbow = _unit(20.0 + 90.0, 3.0)
    assert angles.sagittal_flexion(SHOULDER, -leaning_hip, SHOULDER, elbow)[0] == pytest.approx(
        90.0
    )


@pytest.mark.parametrize("deg", [-10.0, 0.0, 30.0, 90.0, 140.0])
def test_knee_flexion_shank_behind_is_positive(deg: float) -> None:
    hip, knee = _p(0.0, 0.0), _p(0.0, -4.0)
    ankle = knee + _unit(-deg, 4.0)  # negative = swung toward -x, behind the thigh line
    assert angles.knee_flexion(hip, knee, ankle)[0] == pytest.approx(deg)


@pytest.mark.parametrize("deg", [0.0, 30.0, 90.0, 145.0])
def test_elbow_flexion_unsigned(deg: float) -> None:
    shoulder, elbow = _p(0.0, 3.0), _p(0.0, 0.0)
    for sign in (1.0, -1.0):
        wrist = elbow + _unit(sign * deg, 2.0)
        assert angles.elbow_flexion(shoulder, elbow, wrist)[0] == pytest.approx(deg)


@pytest.mark.parametrize("deg", [-20.0, 0.0, 45.0, 90.0, 170.0])
def test_abduction_away_from_the_body(deg: float) -> None:
    mid_sh, mid_hip = _p(0.0, 0.0), _p(0.0, -5.0)
    left_sh, right_sh = _p(2.0, 0.0), _p(-2.0, 0.0)
    left = angles.abduction(mid_sh, mid_hip, left_sh, left_sh + _unit(deg), 1.0)
    right = angles.abduction(mid_sh, mid_hip, right_sh, right_sh + _unit(-deg), -1.0)
    assert left[0] == pytest.approx(deg)
    assert right[0] == pytest.approx(deg)


@pytest.mark.parametrize("pitch", [-40.0, 0.0, 25.0, 60.0])
def test_raw_neck_flexion_chin_down_positive(pitch: float) -> None:
    ear, shoulder, hip = _p(0.0, 0.0), _p(0.0, -2.0), _p(0.0, -8.0)
    a = np.radians(-pitch)  # head pitched down = ear->eye rotated clockwise
    eye = ear + _p(np.cos(a), np.sin(a))
    assert angles.raw_neck_flexion(ear, eye, shoulder, hip)[0] == pytest.approx(pitch)


@pytest.mark.parametrize("tilt", [-30.0, 0.0, 15.0])
def test_neck_lateral_flexion_toward_left_positive(tilt: float) -> None:
    left_sh, right_sh = _p(2.0, 0.0), _p(-2.0, 0.0)
    a = np.radians(-tilt)  # left ear (at +x) drops when tilting toward the left shoulder
    left_ear, right_ear = _p(np.cos(a), 3 + np.sin(a)), _p(-np.cos(a), 3 - np.sin(a))
    got = angles.neck_lateral_flexion(left_sh, right_sh, left_ear, right_ear)
    assert got[0] == pytest.approx(tilt)


@pytest.mark.parametrize("yaw", [-70.0, -30.0, 0.0, 10.0, 60.0])
def test_neck_rotation_from_face(yaw: float) -> None:
    half = 7.5
    a = np.radians(yaw)
    left_ear, right_ear = _p(half * np.cos(a), 0.0), _p(-half * np.cos(a), 0.0)
    nose = _p(angles.NOSE_FORWARD_RATIO * half * np.sin(a), -1.0)
    assert angles.neck_rotation_from_face(nose, left_ear, right_ear)[0] == pytest.approx(yaw)


def test_nan_propagates() -> None:
    nan = _p(np.nan, np.nan)
    assert np.isnan(angles.elbow_flexion(nan, _p(0, 0), _p(1, 0)))[0]
    assert np.isnan(angles.knee_flexion(_p(0, 1), _p(0, 0), nan))[0]
    assert np.isnan(angles.neck_rotation_from_face(_p(0, 0), nan, _p(1, 0)))[0]


def test_vectorised_over_frames() -> None:
    t = 1000
    deg = np.linspace(-60, 180, t)
    a = np.radians(deg)
    elbow = np.stack([np.sin(a), -np.cos(a)], axis=-1)
    zeros, hips = np.zeros((t, 2)), np.tile([0.0, -5.0], (t, 1))
    np.testing.assert_allclose(angles.sagittal_flexion(zeros, hips, zeros, elbow), deg, atol=1e-9)
