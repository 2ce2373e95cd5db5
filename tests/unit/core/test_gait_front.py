"""Front-view walks: pelvic drop and trunk lean per stance side, from synthetic walks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from romcam.core.gait_front import front_view_gait
from romcam.core.synthetic_gait import synthetic_walk

FRAME = 1.0 / 30.0


@pytest.mark.parametrize(("drop", "lean"), [(6.0, 4.0), (2.0, 0.0)])
def test_pelvic_drop_and_trunk_lean_per_stance_side(drop: float, lean: float) -> None:
    walk = synthetic_walk(duration_s=6.0, view="front", pelvic_drop_deg=drop, trunk_lean_deg=lean)
    result = front_view_gait(walk.pose)
    assert result.status == "ok"
    for side in ("left", "right"):
        s = result.sides[side]
        assert s.n_stances >= 3
        assert s.pelvic_drop_deg == pytest.approx(drop, abs=0.5)
        assert s.trunk_lean_deg == pytest.approx(lean, abs=0.5)
        found = result.events[side].heel_strikes_s
        truth = walk.heel_strikes_s[side]
        assert all(np.min(np.abs(truth - t)) <= FRAME for t in found)


def test_a_side_view_walk_is_not_front() -> None:
    result = front_view_gait(synthetic_walk(duration_s=4.0).pose)
    assert result.status == "not_front"
    assert result.message is not None and "walking toward the camera" in result.message


def test_without_depth_it_says_so() -> None:
    pose = synthetic_walk(duration_s=4.0, view="front").pose
    result = front_view_gait(replace(pose, world=None))
    assert result.status == "no_depth"


def test_standing_facing_the_camera_is_no_walking() -> None:
    pose = synthetic_walk(duration_s=4.0, view="front", stride_s=1e6).pose
    result = front_view_gait(pose)
    assert result.status == "no_walking"
    assert result.message is not None and result.message.startswith("no step was seen")
