"""Settings page and the per-browser-session settings every other page reads."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st

from romcam import paths
from romcam.errors import RomcamError

log = logging.getLogger(__name__)

MODEL_VARIANTS = ("full", "lite", "heavy")
#: Camera resolutions offered, (width, height) in pixels.
CAMERA_SIZES = ((640, 480), (1280, 720), (1920, 1080))
_KEY = "romcam_settings"


@dataclass(frozen=True)
class Settings:
    """What the Settings page controls.

    Attributes:
        model_variant: ``full`` (bundled), ``lite`` or ``heavy`` (downloaded on request).
        model_path: explicit model file, overriding the variant; None = resolve the variant.
        data_dir: where recordings and the default SQLite database live.
        database_url: SQLAlchemy URL; empty = SQLite in ``data_dir``.
        camera_width, camera_height, camera_fps: what the browser is asked for.
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


CAMERA_FPS_ENV = "ROMCAM_CAMERA_FPS"
#: The camera frame rates the Settings page accepts.
CAMERA_FPS_RANGE = (10, 60)


def default_camera_fps(cpus: int | None = None) -> int:
    """The camera frame rate asked for by default: 15 frames/s on a computer with 2 cores or
    fewer (``cpus``; None = this one's), else 30.

    On 2 cores, with the browser's video work beside it, the full pose model measures every
    frame of a 15 frames/s camera but only 18-21 of a 30 frames/s one
    (``benchmarks/README.md``); the video sent back then moves at the measured rate anyway.
    """
    cpus = os.cpu_count() if cpus is None else cpus
    return 15 if (cpus or 1) <= 2 else 30


def camera_fps_from_env() -> int:
    """``ROMCAM_CAMERA_FPS`` when set to a whole number in :data:`CAMERA_FPS_RANGE`, else
    :func:`default_camera_fps` (a bad value is logged, not fatal)."""
    text = os.environ.get(CAMERA_FPS_ENV, "").strip()
    if text:
        lo, hi = CAMERA_FPS_RANGE
        if text.isdigit() and lo <= int(text) <= hi:
            return int(text)
        log.warning(
            "%s=%r is not a frame rate from %d to %d; ignored", CAMERA_FPS_ENV, text, lo, hi
        )
    return default_camera_fps()


def default_settings() -> Settings:
    """Settings from ``ROMCAM_MODEL``, ``ROMCAM_DATA_DIR``, ``ROMCAM_DATABASE_URL`` and
    ``ROMCAM_CAMERA_FPS`` (default: a frame rate that suits this computer)."""
    return Settings(
        model_path=os.environ.get("ROMCAM_MODEL", ""),
        data_dir=str(paths.data_dir()),
        database_url=os.environ.get("ROMCAM_DATABASE_URL", ""),
        camera_fps=camera_fps_from_env(),
    )


def current_settings() -> Settings:
    """This browser session's settings (created from the environment on first use)."""
    if _KEY not in st.session_state:
        st.session_state[_KEY] = default_settings()
    settings: Settings = st.session_state[_KEY]
    return settings


def apply_settings(new: Settings) -> Settings:
    """Validate and store ``new``; the data directory is created. Raises RomcamError."""
    data = Path(new.data_dir).expanduser()
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RomcamError(
            f"cannot use {data} as the data directory ({exc.strerror}); "
            "choose a folder you can write to"
        ) from exc
    if new.model_path and not Path(new.model_path).is_file():
        raise RomcamError(
            f"model file {new.model_path} does not exist; leave it empty to use the model variant"
        )
    # The library resolves its default paths from the environment; this app is one local user.
    os.environ["ROMCAM_DATA_DIR"] = str(data)
    if new.database_url:
        os.environ["ROMCAM_DATABASE_URL"] = new.database_url
    else:
        os.environ.pop("ROMCAM_DATABASE_URL", None)
    new = replace(new, data_dir=str(data))
    st.session_state[_KEY] = new
    return new


def settings_ui(current: Settings) -> Settings:
    """Draw the settings form; returns the values shown (not yet applied)."""
    variant = st.selectbox(
        "Pose model",
        MODEL_VARIANTS,
        index=MODEL_VARIANTS.index(current.model_variant),
        help="full: bundled, good on a 2-core laptop. lite: faster, less accurate. "
        "heavy: most accurate, slowest. lite/heavy are downloaded once into the cache.",
    )
    model_path = st.text_input("Model file (optional, overrides the variant)", current.model_path)
    data_dir = st.text_input("Data directory (recordings, default database)", current.data_dir)
    db_url = st.text_input(
        "Database URL (empty = SQLite in the data directory)",
        current.database_url,
        help="e.g. postgresql+psycopg://user@clinic-server/romcam for a shared clinic database.",
        type="password",
    )
    labels = [f"{w}x{h}" for w, h in CAMERA_SIZES]
    size_label = st.selectbox(
        "Camera resolution",
        labels,
        index=labels.index(f"{current.camera_width}x{current.camera_height}")
        if f"{current.camera_width}x{current.camera_height}" in labels
        else 0,
    )
    width, height = (int(v) for v in size_label.split("x"))
    fps = st.number_input(
        "Camera frame rate",
        *CAMERA_FPS_RANGE,
        current.camera_fps,
        step=5,
        help="Frames per second asked of the webcam. The default suits this computer "
        f"({default_camera_fps()}): the Assess page shows how many of them it measures.",
    )
    facing = st.radio(
        "Camera",
        ("user", "environment"),
        index=0 if current.camera_facing == "user" else 1,
        format_func={"user": "Front / built-in webcam", "environment": "Back camera"}.get,
        horizontal=True,
    )
    st.caption(
        "With several cameras plugged in, pick one with the video widget's "
        "SELECT DEVICE button on the Assess page."
    )
    return Settings(
        variant,
        model_path.strip(),
        data_dir.strip(),
        db_url.strip(),
        width,
        height,
        int(fps),
        str(facing),
    )


def model_path_for(settings: Settings) -> Path:
    """The validated model file these settings select. Raises ModelError."""
    from romcam.pose.model_files import resolve_model

    return resolve_model(settings.model_path or None, settings.model_variant)


def _model_ui(settings: Settings) -> None:
    """Show which model file will be used; offer to download a missing variant."""
    from romcam.pose.model_files import download_model

    try:
        st.caption(f"Model in use: `{model_path_for(settings)}`")
        return
    except RomcamError as exc:
        st.warning(str(exc))
    if st.button(f"Download the {settings.model_variant} model"):
        try:
            with st.spinner("Downloading…"):
                got = download_model(settings.model_variant)
            st.success(f"Saved to `{got}`")
        except RomcamError as exc:
            st.error(str(exc))


def settings_page() -> None:
    st.title("Settings")
    current = current_settings()
    shown = settings_ui(current)
    if st.button("Save settings", type="primary"):
        try:
            apply_settings(shown)
            st.success("Settings saved for this browser session.")
        except RomcamError as exc:
            st.error(str(exc))
    st.divider()
    _model_ui(current_settings())
