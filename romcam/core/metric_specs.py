"""The catalogue of measurements: one frozen spec per metric id.

Each id is a column of the angle table and a key of `summary.json`; `docs/measurements.md`
gives the full clinical definition under the same id. Normal ranges are the active ROM
reference values of the American Academy of Orthopaedic Surgeons (AAOS, *Joint Motion: Method
of Measuring and Recording*, 1965; tabulated in Norkin & White, *Measurement of Joint Motion*,
5th ed., 2016, Appendix A) unless ``source`` says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from romcam.core.landmarks import LANDMARK_INDEX

RequiredView = Literal["side", "front", "any"]
#: Landmark name prefix of midline side-view metrics: the side facing the camera
#: (``near_ear`` is ``left_ear`` in a ``side_left`` view, ``right_ear`` in ``side_right``).
NEAR = "near_"
_SIDE_PREFIXES = ("left_", "right_", NEAR)


@dataclass(frozen=True)
class JointArc:
    """A joint angle as drawn on the picture: from the reference direction (``ref_to -
    ref_from``) to the moving segment (``moving - vertex``), both starting at ``vertex``.

    Values are landmark names (``romcam.core.landmarks``). ``romcam.core.measure`` computes the
    limb angles from the same points, except that abduction's reference is the trunk midline.
    """

    vertex: str
    ref_from: str
    ref_to: str
    moving: str

    @property
    def landmarks(self) -> tuple[str, ...]:
        return (self.vertex, self.ref_from, self.ref_to, self.moving)


@dataclass(frozen=True, kw_only=True)
class MetricSpec:
    """What one metric is.

    Attributes:
        id: column id, e.g. ``shoulder_flexion_left``.
        label: short human label.
        view: camera view the metric needs (``side``, ``front`` or ``any``).
        unit: ``deg`` or ``cm``.
        side: ``left``, ``right`` or None for midline / whole-body metrics.
        normal_range: (low, high) normal values in ``unit``; None when there is no agreed norm.
        source: where the normal range comes from.
        kind: ``rom`` (an excursion to an end range), ``posture`` (a static value) or ``gait``
            (a value of a walk, :data:`GAIT_METRICS`: not a column of the angle table).
        landmarks: the landmarks the value is computed from; it is not measured in a frame
            where one is unseen or outside the picture. ``near_x`` is the near side's ``x``
            (see :data:`NEAR`).
        arc: the joint angle drawn on the picture (None: the metric draws no arc); its
            landmarks are among ``landmarks``.
        plausible_range: (low, high) beyond which a value is anatomically impossible even as a
            2-D projection; such values are pose-estimation failures and are not reported.
    """

    id: str
    label: str
    view: RequiredView
    unit: str
    side: str | None
    normal_range: tuple[float, float] | None
    source: str
    kind: Literal["rom", "posture", "gait"]
    landmarks: tuple[str, ...]
    arc: JointArc | None = None
    plausible_range: tuple[float, float] = (-180.0, 180.0)

    def __post_init__(self) -> None:
        unknown = [n for n in self.landmarks if _as_left(n) not in LANDMARK_INDEX]
        if unknown:
            raise ValueError(f"{self.id}: unknown landmarks {unknown}")
        if self.arc is not None and not set(self.arc.landmarks) <= set(self.landmarks):
            raise ValueError(f"{self.id}: the arc's landmarks must be among its landmarks")

    @property
    def body_parts(self) -> tuple[str, ...]:
        """The landmarks without their side (``shoulder`` for ``left_shoulder``), in order."""
        return tuple(dict.fromkeys(body_part(name) for name in self.landmarks))


def _as_left(landmark: str) -> str:
    return f"left_{landmark.removeprefix(NEAR)}" if landmark.startswith(NEAR) else landmark


def body_part(landmark: str) -> str:
    """``shoulder`` for ``left_shoulder``, ``right_shoulder`` or ``near_shoulder``; ``nose``
    stays ``nose``."""
    for prefix in _SIDE_PREFIXES:
        if landmark.startswith(prefix):
            return landmark.removeprefix(prefix)
    return landmark


AAOS = "AAOS 1965 (Norkin & White 2016, App. A)"
_LEVEL = "clinical convention: level within about 2 deg"
_TRUNK = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def _bilateral(
    base: str,
    label: str,
    view: RequiredView,
    normal: tuple[float, float] | None,
    *,
    arc: tuple[str, str, str, str],
    landmarks: tuple[str, ...] | None = None,
) -> tuple[MetricSpec, MetricSpec]:
    """Left and right metric; ``arc`` (vertex, ref_from, ref_to, moving) and ``landmarks``
    (default: the arc's) are names with ``{side}`` for the metric's side."""
    names = landmarks if landmarks is not None else arc
    left, right = (
        MetricSpec(
            id=f"{base}_{side}",
            label=f"{label} ({side})",
            view=view,
            unit="deg",
            side=side,
            normal_range=normal,
            source=AAOS,
            kind="rom",
            landmarks=tuple(dict.fromkeys(n.format(side=side) for n in names)),
            arc=JointArc(*(n.format(side=side) for n in arc)),
        )
        for side in ("left", "right")
    )
    return left, right


def _midline(
    id: str,
    label: str,
    view: RequiredView,
    normal: tuple[float, float] | None,
    source: str,
    kind: Literal["rom", "posture"],
    landmarks: tuple[str, ...],
    unit: str = "deg",
) -> MetricSpec:
    return MetricSpec(
        id=id,
        label=label,
        view=view,
        unit=unit,
        side=None,
        normal_range=normal,
        source=source,
        kind=kind,
        landmarks=landmarks,
    )


_CATALOGUE: tuple[MetricSpec, ...] = (
    # Shoulder flexion 0-180; extension (negative values) 0-60.
    *_bilateral(
        "shoulder_flexion",
        "Shoulder flexion",
        "side",
        (-60.0, 180.0),
        arc=("{side}_shoulder", "{side}_shoulder", "{side}_hip", "{side}_elbow"),
    ),
    # Measured from the trunk midline (both shoulders and hips), drawn from the same side's hip.
    *_bilateral(
        "shoulder_abduction",
        "Shoulder abduction",
        "front",
        (0.0, 180.0),
        arc=("{side}_shoulder", "{side}_shoulder", "{side}_hip", "{side}_elbow"),
        landmarks=(*_TRUNK, "{side}_elbow"),
    ),
    *_bilateral(
        "elbow_flexion",
        "Elbow flexion",
        "any",
        (0.0, 150.0),
        arc=("{side}_elbow", "{side}_shoulder", "{side}_elbow", "{side}_wrist"),
    ),
    # Hip flexion 0-120; extension 0-30.
    *_bilateral(
        "hip_flexion",
        "Hip flexion",
        "side",
        (-30.0, 120.0),
        arc=("{side}_hip", "{side}_shoulder", "{side}_hip", "{side}_knee"),
    ),
    *_bilateral(
        "hip_abduction",
        "Hip abduction",
        "front",
        (0.0, 45.0),
        arc=("{side}_hip", "{side}_shoulder", "{side}_hip", "{side}_knee"),
        landmarks=(*_TRUNK, "{side}_knee"),
    ),
    *_bilateral(
        "knee_flexion",
        "Knee flexion",
        "side",
        (0.0, 135.0),
        arc=("{side}_knee", "{side}_hip", "{side}_knee", "{side}_ankle"),
    ),
    # Cervical spine: flexion 45, extension 45, lateral flexion 45, rotation 60 each way.
    _midline(
        "neck_flexion",
        "Neck flexion (+) / extension (-)",
        "side",
        (-45.0, 45.0),
        AAOS,
        "rom",
        ("near_ear", "near_eye", "near_shoulder", "near_hip"),
    ),
    _midline(
        "neck_lateral_flexion",
        "Neck lateral flexion (+ left)",
        "front",
        (-45.0, 45.0),
        AAOS,
        "rom",
        ("left_ear", "right_ear", "left_shoulder", "right_shoulder"),
    ),
    # The shoulders are taken as square to the camera: they must be seen.
    _midline(
        "neck_rotation",
        "Neck rotation (+ left)",
        "front",
        (-60.0, 60.0),
        AAOS,
        "rom",
        ("nose", "left_ear", "right_ear", "left_shoulder", "right_shoulder"),
    ),
    _midline(
        "craniovertebral_angle",
        "Craniovertebral angle",
        "side",
        (48.0, 90.0),
        "Yip, Chiu & Poon 2008, Man Ther 13:148 (FHP below ~48-50 deg)",
        "posture",
        ("near_shoulder", "near_ear"),
    ),
    _midline(
        "forward_head_cm",
        "Forward head distance",
        "side",
        None,
        "no agreed norm; track change over visits",
        "posture",
        ("near_shoulder", "near_ear"),
        unit="cm",
    ),
    _midline(
        "shoulder_tilt",
        "Shoulder tilt (+ left higher)",
        "front",
        (-2.0, 2.0),
        _LEVEL,
        "posture",
        ("left_shoulder", "right_shoulder"),
    ),
    _midline(
        "head_tilt",
        "Head tilt (+ left higher)",
        "front",
        (-2.0, 2.0),
        _LEVEL,
        "posture",
        ("left_ear", "right_ear"),
    ),
    _midline(
        "pelvic_tilt",
        "Pelvic (frontal) tilt (+ left higher)",
        "front",
        (-2.0, 2.0),
        _LEVEL,
        "posture",
        ("left_hip", "right_hip"),
    ),
    _midline(
        "trunk_lateral_lean",
        "Trunk lateral lean (+ left)",
        "front",
        (-2.0, 2.0),
        "clinical convention: upright within about 2 deg",
        "posture",
        _TRUNK,
    ),
    _midline(
        "trunk_flexion",
        "Trunk flexion (+ forward)",
        "side",
        (-5.0, 5.0),
        "upright standing within about 5 deg",
        "posture",
        ("near_shoulder", "near_hip"),
    ),
)

#: Anatomical limits, generous (about a third beyond the normal end range, as 2-D projection
#: can exaggerate a little): a value outside is a landmark failure (e.g. BlazePose folding an
#: overhead arm onto the trunk), not a joint position. Keyed by id without the side suffix.
_PLAUSIBLE: dict[str, tuple[float, float]] = {
    "shoulder_flexion": (-90.0, 200.0),
    "shoulder_abduction": (-60.0, 200.0),
    "elbow_flexion": (-30.0, 170.0),
    "hip_flexion": (-60.0, 160.0),
    "hip_abduction": (-45.0, 90.0),
    "knee_flexion": (-30.0, 170.0),
    "neck_flexion": (-90.0, 90.0),
    "neck_lateral_flexion": (-70.0, 70.0),
    "neck_rotation": (-100.0, 100.0),
    "craniovertebral_angle": (0.0, 130.0),
    "forward_head_cm": (-20.0, 40.0),
    "shoulder_tilt": (-40.0, 40.0),
    "head_tilt": (-60.0, 60.0),
    "pelvic_tilt": (-40.0, 40.0),
    "trunk_lateral_lean": (-60.0, 60.0),
    "trunk_flexion": (-60.0, 130.0),
}

METRICS: tuple[MetricSpec, ...] = tuple(
    replace(m, plausible_range=_PLAUSIBLE[m.id.removesuffix(f"_{m.side}")]) for m in _CATALOGUE
)
METRIC_IDS: tuple[str, ...] = tuple(m.id for m in METRICS)
METRICS_BY_ID: dict[str, MetricSpec] = {m.id: m for m in METRICS}


#: A walk's values per leg (``romcam gait``, docs/gait.md "In sessions"): (base id, label, unit,
#: normal range, plausible range). Normal ranges: healthy adults at a self-selected pace, from
#: the published ranges docs/gait.md compares with (cadence ~100-125 steps/min; stance ~60-62 %,
#: a round 58-65 % here; step ~0.5-0.6 s, stride ~1.0-1.2 s; knee ~15-20 deg at loading, ~60-70
#: deg peak in swing; hip ~10-20 deg apparent extension in terminal stance, the band of
#: core.gait_norms ~8 deg, so 5-20 here).
_GAIT: tuple[tuple[str, str, str, tuple[float, float], tuple[float, float]], ...] = (
    ("gait_cadence", "Cadence", "steps/min", (100.0, 125.0), (20.0, 250.0)),
    ("gait_step_time", "Step time", "ms", (480.0, 600.0), (200.0, 3000.0)),
    ("gait_stride_time", "Stride time", "ms", (960.0, 1200.0), (400.0, 6000.0)),
    ("gait_stance", "Stance", "%", (58.0, 65.0), (30.0, 95.0)),
    ("gait_knee_loading", "Knee flexion at loading", "deg", (15.0, 20.0), (-30.0, 90.0)),
    ("gait_knee_swing", "Peak knee flexion in swing", "deg", (60.0, 70.0), (-10.0, 130.0)),
    ("gait_hip_extension", "Peak hip extension", "deg", (5.0, 20.0), (-60.0, 60.0)),
)
_GAIT_SOURCE = (
    "healthy adults, self-selected pace: Perry & Burnfield 2010 (Gait Analysis, 2nd ed.) and "
    "Kadaba et al. 1990 (J Orthop Res 8:383), as read in docs/gait.md; a rounded range"
)
#: The gait values as metrics (one per leg); not columns of the angle table (not in METRICS).
GAIT_METRICS: tuple[MetricSpec, ...] = tuple(
    MetricSpec(
        id=f"{base}_{side}",
        label=f"{label} ({side})",
        view="side",
        unit=unit,
        side=side,
        normal_range=normal,
        source=_GAIT_SOURCE,
        kind="gait",
        landmarks=tuple(f"{side}_{part}" for part in ("shoulder", "hip", "knee", "ankle")),
        plausible_range=plausible,
    )
    for base, label, unit, normal, plausible in _GAIT
    for side in ("left", "right")
)
_ANY_BY_ID: dict[str, MetricSpec] = {**METRICS_BY_ID, **{m.id: m for m in GAIT_METRICS}}


def metric_spec(metric_id: str) -> MetricSpec:
    """The spec of ``metric_id`` (an angle-table metric or a gait value); ValueError naming the
    known ids when it is unknown."""
    try:
        return _ANY_BY_ID[metric_id]
    except KeyError:
        raise ValueError(
            f"unknown metric {metric_id!r}; known metrics: {', '.join(METRIC_IDS)}"
        ) from None
