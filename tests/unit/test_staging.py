"""Staging folders: private, named after their process, cleaned when that process is gone;
a run's outputs moved into their folder all together or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from romcam.errors import InputError
from romcam.staging import (
    OUTPUT_PREFIX,
    STAGING_DIR,
    OutputStaging,
    pid_alive,
    private_staging,
    remove_stale_staging,
)
from tests.fs_fixtures import dead_pid

NAMES = ("landmarks.csv", "angles.csv", "summary.json", "annotated.mp4", "head_pose.csv")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def earlier_run(out: Path) -> None:
    out.mkdir()
    for name in ("landmarks.csv", "angles.csv", "summary.json", "annotated.mp4"):
        (out / name).write_text(f"old {name}")
    (out / "notes.txt").write_text("the therapist's own file")


def test_pid_alive() -> None:
    assert pid_alive(os.getpid())
    assert not pid_alive(dead_pid())
    assert not pid_alive(0)


def test_commit_replaces_the_run_and_removes_its_leftovers_only(tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier_run(out)
    staging = OutputStaging(out, NAMES)
    assert staging.path.parent == out and staging.path.name.startswith(
        f"{OUTPUT_PREFIX}{os.getpid()}-"
    )
    assert mode(staging.path) == 0o700
    for name in ("landmarks.csv", "angles.csv", "summary.json"):
        (staging.path / name).write_text(f"new {name}")
    placed = staging.commit(["landmarks.csv", "angles.csv", "summary.json"])
    staging.discard()
    assert placed == {n: out / n for n in ("landmarks.csv", "angles.csv", "summary.json")}
    # The earlier run's annotated.mp4 is gone (it would pass for this run's); notes.txt stays.
    assert files(out) == {
        "angles.csv": "new angles.csv",
        "landmarks.csv": "new landmarks.csv",
        "notes.txt": "the therapist's own file",
        "summary.json": "new summary.json",
    }


def test_a_failed_commit_puts_everything_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier_run(out)
    before = files(out)
    staging = OutputStaging(out, NAMES)
    (staging.path / "landmarks.csv").write_text("new landmarks.csv")
    (staging.path / "angles.csv").write_text("new angles.csv")
    # summary.json was never written: its move fails after the first two moved.
    with pytest.raises(InputError, match=r"could not put the results into .*out .*summary.json"):
        staging.commit(["landmarks.csv", "angles.csv", "summary.json"])
    staging.discard()
    assert files(out) == before


def test_a_folder_in_the_way_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "out"
    earlier_run(out)
    (out / "head_pose.csv").mkdir()
    with pytest.raises(InputError, match=r"head_pose.csv is a folder, so romcam cannot write"):
        OutputStaging(out, NAMES)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "landmarks.csv",
            "angles.csv",
            "summary.json",
            "annotated.mp4",
            "notes.txt",
            "head_pose.csv",
        ]
    )


def test_discard_removes_a_folder_this_run_made_only_when_empty(tmp_path: Path) -> None:
    staging = OutputStaging(tmp_path / "fresh", NAMES)
    staging.discard()
    assert list(tmp_path.iterdir()) == []
    earlier_run(tmp_path / "kept")
    staging = OutputStaging(tmp_path / "kept", NAMES)
    staging.discard()
    assert len(list((tmp_path / "kept").iterdir())) == 5


def test_stale_staging_of_dead_processes_is_removed_live_ones_kept(tmp_path: Path) -> None:
    dead, live = dead_pid(), os.getpid()
    for name in (f"x-{dead}-abc", f"x-{live}-def", "x-oldformat", "y-1-ghi", "notes"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "landmarks.csv").write_text("client data")
    assert remove_stale_staging(tmp_path, "x-") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f"x-{live}-def", "x-oldformat", "y-1-ghi", "notes"]
    )


def test_private_staging_lives_in_the_data_dir_0700_and_is_removed(data_dir: Path) -> None:
    stale = data_dir / STAGING_DIR / f"measure-{dead_pid()}-abc"
    stale.mkdir(parents=True)
    (stale / "angles.csv").write_text("a killed run's client data")
    with private_staging("measure") as folder:
        assert folder.parent == data_dir / STAGING_DIR
        assert folder.name.startswith(f"measure-{os.getpid()}-")
        assert mode(folder) == 0o700 and mode(folder.parent) == 0o700
        assert not stale.exists()
        (folder / "landmarks.csv").write_text("x")
    assert list((data_dir / STAGING_DIR).iterdir()) == []
