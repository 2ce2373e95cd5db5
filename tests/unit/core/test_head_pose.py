"""head_angles: the axis and sign convention of the head pose, on known rotations."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from romcam.core.head_pose import (
    N_FACE_LANDMARKS,
    HeadPose,
    head_angles,
    head_angles_array,
    rotation_from_angles,
)

NOSE = np.array([0.0, 0.0, 1.0])  # the face's forward axis (out through the nose)
TOP = np.array([0.0, 1.0, 0.0])  # up the face
LEFT = np.array([1.0, 0.0, 0.0])  # toward the subject's left ear


def _camera_roll(angle_deg: float) -> np.ndarray:
    """Rotation of camera space about the optical axis: the picture turned CCW by the angle."""
    a = np.radians(angle_deg)
    return np.array([[np.cos(a), -np.sin(a), 0.0], [np.sin(a), np.cos(a), 0.0], [0, 0, 1.0]])


def test_a_face_looking_into_the_camera_reads_zero() -> None:
    assert head_angles(np.eye(3)) == pytest.approx((0.0, 0.0, 0.0), abs=1e-12)


@pytest.mark.parametrize(
    ("yaw", "pitch", "roll"),
    list(
        itertools.product(
            (-85.0, -60.0, -20.0, 0.0, 35.0, 70.0, 89.0),
            (-60.0, 0.0, 45.0),
            (-60.0, -5.0, 0.0, 30.0, 60.0),
        )
    ),
)
def test_angles_are_recovered_over_the_whole_range_without_gimbal_flips(
    yaw: float, pitch: float, roll: float
) -> None:
    # Every yaw short of a full profile, pitch and roll well beyond the neck's range.
    r = rotation_from_angles(yaw, pitch, roll)
    np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
    assert head_angles(r) == pytest.approx((yaw, pitch, roll), abs=1e-6)


def test_positive_yaw_turns_the_nose_to_the_image_right_the_subjects_left() -> None:
    nose = rotation_from_angles(30.0, 0.0, 0.0) @ NOSE
    assert nose[0] == pytest.approx(np.sin(np.radians(30.0)))
    assert nose[1] == pytest.approx(0.0)


def test_positive_pitch_is_chin_down_the_nose_points_down() -> None:
    nose = rotation_from_angles(0.0, 20.0, 0.0) @ NOSE
    assert nose[1] == pytest.approx(-np.sin(np.radians(20.0)))
    assert nose[0] == pytest.approx(0.0)


def test_positive_roll_tilts_the_top_of_the_head_toward_the_subjects_left() -> None:
    r = rotation_from_angles(0.0, 0.0, 25.0)
    assert (r @ TOP)[0] == pytest.approx(np.sin(np.radians(25.0)))
    # ...so the left ear (image right) drops: the ear axis slopes down to the image right.
    assert (r @ LEFT)[1] == pytest.approx(-np.sin(np.radians(25.0)))


@pytest.mark.parametrize("turn", [-30.0, -20.0, -10.0, 10.0, 20.0, 30.0])
@pytest.mark.parametrize(("yaw", "pitch", "roll"), [(0, 0, 0), (50, -15, 10), (-40, 20, -30)])
def test_turning_the_picture_changes_roll_by_the_turn_and_nothing_else(
    turn: float, yaw: float, pitch: float, roll: float
) -> None:
    turned = _camera_roll(turn) @ rotation_from_angles(yaw, pitch, roll)
    # CCW on screen lowers the image-right (subject's left) side: the head reads more to
    # the subject's right, by exactly the turn.
    assert head_angles(turned) == pytest.approx((yaw, pitch, roll - turn), abs=1e-6)


def test_a_scaled_or_slightly_noisy_matrix_reads_the_same_angles() -> None:
    rng = np.random.default_rng(7)
    r = rotation_from_angles(42.0, -12.0, 8.0)
    noisy = 1.3 * r + rng.normal(0.0, 1e-3, (3, 3))
    assert head_angles(noisy) == pytest.approx((42.0, -12.0, 8.0), abs=0.2)


def test_a_reflection_or_a_non_finite_matrix_is_refused() -> None:
    with pytest.raises(ValueError, match="reflection"):
        head_angles(np.diag([1.0, 1.0, -1.0]))
    with pytest.raises(ValueError, match="finite"):
        head_angles(np.full((3, 3), np.nan))


def test_head_angles_array_keeps_missing_frames_empty() -> None:
    rotations = np.stack([rotation_from_angles(10.0, 5.0, -3.0), np.full((3, 3), np.nan)])
    out = head_angles_array(rotations)
    np.testing.assert_allclose(out[0], (10.0, 5.0, -3.0), atol=1e-9)
    assert np.isnan(out[1]).all()


def test_head_pose_checks_its_shapes_and_confidence() -> None:
    ok = {
        "rotation": np.eye(3),
        "translation": np.zeros(3),
        "landmarks": np.zeros((N_FACE_LANDMARKS, 3)),
        "confidence": 0.8,
    }
    HeadPose(**ok)
    for key, bad in (
        ("rotation", np.eye(4)),
        ("translation", np.zeros(4)),
        ("landmarks", np.zeros((468, 3))),
        ("confidence", 1.5),
    ):
        with pytest.raises(ValueError):
            HeadPose(**{**ok, key: bad})
