"""A compensated synthetic trial stored through the one adapter (``store/from_results``) in a
real SQLite store: its value is the clean range and its compensation peaks come back."""

from __future__ import annotations

from pathlib import Path

import pytest

from romcam.store import Store
from romcam.store.from_results import attempt_from_summary, measurement_input
from tests.unit.core.test_compensation import LEAN, abduction_summary


def test_the_clean_range_and_the_peaks_are_stored(tmp_path: Path) -> None:
    entry = abduction_summary(LEAN)
    attempt = attempt_from_summary(entry)  # type: ignore[arg-type]
    measurement = measurement_input(
        attempt, phase="before", source="video", calibration=None, keep_rejected=False
    )
    url = f"sqlite:///{tmp_path / 'romcam.db'}"
    with Store.open(url, root=tmp_path / "files") as store:
        session = store.start_session(store.add_client("Cleo"))
        stored = store.add_measurement(session.id, measurement)
        back = store.get_measurement(stored.id)
    assert back.value == pytest.approx(entry["value"]) and back.value < 165
    assert back.held_max == pytest.approx(entry["value_with_compensation"])
    assert back.compensation is not None
    assert back.compensation["trunk_lateral_lean"] == pytest.approx(15.0, abs=1.5)
