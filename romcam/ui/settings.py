"""Settings page, and the settings every other page reads (saved per user, see
``romcam.ui.settings_file``)."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import streamlit as st

from romcam.errors import RomcamError
from romcam.ui.settings_file import (
    CAMERA_FACINGS,
    CAMERA_FPS_RANGE,
    CAMERA_SIZES,
    DATA_DIR_ENV,
    DATABASE_URL_ENV,
    MODEL_VARIANTS,
    Settings,
    default_camera_fps,
    default_settings,
    environment_overrides,
    launch_env,
    load_settings,
    save_settings,
    set_env,
    settings_path,
    with_environment,
)

__all__ = ["Settings", "apply_settings", "current_settings", "default_camera_fps"]

_KEY = "romcam_settings"
#: What went wrong reading the saved settings (a sentence), shown on the Settings page.
_PROBLEM_KEY = "romcam_settings_problem"


def current_settings() -> Settings:
    """This browser session's settings: on first use the saved ones (the defaults if there are
    none or they cannot be read), with the environment's values in their place."""
    if _KEY not in st.session_state:
        loaded = load_settings()
        problem = loaded.problem
        try:
            _use(with_environment(loaded.saved))
        except RomcamError as exc:  # the saved data directory is gone or not writable
            problem = f"Your saved settings could not be used: {exc}. The defaults are used."
            _use(with_environment(default_settings()))
        st.session_state[_PROBLEM_KEY] = problem
        if problem:
            st.toast("Your saved settings could not be used: see Settings.", icon="⚠️")
    settings: Settings = st.session_state[_KEY]
    return settings


def _usable_data_dir(settings: Settings) -> Path:
    """The settings' data directory, created. Raises RomcamError."""
    data = Path(settings.data_dir).expanduser()
    try:
        data.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RomcamError(
            f"cannot use {data} as the data directory ({exc.strerror}); "
            "choose a folder you can write to"
        ) from exc
    return data


def _use(settings: Settings) -> Settings:
    """Make ``settings`` this session's and the library's (which reads the data directory and
    database URL from the environment). Raises RomcamError for an unusable data directory."""
    data = _usable_data_dir(settings)
    # This app is one local user: the library resolves its default paths from the environment.
    set_env(DATA_DIR_ENV, str(data))
    if not launch_env(DATABASE_URL_ENV):  # a URL the server was started with stays
        set_env(DATABASE_URL_ENV, settings.database_url or None)
    settings = replace(settings, data_dir=str(data))
    st.session_state[_KEY] = settings
    return settings


def apply_settings(new: Settings) -> Settings:
    """Check ``new``, save it for this user and use it. Values the environment decides are
    used but not saved. Raises RomcamError (nothing changed)."""
    _usable_data_dir(new)
    if new.model_path and not Path(new.model_path).is_file():
        raise RomcamError(
            f"model file {new.model_path} does not exist; leave it empty to use the model variant"
        )
    kept = load_settings().saved
    overridden = environment_overrides()
    to_save = replace(
        new, **{f.name: getattr(kept, f.name) for f in fields(Settings) if f.name in overridden}
    )
    save_settings(to_save)
    st.session_state[_PROBLEM_KEY] = None
    return _use(with_environment(to_save))


def _from_env_note(field: str) -> str | None:
    """'Set by ...' for a field the environment decides, else None."""
    found = environment_overrides().get(field)
    return (
        f"Set by the environment variable {found[0]}; unset it to choose here." if found else None
    )


def _camera_ui(current: Settings) -> tuple[int, int, int, str]:
    """Camera resolution, frame rate and facing, as shown."""
    labels = [f"{w}x{h}" for w, h in CAMERA_SIZES]
    size = f"{current.camera_width}x{current.camera_height}"
    size_label = st.selectbox(
        "Camera resolution", labels, index=labels.index(size) if size in labels else 0
    )
    width, height = (int(v) for v in size_label.split("x"))
    fps_note = _from_env_note("camera_fps")
    fps = st.number_input(
        "Camera frame rate",
        *CAMERA_FPS_RANGE,
        current.camera_fps,
        step=5,
        disabled=fps_note is not None,
        help="Frames per second asked of the webcam. The default suits this computer "
        f"({default_camera_fps()}): the Assess page shows how many of them it measures.",
    )
    if fps_note:
        st.caption(fps_note)
    facing = st.radio(
        "Camera",
        CAMERA_FACINGS,
        index=CAMERA_FACINGS.index(current.camera_facing),
        format_func={"user": "Front / built-in webcam", "environment": "Back camera"}.get,
        horizontal=True,
    )
    st.caption(
        "With several cameras plugged in, pick one with the video widget's "
        "SELECT DEVICE button on the Assess page."
    )
    return width, height, int(fps), str(facing)


def settings_ui(current: Settings) -> Settings:
    """Draw the settings form; returns the values shown (not yet applied)."""
    variant = st.selectbox(
        "Pose model",
        MODEL_VARIANTS,
        index=MODEL_VARIANTS.index(current.model_variant),
        help="full: bundled, good on a 2-core laptop. lite: faster, less accurate. "
        "heavy: most accurate, slowest. lite/heavy are downloaded once into the cache.",
    )
    model_note = _from_env_note("model_path")
    model_path = st.text_input(
        "Model file (optional, overrides the variant)",
        current.model_path,
        disabled=model_note is not None,
    )
    if model_note:
        st.caption(model_note)
    data_dir = st.text_input("Data directory (recordings, default database)", current.data_dir)
    db_note = _from_env_note("database_url")
    db_url = st.text_input(
        "Database URL (empty = SQLite in the data directory)",
        current.database_url,
        help="e.g. postgresql+psycopg://user@clinic-server/romcam for a shared clinic database.",
        type="password",
        disabled=db_note is not None,
    )
    if db_note:
        st.caption(db_note)
    width, height, fps, facing = _camera_ui(current)
    return Settings(
        variant, model_path.strip(), data_dir.strip(), db_url.strip(), width, height, fps, facing
    )


def model_path_for(settings: Settings) -> Path:
    """The validated model file these settings select. Raises ModelError."""
    from romcam.pose.model_files import resolve_model

    return resolve_model(settings.model_path or None, settings.model_variant)


def _model_ui(settings: Settings) -> None:
    """Show which model file will be used; offer to download a missing variant."""
    from romcam.pose.model_files import download_model
    from romcam.ui.widgets import show_error  # widgets imports this module

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
            show_error(exc, f"download the {settings.model_variant} model")


def settings_page() -> None:
    from romcam.ui.widgets import show_error  # widgets imports this module

    st.title("Settings")
    current = current_settings()
    problem_slot = st.empty()  # emptied when a save replaces the unusable file
    if problem := st.session_state.get(_PROBLEM_KEY):
        problem_slot.warning(problem)
    st.caption(
        f"Your settings are saved in `{settings_path()}` and used every time the dashboard "
        "starts. That file stays in the default data directory even when you choose another "
        "data directory below."
    )
    shown = settings_ui(current)
    if st.button("Save settings", type="primary"):
        try:
            apply_settings(shown)
            problem_slot.empty()
            st.success("Settings saved: they are used every time the dashboard starts.")
        except RomcamError as exc:
            show_error(exc, "save the settings")
    st.divider()
    _model_ui(current_settings())
