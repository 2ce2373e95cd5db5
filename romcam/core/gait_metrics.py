"""A side-view walk -> per-leg timing, normalised knee and hip curves, key values, symmetry.

Per leg, over its whole cycles (``gait_cycles``):
- stride time: heel strike to the next heel strike of the same foot (s);
- step time: the other foot's heel strike to this foot's (s);
- cadence: 120 / mean stride time (steps a minute: two steps a stride);
- stance %: heel strike to toe off as % of the cycle; swing % = 100 - stance %;
- step length (cm, with a calibrated scale and a still camera): at this foot's heel strike,
  the horizontal distance from the other foot's heel to this one's;
- knee flexion at loading: the highest knee flexion in 0-25 % of the cycle (the loading
  response peak, normally ~15 %); peak knee flexion in swing: the highest from toe off to
  100 %; peak hip extension: minus the lowest hip flexion during stance (+ = thigh behind the
  trunk line). Each is taken per cycle and averaged.
Symmetry (Robinson, Herzog & Nigg 1987, J Manipulative Physiol Ther 10:172):
SI = 100 x (right - left) / (0.5 x (right + left)) %, 0 = symmetric; for angles that can be
near 0 (loading knee flexion, hip extension) the difference right - left in degrees instead.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from romcam.core.gait_checks import camera_pan_warning, out_of_plane_warning, walk_status
from romcam.core.gait_cycles import (
    N_POINTS,
    PERCENT,
    GaitCycle,
    leg_angles,
    normalise,
    whole_cycles,
)
from romcam.core.gait_events import SIDES, GaitTrack, detect_events, point
from romcam.core.landmarks import PoseSequence

#: Cycles per leg below which the means are reported with a sentence saying so.
MIN_CYCLES = 3
#: The loading-response window of the cycle (%).
LOADING_WINDOW_PCT = 25.0


@dataclass(frozen=True)
class SideGait:
    """One leg's numbers (NaN/None where not measurable) and its normalised curves.

    ``knee_curves``/``hip_curves``: (n_cycles, N_POINTS) degrees at PERCENT of the cycle.
    """

    side: str
    cycles: tuple[GaitCycle, ...]
    cadence_steps_per_min: float
    step_time_s: float
    stride_time_s: float
    stance_pct: float
    step_length_cm: float | None
    peak_knee_flexion_swing_deg: float
    knee_flexion_loading_deg: float
    peak_hip_extension_deg: float
    knee_curves: np.ndarray
    hip_curves: np.ndarray

    @property
    def n_cycles(self) -> int:
        return len(self.cycles)

    @property
    def swing_pct(self) -> float:
        return 100.0 - self.stance_pct

    def mean_sd(self, joint: str) -> tuple[np.ndarray, np.ndarray]:
        """(N_POINTS,) mean and SD over cycles of ``knee`` or ``hip`` (:func:`curves_mean_sd`)."""
        return curves_mean_sd(self.knee_curves if joint == "knee" else self.hip_curves)


def curves_mean_sd(curves: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(N_POINTS,) mean and sample SD (ddof=1, as for a test's trials) of (cycles, N_POINTS)
    curves in deg, over the cycles with any value; SD 0 for one such cycle, both NaN for none.
    The plot of a walk and the reports' overlay of two walks both read their bands here."""
    seen = curves[np.isfinite(curves).any(axis=1)] if curves.ndim == 2 else curves[:0]
    if len(seen) == 0:
        nan = np.full(N_POINTS, np.nan)
        return nan, nan
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column seen in one cycle only
        mean = np.nanmean(seen, axis=0)
        sd = np.nanstd(seen, axis=0, ddof=1) if len(seen) > 1 else np.zeros(N_POINTS)
    return mean, sd


@dataclass(frozen=True)
class GaitResult:
    """The whole walk: ``status`` ok / no_subject / front_view / no_walking, and ``message``
    (one sentence) when not ok; ``notes`` say what was seen when a leg has < MIN_CYCLES."""

    status: str
    message: str | None
    sides: dict[str, SideGait]
    symmetry: dict[str, float | None]
    track: GaitTrack
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


def analyze_gait(
    pose: PoseSequence,
    *,
    roll_deg: float = 0.0,
    px_per_cm: float | None = None,
    min_visibility: float = 0.5,
) -> GaitResult:
    """Events, cycles and numbers of a side-view walk (landmarks already lens-corrected)."""
    time_s = np.asarray(pose.time_s, dtype=float)
    track = detect_events(pose, roll_deg=roll_deg, min_visibility=min_visibility)
    joint = leg_angles(track, min_visibility)
    cycles = {s: whole_cycles(track, s) for s in SIDES}
    pan = camera_pan_warning(time_s, track, [c for cs in cycles.values() for c in cs])
    scale = None if pan else px_per_cm
    sides = {s: _side(s, time_s, track, joint[s], cycles[s], scale) for s in SIDES}
    status, message = walk_status(pose, track, sum(len(c) for c in cycles.values()))
    warnings = tuple(w for w in (pan, out_of_plane_warning(track)) if w)
    notes = tuple(n for s in SIDES if (n := _cycles_note(s, sides[s], track)))
    notes += _backward_note(time_s, track)
    return GaitResult(status, message, sides, symmetry(sides), track, notes, warnings)


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


def _side(
    side: str,
    time_s: np.ndarray,
    track: GaitTrack,
    joint: dict[str, np.ndarray],
    cycles: list[GaitCycle],
    px_per_cm: float | None,
) -> SideGait:
    other = _other(side)
    knee = np.array([normalise(time_s, joint["knee"], c) for c in cycles]).reshape(-1, N_POINTS)
    hip = np.array([normalise(time_s, joint["hip"], c) for c in cycles]).reshape(-1, N_POINTS)
    stride = _mean([c.stride_s for c in cycles])
    stance = [c.stance_pct for c in cycles]
    swing = [k[c.stance_pct <= PERCENT] for k, c in zip(knee, cycles, strict=True)]
    hip_stance = [h[c.stance_pct >= PERCENT] for h, c in zip(hip, cycles, strict=True)]
    return SideGait(
        side=side,
        cycles=tuple(cycles),
        cadence_steps_per_min=120.0 / stride if np.isfinite(stride) else float("nan"),
        step_time_s=_mean(_step_times(track, cycles, other)),
        stride_time_s=stride,
        stance_pct=_mean(stance),
        step_length_cm=_step_length(track, cycles, other, px_per_cm),
        peak_knee_flexion_swing_deg=_mean([_peak(s) for s in swing]),
        knee_flexion_loading_deg=_mean([_peak(k[PERCENT <= LOADING_WINDOW_PCT]) for k in knee]),
        peak_hip_extension_deg=_mean([-_low(h) for h in hip_stance]),
        knee_curves=knee,
        hip_curves=hip,
    )


def _mean(values: list[float] | np.ndarray) -> float:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


def _peak(v: np.ndarray) -> float:
    return float(np.max(v)) if v.size and np.isfinite(v).all() else float("nan")


def _low(v: np.ndarray) -> float:
    return float(np.min(v)) if v.size and np.isfinite(v).all() else float("nan")


def _step_times(track: GaitTrack, cycles: list[GaitCycle], other: str) -> list[float]:
    """Per cycle: the time from the other foot's last heel strike before this cycle's."""
    ev = track.events[other]
    out = []
    for c in cycles:
        before = np.flatnonzero(
            (ev.heel_strikes < c.start) & (ev.heel_strikes_s > c.start_s - c.stride_s)
        )
        if before.size:
            frame, when = ev.heel_strikes[before[-1]], ev.heel_strikes_s[before[-1]]
            step = c.start_s - float(when)
            # a step outside 20-80 % of the stride pairs a spurious strike with a real one
            plausible = 0.2 * c.stride_s <= step <= 0.8 * c.stride_s
            if plausible and (track.direction[frame : c.start + 1] != 0).all():
                out.append(step)
    return out


def _step_length(
    track: GaitTrack, cycles: list[GaitCycle], other: str, px_per_cm: float | None
) -> float | None:
    if px_per_cm is None or not cycles:
        return None
    side = _other(other)
    lengths = []
    for c in cycles:
        span = slice(max(c.start - 1, 0), c.start + 2)  # read at the refined heel strike
        t = np.asarray(track.pose.time_s[span], dtype=float)
        here = np.interp(c.start_s, t, point(track.up, f"{side}_heel")[span, 0])
        there = np.interp(c.start_s, t, point(track.up, f"{other}_heel")[span, 0])
        if track.foot_seen[other][c.start] and np.isfinite(there):
            lengths.append((here - there) * track.direction[c.start] / px_per_cm)
    value = _mean(lengths)
    return value if np.isfinite(value) else None


def symmetry_index(left: float | None, right: float | None) -> float | None:
    """Robinson et al. 1987: 100 x (R - L) / (0.5 x (R + L)) %; None when not computable."""
    if left is None or right is None or not np.isfinite(left) or not np.isfinite(right):
        return None
    mean = 0.5 * (left + right)
    return None if mean == 0 else float(100.0 * (right - left) / mean)


def symmetry(sides: dict[str, SideGait]) -> dict[str, float | None]:
    """Symmetry indices (%) and right - left differences (deg); see the module doc."""
    left, right = sides["left"], sides["right"]
    out: dict[str, float | None] = {}
    for key in ("step_time_s", "stride_time_s", "stance_pct", "peak_knee_flexion_swing_deg"):
        out[f"{key}_si_pct"] = symmetry_index(getattr(left, key), getattr(right, key))
    out["step_length_cm_si_pct"] = symmetry_index(left.step_length_cm, right.step_length_cm)
    for key in ("knee_flexion_loading_deg", "peak_hip_extension_deg"):
        diff = getattr(right, key) - getattr(left, key)
        out[f"{key}_right_minus_left"] = float(diff) if np.isfinite(diff) else None
    return out


def _cycles_note(side: str, gait: SideGait, track: GaitTrack) -> str | None:
    """A sentence when the leg has fewer than MIN_CYCLES whole cycles, saying what was seen."""
    n = gait.n_cycles
    if n >= MIN_CYCLES:
        return None
    ev = track.events[side]
    walking = track.direction != 0
    seen = 100.0 * float(np.mean(track.foot_seen[side][walking])) if walking.any() else 0.0
    found = (
        f"{len(ev.heel_strikes)} heel strikes and {len(ev.toe_offs)} toe offs found, "
        f"the foot seen in {seen:.0f} % of the walking frames"
    )
    if n == 0:
        return f"No whole gait cycle of the {side} leg was seen ({found}), so it has no values."
    were = (
        f"1 whole gait cycle of the {side} leg was"
        if n == 1
        else f"{n} whole gait cycles of the {side} leg were"
    )
    them = "that cycle" if n == 1 else "those cycles"
    return (
        f"Only {were} seen ({found}); at least {MIN_CYCLES} are needed for a dependable mean, "
        f"so its values describe {them} alone."
    )


def _backward_note(time_s: np.ndarray, track: GaitTrack) -> tuple[str, ...]:
    """A sentence when the subject walked backward for more than half a second."""
    dt = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 0.0
    seconds = float(track.backward.sum()) * dt
    if seconds <= 0.5:
        return ()
    return (
        f"The subject walked backward for {seconds:.1f} s (facing against the direction of "
        "travel); those steps are left out.",
    )
