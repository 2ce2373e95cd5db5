"""The annotated video of a portrait phone clip (issue 11, item 10): readable size, and the
readout panel beside the subject, not over the knee. Real model, real footage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from romcam.analysis import analyze_video
from romcam.core.landmarks import LANDMARK_INDEX
from romcam.media import annotated_video
from romcam.media.panel_placement import Box, PanelPlacer, corner_rect, overlap, subject_box
from romcam.media.video import probe_video
from tests.conftest import MODEL_PATH, shared_video

#: Joints a squat is judged by: none of them may sit under the panel.
SQUAT_JOINTS = [f"{s}_{j}" for s in ("left", "right") for j in ("hip", "knee", "ankle")]


class _RecordingPlacer(PanelPlacer):
    """A PanelPlacer that keeps each frame's panel box, frame and panel size and landmarks."""

    placed: list[tuple[Box, tuple[int, int], tuple[int, int], np.ndarray | None]]

    def place(self, landmarks, frame_size, panel_size, *, margin, top):  # type: ignore[no-untyped-def]
        rect = super().place(landmarks, frame_size, panel_size, margin=margin, top=top)
        if not hasattr(self, "placed"):
            self.placed = []
        self.placed.append((rect, frame_size, panel_size, landmarks))
        return rect


def _under(rect: Box, landmarks: np.ndarray, size: tuple[int, int], names: list[str]) -> bool:
    """True when a visible landmark of ``names`` lies inside ``rect``."""
    for name in names:
        x, y, _, vis = landmarks[LANDMARK_INDEX[name]]
        px, py = x * size[0], y * size[1]
        if vis >= 0.5 and rect[0] <= px <= rect[2] and rect[1] <= py <= rect[3]:
            return True
    return False


@pytest.mark.footage
def test_portrait_squat_video_is_540_wide_and_the_panel_leaves_the_subject_free(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    placers: list[_RecordingPlacer] = []

    def make_placer() -> _RecordingPlacer:
        placers.append(_RecordingPlacer())
        return placers[-1]

    monkeypatch.setattr(annotated_video, "PanelPlacer", make_placer)
    clip = shared_video("squat_side_portrait_01.mp4")  # 1080x1920, squats seen side-on
    analyze_video(clip, tmp_path / "out", model_path=MODEL_PATH, max_seconds=4.0)
    info = probe_video(tmp_path / "out" / "annotated.mp4")
    assert (info.width, info.height) == (540, 960)  # was 304x540
    placed = [p for p in placers[0].placed if p[3] is not None]
    assert len(placed) > 90  # ~4 s at 28 fps, the subject found in nearly every frame
    covered = fixed_covered = joints_hidden = 0
    for rect, size, panel, landmarks in placed:
        box = subject_box(landmarks, *size, margin=0.0)
        assert box is not None
        covered += overlap(rect, box) > 0
        fixed = corner_rect("bottom_left", size, panel, margin=9, top=27)  # 12 and 36 px at 720p
        fixed_covered += overlap(fixed, box) > 0
        joints_hidden += _under(rect, landmarks, size, SQUAT_JOINTS)
    n = len(placed)
    # Most frames leave the subject's whole box free; the rest touch only its edge (arms
    # overhead at the top of a squat leave no corner free of the box), never a leg joint.
    assert covered / n < 0.4, (covered, n)
    assert joints_hidden == 0
    # The same panel kept bottom left, as before, would sit on the legs in most frames.
    assert fixed_covered / n > 0.7, (fixed_covered, n)
