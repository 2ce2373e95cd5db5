"""The client's home check under AppTest: a plan file for Ada (two tests, an exercise, the
clinic's last value and a target) and the pages run with a camera that only says whether it
plays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from romcam.home.plan import ClinicValue, HomePlan, PlanClient, PlanItem, new_plan

PLAYING = "test_camera_playing"
PAGE = f"""
import streamlit as st
from romcam.ui.home_check import home_check_page
home_check_page(camera_ui=lambda processor, settings: st.session_state.get({PLAYING!r}, False))
"""
PROGRESS = """
from romcam.ui.home_progress import my_progress_page
my_progress_page()
"""
RAISE = "Raise the arm out to the side slowly, as high as it goes, and hold it there."


def ada_plan() -> HomePlan:
    """Right shoulder abduction (2 trials, target 160°, the clinic's 140° on 20 Nov), left knee
    flexion, and a stretch."""
    return new_plan(
        client=PlanClient(store_id=7, name="Ada Client"),
        therapist="Tess",
        items=[
            PlanItem(
                kind="test",
                test_id="shoulder_abduction",
                sides=("right",),
                trials=2,
                target=160.0,
                instruction=RAISE,
            ),
            PlanItem(kind="test", test_id="knee_flexion", sides=("left",)),
            PlanItem(kind="exercise", name="Doorway stretch", often="daily", instruction="30 s."),
        ],
        clinic_last=[
            ClinicValue(
                test_id="shoulder_abduction",
                side="right",
                value=140.0,
                unit="deg",
                measured_at=datetime(2026, 11, 20, 10, tzinfo=UTC),
            )
        ],
    )


def write_plan(folder: Path, plan: HomePlan | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ada.romcam-plan.json"
    path.write_text((plan or ada_plan()).to_json(), encoding="utf-8")
    return path


@pytest.fixture
def home_plan(data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Client mode on Ada's plan, in the test's own data directory."""
    path = write_plan(tmp_path / "plan")
    monkeypatch.setenv("ROMCAM_HOME_PLAN", str(path))
    return path


def home_app(playing: bool = False) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=60)
    at.session_state[PLAYING] = playing
    return at


def progress_app() -> AppTest:
    return AppTest.from_string(PROGRESS, default_timeout=60)
