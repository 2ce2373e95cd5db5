"""The live path's first-stage models: what they find in a frame, the estimator protocol the
processor's factory returns, and the real models (pose, people check, face).

Kept apart from :mod:`romcam.live.processor` (threads, trial, drawing) so that a test's
scripted estimator needs only this small contract.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from romcam.core.head_pose import HeadPose
from romcam.live.people_check import PeopleCheck
from romcam.pose.estimator import FramePose, PoseEstimator
from romcam.pose.face import HeadPoseEstimator


@dataclass(frozen=True, kw_only=True)
class Findings:
    """What the first stage's models found in one frame.

    Attributes:
        pose: the tracked subject, or None. people: persons in the picture.
        head: the head pose from the face model; None when no face was found or the test
            does not use the face model (:attr:`LiveConfig.uses_face_model`).
    """

    pose: FramePose | None
    people: int
    head: HeadPose | None = None


class LiveEstimator(Protocol):
    """The first stage's models for one stream (made by the processor's estimator factory)."""

    def estimate(self, frame_bgr: np.ndarray, time_s: float) -> Findings:
        """What the models found in one (H, W, 3) uint8 BGR frame taken at ``time_s`` s of
        stream time (increasing)."""
        ...

    def close(self) -> None: ...


class PoseModels:
    """The real models: a one-person pose estimator, the people check and, when asked, the
    face model.

    One person: the model then tracks the subject without re-running its detector; the
    :class:`~romcam.live.people_check.PeopleCheck` counts the people twice a second. The face
    model (:class:`~romcam.pose.face.HeadPoseEstimator`, VIDEO mode) runs after the pose model
    on the same stage: on 2 cores it adds ~9 ms to the pose model's ~16 ms at 640x360, far
    inside a 15 frames/s camera's 67 ms (benchmarks/README.md), and a stage of its own would
    not lower the CPU both need.
    Raises ModelError when a model cannot be loaded.
    """

    def __init__(
        self,
        model_path: Path | None,
        people_check_s: float,
        *,
        face_model_path: Path | None = None,
        with_face: bool = False,
    ) -> None:
        self._pose = PoseEstimator(model_path, max_people=1)
        self._people = PeopleCheck(model_path, people_check_s)
        self._face: HeadPoseEstimator | None = None
        try:
            self._face = HeadPoseEstimator(face_model_path) if with_face else None
        except Exception:
            self.close()
            raise

    def estimate(self, frame_bgr: np.ndarray, time_s: float) -> Findings:
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        ms = round(time_s * 1000)
        pose = self._pose.process(rgb, ms)
        self._people.offer(rgb, time_s)
        head = self._face.process(rgb, ms) if self._face is not None else None
        people = max(self._pose.people_in_last_frame, self._people.count())
        return Findings(pose=pose, people=people, head=head)

    def close(self) -> None:
        if self._face is not None:
            self._face.close()
        self._people.close()
        self._pose.close()
