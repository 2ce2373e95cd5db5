"""``romcam analyze`` never replaces its video, checks its output folder before the analysis,
and leaves a folder holding one run's files: all of them or none (real model, short clip)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from romcam.analysis import analyze_video
from romcam.cli import main
from romcam.errors import InputError
from romcam.media.video import H264Writer, iter_frames
from tests.conftest import FACE_MODEL_PATH, MODEL_PATH, shared_video
from tests.integration.cli.test_output_safety import error_of

pytestmark = pytest.mark.footage

QUICK = ["--model", str(MODEL_PATH), "--max-seconds", "0.3"]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twenty frames of a seated subject, front view, 640x360 H.264."""
    path = tmp_path_factory.mktemp("clips") / "seated.mp4"
    with H264Writer(path, 640, 360, 28.0) as writer:
        source = shared_video("shoulder_abduction_front_seated_02.mp4")
        for frame in iter_frames(source, max_frames=20):
            writer.write(frame.image, frame.time_s)
    return path


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_analyze_never_replaces_its_video(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    video = out / "annotated.mp4"  # e.g. analysing the annotated video of an earlier run
    shutil.copy(clip, video)
    (tmp_path / "same-out").symlink_to(out)
    for folder in (out, tmp_path / "same-out", tmp_path / "x" / ".." / "out"):
        err = error_of(capsys, ["analyze", str(video), "--out", str(folder), *QUICK])
        assert f"annotated.mp4 is the input {video}; choose another output folder" in err
    assert video.read_bytes() == clip.read_bytes()
    assert names(out) == ["annotated.mp4"]


def test_the_analysis_itself_refuses_to_replace_its_video(clip: Path, tmp_path: Path) -> None:
    """The check lives in analyze_video, so the Analyze page and measure have it too."""
    video = tmp_path / "landmarks.csv"  # a video given a romcam output's name
    shutil.copy(clip, video)
    with pytest.raises(InputError, match=r"the output .*landmarks.csv is the input"):
        analyze_video(video, tmp_path, model_path=MODEL_PATH)
    assert video.read_bytes() == clip.read_bytes()


def test_the_output_folder_is_checked_before_the_analysis(
    clip: Path,
    tmp_path: Path,
    unwritable: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    a_file = tmp_path / "results"
    a_file.write_text("not a folder")
    # The model file is missing: an analysis that started would fail on it instead.
    no_model = ["--model", str(tmp_path / "missing.task")]
    for out, expected in [
        (a_file, f"--out {a_file} is a file, not a folder; give a folder"),
        (a_file / "out", f"cannot be made: {a_file} is a file, not a folder"),
        (unwritable / "out", f"cannot write in {unwritable}: permission denied"),
    ]:
        assert expected in error_of(capsys, ["analyze", str(clip), "--out", str(out), *no_model])
    assert a_file.read_text() == "not a folder"


def test_a_rerun_leaves_no_file_of_the_earlier_run(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    face = ["--face", "on", "--face-model", str(FACE_MODEL_PATH)]
    assert main(["analyze", str(clip), "--out", str(out), *QUICK, *face]) == 0
    assert "annotated.mp4" in names(out) and "head_pose.csv" in names(out)
    (out / "notes.txt").write_text("the therapist's own file")
    no_face = ["--no-video", "--face", "off"]
    assert main(["analyze", str(clip), "--out", str(out), *QUICK, *no_face]) == 0
    # The earlier clip's annotated video and head pose would pass for this run's.
    assert names(out) == ["angles.csv", "landmarks.csv", "notes.txt", "summary.json"]
    assert (out / "notes.txt").read_text() == "the therapist's own file"


def test_a_run_that_cannot_replace_every_file_changes_none(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(clip), "--out", str(out), *QUICK, "--no-video"]) == 0
    before = {name: (out / name).read_bytes() for name in ("landmarks.csv", "angles.csv")}
    (out / "summary.json").unlink()
    (out / "summary.json").mkdir()  # summary.json cannot be replaced
    longer = ["--model", str(MODEL_PATH), "--max-seconds", "0.6", "--no-video"]
    err = error_of(capsys, ["analyze", str(clip), "--out", str(out), *longer])
    assert "summary.json is a folder, so romcam cannot write its summary.json there" in err
    assert {name: (out / name).read_bytes() for name in before} == before
    assert names(out) == ["angles.csv", "landmarks.csv", "summary.json"]
