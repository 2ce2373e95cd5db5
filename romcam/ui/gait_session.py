"""The Gait page's session part: save the analysed walk to the current session as the gait
test, and overlay its curves on a stored walk of the current client (docs/gait.md "In
sessions"). ``shown`` is the page's analysed walk: ``name``, ``id``, ``doc`` (gait.json
content), ``cycles`` (cycles.csv text), ``png``.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from romcam.core.assessments import test_label
from romcam.errors import RomcamError
from romcam.outcomes.gait_curves import overlay_frame, stored_walks, walk_curves
from romcam.staging import new_staging_dir
from romcam.store.from_gait import CYCLES_CSV, GAIT_JSON, GAIT_VALUES, save_gait
from romcam.ui.current import Current, context_line_ui
from romcam.ui.gait_charts import gait_overlay_chart
from romcam.ui.widgets import phase_ui, show_error

if TYPE_CHECKING:
    from romcam.store import Store

SAVE_LABEL = "Save to the current session"
COMPARE_KEY = "gait_compare_with"
THIS_WALK = "this walk"
#: The folder of the data directory where uploads wait (``ui.analyze`` and ``ui.gait`` too);
#: the walk waits there while it is saved.
UPLOADS_DIR = "uploads"
_SAVED = "romcam_gait_saved"
_SAVE_ERROR = "romcam_gait_save_error"


def save_ui(shown: dict[str, Any], current: Current | None) -> None:
    """The save section: the current client and session, the phase, the button."""
    st.subheader("Save to a session")
    context_line_ui(current)
    if current is None:
        return
    saved: tuple[int, int] | None = st.session_state.get(_SAVED, {}).get(shown["id"])
    if saved is not None:
        st.success(f"Saved: {saved[0]} gait values in session #{saved[1]}.")
        return
    phase = phase_ui("gait")
    session = current.session
    st.button(
        SAVE_LABEL,
        key="gait_save",
        type="primary",
        disabled=session is None,
        on_click=_save,
        args=(current.store, session.id if session else 0, shown, phase),
    )
    exc: RomcamError | None = st.session_state.pop(_SAVE_ERROR, None)
    if exc is not None:
        show_error(exc, "save the walk")


def _save(store: Store, session_id: int, shown: dict[str, Any], phase: str) -> None:
    """Button callback: the walk's gait.json and cycles.csv written to a private folder,
    stored in one transaction (``store.from_gait.save_gait``), the folder removed."""
    saved: dict[str, tuple[int, int]] = st.session_state.setdefault(_SAVED, {})
    if shown["id"] in saved:  # a second click before the page showed "Saved"
        return
    parent = store.root / UPLOADS_DIR
    parent.mkdir(parents=True, exist_ok=True)
    folder = new_staging_dir(parent, "gait-save-")
    try:
        (folder / GAIT_JSON).write_text(json.dumps(shown["doc"], indent=2), encoding="utf-8")
        (folder / CYCLES_CSV).write_text(shown["cycles"], encoding="utf-8")
        records = save_gait(store, session_id, folder, phase=phase)
    except RomcamError as exc:
        st.session_state[_SAVE_ERROR] = exc
        return
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    saved[shown["id"]] = (len(records), session_id)


def compare_ui(shown: dict[str, Any], current: Current | None) -> None:
    """Overlay this walk's curves on a stored walk of the current client, with both walks'
    values per leg."""
    st.subheader("Compare with an earlier visit")
    if current is None:
        return
    try:
        frame = current.store.measurements_frame(client=current.client.id)
    except RomcamError as exc:
        show_error(exc, "read the earlier walks")
        return
    walks = stored_walks(frame, Path(current.store.root))
    if not walks:
        st.caption(
            f"No walk of {current.client.name} is stored yet: save this one to compare at the "
            "next visit."
        )
        return
    labels = [f"Session #{sid}: {walk.label}" for sid, _, walk in walks]
    chosen = st.selectbox("Earlier walk", labels, index=len(labels) - 1, key=COMPARE_KEY)
    sid, phase, earlier = walks[labels.index(chosen)]
    this = walk_curves(pd.read_csv(io.StringIO(shown["cycles"])), THIS_WALK)
    st.altair_chart(gait_overlay_chart(overlay_frame([earlier, this]), later=THIS_WALK))
    st.caption("Dashed: the earlier walk; solid: this walk; grey: the normative band.")
    st.dataframe(_values_table(frame, sid, phase, shown["doc"], earlier.label))


def _values_table(
    frame: pd.DataFrame, session_id: int, phase: str, doc: dict[str, Any], earlier: str
) -> pd.DataFrame:
    """Rows: each gait value; columns: the earlier walk's and this walk's left and right."""
    stored = frame[(frame["session_id"] == session_id) & (frame["phase"] == phase)]
    rows = {}
    for test, (key, factor) in GAIT_VALUES.items():
        unit = stored.loc[stored["test"] == test, "unit"]
        label = test_label(test) + (f" ({unit.iloc[0]})" if len(unit) else "")
        row = {}
        for side in ("left", "right"):
            were = stored[(stored["test"] == test) & (stored["side"] == side)]["value"]
            now = doc[side].get(key)
            row[f"{earlier}, {side}"] = float(were.mean()) if len(were) else None
            row[f"{THIS_WALK}, {side}"] = None if now is None else float(now) * factor
        rows[label] = row
    return pd.DataFrame.from_dict(rows, orient="index").round(1)
