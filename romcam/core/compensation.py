"""Compensations: the trunk, pelvis or shoulder movements that inflate a test's range.

Each test watches its own compensations (:data:`COMPENSATIONS`), all measured in a subject
frame (``romcam.core.angles``) with the posture geometry of ``romcam.core.posture`` and as
the change from the trial's start (the subject's own baseline), in degrees, per frame:

- shoulder abduction (front view): ``trunk_lateral_lean``, the mid-hip -> mid-shoulder line's
  turn from the start either way;
- shoulder flexion (side view): ``trunk_extension``, the near hip -> shoulder line leaning back;
- hip flexion (side view): ``trunk_flexion``, the same line leaning forward, and
  ``posterior_pelvic_tilt``, the same line leaning back (2-D landmarks have no pelvic points;
  see :data:`PELVIS_NOTE`);
- neck lateral flexion (front view): ``shoulder_elevation``, the shoulder line tilting up on
  the bending side;
- neck rotation (front view): ``trunk_rotation``, the turn that narrows the shoulder width
  from its start: ``arccos(width / start width)``.

A value is 0 at the start and when the body moved the other way (the one-way ones); NaN where
a landmark it needs is unseen (visibility below :data:`MIN_VISIBILITY`) or the view is not the
compensation's view. Every function is causal: a frame's value depends only on the frames
before it, so the live page and a recorded video give the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from romcam.core import posture
from romcam.core.assessments import TESTS
from romcam.core.geometry import image_to_up, mirror_x, wrap_deg
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseSequence

#: Seconds of frames with a value, from the first one, whose median is the start (baseline).
BASELINE_S = 0.5
#: Landmarks below this visibility count as unseen (as ``compute_metrics``' default).
MIN_VISIBILITY = 0.5
#: Why hip flexion's pelvic tilt is an approximation (docs/measurements.md says the same).
PELVIS_NOTE = (
    "2-D pose has no pelvic landmarks (ASIS, PSIS): a posterior tilt is seen only when it "
    "carries the trunk back; one the lumbar spine absorbs, shoulders staying over the hips, "
    "is not seen"
)
_ROMCAM = "romcam choice (clinical reasoning, docs/measurements.md 'Compensation')"

Geometry = Literal["frontal_lean", "sagittal_lean", "shoulder_tilt", "shoulder_width"]


@dataclass(frozen=True, kw_only=True)
class CompensationSpec:
    """One compensation of a test.

    Attributes:
        name: key stored with the trial (``MeasurementInput.compensation``).
        label: in words, for people.
        view: ``front`` or ``side``: where it is measured (the test's own view).
        geometry: what is measured (see the module docstring).
        sign: which way of the change counts: +1 its raw angle growing, -1 shrinking, 0 either
            way (the magnitude). The raw angles: frontal lean + toward the subject's left,
            sagittal lean + forward, shoulder tilt + left shoulder higher.
        follows_side: the sign flips for a right-side test (the bending side of the neck).
        threshold_deg: above this the frame is compensated (its value is not a clean range).
        source: where the threshold comes from.
        cue: what the live page tells the subject.
        words: how the summary says it, ``{deg}`` = the peak in whole degrees.
    """

    name: str
    label: str
    view: Literal["front", "side"]
    geometry: Geometry
    sign: int
    follows_side: bool = False
    threshold_deg: float
    source: str
    cue: str
    words: str

    def __post_init__(self) -> None:
        if self.sign not in (-1, 0, 1) or not self.threshold_deg > 0:
            raise ValueError(f"{self.name}: sign must be -1, 0 or 1 and the threshold > 0")


_UPRIGHT = "Keep the trunk upright."
TRUNK_LATERAL_LEAN = CompensationSpec(
    name="trunk_lateral_lean",
    label="trunk lateral lean",
    view="front",
    geometry="frontal_lean",
    sign=0,
    threshold_deg=10.0,
    source=_ROMCAM,
    cue=_UPRIGHT,
    words="trunk leaned {deg}° sideways",
)
TRUNK_EXTENSION = CompensationSpec(
    name="trunk_extension",
    label="trunk extension (leaning back)",
    view="side",
    geometry="sagittal_lean",
    sign=-1,
    threshold_deg=10.0,
    source=_ROMCAM,
    cue=_UPRIGHT,
    words="trunk leaned {deg}° back",
)
TRUNK_FLEXION = CompensationSpec(
    name="trunk_flexion",
    label="trunk flexion (leaning forward)",
    view="side",
    geometry="sagittal_lean",
    sign=1,
    threshold_deg=10.0,
    source=_ROMCAM,
    cue=_UPRIGHT,
    words="trunk bent {deg}° forward",
)
POSTERIOR_PELVIC_TILT = CompensationSpec(
    name="posterior_pelvic_tilt",
    label="posterior pelvic tilt (approximate)",
    view="side",
    geometry="sagittal_lean",
    sign=-1,
    threshold_deg=10.0,
    source=f"{_ROMCAM}; approximate: {PELVIS_NOTE}",
    cue=_UPRIGHT,
    words="pelvis tipped about {deg}° back",
)
SHOULDER_ELEVATION = CompensationSpec(
    name="shoulder_elevation",
    label="shoulder elevation on the bending side",
    view="front",
    geometry="shoulder_tilt",
    sign=1,
    follows_side=True,
    threshold_deg=5.0,
    source=_ROMCAM,
    cue="Keep the shoulders down.",
    words="shoulder hiked {deg}° towards the ear",
)
TRUNK_ROTATION = CompensationSpec(
    name="trunk_rotation",
    label="trunk rotation",
    view="front",
    geometry="shoulder_width",
    sign=1,
    threshold_deg=20.0,
    source=_ROMCAM,
    cue="Keep the chest facing the camera.",
    words="trunk turned about {deg}° with the head",
)

#: Test id -> the compensations it watches (tests not listed watch none).
COMPENSATIONS: dict[str, tuple[CompensationSpec, ...]] = {
    "shoulder_abduction": (TRUNK_LATERAL_LEAN,),
    "shoulder_flexion": (TRUNK_EXTENSION,),
    "hip_flexion": (TRUNK_FLEXION, POSTERIOR_PELVIC_TILT),
    "neck_lateral_flexion": (SHOULDER_ELEVATION,),
    "neck_rotation": (TRUNK_ROTATION,),
}
COMPENSATIONS_BY_NAME: dict[str, CompensationSpec] = {
    c.name: c for specs in COMPENSATIONS.values() for c in specs
}


def compensations_for(test_id: str) -> tuple[CompensationSpec, ...]:
    """The compensations test ``test_id`` watches (empty for the others)."""
    return COMPENSATIONS.get(test_id, ())


def compensations_of_pose(
    pose: PoseSequence, view: np.ndarray, facing: np.ndarray, test_id: str, side: str | None
) -> dict[str, np.ndarray]:
    """Name -> (T,) degrees of each compensation of the test (see :func:`measure`), from a
    pose and the view and facing its metric table detected ((T,) str each)."""
    up = image_to_up(pose.pixels, pose.image_width, pose.image_height)
    return measure(up, pose.visibility, view, facing, pose.time_s, test_id, side)


def measure(
    up: np.ndarray,
    visibility: np.ndarray,
    view: np.ndarray,
    facing: np.ndarray,
    time_s: np.ndarray,
    test_id: str,
    side: str | None,
) -> dict[str, np.ndarray]:
    """Name -> (T,) degrees, the change from the start in the compensating direction (>= 0).

    Args:
        up: (T, 33, 2) up coordinates (``geometry.image_to_up``; the camera roll need not be
            removed: a change from the start does not depend on it).
        visibility: (T, 33) landmark visibility. view, facing: (T,) str, as the metric table.
        time_s: (T,) seconds, increasing. test_id, side: the test (``side`` picks the near
            side of a side view and the bending side of the neck).
    """
    raws = raw_series(up, visibility, view, facing, test_id, side)
    return {
        spec.name: change_from_start(spec, raws[spec.name], time_s, side)
        for spec in compensations_for(test_id)
    }


def raw_series(
    up: np.ndarray,
    visibility: np.ndarray,
    view: np.ndarray,
    facing: np.ndarray,
    test_id: str,
    side: str | None,
) -> dict[str, np.ndarray]:
    """Name -> (T,) raw angle (deg; the shoulder width in px) of each compensation of the
    test, before its start is taken off (arguments as :func:`measure`)."""
    by_geometry: dict[Geometry, np.ndarray] = {}
    out: dict[str, np.ndarray] = {}
    for spec in compensations_for(test_id):
        if spec.geometry not in by_geometry:
            by_geometry[spec.geometry] = _raw(spec, up, visibility, view, facing, side)
        out[spec.name] = by_geometry[spec.geometry]
    return out


def change_from_start(
    spec: CompensationSpec, raw: np.ndarray, time_s: np.ndarray, side: str | None
) -> np.ndarray:
    """(T,) degrees of ``spec`` from its (T,) raw series (degrees; pixels for the shoulder
    width), causally: the start is the median of the first :data:`BASELINE_S` s of values, and
    a frame inside that window is compared with the median of the values up to it."""
    base = _causal_baseline(raw, time_s)
    if spec.geometry == "shoulder_width":
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = np.clip(raw / base, 0.0, 1.0)
        return np.degrees(np.arccos(ratio))
    change = wrap_deg(raw - base)
    sign = spec.sign * (-1 if spec.follows_side and side == "right" else 1)
    if spec.follows_side and side is None:
        sign = 0  # the bending side is not known: either way
    if sign == 0:
        return np.abs(change)
    return np.where(np.isnan(change), np.nan, np.maximum(sign * change, 0.0))


def over_threshold(
    current: Mapping[str, float], specs: Sequence[CompensationSpec]
) -> tuple[CompensationSpec, ...]:
    """The compensations of ``specs`` above their thresholds in ``current`` (name -> deg; a
    NaN or missing one is not)."""
    return tuple(s for s in specs if current.get(s.name, 0.0) > s.threshold_deg)


def watched_test(metric_id: str) -> tuple[str, str | None] | None:
    """The (test id, side) whose compensations a recording headlining ``metric_id`` watches
    (``shoulder_abduction_left`` -> ``("shoulder_abduction", "left")``), None when no test of
    that metric watches any. A midline metric of a sided test (the neck) gets no side."""
    for test in TESTS:
        if not compensations_for(test.id):
            continue
        for side in ("left", "right") if "{side}" in test.metric else (None,):
            if test.metric.format(side=side) == metric_id:
                return test.id, side
    return None


class CompensationTracker:
    """A test's compensations over a trial, one frame at a time (causal: :func:`measure`'s
    numbers). Not thread-safe."""

    def __init__(self, test_id: str, side: str | None) -> None:
        self.test_id = test_id
        self.side = side
        self.specs = compensations_for(test_id)
        self.reset()

    def reset(self) -> None:
        """Forget the trial: the next frame starts a new baseline."""
        self._time: list[float] = []
        self._raw: dict[str, list[float]] = {s.name: [] for s in self.specs}
        #: Name -> the latest frame's compensation (deg; NaN where it was not measured).
        self.current: dict[str, float] = {}

    def update(
        self,
        time_s: float,
        image: np.ndarray | None,
        size: tuple[int, int],
        view: str,
        facing: str,
    ) -> dict[str, float]:
        """Take one frame: (33, 4) normalised landmarks (None: no subject) of a ``size``
        (width, height) picture, its detected ``view`` and ``facing``; returns
        :attr:`current`."""
        if not self.specs:
            return self.current
        landmarks = np.full((1, N_LANDMARKS, 4), np.nan) if image is None else image[None]
        width, height = size
        up = image_to_up(landmarks[..., :2] * np.array([width, height]), width, height)
        raws = raw_series(
            up, landmarks[..., 3], np.array([view]), np.array([facing]), self.test_id, self.side
        )
        self._time.append(time_s)
        for name, value in raws.items():
            self._raw[name].append(float(value[0]))
        self.current = {name: float(series[-1]) for name, series in self.series().items()}
        return self.current

    def series(self) -> dict[str, np.ndarray]:
        """Name -> (T,) degrees of each compensation over the frames so far."""
        t = np.asarray(self._time, dtype=float)
        return {
            s.name: change_from_start(s, np.asarray(self._raw[s.name], dtype=float), t, self.side)
            for s in self.specs
        }


def compensated_frames(
    series: Mapping[str, np.ndarray], specs: Sequence[CompensationSpec]
) -> np.ndarray:
    """(T,) bool: some compensation of ``specs`` is above its threshold (a NaN frame, where
    it could not be measured, does not count as compensated)."""
    over = [np.nan_to_num(series[s.name], nan=0.0) > s.threshold_deg for s in specs]
    if not over:
        return np.zeros(len(next(iter(series.values()), ())), dtype=bool)
    return np.logical_or.reduce(over)


def _causal_baseline(raw: np.ndarray, time_s: np.ndarray) -> np.ndarray:
    """(T,) the start value each frame is compared with (NaN before the first value)."""
    base = np.full(raw.shape, np.nan)
    valid = np.flatnonzero(np.isfinite(raw))
    if valid.size == 0:
        return base
    t0 = time_s[valid[0]]
    window = valid[time_s[valid] <= t0 + BASELINE_S]
    for k, i in enumerate(window):
        end = window[k + 1] if k + 1 < window.size else len(raw)
        base[i:end] = np.median(raw[window[: k + 1]])
    return base


def _raw(
    spec: CompensationSpec,
    up: np.ndarray,
    visibility: np.ndarray,
    view: np.ndarray,
    facing: np.ndarray,
    side: str | None,
) -> np.ndarray:
    """(T,) raw angle (deg) or shoulder width (px) of ``spec``'s geometry in its view."""
    view = np.asarray(view).astype(str)
    facing = np.asarray(facing).astype(str)
    if spec.view == "front":
        ok_view = view == "front"
        sign = np.select([facing == "camera", facing == "away"], [1.0, -1.0], np.nan)
        names: tuple[str, ...] = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
        names = names if spec.geometry == "frontal_lean" else names[:2]
    else:
        near = side or "left"
        ok_view = view == f"side_{near}"
        sign = np.select([facing == "right", facing == "left"], [1.0, -1.0], np.nan)
        names = (f"{near}_shoulder", f"{near}_hip")
    idx = [LANDMARK_INDEX[n] for n in names]
    seen = np.all(np.nan_to_num(visibility[:, idx], nan=0.0) >= MIN_VISIBILITY, axis=1)
    p = {n: mirror_x(up[:, LANDMARK_INDEX[n]], sign) for n in names}
    if spec.geometry == "frontal_lean":
        mid_sh = (p["left_shoulder"] + p["right_shoulder"]) / 2.0
        value = posture.lean_from_vertical((p["left_hip"] + p["right_hip"]) / 2.0, mid_sh)
    elif spec.geometry == "sagittal_lean":
        value = posture.lean_from_vertical(p[names[1]], p[names[0]])
    elif spec.geometry == "shoulder_tilt":
        value = posture.line_tilt(p["left_shoulder"], p["right_shoulder"])
    else:
        value = np.linalg.norm(p["left_shoulder"] - p["right_shoulder"], axis=-1)
    return np.where(ok_view & seen, value, np.nan)
