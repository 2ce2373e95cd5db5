"""A batch of the footage clips in one ``romcam analyze`` against the sum of serial runs.

Usage: python benchmarks/bench_batch.py [--seconds S] [--jobs N] [--repeat R]

Runs, interleaved R times: ``romcam analyze A B C … --out DIR --jobs N`` (one command, the
videos one after the other, each on N workers) and, for each clip, ``romcam analyze CLIP
--jobs 1`` (today's serial path, one process per clip). Every run analyses the first S
seconds of each clip with all outputs. Prints the wall times and their ratio; the batch
should cost no more than the serial runs added up (one model load and one interpreter start
saved per clip; the --jobs workers on top).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIDEOS = REPO.parent / "shared" / "videos"
MODEL = REPO.parent / "shared" / "models" / "pose_landmarker_full.task"
CLIPS = ("sports2d_walk_side.mp4", "sports2d_demo.mp4", "pose2sim_lab_portrait.mp4")


def timed(args: list[str]) -> float:
    """Wall seconds of ``romcam ARGS`` (fails loudly on a non-zero exit)."""
    romcam = Path(sys.executable).with_name("romcam")
    start = time.perf_counter()
    subprocess.run([str(romcam), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args(argv)
    clips = [str(VIDEOS / name) for name in CLIPS]
    common = ["--model", str(MODEL), "--max-seconds", str(args.seconds)]
    batch_s, serial_s = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat):
            batch_s.append(
                timed(
                    ["analyze", *clips, "--out", f"{tmp}/b{i}", "--jobs", str(args.jobs), *common]
                )
            )
            serial_s.append(
                sum(
                    timed(["analyze", clip, "--out", f"{tmp}/s{i}-{k}", "--jobs", "1", *common])
                    for k, clip in enumerate(clips)
                )
            )
    batch, serial = statistics.median(batch_s), statistics.median(serial_s)
    runs = {"batch": [round(x, 1) for x in batch_s], "serial": [round(x, 1) for x in serial_s]}
    print(f"{len(clips)} clips x {args.seconds:g} s, median of {args.repeat}")
    print(f"one batch command, --jobs {args.jobs}: {batch:7.1f} s  (runs {runs['batch']})")
    print(f"sum of serial runs (--jobs 1):  {serial:7.1f} s  (runs {runs['serial']})")
    print(f"batch / serial sum: {batch / serial:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
