"""Gait: upload a walk (a video, or a landmarks.csv from ``romcam analyze``) and see its
timing, knee and hip curves on the normative band, and symmetry (docs/gait.md).

The upload waits in a private folder of ``<data dir>/uploads/`` only while it is analysed
and is deleted right after; the page keeps the numbers, the cycles and the plot in memory.
"Save to the current session" stores the walk as the gait test (``store.from_gait``: every
value per leg, the curves kept); "Compare with an earlier visit" overlays this walk's curves
on a stored walk of the current client (docs/gait.md "In sessions").
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from romcam.errors import RomcamError
from romcam.staging import new_staging_dir
from romcam.ui.current import current_context
from romcam.ui.gait_session import UPLOADS_DIR, compare_ui, save_ui
from romcam.ui.settings import current_settings, model_path_for
from romcam.ui.widgets import show_error

UPLOAD_KEY = "gait_upload"
_RESULT = "romcam_gait_result"
VIDEO_TYPES = ("mp4", "mov", "m4v", "webm", "avi", "mkv")
_ROWS = (
    ("whole cycles", "n_cycles"),
    ("cadence (steps/min)", "cadence_steps_per_min"),
    ("step time (s)", "step_time_s"),
    ("stride time (s)", "stride_time_s"),
    ("stance (%)", "stance_pct"),
    ("step length (cm)", "step_length_cm"),
    ("knee flexion at loading (°)", "knee_flexion_loading_deg"),
    ("peak knee flexion in swing (°)", "peak_knee_flexion_swing_deg"),
    ("peak hip extension (°)", "peak_hip_extension_deg"),
)
FILMING = (
    "Film from the side with the camera still and level, the whole body and both feet in the "
    "picture, for at least 3 strides; the subject walks at a natural pace, facing forward."
)


def gait_page() -> None:
    st.title("Gait")
    st.caption(
        "Heel strikes and toe offs (Zeni et al. 2008, adapted to 2-D), cadence, stance, knee "
        "and hip curves over the gait cycle and left/right symmetry of a walk seen from the side."
    )
    upload = st.file_uploader(
        "A walk: a video, or a landmarks.csv from `romcam analyze`",
        type=[*VIDEO_TYPES, "csv"],
        key=UPLOAD_KEY,
    )
    if upload is None:
        st.info(FILMING)
        st.session_state.pop(_RESULT, None)
        return
    if st.button("Analyze the walk", type="primary"):
        st.session_state.pop(_RESULT, None)
        try:
            with st.spinner("Finding the steps…"):
                st.session_state[_RESULT] = _analyze(upload.name, upload.getvalue())
        except RomcamError as exc:
            show_error(exc, "measure the walk")
    shown = st.session_state.get(_RESULT)
    if shown is not None and shown["name"] == upload.name:
        _show(shown)
        current = current_context()
        save_ui(shown, current)
        compare_ui(shown, current)


def _analyze(name: str, data: bytes) -> dict[str, Any]:
    """The walk's gait.json content and plot, from a private copy deleted right after."""
    from romcam.gait_output import (
        cycles_csv_text,
        gait_document,
        load_walk,
        plot_png,
        side_view_gait,
    )

    settings = current_settings()
    parent = Path(settings.data_dir) / UPLOADS_DIR
    parent.mkdir(parents=True, exist_ok=True)
    folder = new_staging_dir(parent, "gait-")
    try:
        src = folder / Path(name).name
        src.write_bytes(data)
        model = None if src.suffix.lower() == ".csv" else model_path_for(settings)
        walk = load_walk(src, model_path=model)
        result = side_view_gait(walk, name)
        doc = gait_document(result, walk.video)
        return {
            "name": name,
            "id": uuid.uuid4().hex,
            "doc": doc,
            "cycles": cycles_csv_text(result),
            "png": plot_png(result, f"Gait: {name}"),
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _show(shown: dict[str, Any]) -> None:
    doc = shown["doc"]
    st.subheader(f"Result: {shown['name']}")
    for note in doc["notes"]:
        st.info(note)
    for warning in doc["warnings"]:
        st.warning(warning)
    table = pd.DataFrame(
        {side: [doc[side][key] for _, key in _ROWS] for side in ("left", "right")},
        index=[label for label, _ in _ROWS],
    )
    st.dataframe(table)
    st.image(shown["png"], caption=f"Mean ± SD over each leg's cycles; grey: {doc['band']}")
    sym = {k: v for k, v in doc["symmetry"].items() if v is not None}
    if sym:
        st.caption(f"Symmetry: {doc['symmetry_formula']}")
        st.dataframe(pd.Series(sym, name="value").round(1))
