"""Test-retest pairs from a real (SQLite) store, the per-test reliability and the MDC file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from romcam.errors import InputError
from romcam.outcomes.mdc import load_mdc_table
from romcam.outcomes.reliability import reliability
from romcam.outcomes.retest import (
    clinic_mdc_toml,
    retest_pairs,
    retest_summary,
    session_guide,
)
from romcam.store import Store
from tests.retest_seed import KNEE_PAIRS, knee_matrix, seed_retest_pairs


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path / 'romcam.db'}", root=tmp_path / "data") as s:
        seed_retest_pairs(s)
        yield s


def test_pairs_are_a_sessions_test_and_retest_means(store: Store) -> None:
    pairs = retest_pairs(store.measurements_frame())
    knee = pairs[pairs["test"] == "knee_flexion"]
    assert len(knee) == len(KNEE_PAIRS)
    ann_left = knee[(knee["client"] == "Ann") & (knee["side"] == "left")].iloc[0]
    # 130 and 132 counted, the rejected 90 not; the 'before' value is no pair.
    assert (ann_left["test_value"], ann_left["test_trials"]) == (131.0, 2)
    bo_left = knee[(knee["client"] == "Bo") & (knee["side"] == "left")].iloc[0]
    assert (bo_left["retest_value"], bo_left["retest_trials"]) == (117.0, 1)  # 60 excluded
    assert len(pairs[pairs["test"] == "shoulder_flexion"]) == 2


def test_summary_per_test_matches_the_reliability_of_its_pairs(store: Store) -> None:
    rows = {r.test: r for r in retest_summary(store.measurements_frame())}
    knee = rows["knee_flexion"]
    assert (knee.pairs, knee.clients) == (6, 3)
    expected = reliability(knee_matrix())
    assert knee.result is not None
    assert knee.result.mdc95 == pytest.approx(expected.mdc95)
    assert knee.result.icc_agreement.value == pytest.approx(expected.icc_agreement.value)
    assert knee.result.icc_agreement.lower == pytest.approx(expected.icc_agreement.lower)
    assert knee.warning is not None and "only 6 pairs" in knee.warning
    shoulder = rows["shoulder_flexion"]
    assert shoulder.clients == 1 and shoulder.warning is not None
    assert "one client" in shoulder.warning and "not meaningful" in shoulder.warning


def test_one_clients_pairs(store: Store) -> None:
    rows = retest_summary(store.measurements_frame(), client="bo")
    assert [(r.test, r.pairs) for r in rows] == [("knee_flexion", 2)]


def test_one_pair_gives_no_result_but_says_why(store: Store) -> None:
    frame = store.measurements_frame()
    shoulder_rows = frame["test"] == "shoulder_flexion"
    last = frame.loc[shoulder_rows, "session_id"].max()
    one = frame[~(shoulder_rows & (frame["session_id"] == last))]
    (shoulder,) = [r for r in retest_summary(one) if r.test == "shoulder_flexion"]
    assert shoulder.result is None and shoulder.problem is not None
    assert "at least 2 pairs" in shoulder.problem


def test_the_mdc_file_is_read_by_load_mdc_table(store: Store, tmp_path: Path) -> None:
    rows = retest_summary(store.measurements_frame())
    path = tmp_path / "clinic.toml"
    path.write_text(clinic_mdc_toml(rows, date(2026, 3, 20)))
    table = load_mdc_table(path)
    knee = table.lookup("knee_flexion")
    assert knee.mdc95 == pytest.approx(reliability(knee_matrix()).mdc95, abs=0.05)
    assert knee.source == "clinic test-retest, 6 pairs, 2026-03-20" and not knee.estimate
    assert table.lookup("elbow_flexion").mdc95 == 6.0  # tests without pairs keep the default


def test_nothing_to_adopt_says_how_to_record() -> None:
    with pytest.raises(InputError, match="phase 'test' and again in phase 'retest'"):
        clinic_mdc_toml([], date(2026, 3, 20))


def test_the_session_guide_says_what_to_record_next(store: Store) -> None:
    frame = store.measurements_frame()
    ann = frame[frame["client"] == "Ann"]
    first = ann[ann["session_id"] == ann["session_id"].min()]
    lines = session_guide(first)
    assert "Knee flexion (left): pair complete (test 131.0°, retest 134.0°)." in lines
    only_retest = first[~((first["side"] == "right") & (first["phase"] == "test"))]
    assert any(
        line.startswith("Knee flexion (right): has a 'retest' value but no 'test' value")
        for line in session_guide(only_retest)
    )
    assert session_guide(first[first["phase"] == "before"]) == []
