"""Live readout of the annotated video and its worker-thread writer, on synthetic poses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from romcam.analysis import analyze_landmarks
from romcam.core.landmarks import PoseSequence
from romcam.core.metric_specs import METRICS_BY_ID
from romcam.core.synthetic import synthetic_pose
from romcam.media.annotated_video import AnnotatedVideoWriter, LiveReadout, frame_cues, view_cue
from romcam.media.video import iter_frames
from tests.unit.calibration.test_apply import DIST, LENS, K
from tests.unit.live.feed import head_pose

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


def test_people_seen_without_the_subject_is_subject_lost() -> None:
    assert frame_cues("knee_flexion_left", "none", False, 2) == ["subject lost"]
    assert frame_cues("knee_flexion_left", "none", False, 1) == ["subject lost"]


def test_no_view_cue_for_a_headline_picked_from_the_movement() -> None:
    # A front-view clip whose moving metric was picked automatically is never told to turn.
    assert frame_cues("knee_flexion_left", "front", True, 1, chosen=False) == []
    assert frame_cues("knee_flexion_left", "front", True, 1, chosen=True) == ["turn sideways"]


def test_auto_headline_follows_the_metrics_the_view_suits() -> None:
    # Front view, the arm sweeps: the headline is a front-view metric, never a side one.
    pose = synthetic_pose({"shoulder_abduction_left": _abduction_sweep(30)}, view="front")
    readout = LiveReadout(W, H)
    for i in range(len(pose)):
        readout.update(float(pose.time_s[i]), pose.image[i], pose.world[i])
    assert METRICS_BY_ID[readout.headline].view in ("front", "any")


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


def _readout_in_batches(readout: LiveReadout, pose: PoseSequence, batch: int = 8) -> list:
    """The readings of every frame, measured a batch at a time as the video writer does."""
    out = []
    for s in range(0, len(pose), batch):
        part = slice(s, s + batch)
        out += readout.update_batch(
            pose.time_s[part], list(pose.image[part]), list(pose.world[part])
        )
    return out


def test_neck_flexion_reads_as_in_angles_csv() -> None:
    """A held 40 deg neck flexion after a neutral start reads 40 deg, as angles.csv says (it
    was zeroed at each batch of frames: 0 deg)."""
    t = np.arange(0.0, 4.0, 1 / 30)
    neck = np.interp(t, [0.0, 1.5, 2.0, 4.0], [0.0, 0.0, 40.0, 40.0])
    pose = synthetic_pose({"neck_flexion": neck}, view="side_left", image_size=(W, H))
    angles, _ = analyze_landmarks(pose)
    readings = _readout_in_batches(LiveReadout(W, H, headline="neck_flexion"), pose)
    shown = np.array([r["neck_flexion"] for r, _ in readings])
    assert angles.values["neck_flexion"][-1] == pytest.approx(40.0, abs=0.5)
    assert shown[-1] == pytest.approx(angles.values["neck_flexion"][-1], abs=0.5)
    # After the first second the two agree (the causal filter lags while the head moves).
    held = t >= 2.5
    np.testing.assert_allclose(shown[held], angles.values["neck_flexion"][held], atol=1.0)


def test_readout_applies_the_lens_calibration_as_angles_csv_does() -> None:
    """Arms out to the sides filmed through a distorting lens: the readout undistorts the
    landmarks as angles.csv does, instead of reading the bent image."""
    pose = _through_lens(
        synthetic_pose(
            {"shoulder_abduction_left": 90.0},
            view="front",
            n_frames=30,
            image_size=LENS.image_size,
            px_per_m=0.6 * LENS.image_size[1],
        )
    )
    angles, _ = analyze_landmarks(pose, calibration=LENS)
    expected = angles.values["shoulder_abduction_left"][-1]
    assert expected == pytest.approx(90.0, abs=0.1)
    width, height = LENS.image_size
    with_lens = LiveReadout(width, height, headline="shoulder_abduction_left", calibration=LENS)
    without = LiveReadout(width, height, headline="shoulder_abduction_left")
    shown = _readout_in_batches(with_lens, pose)[-1][0]["shoulder_abduction_left"]
    bent = _readout_in_batches(without, pose)[-1][0]["shoulder_abduction_left"]
    assert abs(bent - expected) > 1.0  # the lens matters here
    assert shown == pytest.approx(expected, abs=0.1)


def _through_lens(pose: PoseSequence) -> PoseSequence:
    """``pose`` as the distorting lens of ``LENS`` images it (pinhole pixels -> distorted)."""
    rays = cv2.undistortPoints(pose.pixels.reshape(-1, 1, 2), K, None).reshape(-1, 2)
    rays3 = np.concatenate([rays, np.ones((len(rays), 1))], axis=1)
    seen, _ = cv2.projectPoints(rays3, np.zeros(3), np.zeros(3), K, DIST)
    seen = seen.reshape(pose.pixels.shape)
    image = pose.image.copy()
    image[..., 0] = seen[..., 0] / pose.image_width
    image[..., 1] = seen[..., 1] / pose.image_height
    return replace(pose, image=image)


def test_writer_draws_the_head_and_reads_the_neck_from_it(tmp_path: Path) -> None:
    """With the face model's heads, the readout measures neck rotation from the head (the
    body's head points stay square) and the head's axes are drawn round the face."""
    t = np.arange(0.0, 3.0, 1 / 30)
    yaw = np.interp(t, [0.0, 1.5, 2.0, 3.0], [0.0, 0.0, 40.0, 40.0])
    pose = synthetic_pose({"neck_rotation": np.zeros_like(t)}, view="front", image_size=(W, H))
    heads = [head_pose(yaw=float(y)) for y in yaw]
    readout = LiveReadout(W, H, headline="neck_rotation")
    shown = [
        readout.update_batch([pose.time_s[i]], [pose.image[i]], [pose.world[i]], [heads[i]])[0]
        for i in range(len(pose))
    ]
    assert shown[-1][0]["neck_rotation"] == pytest.approx(40.0, abs=2.0)
    lost = readout.update_batch([3.1], [pose.image[-1]], [pose.world[-1]], [None])[0]
    assert np.isnan(lost[0]["neck_rotation"])  # the face lost: no value, not the body's 0
    paths = {with_heads: tmp_path / f"{with_heads}.mp4" for with_heads in (False, True)}
    for with_heads, path in paths.items():
        with AnnotatedVideoWriter(path, W, H, 30.0, with_heads=with_heads) as writer:
            for i in range(len(pose)):
                head = heads[i] if with_heads else None
                writer.put(
                    np.full((H, W, 3), 100, np.uint8), t[i], pose.image[i], None, 1, head=head
                )
    last = [list(iter_frames(path))[-1].image.astype(int) for path in paths.values()]
    differs = np.abs(last[0] - last[1]).sum(axis=2) > 60
    # The synthetic face is a small cloud round the image centre: the axes are drawn there.
    assert differs[round(0.35 * H) : round(0.65 * H), round(0.4 * W) : round(0.7 * W)].any()
