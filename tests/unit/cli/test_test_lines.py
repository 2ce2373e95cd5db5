"""The tests' lines `romcam analyze --test` prints: a compensated end range says why its
clean range is lower."""

from __future__ import annotations

from romcam.cli.analyze import lines_for_tests
from romcam.core import summary

NOTE = "trunk leaned 15° sideways at the end range: clean range 163° of 170°"


def report(note: str | None) -> summary.TestReport:
    return {
        "test": "shoulder_abduction",
        "side": "left",
        "metric": "shoulder_abduction_left",
        "end_range": 163.3 if note else 170.0,
        "quality": "ok",
        "reason": None,
        "hold_s": 1.5,
        "time_s": 4.0,
        "end_range_with_compensation": 170.0,
        "compensation": {"trunk_lateral_lean": 15.0 if note else 2.0},
        "compensation_note": note,
    }


def test_a_compensated_end_range_is_followed_by_its_note() -> None:
    lines = lines_for_tests([report(NOTE)])
    assert len(lines) == 2 and "163.3" in lines[0] and lines[1] == f"  {NOTE}"


def test_a_clean_end_range_is_one_line() -> None:
    lines = lines_for_tests([report(None)])
    assert len(lines) == 1 and "170.0" in lines[0]
