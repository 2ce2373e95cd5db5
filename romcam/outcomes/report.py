"""Printable, self-contained HTML reports: one session (before/after) or a client's progress.

Input is the store's tidy frame (``Store.measurements_frame``); output is one HTML string with
its CSS inline and its charts as base64 PNGs, so the file can be e-mailed or printed as is and
loads nothing from the network. All user text is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from romcam import __version__
from romcam.core.assessments import GAIT_TEST_IDS, test_label
from romcam.outcomes.compare import (
    How,
    asymmetry,
    before_after,
    collapse,
    progress,
    visit_series,
)
from romcam.outcomes.gait_charts import GAIT_CAPTION, gait_overlay_figure
from romcam.outcomes.gait_curves import stored_walks, two_walks
from romcam.outcomes.mdc import MdcTable
from romcam.outcomes.quality import (
    NOT_COMPARABLE,
    OK,
    is_trusted,
    mark,
    quality_word,
)
from romcam.outcomes.report_charts import before_after_figure, progress_figure
from romcam.outcomes.trials import (
    amount,
    pain_free_text,
    pain_score_text,
    score_text,
    trial_values_text,
)
from romcam.outcomes.visits import NO_TREND_NOTE

#: What an empty cell reads (no value, no trend, no date).
EMPTY = "—"
#: The MDC95 column's heading, in words first.
MDC_HEADING = "Smallest real change (MDC95)"
#: The column of the threshold a verdict used: the MDC95 widened by the values' uncertainty.
THRESHOLD_HEADING = "Threshold used"
PAIN_HEADINGS = ["Pain-free range", "Pain (0-10)"]
TRIALS_NOTE = "Before and after are the means of each test's counted trials (see Trials)."
OUTLIER_NOTE = (
    "A trial marked outlier sits further from the mean of the other trials than the MDC95 "
    "(or twice their spread): it still counts until it is excluded with a reason."
)

_CSS = """
body { font: 11pt/1.4 system-ui, sans-serif; color: #222; max-width: 60em; margin: 2em auto; }
h1 { font-size: 1.5em; margin-bottom: 0.2em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.meta { color: #555; } table { border-collapse: collapse; width: 100%; margin: 0.6em 0; }
th, td { border-bottom: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
th:first-child, td:first-child, td.text { text-align: left; }
.real-more { color: #0a6b2d; font-weight: 600; } .real-less { color: #a12a1a; font-weight: 600; }
img { max-width: 100%; } .note { font-size: 0.9em; color: #555; }
.rejected { color: #777; font-style: italic; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; }
  img, table { page-break-inside: avoid; } }
"""


def session_report(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    how: How = "mean",
    generated_at: datetime | None = None,
    files_root: Path | None = None,
) -> str:
    """HTML report of one session: before/after table and chart, the trials of each test (mean
    ± SD, n, each trial, excluded and flagged ones, pain), left/right asymmetry; for a gait
    test the knee and hip curves (before and after overlaid) read from the stored cycles
    files under ``files_root`` (the store's data directory; None: no curves).

    ``frame`` holds the session's measurements (one session; ValueError otherwise).
    """
    sessions: list[Any] = list(frame["session_id"].unique()) if "session_id" in frame else []
    if len(sessions) != 1:
        raise ValueError(f"a session report needs one session's rows; got {len(sessions)}")
    table = mdc or MdcTable()
    first = frame.iloc[0]
    ba = before_after(frame, table, how=how)
    title = f"Assessment of {first.get('client', '')}"
    meta = f"Session {int(first['session_id'])}, {_when(first['started_at'])}"
    if first.get("therapist"):
        meta += f", therapist {first['therapist']}"
    parts = [f"<h2>Before and after</h2>{_before_after_table(ba)}"]
    ranges = ba[~ba["test"].isin(GAIT_TEST_IDS)]  # gait values are no range in degrees
    if not ranges.empty:
        parts.append(_img(before_after_figure(ranges), "Before and after, per test"))
    parts.append(_gait_section(frame, files_root, session_id=int(first["session_id"])))
    parts.append(f"<h2>Trials</h2>{_trials_table(collapse(frame, how, table))}")
    asym = asymmetry(frame, how=how)
    if not asym.empty:
        parts.append(f"<h2>Left and right</h2>{_asymmetry_table(asym)}")
    parts.append(f"<h2>All measurements</h2>{_measurements_table(frame)}")
    return _page(title, meta, parts, table, generated_at)


def progress_report(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    phase: str | None = "before",
    how: How = "mean",
    client_name: str | None = None,
    generated_at: datetime | None = None,
    files_root: Path | None = None,
) -> str:
    """HTML report of a client's progress over visits: summary table, the gait curves of the
    first and the latest walk overlaid (cycles files under ``files_root``, as for
    :func:`session_report`), then per test a chart and its visits (each visit's trials and
    pain)."""
    table = mdc or MdcTable()
    name = client_name or (str(frame["client"].iloc[0]) if len(frame) else "client")
    prog = progress(frame, table, phase=phase, how=how)
    series = visit_series(frame, table, phase=phase, how=how)
    meta = (
        f"{frame['session_id'].nunique()} visits; values measured "
        f"{'at any phase' if phase is None else f'{phase!r} treatment'} of each visit"
    )
    parts = [f"<h2>Summary</h2>{_progress_table(prog)}", _gait_section(frame, files_root)]
    for (test, side), group in series.groupby(["test", series["side"].fillna("")], sort=False):
        label = test_label(str(test), side)
        chart = progress_figure(group, label, table.lookup(str(test)).mdc95)
        parts.append(
            f"<h2>{html.escape(label)}</h2>{_img(chart, f'{label} over visits')}"
            + _visits_table(group)
        )
    return _page(f"Progress of {name}", meta, parts, table, generated_at)


# -- tables ----------------------------------------------------------------------------------


def _before_after_table(ba: pd.DataFrame) -> str:
    if ba.empty:
        return "<p>No test was measured before and after treatment in this session.</p>"
    pain = _has_pain(ba, "before_first_pain", "after_first_pain", "before_pain_score")
    pain = pain or _has_pain(ba, "after_pain_score")
    rows = [
        [
            _hlabel(r.test, r.side),
            _marked(r.before, r.before_quality, r.before_reason),
            _marked(r.after, r.after_quality, r.after_reason),
            _num(r.change, signed=True),
            _num(r.change_pct, 0, "%", signed=True),
            _num(r.after_pct_normal, 0, "%"),
            _num(r.mdc95, 0),
            _num(r.threshold, 1),
            _verdict(r.verdict),
            *([_pair(r.before_first_pain, r.after_first_pain, r.unit), _scores(r)] if pain else []),
        ]
        for r in _rows(ba)
    ]
    head = ["Test", "Before", "After", "Change", "Change %", "% of normal", MDC_HEADING]
    head += [THRESHOLD_HEADING, "Verdict", *(PAIN_HEADINGS if pain else [])]
    shown = bool(ba["verdict"].str.startswith(NOT_COMPARABLE).any())
    notes = _rejected_note(shown) + f'<p class="note">{TRIALS_NOTE}</p>'
    return _table(head, rows) + notes + _setup_notes(ba)


def _setup_notes(compared: pd.DataFrame) -> str:
    """The comparisons whose two values were measured from different camera set-ups (their
    ``setup_note``), one per test and side; "" when there is none."""
    if "setup_note" not in compared.columns:
        return ""
    items = [
        f"<li>{_hlabel(r.test, r.side)}: {html.escape(r.setup_note)}</li>"
        for r in _rows(compared)
        if r.setup_note
    ]
    return f'<ul class="note">{"".join(items)}</ul>' if items else ""


def _has_pain(frame: pd.DataFrame, *columns: str) -> bool:
    """Whether any of ``columns`` (present in ``frame``) holds a recorded pain value."""
    return any(c in frame.columns and frame[c].notna().any() for c in columns)


def _pair(before: float, after: float, unit: str) -> str:
    """``120° → 150°`` (either "—" when not recorded); "—" when neither is."""
    text = pain_free_text(before, after, unit).removeprefix("pain-free range ")
    return html.escape(text or EMPTY)


def _scores(r: Any) -> str:
    text = pain_score_text(r.before_pain_score, r.after_pain_score).removeprefix("pain ")
    return html.escape(text or EMPTY)


def _trials_table(picked: pd.DataFrame) -> str:
    """Per test, side and phase: the mean ± SD with n, each trial in order (excluded ones with
    their reason, flagged outliers), the pain-free range and the pain score."""
    if picked.empty:
        return "<p>No trial was counted in this session.</p>"
    rows = [
        [
            _hlabel(r.test, r.side),
            html.escape(str(r.phase)),
            *_trial_cells(r),
        ]
        for r in _rows(picked)
    ]
    head = ["Test", "Phase", "Result", "Each trial", "Pain-free range", "Pain (0-10)"]
    note = ""
    if picked["outliers"].any():
        note = f'<p class="note">{html.escape(OUTLIER_NOTE)}</p>'
    return _table(head, rows) + note


def _asymmetry_table(asym: pd.DataFrame) -> str:
    rows = [
        [
            _hlabel(r.test, None),
            html.escape(str(r.phase)),
            _marked(r.left, r.left_quality, r.left_reason),
            _marked(r.right, r.right_quality, r.right_reason),
            _num(r.difference, signed=True),
            _num(r.asymmetry_pct, 0, "%"),
        ]
        for r in _rows(asym)
    ]
    head = ["Test", "Phase", "Left", "Right", "Left - right (range)", "Asymmetry"]
    return _table(head, rows)


def _measurements_table(frame: pd.DataFrame) -> str:
    """Every trial of the session: value, quality, pain, exclusion, compensation (when any
    trial recorded one), time."""
    compensated = "compensation" in frame.columns and bool(
        frame["compensation"].map(lambda c: isinstance(c, dict) and bool(c)).any()
    )
    rows = [
        [
            _hlabel(r.test, r.side),
            html.escape(str(r.phase)),
            _marked(r.value, getattr(r, "quality", OK), getattr(r, "quality_reason", "")),
            html.escape(str(r.unit)),
            html.escape(_quality_text(getattr(r, "quality", OK))),
            _num(getattr(r, "first_pain", None)),
            html.escape(score_text(_float(getattr(r, "pain_score", None)))),
            html.escape(_text(getattr(r, "excluded_reason", None)) or EMPTY),
            *([html.escape(_compensation_text(r.compensation))] if compensated else []),
            html.escape(_when(getattr(r, "measured_at", None))),
        ]
        for r in _rows(frame)
    ]
    head = ["Test", "Phase", "Value", "Unit", "Quality", "Pain began", "Pain (0-10)"]
    head += ["Excluded (why)", *(["Compensation (peak)"] if compensated else []), "Measured"]
    return _table(head, rows)


def _compensation_text(peaks: Any) -> str:
    """``trunk lateral lean 7.5°; trunk rotation 3.0°`` from a trial's compensation peaks."""
    if not isinstance(peaks, dict) or not peaks:
        return EMPTY
    return "; ".join(f"{name.replace('_', ' ')} {float(deg):.1f}°" for name, deg in peaks.items())


def _trial_cells(r: Any) -> list[str]:
    """HTML cells of one trials row: the result, each trial, the pain-free range, the pain."""
    return [
        _marked_text(r.label, r.quality, r.quality_reason),
        html.escape(
            trial_values_text(
                r.trial_values, r.trial_counted, r.trial_outliers, r.trial_excluded, r.unit
            )
        ),
        html.escape(amount(r.first_pain, r.unit)),
        html.escape(score_text(r.pain_score)),
    ]


def _visits_table(series: pd.DataFrame) -> str:
    """One test's visits (``visit_series()`` rows): date, result, each trial, pain."""
    rows = [
        [
            html.escape(_when(r.started_at)),
            *_trial_cells(r),
        ]
        for r in _rows(series)
    ]
    return _table(["Visit", "Result", "Each trial", "Pain-free range", "Pain (0-10)"], rows)


def _progress_table(prog: pd.DataFrame) -> str:
    if prog.empty:
        return "<p>No measurements to compare yet.</p>"
    pain = _has_pain(prog, "pain_free_first", "pain_score_first")
    rows = [
        [
            _hlabel(r.test, r.side),
            str(r.visits),
            _num(r.first),
            _num(r.latest),
            _num(r.best),
            _num(r.change, signed=True),
            _num(r.slope_per_30d, 1, signed=True),
            _num(r.mdc95, 0),
            _num(r.threshold, 1),
            _verdict(r.verdict),
            *(
                [
                    _pair(r.pain_free_first, r.pain_free_latest, r.unit),
                    html.escape(
                        pain_score_text(r.pain_score_first, r.pain_score_latest).removeprefix(
                            "pain "
                        )
                        or EMPTY
                    ),
                ]
                if pain
                else []
            ),
        ]
        for r in _rows(prog)
    ]
    head = [
        "Test",
        "Visits",
        "First",
        "Latest",
        "Best",
        "Change",
        "Trend per 30 days",
        MDC_HEADING,
        THRESHOLD_HEADING,
        "Verdict",
        *(PAIN_HEADINGS if pain else []),
    ]
    left_out = [
        f"<li>{_hlabel(r.test, r.side)}: {html.escape(r.left_out_note)}</li>"
        for r in _rows(prog)
        if r.left_out
    ]
    table = _table(head, rows) + _setup_notes(prog)
    if prog["slope_per_30d"].isna().any():
        table += f'<p class="note">{html.escape(NO_TREND_NOTE)}</p>'
    if not left_out:
        return table
    return (
        table + '<p class="note">Left out of first, latest, best, change, trend and verdict '
        f'(failed the quality check):</p><ul class="note">{"".join(left_out)}</ul>'
    )


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _marked(x: Any, quality: Any, reason: Any) -> str:
    """A value cell: the number, or for a value that failed its quality check the number with
    the word and the reason, greyed (``106.5 (rejected: knee hidden)``)."""
    if is_trusted(quality):
        return _num(x)
    return f'<span class="rejected">{html.escape(mark(_num(x), quality, reason))}</span>'


def _marked_text(text: str, quality: Any, reason: Any) -> str:
    """Like :func:`_marked` for a text that is already formatted (a trials label)."""
    if is_trusted(quality):
        return html.escape(text)
    return f'<span class="rejected">{html.escape(mark(text, quality, reason))}</span>'


def _rejected_note(shown: bool) -> str:
    if not shown:
        return ""
    return (
        '<p class="note">A value marked rejected failed its quality check: it is shown with '
        "the reason but left out of % of normal, the change and the verdict.</p>"
    )


def _quality_text(quality: Any) -> str:
    """``ok``, or the failed check in a word (``rejected``, ``flagged``), never a raw code."""
    return "ok" if is_trusted(quality) else quality_word(quality)


def _verdict(text: str) -> str:
    cls = "real-more" if "more range" in text else "real-less" if "less range" in text else ""
    return f'<span class="{cls}">{html.escape(text)}</span>' if cls else html.escape(text)


# -- charts ----------------------------------------------------------------------------------


def _gait_section(frame: pd.DataFrame, root: Path | None, session_id: int | None = None) -> str:
    """The gait curves of two walks overlaid ("" when the frame has no gait test)."""
    if not frame["test"].isin(GAIT_TEST_IDS).any():
        return ""
    walks = two_walks(stored_walks(frame, root), session_id=session_id) if root else []
    if not walks:
        return "<h2>Gait curves</h2><p>The walks' curve files are not available.</p>"
    chart = _img(gait_overlay_figure(walks), "Knee and hip curves over the gait cycle")
    return f'<h2>Gait curves</h2>{chart}<p class="note">{html.escape(GAIT_CAPTION)}</p>'


def _img(fig: Figure, alt: str) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


# -- page ------------------------------------------------------------------------------------


def _page(
    title: str, meta: str, parts: list[str], table: MdcTable, generated_at: datetime | None
) -> str:
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M")
    note = (
        "A change counts as real only when it is larger than the threshold used: the minimal "
        "detectable change (MDC95) of the test, widened by the two values' own uncertainty, "
        "√(MDC95² + u₁² + u₂²); smaller changes are within measurement error. Each value is the "
        "mean of its test's counted trials. % of normal is the "
        "value as a share of the AAOS normal end range. "
        f"MDC source for unlisted tests: {html.escape(table.fallback.source)}."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
        f'<h1>{html.escape(title)}</h1><p class="meta">{html.escape(meta)}</p>'
        + "".join(parts)
        + f'<p class="note">{note}</p>'
        f'<p class="note">Generated {when} UTC by romcam {__version__}. Measured from video; '
        "not a diagnosis.</p></body></html>\n"
    )


def _hlabel(test: str, side: Any) -> str:
    return html.escape(test_label(test, side))


def _num(x: Any, digits: int = 1, suffix: str = "", *, signed: bool = False) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return EMPTY
    return f"{float(x):{'+' if signed else ''}.{digits}f}{suffix}"


def _when(x: Any) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x):
        return EMPTY
    return pd.Timestamp(x).strftime("%Y-%m-%d %H:%M") + " UTC"


def _float(x: Any) -> float:
    return math.nan if x is None or pd.isna(x) else float(x)


def _text(x: Any) -> str:
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else str(x)


def _rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed Any: columns are known by name, not to the type checker)."""
    return list(frame.itertuples(index=False))
