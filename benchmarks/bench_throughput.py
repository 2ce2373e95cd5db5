"""Throughput of ``analyze_video`` against a bare decode + PoseLandmarker loop on the same clip.

Usage: python benchmarks/bench_throughput.py [VIDEO] [--seconds S] [--repeat N]

The baseline decodes with OpenCV and runs MediaPipe's PoseLandmarker (VIDEO mode, full model,
``num_poses=2`` like romcam's estimator) on every frame, nothing else. The pipeline run writes
every output (landmarks, angles, summary, annotated H.264 video). Target: ratio >= 0.9.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_VIDEO = SHARED / "videos" / "internal-tests-only" / "shoulder_abduction_front_seated_02.mp4"
MODEL = SHARED / "models" / "pose_landmarker_full.task"


def bare_loop(video: Path, max_frames: int, num_poses: int) -> tuple[int, float, float]:
    """Frames and seconds for decode (OpenCV) + PoseLandmarker.detect_for_video per frame."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(MODEL)),
        running_mode=vision.RunningMode.VIDEO,
        num_poses=num_poses,
    )
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        cap = cv2.VideoCapture(str(video))
        start, cpu, n, last_ms = time.perf_counter(), time.process_time(), 0, -1
        try:
            while n < max_frames:
                ok, frame = cap.read()
                if not ok:
                    break
                ms = max(round(cap.get(cv2.CAP_PROP_POS_MSEC)), last_ms + 1)
                last_ms = ms
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                landmarker.detect_for_video(
                    mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), ms
                )
                n += 1
        finally:
            cap.release()
        return n, time.perf_counter() - start, time.process_time() - cpu


def pipeline_run(
    video: Path, max_frames: int, write_annotated: bool, max_people: int
) -> tuple[int, float, float]:
    from romcam.analysis import analyze_video

    with tempfile.TemporaryDirectory() as tmp:
        start, cpu = time.perf_counter(), time.process_time()
        result = analyze_video(
            video,
            Path(tmp) / "out",
            model_path=MODEL,
            write_annotated=write_annotated,
            max_frames=max_frames,
            max_people=max_people,
        )
        return len(result.pose), time.perf_counter() - start, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=300, help="frames to process")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    runs = {
        "bare decode + PoseLandmarker (2 poses)": lambda: bare_loop(args.video, args.frames, 2),
        "bare decode + PoseLandmarker (1 pose)": lambda: bare_loop(args.video, args.frames, 1),
        "romcam analyze (all outputs)": lambda: pipeline_run(args.video, args.frames, True, 2),
        "romcam analyze --no-video": lambda: pipeline_run(args.video, args.frames, False, 2),
        "romcam analyze --single-person": lambda: pipeline_run(args.video, args.frames, True, 1),
    }
    fps: dict[str, list[float]] = {label: [] for label in runs}
    cpu_ms: dict[str, list[float]] = {label: [] for label in runs}
    # Interleave the configurations so that background load hits them alike.
    for _ in range(args.repeat):
        for label, fn in runs.items():
            n, seconds, cpu = fn()
            fps[label].append(n / seconds)
            cpu_ms[label].append(1000 * cpu / n)
            print(
                f"  {label:<42} {fps[label][-1]:6.1f} frames/s {cpu_ms[label][-1]:6.1f} "
                "CPU ms/frame",
                flush=True,
            )
    rows = [(label, statistics.median(values)) for label, values in fps.items()]
    print(f"\nmedian of {args.repeat} runs, {args.frames} frames of {args.video.name}:")
    for label, value in rows:
        print(
            f"{label:<42} {value:6.1f} frames/s "
            f"{statistics.median(cpu_ms[label]):6.1f} CPU ms/frame (all threads)"
        )
    base = rows[0][1]
    print(f"\nratio analyze / bare (2 poses): {rows[2][1] / base:.2f} (target >= 0.9)")
    print(f"ratio analyze --no-video / bare (2 poses): {rows[3][1] / base:.2f}")
    print(f"ratio analyze --single-person / bare (1 pose): {rows[4][1] / rows[1][1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
