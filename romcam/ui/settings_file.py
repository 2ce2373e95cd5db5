"""The dashboard's settings: what they are, the file that keeps them, the environment's say.

The settings are saved per user in ``settings.json`` in the *default* data directory
(``$ROMCAM_DATA_DIR`` as the server was started, else the platform's user data folder): the
data directory is itself a setting, so the file cannot live in the chosen one. The environment
variables ``ROMCAM_MODEL``, ``ROMCAM_DATABASE_URL`` and ``ROMCAM_CAMERA_FPS`` win over the
file (:func:`environment_overrides`). No Streamlit here; the page is ``romcam.ui.settings``.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from romcam import paths
from romcam.errors import RomcamError

log = logging.getLogger(__name__)

MODEL_VARIANTS = ("full", "lite", "heavy")
#: Camera resolutions offered, (width, height) in pixels.
CAMERA_SIZES = ((640, 480), (1280, 720), (1920, 1080))
CAMERA_FACINGS = ("user", "environment")
#: The camera frame rates the Settings page accepts.
CAMERA_FPS_RANGE = (10, 60)
CAMERA_FPS_ENV = "ROMCAM_CAMERA_FPS"
DATA_DIR_ENV = "ROMCAM_DATA_DIR"
DATABASE_URL_ENV = "ROMCAM_DATABASE_URL"
MODEL_ENV = "ROMCAM_MODEL"
SETTINGS_FILE = "settings.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Settings:
    """What the Settings page controls.

    Attributes:
        model_variant: ``full`` (bundled), ``lite`` or ``heavy`` (downloaded on request).
        model_path: explicit model file, overriding the variant; empty = resolve the variant.
        data_dir: where recordings and the default SQLite database live.
        database_url: SQLAlchemy URL; empty = SQLite in ``data_dir``.
        camera_width, camera_height: pixels asked of the browser's camera.
        camera_fps: frames per second asked of the browser's camera.
        camera_facing: ``user`` (front camera on a phone/laptop) or ``environment``.
    """

    model_variant: str = "full"
    model_path: str = ""
    data_dir: str = ""
    database_url: str = ""
    camera_width: int = 640
    camera_height: int = 480
    camera_fps: int = 30
    camera_facing: str = "user"

    def media_constraints(self) -> dict[str, Any]:
        """``getUserMedia`` constraints for streamlit-webrtc (video only, no audio)."""
        return {
            "video": {
                "width": {"ideal": self.camera_width},
                "height": {"ideal": self.camera_height},
                "frameRate": {"ideal": self.camera_fps},
                "facingMode": self.camera_facing,
            },
            "audio": False,
        }


#: Plain names of the saved fields, for messages.
FIELD_NAMES = {
    "model_variant": "pose model",
    "model_path": "model file",
    "data_dir": "data directory",
    "database_url": "database URL",
    "camera_width": "camera width",
    "camera_height": "camera height",
    "camera_fps": "camera frame rate",
    "camera_facing": "camera",
}


def default_camera_fps(cpus: int | None = None) -> int:
    """The camera frame rate asked for by default: 15 frames/s on a computer with 2 cores or
    fewer (``cpus``; None = this one's), else 30.

    On 2 cores, with the browser's video work beside it, the full pose model measures every
    frame of a 15 frames/s camera but only 18-21 of a 30 frames/s one
    (``benchmarks/README.md``); the video sent back then moves at the measured rate anyway.
    """
    cpus = os.cpu_count() if cpus is None else cpus
    return 15 if (cpus or 1) <= 2 else 30


# The app applies a chosen data directory and database URL by setting these variables (the
# library reads them), so what the user's own environment said is remembered beside them.
_env_lock = threading.Lock()
_env_written: dict[str, str | None] = {}
_env_at_start: dict[str, str | None] = {}


def launch_env(name: str) -> str | None:
    """``name``'s value in the environment the server was started with, ignoring what
    :func:`set_env` put there (a value changed by anyone else since counts as the user's)."""
    with _env_lock:
        now = os.environ.get(name)
        if name in _env_written and _env_written[name] == now:
            return _env_at_start.get(name)
        _env_written.pop(name, None)
        _env_at_start[name] = now
        return now


def set_env(name: str, value: str | None) -> None:
    """Set (or, for None, remove) an environment variable the library reads, remembering the
    user's own value for :func:`launch_env`."""
    launch_env(name)
    with _env_lock:
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
        _env_written[name] = value


def home_data_dir() -> Path:
    """The default data directory: ``$ROMCAM_DATA_DIR`` as started, else the platform's user
    data folder (e.g. ``~/.local/share/romcam``). Not created here."""
    return Path(launch_env(DATA_DIR_ENV) or platformdirs.user_data_dir(paths.APP_NAME))


def settings_path() -> Path:
    """Where the settings are saved: ``settings.json`` in :func:`home_data_dir`."""
    return home_data_dir() / SETTINGS_FILE


def camera_fps_env() -> int | None:
    """``ROMCAM_CAMERA_FPS`` when set to a whole number in :data:`CAMERA_FPS_RANGE`, else None
    (a bad value is logged, not fatal)."""
    text = os.environ.get(CAMERA_FPS_ENV, "").strip()
    if not text:
        return None
    lo, hi = CAMERA_FPS_RANGE
    if text.isdigit() and lo <= int(text) <= hi:
        return int(text)
    log.warning("%s=%r is not a frame rate from %d to %d; ignored", CAMERA_FPS_ENV, text, lo, hi)
    return None


def environment_overrides() -> dict[str, tuple[str, Any]]:
    """The settings the environment decides: field name -> (variable name, value)."""
    found: dict[str, tuple[str, Any]] = {}
    if model := os.environ.get(MODEL_ENV, "").strip():
        found["model_path"] = (MODEL_ENV, model)
    if url := (launch_env(DATABASE_URL_ENV) or "").strip():
        found["database_url"] = (DATABASE_URL_ENV, url)
    if (fps := camera_fps_env()) is not None:
        found["camera_fps"] = (CAMERA_FPS_ENV, fps)
    return found


def with_environment(saved: Settings) -> Settings:
    """``saved`` with the values the environment decides put in their place."""
    return replace(saved, **{k: v for k, (_, v) in environment_overrides().items()})


def default_settings() -> Settings:
    """The settings before anything is saved (a frame rate that suits this computer)."""
    return Settings(data_dir=str(home_data_dir()), camera_fps=default_camera_fps())


def _usable(name: str, value: Any) -> bool:
    """Whether ``value`` read from the file can stand for field ``name``."""
    if name == "model_variant":
        return value in MODEL_VARIANTS
    if name == "camera_facing":
        return value in CAMERA_FACINGS
    if name == "camera_fps":
        lo, hi = CAMERA_FPS_RANGE
        return type(value) is int and lo <= value <= hi
    if name in ("camera_width", "camera_height"):
        return type(value) is int and 0 < value <= 10_000
    if name == "data_dir":
        return isinstance(value, str) and bool(value.strip())
    return isinstance(value, str)


@dataclass(frozen=True)
class LoadedSettings:
    """What :func:`load_settings` found: the saved settings (defaults where the file has none
    or an unusable value) and, when something could not be used, a plain sentence saying so."""

    saved: Settings
    problem: str | None = None


def load_settings(path: Path | None = None) -> LoadedSettings:
    """The settings saved in ``path`` (None = :func:`settings_path`); never raises: a missing
    file gives the defaults, an unreadable or damaged one the defaults and a problem."""
    path = path or settings_path()
    defaults = default_settings()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("it does not hold a set of settings")
    except FileNotFoundError:
        return LoadedSettings(defaults)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "the file is damaged"
        log.warning("settings file %s not read: %s", path, exc)
        return LoadedSettings(
            defaults,
            f"Your saved settings in {path} could not be read ({reason}); the defaults are "
            "used until you save the settings again.",
        )
    chosen = {f.name: data[f.name] for f in fields(Settings) if f.name in data}
    bad = [name for name, value in chosen.items() if not _usable(name, value)]
    saved = replace(defaults, **{k: v for k, v in chosen.items() if k not in bad})
    if not bad:
        return LoadedSettings(saved)
    listed = ", ".join(FIELD_NAMES[name] for name in bad)
    return LoadedSettings(
        saved,
        f"Some saved settings in {path} could not be used ({listed}); the defaults are used "
        "for them until you save the settings again.",
    )


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write ``settings`` to ``path`` (None = :func:`settings_path`) atomically; the file is
    readable by its owner only (it may hold a database password). Raises RomcamError."""
    path = path or settings_path()
    data = {"format": FORMAT_VERSION} | {
        f.name: getattr(settings, f.name) for f in fields(Settings)
    }
    try:
        return paths.atomic_write_text(path, json.dumps(data, indent=2) + "\n")
    except OSError as exc:
        raise RomcamError(
            f"cannot write the settings file {path} ({exc.strerror or exc}); check that you "
            "can write to that folder, or start romcam with ROMCAM_DATA_DIR set to one you can"
        ) from exc
