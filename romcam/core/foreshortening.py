"""Limbs seen end-on: a segment pointing at (or away from) the camera.

A joint angle measured in the picture is meaningful only when its segments lie roughly across
the picture. A thigh pointing at the camera (a seated subject filmed from the front) appears as
a stub, and the "hip abduction" computed from it is whatever direction that stub happens to
point. The rule uses the subject's own proportions, not one clip:

- a segment's *reference length* is the longer of its own long length over the recording (the
  90th percentile of its 2-D length: the limb seen across the picture at some time) and its
  expected share of the trunk (shoulder to hip, 90th percentile), from adult anthropometry;
- in a frame where the segment is shorter than ``FORESHORTENED`` of its reference length it is
  seen end-on, and a metric using it (a segment of its joint arc) is not measured there;
- with world landmarks (the model's 3-D estimate, metres), a segment whose median direction
  over the recording points more than ``OUT_OF_PLANE_DEG`` out of the picture plane is seen
  end-on throughout: a camera looking down at a seated subject shows the thighs long in the
  picture although they point at it. The median, not each frame: the model's depth is rough,
  and an arm overhead at the top of an abduction leans out of the plane for a moment.
"""

from __future__ import annotations

import numpy as np

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.metric_specs import metric_spec

#: A segment shorter than this share of its reference length is seen end-on. Why 0.5: a segment
#: at angle a out of the picture plane appears cos(a) long; 0.5 is 60 deg out of the plane, where
#: a 2-D joint angle can be off by tens of degrees. Landmark noise moves lengths by a few per
#: cent, far less.
FORESHORTENED = 0.5
#: A segment more than this far out of the picture plane (deg, world landmarks) is seen end-on.
#: Why 40: a 2-D angle between segments is then off by 10-30 deg depending on the direction;
#: limbs moving across the picture stay within 10-20 deg of the plane in the model's estimate
#: (arms and legs in the side-view walk and squat clips, arms in a front-view abduction).
OUT_OF_PLANE_DEG = 40.0
#: Expected 2-D length of a segment across the picture as a share of the trunk (mid-shoulder to
#: mid-hip), from segment lengths as shares of stature (Winter, *Biomechanics and Motor Control
#: of Human Movement*, 4th ed., 2009, Fig. 4.1: upper arm 0.186, forearm 0.146, thigh 0.245,
#: shank 0.246; shoulder to hip 0.288), rounded down by about a tenth for people's variation.
SEGMENT_TO_TRUNK: dict[str, float] = {
    "shoulder-elbow": 0.58,
    "elbow-wrist": 0.45,
    "hip-knee": 0.77,
    "knee-ankle": 0.77,
}


def _xy(pose: PoseSequence, name: str) -> np.ndarray:
    """(T, 2) pixels of ``name``; NaN where the subject is missing."""
    image = pose.image[:, LANDMARK_INDEX[name], :2]
    return image * np.array([pose.image_width, pose.image_height], dtype=float)


def _trunk_px(pose: PoseSequence) -> float:
    mid_shoulder = (_xy(pose, "left_shoulder") + _xy(pose, "right_shoulder")) / 2
    mid_hip = (_xy(pose, "left_hip") + _xy(pose, "right_hip")) / 2
    lengths = np.linalg.norm(mid_shoulder - mid_hip, axis=1)
    return float(np.nanpercentile(lengths, 90)) if np.isfinite(lengths).any() else np.nan


def end_on(pose: PoseSequence, a: str, b: str, trunk_px: float | None = None) -> np.ndarray:
    """(T,) bool: the segment from landmark ``a`` to ``b`` is seen end-on (see the module)."""
    lengths = np.linalg.norm(_xy(pose, b) - _xy(pose, a), axis=1)
    if not np.isfinite(lengths).any():
        return np.zeros(len(pose), dtype=bool)
    trunk = _trunk_px(pose) if trunk_px is None else trunk_px
    key = f"{a.split('_', 1)[1]}-{b.split('_', 1)[1]}"
    expected = SEGMENT_TO_TRUNK.get(key, 0.0) * trunk if np.isfinite(trunk) else 0.0
    reference = max(float(np.nanpercentile(lengths, 90)), expected)
    with np.errstate(invalid="ignore"):
        short = lengths < FORESHORTENED * reference
        if pose.world is None:
            return short
        d = pose.world[:, LANDMARK_INDEX[b]] - pose.world[:, LANDMARK_INDEX[a]]
        depth = np.degrees(np.arctan2(np.abs(d[:, 2]), np.linalg.norm(d[:, :2], axis=1)))
        if np.isfinite(depth).any() and np.nanmedian(depth) > OUT_OF_PLANE_DEG:
            return np.isfinite(lengths)
        return short


def end_on_frames(pose: PoseSequence, metric_id: str) -> tuple[np.ndarray, str]:
    """(T,) bool where a limb segment of ``metric_id``'s joint arc is seen end-on, and the
    segment's name (e.g. ``hip-knee``); all False for a metric without a limb arc."""
    arc = metric_spec(metric_id).arc
    none = np.zeros(len(pose), dtype=bool)
    if arc is None:
        return none, ""
    trunk = _trunk_px(pose)
    out = none.copy()
    names = []
    for a, b in ((arc.vertex, arc.moving), (arc.ref_from, arc.ref_to)):
        key = f"{a.split('_', 1)[-1]}-{b.split('_', 1)[-1]}"
        if a == b or key not in SEGMENT_TO_TRUNK:  # the trunk is the reference: not a limb
            continue
        hit = end_on(pose, a, b, trunk)
        if hit.any():
            names.append(key)
        out |= hit
    return out, " and ".join(names)
