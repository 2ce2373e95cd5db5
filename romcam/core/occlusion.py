"""Body parts the pose model places but cannot see (pure NumPy).

BlazePose always returns 33 landmarks; where a part is hidden (behind a table, a barbell's
plates, the frame's edge) it guesses, often with a visibility near 1. Four rules find the
guesses, each a per-frame, per-landmark test (reasons and thresholds: docs/measurements.md,
"Occlusion"):

- **proportions**: a world (3-D, metres) segment whose length differs from the subject's own
  reference (its median over frames where both ends are confidently seen inside the picture)
  by more than ``max_length_change``; a landmark is hidden when the off segments touching it
  are at least two (or its only segment is off);
- **trunk shape** (front view): the trunk midline (hip midpoint to shoulder midpoint) leaning
  more than ``max_trunk_shear_deg`` from the image vertical *and* as far from the
  perpendicular of the shoulder line means the hips were put where the body is not (the
  therapist clip's table edge): both hips are hidden;
- **edges**: a landmark within ``edge_margin`` of the picture's border is a part cut off and
  pinned to the edge;
- **jumps**: a landmark more than ``max_spike`` torso lengths away from both neighbouring
  frames and from their midpoint (frames at most ``max_spike_dt_s`` apart) jumped there and
  back.

An occluder stays for a while: a frame whose surrounding ``persist_s`` seconds are hidden at
least half the time is hidden too (the proportions, edge and trunk-shape rules).

Coordinates: normalised image landmarks (x right, y down), world landmarks in metres.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS, PoseSequence

#: World segments checked against the subject's own proportions.
SEGMENTS: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("right_shoulder", "right_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("right_hip", "right_knee"),
    ("left_knee", "left_ankle"),
    ("right_knee", "right_ankle"),
    ("left_ear", "left_shoulder"),
    ("right_ear", "right_shoulder"),
    ("left_ear", "right_ear"),
)
#: Body parts named in warnings: part -> its landmarks.
BODY_PARTS: dict[str, tuple[str, ...]] = {
    "head": ("nose", "left_ear", "right_ear", "left_eye", "right_eye"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "elbows": ("left_elbow", "right_elbow"),
    "wrists": ("left_wrist", "right_wrist"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
    "ankles": ("left_ankle", "right_ankle"),
}
_I = LANDMARK_INDEX
#: Landmarks the edge and jump rules look at: those metrics are computed from (hands and feet
#: are never used, and the model's fingers touch the edge and flicker harmlessly).
_MEASURED = np.zeros(N_LANDMARKS, dtype=bool)
_MEASURED[[_I[n] for names in BODY_PARTS.values() for n in names]] = True


@dataclass(frozen=True, kw_only=True)
class OcclusionConfig:
    """Thresholds of :func:`detect_occlusion` (reasons in docs/measurements.md, "Occlusion")."""

    max_length_change: float = 0.35
    reference_visibility: float = 0.9
    min_reference_frames: int = 15
    max_trunk_shear_deg: float = 10.0
    edge_margin: float = 0.005
    max_spike: float = 0.4
    max_spike_dt_s: float = 0.05
    persist_s: float = 1.0

    def __post_init__(self) -> None:
        values = (
            self.max_length_change,
            self.max_trunk_shear_deg,
            self.max_spike,
            self.max_spike_dt_s,
            self.persist_s,
        )
        if not all(np.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"occlusion thresholds must be positive numbers; got {values}")
        if not 0 <= self.reference_visibility <= 1 or not 0 <= self.edge_margin < 0.5:
            raise ValueError(
                "reference_visibility must be in [0, 1] and edge_margin in [0, 0.5); got "
                f"{self.reference_visibility}, {self.edge_margin}"
            )
        if self.min_reference_frames < 1:
            raise ValueError(f"min_reference_frames must be >= 1; got {self.min_reference_frames}")


def detect_occlusion(
    pose: PoseSequence, view: np.ndarray | None = None, config: OcclusionConfig | None = None
) -> np.ndarray:
    """(T, 33) bool: True where a landmark is placed but not seen (see the module docstring).

    Args:
        pose: one subject's landmarks.
        view: (T,) detected views (``metric_table.VIEWS``); the trunk-shape rule applies only
            where it is ``front``. None skips that rule.
    """
    cfg = config or OcclusionConfig()
    hidden = np.zeros((len(pose), N_LANDMARKS), dtype=bool)
    if len(pose) == 0:
        return hidden
    hidden |= _off_proportions(pose, cfg)
    hidden |= _pinned_to_edge(pose, cfg.edge_margin) & _MEASURED
    if view is not None:
        sheared = _trunk_sheared(pose, cfg.max_trunk_shear_deg) & (np.asarray(view) == "front")
        hidden[:, [_I["left_hip"], _I["right_hip"]]] |= sheared[:, None]
    hidden = _persistent(hidden, np.asarray(pose.time_s, dtype=float), cfg.persist_s)
    hidden |= _spikes(pose, cfg) & _MEASURED
    return hidden & pose.detected[:, None]


def _persistent(hidden: np.ndarray, t: np.ndarray, window_s: float) -> np.ndarray:
    """``hidden`` plus every frame whose centred ``window_s`` window is hidden at least half
    the time: an occluder (a table, a barbell) stays for seconds, while the model's guess
    behind it wobbles in and out of any threshold from frame to frame."""
    n = len(t)
    if n < 2:
        return hidden
    dt = float(np.median(np.diff(t)))
    half = max(1, round(window_s / dt / 2))
    padded = np.concatenate([np.zeros((1, hidden.shape[1])), np.cumsum(hidden, axis=0)])
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + half + 1, 0, n)
    share = (padded[hi] - padded[lo]) / (hi - lo)[:, None]
    return hidden | (share >= 0.5)


def _off_proportions(pose: PoseSequence, cfg: OcclusionConfig) -> np.ndarray:
    """(T, 33) bool: the proportions rule."""
    t = len(pose)
    off_count = np.zeros((t, N_LANDMARKS), dtype=int)
    checked = np.zeros(N_LANDMARKS, dtype=int)
    if pose.world is None:
        return off_count > 0
    confident = _confident(pose, cfg.reference_visibility)
    for a_name, b_name in SEGMENTS:
        a, b = _I[a_name], _I[b_name]
        length = np.linalg.norm(pose.world[:, a] - pose.world[:, b], axis=-1)
        ref_frames = confident[:, a] & confident[:, b] & np.isfinite(length)
        if ref_frames.sum() < cfg.min_reference_frames:
            continue  # the subject never showed this segment clearly: nothing to compare to
        reference = float(np.median(length[ref_frames]))
        with np.errstate(divide="ignore", invalid="ignore"):
            off = np.abs(np.log(length / reference)) > np.log1p(cfg.max_length_change)
        checked[[a, b]] += 1
        off_count[:, a] += off
        off_count[:, b] += off
    needed = np.minimum(2, np.maximum(checked, 1))
    return (off_count >= needed[None, :]) & (off_count > 0)


def _confident(pose: PoseSequence, min_visibility: float) -> np.ndarray:
    """(T, 33) bool: seen with at least ``min_visibility`` and inside the picture."""
    xy = pose.image[..., :2]
    inside = np.all((xy >= 0.0) & (xy <= 1.0), axis=-1)
    return inside & (np.nan_to_num(pose.visibility, nan=0.0) >= min_visibility)


def _pinned_to_edge(pose: PoseSequence, margin: float) -> np.ndarray:
    """(T, 33) bool: inside the picture but within ``margin`` of its border."""
    xy = pose.image[..., :2]
    with np.errstate(invalid="ignore"):
        inside = np.all((xy >= 0.0) & (xy <= 1.0), axis=-1)
        near = np.any((xy < margin) | (xy > 1.0 - margin), axis=-1)
    return inside & near


def _spikes(pose: PoseSequence, cfg: OcclusionConfig) -> np.ndarray:
    """(T, 33) bool: a landmark off the midpoint of its neighbours by > max_spike torso lengths."""
    out = np.zeros((len(pose), N_LANDMARKS), dtype=bool)
    if len(pose) < 3:
        return out
    xy = pose.image[..., :2] * np.array([pose.image_width / pose.image_height, 1.0])
    torso = _torso_length(xy)
    t = np.asarray(pose.time_s, dtype=float)
    close = (np.diff(t)[:-1] <= cfg.max_spike_dt_s) & (np.diff(t)[1:] <= cfg.max_spike_dt_s)
    unit = torso[1:-1, None]
    deviation = np.linalg.norm(xy[1:-1] - (xy[:-2] + xy[2:]) / 2.0, axis=-1) / unit
    step_in = np.linalg.norm(xy[1:-1] - xy[:-2], axis=-1) / unit
    step_out = np.linalg.norm(xy[2:] - xy[1:-1], axis=-1) / unit
    with np.errstate(invalid="ignore"):  # there and back: a step change is not a spike
        spike = np.minimum(np.minimum(deviation, step_in), step_out) > cfg.max_spike
    out[1:-1] = spike & close[:, None]
    return out


def _torso_length(xy: np.ndarray) -> np.ndarray:
    """(T,) shoulder-midpoint to hip-midpoint distance (NaN where unknown)."""
    shoulders = (xy[:, _I["left_shoulder"]] + xy[:, _I["right_shoulder"]]) / 2.0
    hips = (xy[:, _I["left_hip"]] + xy[:, _I["right_hip"]]) / 2.0
    length = np.linalg.norm(shoulders - hips, axis=-1)
    return np.where(length > 0, length, np.nan)


def trunk_shear_deg(pose: PoseSequence) -> np.ndarray:
    """(T,) degrees between the trunk midline and the perpendicular of the shoulder line
    (0 for a rectangular trunk; NaN where unknown). Image pixels, so x and y are alike."""
    px = pose.pixels
    shoulder_line = px[:, _I["left_shoulder"]] - px[:, _I["right_shoulder"]]
    midline = (px[:, _I["left_shoulder"]] + px[:, _I["right_shoulder"]]) / 2.0 - (
        px[:, _I["left_hip"]] + px[:, _I["right_hip"]]
    ) / 2.0
    cross = shoulder_line[:, 0] * midline[:, 1] - shoulder_line[:, 1] * midline[:, 0]
    dot = np.sum(shoulder_line * midline, axis=-1)
    between = np.degrees(np.arctan2(np.abs(cross), dot))  # [0, 180], 90 = perpendicular
    return np.abs(90.0 - between)


def trunk_lean_deg(pose: PoseSequence) -> np.ndarray:
    """(T,) degrees between the trunk midline (hip to shoulder midpoint) and the image
    vertical, in [0, 180]; NaN where unknown."""
    px = pose.pixels
    midline = (px[:, _I["left_shoulder"]] + px[:, _I["right_shoulder"]]) / 2.0 - (
        px[:, _I["left_hip"]] + px[:, _I["right_hip"]]
    ) / 2.0
    return np.degrees(np.arctan2(np.abs(midline[:, 0]), -midline[:, 1]))


def _trunk_sheared(pose: PoseSequence, limit_deg: float) -> np.ndarray:
    """The midline leans but the shoulder line did not follow it. A shoulder line tilted over
    an upright midline (one shoulder shrugged) is a real posture, so the lean must be there
    too; a body leaning as one piece tilts the shoulder line with it (shear near 0)."""
    with np.errstate(invalid="ignore"):
        return (trunk_shear_deg(pose) > limit_deg) & (trunk_lean_deg(pose) > limit_deg)


def hidden_body_parts(hidden: np.ndarray) -> dict[str, np.ndarray]:
    """BODY_PARTS name -> (T,) bool, True where any of the part's landmarks is hidden.

    Args:
        hidden: (T, 33) bool from :func:`detect_occlusion`.
    """
    return {
        part: np.any(hidden[:, [_I[name] for name in names]], axis=1).astype(bool)
        for part, names in BODY_PARTS.items()
    }


def hidden_parts_warnings(
    parts: Mapping[str, np.ndarray],
    time_s: np.ndarray,
    detected: np.ndarray,
    *,
    min_share: float = 0.1,
) -> list[str]:
    """One sentence per body part hidden in at least ``min_share`` of the subject's frames:
    "hips hidden 0.0–25.4 s (98 % of frames)" (first to last hidden frame, share of frames
    with the subject). Why a tenth: a part guessed in fewer frames is the model flickering
    (an overhead arm's wrist for a few frames); its values are withheld there all the same.

    Args:
        parts: body part -> (T,) bool (:func:`hidden_body_parts`, ``MetricTable.hidden``);
            time_s: (T,) s; detected: (T,) bool, frames with the subject.
    """
    out: list[str] = []
    n = int(np.sum(detected))
    if n == 0:
        return out
    for part, mask in parts.items():
        frames = np.asarray(mask, dtype=bool) & detected
        share = frames.sum() / n
        if share >= min_share:
            first, last = time_s[frames][[0, -1]]
            out.append(
                f"{part} hidden {first:.1f}–{last:.1f} s ({100 * share:.0f} % of frames); "
                "metrics that use them are withheld there"
            )
    return out
