"""Calibration page: the stored profiles, and level / scale / lens steps from uploaded pictures.

The maths and the profile files are ``romcam.calibration``; this page only gathers pictures
and values, calls the same steps as ``romcam calibrate`` and saves the profile.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import streamlit as st

from romcam.calibration import CalibrationProfile, list_profiles, load_profile
from romcam.calibration.profile import delete_profile, load_or_new_profile, save_profile
from romcam.calibration.steps import describe, lens_step, level_step, marker_scale_step
from romcam.calibration.targets import CheckerboardSpec, write_targets
from romcam.errors import CalibrationError, InputError, RomcamError
from romcam.media.pictures import load_pictures
from romcam.ui.widgets import show_error

IMAGE_TYPES = ["png", "jpg", "jpeg"]
VIDEO_TYPES = ["mp4", "mov", "m4v", "webm", "avi", "mkv"]


def calibration_page() -> None:
    st.title("Calibration")
    st.caption(
        "A camera that is not level skews every angle measured against the horizontal or the "
        "vertical (tilts, trunk lean, craniovertebral angle); a scale turns forward head "
        "posture into centimetres. Choose the profile on the Assess and Analyze pages, or "
        "`--calibration NAME` in the CLI; it is recorded with every measurement it affects."
    )
    profiles_ui()
    name = st.text_input("Profile to create or update", key="cal_name", max_chars=64)
    if name.strip():
        level_tab, scale_tab, lens_tab = st.tabs(["Level", "Scale", "Lens"])
        with level_tab:
            level_ui(name.strip())
        with scale_tab:
            scale_ui(name.strip())
        with lens_tab:
            lens_ui(name.strip())
    targets_ui()


def profiles_ui() -> None:
    """The stored profiles as a table, with a delete control."""
    try:
        profiles = [load_profile(n) for n in list_profiles()]
    except RomcamError as exc:
        show_error(exc, "read the calibration profiles")
        return
    if not profiles:
        st.info("No calibration profile yet: create one below.")
        return
    st.dataframe(profiles_frame(profiles), hide_index=True, use_container_width=True)
    with st.expander("Delete a profile"):
        victim = st.selectbox("Profile", [p.name for p in profiles], key="cal_delete")
        if st.button("Delete", key="cal_delete_btn"):
            _delete(victim)


def profiles_frame(profiles: list[CalibrationProfile]) -> pd.DataFrame:
    """One row per profile: what each part holds (None where it is not calibrated)."""
    return pd.DataFrame(
        {
            "profile": [p.name for p in profiles],
            "roll (deg)": [p.roll_deg for p in profiles],
            "pitch (deg)": [p.pitch_deg for p in profiles],
            "scale (px/cm)": [p.px_per_cm for p in profiles],
            "lens error (px)": [p.reprojection_error_px for p in profiles],
            "updated": [p.created for p in profiles],
        }
    )


def _delete(name: str) -> None:
    try:
        delete_profile(name)
    except RomcamError as exc:
        show_error(exc, f"delete {name!r}")
        return
    st.rerun()


def level_ui(name: str) -> None:
    st.markdown(
        "Photograph the printed marker taped level on the wall behind the client (or a door "
        "frame), with the camera exactly where it will stand; or type a phone level's reading."
    )
    photo = st.file_uploader("Photo of the marker or a vertical edge", IMAGE_TYPES, key="cal_lv")
    degrees = st.number_input(
        "…or the camera's roll from a phone level (deg, + = right side lower)",
        min_value=-45.0,
        max_value=45.0,
        value=None,
        step=0.1,
        key="cal_deg",
    )
    if st.button("Save level", key="cal_level_btn", disabled=photo is None and degrees is None):
        _run_step(name, "level", lambda p: _level(p, photo, degrees))


def _level(profile: CalibrationProfile, photo: object, degrees: float | None) -> str:
    if degrees is not None:
        new, estimate = level_step(profile, degrees=float(degrees))
    else:
        new, estimate = level_step(profile, [_gray(photo)], where=_name(photo))
    save_profile(new)
    return f"Roll {estimate.roll_deg:+.2f} deg saved ({estimate.source})."


def scale_ui(name: str) -> None:
    st.markdown(
        "Photograph the printed marker held flat where the client will stand, facing the camera."
    )
    photo = st.file_uploader("Photo of the marker at the client's place", IMAGE_TYPES, key="cal_sc")
    side_cm = st.number_input(
        "Marker side as measured with a ruler (cm)", 1.0, 100.0, 10.0, 0.1, key="cal_cm"
    )
    if st.button("Save scale", key="cal_scale_btn", disabled=photo is None):
        _run_step(name, "scale", lambda p: _scale(p, photo, side_cm))


def _scale(profile: CalibrationProfile, photo: object, side_cm: float) -> str:
    new, estimate = marker_scale_step(profile, _gray(photo), float(side_cm), where=_name(photo))
    save_profile(new)
    w, h = estimate.image_size
    return f"Scale {estimate.px_per_cm:.2f} px/cm at {w}x{h} saved."


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
    if st.button("Calibrate the lens", key="cal_lens_btn", disabled=video is None):
        with st.spinner("Finding the checkerboard and calibrating…"):
            _run_step(name, "lens", lambda p: _lens(p, video, spec))


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
        f"Lens saved: {result.n_views} usable views of {result.n_pictures}, reprojection "
        f"error {result.rms_px:.3f} px."
    )


def _run_step(name: str, doing: str, step: Callable[[CalibrationProfile], str]) -> None:
    """Load or start the profile, run the step (which saves), report the outcome."""
    try:
        profile = load_or_new_profile(name)
        message = step(profile)
    except (RomcamError, ValueError) as exc:
        show_error(exc if isinstance(exc, RomcamError) else InputError(str(exc)), doing)
        return
    st.success(message)
    st.code(describe(load_profile(name)), language=None)


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
            f"Download {Path(file_name).stem.replace('_', ' ')} (PDF)",
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
