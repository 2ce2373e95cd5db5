"""View detection on real clips through the real pose model (views known from watching them)."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.landmarks import PoseSequence
from romcam.core.measure import compute_metrics
from romcam.media.video import VideoReader
from romcam.pose.estimator import PoseEstimator, pose_sequence_from_frames
from tests.conftest import MODEL_PATH, shared_video


def _real_pose(name: str, seconds: float, *, mirror: bool = False) -> PoseSequence:
    """The first ``seconds`` of a shared clip through the pose model (mirrored if asked)."""
    frames = []
    with (
        VideoReader(shared_video(name), max_seconds=seconds) as reader,
        PoseEstimator(MODEL_PATH, max_people=1) as estimator,
    ):
        for f in reader:
            rgb = f.image[:, ::-1, ::-1] if mirror else f.image[..., ::-1]
            pose = estimator.process(np.ascontiguousarray(rgb), round(f.time_s * 1000))
            frames.append((f.frame_index, f.time_s, pose))
        size = reader.info.width, reader.info.height
    return pose_sequence_from_frames(frames, *size)


@pytest.mark.footage
@pytest.mark.parametrize(
    ("clip", "mirror", "expected"),
    [
        ("squat_side_portrait_01.mp4", False, "side_left"),
        # A mirror image of a left-side view shows a body whose right side faces the camera.
        ("squat_side_portrait_01.mp4", True, "side_right"),
        ("shoulder_abduction_front_seated_02.mp4", False, "front"),
        ("neck_rotation_front_seated_01.mp4", False, "front"),
    ],
)
def test_views_on_real_footage(clip: str, mirror: bool, expected: str) -> None:
    """Two seconds of real clips whose view is known from watching them."""
    pose = _real_pose(clip, 2.0, mirror=mirror)
    table = compute_metrics(pose)
    seen = table.view[pose.detected]
    assert seen.size > 20
    assert np.mean(seen == expected) > 0.9
    if expected.startswith("side"):
        near = expected.removeprefix("side_")
        far = "right" if near == "left" else "left"
        assert np.isnan(table.values[f"knee_flexion_{far}"]).all()
        assert np.isfinite(table.values[f"knee_flexion_{near}"]).mean() > 0.5
