"""Synthetic walks: the synthetic body (``core.synthetic``) driven by a gait pattern.

The pattern gives knee and hip flexion over 0-100 % of a cycle (the mean curves of the
normative band, ``core.gait_norms``, kept to their first HARMONICS harmonics); the right leg
runs half a cycle behind the left; the pelvis travels across the picture at ``speed_m_s``
(0 = a camera that pans with the subject) and bobs 1 cm twice a cycle. Because the body is
projected orthographically the image angles equal the pattern's, and the heel strike and
toe off of Zeni's method (``core.gait_events``) follow from the pattern alone:
``zeni_phases`` finds them on the forward kinematics at 0.01 % resolution, so tests know the
true event times and curves without going through the image.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from romcam.core.gait_norms import normative_band
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.synthetic import SHANK, THIGH, synthetic_pose

#: Harmonics kept of the normative band's mean curves (``core.gait_norms``): a smooth
#: periodic pattern, as real joint curves are.
HARMONICS = 6
#: Heel and toe (foot index) ahead of the ankle in the synthetic body (m, see synthetic.py).
HEEL_AHEAD_M, TOE_AHEAD_M = -0.05, 0.15
_FAR_LEG = ("shoulder", "hip", "knee", "ankle", "heel", "foot_index")


def _fourier(values: np.ndarray, pct: np.ndarray) -> np.ndarray:
    """The first HARMONICS harmonics of the periodic ``values`` (sampled evenly over one
    cycle, the 100 % point left out), evaluated at ``pct`` %."""
    n = len(values)
    coef = np.fft.rfft(values) / n
    phase = 2.0 * np.pi * np.asarray(pct, dtype=float)[..., None] / 100.0
    k = np.arange(HARMONICS + 1)
    weight = np.where(k == 0, 1.0, 2.0)
    terms = weight * (coef[k].real * np.cos(k * phase) - coef[k].imag * np.sin(k * phase))
    return np.asarray(terms.sum(axis=-1))


def knee_at(pct: np.ndarray) -> np.ndarray:
    """Knee flexion (deg) of the pattern at ``pct`` % of the cycle."""
    return _fourier(normative_band("knee")[0][:-1], pct)


def hip_at(pct: np.ndarray) -> np.ndarray:
    """Hip flexion (deg) of the pattern at ``pct`` % of the cycle."""
    return _fourier(normative_band("hip")[0][:-1], pct)


def ankle_ahead_m(pct: np.ndarray) -> np.ndarray:
    """The ankle's distance ahead of the hip (m) at ``pct`` %: upright trunk, rigid segments."""
    h, k = np.radians(hip_at(pct)), np.radians(knee_at(pct))
    return THIGH * np.sin(h) + SHANK * np.sin(h - k)


@dataclass(frozen=True)
class ZeniPhases:
    """Where in the pattern's cycle (%) Zeni's events fall, and the stance share (%)."""

    heel_strike_pct: float
    toe_off_pct: float

    @property
    def stance_pct(self) -> float:
        return float(np.mod(self.toe_off_pct - self.heel_strike_pct, 100.0))


def zeni_phases() -> ZeniPhases:
    """The heel furthest ahead (heel strike) and the toe furthest behind (toe off), in %."""
    pct = np.arange(0.0, 100.0, 0.01)
    ahead = ankle_ahead_m(pct)  # heel and toe move with the ankle (the foot stays level)
    return ZeniPhases(float(pct[np.argmax(ahead)]), float(pct[np.argmin(ahead)]))


@dataclass(frozen=True)
class SyntheticWalk:
    """A synthetic walk and its truth: event times (s) per side and the cycle time."""

    pose: PoseSequence
    stride_s: float
    heel_strikes_s: dict[str, np.ndarray]
    toe_offs_s: dict[str, np.ndarray]


def synthetic_walk(
    *,
    duration_s: float = 6.0,
    fps: float = 30.0,
    stride_s: float = 1.1,
    speed_m_s: float | None = None,
    view: str = "side_left",
    far_leg_visibility: float = 0.9,
    px_per_m: float = 150.0,
    image_size: tuple[int, int] = (1280, 720),
    start_pct: float = 30.0,
    pelvic_drop_deg: float = 0.0,
    trunk_lean_deg: float = 0.0,
) -> SyntheticWalk:
    """A walk of ``duration_s`` across the picture (module doc).

    Args:
        stride_s: cycle time (s); the left leg starts at ``start_pct`` % of its cycle.
        speed_m_s: travel speed; default the speed at which the standing foot stays put
            (the ankle's backward travel during stance over the stance time); 0 = panning.
        view: ``side_left`` walks toward the image left, ``side_right`` right, ``front``
            toward the camera (no travel across the picture).
        far_leg_visibility: visibility of the far side's landmarks (the synthetic body marks
            them 0.30 in a side view; a pose model usually sees the far leg better).
        pelvic_drop_deg, trunk_lean_deg: the pelvis's drop on the swing side and the trunk's
            lean toward the stance side at each mid-stance (a sine over the cycle).
    """
    n = round(duration_s * fps)
    t = np.arange(n) / fps
    phase = {"left": 100.0 * t / stride_s + start_pct}
    phase["right"] = phase["left"] + 50.0
    angles = {}
    for side in ("left", "right"):
        angles[f"knee_flexion_{side}"] = knee_at(phase[side])
        angles[f"hip_flexion_{side}"] = hip_at(phase[side])
    # peaks at the left leg's mid-stance (+: left hip higher, trunk toward the left), and the
    # mirror at the right's
    stance_wave = np.sin(2.0 * np.pi * (phase["left"] - zeni_phases().heel_strike_pct) / 100.0)
    angles["pelvic_tilt"] = pelvic_drop_deg * stance_wave
    angles["trunk_lateral_lean"] = trunk_lean_deg * stance_wave
    pose = synthetic_pose(angles, view=view, fps=fps, image_size=image_size, px_per_m=px_per_m)
    ev = zeni_phases()
    speed = _foot_still_speed(ev, stride_s) if speed_m_s is None else speed_m_s
    pose = _travel(pose, t, speed if view != "front" else 0.0, view, px_per_m, stride_s)
    pose = _far_leg_seen(pose, view, far_leg_visibility)
    truth_hs = {s: _times(ev.heel_strike_pct, phase[s][0], stride_s, t[-1]) for s in phase}
    truth_to = {s: _times(ev.toe_off_pct, phase[s][0], stride_s, t[-1]) for s in phase}
    return SyntheticWalk(pose, stride_s, truth_hs, truth_to)


def _foot_still_speed(ev: ZeniPhases, stride_s: float) -> float:
    back = ankle_ahead_m(np.array([ev.heel_strike_pct]))[0]
    back -= ankle_ahead_m(np.array([ev.toe_off_pct]))[0]
    return float(back / (ev.stance_pct / 100.0 * stride_s))


def _times(event_pct: float, phase0: float, stride_s: float, end_s: float) -> np.ndarray:
    """Times (s) in [0, end_s] at which a leg starting at ``phase0`` % reaches ``event_pct``."""
    first = np.mod(event_pct - phase0, 100.0) / 100.0 * stride_s
    return np.arange(first, end_s + 1e-9, stride_s)


def _travel(
    pose: PoseSequence, t: np.ndarray, speed: float, view: str, px_per_m: float, stride_s: float
) -> PoseSequence:
    """Shift the body across the picture (start 100 px inside the far edge) and bob it."""
    width = pose.image_width
    toward = -1.0 if view == "side_left" else 1.0
    start = width / 2.0 if speed == 0.0 else (width - 150.0 if toward < 0 else 150.0)
    dx = (start - width / 2.0 + toward * speed * t * px_per_m) / width
    bob = 0.01 * np.cos(4.0 * np.pi * t / stride_s) * px_per_m / pose.image_height
    image = pose.image.copy()
    image[..., 0] += dx[:, None]
    image[..., 1] += bob[:, None]
    return replace(pose, image=image)


def _far_leg_seen(pose: PoseSequence, view: str, visibility: float) -> PoseSequence:
    if view not in ("side_left", "side_right"):
        return pose
    far = "right" if view == "side_left" else "left"
    image = pose.image.copy()
    for name in _FAR_LEG:
        image[:, LANDMARK_INDEX[f"{far}_{name}"], 3] = visibility
    return replace(pose, image=image)
