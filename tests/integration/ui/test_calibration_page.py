"""Calibration page under AppTest, and its upload steps on rendered pictures."""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import pytest

from romcam.calibration import list_profiles, load_profile
from romcam.calibration.profile import new_profile, save_profile
from romcam.calibration.render import marker_view, webcam
from romcam.calibration.targets import marker_page, render_png_array
from romcam.errors import CalibrationError
from romcam.ui.calibration import _gray, _level, _scale
from tests.integration.ui.app_helpers import page_app

TEXTURE_PX_PER_MM = 4
CAMERA = webcam(960, 540, fov_deg=60.0)


def _marker_upload(roll_deg: float, distance_mm: float) -> io.BytesIO:
    """A PNG 'upload' of the printed marker seen by a rolled camera at a known distance."""
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
    ok, png = cv2.imencode(".png", image)
    assert ok
    upload = io.BytesIO(png.tobytes())
    upload.name = "wall.png"
    return upload


def test_empty_page_offers_to_create_and_download_targets(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    assert not at.exception and not at.error
    assert "No calibration profile yet" in at.info[0].value
    assert len(at.get("download_button")) == 2


def test_typed_level_creates_a_profile(data_dir: Path) -> None:
    at = page_app("calibration", "calibration_page").run()
    at.text_input(key="cal_name").set_value("laptop lid").run()
    at.number_input(key="cal_deg").set_value(2.5).run()
    at.button(key="cal_level_btn").click().run()
    assert not at.exception and not at.error
    assert "Roll +2.50 deg saved" in at.success[0].value
    assert load_profile("laptop lid").roll_deg == pytest.approx(2.5)


def test_profiles_are_listed_and_deleted(data_dir: Path) -> None:
    save_profile(new_profile("tripod").with_source("level", "typed", roll_deg=-1.0))
    at = page_app("calibration", "calibration_page").run()
    table = at.dataframe[0].value
    assert table["profile"].tolist() == ["tripod"]
    assert table["roll (deg)"].tolist() == [-1.0]
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
