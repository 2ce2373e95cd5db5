"""Synthetic live streams: blank camera frames and an estimator that returns the synthetic
subject's pose (and, for the face model, a head pose) at each frame's time (the processor's
estimator factory seam)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import numpy as np

from romcam.core.head_pose import N_FACE_LANDMARKS, HeadPose, rotation_from_angles
from romcam.core.landmarks import PoseSequence
from romcam.core.synthetic import synthetic_pose
from romcam.live.pose_models import Findings
from romcam.pose.estimator import FramePose

#: A head pose script: the head at a stream time (s), or None (no face found).
HeadScript = Callable[[float], HeadPose | None]

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


def head_pose(yaw: float = 0.0, pitch: float = 0.0, roll: float = 0.0) -> HeadPose:
    """A head with these angles (deg, ``head_pose.head_angles`` convention), its face
    landmarks a small cloud round the image centre."""
    landmarks = np.full((N_FACE_LANDMARKS, 3), 0.5)
    landmarks[:, 0] += np.linspace(-0.05, 0.05, N_FACE_LANDMARKS)
    landmarks[:, 1] += np.linspace(-0.08, 0.08, N_FACE_LANDMARKS)
    return HeadPose(
        rotation=rotation_from_angles(yaw, pitch, roll),
        translation=np.array([0.0, 0.0, -50.0]),
        landmarks=landmarks,
        confidence=1.0,
    )


def turning_head(times: list[float], yaws: list[float]) -> HeadScript:
    """A head whose yaw follows ``times`` (s) -> ``yaws`` (deg), pitch and roll 0."""
    return lambda t: head_pose(yaw=float(np.interp(t, times, yaws)))


class ScriptedEstimator:
    """A ``LiveEstimator`` that finds the synthetic subject (and ``people`` persons) in any
    frame, at the pose of that frame's time, and the head of ``head`` (None: no face model)."""

    def __init__(self, pose: PoseSequence, people: int = 1, head: HeadScript | None = None) -> None:
        self.pose = pose
        self.people = people
        self.head = head
        self.closed = False
        self.frames = 0

    def estimate(self, frame_bgr: np.ndarray, time_s: float) -> Findings:
        assert not self.closed, "a closed estimator was used"
        self.frames += 1
        head = self.head(time_s) if self.head is not None else None
        return Findings(pose=frame_pose(self.pose, time_s), people=self.people, head=head)

    def close(self) -> None:
        self.closed = True
