"""The synthetic body: shapes, rigid segment lengths, world/image consistency, visibility."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.synthetic import (
    ANGLE_KEYS,
    THIGH,
    UPPER_ARM,
    long_synthetic_pose,
    synthetic_pose,
    view_yaw,
)


def _dist(points: np.ndarray, a: str, b: str) -> np.ndarray:
    return np.linalg.norm(points[:, LANDMARK_INDEX[a]] - points[:, LANDMARK_INDEX[b]], axis=-1)


def test_shapes_and_time() -> None:
    pose = synthetic_pose({"knee_flexion_left": np.zeros(12)}, fps=24.0, image_size=(640, 480))
    assert isinstance(pose, PoseSequence)
    assert len(pose) == 12 and pose.image.shape == (12, 33, 4)
    assert pose.world is not None and pose.world.shape == (12, 33, 3)
    assert (pose.image_width, pose.image_height) == (640, 480)
    np.testing.assert_allclose(np.diff(pose.time_s), 1 / 24.0)
    assert synthetic_pose({}, with_world=False).world is None


def test_segments_are_rigid_and_world_matches_image() -> None:
    moves = {
        "shoulder_flexion_right": np.linspace(0, 170, 20),
        "hip_flexion_right": np.linspace(-20, 110, 20),
        "trunk_flexion": np.linspace(0, 30, 20),
    }
    pose = synthetic_pose(moves, yaw_deg=-70.0, px_per_m=250.0)
    world = pose.world
    assert world is not None
    np.testing.assert_allclose(_dist(world, "right_shoulder", "right_elbow"), UPPER_ARM)
    np.testing.assert_allclose(_dist(world, "right_hip", "right_knee"), THIGH)
    # Orthographic projection: pixel offsets are the world x/y offsets times the scale.
    d_px = pose.pixels[:, LANDMARK_INDEX["right_elbow"]] - pose.pixels[:, LANDMARK_INDEX["nose"]]
    d_w = world[:, LANDMARK_INDEX["right_elbow"], :2] - world[:, LANDMARK_INDEX["nose"], :2]
    np.testing.assert_allclose(d_px, 250.0 * d_w, atol=1e-9)


@pytest.mark.parametrize(
    ("view", "near", "far"), [("side_left", "left", "right"), ("side_right", "right", "left")]
)
def test_far_side_has_low_visibility(view: str, near: str, far: str) -> None:
    vis = synthetic_pose({}, view=view).visibility[0]
    assert vis[LANDMARK_INDEX[f"{far}_knee"]] < 0.5 < vis[LANDMARK_INDEX[f"{near}_knee"]]
    world = synthetic_pose({}, view=view).world
    assert world is not None  # the near shoulder is nearer the camera (smaller z)
    assert (
        world[0, LANDMARK_INDEX[f"{near}_shoulder"], 2]
        < world[0, LANDMARK_INDEX[f"{far}_shoulder"], 2]
    )


def test_front_views_mirror_left_and_right() -> None:
    cam = synthetic_pose({}, view="front", facing="camera").pixels[0]
    away = synthetic_pose({}, view="front", facing="away")
    left, right = LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]
    assert cam[left, 0] > cam[right, 0]  # the subject's left is on the image right
    assert away.pixels[0, left, 0] < away.pixels[0, right, 0]
    assert away.visibility[0, LANDMARK_INDEX["nose"]] < 0.5


def test_nose_points_the_named_way_in_side_views() -> None:
    for view, sign in (("side_left", -1.0), ("side_right", 1.0)):
        px = synthetic_pose({}, view=view).pixels[0]
        assert sign * (px[LANDMARK_INDEX["nose"], 0] - px[LANDMARK_INDEX["left_ear"], 0]) > 0


def test_noise_is_seeded() -> None:
    a = synthetic_pose({}, noise_px=2.0, seed=1, n_frames=3).image
    b = synthetic_pose({}, noise_px=2.0, seed=1, n_frames=3).image
    c = synthetic_pose({}, noise_px=2.0, seed=2, n_frames=3).image
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


def test_body_stays_in_frame_with_raised_arms() -> None:
    pose = synthetic_pose(
        {"shoulder_flexion_left": 180.0, "shoulder_flexion_right": 180.0}, view="side_left"
    )
    xy = pose.image[..., :2]
    assert ((xy > 0) & (xy < 1)).all()


def test_long_sequence() -> None:
    pose = long_synthetic_pose(duration_s=20.0, fps=30.0)
    assert len(pose) == 600 and np.isfinite(pose.image).all()


def test_view_yaw_names() -> None:
    assert view_yaw("front") == 0.0
    assert view_yaw("front", "away") == 180.0
    assert view_yaw("side", "left") == view_yaw("side_left") == 90.0
    assert view_yaw("side", "right") == -90.0
    assert "neck_rotation" in ANGLE_KEYS and "forward_head_cm" not in ANGLE_KEYS


BAD: list[tuple[dict[str, Any], dict[str, Any], str]] = [
    ({"elbow_flexion": 3.0}, {}, "unknown angle keys"),
    ({"head_tilt": 1.0, "neck_lateral_flexion": 2.0}, {}, "not both"),
    ({"knee_flexion_left": np.zeros((2, 2))}, {}, r"finite scalar or \(T,\) array"),
    ({"knee_flexion_left": np.nan}, {}, "finite scalar"),
    ({"knee_flexion_left": np.zeros(3), "hip_flexion_left": np.zeros(4)}, {}, "disagree on T"),
    ({}, {"n_frames": 0}, "n_frames must be >= 1"),
    ({}, {"view": "top"}, "view/facing must be"),
    ({}, {"view": "front", "facing": "left"}, "view/facing must be"),
    ({}, {"image_size": (0, 10)}, "image_size must be"),
    ({}, {"fps": 0.0}, "fps must be > 0"),
    ({}, {"noise_px": -1.0}, "noise_px >= 0"),
]


@pytest.mark.parametrize(("angles", "kwargs", "match"), BAD)
def test_bad_input(angles: dict[str, Any], kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        synthetic_pose(angles, **kwargs)
