"""analyze_video end to end with the real pose model on short clips cut in the test."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pandas as pd
import pytest

from romcam.analysis import AnalysisResult, analyze_landmarks, analyze_video
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.posture_summary import POSTURE_METRIC_IDS
from romcam.core.summary import ROM_METRIC_IDS
from romcam.errors import NoSubjectError, VideoError
from romcam.media.landmark_csv import read_landmarks_csv
from romcam.media.video import H264Writer, iter_frames, probe_video
from tests.conftest import MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

N_FRAMES = 40
SOURCE = "shoulder_abduction_front_seated_02.mp4"


@pytest.fixture(scope="module")
def person_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 40 frames of a seated subject (front view), 640x360, H.264 with faststart."""
    path = tmp_path_factory.mktemp("clips") / "person.mp4"
    with H264Writer(path, 640, 360, 28.0) as writer:
        for frame in iter_frames(shared_video(SOURCE), max_frames=N_FRAMES):
            writer.write(frame.image, frame.time_s)
    return path


@pytest.fixture(scope="module")
def blank_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clips") / "blank.mp4"
    with H264Writer(path, 320, 240, 15.0) as writer:
        for i in range(15):
            writer.write(np.full((240, 320, 3), 60 + i, np.uint8))
    return path


@pytest.fixture(scope="module")
def analyzed(
    person_clip: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[AnalysisResult, list[tuple[int, int]]]:
    out = tmp_path_factory.mktemp("run") / "out"
    calls: list[tuple[int, int]] = []
    result = analyze_video(
        person_clip, out, model_path=MODEL_PATH, progress=lambda d, t: calls.append((d, t))
    )
    return result, calls


def test_all_outputs_are_written(analyzed: tuple[AnalysisResult, list]) -> None:
    result, _ = analyzed
    assert result.out_dir is not None
    names = sorted(p.name for p in result.out_dir.iterdir())
    assert names == ["angles.csv", "annotated.mp4", "landmarks.csv", "summary.json"]
    # Nothing left beside the output folder (the staging folder was removed).
    assert [p.name for p in result.out_dir.parent.iterdir()] == ["out"]


def test_subject_found_and_result_consistent(analyzed: tuple[AnalysisResult, list]) -> None:
    result, _ = analyzed
    assert len(result.pose) == N_FRAMES == len(result.table)
    assert result.pose.detected.mean() > 0.9
    assert result.warnings == () and not result.truncated
    assert result.video.width == 640 and result.video.codec == "h264"


def test_angles_csv_is_the_metric_table(analyzed: tuple[AnalysisResult, list]) -> None:
    result, _ = analyzed
    assert result.angles_csv is not None
    df = pd.read_csv(result.angles_csv)
    expected = result.table.to_dataframe()
    assert list(df.columns) == list(expected.columns)
    assert list(df.columns[:2]) == ["frame", "time_s"]
    assert list(df.columns[2 : 2 + len(METRIC_IDS)]) == list(METRIC_IDS)
    for mid in METRIC_IDS:
        np.testing.assert_allclose(df[mid], expected[mid], atol=1e-3, equal_nan=True)


def test_summary_json(analyzed: tuple[AnalysisResult, list]) -> None:
    result, _ = analyzed
    assert result.summary_json is not None
    doc = json.loads(result.summary_json.read_text())
    assert set(doc) == {"romcam_version", "video", "warnings", "metrics", "posture", "tests"}
    # End ranges and posture apart (issue 11); no test asked, no tests entries.
    assert set(doc["metrics"]) == set(ROM_METRIC_IDS)
    assert set(doc["posture"]) == set(POSTURE_METRIC_IDS) and doc["tests"] == []
    entry = doc["metrics"]["shoulder_abduction_left"]
    assert {"max_quality", "min_quality"} <= set(entry)
    assert doc["video"]["width"] == 640 and doc["warnings"] == []
    assert doc["metrics"] == json.loads(json.dumps(result.summary))


def test_annotated_video_is_h264_with_every_frame(analyzed: tuple[AnalysisResult, list]) -> None:
    result, _ = analyzed
    assert result.annotated_mp4 is not None
    with av.open(str(result.annotated_mp4)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert sum(1 for _ in container.decode(stream)) == N_FRAMES


def test_landmark_file_round_trips_to_the_same_angles(
    analyzed: tuple[AnalysisResult, list],
) -> None:
    result, _ = analyzed
    assert result.landmarks_csv is not None
    pose = read_landmarks_csv(result.landmarks_csv)
    table, summary = analyze_landmarks(pose)
    for mid in METRIC_IDS:
        np.testing.assert_allclose(table.values[mid], result.table.values[mid], equal_nan=True)
    assert summary == result.summary


def test_progress_reports_every_frame(analyzed: tuple[AnalysisResult, list]) -> None:
    _, calls = analyzed
    assert [d for d, _ in calls] == list(range(1, N_FRAMES + 1))
    assert all(t >= d for d, t in calls)


def test_no_out_dir_writes_nothing(person_clip: Path) -> None:
    result = analyze_video(person_clip, None, model_path=MODEL_PATH, max_frames=5)
    assert len(result.pose) == 5
    assert (result.out_dir, result.angles_csv, result.annotated_mp4) == (None, None, None)


def test_no_video_option_skips_annotated(person_clip: Path, tmp_path: Path) -> None:
    result = analyze_video(
        person_clip, tmp_path / "o", model_path=MODEL_PATH, write_annotated=False, max_frames=5
    )
    assert result.annotated_mp4 is None
    assert not (tmp_path / "o" / "annotated.mp4").exists()


def test_truncated_video_is_analyzed_and_flagged(person_clip: Path, tmp_path: Path) -> None:
    data = person_clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    result = analyze_video(cut, tmp_path / "out", model_path=MODEL_PATH, write_annotated=False)
    assert 5 < len(result.pose) < N_FRAMES
    assert result.truncated
    assert any("truncated" in w for w in result.warnings)
    assert result.summary_json is not None
    assert "truncated" in " ".join(json.loads(result.summary_json.read_text())["warnings"])


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_nobody_in_video_raises_and_leaves_nothing(blank_clip: Path, tmp_path: Path) -> None:
    with pytest.raises(NoSubjectError, match=r"no person was found in blank\.mp4; film the"):
        analyze_video(blank_clip, tmp_path / "out", model_path=MODEL_PATH)
    assert _listing(tmp_path) == []


def test_failed_run_keeps_previous_outputs(blank_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "angles.csv").write_text("old results\n")
    with pytest.raises(NoSubjectError):
        analyze_video(blank_clip, out, model_path=MODEL_PATH)
    assert _listing(tmp_path) == ["out", "out/angles.csv"]
    assert (out / "angles.csv").read_text() == "old results\n"


def _not_a_video(folder: Path) -> Path:
    path = folder / "notes.mp4"
    path.write_text("not a video at all\n" * 20)
    return path


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (_not_a_video, "cannot be opened as a video"),
    ],
    ids=["missing", "not-a-video"],
)
def test_bad_video_raises_and_leaves_nothing(tmp_path: Path, make, match: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    video = make(src)
    with pytest.raises(VideoError, match=match):
        analyze_video(video, tmp_path / "out", model_path=MODEL_PATH)
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["src"]


def test_unknown_headline_is_rejected(person_clip: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        analyze_video(person_clip, tmp_path / "o", model_path=MODEL_PATH, headline="wrist_spin")
    assert [p.name for p in tmp_path.iterdir()] == []


def test_probe_of_cut_clip_reports_its_header(person_clip: Path) -> None:
    info = probe_video(person_clip)
    # The writer keeps the source's own frame times (a phone clip, not exactly 1/28 s apart),
    # so the average rate is the source's, within 1 % of its nominal 28 fps.
    assert info.frame_count == N_FRAMES and info.fps == pytest.approx(28.0, rel=0.01)


@pytest.mark.parametrize(("frames", "crowd"), [(30, False), (90, True)])
def test_crowd_warning_counts_people_not_detections(frames: int, crowd: bool) -> None:
    """The Sports2D demo's first second shows only the man on the roof, but the model reports
    him twice in 3 of its first 30 frames (10 %, over the 5 % that warns): that is one person.
    From frame 59 a woman walks in: a real second person, who must still be warned about."""
    result = analyze_video(
        shared_video("sports2d_demo.mp4"), None, model_path=MODEL_PATH, max_frames=frames
    )
    assert result.pose.detected.mean() >= 0.75
    assert any("two or more people" in w for w in result.warnings) == crowd, result.warnings
