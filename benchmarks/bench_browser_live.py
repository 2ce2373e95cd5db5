"""Frames processed per second by the Assess page in a real browser, with a fake camera.

Starts ``streamlit run app.py`` and a headless Debian Chromium whose fake camera plays a
640-wide clip of the seated shoulder abduction (looped) at ``--fps``, chooses shoulder
abduction, presses START and reads the page's frame rate line ("Measuring N of the camera's M
frames per second": frames measured over the last 2 s of capture time) once a second.
Browser, WebRTC codecs, Streamlit and the pose model all share this machine's cores, as on a
therapist's laptop. Also reports the CPU the Streamlit server and the Chromium processes used
over the sampled seconds (from ``/proc``, in cores: 1.0 = one core busy all the time).

``--fps 60``: a camera faster than the pose model (about 40 frames/s here), the case where the
page used to re-send its last annotated frame for every camera frame.

``--test neck_rotation``: the camera plays the seated neck rotation and the page runs the
neck rotation test, whose live path also runs the face model.

    python benchmarks/bench_browser_live.py [--fps 30] [--seconds 30] [--height 480]
        [--test shoulder_abduction]

Needs /usr/bin/chromium and ../shared (model and footage) beside the repository.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from romcam.core.assessments import assessment_test  # noqa: E402
from romcam.media.video import VideoReader  # noqa: E402
from tests.conftest import shared_video  # noqa: E402
from tests.e2e.footage import held_abduction_frames, write_y4m  # noqa: E402
from tests.e2e.harness import (  # noqa: E402
    FPS_LINE,
    chromium_page,
    fake_camera_flags,
    fps_shown,
    running_app,
    start_live_test,
)


def neck_frames(seconds: float = 8.0) -> list:
    """The first ``seconds`` of the seated neck rotation, 640 px wide."""
    frames = []
    with VideoReader(shared_video("neck_rotation_front_seated_01.mp4"), max_seconds=seconds) as r:
        for f in r:
            h, w = f.image.shape[:2]
            frames.append(cv2.resize(f.image, (640, round(h * 640 / w) // 2 * 2)))
    return frames


def camera_file(folder: Path, fps: int, height: int, test: str) -> Path:
    """A y4m of the test's clip at ``fps`` (the held abduction, or the neck rotation), frames
    ``height`` rows high."""
    if test.startswith("neck_"):
        frames = neck_frames()
    else:
        frames = held_abduction_frames(width=640, hold_s=3.0, fps=fps)
    h, w = frames[0].shape[:2]
    size = (round(w * height / h) // 2 * 2, height)
    return write_y4m([cv2.resize(f, size) for f in frames], folder / "cam.y4m", fps=fps)


def process_cpu_s(match: str) -> float:
    """User + system CPU seconds of every running process whose command line contains
    ``match`` (threads included; processes that already ended are not counted)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if match in cmdline:
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def sample(page, seconds: float) -> list[tuple[float, float]]:
    """(measured, camera) frames/s read off the page once a second."""
    samples = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        page.wait_for_timeout(1000)
        samples.append(fps_shown(page))
    return samples


def main() -> None:
    from playwright.sync_api import expect

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fps", type=int, default=30, help="fake camera frame rate")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--height", type=int, default=480, help="fake camera frame height")
    parser.add_argument("--test", choices=("shoulder_abduction", "neck_rotation"))
    args = parser.parse_args()
    test = args.test or "shoulder_abduction"
    # The app asks the camera for this rate (its default on 2 cores is 15).
    os.environ["ROMCAM_CAMERA_FPS"] = str(args.fps)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cam = camera_file(folder, args.fps, args.height, test)
        with (
            running_app(folder) as url,
            chromium_page(folder / "p", fake_camera_flags(cam), "x.png") as page,
        ):
            label = assessment_test(test).label
            start_live_test(
                page, url, expect, label, "left" if test.startswith("neck_") else "right"
            )
            expect(page.get_by_text(FPS_LINE)).to_be_visible(timeout=60_000)
            page.wait_for_timeout(5000)  # the model loads, the stream settles
            cpu_before = {m: process_cpu_s(m) for m in ("streamlit run", "chromium")}
            started = time.monotonic()
            samples = sample(page, args.seconds)
            elapsed = time.monotonic() - started
            cores = {m: (process_cpu_s(m) - c) / elapsed for m, c in cpu_before.items()}
    steady = [s for s in samples if s[0] > 0]
    print(f"{test}: camera {args.fps} frames/s, {args.height} rows, {len(samples)} samples")
    if steady:
        measured = [s[0] for s in steady]
        arrived = [s[1] for s in steady]
        print(
            f"processed frames/s: median {statistics.median(measured):.1f}, "
            f"min {min(measured):.1f}, max {max(measured):.1f}; frames/s arriving from the "
            f"browser: median {statistics.median(arrived):.1f}"
        )
    else:
        print("no frames were processed")
    print(
        f"CPU over the samples: server {cores['streamlit run']:.2f} cores, "
        f"Chromium {cores['chromium']:.2f} cores"
    )


if __name__ == "__main__":
    main()
