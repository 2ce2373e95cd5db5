"""Test-retest: the clinic's own measurement error (ICC, SEM, MDC95) and adopting it.

Guides the two measurements of the protocol (docs/reliability.md), shows the reliability of
every test with pairs, and writes the clinic's MDC file (``clinic-mdc.toml`` in the data
directory), which every comparison then uses (``outcomes.mdc.load_mdc_table``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from romcam.core.assessments import test_label
from romcam.errors import RomcamError
from romcam.outcomes.mdc import MDC_FILE_ENV, MdcTable, clinic_mdc_path, mdc_file_in_use
from romcam.outcomes.retest import TestRetest, clinic_mdc_toml, retest_summary, session_guide
from romcam.output_paths import os_error_sentence
from romcam.paths import atomic_write_text
from romcam.ui.current import current_context
from romcam.ui.widgets import open_store, show_error

if TYPE_CHECKING:
    from romcam.store import Store

STEPS = """
1. Choose the client and start today's session in the sidebar.
2. Measure the test (Assess or Analyze) with the phase **other**, label **test**.
3. **Re-set-up the camera and the client between the two measurements:** move the camera away
   and put it back, let the client walk around and take the start position again.
4. Measure the same test and side again, phase **other**, label **retest**, in the same session.
5. Repeat with other clients: 10 or more pairs from several clients give a clinic-wide figure.
"""
ALL_CLIENTS = "All clients (clinic-wide)"


def reliability_table(rows: Sequence[TestRetest], published: MdcTable) -> pd.DataFrame:
    """The rows as shown: one line per test, the published MDC95 beside the clinic's."""

    def interval(i: object) -> str:
        value, lower, upper = (getattr(i, a) for a in ("value", "lower", "upper"))
        return f"{value:.2f} [{lower:.2f}, {upper:.2f}]" if math.isfinite(value) else "—"

    records = []
    for r in rows:
        res = r.result
        records.append(
            {
                "Test": test_label(r.test, None),
                "Pairs": r.pairs,
                "Clients": r.clients,
                "ICC(2,1) [95% CI]": interval(res.icc_agreement) if res else "—",
                "ICC(3,1) [95% CI]": interval(res.icc_consistency) if res else "—",
                "SEM": res.sem if res else None,
                "MDC95 (clinic)": res.mdc95 if res else None,
                "MDC95 (published)": published.mdc(r.test),
                "Note": _short_note(r),
            }
        )
    return pd.DataFrame(records)


def _short_note(r: TestRetest) -> str:
    """The table's note; the full sentence is shown under the table."""
    if r.result is None:
        return "no result (see below)"
    if r.clients < 2:
        return "one client: ICC not meaningful"
    return "few pairs: ICC not meaningful" if r.warning else ""


def retest_page() -> None:
    st.title("Test–retest: the clinic's own error")
    st.caption(
        "How much does a measurement change when nothing about the client changed? Measure a "
        "test twice with a full re-set-up in between; romcam computes ICC, SEM and MDC95 from "
        "the pairs and can use the MDC95 as the clinic's smallest real change."
    )
    with st.expander("How to record a pair", expanded=False):
        st.markdown(STEPS)
    store = open_store()
    if store is None:
        return
    current = current_context()
    if current is not None and current.session is not None:
        _guide_ui(current.store, current.session.id)
    scope = [ALL_CLIENTS] + ([current.client.name] if current is not None else [])
    who = st.radio("Pairs from", scope, horizontal=True, key="retest_scope")
    try:
        frame = store.measurements_frame()
        rows = retest_summary(frame, None if who == ALL_CLIENTS else who)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "read the test-retest pairs")
        return
    if not rows:
        st.info("No test-retest pairs yet: record a test in phase 'test' and again in 'retest'.")
        return
    _table_ui(rows)
    _adopt_ui(rows)


def _guide_ui(store: Store, session_id: int) -> None:
    try:
        frame = store.measurements_frame(session_id=session_id)
        lines = session_guide(frame)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "read this session's measurements")
        return
    st.subheader("This session")
    if not lines:
        st.markdown("Nothing measured in phase **test** yet: measure a test labelled `test` first.")
    for line in lines:
        st.markdown(f"- {line}")


def _table_ui(rows: Sequence[TestRetest]) -> None:
    st.subheader("Reliability per test")
    try:
        published = MdcTable()
        shown = reliability_table(rows, published)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "compute the reliability")
        return
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            c: st.column_config.NumberColumn(format="%.1f°")
            for c in ("SEM", "MDC95 (clinic)", "MDC95 (published)")
        },
    )
    for r in rows:
        if r.warning or r.problem:
            st.warning(f"{test_label(r.test, None)}: {r.warning or r.problem}.")
    st.caption(
        "SEM = √(mean square error) of the two-way ANOVA; MDC95 = 1.96 × √2 × SEM. ICC(2,1) "
        "counts a systematic test–retest shift as error, ICC(3,1) does not (docs/reliability.md)."
    )


def _adopt_ui(rows: Sequence[TestRetest]) -> None:
    st.subheader("Use the clinic's MDC")
    status = st.empty()  # filled last, so it tells what the buttons below just did
    target = clinic_mdc_path()
    if st.button("Adopt as the clinic's MDC", type="primary", key="retest_adopt"):
        try:
            atomic_write_text(target, clinic_mdc_toml(rows, datetime.now(UTC).date()))
            st.success(
                f"Saved to {target}. Comparisons, progress and reports now use the clinic's "
                "MDC95 for these tests; tests without pairs keep the published values."
            )
        except RomcamError as exc:
            show_error(exc, "adopt the clinic's MDC")
        except OSError as exc:
            show_error(RomcamError(os_error_sentence(exc)), "adopt the clinic's MDC")
    if target.is_file() and st.button("Go back to the published values", key="retest_drop"):
        target.unlink(missing_ok=True)
        st.success("The clinic's MDC file was removed; the published values are used again.")
    in_use = mdc_file_in_use()
    with status.container():
        if in_use is None:
            st.markdown("Comparisons use the **published** MDC95 values.")
        else:
            st.markdown(f"Comparisons use the MDC file `{in_use}`.")
        if os.environ.get(MDC_FILE_ENV):
            st.warning(
                f"{MDC_FILE_ENV} names an MDC file, so it stays in use; unset it for the "
                "clinic's own file to count."
            )
