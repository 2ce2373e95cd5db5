"""Neck range of motion from the face model on real footage (issue 18).

Hand readings (frames extracted with ffmpeg ``select=eq(n\\,N)``, zoomed 8x on a 5-px grid,
pixel x right, y down) of the lateral-flexion clip neck_lateral_tilt_front_seated_portrait_01:

- frame 16 (0.53 s, the right end): outer eye corners at (329, 619) (subject's right eye)
  and (435, 534) (left eye): the eye line rises 85 px over 106 px to the image right = the
  head tilted 38.7 deg toward the subject's right;
- frame 222 (7.40 s, the left end): outer eye corners at (608, 568) and (714, 670): it
  falls 102 px over 106 px = 44.1 deg toward the subject's left;
- in both frames the shoulder outline's tops are at the same height within ~10 px over
  ~600 px (level within ~1 deg), so the eye line against the shoulders is the same angle.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from romcam.analysis import AnalysisResult, analyze_landmarks, analyze_video
from romcam.core.assessments import assessment_test
from romcam.core.landmarks import PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.neck_from_face import HeadTrack
from romcam.media.video import VideoReader
from romcam.pose.estimator import PoseEstimator, pose_sequence_from_frames
from romcam.pose.face import HeadPoseEstimator
from tests.conftest import FACE_MODEL_PATH, MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

ROTATION_CLIP = "neck_rotation_front_seated_01.mp4"
TILT_CLIP = "neck_lateral_tilt_front_seated_portrait_01.mp4"
#: frame -> the eye line's tilt read by hand (deg, + toward the subject's left shoulder).
HAND_EYE_LINE = {16: -38.7, 222: 44.1}
#: Agreement asked of the face value with the hand reading (issue 18).
HAND_TOLERANCE_DEG = 6.0
TURNS_DEG = (-30.0, -20.0, -10.0, 10.0, 20.0, 30.0)


def _analyze(name: str, test: str) -> AnalysisResult:
    return analyze_video(
        shared_video(name),
        None,
        model_path=MODEL_PATH,
        face_model_path=FACE_MODEL_PATH,
        write_annotated=False,
        tests=[(assessment_test(test), None)],
        jobs=2,  # as the command line on 2 cores (the face model runs in each chunk)
    )


@pytest.fixture(scope="module")
def rotation() -> AnalysisResult:
    return _analyze(ROTATION_CLIP, "neck_rotation")


@pytest.fixture(scope="module")
def tilt() -> AnalysisResult:
    return _analyze(TILT_CLIP, "neck_lateral_flexion")


def test_rotation_ends_are_accepted_and_near_symmetric(rotation: AnalysisResult) -> None:
    # By eye the head is near a profile both ways (~65-75 deg, at most ~10 deg apart); the
    # body model read +67.6 / -45.4 (a 22 deg "deficit" that is not there).
    reports = {r["side"]: r for r in rotation.tests}
    assert reports["left"]["quality"] == reports["right"]["quality"] == "ok"
    left, right = reports["left"]["end_range"], reports["right"]["end_range"]
    assert 50.0 <= left <= 85.0 and -85.0 <= right <= -50.0
    assert abs(left + right) <= 12.0
    assert rotation.heads is not None
    assert np.isfinite(rotation.heads.confidence).mean() > 0.99  # the face is followed


def test_no_rotation_value_where_the_face_is_lost(rotation: AnalysisResult) -> None:
    assert rotation.heads is not None
    lost = np.zeros(len(rotation.heads), dtype=bool)
    lost[40:80] = lost[200:215] = True  # a left turn and a right turn
    track = HeadTrack(
        rotation=np.where(lost[:, None, None], np.nan, rotation.heads.rotation),
        confidence=np.where(lost, np.nan, rotation.heads.confidence),
    )
    table, _ = analyze_landmarks(rotation.pose, heads=track)
    for mid in ("neck_rotation", "neck_lateral_flexion", "neck_flexion"):
        assert np.isnan(table.values[mid][lost]).all(), mid
    kept = np.isfinite(table.values["neck_rotation"])
    assert kept[~lost].mean() > 0.95


def test_lateral_flexion_ends_match_the_eye_line_read_by_hand(tilt: AnalysisResult) -> None:
    # The body model read +17.9 / -20.9 here (issue 18).
    reports = {r["side"]: r for r in tilt.tests}
    assert reports["left"]["quality"] == reports["right"]["quality"] == "ok"
    left, right = reports["left"]["end_range"], reports["right"]["end_range"]
    assert left >= 28.0 and right <= -28.0
    assert left == pytest.approx(HAND_EYE_LINE[222], abs=HAND_TOLERANCE_DEG)
    assert right == pytest.approx(HAND_EYE_LINE[16], abs=HAND_TOLERANCE_DEG)
    values = tilt.table.values["neck_lateral_flexion"]
    frames = list(tilt.table.frame)
    for frame, hand in HAND_EYE_LINE.items():
        assert values[frames.index(frame)] == pytest.approx(hand, abs=HAND_TOLERANCE_DEG)


#: The middle frames of the two end holds, whose pictures are turned in the in-plane test:
#: frames 19-33 (head roll -38.8 to -40.0 deg) and 221-235 (42.7 to 44.2 deg), the frames
#: within ~1.5 deg of each end (read from the tracked head roll of the unturned clip).
END_HOLDS = (26, 228)
#: Frames either side of it. One picture's head pose scatters by 2-4 deg between turns (the
#: network is not exactly rotation-equivariant); the median over the 15 held frames (0.5 s,
#: an end hold) by under 1 deg. (Over the wider +/-3 deg hold, frames 17-35, the worst turn
#: was off by 1.07 deg: the frames where the head still moves add their own scatter.)
HALF_WINDOW = 7


def _tilt_window(centre: int) -> list[tuple[int, float, np.ndarray]]:
    """(index, time in s, RGB) of the tilt clip's frames centre +/- HALF_WINDOW."""
    lo, hi = centre - HALF_WINDOW, centre + HALF_WINDOW
    out = []
    with VideoReader(shared_video(TILT_CLIP), max_frames=hi + 1) as reader:
        for index, time_s, bgr in reader:
            if index >= lo:
                out.append((index, time_s, np.ascontiguousarray(bgr[..., ::-1])))
    return out


def _turned(rgb: np.ndarray, turn_deg: float) -> np.ndarray:
    """The picture turned counter-clockwise on screen by ``turn_deg`` about its centre."""
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), turn_deg, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), flags=cv2.INTER_LINEAR)


def _window_medians(
    frames: list[tuple[int, float, np.ndarray]],
    pose: PoseSequence,
    turn: float,
    neutral: dict[str, float],
) -> tuple[float, float]:
    """Median neck lateral flexion and rotation over ``frames`` with the picture turned by
    ``turn`` for the face model, the shoulders from the unturned ``pose``."""
    with HeadPoseEstimator(FACE_MODEL_PATH) as faces:
        heads = [faces.process(_turned(rgb, turn), round(t * 1000)) for _, t, rgb in frames]
    assert all(h is not None for h in heads)
    table = compute_metrics(pose, heads=heads, neutral={"neck_flexion": 0.0, **neutral})
    lateral, rotation = table.values["neck_lateral_flexion"], table.values["neck_rotation"]
    assert np.isfinite(lateral).all() and np.isfinite(rotation).all()
    return float(np.median(lateral)), float(np.median(rotation))


@pytest.mark.parametrize("frame", END_HOLDS)
def test_turning_the_head_in_the_picture_changes_lateral_flexion_by_the_turn(frame: int) -> None:
    # The face is turned in the picture while the shoulders stay where they were (the pose of
    # the unturned frames): the head against the trunk turns by exactly the turn. A turn
    # counter-clockwise on screen lowers the image-right side, the subject's right.
    frames = _tilt_window(frame)
    h, w = frames[0][2].shape[:2]
    with PoseEstimator(MODEL_PATH, max_people=1) as bodies:
        poses = [(i, t, bodies.process(rgb, round(t * 1000))) for i, t, rgb in frames]
    pose = pose_sequence_from_frames(poses, w, h)
    # Zeroed at the unturned head, so that a turned end (up to ~75 deg) is not dropped as
    # implausible.
    lateral0, rotation0 = _window_medians(frames, pose, 0.0, {})
    neutral = {"neck_lateral_flexion": lateral0, "neck_rotation": rotation0}
    changes = {turn: _window_medians(frames, pose, turn, neutral) for turn in TURNS_DEG}
    for turn, (lateral, rotation) in changes.items():
        assert lateral == pytest.approx(-turn, abs=1.0), turn
        assert rotation == pytest.approx(0.0, abs=2.0), turn
