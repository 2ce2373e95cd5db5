"""Argument checks of ``core.measure.compute_metrics`` (one clear ValueError each)."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from romcam.core.landmarks import PoseSequence
from romcam.core.metric_specs import METRIC_IDS, METRICS_BY_ID

#: Metrics zeroed at the subject's neutral (``core.measure`` re-exports it).
NEUTRAL_METRICS: tuple[str, ...] = ("neck_flexion", "neck_lateral_flexion", "neck_rotation")


def check_args(
    pose: PoseSequence, roll_deg: float, px_per_cm: float | None, min_visibility: float
) -> None:
    if not isinstance(pose, PoseSequence):
        raise TypeError(f"pose must be a PoseSequence; got {type(pose).__name__}")
    if not np.isfinite(roll_deg) or abs(roll_deg) > 45.0:
        raise ValueError(f"roll_deg must be a finite angle within +-45 deg; got {roll_deg}")
    if px_per_cm is not None and not (np.isfinite(px_per_cm) and px_per_cm > 0):
        raise ValueError(f"px_per_cm must be a positive number or None; got {px_per_cm}")
    if not 0.0 <= min_visibility <= 1.0:
        raise ValueError(f"min_visibility must be within [0, 1]; got {min_visibility}")


def check_metrics(metrics: Collection[str] | None) -> frozenset[str]:
    if metrics is None:
        return frozenset(METRIC_IDS)
    if isinstance(metrics, str):
        raise ValueError(f"metrics must be a collection of metric ids; got the string {metrics!r}")
    unknown = set(metrics) - set(METRICS_BY_ID)
    if unknown:
        raise ValueError(f"unknown metrics {sorted(unknown)}; known: {', '.join(METRIC_IDS)}")
    return frozenset(metrics)


def check_neutral(neutral: Mapping[str, float] | None) -> dict[str, float]:
    if neutral is None:
        return {}
    unknown = set(neutral) - set(NEUTRAL_METRICS)
    if unknown:
        raise ValueError(f"neutral only takes {', '.join(NEUTRAL_METRICS)}; got {sorted(unknown)}")
    out = {k: float(v) for k, v in neutral.items()}
    bad = {k: v for k, v in out.items() if not np.isfinite(v)}
    if bad:
        raise ValueError(f"neutral values must be finite degrees; got {bad}")
    return out
