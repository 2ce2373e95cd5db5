"""``romcam analyze`` with several videos or a folder, through the real dispatcher and, once, as
its own process. Footage: two 15-frame cuts (640x360) of a seated front-view clip."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import romcam.analysis
from romcam.cli import build_parser, main
from romcam.cli.analyze import EXIT_SOME_FAILED
from romcam.media.video import H264Writer, iter_frames
from tests.conftest import MODEL_PATH, shared_video

N_FRAMES = 15
#: Every run here: no annotated video, one process per video (the clips are too short to
#: split), and the model given.
FAST = ["--model", str(MODEL_PATH), "--no-video", "--jobs", "1"]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different half-second clips of a seated subject, front view."""
    folder = tmp_path_factory.mktemp("clips")
    source = shared_video("shoulder_abduction_front_seated_02.mp4")
    frames = list(iter_frames(source, max_frames=2 * N_FRAMES))
    paths = []
    for i, name in enumerate(("first.mp4", "second.mp4")):
        with H264Writer(folder / name, 640, 360, 28.0) as writer:
            for frame in frames[i * N_FRAMES : (i + 1) * N_FRAMES]:
                writer.write(frame.image, frame.time_s)
        paths.append(folder / name)
    return paths[0], paths[1]


def copy(clip: Path, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    to.write_bytes(clip.read_bytes())
    return to


def table(printed: str) -> dict[str, list[str]]:
    """The summary table's rows by video, split on runs of two or more spaces."""
    lines = printed.split("\n\n")[-1].strip().splitlines()
    assert lines[0].split("  ")[0] == "video" and lines[0].endswith("result or reason")
    rows = [[cell for cell in line.split("  ") if cell.strip()] for line in lines[1:]]
    return {row[0].strip(): [cell.strip() for cell in row[1:]] for row in rows}


@pytest.mark.footage
def test_two_videos_two_folders_and_a_table(
    clips: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = (copy(c, tmp_path / c.name) for c in clips)
    assert main(["analyze", str(a), str(b), *FAST]) == 0
    printed = capsys.readouterr().out
    for video in (a, b):
        out = tmp_path / f"{video.stem}_romcam"
        assert sorted(p.name for p in out.iterdir()) == [
            "angles.csv",
            "landmarks.csv",
            "summary.json",
        ]
        status, frames, _, _, folder, result = table(printed)[str(video)]
        assert (status, frames, folder) == ("ok", str(N_FRAMES), str(out))
        assert result  # the headline result, or that no end range was held
    assert f"[2/2] {b}: ok" in printed


@pytest.mark.footage
def test_a_folder_analyzes_its_videos_and_says_what_it_skipped(
    clips: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    day = tmp_path / "day"
    copy(clips[0], day / "visit.mp4")
    (day / "notes.txt").write_text("room 2")
    (day / "archive").mkdir()
    out = tmp_path / "results"
    code = main(["analyze", str(day), "--out", str(out), *FAST, "--test", "shoulder_abduction"])
    captured = capsys.readouterr()
    assert code == 0
    assert f"romcam: skipped, not videos: {day / 'notes.txt'}" in captured.err
    assert [p.name for p in out.iterdir()] == ["visit"]  # a folder is a batch: out/<stem>
    assert (out / "visit" / "summary.json").is_file()
    result = table(captured.out)[str(day / "visit.mp4")][-1]
    assert result.startswith("shoulder_abduction (left)")  # the tests asked for
    assert "; shoulder_abduction (right)" in result


@pytest.mark.footage
def test_a_broken_video_does_not_stop_the_others(clips: tuple[Path, Path], tmp_path: Path) -> None:
    """As a user runs it: its own process; the exit status and the last line say how many
    failed, the table says why."""
    a = copy(clips[0], tmp_path / "in" / "a.mp4")
    broken = tmp_path / "in" / "b.mp4"
    broken.write_text("not a video " * 50)
    c = copy(clips[1], tmp_path / "in" / "c.mp4")
    out = tmp_path / "out"
    argv = ["analyze", str(a), str(broken), str(c), "--out", str(out), *FAST]
    run = subprocess.run(
        [sys.executable, "-m", "romcam", *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == EXIT_SOME_FAILED, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "romcam: 1 of 3 videos failed"
    rows = table(run.stdout)
    assert [rows[str(v)][0] for v in (a, broken, c)] == ["ok", "failed", "ok"]
    assert rows[str(broken)][-1].startswith(f"{broken}: cannot be opened as a video")
    assert sorted(p.name for p in out.iterdir()) == ["a", "c"]  # nothing half-written for b


@pytest.mark.footage
def test_same_stem_in_two_folders_gets_two_outputs(
    clips: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = copy(clips[0], tmp_path / "monday" / "clip.mp4")
    second = copy(clips[1], tmp_path / "tuesday" / "clip.mp4")
    out = tmp_path / "out"
    assert main(["analyze", str(first), str(second), "--out", str(out), *FAST]) == 0
    rows = table(capsys.readouterr().out)
    assert (rows[str(first)][4], rows[str(second)][4]) == (str(out / "clip"), str(out / "clip-2"))
    landmarks = [(out / name / "landmarks.csv").read_text() for name in ("clip", "clip-2")]
    assert landmarks[0] != landmarks[1]  # each video's own results, neither overwritten


def test_an_out_that_would_hold_an_input_is_refused_before_any_analysis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not even the first video is analysed: the refusal comes from the plan (the inputs are
    never decoded here, so they need not be videos)."""
    first = tmp_path / "a.mp4"
    first.write_bytes(b"first")
    inside = tmp_path / "out" / "a" / "annotated.mp4"  # where a's annotated video would go
    inside.parent.mkdir(parents=True)
    inside.write_bytes(b"kept")
    before = sorted(tmp_path.rglob("*"))
    code = main(["analyze", str(first), str(inside), "--out", str(tmp_path / "out"), *FAST])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("romcam: error: the output ") and err.count("\n") == 1, err
    assert f"is the input {inside}; choose another output folder (--out)" in err
    assert sorted(tmp_path.rglob("*")) == before
    assert inside.read_bytes() == b"kept"


def test_jobs_is_parsed_for_analyze_and_measure() -> None:
    parser = build_parser()
    assert parser.parse_args(["analyze", "v.mp4"]).jobs is None  # every core
    assert parser.parse_args(["analyze", "a.mp4", "b.mp4", "--jobs", "3"]).jobs == 3
    assert parser.parse_args(["measure", "1", "v.mp4", "--test", "knee_flexion"]).jobs is None
    measure = ["measure", "1", "v.mp4", "--test", "knee_flexion", "--jobs", "2"]
    assert parser.parse_args(measure).jobs == 2


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_jobs_below_one_is_a_usage_error(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["analyze", "v.mp4", "--jobs", value])
    assert stopped.value.code == 2
    assert f"--jobs: {value!r} is not a whole number of 1 or more" in capsys.readouterr().err


@pytest.mark.footage
def test_jobs_reaches_the_analysis_of_one_video_and_of_each_video_of_a_batch(
    clips: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real analysis runs; a wrapper only notes the ``jobs`` it was given."""
    real = romcam.analysis.analyze_video
    seen: list[Any] = []

    def noting_jobs(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("jobs", "not passed"))
        return real(*args, **kwargs)

    monkeypatch.setattr(romcam.analysis, "analyze_video", noting_jobs)
    a, b = clips
    short = [*FAST, "--max-seconds", "0.2", "--jobs", "2"]  # analyze_video's default is 1
    assert main(["analyze", str(a), "--out", str(tmp_path / "one"), *short]) == 0
    assert main(["analyze", str(a), str(b), "--out", str(tmp_path / "many"), *short]) == 0
    assert seen == [2, 2, 2]
