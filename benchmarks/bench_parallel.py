"""One video on several cores: ``analyze_video(jobs=N)`` against the single bare loop.

Usage: python benchmarks/bench_parallel.py [VIDEO] [--frames N] [--repeat R] [--jobs 1 2]
       [--memory-seconds 10 17.6]

Runs interleaved (so background load hits every configuration alike): the bare decode +
PoseLandmarker loop of ``bench_throughput.py`` (2 poses), then for each ``--jobs`` value
``analyze_video`` with every output (the face model runs when the head is large, as on the
default clip) and the like-for-like run: ``--no-video --face off``, the pose model only.
Prints frames/s, the CPU time per frame over the main process and its workers, and each
run's ratio to the bare loop (target: jobs=2 >= 1.6x on 2 cores). Then the peak resident
size of the main process and of the largest worker, analysing the first S seconds for each
``--memory-seconds`` (it must not grow with S; each length needs >= 2 chunks, ~9 s here).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_throughput import DEFAULT_VIDEO, MODEL, REPO, bare_loop

CHILD = """
import json, resource, sys
from pathlib import Path
from romcam.analysis import analyze_video
if __name__ == "__main__":
    video, out, model, seconds, jobs = sys.argv[1:6]
    result = analyze_video(
        video, Path(out), model_path=model, max_seconds=float(seconds), jobs=int(jobs)
    )
    mb = lambda who: resource.getrusage(who).ru_maxrss / 1024  # Linux: kB
    print(json.dumps({"frames": len(result.pose), "main_mb": mb(resource.RUSAGE_SELF),
                      "worker_mb": mb(resource.RUSAGE_CHILDREN)}))
"""


def analyze_run(video: Path, frames: int, jobs: int, everything: bool) -> tuple[int, float, float]:
    """Frames, wall seconds and CPU seconds (this process and its finished workers);
    ``everything``: all outputs and the face model in auto, else no video and no face model."""
    from romcam.analysis import analyze_video

    def children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    with tempfile.TemporaryDirectory() as tmp:
        start, cpu, child = time.perf_counter(), time.process_time(), children_cpu()
        result = analyze_video(
            video,
            Path(tmp) / "out",
            model_path=MODEL,
            write_annotated=everything,
            face=None if everything else False,
            max_frames=frames,
            jobs=jobs,
        )
        seconds = time.perf_counter() - start
        used = time.process_time() - cpu + children_cpu() - child
    return len(result.pose), seconds, used


def worker_memory(video: Path, seconds: float, jobs: int) -> dict:
    """Peak RSS (MB) of the main process and of the largest worker, in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [str(video), str(Path(tmp) / "out"), str(MODEL), str(seconds), str(jobs)]
        script = Path(tmp) / "child.py"  # a file: spawned workers import the main module
        script.write_text(CHILD)
        done = subprocess.run(
            [sys.executable, str(script), *args],
            cwd=REPO,
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=492, help="frames to process")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--memory-seconds", type=float, nargs="*", default=[10.0, 17.6])
    args = parser.parse_args(argv)
    runs = {"bare decode + PoseLandmarker (2 poses)": lambda: bare_loop(args.video, args.frames, 2)}
    for jobs in args.jobs:
        runs[f"analyze jobs={jobs} (all outputs)"] = lambda j=jobs: analyze_run(
            args.video, args.frames, j, True
        )
        runs[f"analyze jobs={jobs} --no-video"] = lambda j=jobs: analyze_run(
            args.video, args.frames, j, False
        )
    fps: dict[str, list[float]] = {label: [] for label in runs}
    cpu_ms: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(args.repeat):  # interleaved
        for label, fn in runs.items():
            n, seconds, cpu = fn()
            fps[label].append(n / seconds)
            cpu_ms[label].append(1000 * cpu / n)
            print(
                f"  {label:<40} {fps[label][-1]:6.1f} frames/s "
                f"{cpu_ms[label][-1]:6.1f} CPU ms/frame",
                flush=True,
            )
    base = statistics.median(next(iter(fps.values())))
    print(f"\nmedian of {args.repeat} interleaved runs, {args.frames} frames of {args.video.name}:")
    for label in runs:
        value = statistics.median(fps[label])
        print(
            f"{label:<40} {value:6.1f} frames/s {statistics.median(cpu_ms[label]):6.1f} "
            f"CPU ms/frame  {value / base:4.2f}x bare"
        )
    for seconds in args.memory_seconds:
        r = worker_memory(args.video, seconds, max(args.jobs))
        print(
            f"jobs={max(args.jobs)}, first {seconds:4.1f} s ({r['frames']} frames): peak RSS main "
            f"{r['main_mb']:.0f} MB, largest worker {r['worker_mb']:.0f} MB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
