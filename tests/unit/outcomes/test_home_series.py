"""Home checks beside the clinic's visits: the visits (first vs latest, trend, verdict) stay
clinic-to-clinic; the home checks are one value per home day, test and side."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from romcam.outcomes.compare import progress, visit_series
from romcam.outcomes.home import HOME_COLUMNS, clinic_measurements, home_series
from tests.unit.outcomes.test_compare import row


def _history() -> pd.DataFrame:
    """Clinic visits on days 0 and 20 (120 -> 130), home checks on days 5 and 12 (two trials
    on day 12: 150 and 154) far above them, a home value a clinic comparison must not use."""
    rows = [
        row(1, "before", "shoulder_flexion", "right", 120.0, day=0) | {"source": "live"},
        row(2, "home", "shoulder_flexion", "right", 160.0, day=5) | {"source": "home"},
        row(3, "home", "shoulder_flexion", "right", 150.0, day=12) | {"source": "home"},
        row(3, "home", "shoulder_flexion", "right", 154.0, day=12, minute=1) | {"source": "home"},
        row(4, "before", "shoulder_flexion", "right", 130.0, day=20) | {"source": "video"},
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("phase", ["before", None])
def test_visits_and_progress_are_clinic_to_clinic(phase: str | None) -> None:
    frame = _history()
    series = visit_series(frame, phase=phase)
    assert series["session_id"].tolist() == [1, 4]
    [summary] = progress(frame, phase=phase).itertuples(index=False)
    assert (summary.visits, summary.first, summary.latest, summary.best) == (2, 120, 130, 130)
    assert summary.change == pytest.approx(10.0)


def test_home_series_is_one_value_per_home_day() -> None:
    home = home_series(_history())
    assert list(home.columns) == HOME_COLUMNS
    assert home["session_id"].tolist() == [2, 3]
    assert home["value"].tolist() == pytest.approx([160.0, 152.0])
    assert home["n"].tolist() == [1, 2]
    assert math.isnan(home["sd"].iloc[0]) and home["sd"].iloc[1] == pytest.approx(2.828, abs=1e-3)
    assert home["side"].tolist() == ["right", "right"]


def test_a_frame_without_home_checks_or_a_source_column() -> None:
    frame = _history()
    clinic = clinic_measurements(frame)
    assert home_series(clinic).empty and list(home_series(clinic).columns) == HOME_COLUMNS
    no_source = clinic.drop(columns="source")
    assert clinic_measurements(no_source).equals(no_source)
    assert home_series(no_source).empty
