"""The pose pass of an analysis: decoded frames -> the subject's landmarks, people counts and
head poses, collected in frame order.

:func:`run_pass` is the serial pass (one decode, one pose model, the face model beside it);
``romcam.parallel_analysis`` runs the same per-frame work in chunks on several processes and
feeds the same :class:`PassCollector`, so everything after pose estimation (the subject
split, the warnings, the landmark file) is one code path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.neck_from_face import FACE_METRICS, HeadTrack
from romcam.errors import NoSubjectError
from romcam.media.video import VideoFrame, VideoInfo, VideoReader, prefetch

if TYPE_CHECKING:
    from romcam.core.head_pose import HeadPose
    from romcam.media.annotated_video import AnnotatedVideoWriter
    from romcam.pose.estimator import FramePose

log = logging.getLogger(__name__)

#: Warn when at least this share of frames showed two or more people.
CROWD_WARN_SHARE = 0.05
#: Warn when the subject was found in fewer than this share of frames.
SPARSE_WARN_SHARE = 0.5

#: Without a neck test, the face model runs when the subject's ears are at least this far
#: apart (pixels) in the first frame with a subject. The eye corners are then ~25 px apart,
#: so one pixel of landmark error tilts the eye line by ~2 deg; smaller heads give head
#: angles too coarse for a neck range and are not worth the model's cost
#: (benchmarks/README.md).
FACE_MIN_EAR_PX = 80.0

ProgressFn = Callable[[int, int], None]


@dataclass
class PassResult:
    pose: PoseSequence
    info: VideoInfo
    warnings: list[str]
    truncated: bool
    heads: HeadTrack | None


def people_warning(crowded: int, total: int) -> str | None:
    if total and crowded / total >= CROWD_WARN_SHARE:
        return (
            f"two or more people were in frame in {100 * crowded / total:.0f}% of frames; "
            "the measurements follow the tracked subject"
        )
    return None


@dataclass(frozen=True)
class PassOptions:
    model_path: str | Path | None
    write_annotated: bool
    headline: str | None
    progress: ProgressFn | None
    max_people: int
    tests: Sequence[tuple[AssessmentTest, Side | None]] = ()
    face: bool | None = None
    face_model_path: str | Path | None = None


class FaceStage:
    """The face model beside the pose model, in the same decode pass.

    It runs on every frame when ``face`` is True, never when False; when None (auto), on
    every frame if a neck metric's test was asked for, else if the subject's ears are at
    least FACE_MIN_EAR_PX apart in the first frame with a subject (decided once: a turned
    head narrows the ears, yet needs the face model most).

    ``eager``: in auto, also run it while undecided (a chunk after the first cannot know the
    whole video's decision; ``romcam.parallel_analysis``). ``ran``: it ran on the last frame.
    """

    def __init__(self, opts: PassOptions, stack: ExitStack, *, eager: bool = False) -> None:
        neck_test = any(test.metric in FACE_METRICS for test, _ in opts.tests)
        self.on: bool | None = True if opts.face is None and neck_test else opts.face
        self.eager = eager
        self.ran = False
        self._model_path = opts.face_model_path
        self._stack = stack
        self._estimator: Any = None
        self._heads: list[HeadPose | None] = []

    def decide(self, fp: FramePose | None, width: int, height: int) -> bool:
        """Whether the face model runs (settled at the first frame with a subject in auto)."""
        if self.on is None and fp is not None:
            ears = fp.image[[LANDMARK_INDEX["left_ear"], LANDMARK_INDEX["right_ear"]], :2]
            apart = float(np.linalg.norm((ears[0] - ears[1]) * (width, height)))
            self.on = apart >= FACE_MIN_EAR_PX
            log.debug("face model %s (ears %.0f px apart)", "on" if self.on else "off", apart)
        return bool(self.on)

    def process(self, rgb: np.ndarray, ms: int, fp: FramePose | None) -> HeadPose | None:
        """This frame's head pose (None: no face, or the face model is off); recorded."""
        head = None
        self.ran = self.decide(fp, rgb.shape[1], rgb.shape[0]) or (self.eager and self.on is None)
        if self.ran:
            if self._estimator is None:
                from romcam.pose.face import HeadPoseEstimator

                self._estimator = self._stack.enter_context(HeadPoseEstimator(self._model_path))
            head = self._estimator.process(rgb, ms)
        self._heads.append(head)
        return head

    def track(self, detected: np.ndarray) -> HeadTrack | None:
        """The frames' head poses, emptied where the pose is not the subject's (None: off)."""
        return head_track(self._heads, detected) if self.on else None


class PassCollector:
    """Per-frame results of the pose pass, in frame order -> landmark file, PoseSequence,
    people counts and head poses; :meth:`finish` turns them into a :class:`PassResult`.

    Both the serial pass and the chunked one (``romcam.parallel_analysis``) feed it, so
    everything after pose estimation is one code path.
    """

    def __init__(self, info: VideoInfo, lm_path: Path | None, stack: ExitStack) -> None:
        from romcam.pose.estimator import PoseSequenceBuilder

        self.info = info
        self.lm_path = lm_path
        self.builder = PoseSequenceBuilder(info.width, info.height)
        self.lm_writer = (
            None if lm_path is None else stack.enter_context(landmark_writer(lm_path, info))
        )
        self.crowded, self.detected = 0, 0
        self.heads: list[HeadPose | None] = []

    def add(
        self, index: int, time_s: float, fp: FramePose | None, people: int, head: HeadPose | None
    ) -> None:
        """One frame: the subject's pose (None: not seen), people in frame, head pose."""
        self.crowded += people >= 2
        self.detected += fp is not None
        if self.lm_writer is not None:
            self.lm_writer.write(index, time_s, fp)
        self.builder.append(index, time_s, fp)
        self.heads.append(head)

    def finish(self, face_on: bool | None, problem: str | None) -> PassResult:
        """The pass's result; ``problem``: why decoding stopped early (None: it did not).
        Call after the landmark file is closed (it may be rewritten)."""
        info, frames, detected = self.info, len(self.builder), self.detected
        if detected == 0:
            raise NoSubjectError(
                f"no person was found in {info.path.name}; film the whole subject in good light"
            )
        warnings = [w for w in (people_warning(self.crowded, frames),) if w]
        if detected < SPARSE_WARN_SHARE * frames:
            warnings.append(
                f"the subject was found in only {detected} of {frames} frames; "
                "film the whole subject in good light"
            )
        pose, identity_warning = first_subject_only(self.builder.build())
        if identity_warning:
            warnings.append(identity_warning)
            if self.lm_path is not None:  # the subject's landmarks only, so `romcam angles` agrees
                from romcam.media.landmark_csv import write_landmarks_csv

                write_landmarks_csv(self.lm_path, pose)
        if problem is not None:
            end = float(pose.time_s[-1])
            warnings.append(f"{problem}; the results cover 0 to {end:.1f} s only")
        heads = head_track(self.heads, pose.detected) if face_on else None
        return PassResult(pose, info, warnings, problem is not None, heads)


def head_track(heads: Sequence[HeadPose | None], detected: np.ndarray) -> HeadTrack:
    """The frames' head poses, emptied where the pose is not the subject's."""
    track = HeadTrack.from_poses(list(heads))
    keep = np.asarray(detected, dtype=bool)
    rotation = np.where(keep[:, None, None], track.rotation, np.nan)
    return HeadTrack(rotation=rotation, confidence=np.where(keep, track.confidence, np.nan))


def run_pass(
    reader: VideoReader,
    lm_path: Path | None,
    opts: PassOptions,
    annotated: AnnotatedVideoWriter | None,
) -> PassResult:
    """Decode, estimate, write landmarks (to ``lm_path``) and annotated frames; returns the
    collected pose."""
    from romcam.pose.estimator import PoseEstimator

    info = reader.info
    with ExitStack() as stack:
        estimator = stack.enter_context(PoseEstimator(opts.model_path, max_people=opts.max_people))
        face = FaceStage(opts, stack)
        collector = PassCollector(info, lm_path, stack)
        for (index, time_s, frame_bgr), rgb in prefetch(reader, with_rgb):
            ms = round(time_s * 1000)
            fp = estimator.process(rgb, ms)  # it keeps them increasing
            head = face.process(rgb, ms, fp)
            people = int(estimator.people_in_last_frame)
            collector.add(index, time_s, fp, people, head)
            if annotated is not None:
                image, world = (None, None) if fp is None else (fp.image, fp.world)
                annotated.with_heads = bool(face.on)  # settled before a subject's frame
                annotated.put(frame_bgr, time_s, image, world, people, head=head)
            if opts.progress is not None:
                opts.progress(index + 1, max(info.frame_count, index + 1))
    return collector.finish(face.on, reader.problem if reader.truncated else None)


def first_subject_only(pose: PoseSequence) -> tuple[PoseSequence, str | None]:
    """``pose`` with other people's frames emptied (``core.identity``), and the warning."""
    from romcam.core.identity import keep_subject, split_subjects

    split = split_subjects(pose)
    if not split.others.any():
        return pose, None
    return keep_subject(pose, split), split.warning()


def with_rgb(frame: VideoFrame) -> tuple[VideoFrame, np.ndarray]:
    return frame, cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)


def landmark_writer(path: Path, info: VideoInfo) -> Any:
    from romcam.media.landmark_csv import LandmarkCsvWriter

    return LandmarkCsvWriter(path, info.width, info.height)
