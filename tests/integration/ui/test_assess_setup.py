"""The Assess page and the camera set-up (AppTest, no camera): the client's last visit of the
chosen test and side is handed to the live processor for its ghost, and a captured trial is
stored with its own set-up."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from romcam.core.setup_geometry import camera_setup
from romcam.core.synthetic import synthetic_pose
from romcam.store import MeasurementInput, Store
from tests.integration.ui.test_assess_page import _app, _processor, _trial


@pytest.fixture
def visits(data_dir: Path) -> tuple[int, int]:
    """A client with last visit's right shoulder abduction (with its set-up) and today's
    session; (earlier session id, today's session id)."""
    setup = camera_setup(synthetic_pose({}, n_frames=10, px_per_m=200.0))
    assert setup is not None
    with Store.open() as store:
        client = store.add_client("Set-up Client")
        earlier = store.start_session(client.id, started_at=datetime(2026, 11, 26, 9))
        trial = MeasurementInput(
            "shoulder_abduction", "right", "before", 150.0, setup=setup.to_dict()
        )
        store.add_measurement(earlier.id, trial)
        today = store.start_session(client.id)
    return earlier.id, today.id


def test_last_visits_setup_goes_to_the_live_view(visits: tuple[int, int]) -> None:
    at = _app().run()
    at.selectbox(key="assess_test").set_value("shoulder_abduction").run()
    at.radio(key="assess_side").set_value("right").run()
    assert not at.exception
    previous = _processor(at).previous_setup
    assert previous is not None and previous.label == "last visit (26 Nov 2026)"
    assert "left_shoulder" in previous.setup.ghost_points
    at.radio(key="assess_side").set_value("left").run()  # never measured: no ghost
    assert _processor(at).previous_setup is None


def test_a_captured_trial_is_stored_with_its_setup(visits: tuple[int, int], tmp_path: Path) -> None:
    at = _app(playing=True).run()
    at.selectbox(key="assess_test").set_value("shoulder_abduction").run()
    at.radio(key="assess_side").set_value("right").run()
    setup: dict[str, float | str] = {"distance_m": 2.5, "yaw_deg": 1.0, "roll_source": "body"}
    _processor(at).results.put(replace(_trial(tmp_path), setup=setup))
    at.run()
    assert not at.exception and not at.error
    with Store.open() as store:
        [m] = store.list_measurements(visits[1])
    assert m.setup == setup
