"""View detection on synthetic bodies turned to known yaws, with and without world landmarks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from romcam.core.geometry import image_to_up
from romcam.core.landmarks import PoseSequence
from romcam.core.synthetic import synthetic_pose
from romcam.core.views import (
    OUT_OF_PLANE_DEG,
    ViewEstimate,
    classify_yaw,
    detect_views,
    yaw_from_image,
    yaw_from_world,
)


def _detect(pose: PoseSequence, **kwargs: float) -> ViewEstimate:
    up = image_to_up(pose.pixels, pose.image_width, pose.image_height)
    return detect_views(up, pose.world, pose.time_s, **kwargs)


@pytest.mark.parametrize("with_world", [True, False])
@pytest.mark.parametrize(
    ("view", "facing", "expected_view", "expected_facing"),
    [
        ("front", "camera", "front", "camera"),
        ("front", "away", "front", "away"),
        ("side_left", "camera", "side_left", "left"),
        ("side_right", "camera", "side_right", "right"),
        ("side", "left", "side_left", "left"),
        ("side", "right", "side_right", "right"),
    ],
)
def test_named_views(
    with_world: bool, view: str, facing: str, expected_view: str, expected_facing: str
) -> None:
    pose = synthetic_pose(
        {"shoulder_flexion_left": 40.0}, view=view, facing=facing, with_world=with_world, n_frames=3
    )
    est = _detect(pose)
    assert list(est.view) == [expected_view] * 3
    assert list(est.facing) == [expected_facing] * 3
    assert not est.out_of_plane.any()
    assert bool(est.from_world.all()) is with_world


@pytest.mark.parametrize("with_world", [True, False])
@pytest.mark.parametrize(
    "yaw", [-170.0, -140.0, -100.0, -50.0, -20.0, 0.0, 12.0, 40.0, 70.0, 95.0, 125.0, 160.0]
)
def test_yaw_is_recovered(with_world: bool, yaw: float) -> None:
    pose = synthetic_pose({}, yaw_deg=yaw, with_world=with_world)
    got = _detect(pose).yaw_deg[0]
    assert abs((got - yaw + 180.0) % 360.0 - 180.0) < 0.5


@pytest.mark.parametrize(
    ("yaw", "view", "facing"),
    [
        (45.0, "oblique", "camera"),
        (-45.0, "oblique", "camera"),
        (135.0, "oblique", "away"),
        (-135.0, "oblique", "away"),
    ],
)
def test_oblique_both_facings(yaw: float, view: str, facing: str) -> None:
    for with_world in (True, False):
        est = _detect(synthetic_pose({}, yaw_deg=yaw, with_world=with_world))
        assert (est.view[0], est.facing[0]) == (view, facing)
        assert est.out_of_plane[0]


@pytest.mark.parametrize("yaw", [-70.0, -20.0, 20.0, 70.0, 160.0])
def test_out_of_plane_when_turned_beyond_threshold(yaw: float) -> None:
    est = _detect(synthetic_pose({}, yaw_deg=yaw))
    assert est.deviation_deg[0] == pytest.approx(20.0, abs=0.5)
    assert est.deviation_deg[0] > OUT_OF_PLANE_DEG and est.out_of_plane[0]


def test_classify_yaw_bins() -> None:
    view, facing, dev = classify_yaw(np.array([0.0, 29.0, 31.0, 89.0, -91.0, 179.0, np.nan]))
    assert list(view) == ["front", "front", "oblique", "side_left", "side_right", "front", "none"]
    assert list(facing) == ["camera", "camera", "camera", "left", "right", "away", "none"]
    np.testing.assert_allclose(dev[:6], [0.0, 29.0, 31.0, 1.0, 1.0, 1.0])
    assert np.isnan(dev[6])


def test_world_yaw_ignores_hips_when_missing() -> None:
    world = synthetic_pose({}, yaw_deg=60.0).world
    assert world is not None
    world = world.copy()
    world[:, 23:25] = np.nan
    assert yaw_from_world(world)[0] == pytest.approx(60.0, abs=1e-6)


def test_world_missing_frames_fall_back_to_image() -> None:
    pose = synthetic_pose({}, view="side_right", n_frames=4)
    world = pose.world.copy()  # type: ignore[union-attr]
    world[1] = np.nan
    est = _detect(PoseSequence(pose.frame, pose.time_s, 1280, 720, pose.image, world), smooth_s=0)
    np.testing.assert_array_equal(est.from_world, [True, False, True, True])
    assert list(est.view) == ["side_right"] * 4


def test_smoothing_removes_a_one_frame_flip() -> None:
    yaw = np.zeros(15)
    yaw[7] = 90.0  # one frame of a landmark glitch
    pose = synthetic_pose({}, yaw_deg=yaw, fps=30.0)
    assert list(_detect(pose).view) == ["front"] * 15
    assert _detect(pose, smooth_s=0.0).view[7] == "side_left"


def test_image_yaw_nan_without_nose() -> None:
    pose = synthetic_pose({}, n_frames=2)
    up = image_to_up(pose.pixels, 1280, 720)
    up[0, 0] = np.nan
    out = yaw_from_image(up)
    assert np.isnan(out[0]) and np.isfinite(out[1])


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((np.zeros((3, 33, 3)), None, np.zeros(3)), {}, r"up must have shape \(T, 33, 2\)"),
        ((np.zeros((3, 33, 2)), np.zeros((3, 32, 3)), np.zeros(3)), {}, "world must have shape"),
        ((np.zeros((3, 33, 2)), None, np.zeros(4)), {}, r"time_s must have shape \(3,\)"),
        ((np.zeros((3, 33, 2)), None, np.zeros(3)), {"smooth_s": -1.0}, "smooth_s must be >= 0"),
    ],
)
def test_bad_input(args: tuple[Any, ...], kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        detect_views(*args, **kwargs)


def test_world_turn_not_seen_in_the_image_is_capped() -> None:
    """World shoulders turned 35 deg with square image shoulders (a head turn leaking into the
    world shoulder line) stays a front view; the image's own turn is kept."""
    square = synthetic_pose({}, yaw_deg=0.0)
    turned = synthetic_pose({}, yaw_deg=35.0)
    leaked = PoseSequence(square.frame, square.time_s, 1280, 720, square.image, turned.world)
    est = _detect(leaked)
    assert est.view[0] == "front" and abs(est.yaw_deg[0]) < 0.5
    both = _detect(turned)
    assert both.view[0] == "oblique" and both.yaw_deg[0] == pytest.approx(35.0, abs=0.5)
