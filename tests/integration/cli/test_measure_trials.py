"""``romcam measure`` with several videos (one trial each), the per-trial pain options and
``romcam trial exclude|include``, through the real command on a real store."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from romcam.cli import main
from romcam.store import MeasurementInput, Store
from tests.conftest import MODEL_PATH
from tests.integration.cli.test_store_commands import _short_clip


def romcam(*argv: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    """``python -m romcam ARGV`` in a fresh process with its own data directory."""
    env = {"ROMCAM_DATA_DIR": str(env_dir), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv], capture_output=True, text=True, env=env
    )


@pytest.fixture
def session_id(store_url: str, data_dir: Path) -> int:
    with Store.open(store_url, root=data_dir) as store:
        return store.start_session(store.add_client("Tri")).id


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--pain", "3,4"], "--pain has 2 values for 3 videos; give one per video"),
        (["--first-pain-deg", "120"], "--first-pain-deg has 1 value for 3 videos"),
        (["--pain", "3,11,4"], "--pain: '11' is not a pain score; give a whole number 0 to 10"),
        (["--first-pain-deg", "120,x,"], "--first-pain-deg: 'x' is not an angle"),
    ],
)
def test_pain_that_does_not_fit_the_videos_is_refused_before_the_model(
    tmp_path: Path, options: list[str], message: str
) -> None:
    """The videos do not exist and the model path is wrong: the pain is what is reported,
    in one sentence, before anything is opened or run."""
    videos = [str(tmp_path / f"trial{k}.mp4") for k in (1, 2, 3)]
    argv = ["measure", "1", *videos, "--test", "knee_flexion", "--side", "left", *options]
    run = romcam(*argv, "--model", str(tmp_path / "no-model.task"), env_dir=tmp_path / "data")
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"romcam: error: {message}") and run.stderr.count("\n") == 1
    assert not (tmp_path / "data" / "romcam.db").exists()  # the store was not even opened


def test_a_missing_video_is_refused_before_any_trial_runs(
    store_url: str, session_id: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = tmp_path / "exists.mp4"
    clip.write_bytes(b"not analysed")
    argv = ["measure", str(session_id), str(clip), str(tmp_path / "typo.mp4")]
    code = main([*argv, "--test", "neck_flexion", "--db", store_url])
    err = capsys.readouterr().err
    assert code == 2 and "typo.mp4 is not a file" in err and "no trial was run" in err


def test_exclude_and_include_a_trial(
    store_url: str, data_dir: Path, session_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(store_url, root=data_dir) as store:
        ids = [
            store.add_measurement(
                session_id,
                MeasurementInput("shoulder_flexion", "left", "before", value, pain_score=score),
            ).id
            for value, score in [(150.0, 2), (152.0, None), (151.0, 3), (120.0, 6)]
        ]
    code = main(["measurement", "list", str(session_id), "--db", store_url])
    out = capsys.readouterr().out
    assert code == 0 and "2/10" in out and "6/10" in out
    # The fourth trial sits 30 deg from the others: flagged, with the command that leaves it out.
    code = main(["trial", "include", str(ids[0]), "--db", store_url])
    out = capsys.readouterr().out
    assert code == 0 and "143 ± 16°, 4 trials" in out
    assert f"romcam trial exclude {ids[3]} --reason" in out
    code = main(["trial", "exclude", str(ids[3]), "--reason", "lost balance", "--db", store_url])
    out = capsys.readouterr().out
    assert code == 0 and f"Trial {ids[3]} is left out of the mean: lost balance" in out
    assert "Shoulder flexion (left), before: 151 ± 1°, 3 trials (1 excluded: lost balance)" in out
    assert re.search(rf"4\s+{ids[3]}\s+120\.0 deg\s+-\s+6/10\s+excluded: lost balance", out)
    with Store.open(store_url, root=data_dir) as store:
        assert store.get_measurement(ids[3]).excluded_reason == "lost balance"
    assert main(["trial", "include", str(ids[3]), "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert f"Trial {ids[3]} is counted again" in out and "143 ± 16°, 4 trials" in out
    code = main(["trial", "exclude", str(ids[0]), "--reason", "  ", "--db", store_url])
    err = capsys.readouterr().err
    assert code == 2 and "give a reason" in err


@pytest.mark.footage
def test_several_videos_are_several_trials_and_a_failed_one_loses_no_other(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'romcam.db'}"
    clip = _short_clip(tmp_path)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 4096)  # a file, but no video: this trial fails
    with Store.open(url, root=data_dir) as store:
        session = store.start_session(store.add_client("Sam")).id
    code, out, err = (
        main(
            [
                *["measure", str(session), str(clip), str(broken), str(clip)],
                *["--test", "shoulder_flexion", "--side", "left", "--model", str(MODEL_PATH)],
                *["--first-pain-deg", "120,,118", "--pain", "3,4,5", "--db", url],
            ]
        ),
        *capsys.readouterr(),
    )
    assert code == 2
    assert re.search(r"Trial 1 of 3 \(.*arms overhead\.mp4\): stored measurement 1 ", out)
    assert "pain from 120.0 deg, pain 3/10 at the end" in out
    assert re.search(r"Trial 3 of 3 \(.*\): stored measurement 2 .*pain from 118\.0", out)
    assert re.search(r"Shoulder flexion \(left\), before: \d+ ± \d+°, 2 trials", out)
    assert "Trial 2 of 3" in err and "broken.mp4" in err and "not stored" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("romcam: error: trial 2 of 3 (") and "the other 2 were stored" in last
    with Store.open(url, root=data_dir) as store:
        trials = store.list_measurements(session)
    assert [(m.first_pain, m.pain_score) for m in trials] == [(120.0, 3), (118.0, 5)]
    assert trials[0].value == pytest.approx(trials[1].value, abs=0.01)  # the same clip twice


def _three_trials_each(url: str, data_dir: Path) -> None:
    """Visit 1 before/after and visit 2 before, three shoulder-flexion trials each, with pain."""
    from datetime import datetime

    with Store.open(url, root=data_dir) as store:
        store.add_client("Ann")
        s1 = store.start_session("Ann", started_at=datetime(2026, 1, 5, 9))
        s2 = store.start_session("Ann", started_at=datetime(2026, 2, 2, 9))
        for sid, phase, values, onsets, scores in [
            (s1.id, "before", [140, 142, 138], [110, 112, None], [6, 6, 5]),
            (s1.id, "after", [150, 149, 121], [125, 120, 118], [4, 3, 3]),
            (s2.id, "before", [155, 153, 154], [140, 142, 138], [2, 2, 3]),
        ]:
            for v, onset, score in zip(values, onsets, scores, strict=True):
                trial = MeasurementInput(
                    "shoulder_flexion", "left", phase, float(v), first_pain=onset, pain_score=score
                )
                store.add_measurement(sid, trial)


def test_compare_and_progress_show_the_trials_outliers_and_pain(
    store_url: str, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _three_trials_each(store_url, data_dir)
    assert main(["compare", "1", "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Shoulder flexion \(left\)\s+140\.0\s+140\.0\s+0\.0 deg", out)  # means
    assert "Shoulder flexion (left), before: 140 ± 2°, 3 trials: 140°, 142°, 138°" in out
    assert "after: 140 ± 16°, 3 trials: 150°, 149°, 121° (outlier)" in out
    assert "`romcam trial exclude ID --reason TEXT`" in out
    assert "Shoulder flexion (left): pain-free range 111° → 121°; pain 5.7/10 → 3.3/10" in out
    assert main(["compare", "1", "--how", "best", "--db", store_url]) == 0
    assert re.search(
        r"Shoulder flexion \(left\)\s+142\.0\s+150\.0\s+8\.0 deg", capsys.readouterr().out
    )
    assert main(["progress", "Ann", "--db", store_url]) == 0
    out = capsys.readouterr().out
    assert "140 ± 2°, 3 trials → 154 ± 1°, 3 trials; pain-free range 111° → 140°" in out
    assert "pain 5.7/10 → 2.3/10" in out
