"""Visit over visit: one value per visit and the progress summary per test and side (see
``romcam.outcomes.compare`` for the conventions; untrusted values as in
``romcam.outcomes.quality``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from romcam.core.setup_geometry import setup_note_of
from romcam.outcomes.home import clinic_measurements
from romcam.outcomes.mdc import MdcTable
from romcam.outcomes.quality import (
    NOT_COMPARABLE,
    is_trusted,
    mark,
    not_comparable,
    quality_word,
    trusted_mask,
)
from romcam.outcomes.reliability import real_change_threshold
from romcam.outcomes.values import (
    INCOMPLETE,
    KEYS,
    TRIAL_COLUMNS,
    How,
    collapse,
    denormalised_sides,
    extreme_sign,
    is_rom,
    normalised_sides,
    percent_of_normal,
    verdict,
)


def visit_series(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    phase: str | None = "before",
    how: How = "mean",
) -> pd.DataFrame:
    """One value per visit, test and side (the trials of one phase, collapsed with ``how``),
    oldest visit first.

    ``phase`` picks which phase of a visit counts (default ``before``: the state the client
    arrives in shows lasting change); None takes the visit's last phase measured. Columns:
    session_id, started_at, test, side, metric, unit, value, the trials' sd, n, n_excluded,
    label, trial_values, trial_counted, trial_outliers, trial_excluded, first_pain,
    pain_score, uncertainty, setups (``collapse``), pct_normal, change_from_first,
    change_from_previous, threshold_from_first (MDC95 widened by this and the first value's
    uncertainty), verdict_from_first, quality, quality_reason. Changes run between trusted
    values only (the first and the previous trusted visit); a visit whose value failed its
    quality check keeps its value, marked, with no % of normal, no change and the verdict
    ``not comparable: this value was rejected``. Visits are the clinic's: the client's home
    checks (source ``home``) are left out (``romcam.outcomes.home``).
    """
    table = mdc or MdcTable()
    frame = clinic_measurements(frame)
    picked = collapse(frame, how, table)
    picked = picked.sort_values(["started_at", "session_id"], kind="stable")
    picked = _last_phase(frame, picked) if phase is None else picked[picked["phase"] == phase]
    out = []
    for (test, side), group in picked.groupby(KEYS, sort=False):
        sign = extreme_sign(test, side) if is_rom(group["metric"].iloc[0]) else math.nan
        mdc95 = table.mdc(str(test))
        first = previous = math.nan
        first_u = 0.0
        for _, r in group.iterrows():
            row = {k: r[k] for k in VISIT_COLUMNS if k in r.index}
            if not is_trusted(r["quality"]):
                out.append(
                    {
                        **row,
                        "pct_normal": math.nan,
                        "change_from_first": math.nan,
                        "change_from_previous": math.nan,
                        "threshold_from_first": math.nan,
                        "verdict_from_first": not_comparable("this", r["quality"]),
                    }
                )
                continue
            value = float(r["value"])
            change = value - first
            if math.isnan(first):
                first, first_u = value, float(r["uncertainty"])
            threshold = real_change_threshold(mdc95, first_u, float(r["uncertainty"]))
            out.append(
                {
                    **row,
                    "pct_normal": percent_of_normal(test, side, value),
                    "change_from_first": 0.0 if math.isnan(change) else change,
                    "change_from_previous": value - previous,
                    "threshold_from_first": threshold,
                    "verdict_from_first": ""
                    if math.isnan(change)
                    else verdict(change, threshold, sign * change),
                }
            )
            previous = value
    return denormalised_sides(pd.DataFrame(out, columns=VISIT_COLUMNS))


VISIT_COLUMNS = [
    "session_id",
    "started_at",
    "test",
    "side",
    "metric",
    "unit",
    "value",
    "sd",
    "n",
    "n_excluded",
    "label",
    *TRIAL_COLUMNS,
    "first_pain",
    "pain_score",
    "uncertainty",
    "setups",
    "pct_normal",
    "change_from_first",
    "change_from_previous",
    "threshold_from_first",
    "verdict_from_first",
    "quality",
    "quality_reason",
]


def _last_phase(frame: pd.DataFrame, picked: pd.DataFrame) -> pd.DataFrame:
    """Of each visit, test and side's collapsed phases, the one measured last (the phase of
    the visit's latest trial in ``frame``'s measuring order)."""
    order = normalised_sides(frame).reset_index(drop=True)
    last = order.groupby(["session_id", *KEYS], sort=False)["phase"].last()
    keep = [
        last.get((r.session_id, r.test, r.side)) == r.phase for r in picked.itertuples(index=False)
    ]
    return picked[keep]


def progress(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    phase: str | None = "before",
    how: How = "mean",
) -> pd.DataFrame:
    """Visit-over-visit summary per test and side (see :func:`visit_series` for ``phase``).

    Columns: test, side, metric, unit, visits, first, first_at, latest, latest_at, best,
    best_at (furthest toward the end range; NaN for posture), change (latest - first), gain,
    slope_per_30d (least-squares trend in unit per 30 days; NaN unless :func:`has_trend`),
    mdc95, mdc_estimate, threshold (the real-change threshold of latest vs first: MDC95
    widened by their uncertainty), verdict (latest vs first), pain_free_first,
    pain_free_latest, pain_free_change (the pain-free range, ``first_pain``, of the first and
    latest visits that recorded it), pain_score_first, pain_score_latest (likewise),
    setup_note (a sentence when the first and latest visits' camera set-ups differ beyond
    tolerance, ``core.setup_geometry``; "" otherwise), left_out
    (visits whose value failed its quality check), left_out_note (those values, marked, with
    their dates). Every number but ``visits`` comes from the trusted visits alone.
    """
    table = mdc or MdcTable()
    series = normalised_sides(visit_series(frame, table, phase=phase, how=how))
    rows = []
    for (test, side), all_visits in series.groupby(KEYS, sort=False):
        trusted = trusted_mask(all_visits).to_numpy()
        g = all_visits[trusted]
        values = g["value"].to_numpy(dtype=float)
        rom = is_rom(all_visits["metric"].iloc[0])
        sign = extreme_sign(test, side)
        best_i = int(np.argmax(sign * values)) if rom and len(values) else None
        change = values[-1] - values[0] if len(values) else math.nan
        gain = sign * change if rom else math.nan
        entry = table.lookup(str(test))
        threshold = float(g["threshold_from_first"].iloc[-1]) if len(values) else math.nan
        rows.append(
            {
                "test": test,
                "side": side,
                "metric": all_visits["metric"].iloc[0],
                "unit": all_visits["unit"].iloc[0],
                "visits": len(all_visits),
                "first": values[0] if len(values) else math.nan,
                "first_at": g["started_at"].iloc[0] if len(values) else pd.NaT,
                "latest": values[-1] if len(values) else math.nan,
                "latest_at": g["started_at"].iloc[-1] if len(values) else pd.NaT,
                "best": values[best_i] if best_i is not None else math.nan,
                "best_at": g["started_at"].iloc[best_i] if best_i is not None else pd.NaT,
                "change": change,
                "gain": gain,
                "slope_per_30d": _slope_per_30d(g["started_at"], values),
                "mdc95": entry.mdc95,
                "mdc_estimate": entry.estimate,
                "threshold": threshold,
                "verdict": _progress_verdict(all_visits, trusted, change, threshold, gain),
                **_pain_over_visits(g),
                "setup_note": setup_note_of(g["setups"].iloc[0], g["setups"].iloc[-1]) or ""
                if len(values) > 1
                else "",
                "left_out": int((~trusted).sum()),
                "left_out_note": _left_out_note(all_visits[~trusted]),
            }
        )
    return denormalised_sides(pd.DataFrame(rows, columns=PROGRESS_COLUMNS))


def _progress_verdict(
    visits: pd.DataFrame, trusted: np.ndarray, change: float, threshold: float, gain: float
) -> str:
    """Latest vs first trusted visit; with fewer than two, which value was left out."""
    if trusted.sum() > 1:
        return verdict(change, threshold, gain)
    if trusted.all():
        return INCOMPLETE
    if not trusted.any():
        return f"{NOT_COMPARABLE}: every value was {quality_word(visits['quality'].iloc[-1])}"
    which = "latest" if not trusted[-1] else "first"
    return not_comparable(which, visits["quality"].iloc[-1 if which == "latest" else 0])


def _pain_over_visits(visits: pd.DataFrame) -> dict[str, float]:
    """Pain-free range and pain score of the first and latest ``visits`` that recorded each."""
    out: dict[str, float] = {}
    for column, name in (("first_pain", "pain_free"), ("pain_score", "pain_score")):
        given = visits[column].to_numpy(dtype=float)
        given = given[np.isfinite(given)]
        out[f"{name}_first"] = float(given[0]) if len(given) else math.nan
        out[f"{name}_latest"] = float(given[-1]) if len(given) else math.nan
    out["pain_free_change"] = (
        out["pain_free_latest"] - out["pain_free_first"]
        if np.isfinite(visits["first_pain"].to_numpy(dtype=float)).sum() > 1
        else math.nan
    )
    return out


def _left_out_note(visits: pd.DataFrame) -> str:
    """``2026-10-01: 106.5 (rejected: knee hidden)``, one per left-out visit, ``; ``-joined."""
    return "; ".join(
        f"{pd.Timestamp(r['started_at']):%Y-%m-%d}: "
        + mark(f"{float(r['value']):.1f}", r["quality"], r["quality_reason"])
        for _, r in visits.iterrows()
    )


PAIN_PROGRESS_COLUMNS = [
    "pain_free_first",
    "pain_free_latest",
    "pain_free_change",
    "pain_score_first",
    "pain_score_latest",
]
PROGRESS_COLUMNS = [
    "test",
    "side",
    "metric",
    "unit",
    "visits",
    "first",
    "first_at",
    "latest",
    "latest_at",
    "best",
    "best_at",
    "change",
    "gain",
    "slope_per_30d",
    "mdc95",
    "mdc_estimate",
    "threshold",
    "verdict",
    *PAIN_PROGRESS_COLUMNS,
    "setup_note",
    "left_out",
    "left_out_note",
]


#: A trend needs at least this many trusted visits ...
TREND_MIN_VISITS = 3
#: ... spread over at least this many days (first to last): fewer visits, or visits closer
#: together, give a slope that is measurement noise divided by a short time (two visits nine
#: minutes apart once read as "+690 deg per 30 days").
TREND_MIN_DAYS = 14.0
#: What the pages and reports say instead of a trend they do not show.
NO_TREND_NOTE = (
    f"No trend is given (—) until there are at least {TREND_MIN_VISITS} visits spread over "
    f"at least {TREND_MIN_DAYS:.0f} days."
)


def has_trend(times: Iterable[object]) -> bool:
    """True when visits at ``times`` (one per trusted visit) are enough to mean a trend:
    at least :data:`TREND_MIN_VISITS` of them over at least :data:`TREND_MIN_DAYS` days."""
    stamps = pd.to_datetime(pd.Series(list(times)))
    if len(stamps) < TREND_MIN_VISITS:
        return False
    return bool((stamps.max() - stamps.min()).total_seconds() >= TREND_MIN_DAYS * 86_400.0)


def _slope_per_30d(times: Iterable[object], values: np.ndarray) -> float:
    """Least-squares slope (unit per 30 days); NaN unless :func:`has_trend`."""
    stamps = pd.to_datetime(pd.Series(list(times)))
    if len(values) != len(stamps) or not has_trend(stamps):
        return math.nan
    days = ((stamps - stamps.iloc[0]).dt.total_seconds() / 86_400.0).to_numpy(dtype=float)
    slope = np.polyfit(days, values, 1)[0]
    return float(slope * 30.0)
