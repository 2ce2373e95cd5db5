"""Neck metrics from the head pose (core.neck_from_face through compute_metrics)."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.head_pose import N_FACE_LANDMARKS, HeadPose, rotation_from_angles
from romcam.core.measure import compute_metrics, neutral_offsets
from romcam.core.neck_from_face import HeadTrack
from romcam.core.synthetic import synthetic_pose

T = 12


def _camera_roll(angle_deg: float) -> np.ndarray:
    a = np.radians(angle_deg)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0, 0, 1.0]])


def _heads(
    yaw: np.ndarray | float,
    pitch: np.ndarray | float,
    roll: np.ndarray | float,
    *,
    camera_roll: float = 0.0,
    n: int = T,
) -> list[HeadPose | None]:
    y, p, r = (np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in (yaw, pitch, roll))
    return [
        HeadPose(
            rotation=_camera_roll(camera_roll) @ rotation_from_angles(y[i], p[i], r[i]),
            translation=np.array([0.0, 0.0, -60.0]),
            landmarks=np.full((N_FACE_LANDMARKS, 3), 0.5),
            confidence=1.0,
        )
        for i in range(n)
    ]


def test_without_heads_the_metrics_are_the_body_based_ones() -> None:
    pose = synthetic_pose({"neck_lateral_flexion": 15.0}, n_frames=T)
    assert compute_metrics(pose).values["neck_lateral_flexion"] == pytest.approx(np.full(T, 15.0))


@pytest.mark.parametrize("yaw", [-70.0, -30.0, 0.0, 45.0, 65.0])
def test_rotation_is_the_head_yaw_with_square_shoulders(yaw: float) -> None:
    pose = synthetic_pose({}, n_frames=T)
    table = compute_metrics(pose, heads=_heads(yaw, 5.0, 3.0))
    assert table.values["neck_rotation"] == pytest.approx(np.full(T, yaw), abs=1e-6)


@pytest.mark.parametrize("shoulder_tilt", [-10.0, 0.0, 8.0])
@pytest.mark.parametrize("roll", [-40.0, -15.0, 0.0, 30.0])
def test_lateral_flexion_is_the_head_roll_against_the_shoulder_line(
    roll: float, shoulder_tilt: float
) -> None:
    # The body-based metric of a skeleton whose ear line has the same roll is the reference.
    pose = synthetic_pose({"head_tilt": -roll, "shoulder_tilt": shoulder_tilt}, n_frames=T)
    body = compute_metrics(pose).values["neck_lateral_flexion"]
    face = compute_metrics(pose, heads=_heads(0.0, 0.0, roll)).values["neck_lateral_flexion"]
    assert face == pytest.approx(body, abs=1e-6)
    assert face == pytest.approx(np.full(T, roll + shoulder_tilt), abs=1e-6)


@pytest.mark.parametrize("camera_roll", [-12.0, 7.0])
def test_a_calibrated_camera_roll_changes_nothing(camera_roll: float) -> None:
    pose = synthetic_pose({"shoulder_tilt": 5.0}, n_frames=T, roll_deg=camera_roll)
    heads = _heads(35.0, 10.0, 20.0, camera_roll=camera_roll)
    table = compute_metrics(pose, roll_deg=camera_roll, heads=heads)
    assert table.values["neck_lateral_flexion"] == pytest.approx(np.full(T, 25.0), abs=1e-6)
    assert table.values["neck_rotation"] == pytest.approx(np.full(T, 35.0), abs=1e-6)


@pytest.mark.parametrize("turn", [-30.0, -20.0, -10.0, 10.0, 20.0, 30.0])
def test_the_head_turned_in_the_picture_changes_lateral_flexion_by_the_turn(turn: float) -> None:
    pose = synthetic_pose({}, n_frames=T)
    base = compute_metrics(pose, heads=_heads(40.0, 0.0, 10.0))
    turned = compute_metrics(pose, heads=_heads(40.0, 0.0, 10.0, camera_roll=turn))
    lateral = turned.values["neck_lateral_flexion"] - base.values["neck_lateral_flexion"]
    assert lateral == pytest.approx(np.full(T, -turn), abs=1e-6)
    assert turned.values["neck_rotation"] == pytest.approx(base.values["neck_rotation"])


def test_front_view_flexion_is_the_pitch_zeroed_at_the_first_second() -> None:
    pitch = np.r_[np.full(30, 8.0), np.linspace(8.0, 48.0, 30)]
    pose = synthetic_pose({}, n_frames=60)
    table = compute_metrics(pose, heads=_heads(0.0, pitch, 0.0, n=60))
    assert table.values["neck_flexion"] == pytest.approx(pitch - 8.0, abs=1e-6)
    # Without the face a front view gives no neck flexion.
    assert np.isnan(compute_metrics(pose).values["neck_flexion"]).all()


def test_frames_where_the_face_is_lost_are_empty_not_guessed() -> None:
    pose = synthetic_pose({"neck_lateral_flexion": 15.0}, n_frames=T)
    heads = _heads(20.0, 0.0, 15.0)
    heads[3] = heads[7] = None
    table = compute_metrics(pose, heads=heads)
    for mid in ("neck_rotation", "neck_lateral_flexion"):
        values = table.values[mid]
        assert np.isnan(values[[3, 7]]).all()
        assert np.isfinite(np.delete(values, [3, 7])).all()


def test_a_side_view_keeps_the_body_based_neck_flexion() -> None:
    pose = synthetic_pose({"neck_flexion": 30.0}, view="side_left", n_frames=T)
    body = compute_metrics(pose, neutral={"neck_flexion": 0.0}).values["neck_flexion"]
    table = compute_metrics(pose, neutral={"neck_flexion": 0.0}, heads=_heads(60.0, -5.0, 0.0))
    assert table.values["neck_flexion"] == pytest.approx(body)
    assert np.isnan(table.values["neck_rotation"]).all()


def test_noisy_heads_keep_the_values_within_the_noise() -> None:
    rng = np.random.default_rng(3)
    yaw = 50.0 + rng.normal(0.0, 1.0, T)
    roll = -25.0 + rng.normal(0.0, 1.0, T)
    pose = synthetic_pose({}, n_frames=T, noise_px=0.5, seed=3)
    table = compute_metrics(pose, heads=_heads(yaw, 0.0, roll))
    assert table.values["neck_rotation"] == pytest.approx(yaw, abs=1e-6)
    # The shoulder line's pixel noise moves the reference: the value is the head's roll
    # against that noisy line, exactly, and the line is level within a degree.
    shoulder_tilt = table.values["shoulder_tilt"]
    assert table.values["neck_lateral_flexion"] == pytest.approx(roll + shoulder_tilt, abs=1e-6)
    assert np.all(np.abs(shoulder_tilt) < 1.5)


def test_the_neutral_of_a_face_measured_window_comes_from_the_face() -> None:
    pose = synthetic_pose({}, n_frames=T)
    offsets = neutral_offsets(pose, heads=_heads(6.0, 0.0, -4.0))
    assert offsets["neck_rotation"] == pytest.approx(6.0)
    assert offsets["neck_lateral_flexion"] == pytest.approx(-4.0)
    table = compute_metrics(pose, neutral=offsets, heads=_heads(36.0, 0.0, -4.0))
    assert table.values["neck_rotation"] == pytest.approx(np.full(T, 30.0))


def test_heads_must_match_the_frames() -> None:
    with pytest.raises(ValueError, match="one entry per frame"):
        compute_metrics(synthetic_pose({}, n_frames=T), heads=_heads(0.0, 0.0, 0.0, n=T - 1))


def test_a_head_track_gives_the_same_metrics_and_the_head_columns() -> None:
    heads = _heads(np.linspace(-50.0, 50.0, T), 4.0, 12.0)
    heads[5] = None
    track = HeadTrack.from_poses(heads)
    pose = synthetic_pose({}, n_frames=T)
    by_poses = compute_metrics(pose, heads=heads).values["neck_rotation"]
    by_track = compute_metrics(pose, heads=track).values["neck_rotation"]
    np.testing.assert_array_equal(by_poses, by_track)
    columns = track.columns()
    expected_yaw = np.linspace(-50.0, 50.0, T)
    expected_yaw[5] = np.nan
    np.testing.assert_allclose(columns["head_yaw"], expected_yaw, atol=1e-9)
    assert np.isnan(columns["head_yaw"][5]) and np.isnan(columns["face_confidence"][5])
    assert columns["head_roll"][0] == pytest.approx(12.0)
    assert columns["head_pitch"][0] == pytest.approx(4.0)
    with pytest.raises(ValueError, match="rotation must be"):
        HeadTrack(rotation=np.zeros((3, 3, 3)), confidence=np.zeros(2))


def test_the_body_turn_flags_only_frames_with_a_body_measured_metric() -> None:
    """In a head turn the body model's world shoulders turn with the head: its out-of-plane
    flag must not reach a neck metric read from the face, but still flags body metrics."""
    turned = synthetic_pose({}, n_frames=T, yaw_deg=25.0)
    heads = _heads(40.0, 0.0, 0.0)
    assert compute_metrics(turned).flags["out_of_plane"].all()
    neck = compute_metrics(turned, heads=heads, metrics={"neck_rotation"})
    assert not neck.flags["out_of_plane"].any()
    both = compute_metrics(turned, heads=heads, metrics={"neck_rotation", "shoulder_tilt"})
    assert both.flags["out_of_plane"].all()
