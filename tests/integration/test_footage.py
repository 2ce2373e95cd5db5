"""The whole analysis on a few seconds of real footage from ../shared/videos."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest

from romcam.analysis import AnalysisResult, analyze_video
from romcam.cli import main
from romcam.core.metric_specs import METRIC_IDS
from romcam.errors import NoSubjectError
from tests.conftest import MODEL_PATH, shared_video

pytestmark = pytest.mark.footage


@pytest.fixture(scope="module")
def shoulder(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    """Seated, both arms abducted overhead twice in the first 2.5 s, front view."""
    out = tmp_path_factory.mktemp("shoulder") / "out"
    return analyze_video(
        shared_video("shoulder_abduction_front_seated_02.mp4"),
        out,
        model_path=MODEL_PATH,
        max_seconds=2.5,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> AnalysisResult:
    """Man on a roof (jumping jacks, front view), a woman walks across: two people."""
    return analyze_video(
        shared_video("sports2d_demo.mp4"),
        tmp_path_factory.mktemp("demo") / "out",
        model_path=MODEL_PATH,
        max_seconds=3.0,
        write_annotated=False,
    )


def test_subject_found_in_most_frames(shoulder: AnalysisResult) -> None:
    assert len(shoulder.pose) == 70  # 2.5 s at 28 fps
    assert shoulder.pose.detected.mean() > 0.95
    assert shoulder.warnings == ()


def test_front_view_detected(shoulder: AnalysisResult) -> None:
    views = pd.Series(shoulder.table.view)
    assert (views == "front").mean() > 0.8


def test_shoulder_abduction_reaches_overhead(shoulder: AnalysisResult) -> None:
    peak = max(
        np.nanmax(shoulder.table.values[f"shoulder_abduction_{s}"]) for s in ("left", "right")
    )
    assert 120.0 < peak <= 185.0


def test_elbow_angles_are_plausible(shoulder: AnalysisResult) -> None:
    # The arms swing up nearly straight: mostly small flexion, always within anatomy.
    for side in ("left", "right"):
        values = shoulder.table.values[f"elbow_flexion_{side}"]
        assert np.isfinite(values).mean() > 0.5
        assert np.nanmedian(values) < 45.0
        assert np.nanmin(values) > -15.0 and np.nanmax(values) < 160.0


def test_annotated_video_decodes_as_h264(shoulder: AnalysisResult) -> None:
    assert shoulder.annotated_mp4 is not None
    with av.open(str(shoulder.annotated_mp4)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert (stream.codec_context.width, stream.codec_context.height) == (960, 540)
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
    assert len(frames) == len(shoulder.pose)
    assert np.std(frames[35]) > 10  # a picture, not a blank frame


def test_landmarks_round_trip_through_romcam_angles(
    shoulder: AnalysisResult, tmp_path: Path
) -> None:
    assert shoulder.landmarks_csv is not None and shoulder.angles_csv is not None
    again = tmp_path / "angles.csv"
    assert main(["angles", str(shoulder.landmarks_csv), "-o", str(again)]) == 0
    first, second = pd.read_csv(shoulder.angles_csv), pd.read_csv(again)
    for mid in METRIC_IDS:
        np.testing.assert_allclose(second[mid], first[mid], atol=1e-9, equal_nan=True)


def test_two_people_warned_and_subject_followed(demo: AnalysisResult) -> None:
    assert any("two or more people" in w for w in demo.warnings)
    assert demo.pose.detected.mean() > 0.8
    # The tracked subject is the man on the roof: upper half of the frame throughout.
    seen = demo.pose.detected
    hips_y = demo.pose.image[seen][:, 23:25, 1].mean(axis=1)
    assert np.nanmax(hips_y) < 0.55


def test_empty_opening_seconds_raise_no_subject(tmp_path: Path) -> None:
    # The walker enters sports2d_walk_side.mp4 after about 1.2 s.
    with pytest.raises(NoSubjectError, match="no person was found in sports2d_walk_side"):
        analyze_video(
            shared_video("sports2d_walk_side.mp4"),
            tmp_path / "out",
            model_path=MODEL_PATH,
            max_seconds=0.8,
        )
    assert list(tmp_path.iterdir()) == []
