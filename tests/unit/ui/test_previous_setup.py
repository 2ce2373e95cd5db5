"""romcam.ui.previous_setup on a real SQLite store: the set-up to repeat is the same client's
last earlier visit of the same test and side (its counted trials combined), or, for trials
stored before set-ups were kept, the set-up of their stored landmark file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from romcam.core.setup_geometry import CameraSetup, camera_setup
from romcam.core.synthetic import synthetic_pose
from romcam.media.landmark_csv import write_landmarks_csv
from romcam.store import Store
from romcam.store.records import MeasurementInput, RecordingInput
from romcam.ui.previous_setup import previous_setup_for

TEST, SIDE = "shoulder_abduction", "left"


def _setup(distance: float) -> dict[str, float | str]:
    return {"distance_m": distance, "camera_height_m": 0.1, "yaw_deg": 2.0, "roll_deg": 0.0}


def _trial(setup: dict[str, float | str] | None, side: str = SIDE) -> MeasurementInput:
    return MeasurementInput(test=TEST, side=side, phase="before", value=150.0, setup=setup)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(f"sqlite:///{tmp_path / 'romcam.db'}", root=tmp_path / "data")
    yield opened
    opened.close()


def test_last_earlier_visit_of_the_same_test_and_side(store: Store) -> None:
    client = store.add_client("Ann")
    first = store.start_session(client, started_at=datetime(2026, 11, 12, 9))
    second = store.start_session(client, started_at=datetime(2026, 11, 26, 9))
    today = store.start_session(client, started_at=datetime(2026, 12, 3, 9))
    store.add_measurement(first.id, _trial(_setup(2.0)))
    for distance in (2.4, 2.6, 2.5):
        store.add_measurement(second.id, _trial(_setup(distance)))
    left_out = store.add_measurement(second.id, _trial(_setup(9.0)))
    store.exclude_measurement(left_out.id, "stepped out of the frame")
    store.add_measurement(second.id, _trial(_setup(5.0), side="right"))
    store.add_measurement(today.id, _trial(_setup(3.0)))

    found = previous_setup_for(store, client.id, today.id, TEST, SIDE)
    assert found is not None and found.label == "last visit (26 Nov 2026)"
    assert found.setup.distance_m == pytest.approx(2.5)  # median of the counted trials
    earlier = previous_setup_for(store, client.id, second.id, TEST, SIDE)
    assert earlier is not None and earlier.setup.distance_m == pytest.approx(2.0)
    assert previous_setup_for(store, client.id, first.id, TEST, SIDE) is None
    assert previous_setup_for(store, client.id, today.id, "elbow_flexion", SIDE) is None
    assert previous_setup_for(store, None, today.id, TEST, SIDE) is None
    assert previous_setup_for(None, client.id, today.id, TEST, SIDE) is None


def test_a_trial_stored_without_a_setup_uses_its_landmark_file(
    store: Store, tmp_path: Path
) -> None:
    pose = synthetic_pose(
        {"shoulder_abduction_left": np.linspace(10, 150, 45)}, image_size=(640, 360), px_per_m=150
    )
    landmarks = write_landmarks_csv(tmp_path / "landmarks.csv", pose)
    client = store.add_client("Ben")
    old = store.start_session(client, started_at=datetime(2026, 10, 1, 9))
    store.add_measurement(old.id, _trial(None), RecordingInput(landmarks=landmarks))
    found = previous_setup_for(store, client.id, None, TEST, SIDE)
    expected = camera_setup(pose)
    assert found is not None and expected is not None
    assert isinstance(found.setup, CameraSetup)
    assert found.setup.distance_m == pytest.approx(expected.distance_m, rel=1e-6)
    assert found.setup.ghost_points.keys() == expected.ghost_points.keys()


def test_a_setup_round_trips_through_the_store(store: Store) -> None:
    found = camera_setup(synthetic_pose({}, n_frames=10, yaw_deg=80.0, roll_deg=1.0))
    assert found is not None
    session = store.start_session(store.add_client("Cy"))
    saved = store.add_measurement(session.id, _trial(found.to_dict()))
    assert store.get_measurement(saved.id).setup == found.to_dict()
    [row] = store.measurements_frame(session_id=session.id)["setup"]
    assert CameraSetup.from_dict(row).to_dict() == found.to_dict()
