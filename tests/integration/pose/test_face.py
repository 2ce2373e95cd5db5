"""HeadPoseEstimator with the real face model on real footage."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from romcam.core.angles import neck_rotation_from_face
from romcam.core.head_pose import N_FACE_LANDMARKS, head_angles
from romcam.core.landmarks import LANDMARK_INDEX
from romcam.errors import ModelError
from romcam.media.video import VideoReader
from romcam.pose.estimator import PoseEstimator
from romcam.pose.face import HeadPoseEstimator
from tests.conftest import FACE_MODEL_PATH, MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

ROTATION_CLIP = "neck_rotation_front_seated_01.mp4"


def _face_and_body_yaw(frames: int) -> tuple[np.ndarray, np.ndarray]:
    """(T,) face yaw and (T,) body-model yaw (nose between the ears) of the rotation clip."""
    face_yaw, body_yaw = [], []
    with (
        VideoReader(shared_video(ROTATION_CLIP), max_frames=frames) as reader,
        HeadPoseEstimator(FACE_MODEL_PATH) as faces,
        PoseEstimator(MODEL_PATH, max_people=1) as bodies,
    ):
        for _, time_s, bgr in reader:
            rgb = np.ascontiguousarray(bgr[..., ::-1])
            ms = round(time_s * 1000)
            head, body = faces.process(rgb, ms), bodies.process(rgb, ms)
            assert head is not None and body is not None
            face_yaw.append(head_angles(head.rotation)[0])
            px = body.image[:, :2] * (rgb.shape[1], -rgb.shape[0])  # y up: a frontal frame
            nose, left, right = (px[LANDMARK_INDEX[n]] for n in ("nose", "left_ear", "right_ear"))
            body_yaw.append(float(neck_rotation_from_face(nose, left, right)))
    return np.asarray(face_yaw), np.asarray(body_yaw)


def test_the_face_is_followed_and_its_yaw_has_the_body_models_sign() -> None:
    # The first 70 frames turn the head to the subject's right (~-40 deg), back, then to the
    # left (~+60 deg). The body model's nose-between-ears yaw has today's sign (+ left).
    face, body = _face_and_body_yaw(70)
    turned = np.abs(body) > 15.0
    assert turned.sum() >= 20
    assert np.all(np.sign(face[turned]) == np.sign(body[turned]))
    assert face.max() > 50.0 and face.min() < -35.0
    assert np.corrcoef(face, body)[0, 1] > 0.95


def test_a_head_pose_has_its_shapes_and_a_frame_without_a_face_gives_none() -> None:
    with VideoReader(shared_video(ROTATION_CLIP), max_frames=1) as reader:
        _, _, bgr = next(iter(reader))
    rgb = np.ascontiguousarray(bgr[..., ::-1])
    with HeadPoseEstimator(FACE_MODEL_PATH) as faces:
        head = faces.process(rgb, 0)
        assert head is not None
        assert head.rotation.shape == (3, 3) and head.landmarks.shape == (N_FACE_LANDMARKS, 3)
        np.testing.assert_allclose(head.rotation @ head.rotation.T, np.eye(3), atol=1e-3)
        assert head.translation[2] < -20.0  # in front of the camera, centimetres
        assert 0.0 < head.confidence <= 1.0
        # The same timestamp again is bumped, not refused; a blank picture has no face.
        assert faces.process(np.zeros_like(rgb), 0) is None
    assert faces.closed
    with pytest.raises(RuntimeError, match="closed"):
        faces.process(rgb, 100)


def test_a_pose_model_is_refused_as_a_face_model(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        HeadPoseEstimator(MODEL_PATH)
    broken = tmp_path / "face.task"
    with zipfile.ZipFile(broken, "w") as bundle:
        bundle.writestr("face_detector.tflite", b"not a network")
    with pytest.raises(ModelError):
        HeadPoseEstimator(broken)
