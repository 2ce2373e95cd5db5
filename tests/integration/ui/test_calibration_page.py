"""Calibration page under AppTest, and its upload steps on rendered pictures."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from romcam.calibration import list_profiles, load_profile
from romcam.calibration.markers import find_marker
from romcam.calibration.profile import new_profile, save_profile
from romcam.calibration.render import marker_view, webcam
from romcam.calibration.targets import marker_page, render_png_array
from romcam.errors import CalibrationError
from romcam.ui.calibration import _gray, _level, _scale
from tests.integration.ui.app_helpers import page_app

TEXTURE_PX_PER_MM = 4
CAMERA = webcam(960, 540, fov_deg=60.0)


def _picture(roll_deg: float, distance_mm: float) -> np.ndarray:
    """(H, W) grey picture of the printed marker seen by a rolled camera at a known distance."""
    layout = marker_page()
    image, _ = marker_view(
        CAMERA,
        render_png_array(layout, TEXTURE_PX_PER_MM),
        TEXTURE_PX_PER_MM,
        (layout.width_mm, layout.height_mm),
        (layout.width_mm / 2, 110.0),
        roll_deg=roll_deg,
        distance_mm=distance_mm,
    )
    return image


def _marker_upload(roll_deg: float, distance_mm: float) -> io.BytesIO:
    """A PNG 'upload' of :func:`_picture`."""
    ok, png = cv2.imencode(".png", _picture(roll_deg, distance_mm))
    assert ok
    upload = io.BytesIO(png.tobytes())
    upload.name = "wall.png"
    return upload


def test_empty_page_offers_to_create_and_download_targets(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    assert not at.exception and not at.error
    assert "No calibration profile yet" in at.info[0].value
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [
        "Download the lens checkerboard (PDF)",
        "Download the level and scale marker (PDF)",
    ]


def test_the_steps_are_there_on_a_fresh_page_with_a_name_offered(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    assert [t.label for t in at.tabs] == ["Level", "Scale", "Lens"]
    assert at.text_input(key="cal_name").value == "clinic"
    assert at.number_input(key="cal_deg") is not None
    assert at.button(key="cal_level_btn").disabled  # nothing to save yet
    at.number_input(key="cal_deg").set_value(1.0).run()
    assert not at.button(key="cal_level_btn").disabled


def test_the_last_updated_profile_is_offered(data_dir: Path) -> None:
    save_profile(replace(new_profile("tripod"), created="2026-01-02T10:00:00+00:00"))
    save_profile(replace(new_profile("laptop"), created="2026-03-04T10:00:00+00:00"))
    save_profile(replace(new_profile("wall"), created="2025-05-06T10:00:00+00:00"))
    at = page_app("calibration", "calibration_page").run()
    assert at.text_input(key="cal_name").value == "laptop"


def test_a_blank_name_cannot_be_saved_and_says_why(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    at.text_input(key="cal_name").set_value("  ").run()
    at.number_input(key="cal_deg").set_value(2.0).run()
    assert at.button(key="cal_level_btn").disabled
    assert "Type a profile name" in at.warning[0].value


def test_typed_level_creates_a_profile_listed_at_once(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    at.text_input(key="cal_name").set_value("laptop lid").run()
    at.number_input(key="cal_deg").set_value(2.5).run()
    at.button(key="cal_level_btn").click().run()
    assert not at.exception and not at.error
    assert "Sideways tilt +2.50° (typed from a phone level) saved" in at.success[0].value
    assert load_profile("laptop lid").roll_deg == pytest.approx(2.5)
    # The list below the title is drawn after the step: no stale "no profile yet".
    assert not any("No calibration profile yet" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert table["Profile"].tolist() == ["laptop lid"]
    assert table["Sideways tilt"].tolist() == ["+2.5°"]


def test_the_tilt_sign_is_said_in_the_picture_and_the_client_terms(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    note = next(c.value for c in at.caption if "level line" in c.value)
    assert "Positive = the camera's right side is lower" in note
    assert "the right of the picture, the client's left" in note
    assert "rises to the right in the picture" in note
    assert at.number_input(key="cal_deg").help == note


def test_tilt_sign_matches_a_picture_of_a_camera_with_its_right_side_lower(
    data_dir: Path,
) -> None:
    # marker_view renders what a camera rolled by +4 deg sees; the page's sign text says that
    # camera has its right side lower, so the level line (the marker's top edge) must rise
    # to the right in the picture: its right corner has the smaller row (y down).
    corners = find_marker(_picture(roll_deg=4.0, distance_mm=1500.0))
    top_left, top_right = corners[0], corners[1]
    assert top_right[0] > top_left[0] and top_right[1] < top_left[1]
    message = _level(new_profile("sign"), _marker_upload(roll_deg=4.0, distance_mm=1500.0), None)
    assert "Sideways tilt +4" in message


def test_profiles_are_listed_in_words_and_deleted(data_dir: Path) -> None:
    save_profile(new_profile("tripod").with_source("level", "typed", roll_deg=-1.0))
    at = page_app("calibration", "calibration_page").run()
    table = at.dataframe[0].value
    assert table["Profile"].tolist() == ["tripod"]
    assert table["Sideways tilt"].tolist() == ["-1.0°"]
    assert table["Scale"].tolist() == ["not measured"]  # not "None"
    assert not table.isna().to_numpy().any()
    at.button(key="cal_delete_btn").click().run()
    assert not at.exception
    assert list_profiles() == []


def test_marker_photo_gives_roll_and_scale(data_dir: Path) -> None:
    profile = new_profile("clinic")
    message = _level(profile, _marker_upload(roll_deg=4.0, distance_mm=1500.0), None)
    assert "saved" in message
    saved = load_profile("clinic")
    assert saved.roll_deg == pytest.approx(4.0, abs=0.5)
    _scale(saved, _marker_upload(roll_deg=0.0, distance_mm=1500.0), 10.0)
    truth = CAMERA.camera_matrix[0, 0] * 10.0 / 1500.0  # px per cm face-on at 1.5 m
    assert load_profile("clinic").px_per_cm == pytest.approx(truth, rel=0.02)
    assert load_profile("clinic").roll_deg == pytest.approx(4.0, abs=0.5)


def test_an_upload_that_is_not_an_image_is_a_clear_error() -> None:
    upload = io.BytesIO(b"not a picture")
    upload.name = "notes.txt"
    with pytest.raises(CalibrationError, match=r"notes\.txt is not an image"):
        _gray(upload)
