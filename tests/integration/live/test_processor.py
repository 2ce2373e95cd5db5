"""romcam.live.processor with the real pose model on real footage: what the page sees after
each frame, the trial's files, and what is left on disk when an attempt ends unsaved."""

from __future__ import annotations

import math
import queue
import time
from dataclasses import replace
from pathlib import Path

import av
import cv2
import numpy as np
import pandas as pd
import pytest

from romcam.core.assessments import assessment_test
from romcam.core.head_pose import head_angles
from romcam.errors import ModelError
from romcam.live.processor import LiveProcessor, LiveUpdate, StreamEnded, drain
from romcam.live.trial_session import LiveConfig, TrialResult
from romcam.media.drawing import HEAD_AXIS_COLOURS, NOSE_TIP
from romcam.media.video import VideoReader, probe_video
from romcam.pose.face import HeadPoseEstimator
from tests.conftest import FACE_MODEL_PATH, MODEL_PATH, shared_video
from tests.e2e.footage import REST_S, TOP_S, held_abduction_frames

FPS = 30.0


@pytest.fixture(scope="module")
def held_frames() -> list[tuple[float, np.ndarray]]:
    """(time_s, frame) at 30 fps: rest, raise, overhead held 2 s, lower (see tests/e2e/footage)."""
    return [(i / FPS, img) for i, img in enumerate(held_abduction_frames())]


@pytest.fixture(scope="module")
def neck_frames() -> list[np.ndarray]:
    """A seated client turning the head, 480 px wide, the first frame held still for 1.5 s."""
    decoded = []
    with VideoReader(shared_video("neck_rotation_front_seated_01.mp4"), max_seconds=5.0) as r:
        for frame in r:
            h, w = frame.image.shape[:2]
            decoded.append(cv2.resize(frame.image, (480, round(h * 480 / w) // 2 * 2)))
    return [decoded[0]] * 45 + decoded


def _config(
    record_dir: Path | None, auto: bool = False, test_id: str = "shoulder_abduction"
) -> LiveConfig:
    """The right side's ``test_id`` (the left side's for the neck: the turn is to the left)."""
    return LiveConfig(
        test=assessment_test(test_id),
        side="left" if test_id == "neck_rotation" else "right",
        model_path=MODEL_PATH,
        record_dir=record_dir,
        auto_capture=auto,
    )


def _held_part(frames: list[tuple[float, np.ndarray]]) -> list[tuple[float, np.ndarray]]:
    """The frames from the start up to the middle of the held top (arms overhead)."""
    return frames[: round((1.0 + TOP_S - REST_S) * FPS) + 30]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.mark.footage
def test_processor_draws_skeleton_and_reads_abduction(held_frames) -> None:
    frames = _held_part(held_frames)
    processor = LiveProcessor(_config(None))
    try:
        outs = [processor.process(img, t) for t, img in frames]
    finally:
        processor.close()
    updates = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    assert len(updates) == len(frames)
    top = np.array([u.value for u in updates[-15:]])
    # Arms overhead: abduction far past the horizontal, within the anatomical range.
    assert np.isfinite(top).all() and 140 < np.median(top) < 185
    rest = np.array([u.value for u in updates[5:25]])
    assert np.nanmedian(rest) < 40  # arms by the sides at the start
    assert all(u.view == "front" and u.people == 1 for u in updates[-15:])
    assert updates[-1].problems == ()
    assert updates[-1].hold_progress > 0.5  # the end range is being held
    # The skeleton is drawn on the subject: pixels along the right upper arm changed.
    changed = np.abs(outs[-1].astype(int) - frames[-1][1].astype(int)).sum(axis=2) > 60
    h, w = changed.shape
    assert changed[h // 8 : h // 2, w // 4 : 3 * w // 4].mean() > 0.003
    assert changed[30:40, :].mean() > 0.3  # the hold cue bar across the top


@pytest.mark.footage
def test_offered_camera_frames_are_measured_on_the_pipeline(held_frames) -> None:
    """The camera callback's path: PyAV frames offered at a webcam's pace, each call returning
    at once with the newest annotated frame while the pipeline threads measure. The frame
    rates count the frames' capture times: exact under any load, and the frames measured
    (the newest win) never more than the camera's."""
    frames = _held_part(held_frames)
    processor = LiveProcessor(_config(None))
    shown = []
    try:
        start = time.monotonic()
        for k, (t, img) in enumerate(frames):
            shown.append(processor.offer(av.VideoFrame.from_ndarray(img, format="bgr24"), t))
            time.sleep(max(0.0, start + (k + 1) / FPS - time.monotonic()))
    finally:
        processor.close()
    assert shown[0] is None  # nothing measured yet
    updates = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    assert 0.3 * len(frames) <= len(updates) <= len(frames)  # newest frames win, none twice
    assert [u.frames for u in updates] == list(range(1, len(updates) + 1))
    assert [u.camera_fps for u in updates[-10:]] == pytest.approx([FPS] * 10)
    assert all(u.fps <= u.camera_fps for u in updates)
    assert np.isfinite(updates[-1].value) and 140 < updates[-1].value < 185  # arms overhead
    last = shown[-1]
    assert last is not None and last.shape == frames[-1][1].shape
    assert np.abs(last.astype(int) - frames[-1][1].astype(int)).sum(axis=2).max() > 60  # drawn
    assert processor.offer(frames[-1][1], frames[-1][0] + 1) is None  # closed: ignored


@pytest.mark.footage
def test_auto_capture_records_video_landmarks_and_angles(held_frames, tmp_path: Path) -> None:
    results: queue.Queue = queue.Queue()
    processor = LiveProcessor(_config(tmp_path, auto=True), results)
    try:
        for t, img in held_frames:
            processor.process(img, t)
            if processor.captured is not None:
                break
        processor.stream_ended()
    finally:
        processor.close()
    items = drain(results)
    trials = [i for i in items if isinstance(i, TrialResult)]
    assert len(trials) == 1
    trial = trials[0]
    assert trial.trigger == "auto" and trial.quality == "ok", trial.reason
    assert 140 < trial.value < 185 and trial.view == "front"
    assert trial.held_max == pytest.approx(trial.value) and trial.held_min < 40
    # Captured as the arm came down, after the 2 s hold (not during the raise).
    assert 4.2 < trial.duration_s < 5.5
    n = round(trial.duration_s * FPS)
    assert probe_video(trial.video_path).frame_count == pytest.approx(n, abs=2)
    landmarks = pd.read_csv(trial.landmarks_path)
    assert len(landmarks) == pytest.approx(n, abs=1)
    assert "right_elbow_visibility" in landmarks.columns
    angles = pd.read_csv(trial.angles_path)
    assert list(angles["frame"]) == list(landmarks["frame"])
    assert angles["shoulder_abduction_right"].notna().mean() > 0.9
    ended = [i for i in items if isinstance(i, StreamEnded)]
    assert ended and not ended[0].lost_trial  # captured before the camera stopped


@pytest.mark.footage
def test_button_capture_and_stream_end_mid_trial(held_frames, tmp_path: Path) -> None:
    frames = _held_part(held_frames)
    processor = LiveProcessor(_config(tmp_path))
    try:
        for t, img in frames[:10]:
            processor.process(img, t)
        processor.stream_ended()  # camera unplugged: the attempt is dropped
        for t, img in frames:  # a new stream: its clock starts at 0 again
            processor.process(img, t)
        processor.request_capture()
        processor.process(frames[-1][1], frames[-1][0] + 0.5)
    finally:
        processor.close()
    items = drain(processor.results)
    ended = [i for i in items if isinstance(i, StreamEnded)]
    assert ended[0].lost_trial
    assert not (tmp_path / "trial-001").exists()  # the lost attempt's files are removed
    trial = processor.captured
    assert trial is not None and trial.trigger == "button"
    assert 140 < trial.value < 185
    assert trial.video_path is not None and "trial-002" in str(trial.video_path)


@pytest.mark.footage
def test_neck_test_takes_the_neutral_first(neck_frames, tmp_path: Path) -> None:
    """Neck rotation: the still start is taken as the neutral, later values are zeroed at it."""
    frames = neck_frames  # 1.5 s still, then the head turns
    processor = LiveProcessor(_config(tmp_path, test_id="neck_rotation"))
    phases, values = [], []
    try:
        for i, img in enumerate(frames):
            processor.process(img, i / FPS)
            phases.append(processor.phase)
            values.append(processor.latest.value)
        processor.request_capture()
        processor.process(frames[-1], len(frames) / FPS)
    finally:
        processor.close()
    assert phases[0] == "neutral"
    switch = phases.index("trial")
    assert 25 <= switch <= 45  # after about 1 s of keeping still
    neutral_values = np.array(values[switch + 1 : 45])
    assert np.all(np.abs(neutral_values) < 1.0)  # the still frame reads 0 after zeroing
    moving = np.array(values[45:])
    assert np.nanmax(np.abs(moving)) > 20  # the head turns well away from the neutral
    trial = processor.captured
    assert trial is not None and trial.neutral is not None and math.isfinite(trial.neutral)
    angles = pd.read_csv(trial.angles_path)
    assert angles["frame"].iloc[0] == switch + 1  # the table starts after the neutral


@pytest.mark.footage
def test_second_person_in_the_picture_is_warned() -> None:
    """A therapist beside the client: the one-person tracking model follows one of them, the
    people check (every 0.5 s, on its own thread) tells the page there are two."""
    config = LiveConfig(
        test=assessment_test("shoulder_flexion"), side="right", model_path=MODEL_PATH
    )
    processor = LiveProcessor(config)
    clip = shared_video("hard_two_people_therapist_table_occlusion_01.webm")
    try:
        with VideoReader(clip, max_seconds=3.0) as reader:
            for frame in reader:
                h, w = frame.image.shape[:2]
                processor.process(cv2.resize(frame.image, (640, round(h * 640 / w))), frame.time_s)
    finally:
        processor.close()
    updates = [u for u in drain(processor.results) if isinstance(u, LiveUpdate)]
    later = updates[len(updates) // 2 :]
    warned = [u for u in later if u.people == 2 and any("2 people" in p for p in u.problems)]
    assert len(warned) >= 0.8 * len(later)


@pytest.mark.footage
def test_stop_during_the_neutral_then_start_again(neck_frames, tmp_path: Path) -> None:
    """STOP while the neutral is being taken drops that attempt and its files; START again
    measures (it raised 'this worker is closed': the page showed an internal error)."""
    processor = LiveProcessor(_config(tmp_path, test_id="neck_rotation"))
    try:
        for i, img in enumerate(neck_frames[:10]):
            processor.process(img, i / FPS)
        assert processor.phase == "neutral"
        processor.stream_ended()
        assert _files(tmp_path) == []  # the neutral frames were never saved
        for i, img in enumerate(neck_frames[:40]):  # a new stream, its clock from 0
            processor.process(img, i / FPS)
    finally:
        processor.close()
    items = drain(processor.results)
    assert [i for i in items if isinstance(i, str)] == []  # no error for the page
    assert [i.lost_trial for i in items if isinstance(i, StreamEnded)] == [False]
    assert processor.phase == "trial"  # the second stream took the neutral
    assert _files(tmp_path) == []  # closed: the unsaved attempt's files are gone


@pytest.mark.footage
def test_closing_mid_attempt_leaves_no_files(neck_frames, tmp_path: Path) -> None:
    """Switching the test closes the processor mid-attempt: the raw client video and the
    landmarks it recorded are deleted, not left under live-tmp."""
    record_dir = tmp_path / "live-tmp" / "abc"
    processor = LiveProcessor(_config(record_dir, test_id="neck_rotation"))
    for i, img in enumerate(neck_frames[:60]):
        processor.process(img, i / FPS)
    assert processor.phase == "trial" and _files(record_dir)  # recording
    processor.close()
    assert _files(tmp_path) == []
    assert not record_dir.exists()


@pytest.fixture(scope="module")
def webcam_neck_frames() -> list[np.ndarray]:
    """The seated neck rotation at a webcam's 640 px: its frame 30 (1.07 s, the head square
    to the camera) held 1.5 s, frames 30-55 (the head turns ~60 deg to the subject's left),
    frame 55 held 0.7 s."""
    decoded = []
    with VideoReader(shared_video("neck_rotation_front_seated_01.mp4"), max_frames=56) as r:
        for frame in r:
            h, w = frame.image.shape[:2]
            decoded.append(cv2.resize(frame.image, (640, round(h * 640 / w) // 2 * 2)))
    return [decoded[30]] * 45 + decoded[30:56] + [decoded[55]] * 20


@pytest.mark.footage
def test_neck_rotation_live_follows_the_face_model(webcam_neck_frames) -> None:
    """The live neck rotation is the face model's yaw from the neutral (the shoulders taken
    square to the camera), and the live frame shows the head's axes at the nose."""
    frames = webcam_neck_frames
    config = replace(_config(None, test_id="neck_rotation"), face_model_path=FACE_MODEL_PATH)
    processor = LiveProcessor(config)
    values, shown = [], []
    try:
        for i, img in enumerate(frames):
            shown.append(processor.process(img, i / FPS))
            values.append(processor.latest.value)
        processor.request_capture()
        processor.process(frames[-1], len(frames) / FPS)
    finally:
        processor.close()
    assert processor.captured is not None
    neutral = processor.captured.neutral  # the raw yaw it zeroed at
    with HeadPoseEstimator(FACE_MODEL_PATH) as face:
        heads = [
            face.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), round(1000 * i / FPS))
            for i, img in enumerate(frames)
        ]
    assert all(h is not None for h in heads)  # the face is followed in every frame
    yaw = np.array([head_angles(h.rotation)[0] for h in heads])
    assert neutral is not None and neutral == pytest.approx(np.median(yaw[:30]), abs=2.0)
    end = slice(len(frames) - 15, len(frames))  # the last half second, the head held turned
    live_end = float(np.median(np.asarray(values)[end]))
    assert live_end == pytest.approx(float(np.median(yaw[end])) - neutral, abs=3.0)
    assert live_end > 40.0  # turned well to the left
    # The head's axes start at the nose tip: the nose axis's green dot is drawn there.
    nose = np.round(heads[-1].landmarks[NOSE_TIP, :2] * (640, frames[-1].shape[0])).astype(int)
    around = shown[-1][nose[1] - 4 : nose[1] + 5, nose[0] - 4 : nose[0] + 5]
    assert (around == HEAD_AXIS_COLOURS[2]).all(axis=2).sum() >= 9


def test_missing_face_model_is_a_clear_error_for_a_neck_test(tmp_path: Path) -> None:
    """The pose model loads, the face model file is missing: one sentence naming the face
    model (and the pose model is closed again, not leaked)."""
    missing = tmp_path / "face.task"
    config = replace(_config(None, test_id="neck_rotation"), face_model_path=missing)
    processor = LiveProcessor(config)
    try:
        with pytest.raises(ModelError, match=r"face model not found at .*--face-model PATH"):
            processor.process(np.zeros((48, 64, 3), np.uint8), 0.0)
    finally:
        processor.close()
