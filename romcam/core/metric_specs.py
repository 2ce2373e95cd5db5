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

RequiredView = Literal["side", "front", "any"]


@dataclass(frozen=True)
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
        kind: ``rom`` (an excursion to an end range) or ``posture`` (a static value).
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
    kind: Literal["rom", "posture"]
    plausible_range: tuple[float, float] = (-180.0, 180.0)


AAOS = "AAOS 1965 (Norkin & White 2016, App. A)"


def _bilateral(
    base: str,
    label: str,
    view: RequiredView,
    normal: tuple[float, float] | None,
    source: str = AAOS,
) -> tuple[MetricSpec, MetricSpec]:
    return tuple(  # type: ignore[return-value]
        MetricSpec(f"{base}_{side}", f"{label} ({side})", view, "deg", side, normal, source, "rom")
        for side in ("left", "right")
    )


_CATALOGUE: tuple[MetricSpec, ...] = (
    # Shoulder flexion 0-180; extension (negative values) 0-60.
    *_bilateral("shoulder_flexion", "Shoulder flexion", "side", (-60.0, 180.0)),
    *_bilateral("shoulder_abduction", "Shoulder abduction", "front", (0.0, 180.0)),
    *_bilateral("elbow_flexion", "Elbow flexion", "any", (0.0, 150.0)),
    # Hip flexion 0-120; extension 0-30.
    *_bilateral("hip_flexion", "Hip flexion", "side", (-30.0, 120.0)),
    *_bilateral("hip_abduction", "Hip abduction", "front", (0.0, 45.0)),
    *_bilateral("knee_flexion", "Knee flexion", "side", (0.0, 135.0)),
    # Cervical spine: flexion 45, extension 45, lateral flexion 45, rotation 60 each way.
    MetricSpec(
        "neck_flexion",
        "Neck flexion (+) / extension (-)",
        "side",
        "deg",
        None,
        (-45.0, 45.0),
        AAOS,
        "rom",
    ),
    MetricSpec(
        "neck_lateral_flexion",
        "Neck lateral flexion (+ left)",
        "front",
        "deg",
        None,
        (-45.0, 45.0),
        AAOS,
        "rom",
    ),
    MetricSpec(
        "neck_rotation", "Neck rotation (+ left)", "front", "deg", None, (-60.0, 60.0), AAOS, "rom"
    ),
    MetricSpec(
        "craniovertebral_angle",
        "Craniovertebral angle",
        "side",
        "deg",
        None,
        (48.0, 90.0),
        "Yip, Chiu & Poon 2008, Man Ther 13:148 (FHP below ~48-50 deg)",
        "posture",
    ),
    MetricSpec(
        "forward_head_cm",
        "Forward head distance",
        "side",
        "cm",
        None,
        None,
        "no agreed norm; track change over visits",
        "posture",
    ),
    MetricSpec(
        "shoulder_tilt",
        "Shoulder tilt (+ left higher)",
        "front",
        "deg",
        None,
        (-2.0, 2.0),
        "clinical convention: level within about 2 deg",
        "posture",
    ),
    MetricSpec(
        "head_tilt",
        "Head tilt (+ left higher)",
        "front",
        "deg",
        None,
        (-2.0, 2.0),
        "clinical convention: level within about 2 deg",
        "posture",
    ),
    MetricSpec(
        "pelvic_tilt",
        "Pelvic (frontal) tilt (+ left higher)",
        "front",
        "deg",
        None,
        (-2.0, 2.0),
        "clinical convention: level within about 2 deg",
        "posture",
    ),
    MetricSpec(
        "trunk_lateral_lean",
        "Trunk lateral lean (+ left)",
        "front",
        "deg",
        None,
        (-2.0, 2.0),
        "clinical convention: upright within about 2 deg",
        "posture",
    ),
    MetricSpec(
        "trunk_flexion",
        "Trunk flexion (+ forward)",
        "side",
        "deg",
        None,
        (-5.0, 5.0),
        "upright standing within about 5 deg",
        "posture",
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


def metric_spec(metric_id: str) -> MetricSpec:
    """The spec of ``metric_id``; ValueError naming the known ids when it is unknown."""
    try:
        return METRICS_BY_ID[metric_id]
    except KeyError:
        raise ValueError(
            f"unknown metric {metric_id!r}; known metrics: {', '.join(METRIC_IDS)}"
        ) from None
