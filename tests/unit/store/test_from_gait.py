"""A walk's gait.json as measurements of the gait tests (no store, no model)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from romcam.core.assessments import GAIT_TEST_IDS, TESTS_BY_ID, assessment_test
from romcam.errors import InputError
from romcam.store import RecordingInput
from romcam.store.from_gait import GAIT_VALUES, gait_inputs
from romcam.store.from_results import NotMeasuredError


def _leg(n_cycles: int, **values: float | None) -> dict[str, Any]:
    leg: dict[str, Any] = {key: 10.0 for key, _ in GAIT_VALUES.values()}
    leg.update(values, n_cycles=n_cycles)
    return leg


def test_every_gait_test_has_its_gait_json_value() -> None:
    assert tuple(GAIT_VALUES) == GAIT_TEST_IDS
    assert not set(GAIT_TEST_IDS) & set(TESTS_BY_ID)  # not offered by `romcam measure`
    spec = assessment_test("gait_cadence").spec("right")
    assert (spec.id, spec.unit, spec.kind) == ("gait_cadence_right", "steps/min", "gait")


def test_values_per_leg_in_the_stored_units() -> None:
    doc = {
        "left": _leg(4, cadence_steps_per_min=108.0, step_time_s=0.555),
        "right": _leg(2, peak_hip_extension_deg=None),
    }
    inputs = gait_inputs(doc, phase="after")
    by = {(m.test, m.side): m for m in inputs}
    assert len(inputs) == 2 * len(GAIT_VALUES) - 1  # the right hip's null is not stored
    assert ("gait_hip_extension", "right") not in by
    assert by[("gait_cadence", "left")].value == 108.0
    assert by[("gait_step_time", "left")].value == pytest.approx(555.0)
    assert by[("gait_stance", "left")].quality_reason == ""
    assert by[("gait_stance", "right")].quality_reason == "from 2 whole cycles (fewer than 3)"
    for m in inputs:
        m.validate()
        assert m.phase == "after" and m.quality == "ok"


def test_a_front_view_or_empty_walk_is_refused() -> None:
    with pytest.raises(InputError, match="front-view walk"):
        gait_inputs({"view": "front", "left": {}, "right": {}}, phase="before")
    with pytest.raises(InputError, match=r"not a gait\.json"):
        gait_inputs({"left": {}}, phase="before")
    empty = {side: {key: None for key, _ in GAIT_VALUES.values()} for side in ("left", "right")}
    with pytest.raises(NotMeasuredError, match="no gait value"):
        gait_inputs(empty, phase="before")


def test_extra_recording_files_sit_beside_a_named_one(tmp_path: Path) -> None:
    (tmp_path / "gait.json").write_text("{}")
    (tmp_path / "cycles.csv").write_text("side\n")
    files = RecordingInput(angles=tmp_path / "cycles.csv", extras=(tmp_path / "gait.json",))
    assert files.files() == {"angles": tmp_path / "cycles.csv", "gait": tmp_path / "gait.json"}
    with pytest.raises(InputError, match="need a video, landmarks or angles file"):
        RecordingInput(extras=(tmp_path / "gait.json",)).files()
    with pytest.raises(InputError, match="its name is taken"):
        RecordingInput(angles=tmp_path / "cycles.csv", extras=(tmp_path / "video.mp4",)).files()
