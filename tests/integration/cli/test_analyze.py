"""``romcam analyze`` and ``romcam angles`` run in-process through the real dispatcher."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from romcam.cli import main
from romcam.cli.analyze import EXIT_TRUNCATED, summary_lines
from romcam.core.metric_specs import METRIC_IDS
from romcam.media.video import H264Writer, iter_frames
from tests.conftest import MODEL_PATH, shared_video

pytestmark = pytest.mark.footage

N_FRAMES = 30


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One second of a seated subject, front view, 640x360 H.264."""
    path = tmp_path_factory.mktemp("clips") / "seated.mp4"
    source = shared_video("shoulder_abduction_front_seated_02.mp4")
    with H264Writer(path, 640, 360, 28.0) as writer:
        for frame in iter_frames(source, max_frames=N_FRAMES):
            writer.write(frame.image, frame.time_s)
    return path


@pytest.fixture(scope="module")
def analyzed(clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "results"
    assert main(["analyze", str(clip), "--out", str(out), "--model", str(MODEL_PATH)]) == 0
    return out


def test_analyze_writes_outputs_and_prints_summary(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r"
    code = main(
        [
            "analyze",
            str(clip),
            "--out",
            str(out),
            "--model",
            str(MODEL_PATH),
            "--no-video",
            "--max-seconds",
            "0.5",
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["angles.csv", "landmarks.csv", "summary.json"]
    assert len(pd.read_csv(out / "angles.csv")) == 14  # frames before 0.5 s at 28 fps
    summary = json.loads((out / "summary.json").read_text())["metrics"]
    assert printed.splitlines()[: len(summary_lines(summary))] == summary_lines(summary)
    assert f"Results written to {out}" in printed


def test_analyze_default_output_folder(tmp_path: Path, clip: Path) -> None:
    video = tmp_path / "visit 1.mp4"
    video.write_bytes(clip.read_bytes())
    assert (
        main(
            [
                "analyze",
                str(video),
                "--model",
                str(MODEL_PATH),
                "--no-video",
                "--max-seconds",
                "0.2",
            ]
        )
        == 0
    )
    assert (tmp_path / "visit 1_romcam" / "angles.csv").is_file()


def test_angles_round_trips_the_landmark_file(analyzed: Path, tmp_path: Path) -> None:
    angles, summary = tmp_path / "a.csv", tmp_path / "s.json"
    code = main(
        ["angles", str(analyzed / "landmarks.csv"), "-o", str(angles), "--summary", str(summary)]
    )
    assert code == 0
    again, first = pd.read_csv(angles), pd.read_csv(analyzed / "angles.csv")
    assert list(again.columns) == list(first.columns)
    for mid in METRIC_IDS:
        np.testing.assert_allclose(again[mid], first[mid], atol=1e-9, equal_nan=True)
    assert (again["view"] == first["view"]).all()
    original = json.loads((analyzed / "summary.json").read_text())
    assert json.loads(summary.read_text())["metrics"] == original["metrics"]


def test_angles_default_output_beside_landmarks(analyzed: Path, tmp_path: Path) -> None:
    landmarks = tmp_path / "landmarks.csv"
    landmarks.write_bytes((analyzed / "landmarks.csv").read_bytes())
    assert main(["angles", str(landmarks)]) == 0
    assert (tmp_path / "angles.csv").is_file()


def test_summary_lines_held_then_reached_but_not_held() -> None:
    summary = {mid: {"quality": "rejected"} for mid in METRIC_IDS}
    summary["knee_flexion_left"] = {
        "quality": "ok",
        "min": 2.0,
        "max": 131.44,
        "excursion": 129.44,
        "unit": "deg",
    }
    summary["hip_flexion_left"] = {  # seen from the right view: reached, not held
        "quality": "rejected",
        "peak": 95.0,
        "trough": -5.0,
        "view": "side_left",
        "unit": "deg",
        "reason": "hip_flexion_left: the value never stayed within ±3 deg for 0.5 s; hold it",
    }
    summary["shoulder_abduction_left"] = {  # wrong view: not listed at all
        "quality": "rejected",
        "peak": 40.0,
        "trough": 0.0,
        "view": "side_left",
        "reason": "shoulder_abduction_left needs a front view",
    }
    lines = summary_lines(summary)
    assert "Knee flexion (left)" in lines[1] and "131.4" in lines[1]
    assert lines[3].startswith("Seen but not accepted")
    assert "Hip flexion (left)" in lines[4] and "-5.0 to 95.0 deg" in lines[4]
    assert lines[4].rstrip().endswith("the value never stayed within ±3 deg for 0.5 s")
    assert len(lines) == 5
    assert summary_lines({}) == ["No end range was held long enough to count as a measurement."]


def test_truncated_video_exits_3_and_keeps_results(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    out = tmp_path / "out"
    code = main(["analyze", str(cut), "--out", str(out), "--model", str(MODEL_PATH), "--no-video"])
    assert code == EXIT_TRUNCATED
    assert "truncated" in capsys.readouterr().err
    assert (out / "angles.csv").is_file()


def test_each_warning_is_printed_once(clip: Path, tmp_path: Path) -> None:
    """The command line as a user runs it (its own process and logging set-up): a warning is
    one ``romcam: warning:`` line, not a log record as well."""
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    argv = ["analyze", str(cut), "--out", str(tmp_path / "out"), "--model", str(MODEL_PATH)]
    run = subprocess.run(
        [sys.executable, "-m", "romcam", *argv, "--no-video"], capture_output=True, text=True
    )
    assert run.returncode == EXIT_TRUNCATED
    lines = [line for line in run.stderr.splitlines() if "truncated" in line]
    assert len(lines) == 1 and lines[0].startswith("romcam: warning:"), lines


def _blank_video(folder: Path) -> Path:
    path = folder / "empty_room.mp4"
    with H264Writer(path, 160, 120, 10.0) as writer:
        for _ in range(10):
            writer.write(np.full((120, 160, 3), 90, np.uint8))
    return path


def _text_file(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (lambda d: ["analyze", str(d / "nope.mp4")], "no such file"),
        (lambda d: ["analyze", str(_text_file(d, "a.mp4", "hello" * 99))], "cannot be opened"),
        (lambda d: ["analyze", str(_blank_video(d))], "no person was found in empty_room.mp4"),
        (lambda d: ["analyze", str(_blank_video(d)), "--headline", "nope"], "not a metric id"),
        (lambda d: ["angles", str(d / "nope.csv")], "no such file"),
        (lambda d: ["angles", str(_text_file(d, "l.csv", ""))], "empty|no landmarks|no data"),
        (lambda d: ["angles", str(_text_file(d, "l.csv", "a,b\n1,2\n"))], "landmark|column"),
    ],
    ids=[
        "missing-video",
        "not-a-video",
        "nobody",
        "bad-headline",
        "missing-landmarks",
        "empty-landmarks",
        "malformed-landmarks",
    ],
)
def test_bad_input_exits_2_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args, match: str
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    argv = args(src)
    out = tmp_path / "out"
    extra = (
        ["--out", str(out), "--model", str(MODEL_PATH)]
        if argv[0] == "analyze"
        else ["-o", str(out / "angles.csv"), "--summary", str(out / "summary.json")]
    )
    code = main([*argv, *extra])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err.startswith("romcam: error: ") and len(err.splitlines()) == 1
    assert re.search(match, err), err
    assert not out.exists()  # no half-written outputs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_analyze_with_a_test_reports_both_sides(
    clip: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t"
    args = ["analyze", str(clip), "--out", str(out), "--model", str(MODEL_PATH), "--no-video"]
    assert main([*args, "--test", "shoulder_abduction"]) == 0
    printed = capsys.readouterr().out
    doc = json.loads((out / "summary.json").read_text())
    assert [(r["test"], r["side"]) for r in doc["tests"]] == [
        ("shoulder_abduction", "left"),
        ("shoulder_abduction", "right"),
    ]
    for r in doc["tests"]:
        assert set(r) == {
            "test",
            "side",
            "metric",
            "end_range",
            "quality",
            "reason",
            "hold_s",
            "time_s",
            "end_range_with_compensation",
            "compensation",
            "compensation_note",
        }
        assert set(r["compensation"]) == {"trunk_lateral_lean"}
        assert (r["end_range"] is None) == (r["quality"] != "ok")
    assert printed.startswith("shoulder_abduction (left)")
    assert "posture" in printed.lower()  # the posture section, printed apart


def test_angles_with_a_test_writes_the_same_tests(analyzed: Path, tmp_path: Path) -> None:
    summary = tmp_path / "s.json"
    landmarks = str(analyzed / "landmarks.csv")
    code = main(
        [
            "angles",
            landmarks,
            "-o",
            str(tmp_path / "a.csv"),
            "--summary",
            str(summary),
            "--test",
            "neck_rotation",
            "--side",
            "left",
        ]
    )
    assert code == 0
    doc = json.loads(summary.read_text())
    assert [(r["test"], r["side"]) for r in doc["tests"]] == [("neck_rotation", "left")]
    assert set(doc["posture"]) and "tests" in doc


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--side", "left"], "--side needs --test"),
        (["--test", "posture_side", "--side", "left"], "has no side"),
    ],
)
def test_test_options_that_do_not_fit(
    analyzed: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["angles", str(analyzed / "landmarks.csv"), *extra]) == 2
    assert message in capsys.readouterr().err


def test_the_first_test_is_the_headline_when_it_names_one_metric() -> None:
    from romcam.cli.analyze import _test_headline
    from romcam.core.assessments import assessment_test

    knee, neck = assessment_test("knee_flexion"), assessment_test("neck_flexion")
    assert _test_headline([(knee, "right"), (neck, None)]) == "knee_flexion_right"
    assert _test_headline([(neck, None)]) == "neck_flexion"
    assert _test_headline([(knee, None)]) is None and _test_headline([]) is None
