"""The pose estimator: MediaPipe Pose Landmarker in VIDEO mode, one subject per frame.

This is the only romcam module that imports mediapipe, and it does so when a
:class:`PoseEstimator` is created, so :class:`FramePose` and :class:`PoseSequenceBuilder` are
cheap to import. Coordinates are MediaPipe's (see :mod:`romcam.core.landmarks`): image landmarks
normalised to the frame (x right, y down, z relative depth), world landmarks in metres with the
origin between the hips.

One estimator per video or live stream: the landmarker tracks people from frame to frame and
must not be shared between threads. Create it once, reuse it, and close it (it is a context
manager).

MediaPipe's own log lines (creating the model, its first frame, closing it) are hidden unless
``romcam -v``: see :mod:`romcam.pose.native_logs`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from romcam.closing import Closing
from romcam.core.landmarks import N_LANDMARKS, PoseSequence
from romcam.core.tracking import SubjectTracker, TrackerConfig, count_people
from romcam.pose.model_files import resolve_model
from romcam.pose.native_logs import load_landmarker

log = logging.getLogger(__name__)

#: Seconds between the IMAGE-mode people counts of a VIDEO-mode estimator (see PoseEstimator).
#: One detection a second (~30 ms) costs about 1 ms a frame and catches anyone who stays.
PEOPLE_CHECK_S = 1.0


@dataclass(frozen=True)
class FramePose:
    """One person in one frame.

    Attributes:
        image: (33, 4) float: normalised x, y, z and visibility in [0, 1].
        world: (33, 3) float metres, origin between the hips, y down.
    """

    image: np.ndarray
    world: np.ndarray

    def __post_init__(self) -> None:
        if self.image.shape != (N_LANDMARKS, 4):
            raise ValueError(f"image must be ({N_LANDMARKS}, 4); got {self.image.shape}")
        if self.world.shape != (N_LANDMARKS, 3):
            raise ValueError(f"world must be ({N_LANDMARKS}, 3); got {self.world.shape}")


class PoseEstimator(Closing):
    """Finds the subject's landmarks in successive frames of one stream.

    Args:
        model_path: a ``.task`` file; None resolves it (``ROMCAM_MODEL``, then the packaged
            model, then the cache; see :func:`romcam.pose.model_files.resolve_model`).
        max_people: how many people the model looks for; with more than one, a
            :class:`~romcam.core.tracking.SubjectTracker` keeps following the same subject.
        min_detection_confidence: minimum person-detection (and pose-presence) score, [0, 1].
        min_tracking_confidence: minimum score to keep tracking instead of re-detecting, [0, 1].
        tracker_config: tuning of the subject tracker.
        video: VIDEO mode (default: tracks people from frame to frame, needs increasing
            timestamps); False = IMAGE mode, each frame on its own (slower, and finds a pose
            less often, but finds people that tracking missed; timestamps are ignored).
        people_check_s: in VIDEO mode with ``max_people`` >= 2, :meth:`process` also counts
            the people with a fresh IMAGE-mode detection every this many seconds of stream
            time (None: never; :meth:`detect` never does).
            VIDEO mode keeps tracking the person it found and does not look for others while
            tracking holds, so a second person who was there from the start is never reported.

    Raises:
        ModelError: the model file is missing, corrupt, or not a pose landmarker bundle.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        max_people: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        tracker_config: TrackerConfig | None = None,
        video: bool = True,
        people_check_s: float | None = PEOPLE_CHECK_S,
    ) -> None:
        if not isinstance(max_people, int) or max_people < 1:
            raise ValueError(f"max_people must be an integer >= 1; got {max_people!r}")
        for name, value in (
            ("min_detection_confidence", min_detection_confidence),
            ("min_tracking_confidence", min_tracking_confidence),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]; got {value}")
        if people_check_s is not None and not people_check_s > 0:
            raise ValueError(f"people_check_s must be > 0 or None; got {people_check_s}")
        self.model_path = resolve_model(model_path)
        self.max_people = max_people
        #: Different people in the last frame (``count_people``: a double detection is one).
        self.people_in_last_frame = 0
        #: Every person found in the last frame, before the subject is chosen.
        self.people_found: list[FramePose] = []
        self._tracker_config = tracker_config
        self._tracker: SubjectTracker | None = None
        self._last_ms: int | None = None
        self.video = video
        self._mp, self._landmarker = _create_landmarker(
            self.model_path, max_people, min_detection_confidence, min_tracking_confidence, video
        )
        self._people_check = _PeopleCheck(
            people_check_s if video and max_people >= 2 else None,
            lambda: _create_landmarker(
                self.model_path, max_people, min_detection_confidence, 0.5, False
            )[1],
        )

    @property
    def closed(self) -> bool:
        return self._landmarker is None

    @property
    def last_timestamp_ms(self) -> int | None:
        """The timestamp actually given to the model for the last frame (after any bump)."""
        return self._last_ms

    def close(self) -> None:
        """Release the model (idempotent). A closed estimator refuses further frames."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None
        self._people_check.close()

    def process(self, frame_rgb: np.ndarray, timestamp_ms: int) -> FramePose | None:
        """The subject's pose in this frame, or None if the subject is not seen.

        Args:
            frame_rgb: (H, W, 3) uint8 RGB image.
            timestamp_ms: frame time in milliseconds. VIDEO mode needs strictly increasing
                ones: a repeated or earlier one (rounding, repeated live frames) is bumped to
                one millisecond after the last, here and nowhere else.
        """
        people = self.detect(frame_rgb, timestamp_ms)
        self._count_people_afresh(frame_rgb)
        tracker = self._tracker_for(frame_rgb.shape[1], frame_rgb.shape[0])
        chosen = tracker.select([p.image for p in people])
        return None if chosen is None else people[chosen]

    def detect(self, frame_rgb: np.ndarray, timestamp_ms: int) -> list[FramePose]:
        """Every person found in this frame, no subject selection (arguments as :meth:`process`)."""
        if self._landmarker is None:
            raise RuntimeError("this PoseEstimator is closed; create a new one")
        frame = check_rgb_frame(frame_rgb)
        ms = int(timestamp_ms)
        if self._last_ms is not None and ms <= self._last_ms:
            log.debug("timestamp %d ms not after %d ms; bumped", ms, self._last_ms)
            ms = self._last_ms + 1
        self._last_ms = ms
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=frame)
        if self.video:
            result = self._landmarker.detect_for_video(image, ms)
        else:
            result = self._landmarker.detect(image)
        people = [
            FramePose(image=_to_array(img, 4), world=_to_array(world, 3))
            for img, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
        ]
        self.people_in_last_frame = count_people(
            [p.image for p in people], frame.shape[1] / frame.shape[0]
        )
        self.people_found = people
        return people

    def _count_people_afresh(self, frame_rgb: np.ndarray) -> None:
        """Raise ``people_in_last_frame`` to the periodic IMAGE-mode count (see
        ``people_check_s``); run it when due (``self._last_ms`` is this frame's time)."""
        check = self._people_check
        if self._last_ms is not None and check.due(self._last_ms):
            frame = np.ascontiguousarray(frame_rgb)
            image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=frame)
            found = check.landmarker.detect(image).pose_landmarks
            aspect = frame.shape[1] / frame.shape[0]
            check.count = count_people([_to_array(p, 4) for p in found], aspect)
        self.people_in_last_frame = max(self.people_in_last_frame, check.count)

    def _tracker_for(self, width: int, height: int) -> SubjectTracker:
        aspect = width / height
        if self._tracker is None or not np.isclose(self._tracker.aspect_ratio, aspect):
            if self._tracker is not None:
                log.info("frame size changed to %dx%d; choosing the subject afresh", width, height)
            self._tracker = SubjectTracker(self._tracker_config, aspect_ratio=aspect)
        return self._tracker


class _PeopleCheck:
    """The periodic IMAGE-mode people count of a VIDEO-mode estimator (created when first due).

    ``count`` is the last count; it stands for the frames until the next one.
    """

    def __init__(self, every_s: float | None, create: Any) -> None:
        self.every_ms = None if every_s is None else every_s * 1000.0
        self._create = create
        self.landmarker: Any = None
        self.count = 0
        self._last_ms: float | None = None

    def due(self, ms: int) -> bool:
        """True when a count is due at ``ms`` (and the IMAGE landmarker then exists)."""
        if self.every_ms is None:
            return False
        if self._last_ms is not None and ms - self._last_ms < self.every_ms:
            return False
        self._last_ms = ms
        if self.landmarker is None:
            self.landmarker = self._create()
        return True

    def close(self) -> None:
        if self.landmarker is not None:
            self.landmarker.close()
            self.landmarker = None


def _create_landmarker(
    model_path: Path, max_people: int, detection: float, tracking: float, video: bool
) -> tuple[Any, Any]:
    """(mediapipe module, VIDEO- or IMAGE-mode PoseLandmarker); load failures: ModelError."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_poses=max_people,
        min_pose_detection_confidence=detection,
        min_pose_presence_confidence=detection,
        min_tracking_confidence=tracking,
    )
    landmarker = load_landmarker(
        lambda: vision.PoseLandmarker.create_from_options(options),
        model_path=model_path,
        kind="pose",
        fix="pass --model PATH to a valid one or run `romcam model download full`",
    )
    return mp, landmarker


def check_rgb_frame(frame_rgb: np.ndarray) -> np.ndarray:
    """``frame_rgb`` as a contiguous (H, W, 3) uint8 array; ValueError saying what it was."""
    if not isinstance(frame_rgb, np.ndarray) or frame_rgb.ndim != 3 or frame_rgb.shape[2] != 3:
        shape = getattr(frame_rgb, "shape", type(frame_rgb).__name__)
        raise ValueError(f"frame_rgb must be an (H, W, 3) RGB array; got {shape}")
    if frame_rgb.dtype != np.uint8:
        raise ValueError(f"frame_rgb must be uint8; got {frame_rgb.dtype}")
    if frame_rgb.shape[0] == 0 or frame_rgb.shape[1] == 0:
        raise ValueError(f"frame_rgb is empty: {frame_rgb.shape}")
    return np.ascontiguousarray(frame_rgb)


def _to_array(landmarks: Sequence[Any], columns: int) -> np.ndarray:
    """(33, columns) array of x, y, z (and visibility when columns == 4)."""
    rows: list[tuple[float, ...]]
    if columns == 4:
        rows = [(p.x, p.y, p.z, 0.0 if p.visibility is None else p.visibility) for p in landmarks]
    else:
        rows = [(p.x, p.y, p.z) for p in landmarks]
    return np.asarray(rows, dtype=float).reshape(len(landmarks), columns)


class PoseSequenceBuilder:
    """Collects per-frame results of one stream into a :class:`PoseSequence`.

    Streaming: each :meth:`append` copies only the landmarks (O(T) memory, no images).
    """

    def __init__(self, image_width: int, image_height: int) -> None:
        if image_width <= 0 or image_height <= 0:
            raise ValueError(f"image size must be positive; got {image_width}x{image_height}")
        self.image_width, self.image_height = int(image_width), int(image_height)
        self._frames: list[int] = []
        self._times: list[float] = []
        self._image: list[np.ndarray] = []
        self._world: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self._frames)

    def append(self, frame: int, time_s: float, pose: FramePose | None) -> None:
        """Add one frame (``pose`` None: no subject, stored as NaN). Times must increase."""
        if self._times and not time_s > self._times[-1]:
            raise ValueError(
                f"time_s must strictly increase; got {time_s} after {self._times[-1]} "
                f"(frame {frame})"
            )
        self._frames.append(int(frame))
        self._times.append(float(time_s))
        if pose is None:
            self._image.append(np.full((N_LANDMARKS, 4), np.nan))
            self._world.append(np.full((N_LANDMARKS, 3), np.nan))
        else:
            self._image.append(np.array(pose.image, dtype=float))
            self._world.append(np.array(pose.world, dtype=float))

    def build(self) -> PoseSequence:
        """The collected frames as a PoseSequence (world landmarks included)."""
        t = len(self._frames)
        return PoseSequence(
            frame=np.asarray(self._frames, dtype=int),
            time_s=np.asarray(self._times, dtype=float),
            image_width=self.image_width,
            image_height=self.image_height,
            image=np.stack(self._image) if t else np.empty((0, N_LANDMARKS, 4)),
            world=np.stack(self._world) if t else np.empty((0, N_LANDMARKS, 3)),
        )


def pose_sequence_from_frames(
    frames: Iterable[tuple[int, float, FramePose | None]], width: int, height: int
) -> PoseSequence:
    """PoseSequence from ``(frame index, time in s, pose or None)`` tuples, in time order."""
    builder = PoseSequenceBuilder(width, height)
    for frame, time_s, pose in frames:
        builder.append(frame, time_s, pose)
    return builder.build()
