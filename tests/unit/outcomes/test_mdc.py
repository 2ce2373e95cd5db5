"""The MDC95 table: defaults, file and argument overrides, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from romcam.core.assessments import TESTS
from romcam.errors import InputError
from romcam.outcomes.mdc import (
    DEFAULT_ENTRIES,
    MDC_FILE_ENV,
    MdcTable,
    clinic_mdc_path,
    load_mdc_table,
    mdc_file_in_use,
    parse_override,
)


def test_every_catalogue_test_has_a_sourced_entry() -> None:
    table = MdcTable()
    for test in TESTS:
        entry = table.lookup(test.id)
        assert entry.test == test.id, f"{test.id} falls back to the default"
        assert entry.source and 0 < entry.mdc95 <= 15
    assert len({e.test for e in DEFAULT_ENTRIES}) == len(DEFAULT_ENTRIES)


def test_unknown_test_uses_the_fallback() -> None:
    entry = MdcTable().lookup("wrist_flexion")
    assert entry.test == "default" and entry.estimate


def test_toml_file_then_arguments(tmp_path: Path) -> None:
    path = tmp_path / "mdc.toml"
    path.write_text(
        "[mdc]\nknee_flexion = 5.5\ndefault = 12\n"
        '[mdc.shoulder_flexion]\nmdc95 = 8.0\nsource = "our clinic 2025"\n'
    )
    table = load_mdc_table(path, overrides={"knee_flexion": 4.0})
    assert table.mdc("knee_flexion") == 4.0
    assert table.lookup("shoulder_flexion").source == "our clinic 2025"
    assert not table.lookup("shoulder_flexion").estimate
    assert table.mdc("wrist_flexion") == 12.0
    assert table.mdc("neck_rotation") == MdcTable().mdc("neck_rotation")


def test_json_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "mdc.json"
    path.write_text(json.dumps({"hip_flexion": 7}))
    monkeypatch.setenv(MDC_FILE_ENV, str(path))
    assert load_mdc_table().mdc("hip_flexion") == 7.0


def test_parse_override() -> None:
    assert parse_override(" knee_flexion = 6 ") == ("knee_flexion", 6.0)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("knee_flexion", "TEST=DEGREES"),
        ("knee_flexion=abc", "TEST=DEGREES"),
        ("=5", "TEST=DEGREES"),
        ("knee_flexion=-2", "TEST=DEGREES"),
        ("knee_flexion=nan", "TEST=DEGREES"),
    ],
)
def test_bad_overrides(text: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        parse_override(text)


@pytest.mark.parametrize(
    ("content", "suffix", "match"),
    [
        ("knee_flexion = ", ".toml", "not valid TOML/JSON"),
        ("[1, 2]", ".json", "must hold a table"),
        ('knee_flexion = "wide"', ".toml", "must be a number"),
        ("knee_flexion = 0", ".toml", "positive number"),
        ("mdc = 3", ".toml", "'mdc' in"),
    ],
)
def test_bad_files(tmp_path: Path, content: str, suffix: str, match: str) -> None:
    path = tmp_path / f"mdc{suffix}"
    path.write_text(content)
    with pytest.raises(InputError, match=match):
        load_mdc_table(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the MDC file"):
        load_mdc_table(tmp_path / "nope.toml")


def test_corrected_values_cite_the_studies_that_give_them() -> None:
    """Issue 15, part 6: each value as its source reports it (the old table had knee 7,
    hip abduction 8, neck flexion 7, craniovertebral angle 4, and cited reviews with no MDC)."""
    table = MdcTable()
    expected = {
        "knee_flexion": (10.0, "Hancock, Hepworth & Wembridge 2018, J Exp Orthop"),
        "hip_flexion": (9.7, "Pua, Wrigley, Cowan & Bennell 2008"),
        "hip_abduction": (9.5, "Pua, Wrigley, Cowan & Bennell 2008"),
        "shoulder_flexion": (9.5, "Kolber, Vega, Widmayer & Cheng 2011"),
        "elbow_flexion": (6.0, "Armstrong, MacDermid"),
        "neck_flexion": (9.6, "Fletcher & Bandy 2008"),
        "posture_side": (6.0, "Gallego-Izquierdo et al. 2020"),
    }
    for test, (mdc95, source) in expected.items():
        entry = table.lookup(test)
        assert entry.mdc95 == mdc95, test
        assert source in entry.source, test
    for entry in DEFAULT_ENTRIES:
        assert "Gajdosik" not in entry.source and "Kolber & Hanney" not in entry.source
    assert not table.lookup("hip_flexion").estimate
    assert table.lookup("posture_side").estimate  # adapted: romcam uses the shoulder, not C7


def test_the_clinic_file_in_the_data_dir_is_used_unless_another_is_named(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MDC_FILE_ENV, raising=False)
    assert mdc_file_in_use() is None
    clinic = clinic_mdc_path()
    assert clinic.parent == data_dir
    clinic.write_text('[mdc.knee_flexion]\nmdc95 = 7.5\nsource = "clinic test-retest"\n')
    assert mdc_file_in_use() == clinic
    assert load_mdc_table().lookup("knee_flexion").source == "clinic test-retest"
    named = tmp_path / "other.toml"
    named.write_text("knee_flexion = 12\n")
    monkeypatch.setenv(MDC_FILE_ENV, str(named))
    assert load_mdc_table().mdc("knee_flexion") == 12.0
    assert load_mdc_table(clinic).mdc("knee_flexion") == 7.5
