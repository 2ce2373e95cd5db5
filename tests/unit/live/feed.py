"""Synthetic live streams: blank camera frames and an estimator that returns the synthetic
subject's pose at each frame's time (the processor's estimator factory seam)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np

from romcam.core.landmarks import PoseSequence
from romcam.core.synthetic import synthetic_pose
from romcam.pose.estimator import FramePose

W, H = 320, 180
FPS = 30.0


def moving(
    keyframes: Mapping[str, tuple[list[float], list[float]]], duration_s: float, view: str
) -> PoseSequence:
    """A synthetic subject whose angles follow ``metric -> (times s, degrees)`` at 30 fps."""
    t = np.arange(0.0, duration_s, 1.0 / FPS)
    angles = {m: np.interp(t, times, values) for m, (times, values) in keyframes.items()}
    return synthetic_pose(angles, view=view, fps=FPS, image_size=(W, H), noise_px=0.2)


def frames(
    pose: PoseSequence, start: int = 0, stop: int | None = None
) -> Iterator[tuple[float, np.ndarray]]:
    """(time s, blank (H, W, 3) uint8 frame) of the pose's frames ``start`` to ``stop``."""
    for i in range(start, len(pose) if stop is None else stop):
        yield float(pose.time_s[i]), np.full((pose.image_height, pose.image_width, 3), 90, np.uint8)


def frame_pose(pose: PoseSequence, time_s: float) -> FramePose:
    """The synthetic subject at the frame nearest ``time_s``."""
    i = int(np.argmin(np.abs(pose.time_s - time_s)))
    assert pose.world is not None
    return FramePose(image=pose.image[i].copy(), world=pose.world[i].copy())


class ScriptedEstimator:
    """A ``LiveEstimator`` that finds the synthetic subject (and ``people`` persons) in any
    frame, at the pose of that frame's time."""

    def __init__(self, pose: PoseSequence, people: int = 1) -> None:
        self.pose = pose
        self.people = people
        self.closed = False
        self.frames = 0

    def estimate(self, frame_bgr: np.ndarray, time_s: float) -> tuple[FramePose | None, int]:
        assert not self.closed, "a closed estimator was used"
        self.frames += 1
        return frame_pose(self.pose, time_s), self.people

    def close(self) -> None:
        self.closed = True
