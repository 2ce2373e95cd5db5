"""Peak memory of ``analyze_video`` against video length: it must stay flat.

Usage: python benchmarks/bench_memory.py [VIDEO] [--seconds 5 20]

Each length runs in a fresh Python process (so peaks do not mix) that analyzes the first S
seconds with every output, then reports its peak resident set size (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEFAULT_VIDEO = (
    SHARED / "videos" / "internal-tests-only" / "hard_two_people_therapist_table_occlusion_01.webm"
)
MODEL = SHARED / "models" / "pose_landmarker_full.task"

CHILD = """
import json, resource, sys, time
from pathlib import Path
from romcam.analysis import analyze_video
video, out, model, seconds = sys.argv[1], Path(sys.argv[2]), sys.argv[3], float(sys.argv[4])
start = time.perf_counter()
result = analyze_video(video, out, model_path=model, max_seconds=seconds)
elapsed = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB
print(json.dumps({"frames": len(result.pose), "seconds": elapsed, "peak_rss_mb": peak_mb}))
"""


def run(video: Path, seconds: float) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                CHILD,
                str(video),
                str(Path(tmp) / "out"),
                str(MODEL),
                str(seconds),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--seconds", type=float, nargs="+", default=[5.0, 20.0])
    args = parser.parse_args(argv)
    peaks = []
    for seconds in args.seconds:
        r = run(args.video, seconds)
        peaks.append(r["peak_rss_mb"])
        print(
            f"first {seconds:5.1f} s: {r['frames']:5d} frames, peak RSS {r['peak_rss_mb']:7.1f} MB"
            f", {r['frames'] / r['seconds']:5.1f} frames/s",
            flush=True,
        )
    growth = peaks[-1] - peaks[0]
    print(f"peak RSS growth from shortest to longest: {growth:+.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
