"""A comparison whose two measurements were taken from camera set-ups that differ beyond
tolerance says so in one sentence: the Review and Progress pages (AppTest) and ``romcam
compare`` / ``romcam progress`` (the real command), against a real SQLite store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from romcam.cli import main
from romcam.store import MeasurementInput, Store
from romcam.ui.current import session_key
from tests.integration.ui.app_helpers import page_app

A = {"distance_m": 2.5, "camera_height_m": 0.1, "yaw_deg": 0.0, "roll_deg": 0.0, "torso_x": 0.5}
B = {**A, "distance_m": 3.1}  # 0.6 m further: beyond the 10 % tolerance
C = {**B, "roll_deg": 4.0}  # B tilted 4 deg: beyond the 2 deg tolerance
BA_NOTE = (
    "Shoulder abduction (right): Different camera set-up from the earlier measurement "
    "(tilted 4°): part of the change may come from the set-up."
)
PROGRESS_NOTE = (
    "Shoulder abduction (right): Different camera set-up from the earlier measurement "
    "(0.6 m further): part of the change may come from the set-up."
)


@pytest.fixture
def visits(data_dir: Path) -> int:
    """Visit 1 before (set-up A); visit 2 before (B) and after (C); the second session's id."""
    with Store.open() as store:
        client = store.add_client("Camera Client")
        first = store.start_session(client.id, started_at=datetime(2026, 11, 5, 9))
        second = store.start_session(client.id, started_at=datetime(2026, 11, 26, 9))
        for session, phase, value, setup in [
            (first, "before", 120.0, A),
            (second, "before", 150.0, B),
            (second, "after", 160.0, C),
        ]:
            trial = MeasurementInput("shoulder_abduction", "right", phase, value, setup=setup)
            store.add_measurement(session.id, trial)
        return second.id


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_review_says_the_before_and_after_setups_differ(visits: int) -> None:
    at = page_app("review", "review_page").run()
    with Store.open() as store:
        client_id = store.get_session(visits).client_id
    at.sidebar.selectbox(key=session_key(client_id)).set_value(visits).run()
    assert not at.exception and not at.error
    assert BA_NOTE in _captions(at)


def test_progress_says_the_first_and_latest_setups_differ(visits: int) -> None:
    at = page_app("progress", "progress_page").run()
    assert not at.exception and not at.error
    assert PROGRESS_NOTE in _captions(at)


def test_compare_and_progress_commands_print_it(
    visits: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", str(visits)]) == 0
    assert BA_NOTE in capsys.readouterr().out
    assert main(["progress", "Camera Client"]) == 0
    assert PROGRESS_NOTE in capsys.readouterr().out


def test_the_same_setup_says_nothing(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Store.open() as store:
        session = store.start_session(store.add_client("Steady Client").id)
        for phase, value in (("before", 120.0), ("after", 130.0)):
            store.add_measurement(
                session.id, MeasurementInput("shoulder_abduction", "right", phase, value, setup=A)
            )
    assert main(["compare", str(session.id)]) == 0
    assert "camera set-up" not in capsys.readouterr().out
