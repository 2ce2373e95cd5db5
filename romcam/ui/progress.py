"""Client progress: history per test and side over visits, normal range shaded, "real change /
within measurement error" labels; CSV export and the printable report."""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

from romcam.errors import RomcamError
from romcam.outcomes.compare import progress, visit_series
from romcam.outcomes.quality import is_trusted, mark, trusted_mask, why
from romcam.outcomes.report import progress_report
from romcam.store.files import client_file_stem
from romcam.store.records import ClientRecord
from romcam.ui.charts import history_chart
from romcam.ui.widgets import show_error, store_and_client_ui

log = logging.getLogger(__name__)

PHASE_CHOICES = {
    "before": "before treatment (lasting change)",
    "after": "after treatment",
    "any": "last measurement of each visit",
}
_SUMMARY = [
    "test",
    "side",
    "visits",
    "first",
    "latest",
    "best",
    "change",
    "mdc95",
    "verdict",
    "left out",
]


def _summary_ui(prog: pd.DataFrame) -> None:
    """The summary table; values that failed their quality check are listed in ``left out``
    (with date and reason), and every number beside them comes from the trusted visits."""
    shown = prog.assign(side=prog["side"].fillna(""), **{"left out": prog["left_out_note"]})
    st.dataframe(
        shown[_SUMMARY],
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(c, format="%.1f")
            for c in ("first", "latest", "best", "change", "mdc95")
        },
    )
    if (prog["left_out"] > 0).any():
        st.caption(
            "Values that failed their quality check are listed under 'left out' with the "
            "reason: first, latest, best, change, trend and verdict use the other visits only."
        )


def _history_ui(series: pd.DataFrame) -> None:
    """One chart per test and side, with each visit's verdict against the first visit."""
    for (test, side), group in series.groupby(["test", "side"], dropna=False, sort=False):
        side_label = f" ({side})" if isinstance(side, str) and side else ""
        st.markdown(f"**{str(test).replace('_', ' ').capitalize()}{side_label}**")
        data = group.assign(
            visit=pd.to_datetime(group["started_at"]),
            verdict=group["verdict_from_first"].replace("", "first visit"),
            series="value",
            trusted=trusted_mask(group).to_numpy(),
            why=[
                why(q, r) if not is_trusted(q) else ""
                for q, r in zip(group["quality"], group["quality_reason"], strict=True)
            ],
        )
        metric = str(group["metric"].iloc[0])
        chart = history_chart(
            data, metric, x_col="visit", color_col="series", trusted_col="trusted"
        )
        st.altair_chart(chart, width="stretch")
        for r in data[~data["trusted"]].itertuples(index=False):
            st.caption(
                f"{r.visit:%Y-%m-%d}: "
                + mark(f"{r.value:.1f} {r.unit}", r.quality, r.quality_reason)
                + " — hollow grey point, left out of the trend"
            )
        data = data[data["trusted"]]
        if data.empty:
            continue
        last = data.iloc[-1]
        if len(data) > 1:
            st.caption(
                f"Latest vs first visit: {last['change_from_first']:+.1f} "
                f"{last['unit']} — **{last['verdict']}**"
            )


def measurements_csv(frame: pd.DataFrame) -> bytes:
    """The client's measurements (``Store.measurements_frame``) as UTF-8 CSV bytes."""
    return frame.to_csv(index=False).encode("utf-8")


def _downloads_ui(client: ClientRecord, frame: pd.DataFrame, phase: str | None) -> None:
    name = client_file_stem(client.name, client.id)
    st.download_button(
        "Export measurements (CSV)",
        measurements_csv(frame),
        file_name=f"romcam-{name}-measurements.csv",
        mime="text/csv",
    )
    if st.button("Build the printable report", key="progress_report"):
        try:
            st.session_state["progress_report_html"] = progress_report(
                frame, phase=phase, client_name=client.name
            )
        except (RomcamError, ValueError) as exc:
            show_error(exc, "build the report")
    html = st.session_state.get("progress_report_html")
    if html:
        st.download_button(
            "Download the report (HTML, print it from the browser)",
            html.encode("utf-8"),
            file_name=f"romcam-{name}-progress.html",
            mime="text/html",
        )


def progress_page() -> None:
    st.title("Client progress")
    picked = store_and_client_ui("progress")
    if picked is None:
        return
    store, client = picked
    try:
        frame = store.measurements_frame(client=client.id)
    except RomcamError as exc:
        show_error(exc, "read the client's measurements")
        return
    if frame.empty:
        st.info(f"No measurements for {client.name} yet.")
        return
    phase = st.radio(
        "Compare visits by",
        list(PHASE_CHOICES),
        format_func=PHASE_CHOICES.get,
        horizontal=True,
        key="progress_phase",
    )
    chosen = None if phase == "any" else phase
    try:
        prog = progress(frame, phase=chosen)
        series = visit_series(frame, phase=chosen)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "compare the visits")
        return
    if prog.empty:
        st.info(f"No '{phase}' measurements yet; choose another phase above.")
    else:
        st.subheader("Summary")
        _summary_ui(prog)
        st.subheader("History")
        _history_ui(series)
    st.subheader("Export")
    _downloads_ui(client, frame, chosen)
