"""The one label of a test and side that people read (CLI tables, report, dashboard)."""

from __future__ import annotations

import math

import pytest

from romcam.core import assessments


@pytest.mark.parametrize(
    ("test", "side", "label"),
    [
        ("knee_flexion", "left", "Knee flexion (left)"),
        ("shoulder_abduction", "right", "Shoulder abduction (right)"),
        ("neck_flexion", None, "Neck flexion"),
        ("neck_flexion", math.nan, "Neck flexion"),  # a side column's empty cell
        ("neck_flexion", "", "Neck flexion"),
        ("old_test", "left", "old_test (left)"),  # unknown ids are shown as stored
    ],
)
def test_label_of_a_test_and_side(test: str, side: object, label: str) -> None:
    assert assessments.test_label(test, side) == label
