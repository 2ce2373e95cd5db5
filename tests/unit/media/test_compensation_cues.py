"""The annotated video's compensation cues: a chosen headline of a test that watches
compensations shows "keep the trunk upright" while the synthetic trunk leans past 10 deg."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from romcam.core.compensation import CompensationTracker, watched_test
from romcam.core.measure import compute_metrics
from romcam.core.synthetic import synthetic_pose
from romcam.media.annotated_video import AnnotatedVideoWriter, compensation_cues

W, H = 640, 360
FPS = 30.0


def test_cue_shown_while_the_trunk_leans_past_its_threshold(tmp_path: Path) -> None:
    out = tmp_path / "annotated.mp4"
    t = np.arange(0.0, 3.0, 1.0 / FPS)
    lean = np.interp(t, [0, 1, 2], [0, 0, 15])  # passes 10 deg at 1.67 s
    pose = synthetic_pose(
        {"shoulder_abduction_left": np.full(t.size, 90.0), "trunk_lateral_lean": -lean,
         "shoulder_tilt": lean},
        view="front", fps=FPS, image_size=(W, H),
    )  # fmt: skip
    table = compute_metrics(pose, metrics=["shoulder_abduction_left"])
    tracker = CompensationTracker("shoulder_abduction", "left")
    cues = [
        compensation_cues(tracker, t[i], pose.image[i], (W, H), table.view[i], table.facing[i])
        for i in range(t.size)
    ]
    shown = np.array([c == ["keep the trunk upright"] for c in cues])
    assert not any(cues[i] for i in range(t.size) if t[i] < 1.6)
    assert shown[t > 1.72].all()
    # The writer draws them with the other banner cues (every frame written).
    frame = np.zeros((H, W, 3), np.uint8)
    assert pose.world is not None
    with AnnotatedVideoWriter(out, W, H, FPS, headline="shoulder_abduction_left") as writer:
        for i in range(t.size):
            writer.put(frame, float(t[i]), pose.image[i], pose.world[i], 1)
    assert writer.compensation is not None
    assert writer.compensation.series()["trunk_lateral_lean"][-1] > 14.0


def test_which_headlines_watch_compensations(tmp_path: Path) -> None:
    assert watched_test("shoulder_abduction_right") == ("shoulder_abduction", "right")
    assert watched_test("neck_rotation") == ("neck_rotation", None)
    assert watched_test("knee_flexion_left") is None
    with AnnotatedVideoWriter(tmp_path / "a.mp4", W, H, FPS, headline="hip_flexion_left") as writer:
        assert writer.compensation is not None
        assert [s.name for s in writer.compensation.specs] == [
            "trunk_flexion",
            "posterior_pelvic_tilt",
        ]
    with AnnotatedVideoWriter(tmp_path / "b.mp4", W, H, FPS) as writer:
        assert writer.compensation is None
