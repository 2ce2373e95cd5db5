"""The Assess page's trials: the 0-10 pain score of the trial just saved, and the trials of the
test saved so far in this session and phase with their mean ± SD ("148 ± 5°, 3 trials").

The numbers come from ``romcam.outcomes`` (``collapse``, ``trials``); this module only asks
and shows. Runs under AppTest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import streamlit as st

from romcam.core.assessments import test_label
from romcam.errors import RomcamError
from romcam.outcomes.mdc import load_mdc_table
from romcam.outcomes.trials import amount, trial_values_text
from romcam.outcomes.values import collapse
from romcam.ui.widgets import show_error

if TYPE_CHECKING:
    from romcam.store import Store

#: Session-state key of the trial saved last (:class:`SavedTrial`), whose pain score is asked.
LAST_SAVED = "romcam_live_last_saved"
#: Session-state key of the sentence that confirms the pain score stored (or why not).
PAIN_NOTE = "romcam_live_pain_note"
#: The 0-10 numeric pain rating scale's ends, as the picker's help says them.
PAIN_SCALE_HELP = "0 = no pain, 10 = the worst pain imaginable (numeric rating scale)."


@dataclass(frozen=True)
class SavedTrial:
    """The trial saved last: its measurement id, its number ("trial 2") and value."""

    measurement_id: int
    trial: int
    value: float


def pain_words(first_pain: float | None, unit: str) -> str:
    """``, pain from 120°`` for a trial with a pain mark; "" without one."""
    if first_pain is None or not math.isfinite(first_pain):
        return ""
    return f", pain from {amount(first_pain, unit)}"


def pain_score_ui(store: Store) -> None:
    """After a trial is saved: a 0-10 picker for the pain at its end range, stored with the
    trial as soon as it is picked (``Store.set_pain_score``)."""
    saved: SavedTrial | None = st.session_state.get(LAST_SAVED)
    if saved is None:
        return
    key = f"assess_pain_{saved.measurement_id}"
    st.segmented_control(
        f"Pain at the end range of trial {saved.trial} (0–10)",
        list(range(11)),
        key=key,
        help=PAIN_SCALE_HELP + " Stored with the trial when picked; pick again to change it.",
        on_change=_store_pain_score,
        args=(store, saved.measurement_id, key),
    )
    note = st.session_state.get(PAIN_NOTE)
    if note is not None and note[0] == saved.measurement_id:
        st.caption(note[1])


def _store_pain_score(store: Store, measurement_id: int, key: str) -> None:
    """(callback) Store the picked score; the sentence saying so is drawn with the picker (a
    callback of the status fragment must not draw)."""
    score = st.session_state.get(key)
    try:
        store.set_pain_score(measurement_id, score)
    except RomcamError as exc:
        note = f"The pain score was not stored: {exc}."
    else:
        said = "cleared" if score is None else f"{score}/10"
        note = f":material/check: Pain score {said} stored with measurement #{measurement_id}."
    st.session_state[PAIN_NOTE] = (measurement_id, note)


def trials_so_far_ui(
    store: Store, session_id: int | None, phase: str, test: str, side: str | None
) -> None:
    """The test's trials saved in this session and phase: their mean ± SD and each value
    (outliers and excluded trials marked), from the store."""
    if session_id is None:
        return
    try:
        frame = store.measurements_frame(session_id=session_id)
    except RomcamError as exc:
        show_error(exc, "read the trials saved so far")
        return
    if frame.empty:
        return
    rows = collapse(frame, mdc=load_mdc_table())  # the clinic's MDC sets the outlier rule
    rows = rows[(rows["phase"] == phase) & (rows["test"] == test) & (rows["side"] == (side or ""))]
    if rows.empty:
        return
    r = rows.iloc[0]
    values = trial_values_text(
        r["trial_values"], r["trial_counted"], r["trial_outliers"], r["trial_excluded"], r["unit"]
    )
    with st.container(border=True):
        st.markdown(f"**{test_label(test, side)}, {phase}: {r['label']}**")
        st.caption(f"Trials: {values}")
        if r["outliers"]:
            st.caption(
                "A trial marked outlier sits far from the others: leave it out with a reason "
                "on the Session review page if it was a bad trial."
            )
