"""Calibration page: the stored profiles, and level / scale / lens steps from uploaded pictures.

The maths and the profile files are ``romcam.calibration``; this page only gathers pictures
and values, calls the same steps as ``romcam calibrate`` and saves the profile.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from romcam.calibration import CalibrationProfile, list_profiles, load_profile
from romcam.calibration.profile import delete_profile, load_or_new_profile, save_profile
from romcam.calibration.steps import lens_step, level_step, marker_scale_step
from romcam.calibration.targets import CheckerboardSpec, write_targets
from romcam.errors import CalibrationError, InputError, RomcamError
from romcam.media.pictures import load_pictures
from romcam.ui.widgets import show_error

IMAGE_TYPES = ["png", "jpg", "jpeg"]
VIDEO_TYPES = ["mp4", "mov", "m4v", "webm", "avi", "mkv"]


#: The profile name offered when none is stored yet.
DEFAULT_PROFILE = "clinic"
#: What a + sideways tilt means, in the camera's, the picture's and the client's terms
#: (``CalibrationProfile.roll_deg``; docs/measurements.md "Camera roll").
TILT_SIGN = (
    "Positive = the camera's right side is lower (as you stand behind the camera: the right "
    "of the picture, the client's left); a level line then rises to the right in the picture. "
    "Negative = its left side is lower."
)
NOT_MEASURED = "not measured"
#: What each printable target is for, by its file name (``romcam.calibration.targets``).
TARGET_NAMES = {
    "checkerboard": "lens checkerboard",
    "aruco_marker": "level and scale marker",
}


def calibration_page() -> None:
    st.title("Calibration")
    st.caption(
        "A camera that is not level skews every angle measured against the horizontal or the "
        "vertical (tilts, trunk lean, craniovertebral angle); a scale turns forward head "
        "posture into centimetres. Choose the profile on the Assess and Analyze pages, or "
        "`--calibration NAME` in the CLI; it is recorded with every measurement it affects."
    )
    # Filled after the steps below, so that a profile saved in this run is listed.
    saved_list = st.container()
    st.subheader("Create or update a profile")
    name = profile_name_ui()
    level_tab, scale_tab, lens_tab = st.tabs(["Level", "Scale", "Lens"])
    with level_tab:
        level_ui(name)
    with scale_tab:
        scale_ui(name)
    with lens_tab:
        lens_ui(name)
    with saved_list:
        profiles_ui()
    targets_ui()


def profile_name_ui() -> str:
    """The profile the steps save to (prefilled: the last one updated, else "clinic"); "" when
    the field is blank."""
    if "cal_name" not in st.session_state:
        st.session_state["cal_name"] = _last_updated_profile() or DEFAULT_PROFILE
    name = st.text_input(
        "Profile name: one per camera set-up (e.g. clinic tripod, laptop)",
        key="cal_name",
        max_chars=64,
        help="A step saves into this profile, creating it if it does not exist yet.",
    ).strip()
    if not name:
        st.warning("Type a profile name to save a level, a scale or a lens.")
    return name


def _last_updated_profile() -> str | None:
    """The name of the profile changed most recently, or None when there is none (or they
    cannot be read: the list below then says so)."""
    try:
        profiles = [load_profile(n) for n in list_profiles()]
    except RomcamError:
        return None
    return max(profiles, key=lambda p: p.created).name if profiles else None


def profiles_ui() -> None:
    """The stored profiles as a table, with a delete control."""
    st.subheader("Saved profiles")
    try:
        profiles = [load_profile(n) for n in list_profiles()]
    except RomcamError as exc:
        show_error(exc, "read the calibration profiles")
        return
    if not profiles:
        st.info("No calibration profile yet: name one and save a level, a scale or a lens below.")
        return
    st.dataframe(
        profiles_frame(profiles),
        hide_index=True,
        width="stretch",
        column_config={"Sideways tilt": st.column_config.TextColumn(help=TILT_SIGN)},
    )
    with st.expander("Delete a profile"):
        victim = st.selectbox("Profile", [p.name for p in profiles], key="cal_delete")
        if st.button("Delete", key="cal_delete_btn"):
            _delete(victim)


def profiles_frame(profiles: list[CalibrationProfile]) -> pd.DataFrame:
    """One row per profile, in words: what each part holds ("not measured" where it is not)."""

    def shown(value: float | None, text: str) -> str:
        return NOT_MEASURED if value is None else text.format(value)

    return pd.DataFrame(
        {
            "Profile": [p.name for p in profiles],
            "Sideways tilt": [shown(p.roll_deg, "{:+.1f}°") for p in profiles],
            "Up/down tilt": [shown(p.pitch_deg, "{:+.1f}° (+ = looking up)") for p in profiles],
            "Scale": [shown(p.px_per_cm, "{:.1f} pixels per cm") for p in profiles],
            "Lens": [shown(p.reprojection_error_px, "error {:.2f} pixels") for p in profiles],
            "Updated": [_when(p.created) for p in profiles],
        }
    )


def _when(iso: str) -> str:
    """An ISO 8601 time as this computer's local date and time, e.g. "3 Dec 2026, 14:05"."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y, %H:%M}"


def _delete(name: str) -> None:
    try:
        delete_profile(name)
    except RomcamError as exc:
        show_error(exc, f"delete the profile “{name}”")
        return
    st.rerun()


def level_ui(name: str) -> None:
    st.markdown(
        "Photograph the printed marker (see *Printable targets* below) taped level on the wall "
        "behind the client, or a door frame, with the camera exactly where it will stand; or "
        "type a phone level's reading."
    )
    photo = st.file_uploader("Photo of the marker or a vertical edge", IMAGE_TYPES, key="cal_lv")
    degrees = st.number_input(
        "…or the camera's sideways tilt from a phone level held on it (degrees)",
        min_value=-45.0,
        max_value=45.0,
        value=None,
        step=0.1,
        key="cal_deg",
        help=TILT_SIGN,
    )
    st.caption(TILT_SIGN)
    ready = bool(name) and (photo is not None or degrees is not None)
    if st.button("Save level", key="cal_level_btn", disabled=not ready):
        _run_step(name, "save the level", lambda p: _level(p, photo, degrees))


def _level(profile: CalibrationProfile, photo: object, degrees: float | None) -> str:
    if degrees is not None:
        new, estimate = level_step(profile, degrees=float(degrees))
    else:
        new, estimate = level_step(profile, [_gray(photo)], where=_name(photo))
    save_profile(new)
    how = "typed from a phone level" if degrees is not None else f"measured in {_name(photo)}"
    return f"Sideways tilt {estimate.roll_deg:+.2f}° ({how}) saved to “{profile.name}”."


def scale_ui(name: str) -> None:
    st.markdown(
        "Photograph the printed marker held flat where the client will stand, facing the camera."
    )
    photo = st.file_uploader("Photo of the marker at the client's place", IMAGE_TYPES, key="cal_sc")
    side_cm = st.number_input(
        "Marker side as measured with a ruler (cm)", 1.0, 100.0, 10.0, 0.1, key="cal_cm"
    )
    ready = bool(name) and photo is not None
    if st.button("Save scale", key="cal_scale_btn", disabled=not ready):
        _run_step(name, "save the scale", lambda p: _scale(p, photo, side_cm))


def _scale(profile: CalibrationProfile, photo: object, side_cm: float) -> str:
    new, estimate = marker_scale_step(profile, _gray(photo), float(side_cm), where=_name(photo))
    save_profile(new)
    w, h = estimate.image_size
    return (
        f"Scale {estimate.px_per_cm:.2f} pixels per cm (in a {w}×{h} picture) saved to "
        f"“{profile.name}”."
    )


def lens_ui(name: str) -> None:
    st.markdown(
        "Optional. Film the printed checkerboard for 20-30 s, moving it slowly through the "
        "whole picture (corners too) and tilting it; keep it sharp."
    )
    video = st.file_uploader("Checkerboard video", VIDEO_TYPES, key="cal_lens")
    cols, rows, square = st.columns(3)
    spec = (
        cols.number_input("Inner corners across", 3, 30, 9, key="cal_cols"),
        rows.number_input("Inner corners down", 3, 30, 6, key="cal_rows"),
        square.number_input("Square side (mm)", 1.0, 200.0, 25.0, key="cal_sq"),
    )
    ready = bool(name) and video is not None
    if st.button("Calibrate the lens", key="cal_lens_btn", disabled=not ready):
        with st.spinner("Finding the checkerboard and calibrating…"):
            _run_step(name, "calibrate the lens", lambda p: _lens(p, video, spec))


def _lens(profile: CalibrationProfile, video: object, spec: tuple[int, int, float]) -> str:
    try:
        board = CheckerboardSpec(int(spec[0]), int(spec[1]), float(spec[2]))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="romcam-lens-") as tmp:
        path = Path(tmp) / f"board{Path(_name(video)).suffix.lower()}"
        path.write_bytes(video.getvalue())  # type: ignore[attr-defined]
        pictures = load_pictures([path])
    new, result = lens_step(profile, pictures, board, where=_name(video))
    save_profile(new)
    return (
        f"Lens saved to “{profile.name}”: the checkerboard was usable in {result.n_views} of "
        f"{result.n_pictures} frames; the fit is off by {result.rms_px:.2f} pixels on average."
    )


def _run_step(name: str, doing: str, step: Callable[[CalibrationProfile], str]) -> None:
    """Load or start the profile, run the step (which saves), report the outcome; the saved
    profiles are listed after this has run. ``doing`` completes "Could not …"."""
    try:
        profile = load_or_new_profile(name)
        message = step(profile)
    except (RomcamError, ValueError) as exc:
        show_error(exc if isinstance(exc, RomcamError) else InputError(str(exc)), doing)
        return
    st.success(message)


def _gray(upload: object) -> np.ndarray:
    """(H, W) uint8 grey picture from an uploaded image; InputError if it is not one."""
    data = np.frombuffer(upload.getvalue(), dtype=np.uint8)  # type: ignore[attr-defined]
    gray = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise CalibrationError(f"{_name(upload)} is not an image that can be read")
    return gray


def _name(upload: object) -> str:
    return str(getattr(upload, "name", "the upload"))


def targets_ui() -> None:
    """Download buttons for the printable checkerboard and marker (PDF at exact size)."""
    st.subheader("Printable targets")
    st.caption("Print at 100 % (no fit-to-page) and check a square with a ruler.")
    pdfs = target_pdfs()
    for column, (file_name, data) in zip(st.columns(len(pdfs)), pdfs, strict=True):
        column.download_button(
            f"Download the {TARGET_NAMES.get(Path(file_name).stem, Path(file_name).stem)} (PDF)",
            data,
            file_name=file_name,
            mime="application/pdf",
            key=f"cal_dl_{file_name}",
        )


@st.cache_data(show_spinner=False)
def target_pdfs() -> list[tuple[str, bytes]]:
    """(file name, PDF bytes) of each printable target, generated once per server."""
    with tempfile.TemporaryDirectory(prefix="romcam-targets-") as tmp:
        return [(p.name, p.read_bytes()) for p in write_targets(Path(tmp)) if p.suffix == ".pdf"]
