"""Frames processed per second by the dashboard's live path (romcam.live.processor.LiveProcessor).

Feeds camera-sized frames (default 640x360, decoded up front so decoding is not timed) of a
real clip through the processor (pose model; the trial session's metrics, causal filter,
checks, hold detection, H.264 + landmark recording; drawing) and compares with a bare
PoseEstimator loop on the same frames. Two ways: ``process`` as fast as it goes (one frame
after the other on one thread), and ``offer`` as the webcam callback does it, PyAV frames at a
camera's pace (``--camera-fps``), measured on the processor's pipeline threads; the figure is
the frames measured per second.

``--test neck_rotation`` (or ``neck_lateral_flexion``) runs a neck test, whose live path also
runs the face model (default clip: the seated neck rotation); the bare face model is timed too.

    python benchmarks/bench_live.py [--clip PATH] [--seconds 6] [--width 640] [--no-record]
        [--camera-fps 30] [--test shoulder_abduction]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from romcam.core.assessments import assessment_test
from romcam.live.processor import LiveProcessor, drain
from romcam.live.trial_session import LiveConfig
from romcam.media.video import VideoReader
from romcam.pose.estimator import PoseEstimator
from romcam.pose.face import HeadPoseEstimator

ROOT = Path(__file__).resolve().parents[1]
CLIPS = ROOT.parent / "shared/videos/internal-tests-only"
DEFAULT_CLIP = CLIPS / "shoulder_abduction_front_seated_02.mp4"
NECK_CLIP = CLIPS / "neck_rotation_front_seated_01.mp4"
MODEL = ROOT.parent / "shared/models/pose_landmarker_full.task"
FACE_MODEL = ROOT.parent / "shared/models/face_landmarker.task"


def load_frames(clip: Path, seconds: float, width: int) -> list[tuple[float, np.ndarray]]:
    frames = []
    with VideoReader(clip, max_seconds=seconds) as reader:
        for f in reader:
            h, w = f.image.shape[:2]
            size = (width, round(h * width / w) // 2 * 2)
            frames.append((f.time_s, cv2.resize(f.image, size, interpolation=cv2.INTER_AREA)))
    return frames


@contextlib.contextmanager
def live_processor(record: bool, test_id: str) -> Iterator[LiveProcessor]:
    """A processor of the test's right side (no automatic capture), recording into a temp
    folder."""
    with tempfile.TemporaryDirectory() as tmp:
        config = LiveConfig(
            test=assessment_test(test_id),
            side="right",
            model_path=MODEL,
            face_model_path=FACE_MODEL,
            record_dir=Path(tmp) if record else None,
            auto_capture=False,
        )
        processor = LiveProcessor(config)
        try:
            yield processor
        finally:
            processor.close()


def time_live(frames: list[tuple[float, np.ndarray]], record: bool, test_id: str) -> list[float]:
    times = []
    with live_processor(record, test_id) as processor:
        for t, img in frames:
            start = time.perf_counter()
            processor.process(img, t)
            times.append(time.perf_counter() - start)
            drain(processor.results)
    return times


def paced_live(
    frames: list[tuple[float, np.ndarray]], record: bool, fps: float, test_id: str
) -> tuple[float, float]:
    """(frames/s measured, CPU ms of the process per measured frame) when the frames are
    offered as PyAV frames at ``fps`` for 10 s."""
    video = [av.VideoFrame.from_ndarray(img, format="bgr24") for _, img in frames]
    with live_processor(record, test_id) as processor:
        start, sent = time.perf_counter(), 0
        while time.perf_counter() - start < 2.0 + 10.0:
            if sent == round(2.0 * fps):  # the models have loaded
                measured0, t0, cpu0 = processor.frames, time.perf_counter(), time.process_time()
            processor.offer(video[sent % len(video)], sent / fps)
            drain(processor.results)
            sent += 1
            time.sleep(max(0.0, start + sent / fps - time.perf_counter()))
        measured = processor.frames - measured0
        cpu_ms = 1000 * (time.process_time() - cpu0) / max(1, measured)
        return measured / (time.perf_counter() - t0), cpu_ms


def time_bare(frames: list[tuple[float, np.ndarray]], people: int) -> list[float]:
    times = []
    with PoseEstimator(MODEL, max_people=people) as estimator:
        for t, img in frames:
            start = time.perf_counter()
            estimator.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), round(t * 1000))
            times.append(time.perf_counter() - start)
    return times


def time_face(frames: list[tuple[float, np.ndarray]]) -> list[float]:
    times = []
    with HeadPoseEstimator(FACE_MODEL) as estimator:
        for t, img in frames:
            start = time.perf_counter()
            estimator.process(cv2.cvtColor(img, cv2.COLOR_BGR2RGB), round(t * 1000))
            times.append(time.perf_counter() - start)
    return times


def report(name: str, times: list[float]) -> None:
    steady = times[5:]  # the first frames load the model
    med = statistics.median(steady)
    total = sum(steady)
    print(f"{name:<30} median {med * 1000:6.1f} ms/frame   {len(steady) / total:6.1f} frames/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--no-record", action="store_true")
    parser.add_argument("--camera-fps", type=float, default=30.0)
    parser.add_argument("--test", default="shoulder_abduction", help="the live test's id")
    args = parser.parse_args()
    neck = args.test.startswith("neck_")
    clip = args.clip or (NECK_CLIP if neck else DEFAULT_CLIP)
    frames = load_frames(clip, args.seconds, args.width)
    h, w = frames[0][1].shape[:2]
    print(f"{len(frames)} frames of {clip.name} at {w}x{h}, test {args.test}")
    report("bare PoseEstimator, 2 people", time_bare(frames, 2))
    report("bare PoseEstimator, 1 person", time_bare(frames, 1))
    if neck:
        report("bare HeadPoseEstimator", time_face(frames))
    report("LiveProcessor (no recording)", time_live(frames, False, args.test))
    if not args.no_record:
        report("LiveProcessor (recording)", time_live(frames, True, args.test))
    for record in (False, True) if not args.no_record else (False,):
        measured, cpu_ms = paced_live(frames, record, args.camera_fps, args.test)
        name = f"offer at {args.camera_fps:g} fps ({'recording' if record else 'no recording'})"
        print(f"{name:<30} {measured:6.1f} frames/s measured, {cpu_ms:5.1f} ms CPU a frame")


if __name__ == "__main__":
    main()
