"""Before/after, left/right and visit-over-visit comparisons over the store's tidy frame.

Pure functions: a tidy frame in (``Store.measurements_frame``: one row per measurement with at
least ``REQUIRED_COLUMNS``), a new frame out; no database, no files. Used by the CLI, the HTML
report and the dashboard.

Conventions:
    * several measurements of the same test, side and phase in one session are collapsed with
      ``how``: ``last`` (default: the retake replaces the attempt), ``mean`` or ``best``;
    * ``change`` = after - before (or latest - first) in the metric's unit; ``gain`` is the
      change signed so that + means *more range toward the test's end range* (for an extension
      test, whose end range is the minimum of the flexion column, a more negative value is a
      gain); posture tests have no gain (NaN);
    * ``pct_normal`` = value as % of the normal end range of the metric (``metric_specs``), e.g.
      shoulder flexion 153 deg = 85 % of 180; NaN for posture metrics and metrics with no norm;
    * ``verdict``: a change counts as real only when ``|change| > MDC95`` of the test
      (``romcam.outcomes.mdc``); otherwise ``within measurement error``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Literal

import numpy as np
import pandas as pd

from romcam.core.assessments import assessment_test
from romcam.core.metric_specs import metric_spec
from romcam.outcomes.mdc import MdcTable

REQUIRED_COLUMNS = ("session_id", "started_at", "phase", "test", "side", "metric", "value", "unit")
How = Literal["last", "mean", "best"]

WITHIN_ERROR = "within measurement error"
MORE_RANGE = "real change: more range"
LESS_RANGE = "real change: less range"
REAL_CHANGE = "real change"
INCOMPLETE = "not measured in both"

_KEYS = ["test", "side"]


def check_frame(frame: pd.DataFrame) -> None:
    """ValueError naming the missing columns when ``frame`` is not a tidy measurement frame."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"expected a pandas DataFrame; got {type(frame).__name__}")
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"the measurement frame lacks columns {missing}")


def extreme_sign(test: object, side: object) -> float:
    """+1 when the test's result is the metric's maximum, -1 when it is the minimum."""
    return 1.0 if assessment_test(str(test)).extreme(_side(side)) == "max" else -1.0


def is_rom(metric: str) -> bool:
    """True for range-of-motion metrics (gain and % of normal are defined)."""
    return metric_spec(metric).kind == "rom"


def percent_of_normal(test: object, side: object, value: float) -> float:
    """``value`` as % of the metric's normal end range in the test's direction; NaN if none."""
    spec = assessment_test(str(test)).spec(_side(side))
    if spec.kind != "rom" or spec.normal_range is None or not math.isfinite(value):
        return math.nan
    low, high = spec.normal_range
    end = high if extreme_sign(test, side) > 0 else low
    return math.nan if end == 0 else 100.0 * value / end


def verdict(change: float, mdc95: float, gain: float) -> str:
    """Real-change verdict for one change; ``gain`` NaN means no direction (posture)."""
    if not math.isfinite(change):
        return INCOMPLETE
    if abs(change) <= mdc95:
        return WITHIN_ERROR
    if not math.isfinite(gain):
        return REAL_CHANGE
    return MORE_RANGE if gain > 0 else LESS_RANGE


def collapse(frame: pd.DataFrame, how: How = "last") -> pd.DataFrame:
    """One row per session, phase, test and side: the value picked by ``how``.

    Output columns: session_id, started_at, phase, test, side, metric, unit, value, n.
    """
    check_frame(frame)
    if how not in ("last", "mean", "best"):
        raise ValueError(f"how must be 'last', 'mean' or 'best'; got {how!r}")
    df = _normalised(frame)
    rows = []
    for key, group in df.groupby(["session_id", "phase", *_KEYS], sort=False):
        first = group.iloc[0]
        values = group["value"].to_numpy(dtype=float)
        sign = extreme_sign(first["test"], first["side"])
        pick = {
            "last": values[-1],
            "mean": float(np.mean(values)),
            "best": float(sign * np.max(sign * values)),
        }[how]
        rows.append(
            {
                "session_id": key[0],
                "started_at": first["started_at"],
                "phase": key[1],
                "test": key[2],
                "side": key[3],
                "metric": first["metric"],
                "unit": first["unit"],
                "value": float(pick),
                "n": len(values),
            }
        )
    columns = ["session_id", "started_at", "phase", *_KEYS, "metric", "unit", "value", "n"]
    return pd.DataFrame(rows, columns=columns)


def asymmetry(frame: pd.DataFrame, *, how: How = "last") -> pd.DataFrame:
    """Left/right comparison per session, phase and sided test.

    Columns: session_id, phase, test, unit, left, right, difference (left extent - right
    extent, i.e. + when the left side reaches further), asymmetry_pct (|difference| as % of
    the larger extent).
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
        left, right = by_side["left"]["value"], by_side["right"]["value"]
        ext_l = extreme_sign(test, "left") * left
        ext_r = extreme_sign(test, "right") * right
        larger = max(abs(ext_l), abs(ext_r))
        rows.append(
            {
                "session_id": session_id,
                "phase": phase,
                "test": test,
                "unit": by_side["left"]["unit"],
                "left": left,
                "right": right,
                "difference": ext_l - ext_r,
                "asymmetry_pct": 100.0 * abs(ext_l - ext_r) / larger if larger > 0 else math.nan,
            }
        )
    columns = [
        "session_id",
        "phase",
        "test",
        "unit",
        "left",
        "right",
        "difference",
        "asymmetry_pct",
    ]
    return pd.DataFrame(rows, columns=columns)


def before_after(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    before: str = "before",
    after: str = "after",
    how: How = "last",
) -> pd.DataFrame:
    """Before vs after per session, test and side.

    Columns: session_id, test, side, metric, unit, before, after, change, change_pct, gain,
    before_pct_normal, after_pct_normal, mdc95, mdc_estimate, verdict, asymmetry_before,
    asymmetry_after (see :func:`asymmetry`'s ``difference``). A test measured in only one
    phase gets NaN changes and the verdict ``not measured in both``.
    """
    table = mdc or MdcTable()
    picked = collapse(frame, how)
    pivot = _phase_pivot(picked, before, after)
    asym = asymmetry(frame, how=how).set_index(["session_id", "phase", "test"])["difference"]
    rows = []
    for _, r in pivot.iterrows():
        entry = table.lookup(r["test"])
        change = r["after"] - r["before"]
        gain = extreme_sign(r["test"], r["side"]) * change if is_rom(r["metric"]) else math.nan
        rows.append(
            {
                **{k: r[k] for k in ("session_id", "test", "side", "metric", "unit")},
                "before": r["before"],
                "after": r["after"],
                "change": change,
                "change_pct": 100.0 * change / abs(r["before"]) if r["before"] else math.nan,
                "gain": gain,
                "before_pct_normal": percent_of_normal(r["test"], r["side"], r["before"]),
                "after_pct_normal": percent_of_normal(r["test"], r["side"], r["after"]),
                "mdc95": entry.mdc95,
                "mdc_estimate": entry.estimate,
                "verdict": verdict(change, entry.mdc95, gain),
                "asymmetry_before": asym.get((r["session_id"], before, r["test"]), math.nan),
                "asymmetry_after": asym.get((r["session_id"], after, r["test"]), math.nan),
            }
        )
    return _denormalised(pd.DataFrame(rows, columns=BEFORE_AFTER_COLUMNS))


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
    "verdict",
    "asymmetry_before",
    "asymmetry_after",
]


def _phase_pivot(picked: pd.DataFrame, before: str, after: str) -> pd.DataFrame:
    keys = ["session_id", *_KEYS, "metric", "unit"]
    sub = picked[picked["phase"].isin([before, after])]
    if sub.empty:
        return pd.DataFrame(columns=[*keys, "before", "after"])
    wide = sub.pivot_table(index=keys, columns="phase", values="value", aggfunc="last")
    wide = wide.reindex(columns=[before, after]).reset_index()
    return wide.rename(columns={before: "before", after: "after"})


def visit_series(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    phase: str | None = "before",
    how: How = "last",
) -> pd.DataFrame:
    """One value per visit, test and side, oldest visit first.

    ``phase`` picks which measurement of a visit counts (default ``before``: the state the
    client arrives in shows lasting change); None takes the visit's last measurement of any
    phase. Columns: session_id, started_at, test, side, metric, unit, value, pct_normal,
    change_from_first, change_from_previous, verdict_from_first.
    """
    table = mdc or MdcTable()
    if phase is None:
        frame = frame.assign(phase="any")
    picked = collapse(frame, how)
    picked = picked[picked["phase"] == (phase or "any")]
    picked = picked.sort_values(["started_at", "session_id"], kind="stable")
    picked = picked.groupby(["session_id", *_KEYS], sort=False).tail(1)
    out = []
    for (test, side), group in picked.groupby(_KEYS, sort=False):
        values = group["value"].to_numpy(dtype=float)
        metric = group["metric"].iloc[0]
        sign = extreme_sign(test, side) if is_rom(metric) else math.nan
        mdc95 = table.mdc(str(test))
        for i, (_, r) in enumerate(group.iterrows()):
            change = values[i] - values[0]
            out.append(
                {
                    **{
                        k: r[k]
                        for k in (
                            "session_id",
                            "started_at",
                            "test",
                            "side",
                            "metric",
                            "unit",
                            "value",
                        )
                    },
                    "pct_normal": percent_of_normal(test, side, values[i]),
                    "change_from_first": change,
                    "change_from_previous": values[i] - values[i - 1] if i else math.nan,
                    "verdict_from_first": verdict(change, mdc95, sign * change) if i else "",
                }
            )
    return _denormalised(pd.DataFrame(out, columns=VISIT_COLUMNS))


VISIT_COLUMNS = [
    "session_id",
    "started_at",
    "test",
    "side",
    "metric",
    "unit",
    "value",
    "pct_normal",
    "change_from_first",
    "change_from_previous",
    "verdict_from_first",
]


def progress(
    frame: pd.DataFrame,
    mdc: MdcTable | None = None,
    *,
    phase: str | None = "before",
    how: How = "last",
) -> pd.DataFrame:
    """Visit-over-visit summary per test and side (see :func:`visit_series` for ``phase``).

    Columns: test, side, metric, unit, visits, first, first_at, latest, latest_at, best,
    best_at (furthest toward the end range; NaN for posture), change (latest - first), gain,
    slope_per_30d (least-squares trend in unit per 30 days; NaN with fewer than two dates),
    mdc95, mdc_estimate, verdict (latest vs first).
    """
    table = mdc or MdcTable()
    series = _normalised(visit_series(frame, table, phase=phase, how=how))
    rows = []
    for (test, side), g in series.groupby(_KEYS, sort=False):
        values = g["value"].to_numpy(dtype=float)
        rom = is_rom(g["metric"].iloc[0])
        sign = extreme_sign(test, side)
        best_i = int(np.argmax(sign * values)) if rom else None
        change = values[-1] - values[0]
        gain = sign * change if rom else math.nan
        entry = table.lookup(str(test))
        rows.append(
            {
                "test": test,
                "side": side,
                "metric": g["metric"].iloc[0],
                "unit": g["unit"].iloc[0],
                "visits": len(values),
                "first": values[0],
                "first_at": g["started_at"].iloc[0],
                "latest": values[-1],
                "latest_at": g["started_at"].iloc[-1],
                "best": values[best_i] if best_i is not None else math.nan,
                "best_at": g["started_at"].iloc[best_i] if best_i is not None else pd.NaT,
                "change": change,
                "gain": gain,
                "slope_per_30d": _slope_per_30d(g["started_at"], values),
                "mdc95": entry.mdc95,
                "mdc_estimate": entry.estimate,
                "verdict": verdict(change, entry.mdc95, gain) if len(values) > 1 else INCOMPLETE,
            }
        )
    return _denormalised(pd.DataFrame(rows, columns=PROGRESS_COLUMNS))


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
    "verdict",
]


def _slope_per_30d(times: Iterable[object], values: np.ndarray) -> float:
    stamps = pd.to_datetime(pd.Series(list(times)))
    days = ((stamps - stamps.iloc[0]).dt.total_seconds() / 86_400.0).to_numpy(dtype=float)
    if len(values) < 2 or np.ptp(days) == 0:
        return math.nan
    slope = np.polyfit(days, values, 1)[0]
    return float(slope * 30.0)


def _side(side: object) -> Literal["left", "right"] | None:
    if side in ("left", "right"):
        return side
    return None


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy with ``side`` as text ('' for none) so group-bys keep unsided tests."""
    df = frame.copy()
    df["side"] = df["side"].map(lambda s: s if s in ("left", "right") else "").astype(object)
    if "measured_at" in df.columns:
        df = df.sort_values(["started_at", "session_id", "measured_at"], kind="stable")
    return df


def _denormalised(frame: pd.DataFrame) -> pd.DataFrame:
    if "side" in frame.columns:
        frame["side"] = frame["side"].map(lambda s: s if s in ("left", "right") else None)
    return frame.reset_index(drop=True)
