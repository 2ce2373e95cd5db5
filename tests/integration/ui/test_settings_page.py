"""Settings page under AppTest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from romcam.ui.settings import default_camera_fps
from tests.integration.ui.app_helpers import page_app


@pytest.fixture
def clean_env(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Registered so that monkeypatch restores whatever the page writes into the environment.
    for name in ("ROMCAM_DATABASE_URL", "ROMCAM_MODEL", "ROMCAM_CAMERA_FPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ROMCAM_DATA_DIR", str(data_dir))
    return data_dir


def test_defaults_come_from_the_environment(clean_env: Path) -> None:
    at = page_app("settings", "settings_page").run()
    assert not at.exception and not at.error
    assert at.text_input[1].value == str(clean_env)
    assert at.text_input[2].value == ""
    assert any("Model in use" in c.value for c in at.caption)
    assert at.number_input[0].value == default_camera_fps(os.cpu_count())


@pytest.mark.parametrize(("cpus", "fps"), [(1, 15), (2, 15), (4, 30), (16, 30)])
def test_the_default_camera_rate_suits_the_computer(cpus: int, fps: int) -> None:
    # On 2 cores the full model measures every frame of a 15 frames/s camera, not of a 30 one.
    assert default_camera_fps(cpus) == fps


@pytest.mark.parametrize(("text", "fps"), [("30", 30), ("12", 12), ("fast", None), ("90", None)])
def test_camera_rate_from_the_environment(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, text: str, fps: int | None
) -> None:
    monkeypatch.setenv("ROMCAM_CAMERA_FPS", text)
    at = page_app("settings", "settings_page").run()
    assert not at.exception and not at.error  # a bad value falls back to the default
    assert at.number_input[0].value == (fps or default_camera_fps(os.cpu_count()))


def test_saving_a_new_data_directory(clean_env: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "romcam"
    at = page_app("settings", "settings_page").run()
    at.text_input[1].set_value(str(target))
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert "saved" in at.success[0].value
    assert target.is_dir()
    assert os.environ["ROMCAM_DATA_DIR"] == str(target)


@pytest.mark.parametrize(
    ("field", "bad", "message"),
    [
        (1, "{file}/below-a-file", "cannot use"),
        (0, "{tmp}/missing.task", "does not exist"),
    ],
)
def test_bad_settings_are_refused_with_a_message(
    clean_env: Path, tmp_path: Path, field: int, bad: str, message: str
) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    at = page_app("settings", "settings_page").run()
    at.text_input[field].set_value(bad.format(file=a_file, tmp=tmp_path))
    at.button[0].click().run()
    assert not at.exception
    assert message in at.error[0].value
    assert os.environ["ROMCAM_DATA_DIR"] == str(clean_env)  # nothing applied


def test_missing_model_variant_offers_a_download(clean_env: Path) -> None:
    at = page_app("settings", "settings_page").run()
    at.selectbox[0].set_value("heavy")
    at.button[0].click().run()
    assert not at.exception
    assert "no heavy pose model" in at.warning[0].value
    assert any("Download the heavy model" in b.label for b in at.button)
