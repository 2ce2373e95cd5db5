"""The shared ground of the comparisons: the tidy frame's columns, the side-aware signs, % of
normal, the real-change verdict and the collapse of a test's trials (see
``romcam.outcomes.compare`` for the conventions).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd

from romcam.core.assessments import assessment_test
from romcam.core.metric_specs import metric_spec
from romcam.outcomes.mdc import MdcTable
from romcam.outcomes.quality import (
    OK,
    trusted_mask,
)
from romcam.outcomes.trials import label_of, trials_of

REQUIRED_COLUMNS = ("session_id", "started_at", "phase", "test", "side", "metric", "value", "unit")
How = Literal["mean", "best"]

WITHIN_ERROR = "within measurement error"
MORE_RANGE = "real change: more range"
LESS_RANGE = "real change: less range"
REAL_CHANGE = "real change"
INCOMPLETE = "not measured in both"

KEYS = ["test", "side"]


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


def verdict(change: float, threshold: float, gain: float) -> str:
    """Real-change verdict for one change; ``threshold`` is the test's MDC95 widened by the
    compared values' own uncertainty (``reliability.real_change_threshold``); ``gain`` NaN
    means no direction (posture)."""
    if not math.isfinite(change):
        return INCOMPLETE
    if abs(change) <= threshold:
        return WITHIN_ERROR
    if not math.isfinite(gain):
        return REAL_CHANGE
    return MORE_RANGE if gain > 0 else LESS_RANGE


def collapse(frame: pd.DataFrame, how: How = "mean", mdc: MdcTable | None = None) -> pd.DataFrame:
    """One row per session, phase, test and side: its trials (``romcam.outcomes.trials``).

    ``how``: ``mean`` (default: the mean of the counted trials, the clinical convention) or
    ``best`` (the counted trial furthest toward the test's end range). Counted: not excluded,
    and trusted (quality ``ok``) when the group has any trusted trial; a group with none keeps
    its untrusted trials, marked by ``quality`` and ``quality_reason``. A group whose every
    trial was excluded has no value and no row. ``mdc`` (default table) sets the outlier rule.
    Output columns (:data:`COLLAPSED_COLUMNS`): session_id, started_at, phase, test, side,
    metric, unit, value, sd (NaN for one trial), n (counted trials), n_excluded, n_trials (all
    trials), outliers (how many flagged), label ("165 ± 2°, 3 trials"), trial_values,
    trial_counted, trial_outliers, trial_excluded (per-trial tuples in measuring order;
    excluded: the reason or ""), first_pain (mean pain-free range), pain_score (mean 0-10),
    uncertainty (RMS of the counted trials' own uncertainty, 0 when unknown), setups (the
    counted trials' stored camera set-ups), quality, quality_reason.
    """
    check_frame(frame)
    if how not in ("mean", "best"):
        raise ValueError(f"how must be 'mean' or 'best'; got {how!r}")
    table = mdc or MdcTable()
    df = normalised_sides(frame)
    df = df.assign(_trusted=trusted_mask(df).to_numpy())
    rows = []
    for key, group in df.groupby(["session_id", "phase", *KEYS], sort=False):
        first = group.iloc[0]
        trials = trials_of(group, table.mdc(str(first["test"])))
        if trials.n == 0:
            continue
        counted = np.array(trials.counted)
        values = np.array(trials.values)[counted]
        sign = extreme_sign(first["test"], first["side"])
        last = group[counted].iloc[-1]
        rows.append(
            {
                "session_id": key[0],
                "started_at": first["started_at"],
                "phase": key[1],
                "test": key[2],
                "side": key[3],
                "metric": first["metric"],
                "unit": first["unit"],
                "value": trials.mean if how == "mean" else float(sign * np.max(sign * values)),
                "sd": trials.sd,
                "n": trials.n,
                "n_excluded": trials.n_excluded,
                "n_trials": len(trials.values),
                "outliers": sum(trials.outliers),
                "label": label_of(trials, first["unit"]),
                "trial_values": trials.values,
                "trial_counted": trials.counted,
                "trial_outliers": trials.outliers,
                "trial_excluded": trials.excluded,
                "first_pain": trials.first_pain,
                "pain_score": trials.pain_score,
                "uncertainty": trials.uncertainty,
                "setups": _setups(group, counted),
                "quality": last.get("quality", OK) if not last["_trusted"] else OK,
                "quality_reason": "" if last["_trusted"] else last.get("quality_reason", ""),
            }
        )
    return pd.DataFrame(rows, columns=COLLAPSED_COLUMNS)


#: The per-trial columns of :func:`collapse` (tuples, one item per trial).
TRIAL_COLUMNS = ["trial_values", "trial_counted", "trial_outliers", "trial_excluded"]
COLLAPSED_COLUMNS = [
    "session_id",
    "started_at",
    "phase",
    *KEYS,
    "metric",
    "unit",
    "value",
    "sd",
    "n",
    "n_excluded",
    "n_trials",
    "outliers",
    "label",
    *TRIAL_COLUMNS,
    "first_pain",
    "pain_score",
    "uncertainty",
    "setups",
    "quality",
    "quality_reason",
]


def _setups(group: pd.DataFrame, counted: np.ndarray) -> tuple[object, ...]:
    """The counted trials' stored camera set-ups (``setup`` column; () when there is none)."""
    return tuple(group["setup"][counted]) if "setup" in group.columns else ()


def _side(side: object) -> Literal["left", "right"] | None:
    if side in ("left", "right"):
        return side
    return None


def normalised_sides(frame: pd.DataFrame) -> pd.DataFrame:
    """Copy with ``side`` as text ('' for none) so group-bys keep unsided tests."""
    df = frame.copy()
    df["side"] = df["side"].map(lambda s: s if s in ("left", "right") else "").astype(object)
    if "measured_at" in df.columns:
        df = df.sort_values(["started_at", "session_id", "measured_at"], kind="stable")
    return df


def denormalised_sides(frame: pd.DataFrame) -> pd.DataFrame:
    if "side" in frame.columns:
        frame["side"] = frame["side"].map(lambda s: s if s in ("left", "right") else None)
    return frame.reset_index(drop=True)
