"""Gait events of each foot from 2-D landmark trajectories: heel strike and toe off.

Method: Zeni, Richards & Higginson 2008 (Gait Posture 27:710-714), the coordinate-based
method: heel strike is the frame where the heel is furthest FORWARD of the pelvis (their
sacrum marker), toe off the frame where the toe is furthest BEHIND it. Adapted to 2-D
video: the pelvis is the hip midpoint, the toe is MediaPipe's ``foot_index``, and "forward"
is the horizontal image direction of travel (+1 = image right, -1 = image left, in
roll-corrected up coordinates). Heel and toe positions are therefore
``(heel_x - pelvis_x) * direction`` in pixels.

Direction of travel: the sign of the pelvis's smoothed horizontal velocity where it moves
faster than MIN_SPEED_LEGS_PER_S leg lengths a second; where the pelvis is nearly still in
the picture but the body is seen from the side (a camera panning with the subject, a
treadmill), the image direction the subject faces (``core.views``). A change of direction
(a turn) and TURN_MARGIN_S around it are excluded: no event is taken there; so is walking
backward (travelling against the side-view facing).

An event is a local extremum over EXTREMUM_HALF_WINDOW_S on either side whose excursion
exceeds MIN_EXCURSION_LEGS leg lengths, inside one run of constant direction where the
foot is seen (heel and toe visibility >= ``min_visibility``); extrema on a run's first or
last frame are not taken (the true extremum may lie outside the run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from romcam.core.filtering import smooth_zero_phase
from romcam.core.gait_legs import untangle_legs
from romcam.core.geometry import image_to_up
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.rom import run_labels
from romcam.core.views import ViewEstimate, detect_views

#: The pelvis counts as travelling above this speed (leg lengths per second; ~0.25 m/s).
MIN_SPEED_LEGS_PER_S = 0.3
#: Smoothing (s, Gaussian SD) of the pelvis path before its velocity is taken: the pelvis
#: speeds up and slows down within each step; this keeps only the travel.
PELVIS_SMOOTH_S = 0.25
#: Frames this close (s) to a change of direction are not walking straight.
TURN_MARGIN_S = 0.5
#: Half window (s) in which an event must be the extremum (a stride lasts ~1 s).
EXTREMUM_HALF_WINDOW_S = 0.3
#: An event's excursion from the lowest point of its window, in leg lengths.
MIN_EXCURSION_LEGS = 0.15
#: Light smoothing (s) of the heel and toe paths against landmark jitter.
FOOT_SMOOTH_S = 0.03
SIDES = ("left", "right")


@dataclass(frozen=True)
class FootEvents:
    """Event frames (indices into the sequence, ascending) of one foot and their times (s),
    refined between frames by a parabola through the extremum and its two neighbours."""

    heel_strikes: np.ndarray
    toe_offs: np.ndarray
    heel_strikes_s: np.ndarray
    toe_offs_s: np.ndarray


@dataclass(frozen=True)
class GaitTrack:
    """What the event detector saw, frame by frame (T frames).

    Attributes:
        up: (T, 33, 2) roll-corrected up coordinates (pixels, y up).
        pelvis_x: (T,) hip midpoint's horizontal position, pixels.
        direction: (T,) +1 travelling to the image right, -1 left, 0 not walking straight.
        camera_follows: (T,) bool, direction taken from the facing because the pelvis stood
            still in the picture (panning camera or treadmill).
        leg_px: median hip-to-ankle length, pixels (NaN when never seen).
        foot_seen: side -> (T,) bool, heel and toe seen.
        views: the per-frame view (``core.views``).
        events: side -> FootEvents.
        pose: the pose with its leg labels untangled (``core.gait_legs``).
        unsure_knee, unsure_ankle: side -> (T,) bool, that leg's knee (ankle) position is
            unsure where the legs pass each other (``core.gait_legs``): no angle there.
    """

    up: np.ndarray
    pelvis_x: np.ndarray
    direction: np.ndarray
    camera_follows: np.ndarray
    backward: np.ndarray
    leg_px: float
    foot_seen: dict[str, np.ndarray]
    views: ViewEstimate
    events: dict[str, FootEvents]
    pose: PoseSequence
    unsure_knee: dict[str, np.ndarray]
    unsure_ankle: dict[str, np.ndarray]


def point(up: np.ndarray, name: str) -> np.ndarray:
    """(T, 2) of the named landmark."""
    return up[:, LANDMARK_INDEX[name]]


def leg_length_px(up: np.ndarray) -> float:
    """Median hip-to-ankle distance over both legs and all frames (pixels; NaN if unseen)."""
    lengths = [
        np.linalg.norm(point(up, f"{s}_hip") - point(up, f"{s}_ankle"), axis=-1) for s in SIDES
    ]
    both = np.concatenate(lengths)
    both = both[np.isfinite(both)]
    return float(np.median(both)) if both.size else float("nan")


def travel_direction(
    time_s: np.ndarray, pelvis_x: np.ndarray, leg_px: float, facing_sign: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T,) direction of travel (+1/-1/0), (T,) bool where it came from ``facing_sign``, and
    (T,) bool where the subject travelled against the way it faced (walking backward; 0 then).

    ``facing_sign``: (T,) +1 facing the image right in a side view, -1 left, 0 otherwise.
    """
    finite = np.isfinite(pelvis_x)
    velocity = np.full(pelvis_x.shape, np.nan)
    if finite.sum() >= 3 and np.isfinite(leg_px):
        smooth = smooth_zero_phase(time_s, pelvis_x, bandwidth_s=PELVIS_SMOOTH_S)
        ok = np.isfinite(smooth)
        if ok.sum() >= 3:
            velocity[ok] = np.gradient(smooth[ok], time_s[ok])
    speed_ok = np.abs(velocity) > MIN_SPEED_LEGS_PER_S * leg_px
    moving = np.where(speed_ok, np.sign(velocity), 0.0)
    still = np.isfinite(velocity) & ~speed_ok
    follows = still & (facing_sign != 0)
    direction = np.where(follows, facing_sign, moving)
    # Facing one way while travelling the other is walking backward: not a gait to assess.
    backward = (facing_sign != 0) & (moving != 0) & (facing_sign != moving)
    direction = np.where(backward, 0.0, direction)
    return drop_turns(time_s, direction), follows & (direction != 0), backward


def drop_turns(time_s: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """(T,) ``direction`` (+1/-1/0) zeroed within TURN_MARGIN_S of a change from one
    direction to the other (a turn)."""
    out = direction.copy()
    signed = np.flatnonzero(direction != 0)
    flips = signed[1:][np.diff(direction[signed]) != 0]
    before = signed[:-1][np.diff(direction[signed]) != 0]
    for a, b in zip(before, flips, strict=True):
        near = (time_s >= time_s[a] - TURN_MARGIN_S) & (time_s <= time_s[b] + TURN_MARGIN_S)
        out[near] = 0.0
    return out


def extrema(
    time_s: np.ndarray, signal: np.ndarray, usable: np.ndarray, min_excursion: float
) -> np.ndarray:
    """Frames of the local maxima of ``signal`` (see module doc), inside runs of ``usable``.

    A maximum counts only when its whole window lies inside the run, so an extremum cut off
    by the run's edge (the foot hidden, a turn) is never taken for an event.
    """
    ok = usable & np.isfinite(signal)
    labels = run_labels(ok)
    found = []
    for lab in np.unique(labels[ok]):
        idx = np.flatnonzero(labels == lab)
        t, y = time_s[idx], signal[idx]
        for k in range(len(idx)):
            if t[k] - EXTREMUM_HALF_WINDOW_S < t[0] or t[k] + EXTREMUM_HALF_WINDOW_S > t[-1]:
                continue
            win = np.flatnonzero(np.abs(t - t[k]) <= EXTREMUM_HALF_WINDOW_S)
            if win[np.argmax(y[win])] == k and y[k] - y[win].min() >= min_excursion:
                found.append(idx[k])
    return np.asarray(found, dtype=int)


def detect_events(
    pose: PoseSequence, *, roll_deg: float = 0.0, min_visibility: float = 0.5
) -> GaitTrack:
    """Heel strikes and toe offs of both feet (see the module doc for the method), after the
    legs' labels are untangled (``core.gait_legs``)."""
    time_s = np.asarray(pose.time_s, dtype=float)
    up = image_to_up(pose.pixels, pose.image_width, pose.image_height, roll_deg)
    views = detect_views(up, pose.world, time_s, roll_deg=roll_deg)
    pelvis = (point(up, "left_hip") + point(up, "right_hip")) / 2.0
    leg_px = leg_length_px(up)
    facing = np.select([views.facing == "right", views.facing == "left"], [1.0, -1.0], 0.0)
    direction, follows, backward = travel_direction(time_s, pelvis[:, 0], leg_px, facing)
    legs = untangle_legs(pose, up, direction, leg_px)
    pose = legs.pose
    up = image_to_up(pose.pixels, pose.image_width, pose.image_height, roll_deg)
    vis = np.nan_to_num(pose.visibility, nan=0.0)
    seen, events = {}, {}
    for side in SIDES:
        names = (f"{side}_heel", f"{side}_foot_index")
        seen[side] = np.all([vis[:, LANDMARK_INDEX[n]] >= min_visibility for n in names], axis=0)
        rel = {}
        for name in names:
            x = point(up, name)[:, 0] - pelvis[:, 0]
            rel[name] = _smooth_finite(time_s, np.where(seen[side], x, np.nan)) * direction
        events[side] = foot_events(
            time_s, rel[names[0]], rel[names[1]], direction, MIN_EXCURSION_LEGS * leg_px
        )
    return GaitTrack(
        up,
        pelvis[:, 0],
        direction,
        follows,
        backward,
        leg_px,
        seen,
        views,
        events,
        pose,
        legs.unsure_knee,
        legs.unsure_ankle,
    )


def deepest_between(candidates: np.ndarray, signal: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """``candidates`` with only the highest of ``signal`` kept between consecutive ``bounds``.

    Zeni's toe off is the toe's most posterior position of the stride, so between two heel
    strikes of the foot only the deepest toe-off candidate stands (the others are landmark
    jitter on the way back).
    """
    slot = np.searchsorted(bounds, candidates)
    keep = []
    for s in np.unique(slot):
        group = candidates[slot == s]
        keep.append(group[np.argmax(signal[group])] if 0 < s < len(bounds) else group)
    return np.sort(np.concatenate([np.atleast_1d(k) for k in keep])) if keep else candidates


def refine_times(time_s: np.ndarray, signal: np.ndarray, frames: np.ndarray) -> np.ndarray:
    """Times (s) of the maxima at ``frames``, each moved to the vertex of the parabola through
    it and its neighbours (at most half a frame either way)."""
    out = time_s[frames].astype(float)
    for i, k in enumerate(frames):
        if 0 < k < len(signal) - 1:
            a, b, c = signal[k - 1], signal[k], signal[k + 1]
            curve = a - 2.0 * b + c
            if np.isfinite(curve) and curve < 0:
                shift = float(np.clip(0.5 * (a - c) / curve, -0.5, 0.5))
                out[i] += shift * (time_s[k + 1] - time_s[k - 1]) / 2.0
    return out


def foot_events(
    time_s: np.ndarray, heel: np.ndarray, toe: np.ndarray, runs: np.ndarray, excursion: float
) -> FootEvents:
    """One foot's events from its heel's and toe's forward positions relative to the pelvis.

    ``runs``: (T,) the stretch each frame belongs to (0 = none; an event never spans two).
    ``excursion``: the least rise of an event above its window's lowest point, same unit.
    """
    hs = _events(time_s, heel, runs, excursion)
    to = deepest_between(_events(time_s, -toe, runs, excursion), -toe, hs)
    return FootEvents(hs, to, refine_times(time_s, heel, hs), refine_times(time_s, -toe, to))


def _events(
    time_s: np.ndarray, signal: np.ndarray, runs: np.ndarray, excursion: float
) -> np.ndarray:
    """Maxima of ``signal`` within each stretch of equal nonzero ``runs`` (a turn splits)."""
    if not np.isfinite(excursion):
        return np.zeros(0, dtype=int)
    out = [extrema(time_s, signal, runs == r, excursion) for r in np.unique(runs[runs != 0])]
    return np.sort(np.concatenate(out)) if out else np.zeros(0, dtype=int)


def _smooth_finite(time_s: np.ndarray, x: np.ndarray) -> np.ndarray:
    if np.isfinite(x).sum() < 3:
        return x
    return np.asarray(smooth_zero_phase(time_s, x, bandwidth_s=FOOT_SMOOTH_S, max_gap_s=0.1))
