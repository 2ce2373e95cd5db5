"""A walk toward (or away from) the camera: pelvic drop and trunk lean per stance side.

Events: Zeni's method (``core.gait_events``) on depth: the heel furthest toward the direction
of travel, the toe furthest behind, relative to the hip midpoint, from the pose model's world
landmarks (metres; ``z`` grows away from the camera, so a subject facing the camera travels
toward ``-z``). A frame counts when seen from the front (``core.views``), a turn (the facing
changing between camera and away) and 0.5 s around it left out. A stance runs from a heel
strike to that foot's next toe off.

Per stance side, over its stances (each peak taken from the walk's median, which removes the
camera's roll and the subject's standing asymmetry):
- pelvic drop: how far the pelvis (``core.posture.line_tilt`` of the hips, frontal frame)
  drops on the swing side: the side opposite the stance leg (positive = dropped; a
  Trendelenburg sign is a large one);
- trunk lean: how far the trunk (``core.posture.lean_from_vertical``, mid-hip -> mid-shoulder)
  leans toward the stance side (positive = toward it: the compensation for a weak abductor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from romcam.core import posture
from romcam.core.gait_events import SIDES, FootEvents, drop_turns, foot_events, point
from romcam.core.geometry import image_to_up, mirror_x
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.views import detect_views

#: Share of the detected frames seen from the front that makes the walk a front-view one.
FRONT_SHARE = 0.5


@dataclass(frozen=True)
class FrontSide:
    """One stance side: stances counted, mean peak pelvic drop and trunk lean (deg)."""

    n_stances: int
    pelvic_drop_deg: float
    trunk_lean_deg: float


@dataclass(frozen=True)
class FrontGait:
    """``status`` ok / not_front / no_depth / no_walking; ``message`` one sentence if not ok."""

    status: str
    message: str | None
    sides: dict[str, FrontSide]
    events: dict[str, FootEvents]


def front_view_gait(
    pose: PoseSequence, *, roll_deg: float = 0.0, min_visibility: float = 0.5
) -> FrontGait:
    """Pelvic drop and trunk lean per stance side of a front-view walk (module doc)."""
    time_s = np.asarray(pose.time_s, dtype=float)
    up = image_to_up(pose.pixels, pose.image_width, pose.image_height, roll_deg)
    views = detect_views(up, pose.world, time_s, roll_deg=roll_deg)
    front = views.view == "front"
    empty = {s: FrontSide(0, float("nan"), float("nan")) for s in SIDES}
    detected = pose.detected
    if not detected.any() or np.mean(front[detected]) <= FRONT_SHARE:
        return FrontGait("not_front", _NOT_FRONT, empty, {})
    if pose.world is None:
        return FrontGait("no_depth", _NO_DEPTH, empty, {})
    facing = np.where(front & (views.facing == "camera"), 1.0, 0.0)
    facing = np.where(front & (views.facing == "away"), -1.0, facing)
    facing = drop_turns(time_s, facing)
    events = _depth_events(pose, time_s, facing, min_visibility)
    tilt, lean = _frontal_angles(up, facing)
    sides = {s: _stance_side(s, events[s], tilt, lean, facing) for s in SIDES}
    if not any(sides[s].n_stances for s in SIDES):
        return FrontGait("no_walking", _NO_STEPS, sides, events)
    return FrontGait("ok", None, sides, events)


_NOT_FRONT = (
    "the walk was not seen from the front (toward or away from the camera) in most frames, so "
    "pelvic drop and trunk lean cannot be measured; film the subject walking toward the camera"
)
_NO_DEPTH = "pelvic drop per stance side needs the pose model's depth (world landmarks)"
_NO_STEPS = (
    "no step was seen in the front-view walk (no foot swung ahead of the body and back); film "
    "the subject walking toward the camera for at least 3 strides"
)


def _depth_events(
    pose: PoseSequence, time_s: np.ndarray, facing: np.ndarray, min_visibility: float
) -> dict[str, FootEvents]:
    world = np.asarray(pose.world, dtype=float)
    z = world[..., 2]
    pelvis_z = (z[:, LANDMARK_INDEX["left_hip"]] + z[:, LANDMARK_INDEX["right_hip"]]) / 2.0
    vis = np.nan_to_num(pose.visibility, nan=0.0)
    legs = [
        np.linalg.norm(
            world[:, LANDMARK_INDEX[f"{s}_hip"]] - world[:, LANDMARK_INDEX[f"{s}_ankle"]], axis=-1
        )
        for s in SIDES
    ]
    leg_m = float(np.nanmedian(np.concatenate(legs)))
    out = {}
    for side in SIDES:
        fwd = {}
        for name in (f"{side}_heel", f"{side}_foot_index"):
            seen = vis[:, LANDMARK_INDEX[name]] >= min_visibility
            fwd[name] = np.where(seen, -(z[:, LANDMARK_INDEX[name]] - pelvis_z) * facing, np.nan)
        out[side] = foot_events(
            time_s, fwd[f"{side}_heel"], fwd[f"{side}_foot_index"], facing, 0.15 * leg_m
        )
    return out


def _frontal_angles(up: np.ndarray, facing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T,) pelvic tilt (+ left hip higher) and trunk lean (+ toward the subject's left)."""
    fro = mirror_x(up, np.where(facing != 0, facing, np.nan))
    hips = point(fro, "left_hip"), point(fro, "right_hip")
    mid_hip = (hips[0] + hips[1]) / 2.0
    mid_sh = (point(fro, "left_shoulder") + point(fro, "right_shoulder")) / 2.0
    return posture.line_tilt(*hips), posture.lean_from_vertical(mid_hip, mid_sh)


def _stance_side(
    side: str, ev: FootEvents, tilt: np.ndarray, lean: np.ndarray, facing: np.ndarray
) -> FrontSide:
    toward = 1.0 if side == "left" else -1.0  # + angles point to the subject's left
    walking = facing != 0
    base_tilt = np.nanmedian(tilt[walking]) if walking.any() else np.nan
    base_lean = np.nanmedian(lean[walking]) if walking.any() else np.nan
    drops, leans = [], []
    for hs in ev.heel_strikes:
        later = ev.toe_offs[ev.toe_offs > hs]
        if not later.size or not (facing[hs : later[0] + 1] == facing[hs]).all():
            continue
        span = slice(hs, later[0] + 1)
        # stance on the left: the right (swing) side drops, the left hip stands higher
        drops.append(np.nanmax(toward * (tilt[span] - base_tilt)))
        leans.append(np.nanmax(toward * (lean[span] - base_lean)))
    return FrontSide(len(drops), _mean(drops), _mean(leans))


def _mean(values: list[float]) -> float:
    return float(np.nanmean(values)) if values else float("nan")
