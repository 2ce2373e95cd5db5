"""The client's home check under AppTest: a plan file for Ada (two tests, an exercise, the
clinic's last value and a target) and the pages run with a camera that only says whether it
plays."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.unit.home.plans import RAISE, ada_plan, write_plan

__all__ = ["RAISE", "ada_plan", "home_app", "home_plan", "progress_app", "write_plan"]

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
