"""One video on several cores: ``analyze_video(jobs=N)`` against the single bare loop.

Usage: python benchmarks/bench_parallel.py [VIDEO] [--frames N] [--repeat R] [--jobs 1 2]
       [--memory-seconds 10 17.6] [--whole-process R]

Runs interleaved (so background load hits every configuration alike): the bare decode +
PoseLandmarker loop of ``bench_throughput.py`` (2 poses), then for each ``--jobs`` value
``analyze_video`` with every output (the face model runs when the head is large, as on the
default clip) and the like-for-like run: ``--no-video --face off``, the pose model only.
Prints frames/s, the CPU time per frame over the main process and its workers, and each
run's ratio to the bare loop (target: jobs=2 >= 1.6x on 2 cores). Then the peak resident
size of the main process and of the largest worker, analysing the first S seconds for each
``--memory-seconds`` (it must not grow with S; each length needs >= 2 chunks, ~9 s here).

The in-process runs share one fork server (``romcam.worker_start``), started by the first
chunked run and warm after it, as in the dashboard or a batch; the bare loop's MediaPipe is
imported and its model created outside its timing alike. ``--whole-process R`` adds what one
``romcam analyze`` on the command line costs, start to exit, with everything cold: R
interleaved runs of the bare loop as a script (Python start, imports, model, loop) against
``romcam analyze VIDEO --no-video --face off --jobs J`` on the whole clip.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_throughput import DEFAULT_VIDEO, MODEL, REPO, bare_loop

BARE_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from bench_throughput import bare_loop
from pathlib import Path
print(bare_loop(Path(sys.argv[2]), 10**9, 2)[0])
"""

CHILD = """
import json, sys, threading, time
from multiprocessing import forkserver
from pathlib import Path
from romcam.analysis import analyze_video

PEAK_KB = {}

def watch_workers():
    # The workers are the fork server's children: sample their peak RSS (VmHWM, which only
    # grows) until they exit.
    while True:
        server = forkserver._forkserver._forkserver_pid
        if server is not None:
            try:
                kids = Path(f"/proc/{server}/task/{server}/children").read_text().split()
                for pid in kids:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmHWM:"):
                            PEAK_KB[pid] = max(PEAK_KB.get(pid, 0), int(line.split()[1]))
            except OSError:
                pass
        time.sleep(0.05)

if __name__ == "__main__":
    video, out, model, seconds, jobs = sys.argv[1:6]
    threading.Thread(target=watch_workers, daemon=True).start()
    result = analyze_video(
        video, Path(out), model_path=model, max_seconds=float(seconds), jobs=int(jobs)
    )
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the parent (this
    # benchmark, ~0.9 GB after its in-process runs).
    status = Path("/proc/self/status").read_text().splitlines()
    main_mb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
    print(json.dumps({"frames": len(result.pose), "main_mb": main_mb,
                      "worker_mb": max(PEAK_KB.values(), default=0) / 1024}))
"""


def analyze_run(video: Path, frames: int, jobs: int, everything: bool) -> tuple[int, float, float]:
    """Frames, wall seconds and CPU seconds (this process and its finished workers);
    ``everything``: all outputs and the face model in auto, else no video and no face model."""
    from romcam.analysis import analyze_video

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


def children_cpu() -> float:
    """CPU seconds of this process's finished children and of the fork server's: the chunk
    workers are the fork server's children (it reaps them, so their time is in its
    cutime/cstime), not this process's."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    from multiprocessing import forkserver

    server = forkserver._forkserver._forkserver_pid  # private: the one way to find it
    if server is not None:
        fields = Path(f"/proc/{server}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        total += sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks  # utime..cstime
    return total


BARE = "bare loop script (whole process)"


def whole_process(video: Path, repeat: int, jobs: list[int]) -> None:
    """Wall seconds, start to exit, of the bare loop as a script and of ``romcam analyze``
    (no video, no face model) with each ``jobs``, interleaved; frames/s over the whole clip."""
    configurations = {BARE: None, **{f"romcam analyze --jobs {j} (whole process)": j for j in jobs}}
    runs: dict[str, list[float]] = {label: [] for label in configurations}
    frames = 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            for label, j in configurations.items():
                if j is None:
                    cmd = [sys.executable, "-c", BARE_SCRIPT, str(REPO / "benchmarks"), str(video)]
                else:
                    cmd = _analyze_command(video, Path(tmp) / f"o{j}", j)
                start = time.perf_counter()
                done = subprocess.run(cmd, capture_output=True, text=True, check=True)
                runs[label].append(time.perf_counter() - start)
                if j is None:
                    frames = int(done.stdout.split()[-1])
                print(f"  {label:<40} {runs[label][-1]:6.2f} s", flush=True)
    base = statistics.median(runs[BARE])
    print(f"\nmedian of {repeat} interleaved runs, whole process, {frames} frames:")
    for label, seconds in runs.items():
        wall = statistics.median(seconds)
        print(f"{label:<40} {wall:6.2f} s {frames / wall:6.1f} frames/s  {base / wall:4.2f}x bare")


def _analyze_command(video: Path, out: Path, jobs: int) -> list[str]:
    """``romcam analyze`` of ``video`` into ``out``: no video, no face model, ``jobs``."""
    romcam = Path(sys.executable).with_name("romcam")
    options = ["--no-video", "--face", "off", "--model", str(MODEL), "--jobs", str(jobs)]
    return [str(romcam), "analyze", str(video), "--out", str(out), *options]


def worker_memory(video: Path, seconds: float, jobs: int) -> dict:
    """Peak RSS (MB) of the main process and of the largest worker, in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [str(video), str(Path(tmp) / "out"), str(MODEL), str(seconds), str(jobs)]
        script = Path(tmp) / "child.py"  # a file: the fork server imports the main module
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
    parser.add_argument("--whole-process", type=int, default=0, metavar="R")
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
    if args.whole_process:
        whole_process(args.video, args.whole_process, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
