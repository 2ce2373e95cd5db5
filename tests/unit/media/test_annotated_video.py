"""Live readout of the annotated video and its worker-thread writer, on synthetic poses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from romcam.core.synthetic import synthetic_pose
from romcam.media.annotated_video import AnnotatedVideoWriter, LiveReadout, frame_cues, view_cue
from romcam.media.video import iter_frames

W, H = 640, 360


def _abduction_sweep(n: int = 60) -> np.ndarray:
    """Left shoulder abduction rising 0 -> 150 deg over ``n`` frames at 30 fps."""
    return np.linspace(0.0, 150.0, n)


def test_readout_follows_the_moving_metric() -> None:
    sweep = _abduction_sweep()
    pose = synthetic_pose({"shoulder_abduction_left": sweep}, view="front", image_size=(W, H))
    readout = LiveReadout(W, H)
    for i in range(len(pose)):
        readings, view = readout.update(float(pose.time_s[i]), pose.image[i], pose.world[i])
    assert view == "front"
    assert readout.headline == "shoulder_abduction_left"
    assert next(iter(readings)) == "shoulder_abduction_left"
    # Causal smoothing lags a moving value a little but not by much.
    assert readings["shoulder_abduction_left"] == pytest.approx(150.0, abs=15.0)
    assert len(readings) <= 4


def test_fixed_headline_and_missing_pose() -> None:
    readout = LiveReadout(W, H, headline="knee_flexion_left")
    readings, view = readout.update(0.0, None, None)
    assert readout.headline == "knee_flexion_left"
    assert np.isnan(readings["knee_flexion_left"]) and view == "none"


def test_unknown_headline_rejected() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        LiveReadout(W, H, headline="wrist_spin")


@pytest.mark.parametrize(
    ("metric", "view", "cue"),
    [
        ("knee_flexion_left", "front", "turn sideways"),
        ("shoulder_abduction_left", "side_left", "face the camera"),
        ("knee_flexion_left", "side_left", None),
        ("elbow_flexion_left", "oblique", None),
        ("knee_flexion_left", "none", None),
    ],
)
def test_view_cue(metric: str, view: str, cue: str | None) -> None:
    assert view_cue(metric, view) == cue


def test_frame_cues() -> None:
    assert frame_cues("knee_flexion_left", "none", False, 0) == ["no one in frame"]
    assert frame_cues("knee_flexion_left", "front", True, 2) == [
        "2 people in frame",
        "turn sideways",
    ]
    assert frame_cues("knee_flexion_left", "side_left", True, 1) == []


def test_writer_encodes_every_frame_downscaled(tmp_path: Path) -> None:
    pose = synthetic_pose(
        {"shoulder_abduction_left": _abduction_sweep(20)}, view="front", image_size=(1920, 1080)
    )
    path = tmp_path / "a.mp4"
    source = np.full((1080, 1920, 3), 100, np.uint8)
    with AnnotatedVideoWriter(path, 1920, 1080, 30.0) as writer:
        for i in range(len(pose)):
            writer.put(source, float(pose.time_s[i]), pose.image[i], pose.world[i], 1)
    assert (source == 100).all()  # the caller's frame is not drawn on
    frames = list(iter_frames(path))
    assert len(frames) == 20
    assert frames[0].image.shape == (540, 960, 3)
    assert (np.abs(frames[-1].image.astype(int) - 100) > 40).any()  # something was drawn


def test_writer_reports_worker_errors(tmp_path: Path) -> None:
    writer = AnnotatedVideoWriter(tmp_path / "a.mp4", W, H, 30.0)
    bad = np.zeros((3, 3), np.float32)  # not a landmark array: drawing fails on the worker
    writer.put(np.zeros((H, W, 3), np.uint8), 0.0, bad, None, 1)
    with pytest.raises(ValueError):
        writer.close()
    writer.close()  # idempotent once the error was reported
