"""``romcam plan create|show|list`` as a real process, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from romcam.home.plan import CHANGED_MESSAGE, read_plan
from romcam.store import MeasurementInput, Store


def romcam(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "romcam", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
        check=False,
    )


def _seed(url: str, data_dir: Path) -> None:
    with Store.open(url, root=data_dir) as store:
        store.add_client("Ann / Example")
        visit = store.start_session("Ann / Example", started_at=datetime(2026, 11, 20, 9))
        for value in (140.0, 144.0):
            store.add_measurement(
                visit.id,
                MeasurementInput(
                    "shoulder_flexion",
                    "right",
                    "after",
                    value,
                    measured_at=datetime(2026, 11, 20, 9),
                ),
            )


def test_create_show_and_list_a_plan(store_url: str, data_dir: Path, tmp_path: Path) -> None:
    _seed(store_url, data_dir)
    db = ["--db", store_url]
    made = romcam(
        "plan", "create", "ann / example", *db, "--therapist", "Kim",
        "--item", "shoulder_flexion:right:daily:160:Raise the arm slowly: stop at pain",
        "--trials", "3",
        "--item", "neck_flexion", "--often", "3x a week", "--per-day", "2",
        "--exercise", "Doorway stretch:both::30 s each side",
        "-o", f"{tmp_path}/plans/",
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    [path] = (tmp_path / "plans").glob("*.romcam-plan.json")  # a new folder, made
    # The client's name cannot reach the file system as a path.
    assert path.name.startswith("Ann_Example-1-plan-") and path.parent == tmp_path / "plans"
    assert str(path) in made.stdout

    plan = read_plan(path)
    flexion, neck, stretch = plan.items
    assert (flexion.test_id, flexion.sides, flexion.target, flexion.trials) == (
        "shoulder_flexion", ("right",), 160.0, 3,
    )  # fmt: skip
    assert flexion.instruction == "Raise the arm slowly: stop at pain"
    assert (neck.sides, neck.often, neck.times_per_day) == ((), "3x a week", 2)
    assert (stretch.kind, stretch.name, stretch.sides) == (
        "exercise", "Doorway stretch", ("left", "right"),
    )  # fmt: skip
    assert plan.clinic_value("shoulder_flexion", "right").value == 142.0  # type: ignore[union-attr]
    assert plan.therapist == "Kim" and plan.client.name == "Ann / Example"

    shown = romcam("plan", "show", str(path))
    assert shown.returncode == 0, shown.stderr
    assert "Shoulder flexion" in shown.stdout and "142.0 deg (2026-11-20)" in shown.stdout
    assert "Doorway stretch (exercise)" in shown.stdout and plan.plan_id in shown.stdout

    listed = romcam("plan", "list", "Ann / Example", *db)
    assert listed.returncode == 0, listed.stderr
    assert plan.plan_id in listed.stdout and "Shoulder flexion, Neck flexion" in listed.stdout


def test_bad_plans_and_changed_files_are_refused(
    store_url: str, data_dir: Path, tmp_path: Path
) -> None:
    _seed(store_url, data_dir)
    db = ["--db", store_url]
    out = tmp_path / "plan.romcam-plan.json"
    cases = {
        ("--item", "shoulder_flexion:up"): "the side must be left, right or both; got 'up'",
        ("--item", "posture_side:left"): "has no side; leave the side out",
        ("--item", "elbow_bend"): "unknown test 'elbow_bend'; known tests: shoulder_flexion",
        ("--item", "knee_flexion:left::far"): "the target must be a number of degrees",
        ("--item", "knee_flexion", "--per-day", "20"): "times_per_day must be a whole number",
        (): "a plan needs at least one --item TEST or --exercise NAME",
    }
    for argv, message in cases.items():
        done = romcam("plan", "create", "Ann / Example", *db, *argv, "-o", str(out))
        assert done.returncode == 2 and message in done.stderr, (argv, done.stderr)
        assert done.stderr.startswith("romcam: error: ") and done.stderr.count("\n") == 1
    unknown = romcam("plan", "create", "Bo", *db, "--item", "neck_flexion", "-o", str(out))
    assert unknown.returncode == 2 and "no client 'Bo' in the store" in unknown.stderr
    assert not out.exists()
    assert "No plans for Ann / Example yet" in romcam("plan", "list", "1", *db).stdout

    assert (
        romcam("plan", "create", "1", *db, "--item", "neck_flexion", "-o", str(out)).returncode == 0
    )
    out.write_text(out.read_text().replace('"neck_flexion"', '"neck_extension"'))
    shown = romcam("plan", "show", str(out))
    assert shown.returncode == 2 and CHANGED_MESSAGE in shown.stderr
