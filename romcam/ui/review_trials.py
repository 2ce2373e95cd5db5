"""Session review: the trials of each test (one session, phase, test and side) with their mean ±
SD, each trial's value and pain, the outlier flag, and "Exclude…" with a reason (the trial is
kept, shown struck through with the reason, and can be included again).

The numbers come from ``romcam.outcomes.trials``; this module shows them and calls
``Store.exclude_measurement`` / ``Store.include_measurement``. Runs under AppTest.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pandas as pd
import streamlit as st

from romcam.core.assessments import test_label
from romcam.errors import RomcamError
from romcam.outcomes.mdc import MdcTable, load_mdc_table
from romcam.outcomes.trials import Trials, amount, label_of, score_text, trials_of
from romcam.outcomes.values import normalised_sides
from romcam.ui.widgets import show_error

if TYPE_CHECKING:
    from romcam.store import Store


def trial_line(k: int, row: Any, trials: Trials, i: int) -> str:
    """One trial as markdown: ``Trial 2 · #14 · 150° · pain from 120° · pain 4/10``, an
    outlier badged, an excluded trial's value struck through with the reason."""
    unit = row.unit
    value = amount(float(row.value), unit)
    reason = trials.excluded[i]
    shown = f"~~{value}~~ — excluded: {reason}" if reason else f"**{value}**"
    parts = [f"Trial {k}", f"#{row.measurement_id}", shown]
    if _given(row.first_pain):
        parts.append(f"pain from {amount(float(row.first_pain), unit)}")
    if _given(row.pain_score):
        parts.append(f"pain {score_text(float(row.pain_score))}")
    if trials.outliers[i]:
        parts.append(":orange-badge[outlier: far from the other trials]")
    elif not trials.counted[i] and not reason:
        parts.append(":gray[not counted: failed its quality check]")
    return " · ".join(parts)


def trials_ui(store: Store, frame: pd.DataFrame, mdc: MdcTable | None = None) -> None:
    """Each test's trials in the session: its mean ± SD and its trials, with the exclusion
    controls. ``mdc`` (default: the MDC table in use, the clinic's own if adopted) sets the
    outlier rule."""
    table = mdc or load_mdc_table()
    df = normalised_sides(frame)
    for (phase, test, side), group in df.groupby(["phase", "test", "side"], sort=False):
        trials = trials_of(group, table.mdc(str(test)))
        unit = group["unit"].iloc[0]
        st.markdown(f"**{test_label(str(test), side or None)}, {phase}: {label_of(trials, unit)}**")
        rows: list[Any] = list(group.itertuples(index=False))
        for i, row in enumerate(rows):
            cols = st.columns([5, 2], vertical_alignment="center")
            cols[0].markdown(trial_line(i + 1, row, trials, i))
            with cols[1]:
                _exclusion_ui(store, int(row.measurement_id), trials.excluded[i])
        if any(trials.outliers):
            st.caption(
                "An outlier sits further from the other trials than measurement error explains "
                "(MDC95, or twice their spread): exclude it if the trial went wrong."
            )


def _exclusion_ui(store: Store, measurement_id: int, reason: str) -> None:
    """``Include again`` for an excluded trial; ``Exclude…`` (asks why) for a counted one."""
    if reason:
        if st.button("Include again", key=f"review_include_{measurement_id}"):
            _change(lambda: store.include_measurement(measurement_id), "include the trial")
        return
    with st.popover("Exclude…", key=f"review_exclude_open_{measurement_id}"):
        why = st.text_input(
            "Why is this trial left out?",
            key=f"review_exclude_reason_{measurement_id}",
            placeholder="e.g. moved the trunk, lost balance",
            max_chars=200,
        )
        if st.button(
            "Exclude from the mean",
            key=f"review_exclude_{measurement_id}",
            disabled=not why.strip(),
            help="The trial stays in the record, shown struck through with the reason.",
        ):
            _change(lambda: store.exclude_measurement(measurement_id, why), "exclude the trial")


def _change(action: Any, doing: str) -> None:
    try:
        action()
    except RomcamError as exc:
        show_error(exc, doing)
        return
    st.rerun()


def _given(x: object) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))
