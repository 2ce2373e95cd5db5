"""Calibration profiles: JSON round trip, listing, safe file names and clear errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from romcam.calibration.profile import (
    CalibrationProfile,
    list_profiles,
    load_or_new_profile,
    load_profile,
    new_profile,
    profile_from_dict,
    profile_path,
    profile_to_dict,
    save_profile,
)
from romcam.errors import CalibrationError, InputError


def full_profile(name: str = "Clinic tripod") -> CalibrationProfile:
    return CalibrationProfile(
        name=name,
        created="2026-11-23T10:00:00+00:00",
        roll_deg=-1.25,
        pitch_deg=6.5,
        px_per_cm=4.2,
        scale_image_size=(1280, 720),
        camera_matrix=np.array([[900.0, 0, 640], [0, 900, 360], [0, 0, 1]]),
        dist_coeffs=np.array([-0.2, 0.05, 0.0, 0.0, 0.0]),
        image_size=(1280, 720),
        reprojection_error_px=0.31,
        sources="level: typed",
        notes="room 2",
    )


def test_round_trip(data_dir: Path) -> None:
    profile = full_profile()
    path = save_profile(profile)
    assert path.parent == data_dir / "calibration"
    assert path.name.startswith("Clinic_tripod-") and path.suffix == ".json"  # + name's hash
    loaded = load_profile("Clinic tripod")
    assert loaded == profile
    np.testing.assert_array_equal(loaded.camera_matrix, profile.camera_matrix)
    np.testing.assert_array_equal(loaded.dist_coeffs, profile.dist_coeffs)
    assert json.loads(path.read_text())["format"] == "romcam-calibration-profile"


def test_list_and_load_or_new(data_dir: Path) -> None:
    assert list_profiles() == []
    save_profile(full_profile("b"))
    save_profile(new_profile("a"))
    assert list_profiles() == ["a", "b"]
    assert load_or_new_profile("b").px_per_cm == 4.2
    fresh = load_or_new_profile("c")
    assert fresh.roll_deg is None and not fresh.has_lens


def test_name_cannot_escape_the_directory(data_dir: Path) -> None:
    path = save_profile(new_profile("../../etc/passwd"))
    assert path.parent == data_dir / "calibration"
    assert profile_path("../../etc/passwd") == path


def test_missing_profile_names_the_known_ones(data_dir: Path) -> None:
    save_profile(new_profile("laptop"))
    with pytest.raises(
        CalibrationError, match=r"no calibration profile named 'x' \(known: laptop\)"
    ):
        load_profile("x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "unreadable or not JSON"),
        ("[1, 2]", "does not hold a JSON object"),
        ('{"format": "other"}', "not a romcam calibration profile"),
        ('{"format": "romcam-calibration-profile", "version": 99}', "version 99 is not supported"),
        ('{"format": "romcam-calibration-profile", "version": 1}', "missing or malformed field"),
    ],
)
def test_corrupt_file(data_dir: Path, text: str, message: str) -> None:
    profile_path("bad").write_text(text)
    with pytest.raises(CalibrationError, match=message):
        load_profile("bad")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "non-empty name"),
        ({"px_per_cm": -1.0}, "px_per_cm must be > 0"),
        ({"roll_deg": float("nan")}, "roll_deg must be finite"),
        ({"dist_coeffs": None}, "must be given together"),
        ({"camera_matrix": np.eye(2)}, r"finite \(3, 3\) matrix"),
        ({"dist_coeffs": np.zeros(3)}, "4, 5, 8, 12 or 14"),
        ({"image_size": None}, "needs its image_size"),
    ],
)
def test_invalid_profiles(changes: dict, message: str) -> None:
    with pytest.raises(CalibrationError, match=message):
        replace(full_profile(), **changes)


def test_scale_follows_the_video_size() -> None:
    profile = full_profile()
    assert profile.px_per_cm_at(1280, 720) == pytest.approx(4.2)
    assert profile.px_per_cm_at(640, 360) == pytest.approx(2.1)
    assert new_profile("x").px_per_cm_at(640, 360) is None


def test_with_source_replaces_that_part_only() -> None:
    updated = full_profile().with_source("level", "marker in wall.png", roll_deg=0.5)
    assert updated.roll_deg == 0.5
    assert updated.sources.splitlines() == ["level: marker in wall.png"]
    again = updated.with_source("scale", "10 cm marker")
    assert again.sources.splitlines() == ["level: marker in wall.png", "scale: 10 cm marker"]


def test_dict_round_trip_without_lens() -> None:
    profile = new_profile("typed")
    assert profile_from_dict(profile_to_dict(profile)) == profile


def test_names_with_the_same_safe_form_get_files_of_their_own(data_dir: Path) -> None:
    """ "山田" and "田中" both have the safe form "unnamed": neither may replace the other."""
    for name, roll in (("山田", 1.0), ("田中", 2.0), ("Room 2", 3.0), ("Room_2", 4.0)):
        save_profile(replace(new_profile(name), roll_deg=roll))
    assert list_profiles() == sorted(["山田", "田中", "Room 2", "Room_2"])
    assert [load_profile(n).roll_deg for n in ("山田", "田中", "Room 2", "Room_2")] == [
        1.0,
        2.0,
        3.0,
        4.0,
    ]
    assert len({profile_path(n) for n in ("山田", "田中", "Room 2", "Room_2")}) == 4


def test_a_profile_an_earlier_romcam_saved_under_its_safe_form_is_still_used(
    data_dir: Path,
) -> None:
    legacy = profile_path("x").parent / "Clinic_tripod.json"
    legacy.write_text(json.dumps(profile_to_dict(full_profile("Clinic tripod"))))
    assert profile_path("Clinic tripod") == legacy
    save_profile(replace(load_profile("Clinic tripod"), roll_deg=5.0))
    assert json.loads(legacy.read_text())["roll_deg"] == 5.0
    with pytest.raises(CalibrationError, match="already holds the calibration profile"):
        save_profile(new_profile("Clinic_tripod"))  # would replace "Clinic tripod"
    assert load_profile("Clinic tripod").roll_deg == 5.0


@pytest.mark.parametrize("name", ["bell\x07\x1b[31mred", "abc\u202edcba"])
def test_control_and_bidi_characters_are_refused_in_a_profile_name(name: str) -> None:
    with pytest.raises(InputError, match="calibration profile name contains the character"):
        new_profile(name)
