"""Before/after, left/right and visit-over-visit comparisons over the store's tidy frame.

Pure functions: a tidy frame in (``Store.measurements_frame``: one row per measurement with at
least ``REQUIRED_COLUMNS``), a new frame out; no database, no files. Used by the CLI, the HTML
report and the dashboard.

Conventions:
    * each stored measurement is one trial; the trials of a test (one session, phase, test and
      side) are collapsed with ``how``: ``mean`` (default: the mean of the counted trials, shown
      as "165 ± 2°, 3 trials") or ``best``; excluded trials and, where trusted ones exist,
      untrusted ones are not counted (``romcam.outcomes.trials``);
    * ``change`` = after - before (or latest - first) in the metric's unit; ``gain`` is the
      change signed so that + means *more range toward the test's end range* (for an extension
      test, whose end range is the minimum of the flexion column, a more negative value is a
      gain); posture tests have no gain (NaN);
    * ``pct_normal`` = value as % of the normal end range of the metric (``metric_specs``), e.g.
      shoulder flexion 153 deg = 85 % of 180; NaN for posture metrics and metrics with no norm;
    * ``verdict``: a change counts as real only when ``|change| > threshold``, the test's MDC95
      (``romcam.outcomes.mdc``) widened by the two values' own uncertainty:
      sqrt(MDC95² + u1² + u2²) (``romcam.outcomes.reliability``); otherwise ``within
      measurement error``;
    * pain: ``first_pain`` (the pain-free range, mean of the trials) and ``pain_score`` (0-10)
      are carried per value; ``pain_free_change`` = after - before;
    * a value whose stored quality is not ``ok`` (``romcam.outcomes.quality``) is carried with
      its quality and reason, shown marked, and left out of % of normal, changes, trends and
      verdicts (``not comparable: the after value was rejected``). Collapsing prefers trusted
      attempts: a rejected retake does not replace an accepted attempt.

The shared helpers live in ``romcam.outcomes.values``, the visit-over-visit functions in
``romcam.outcomes.visits``; both are re-exported here.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from romcam.core.setup_geometry import setup_note_of
from romcam.outcomes.mdc import MdcTable
from romcam.outcomes.quality import NOT_COMPARABLE, OK, is_trusted, not_comparable, quality_word
from romcam.outcomes.reliability import real_change_threshold
from romcam.outcomes.values import (
    COLLAPSED_COLUMNS,
    INCOMPLETE,
    KEYS,
    LESS_RANGE,
    MORE_RANGE,
    REAL_CHANGE,
    REQUIRED_COLUMNS,
    WITHIN_ERROR,
    How,
    check_frame,
    collapse,
    denormalised_sides,
    extreme_sign,
    is_rom,
    percent_of_normal,
    verdict,
)
from romcam.outcomes.visits import PROGRESS_COLUMNS, VISIT_COLUMNS, progress, visit_series

__all__ = [
    "ASYMMETRY_COLUMNS",
    "BEFORE_AFTER_COLUMNS",
    "COLLAPSED_COLUMNS",
    "INCOMPLETE",
    "LESS_RANGE",
    "MORE_RANGE",
    "PROGRESS_COLUMNS",
    "REAL_CHANGE",
    "REQUIRED_COLUMNS",
    "VISIT_COLUMNS",
    "WITHIN_ERROR",
    "How",
    "asymmetry",
    "before_after",
    "check_frame",
    "collapse",
    "extreme_sign",
    "is_rom",
    "percent_of_normal",
    "progress",
    "verdict",
    "visit_series",
]


def asymmetry(frame: pd.DataFrame, *, how: How = "mean") -> pd.DataFrame:
    """Left/right comparison per session, phase and sided test.

    Columns: session_id, phase, test, unit, left, right, difference (left extent - right
    extent, i.e. + when the left side reaches further), asymmetry_pct (|difference| as % of
    the larger extent), left_quality, left_reason, right_quality, right_reason. The
    difference is NaN when either side's value failed its quality check.
    """
    picked = collapse(frame, how)
    picked = picked[picked["side"].isin(["left", "right"])]
    rows = []
    for (session_id, phase, test), group in picked.groupby(
        ["session_id", "phase", "test"], sort=False
    ):
        by_side = {r["side"]: r for _, r in group.iterrows()}
        if set(by_side) != {"left", "right"}:
            continue
        left, right = by_side["left"], by_side["right"]
        ext_l = extreme_sign(test, "left") * left["value"]
        ext_r = extreme_sign(test, "right") * right["value"]
        if not (is_trusted(left["quality"]) and is_trusted(right["quality"])):
            ext_l = ext_r = math.nan
        larger = max(abs(ext_l), abs(ext_r))
        rows.append(
            {
                "session_id": session_id,
                "phase": phase,
                "test": test,
                "unit": left["unit"],
                "left": left["value"],
                "right": right["value"],
                "difference": ext_l - ext_r,
                "asymmetry_pct": 100.0 * abs(ext_l - ext_r) / larger if larger > 0 else math.nan,
                "left_quality": left["quality"],
                "left_reason": left["quality_reason"],
                "right_quality": right["quality"],
                "right_reason": right["quality_reason"],
            }
        )
    return pd.DataFrame(rows, columns=ASYMMETRY_COLUMNS)


ASYMMETRY_COLUMNS = [
    "session_id",
    "phase",
    "test",
    "unit",
    "left",
    "right",
    "difference",
    "asymmetry_pct",
    "left_quality",
    "left_reason",
    "right_quality",
    "right_reason",
]


def before_after(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    before: str = "before",
    after: str = "after",
    how: How = "mean",
) -> pd.DataFrame:
    """Before vs after per session, test and side.

    Columns: session_id, test, side, metric, unit, before, after, change, change_pct, gain,
    before_pct_normal, after_pct_normal, mdc95, mdc_estimate, threshold (the real-change
    threshold used: MDC95 widened by the values' uncertainty), verdict, asymmetry_before,
    asymmetry_after (see :func:`asymmetry`'s ``difference``), then per phase (before_*,
    after_*): sd, n, n_excluded, label ("165 ± 2°, 3 trials"), first_pain, pain_score,
    uncertainty; pain_free_change (after - before first_pain), setup_note (a sentence when
    the two phases' camera set-ups differ beyond tolerance, ``core.setup_geometry``; ""
    otherwise), quality and reason. A test
    measured in only one phase gets NaN changes and the
    verdict ``not measured in both``. A value that failed its quality check keeps its number
    in ``before``/``after`` (to be shown marked) but gets no % of normal, no change and the
    verdict ``not comparable: the after value was rejected`` (or before, or both).
    """
    table = mdc or MdcTable()
    picked = collapse(frame, how, table)
    pivot = _phase_pivot(picked, before, after)
    asym = asymmetry(frame, how=how).set_index(["session_id", "phase", "test"])["difference"]
    rows = []
    for _, r in pivot.iterrows():
        entry = table.lookup(r["test"])
        ok_before, ok_after = is_trusted(r["before_quality"]), is_trusted(r["after_quality"])
        b = r["before"] if ok_before else math.nan
        a = r["after"] if ok_after else math.nan
        change = a - b
        gain = extreme_sign(r["test"], r["side"]) * change if is_rom(r["metric"]) else math.nan
        threshold = real_change_threshold(
            entry.mdc95, r["before_uncertainty"], r["after_uncertainty"]
        )
        rows.append(
            {
                **{k: r[k] for k in ("session_id", "test", "side", "metric", "unit")},
                "before": r["before"],
                "after": r["after"],
                "change": change,
                "change_pct": 100.0 * change / abs(b) if b else math.nan,
                "gain": gain,
                "before_pct_normal": percent_of_normal(r["test"], r["side"], b),
                "after_pct_normal": percent_of_normal(r["test"], r["side"], a),
                "mdc95": entry.mdc95,
                "mdc_estimate": entry.estimate,
                "threshold": threshold,
                "verdict": _pair_verdict(r, change, threshold, gain),
                "asymmetry_before": asym.get((r["session_id"], before, r["test"]), math.nan),
                "asymmetry_after": asym.get((r["session_id"], after, r["test"]), math.nan),
                **{k: r[k] for k in TRIAL_PAIR_COLUMNS},
                "pain_free_change": r["after_first_pain"] - r["before_first_pain"]
                if ok_before and ok_after
                else math.nan,
                "setup_note": setup_note_of(r["before_setups"], r["after_setups"]) or "",
                **{k: r[k] for k in QUALITY_COLUMNS},
            }
        )
    return denormalised_sides(pd.DataFrame(rows, columns=BEFORE_AFTER_COLUMNS))


def _pair_verdict(r: pd.Series, change: float, threshold: float, gain: float) -> str:
    """The verdict of a before/after pair, naming the value that failed its check."""
    bad = [
        (name, r[f"{name}_quality"])
        for name in ("before", "after")
        if not is_trusted(r[f"{name}_quality"]) and math.isfinite(r[name])
    ]
    if len(bad) == 2:
        return f"{NOT_COMPARABLE}: both values were {quality_word(bad[1][1])}"
    if bad:
        return not_comparable(*bad[0])
    return verdict(change, threshold, gain)


#: What each phase's value carries from its trials (``collapse``), and what a missing phase has.
PHASE_FIELDS: dict[str, Any] = {
    "sd": math.nan,
    "n": 0,
    "n_excluded": 0,
    "label": "",
    "first_pain": math.nan,
    "pain_score": math.nan,
    "uncertainty": 0.0,
}
TRIAL_PAIR_COLUMNS = [f"{p}_{k}" for p in ("before", "after") for k in PHASE_FIELDS]
QUALITY_COLUMNS = ["before_quality", "before_reason", "after_quality", "after_reason"]
BEFORE_AFTER_COLUMNS = [
    "session_id",
    "test",
    "side",
    "metric",
    "unit",
    "before",
    "after",
    "change",
    "change_pct",
    "gain",
    "before_pct_normal",
    "after_pct_normal",
    "mdc95",
    "mdc_estimate",
    "threshold",
    "verdict",
    "asymmetry_before",
    "asymmetry_after",
    *TRIAL_PAIR_COLUMNS,
    "pain_free_change",
    "setup_note",
    *QUALITY_COLUMNS,
]


def _phase_pivot(picked: pd.DataFrame, before: str, after: str) -> pd.DataFrame:
    """One row per session, test and side: value, trials, quality and reason of each phase."""
    keys = ["session_id", *KEYS, "metric", "unit"]
    sub = picked[picked["phase"].isin([before, after])]
    rows: dict[tuple, dict[str, Any]] = {}
    for _, r in sub.iterrows():
        row = rows.setdefault(
            tuple(r[k] for k in keys),
            {**{k: r[k] for k in keys}, **_phase_cells("before"), **_phase_cells("after")},
        )
        name = "before" if r["phase"] == before else "after"
        row.update(_phase_cells(name, r))
    setups = ["before_setups", "after_setups"]
    columns = [*keys, "before", "after", *QUALITY_COLUMNS, *TRIAL_PAIR_COLUMNS, *setups]
    return pd.DataFrame(list(rows.values()), columns=columns)


def _phase_cells(name: str, r: pd.Series | None = None) -> dict[str, Any]:
    """The cells of phase ``name`` (``before``/``after``) from a collapsed row ``r``, or those
    of a phase not measured."""
    if r is None:
        cells = {name: math.nan, f"{name}_quality": OK, f"{name}_reason": ""}
        cells[f"{name}_setups"] = ()
        return cells | {f"{name}_{k}": empty for k, empty in PHASE_FIELDS.items()}
    cells = {
        name: r["value"],
        f"{name}_quality": r["quality"],
        f"{name}_reason": r["quality_reason"],
        f"{name}_setups": r["setups"],
    }
    return cells | {f"{name}_{k}": r[k] for k in PHASE_FIELDS}
