"""Honest limits of a filmed walk: no walk, a front view, a panning camera, an oblique walk.

Camera pan (documented heuristic, landmarks only): with a still camera the standing foot is
still in the picture between loading and mid-stance while the pelvis travels past it; with a
camera that pans to follow the subject (or on a treadmill) the pelvis stays put and the
standing foot slides backwards in the picture. For every whole cycle the median horizontal
speed of the foot (heel and toe) over 10-30 % of the cycle is compared with the pelvis's:
``slide = foot / (foot + pelvis)``, 0 for a still camera, 1 for a camera that follows
perfectly. A median slide above PAN_SLIDE_LIMIT, or the direction of travel taken from the
facing over more than half the walking frames (the pelvis not travelling), gives the warning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from romcam.core.gait_cycles import GaitCycle
from romcam.core.gait_events import GaitTrack, point
from romcam.core.landmarks import PoseSequence
from romcam.core.views import OUT_OF_PLANE_DEG

#: Median stance-foot slide (see module doc) above which the camera is taken to move.
PAN_SLIDE_LIMIT = 0.35
#: Share of the detected frames seen from the front that makes a walk a front-view walk.
FRONT_SHARE = 0.5
_STANCE_WINDOW_PCT = (10.0, 30.0)


def stance_slide(time_s: np.ndarray, track: GaitTrack, cycle: GaitCycle) -> float:
    """Foot speed / (foot + pelvis speed) over 10-30 % of ``cycle`` (NaN if unmeasurable)."""
    lo, hi = (cycle.start_s + p / 100.0 * cycle.stride_s for p in _STANCE_WINDOW_PCT)
    idx = np.flatnonzero((time_s >= lo) & (time_s <= hi))
    if idx.size < 3:
        return float("nan")
    side = cycle.side
    foot = (
        point(track.up, f"{side}_heel")[idx, 0] + point(track.up, f"{side}_foot_index")[idx, 0]
    ) / 2
    t = time_s[idx]
    v_foot = float(np.nanmedian(np.abs(np.gradient(foot, t))))
    v_pelvis = float(np.nanmedian(np.abs(np.gradient(track.pelvis_x[idx], t))))
    total = v_foot + v_pelvis
    return v_foot / total if total > 0 else float("nan")


def camera_pan_warning(
    time_s: np.ndarray, track: GaitTrack, cycles: Sequence[GaitCycle]
) -> str | None:
    """A sentence when the camera seems to move with the subject (see the module doc)."""
    walking = track.direction != 0
    follows = float(np.mean(track.camera_follows[walking])) if walking.any() else 0.0
    slides = np.array([stance_slide(time_s, track, c) for c in cycles])
    slides = slides[np.isfinite(slides)]
    slide = float(np.median(slides)) if slides.size else 0.0
    if slide <= PAN_SLIDE_LIMIT and follows <= 0.5:
        return None
    return (
        "The camera seems to move with the subject (the standing foot slides in the picture "
        f"at {100 * max(slide, follows):.0f} % of the walking speed), so the step length is "
        "not reported and the timing and angles may be off; film with the camera still."
    )


def out_of_plane_warning(track: GaitTrack) -> str | None:
    """A sentence when the walk as a whole is more than OUT_OF_PLANE_DEG from a side view.

    The median over the walking frames, not their share: the trunk turns back and forth
    with each step, a path at an angle to the picture turns it for good.
    """
    walking = track.direction != 0
    dev = track.views.deviation_deg[walking]
    dev = dev[np.isfinite(dev)]
    if not dev.size or float(np.median(dev)) <= OUT_OF_PLANE_DEG:
        return None
    return (
        f"The subject walked at an angle to the picture (median {np.median(dev):.0f} deg from "
        "a side view), so angles and steps are foreshortened; film the walk square across "
        "the camera's view."
    )


def walk_status(pose: PoseSequence, track: GaitTrack, n_cycles: int) -> tuple[str, str | None]:
    """(status, sentence): ok (None), no_subject, front_view or no_walking."""
    detected = pose.detected
    if not detected.any():
        return "no_subject", "no person was seen; film the subject walking across a side view"
    if n_cycles > 0:
        return "ok", None
    front = float(np.mean(track.views.view[detected] == "front"))
    if front > FRONT_SHARE:
        return "front_view", (
            f"the subject was seen from the front in {100 * front:.0f} % of the frames (walking "
            "toward or away from the camera), and knee and hip curves need a side view; film "
            "the walk from the side"
        )
    strikes = sum(len(e.heel_strikes) for e in track.events.values())
    if not (track.direction != 0).any():
        why = "the subject never travelled across the picture"
    elif strikes == 0:
        why = "no step was seen (no foot swung ahead of the body and back)"
    else:
        why = (
            f"{strikes} heel strikes were found but no gait cycle was seen whole (feet hidden, "
            "turning, or not a side view)"
        )
    return "no_walking", (
        f"no walking was found: {why}; film the subject walking straight across a side view "
        "for at least 3 strides"
    )
