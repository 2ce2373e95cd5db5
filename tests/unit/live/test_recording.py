"""romcam.live.recording: the trial's files as frames arrive unevenly, and the live-tmp folder
that nothing outlives."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from romcam.live.recording import (
    LIVE_TMP_DIR,
    TrialRecorder,
    new_live_record_dir,
    remove_stale_live_files,
)
from romcam.media.video import VideoReader
from tests.fs_fixtures import dead_pid


def test_recorder_keeps_real_time_with_irregular_frames(tmp_path: Path) -> None:
    """Live frames arrive unevenly (slow model, dropped frames): each is written once, at its
    own time, so the video plays in real time without re-encoding repeated frames."""
    rng = np.random.default_rng(6)
    # Frames come at the camera rate (30/s) at best, then with stalls of the pose model.
    times = np.r_[0.0, np.cumsum(rng.choice([1 / 30, 2 / 30, 0.25, 0.6], size=40))]
    recorder = TrialRecorder(tmp_path / "trial", fps=30.0)
    frames = [np.full((120, 160, 3), 6 * k, np.uint8) for k in range(len(times))]
    indices = [recorder.write(f, float(t), None) for f, t in zip(frames, times, strict=True)]
    recorder.close()
    assert indices == list(range(len(times)))  # one video frame per processed frame, in order
    assert recorder.duration_s == pytest.approx(times[-1] + 1 / 30)
    with VideoReader(recorder.video_path) as reader:
        decoded = list(reader)
    assert len(decoded) == len(times)
    assert np.allclose([f.time_s for f in decoded], times, atol=1e-3)
    brightness = [float(f.image.mean()) for f in decoded]
    assert np.allclose(brightness, [float(f.mean()) for f in frames], atol=3)
    rows = pd.read_csv(recorder.landmarks_path)
    assert list(rows["frame"]) == indices
    assert np.allclose(rows["time_s"], times, atol=1e-3)


def test_stale_live_files_are_removed_a_running_servers_stay(
    tmp_path: Path, other_running_pid: int
) -> None:
    """What a killed or crashed server left under live-tmp was never saved: it goes, and so do
    folders an older romcam named without a pid; this and another running server's stay."""
    root = tmp_path / LIVE_TMP_DIR
    left = [root / f"{dead_pid()}-0123456789ab", root / "0123456789ab"]
    others = root / f"{other_running_pid}-0123456789ab"
    mine = new_live_record_dir(tmp_path)
    assert mine.parent == root and mine.name.startswith(f"{os.getpid()}-") and not mine.exists()
    assert new_live_record_dir(tmp_path) != mine
    for folder in [*left, others, mine]:
        (folder / "trial-001").mkdir(parents=True)
        (folder / "trial-001" / "trial.mp4").write_bytes(b"raw client video")
    assert remove_stale_live_files(tmp_path) == 2
    assert [p for p in left if p.exists()] == []
    assert (others / "trial-001" / "trial.mp4").is_file()
    assert (mine / "trial-001" / "trial.mp4").is_file()
    assert remove_stale_live_files(tmp_path / "elsewhere") == 0  # nothing there: nothing to do
