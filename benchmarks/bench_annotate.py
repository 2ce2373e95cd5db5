"""Time one frame of annotation (skeleton + angle arc + readout panel + banner) at 720p.

Usage: python benchmarks/bench_annotate.py [--repeat N]

Uses a synthetic front-view pose drawn on a textured 1280x720 frame. Target: < 3 ms per frame.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from romcam.core.synthetic import synthetic_pose
from romcam.media.drawing import draw_angle_arc, draw_readout, draw_skeleton


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=500)
    args = parser.parse_args(argv)
    pose = synthetic_pose({"shoulder_abduction_left": 120.0}, view="front", image_size=(1280, 720))
    landmarks = pose.image[0]
    base = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    readings = {
        "shoulder_abduction_left": 121.0,
        "shoulder_abduction_right": 3.0,
        "elbow_flexion_left": 5.0,
        "shoulder_tilt": 1.2,
    }
    times = []
    for _ in range(args.repeat):
        frame = base.copy()
        start = time.perf_counter()
        draw_skeleton(frame, landmarks)
        draw_angle_arc(frame, landmarks, "shoulder_abduction_left", 121.0)
        draw_readout(frame, readings, "front", ["2 people in frame"])
        times.append(time.perf_counter() - start)
    median, p95 = statistics.median(times) * 1000, float(np.percentile(times, 95)) * 1000
    print(f"annotate 1280x720: median {median:.2f} ms, p95 {p95:.2f} ms (target < 3 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
