"""Client progress: history per test and side over visits (a date axis, the normal end range as
a line; each visit's mean of its trials with a ± SD error bar, and the pain-free range), "real
change / within measurement error" labels; CSV export and the printable report. The client's
home checks (imported here, ``romcam.ui.home_import``) are diamonds between the visits, never
counted as visits (``romcam.outcomes.home``)."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd
import streamlit as st

from romcam.core.assessments import assessment_test, test_label
from romcam.core.setup_geometry import setup_note_lines
from romcam.errors import RomcamError
from romcam.outcomes.compare import progress, visit_series
from romcam.outcomes.home import home_series
from romcam.outcomes.mdc import load_mdc_table
from romcam.outcomes.quality import is_trusted, mark, trusted_mask, why
from romcam.outcomes.report import progress_report
from romcam.outcomes.trials import pain_free_text, pain_score_text
from romcam.outcomes.visits import NO_TREND_NOTE
from romcam.store.files import client_file_stem
from romcam.store.records import ClientRecord
from romcam.ui.charts import history_chart, side_of
from romcam.ui.current import context_line_ui, current_context
from romcam.ui.home_import import home_import_ui
from romcam.ui.home_points import HOME_LABEL
from romcam.ui.widgets import show_error

log = logging.getLogger(__name__)

PHASE_CHOICES = {
    "before": "before treatment (lasting change)",
    "after": "after treatment",
    "any": "last measurement of each visit",
}
#: The summary's columns as people read them, from ``progress()``'s columns.
_SUMMARY = {
    "visits": "Visits",
    "first": "First",
    "latest": "Latest",
    "best": "Best",
    "change": "Change",
    "slope_per_30d": "Trend per 30 days",
    "mdc95": "Smallest real change (MDC95)",
    "verdict": "Verdict",
    "left_out_note": "Left out",
}
_NUMBERS = ("First", "Latest", "Best", "Change", "Trend per 30 days")
_SIGNED = ("Change", "Trend per 30 days")


def summary_table(prog: pd.DataFrame) -> pd.DataFrame:
    """``progress()`` as shown: one row per test and side (``Knee flexion (left)``), plain
    column names, no value where there is none (shown as "—"); the pain-free range and the
    pain score first → latest (``pain-free range 120° → 150°``) where recorded."""
    shown = prog.rename(columns=_SUMMARY)[list(_SUMMARY.values())]
    tests = [test_label(str(t), s) for t, s in zip(prog["test"], prog["side"], strict=True)]
    shown.insert(0, "Test", tests)
    rows: list[Any] = list(prog.itertuples(index=False))
    pain_free = [pain_free_text(r.pain_free_first, r.pain_free_latest, r.unit) for r in rows]
    pain = [pain_score_text(r.pain_score_first, r.pain_score_latest) for r in rows]
    shown.insert(len(shown.columns) - 1, "Pain-free range", [t or None for t in pain_free])
    shown.insert(len(shown.columns) - 1, "Pain (0–10)", [t or None for t in pain])
    return shown.assign(**{"Left out": shown["Left out"].replace("", None)})


def _summary_ui(prog: pd.DataFrame) -> None:
    """The summary table; values that failed their quality check are listed under "Left out"
    (with date and reason), and every number beside them comes from the trusted visits."""
    config: dict[str, Any] = {
        c: st.column_config.NumberColumn(format="%+.1f" if c in _SIGNED else "%.1f")
        for c in _NUMBERS
    }
    config["Smallest real change (MDC95)"] = st.column_config.NumberColumn(format="%.0f")
    st.dataframe(
        summary_table(prog), hide_index=True, width="stretch", column_config=config, placeholder="—"
    )
    notes = [NO_TREND_NOTE] if prog["slope_per_30d"].isna().any() else []
    if (prog["left_out"] > 0).any():
        notes.append(
            "Values that failed their quality check are listed under 'Left out' with the "
            "reason: first, latest, best, change, trend and verdict use the other visits only."
        )
    if notes:
        st.caption(" ".join(notes))
    for line in setup_note_lines(prog["test"], prog["side"], prog["setup_note"]):
        st.caption(line)


def _history_ui(series: pd.DataFrame, home: pd.DataFrame) -> None:
    """One chart per test and side, with each visit's verdict against the first visit and the
    home checks of that test and side between the visits."""
    for (test, side), group in _with_home_only(series, home).groupby(
        ["test", "side"], dropna=False, sort=False
    ):
        st.markdown(f"**{test_label(str(test), side)}**")
        at_home = _rows_of(home, test, side)
        metric = str(group["metric"].iloc[0])
        group = group.dropna(subset=["value"])  # a test measured only at home has no visit
        data = group.assign(
            visit=pd.to_datetime(group["started_at"]),
            verdict=group["verdict_from_first"].replace("", "first visit"),
            trusted=trusted_mask(group).to_numpy(),
            why=[
                why(q, r) if not is_trusted(q) else ""
                for q, r in zip(group["quality"], group["quality_reason"], strict=True)
            ],
        )
        chart = history_chart(
            data,
            metric,
            x_col="visit",
            trusted_col="trusted",
            extreme=assessment_test(str(test)).extreme(side_of(side)),
            sd_col="sd",
            pain_col="first_pain",
            home=at_home.assign(visit=pd.to_datetime(at_home["started_at"])),
        )
        st.altair_chart(chart, width="stretch")
        _home_caption(at_home)
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
                f"{last['unit']} — **{last['verdict']}**. Each point is the visit's mean of its "
                f"trials (latest: {last['label']}), the bar ± their SD."
            )


def _rows_of(frame: pd.DataFrame, test: object, side: object) -> pd.DataFrame:
    """The rows of one test and side (side None/NaN: the unsided test)."""
    same_side = frame["side"].isna() if _side(side) is None else frame["side"] == side
    return frame[(frame["test"] == test) & same_side]


def _with_home_only(series: pd.DataFrame, home: pd.DataFrame) -> pd.DataFrame:
    """``series`` plus a row without a value (metric and unit only) for each test and side
    measured only at home, so that it has a chart too."""
    seen = set(zip(series["test"], series["side"].map(_side), strict=True))
    keys = zip(home["test"], home["side"].map(_side), strict=True)
    only = home.loc[[k not in seen for k in keys]] if not home.empty else home
    firsts = only.drop_duplicates(["test", "side"])[["test", "side", "metric", "unit"]]
    return pd.concat([series, firsts.assign(value=float("nan"))], ignore_index=True)


def _side(side: object) -> str | None:
    return side if isinstance(side, str) else None


def _home_caption(at_home: pd.DataFrame) -> None:
    if at_home.empty:
        return
    last = at_home.iloc[-1]
    days = "1 day" if len(at_home) == 1 else f"{len(at_home)} days"
    st.caption(
        f"Teal diamonds: {HOME_LABEL}, {days} (latest {pd.Timestamp(last['started_at']):%Y-%m-%d}: "
        f"{last['label']}); not counted as visits, so first, latest, trend and verdict compare "
        "the clinic's visits only."
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
                frame, load_mdc_table(), phase=phase, client_name=client.name
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
    current = current_context()
    context_line_ui(current, needs_session=False)
    if current is None:
        return
    store, client = current.store, current.client
    home_import_ui(store, client)

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
        mdc = load_mdc_table()
        prog = progress(frame, mdc, phase=chosen)
        series = visit_series(frame, mdc, phase=chosen)
        home = home_series(frame, mdc)
    except (RomcamError, ValueError) as exc:
        show_error(exc, "compare the visits")
        return
    if prog.empty:
        st.info(f"No '{phase}' measurements yet; choose another phase above.")
    else:
        st.subheader("Summary")
        _summary_ui(prog)
    if not prog.empty or not home.empty:
        st.subheader("History")
        _history_ui(series, home)
    st.subheader("Export")
    _downloads_ui(client, frame, chosen)
