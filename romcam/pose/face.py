"""The head-pose estimator: MediaPipe Face Landmarker in VIDEO mode, one face per frame.

Besides :mod:`romcam.pose.estimator` (the body), the only module that imports mediapipe; it
does so when a :class:`HeadPoseEstimator` is created. Each frame gives the face's 478
landmarks and its facial transformation matrix (the head's rigid pose in camera space, x
right, y up, z toward the camera, centimetres), returned as a
:class:`romcam.core.head_pose.HeadPose`.

VIDEO mode tracks a face from frame to frame; it keeps near-profile faces that the detector
alone (IMAGE mode) loses.

Frames are padded to a square (centred, so the optical centre stays put) before the model:
on a non-square frame the model's head pose is not that of a camera turned about its axis.
On the portrait tilt clip, the picture turned by +/-30 deg moved the head's yaw by 3-3.6 deg
(about 0.1 deg per deg, the same way for either head side); padded, by at most ~1.5 deg.

One estimator per video or live stream, never shared between threads; close it (it is a
context manager).
MediaPipe's own log lines are hidden as for the body (:mod:`romcam.pose.native_logs`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from romcam.closing import Closing
from romcam.core.head_pose import N_FACE_LANDMARKS, HeadPose, head_angles
from romcam.pose.estimator import check_rgb_frame
from romcam.pose.model_files import resolve_face_model
from romcam.pose.native_logs import load_landmarker

log = logging.getLogger(__name__)

#: Head yaw (deg) up to which the face transform is trusted fully, and where trust reaches 0.
#: The face model fits a frontal mesh: on the seated rotation clip its yaw follows the head
#: up to about 45-50 deg and saturates at 53-65 deg while the head turns on to ~70 deg, so
#: confidence falls linearly from 1 at 45 deg to 0 at a full profile (90 deg).
FULL_TRUST_YAW_DEG = 45.0
NO_TRUST_YAW_DEG = 90.0


class HeadPoseEstimator(Closing):
    """Finds the head's pose in successive frames of one stream.

    Args:
        model_path: a Face Landmarker ``.task`` file; None resolves it
            (:func:`romcam.pose.model_files.resolve_face_model`).
        video: VIDEO mode (default: tracks the face, needs increasing timestamps); False =
            IMAGE mode, each frame on its own (loses near-profile faces).
        min_confidence: minimum face detection, presence and tracking score, [0, 1].

    Raises:
        ModelError: the model file is missing, corrupt, or not a face landmarker bundle that
            gives the head pose.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        video: bool = True,
        min_confidence: float = 0.5,
    ) -> None:
        if not 0.0 <= min_confidence <= 1.0:
            raise ValueError(f"min_confidence must be in [0, 1]; got {min_confidence}")
        self.model_path = resolve_face_model(model_path)
        self.video = video
        self._last_ms: int | None = None
        self._mp, self._landmarker = _create_landmarker(self.model_path, video, min_confidence)

    @property
    def closed(self) -> bool:
        return self._landmarker is None

    def close(self) -> None:
        """Release the model (idempotent). A closed estimator refuses further frames."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def process(self, frame_rgb: np.ndarray, timestamp_ms: int) -> HeadPose | None:
        """The head's pose in this frame, or None when no face is found.

        Args:
            frame_rgb: (H, W, 3) uint8 RGB image.
            timestamp_ms: frame time in milliseconds; a repeated or earlier one is bumped to
                one millisecond after the last (VIDEO mode needs strictly increasing ones).
        """
        if self._landmarker is None:
            raise RuntimeError("this HeadPoseEstimator is closed; create a new one")
        frame, offset = _padded_square(check_rgb_frame(frame_rgb))
        ms = int(timestamp_ms)
        if self._last_ms is not None and ms <= self._last_ms:
            ms = self._last_ms + 1
        self._last_ms = ms
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=frame)
        if self.video:
            result = self._landmarker.detect_for_video(image, ms)
        else:
            result = self._landmarker.detect(image)
        if not result.face_landmarks or not result.facial_transformation_matrixes:
            return None
        points = np.asarray([(p.x, p.y, p.z) for p in result.face_landmarks[0]], dtype=float)
        side = frame.shape[0]
        height, width = frame_rgb.shape[:2]
        # Back from the padded square to the frame's normalised coordinates (z scales like x).
        points[:, 0] = (points[:, 0] * side - offset[0]) / width
        points[:, 1] = (points[:, 1] * side - offset[1]) / height
        points[:, 2] *= side / width
        return _head_pose(points, result.facial_transformation_matrixes[0])


def _padded_square(frame: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """(frame padded with black to a centred square, (x, y) offset of the frame in it)."""
    height, width = frame.shape[:2]
    side = max(height, width)
    if height == width:
        return frame, (0, 0)
    x0, y0 = (side - width) // 2, (side - height) // 2
    square = np.zeros((side, side, 3), dtype=frame.dtype)
    square[y0 : y0 + height, x0 : x0 + width] = frame
    return square, (x0, y0)


def _head_pose(points: np.ndarray, matrix: Any) -> HeadPose | None:
    """HeadPose from one face's (478, 3) landmarks (normalised to the frame) and its 4x4
    transform (None if the transform is bad)."""
    transform = np.asarray(matrix, dtype=float)
    if points.shape != (N_FACE_LANDMARKS, 3) or transform.shape != (4, 4):
        log.debug("unexpected face result shapes %s, %s", points.shape, transform.shape)
        return None
    if not np.all(np.isfinite(transform)):
        return None
    # The transform fits a scale with the pose: keep the rotation's direction, not its scale.
    linear = transform[:3, :3]
    scale = np.cbrt(np.linalg.det(linear))
    if not scale > 0:
        return None
    rotation = linear / scale
    yaw, _, _ = head_angles(rotation)
    return HeadPose(
        rotation=rotation,
        translation=transform[:3, 3].copy(),
        landmarks=points,
        confidence=face_confidence(points, yaw),
    )


def face_confidence(landmarks: np.ndarray, yaw_deg: float) -> float:
    """How far a face pose can be trusted, 0..1 (the model reports no score of its own).

    The product of the share of face landmarks inside the picture (a face cut by the frame
    edge is partly guessed) and the yaw trust (see FULL_TRUST_YAW_DEG).
    """
    xy = landmarks[:, :2]
    inside = float(np.mean(np.all((xy >= 0.0) & (xy <= 1.0), axis=1)))
    span = NO_TRUST_YAW_DEG - FULL_TRUST_YAW_DEG
    yaw_trust = float(np.clip((NO_TRUST_YAW_DEG - abs(yaw_deg)) / span, 0.0, 1.0))
    return inside * yaw_trust


def _create_landmarker(model_path: Path, video: bool, min_confidence: float) -> tuple[Any, Any]:
    """(mediapipe module, FaceLandmarker); load failures raise ModelError."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(model_path)),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_faces=1,
        min_face_detection_confidence=min_confidence,
        min_face_presence_confidence=min_confidence,
        min_tracking_confidence=min_confidence,
        output_facial_transformation_matrixes=True,
    )
    landmarker = load_landmarker(
        lambda: vision.FaceLandmarker.create_from_options(options),
        model_path=model_path,
        kind="face",
        fix="pass --face-model PATH to a valid one or run `romcam model download face`",
    )
    return mp, landmarker
