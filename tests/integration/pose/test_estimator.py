"""PoseEstimator with the real model on real footage (a few seconds per clip)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_INDEX
from romcam.core.tracking import torso_centre_and_scale
from romcam.errors import ModelError
from romcam.pose.estimator import FramePose, PoseEstimator, PoseSequenceBuilder
from tests.conftest import MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

L_SHOULDER, R_SHOULDER = LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]
L_HIP, R_HIP = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
NOSE = LANDMARK_INDEX["nose"]


def read_frames(path: Path, max_frames: int) -> Iterator[tuple[int, float, np.ndarray]]:
    """(index, time in s, RGB frame) for the first ``max_frames`` frames of a clip."""
    cap = cv2.VideoCapture(str(path))
    try:
        fps = cap.get(cv2.CAP_PROP_FPS)
        assert fps > 0, f"cannot read the frame rate of {path}"
        for index in range(max_frames):
            ok, bgr = cap.read()
            if not ok:
                return
            yield index, index / fps, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


@dataclass(frozen=True)
class Run:
    poses: list[FramePose | None]
    people: list[int]
    width: int
    height: int


def run_estimator(path: Path, max_frames: int) -> Run:
    poses: list[FramePose | None] = []
    people: list[int] = []
    width = height = 0
    with PoseEstimator(MODEL_PATH) as estimator:
        for _index, time_s, rgb in read_frames(path, max_frames):
            height, width = rgb.shape[:2]
            poses.append(estimator.process(rgb, round(time_s * 1000)))
            people.append(estimator.people_in_last_frame)
    return Run(poses, people, width, height)


@pytest.fixture(scope="module")
def shoulder_run() -> Run:
    # First 3 s of a seated, front-view shoulder abduction (28 fps).
    return run_estimator(shared_video("shoulder_abduction_front_seated_02.mp4"), 84)


@pytest.fixture(scope="module")
def demo_run() -> Run:
    # First 5 s of the Sports2D demo: the man on the roof (subject) and, from about 2 s,
    # a woman walking across the foreground.
    return run_estimator(shared_video("sports2d_demo.mp4"), 150)


def test_subject_found_in_most_frames(shoulder_run: Run) -> None:
    assert len(shoulder_run.poses) == 84
    found = sum(p is not None for p in shoulder_run.poses)
    assert found >= 0.9 * len(shoulder_run.poses)


def test_landmarks_are_anatomically_plausible(shoulder_run: Run) -> None:
    poses = [p for p in shoulder_run.poses if p is not None]
    image = np.stack([p.image for p in poses])
    world = np.stack([p.world for p in poses])
    # Front view, not mirrored: the subject's left shoulder is on the image's right.
    assert np.all(image[:, L_SHOULDER, 0] > image[:, R_SHOULDER, 0])
    # Shoulders inside the frame and below the nose (y points down).
    shoulders = image[:, [L_SHOULDER, R_SHOULDER], :2]
    assert np.all((shoulders > 0) & (shoulders < 1))
    assert np.all(image[:, NOSE, 1] < shoulders[:, :, 1].min(axis=1))
    assert np.median(image[:, [L_SHOULDER, R_SHOULDER], 3]) > 0.9
    # World landmarks: metres, origin between the hips, adult shoulder width.
    width_m = np.linalg.norm(world[:, L_SHOULDER] - world[:, R_SHOULDER], axis=1)
    assert np.all((width_m > 0.2) & (width_m < 0.55))
    hip_mid = (world[:, L_HIP] + world[:, R_HIP]) / 2
    assert np.all(np.abs(hip_mid) < 0.05)


def test_builder_collects_a_pose_sequence(shoulder_run: Run) -> None:
    builder = PoseSequenceBuilder(shoulder_run.width, shoulder_run.height)
    for index, pose in enumerate(shoulder_run.poses):
        builder.append(index, index / 28, pose)
    seq = builder.build()
    assert len(seq) == 84
    assert seq.world is not None
    assert seq.detected.sum() == sum(p is not None for p in shoulder_run.poses)
    assert (seq.image_width, seq.image_height) == (1920, 1080)


def test_tracked_subject_is_the_man_on_the_roof_and_never_jumps(demo_run: Run) -> None:
    aspect = demo_run.width / demo_run.height
    both_seen = [i for i, n in enumerate(demo_run.people) if n >= 2]
    assert len(both_seen) >= 60, "the woman should be detected in the foreground"
    tracked = [(i, p) for i, p in enumerate(demo_run.poses) if p is not None]
    assert len(tracked) >= 0.85 * len(demo_run.poses)
    centres = {i: torso_centre_and_scale(p.image, aspect) for i, p in tracked}
    # The man stands on the roof in the upper half; the woman walks in the lower half.
    assert all(centre[1] < 0.45 for centre, _ in centres.values())
    for i in both_seen:
        assert demo_run.poses[i] is not None, f"subject lost at frame {i} while two were seen"
    # Between consecutive tracked frames the torso centre moves well under a torso length.
    for i, _ in tracked:
        if i - 1 in centres:
            (c0, s0), (c1, _s1) = centres[i - 1], centres[i]
            assert np.linalg.norm(c1 - c0) < 0.5 * s0, f"jump at frame {i}"


def test_non_increasing_timestamps_are_bumped() -> None:
    _, _, rgb = next(read_frames(shared_video("shoulder_abduction_front_seated_02.mp4"), 1))
    with PoseEstimator(MODEL_PATH, max_people=1) as estimator:
        stamps = [0, 40, 40, 40, 10, 80]
        poses = [estimator.process(rgb, ms) for ms in stamps]
        assert estimator.last_timestamp_ms == 80
        poses.append(estimator.process(rgb, 80))
        assert estimator.last_timestamp_ms == 81
    assert all(p is not None for p in poses)


def test_closed_estimator_refuses_frames() -> None:
    estimator = PoseEstimator(MODEL_PATH, max_people=1)
    estimator.close()
    estimator.close()  # idempotent
    assert estimator.closed
    with pytest.raises(RuntimeError, match=r"closed"):
        estimator.process(np.zeros((64, 64, 3), np.uint8), 0)


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        (np.zeros((64, 64), np.uint8), r"\(H, W, 3\) RGB array; got \(64, 64\)"),
        (np.zeros((64, 64, 4), np.uint8), r"\(H, W, 3\) RGB array; got \(64, 64, 4\)"),
        (np.zeros((64, 64, 3), np.float32), r"must be uint8; got float32"),
        (np.zeros((0, 64, 3), np.uint8), r"empty"),
    ],
)
def test_bad_frames_are_rejected(frame: np.ndarray, match: str) -> None:
    with (
        PoseEstimator(MODEL_PATH, max_people=1) as estimator,
        pytest.raises(ValueError, match=match),
    ):
        estimator.process(frame, 0)


def test_empty_frame_has_nobody() -> None:
    with PoseEstimator(MODEL_PATH) as estimator:
        assert estimator.process(np.zeros((240, 320, 3), np.uint8), 0) is None
        assert estimator.people_in_last_frame == 0


def _bad_model(kind: str, folder: Path) -> Path:
    path = folder / f"{kind}.task"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not-zip":
        path.write_text("not a model")
    elif kind == "garbage-networks":
        with zipfile.ZipFile(path, "w") as bundle:
            bundle.writestr("pose_detector.tflite", b"\x00" * 64)
            bundle.writestr("pose_landmarks_detector.tflite", b"\x00" * 64)
    return path


@pytest.mark.parametrize(
    ("kind", "match"),
    [
        ("missing", r"pose model not found"),
        ("empty", r"is empty"),
        ("not-zip", r"corrupt or not a \.task bundle"),
        ("garbage-networks", r"could not load the pose model"),
    ],
)
def test_bad_model_file_raises_model_error(tmp_path: Path, kind: str, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        PoseEstimator(_bad_model(kind, tmp_path))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_people": 0}, r"max_people must be an integer >= 1"),
        ({"min_detection_confidence": 1.5}, r"min_detection_confidence must be in \[0, 1\]"),
        ({"min_tracking_confidence": -0.1}, r"min_tracking_confidence must be in \[0, 1\]"),
        ({"people_check_s": 0.0}, r"people_check_s must be > 0 or None"),
    ],
)
def test_bad_parameters_are_rejected(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        PoseEstimator(MODEL_PATH, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("check_s", "people"), [(None, 1), (1.0, 2)])
def test_second_person_present_from_the_start_is_counted(
    check_s: float | None, people: int
) -> None:
    """VIDEO mode tracks the one person it found first and never reports the therapist sitting
    beside her patient; the periodic IMAGE-mode detection counts both."""
    from romcam.media.video import iter_frames

    clip = shared_video("hard_two_people_therapist_table_occlusion_01.webm")
    counts = []
    with PoseEstimator(MODEL_PATH, max_people=2, people_check_s=check_s) as estimator:
        for frame in iter_frames(clip, max_frames=45):
            rgb = cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)
            estimator.process(rgb, round(frame.time_s * 1000))
            counts.append(estimator.people_in_last_frame)
    assert max(counts[5:]) == people and min(counts[5:]) == people
