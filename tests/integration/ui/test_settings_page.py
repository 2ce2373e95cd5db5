"""Settings page under AppTest: the form, the environment's say, the settings saved per user."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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


# --- settings saved per user (issue 13) ---


def _settings_file(home: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((home / "settings.json").read_text(encoding="utf-8"))
    return data


def _save(at: AppTest) -> AppTest:
    next(b for b in at.button if b.label == "Save settings").click().run()
    return at


def test_saved_settings_are_there_in_a_new_browser_session(clean_env: Path) -> None:
    at = page_app("settings", "settings_page").run()
    assert not any("browser session" in c.value for c in at.caption)
    at.number_input[0].set_value(10)
    at.radio[0].set_value("environment")
    _save(at)
    assert not at.exception and not at.error
    assert "used every time" in at.success[0].value
    saved = clean_env / "settings.json"
    assert _settings_file(clean_env)["camera_fps"] == 10
    assert saved.stat().st_mode & 0o077 == 0  # it may hold a database password
    again = page_app("settings", "settings_page").run()  # a reload: a new session state
    assert not again.exception and not again.warning
    assert again.number_input[0].value == 10
    assert again.radio[0].value == "environment"
    assert any(str(saved) in c.value for c in again.caption)


def test_the_settings_file_stays_home_when_the_data_directory_moves(
    clean_env: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    at = page_app("settings", "settings_page").run()
    at.text_input[1].set_value(str(elsewhere))
    at.number_input[0].set_value(20)
    _save(at)
    assert not at.exception and not at.error
    assert _settings_file(clean_env)["data_dir"] == str(elsewhere)
    assert not (elsewhere / "settings.json").exists()
    # The page moved ROMCAM_DATA_DIR; a new session still finds the file where it was.
    again = page_app("settings", "settings_page").run()
    assert again.text_input[1].value == str(elsewhere)
    assert again.number_input[0].value == 20
    assert os.environ["ROMCAM_DATA_DIR"] == str(elsewhere)


def test_the_environment_wins_over_saved_settings_and_says_so(
    clean_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_env.mkdir(parents=True, exist_ok=True)
    saved_db = f"sqlite:///{tmp_path / 'saved.db'}"
    (clean_env / "settings.json").write_text(
        json.dumps({"camera_fps": 10, "database_url": saved_db}), encoding="utf-8"
    )
    env_db = f"sqlite:///{tmp_path / 'from-env.db'}"
    monkeypatch.setenv("ROMCAM_CAMERA_FPS", "25")
    monkeypatch.setenv("ROMCAM_DATABASE_URL", env_db)
    at = page_app("settings", "settings_page").run()
    assert not at.exception and not at.error
    assert at.number_input[0].value == 25 and at.number_input[0].disabled
    assert at.text_input[2].value == env_db and at.text_input[2].disabled
    notes = " ".join(c.value for c in at.caption)
    assert "Set by the environment variable ROMCAM_CAMERA_FPS" in notes
    assert "Set by the environment variable ROMCAM_DATABASE_URL" in notes
    at.selectbox[1].set_value("1280x720")
    _save(at)
    assert not at.exception and not at.error
    # Saving keeps the user's own choices for what the environment decides.
    assert _settings_file(clean_env)["camera_fps"] == 10
    assert _settings_file(clean_env)["database_url"] == saved_db
    assert _settings_file(clean_env)["camera_width"] == 1280
    assert os.environ["ROMCAM_DATABASE_URL"] == env_db


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\udcff"])
def test_a_damaged_settings_file_gives_the_defaults_and_a_warning(
    clean_env: Path, content: str
) -> None:
    clean_env.mkdir(parents=True, exist_ok=True)
    (clean_env / "settings.json").write_bytes(content.encode("utf-8", "surrogateescape"))
    at = page_app("settings", "settings_page").run()
    assert not at.exception and not at.error
    assert "could not be read" in at.warning[0].value
    assert "settings.json" in at.warning[0].value
    assert at.number_input[0].value == default_camera_fps(os.cpu_count())
    at.number_input[0].set_value(10)
    _save(at)  # saving replaces the damaged file and the warning goes
    assert not at.warning
    assert _settings_file(clean_env)["camera_fps"] == 10


def test_unusable_saved_values_are_named_and_the_rest_kept(clean_env: Path) -> None:
    clean_env.mkdir(parents=True, exist_ok=True)
    (clean_env / "settings.json").write_text(
        json.dumps({"camera_fps": 500, "camera_facing": "environment", "model_variant": 3}),
        encoding="utf-8",
    )
    at = page_app("settings", "settings_page").run()
    assert not at.exception and not at.error
    assert "(pose model, camera frame rate)" in at.warning[0].value
    assert at.number_input[0].value == default_camera_fps(os.cpu_count())
    assert at.radio[0].value == "environment"


def test_a_settings_file_that_cannot_be_written_is_a_plain_error(clean_env: Path) -> None:
    (clean_env / "settings.json").mkdir(parents=True)  # a folder where the file should go
    at = page_app("settings", "settings_page").run()
    assert not at.exception
    assert "could not be read" in at.warning[0].value
    at.number_input[0].set_value(10)
    _save(at)
    assert not at.exception and not at.success
    assert at.error[0].value.startswith("Could not save the settings: cannot write the settings")
    assert "settings.json" in at.error[0].value
    assert at.number_input[0].value == 10  # what was typed stays to try again
