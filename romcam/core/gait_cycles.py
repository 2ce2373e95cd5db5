"""Whole gait cycles of one leg, and joint curves normalised to 0-100 % of the cycle.

A cycle runs from a heel strike to the next heel strike of the same foot, with exactly one
toe off between them. It counts only when seen whole: every frame of it in one straight run
of walking (``gait_events``: no turn), at a side view (``core.views``: side_left/side_right),
the foot seen (heel and toe visibility), and a plausible length (MIN_STRIDE_S-MAX_STRIDE_S).

Knee and hip flexion are romcam's sagittal definitions (``core.angles.knee_flexion`` and
``core.angles.sagittal_flexion``, hip: same-side shoulder-hip line to hip-knee, as in
``core.metric_specs``), in the subject frame whose +x is the direction of travel, for BOTH
legs (the joint-angle table keeps only the near leg of a side view; a walk needs the far one
too, wherever its landmarks are seen).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from romcam.core import angles
from romcam.core.filtering import bridge_gaps, smooth_zero_phase
from romcam.core.gait_events import SIDES, GaitTrack, point
from romcam.core.geometry import mirror_x
from romcam.core.landmarks import LANDMARK_INDEX

#: Points of a normalised curve: 0, 1, ..., 100 % of the cycle.
N_POINTS = 101
PERCENT = np.linspace(0.0, 100.0, N_POINTS)
#: Plausible stride times (s): outside, two events were missed or one was spurious.
MIN_STRIDE_S, MAX_STRIDE_S = 0.6, 2.5
#: A cycle's joint curves may miss at most this fraction of frames (bridged linearly).
MAX_MISSING_FRACTION = 0.1
#: Smoothing (s, Gaussian SD) of the joint angles against landmark jitter.
ANGLE_SMOOTH_S = 0.03
#: Longest stretch of unsure frames (s, from the frame before to the frame after) whose
#: angle is bridged linearly: the knee's and the ankle's crossing blocks (each at most
#: ``gait_legs.MAX_CROSSING_S``) may join; longer stretches stay missing.
MAX_BRIDGE_S = 0.3
_SIDE_VIEWS = ("side_left", "side_right")


@dataclass(frozen=True)
class GaitCycle:
    """One whole cycle: frame indices into the sequence and their times (s)."""

    side: str
    start: int
    toe_off: int
    end: int
    start_s: float
    toe_off_s: float
    end_s: float

    @property
    def stride_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def stance_pct(self) -> float:
        """Stance as % of the cycle: heel strike to toe off."""
        return 100.0 * (self.toe_off_s - self.start_s) / self.stride_s


def leg_angles(track: GaitTrack, min_visibility: float = 0.5) -> dict[str, dict[str, np.ndarray]]:
    """side -> {"knee": (T,), "hip": (T,)} degrees, + flexion; NaN where a landmark is unseen
    or the subject is not walking straight (direction 0); bridged linearly where the knee or
    ankle is unsure as the legs pass each other (``core.gait_legs``)."""
    pose = track.pose
    sign = np.where(track.direction != 0, track.direction, np.nan)
    sag = mirror_x(track.up, sign)
    vis = np.nan_to_num(pose.visibility, nan=0.0)
    time_s = np.asarray(pose.time_s, dtype=float)
    out = {}
    for side in SIDES:
        names = ("shoulder", "hip", "knee", "ankle")
        pts = {n: point(sag, f"{side}_{n}") for n in names}
        seen = np.all([vis[:, LANDMARK_INDEX[f"{side}_{n}"]] >= min_visibility for n in names], 0)
        knee = angles.knee_flexion(pts["hip"], pts["knee"], pts["ankle"])
        hip = angles.sagittal_flexion(pts["shoulder"], pts["hip"], pts["hip"], pts["knee"])
        knee = np.where(seen, knee, np.nan)
        knee = _bridged(time_s, knee, track.unsure_knee[side] | track.unsure_ankle[side])
        hip = _bridged(time_s, np.where(seen, hip, np.nan), track.unsure_knee[side])
        out[side] = {"knee": _smooth(time_s, knee), "hip": _smooth(time_s, hip)}
    return out


def _bridged(time_s: np.ndarray, angle: np.ndarray, unsure: np.ndarray) -> np.ndarray:
    """``angle`` with its ``unsure`` frames replaced by the straight line between the frames
    either side, when at most MAX_BRIDGE_S apart."""
    if not unsure.any() or np.isfinite(angle[~unsure]).sum() < 2:
        return angle
    kept = np.where(unsure, np.nan, angle)
    line = bridge_gaps(time_s, kept, max_gap_s=MAX_BRIDGE_S + 1e-6, min_run=1)
    return np.where(unsure, line, angle)


def _smooth(time_s: np.ndarray, v: np.ndarray) -> np.ndarray:
    if np.isfinite(v).sum() < 3:
        return v
    return np.asarray(smooth_zero_phase(time_s, v, bandwidth_s=ANGLE_SMOOTH_S, max_gap_s=0.1))


def whole_cycles(track: GaitTrack, side: str) -> list[GaitCycle]:
    """The cycles of ``side`` seen whole (see the module doc)."""
    ev = track.events[side]
    side_view = np.isin(track.views.view, _SIDE_VIEWS)
    ok = side_view & track.foot_seen[side] & (track.direction != 0)
    cycles = []
    hs, hs_s = ev.heel_strikes, ev.heel_strikes_s
    for i in range(len(hs) - 1):
        a, b = hs[i], hs[i + 1]
        off = np.flatnonzero((ev.toe_offs > a) & (ev.toe_offs < b))
        span = slice(a, b + 1)
        if len(off) != 1 or not (MIN_STRIDE_S <= hs_s[i + 1] - hs_s[i] <= MAX_STRIDE_S):
            continue
        if not ok[span].all() or len(np.unique(track.direction[span])) != 1:
            continue
        to, to_s = int(ev.toe_offs[off[0]]), float(ev.toe_offs_s[off[0]])
        cycles.append(GaitCycle(side, int(a), to, int(b), float(hs_s[i]), to_s, float(hs_s[i + 1])))
    return cycles


def normalise(time_s: np.ndarray, values: np.ndarray, cycle: GaitCycle) -> np.ndarray:
    """(N_POINTS,) ``values`` over ``cycle`` resampled at 0..100 % of its time; all NaN when
    more than MAX_MISSING_FRACTION of its frames are missing."""
    span = slice(max(cycle.start - 1, 0), cycle.end + 2)  # the refined times lie between
    t, v = time_s[span], values[span]
    finite = np.isfinite(v)
    if finite.sum() < 2 or 1.0 - finite.mean() > MAX_MISSING_FRACTION:
        return np.full(N_POINTS, np.nan)
    phase = 100.0 * (t[finite] - cycle.start_s) / cycle.stride_s
    return np.interp(PERCENT, phase, v[finite])
