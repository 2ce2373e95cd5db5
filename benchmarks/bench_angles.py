"""Time the landmark -> angle stage on a 10-minute, 30 fps landmark sequence.

Usage: python benchmarks/bench_angles.py [--minutes M] [--repeat N]

Measures ``compute_metrics`` + zero-phase ``smooth_table`` + ``summarize`` (what
``analyze_landmarks`` and ``romcam angles`` run) on ``romcam.core.synthetic.long_synthetic_pose``.
Target: < 1 s for 10 minutes (18,000 frames).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from romcam.core.filtering import smooth_table
from romcam.core.measure import compute_metrics
from romcam.core.summary import summarize
from romcam.core.synthetic import long_synthetic_pose


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    pose = long_synthetic_pose(args.minutes * 60.0, 30.0)
    stages: dict[str, list[float]] = {"compute_metrics": [], "smooth_table": [], "summarize": []}
    totals = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        table = compute_metrics(pose)
        t1 = time.perf_counter()
        smoothed = smooth_table(table, method="zero_phase")
        t2 = time.perf_counter()
        summarize(smoothed)
        t3 = time.perf_counter()
        for name, seconds in zip(stages, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            stages[name].append(seconds)
        totals.append(t3 - t0)
    print(f"{len(pose)} frames ({args.minutes:g} min at 30 fps), median of {args.repeat} runs:")
    for name, values in stages.items():
        print(f"  {name:<16} {statistics.median(values) * 1000:8.1f} ms")
    total = statistics.median(totals)
    verdict = "ok" if total < 1 else "MISSED"
    print(f"  {'total':<16} {total * 1000:8.1f} ms  (target < 1000 ms: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
