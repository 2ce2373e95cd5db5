"""The uncertainty of one trial's value, from how it was filmed (degrees; NumPy only).

A value measured from 2-D video carries errors a goniometer study's MDC95 does not know about.
Four are visible in the recording itself; each becomes a standard uncertainty in the value's
unit, and they are combined in quadrature (independent sources, GUM, JCGM 100:2008, 5.1.2):

    u = sqrt(u_yaw² + u_visibility² + u_hold² + u_roll²)

- ``u_yaw`` (deg): the body turned by ``psi`` away from the view the test is filmed in (the
  deviation of ``core.views``, median over the hold). A segment in the movement plane at angle
  ``theta`` from the image vertical then appears at ``atan(tan(theta) cos(psi))``; the largest
  error over ``theta`` (at ``tan(theta) = 1/sqrt(cos psi)``) is
  ``atan(1/sqrt(cos psi)) - atan(sqrt(cos psi))``: 0.4 deg at 10 deg of yaw, 1.8 at 20, 4.1
  at 30. The largest, not a typical error, because the end range sits wherever it sits.
  Capped at ``YAW_CAP_DEG`` (beyond it the view check rejects the trial anyway).
- ``u_visibility`` (deg): the pose model's visibility ``v`` (0-1) of the metric's landmarks
  (per frame the least visible one, median over the hold). A landmark below
  ``MIN_VISIBILITY`` is not used at all; between it and 1 the model's placement gets looser,
  modelled as a linear penalty ``VISIBILITY_DEG x (1 - v) / (1 - MIN_VISIBILITY)``: 0 at
  v = 1, 1 deg at v = 0.9, ``VISIBILITY_DEG`` at the threshold. A judgement, not a published
  figure: the clinic's own test-retest (``romcam retest``) is what calibrates it.
- ``u_hold`` (value's unit): the standard deviation of the (smoothed) value over the held
  end range: the client's sway and the landmarks' jitter together. Not divided by the
  square root of the frames: neighbouring frames are strongly correlated.
- ``u_roll`` (deg): a camera not level tilts the picture's vertical. Joint angles between two
  body segments do not change with it; values measured against the picture's vertical or
  horizontal do (the posture metrics: craniovertebral angle, shoulder, head and pelvic tilt,
  trunk lean). For those, ``ROLL_LEVELLED_DEG`` when the camera's roll was calibrated (the
  level step's precision), ``ROLL_UNLEVELLED_DEG`` otherwise (a camera levelled by eye).

A value in cm (forward head posture) gets ``u_hold`` only: the angular terms do not apply.
docs/reliability.md shows how ``u`` widens the real-change threshold:
``sqrt(MDC95² + u1² + u2²)`` (``romcam.outcomes.reliability.real_change_threshold``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from romcam.core.geometry import image_to_up
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.metric_specs import NEAR, metric_spec
from romcam.core.metric_table import MetricTable
from romcam.core.views import detect_views

#: Yaw (deg) beyond which the yaw term stops growing.
YAW_CAP_DEG = 45.0
#: Visibility below which romcam does not use a landmark (``core.measure``'s default).
MIN_VISIBILITY = 0.5
#: The visibility term at MIN_VISIBILITY (deg).
VISIBILITY_DEG = 5.0
#: Residual roll (deg) after a level calibration, and of a camera levelled by eye.
ROLL_LEVELLED_DEG = 0.5
ROLL_UNLEVELLED_DEG = 2.0
#: The metrics measured against the picture's vertical or horizontal (roll shifts them).
ROLL_SENSITIVE = frozenset(
    {
        "craniovertebral_angle",
        "shoulder_tilt",
        "head_tilt",
        "pelvic_tilt",
        "trunk_lateral_lean",
        "trunk_flexion",
    }
)
#: Hold window used when the trial has no held end range: this long from the extreme (s).
FALLBACK_WINDOW_S = 0.5


@dataclass(frozen=True)
class TrialUncertainty:
    """One trial's uncertainty and its terms (the value's unit; NaN inputs count as 0).

    Attributes:
        total: sqrt of the sum of the squared terms.
        yaw, visibility, hold, roll: the terms u_yaw, u_visibility, u_hold, u_roll.
        yaw_deg, visibility_score, hold_sd: the inputs (deviation from the ideal view in
            deg, visibility 0-1, SD over the hold); NaN when unknown.
    """

    total: float
    yaw: float
    visibility: float
    hold: float
    roll: float
    yaw_deg: float = math.nan
    visibility_score: float = math.nan
    hold_sd: float = math.nan


def yaw_error_deg(yaw_deg: float) -> float:
    """Largest 2-D angle error (deg) of a segment in a plane turned ``yaw_deg`` from the picture."""
    psi = min(abs(yaw_deg), YAW_CAP_DEG) if math.isfinite(yaw_deg) else 0.0
    root = math.sqrt(math.cos(math.radians(psi)))
    return math.degrees(math.atan(1.0 / root) - math.atan(root))


def visibility_error_deg(visibility: float) -> float:
    """The visibility penalty (deg) of a landmark visibility in [0, 1] (see the module)."""
    if not math.isfinite(visibility):
        return 0.0
    share = (1.0 - min(max(visibility, MIN_VISIBILITY), 1.0)) / (1.0 - MIN_VISIBILITY)
    return VISIBILITY_DEG * share


def combine(
    *,
    yaw_deg: float = math.nan,
    visibility: float = math.nan,
    hold_sd: float = math.nan,
    roll_deg: float = 0.0,
    angular: bool = True,
) -> TrialUncertainty:
    """The trial's uncertainty from its inputs. ``angular`` False (a value in cm) keeps only
    the hold term; ``roll_deg`` is the residual roll the value is sensitive to (0 if none)."""
    hold = abs(hold_sd) if math.isfinite(hold_sd) else 0.0
    yaw = yaw_error_deg(yaw_deg) if angular else 0.0
    vis = visibility_error_deg(visibility) if angular else 0.0
    roll = abs(roll_deg) if angular and math.isfinite(roll_deg) else 0.0
    total = math.sqrt(yaw**2 + vis**2 + hold**2 + roll**2)
    return TrialUncertainty(total, yaw, vis, hold, roll, yaw_deg, visibility, hold_sd)


def trial_uncertainty(
    table: MetricTable,
    entry: Mapping[str, Any],
    pose: PoseSequence | None = None,
    *,
    level_known: bool = False,
) -> TrialUncertainty:
    """The uncertainty of a test summary ``entry`` (``core.summary.summary_for_test``) measured
    in ``table``; ``pose`` (the landmarks ``table`` came from, same frames) adds the yaw and
    visibility terms; ``level_known``: the camera's roll was calibrated."""
    metric_id = str(entry["metric"])
    spec = metric_spec(metric_id)
    window = _hold_frames(table, entry)
    values = np.asarray(table.values[metric_id], dtype=float)[window]
    values = values[np.isfinite(values)]
    hold_sd = float(values.std(ddof=1)) if values.size >= 2 else math.nan
    yaw = visibility = math.nan
    if pose is not None and len(pose) == len(table) and window.any():
        yaw = _median(_yaw_deviation(pose, window))
        visibility = _median(_least_visibility(pose, spec.landmarks)[window])
    roll = 0.0
    if metric_id in ROLL_SENSITIVE:
        roll = ROLL_LEVELLED_DEG if level_known else ROLL_UNLEVELLED_DEG
    return combine(
        yaw_deg=yaw,
        visibility=visibility,
        hold_sd=hold_sd,
        roll_deg=roll,
        angular=spec.unit == "deg",
    )


def _hold_frames(table: MetricTable, entry: Mapping[str, Any]) -> np.ndarray:
    """(T,) bool: the frames of the held end range (or FALLBACK_WINDOW_S from the extreme)."""
    time_s = np.asarray(table.time_s, dtype=float)
    start = entry.get("time_s")
    if start is None:
        start = entry.get(f"{entry.get('extreme', 'max')}_time_s")
    if start is None:
        return np.zeros(time_s.shape, dtype=bool)
    length = entry.get("hold_s") or FALLBACK_WINDOW_S
    return (time_s >= float(start) - 1e-9) & (time_s <= float(start) + float(length) + 1e-9)


def _yaw_deviation(pose: PoseSequence, window: np.ndarray) -> np.ndarray:
    """Deg, the body's turn away from the nearest measurement plane (``core.views``) in the
    ``window`` frames; computed on the window plus a second each side (the views' smoothing
    needs neighbours, a whole long recording would be wasted work)."""
    index = np.flatnonzero(window)
    steps = np.diff(np.asarray(pose.time_s, dtype=float))
    margin = int(np.ceil(1.0 / max(float(np.median(steps)), 1e-3))) if steps.size else 0
    lo, hi = max(int(index[0]) - margin, 0), min(int(index[-1]) + margin + 1, len(pose))
    up = image_to_up(pose.pixels[lo:hi], pose.image_width, pose.image_height)
    world = None if pose.world is None else pose.world[lo:hi]
    views = detect_views(up, world, np.asarray(pose.time_s[lo:hi], dtype=float))
    return np.asarray(views.deviation_deg, dtype=float)[index - lo]


def _least_visibility(pose: PoseSequence, landmarks: tuple[str, ...]) -> np.ndarray:
    """(T,) the lowest visibility among ``landmarks``; a ``near_`` one takes the better side."""
    vis = np.nan_to_num(pose.visibility, nan=0.0)
    columns = []
    for name in landmarks:
        if name.startswith(NEAR):
            base = name.removeprefix(NEAR)
            left, right = LANDMARK_INDEX[f"left_{base}"], LANDMARK_INDEX[f"right_{base}"]
            columns.append(np.maximum(vis[:, left], vis[:, right]))
        else:
            columns.append(vis[:, LANDMARK_INDEX[name]])
    return np.min(np.column_stack(columns), axis=1)


def _median(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else math.nan
