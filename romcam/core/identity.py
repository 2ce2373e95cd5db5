"""Keep one person's frames in a subject's pose sequence: never merge two people (pure NumPy).

The tracker (``core.tracking``) picks one person per frame, but with one pose searched for
(``--single-person``), or once the subject has left the picture, the picked person may be
someone else. This module splits the picked frames into *stretches* of one continuous person
and decides, stretch by stretch, whether it is the first subject:

- a stretch ends where the person was unseen for more than ``max_gap_s`` (left the picture),
  or where the torso centre jumped more than ``max_jump`` torso lengths from one detected frame
  to the next (the track moved to someone else);
- the first stretch lasting at least ``min_subject_s`` is the subject (shorter ones before it
  are spurious detections);
- a later stretch is the subject again only when it starts within ``max_gap_s`` of the
  subject's last frame, within the jump gate of where the subject was last seen, and with the
  subject's body proportions (world segment lengths within ``max_proportion_change``);
  everything else is another person, whose frames the caller blanks.

Positions are in image heights (x times the aspect ratio); torso length is the distance from
the shoulder midpoint to the hip midpoint.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence

#: World (3-D, metres) segments whose lengths make a body's proportions.
PROPORTION_SEGMENTS: tuple[tuple[str, str], ...] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("right_shoulder", "right_elbow"),
    ("left_hip", "left_knee"),
    ("right_hip", "right_knee"),
    ("left_knee", "left_ankle"),
    ("right_knee", "right_ankle"),
)
_MIN_SCALE = 0.02


@dataclass(frozen=True, kw_only=True)
class IdentityConfig:
    """Thresholds of :func:`split_subjects` (reasons in docs/measurements.md, "Identity").

    Attributes:
        max_gap_s: unseen longer than this, the subject has left the picture (s).
        max_jump: torso lengths the torso centre may move between two detected frames; one
            person walking or running moves under 0.4 torso lengths per frame at 10-30 fps.
        min_subject_s: a first stretch shorter than this is a spurious detection (s).
        max_proportion_change: relative change of the median world segment length beyond which
            a returning stretch is another body (the model's own frame-to-frame spread of
            one person's segment lengths is about 5-10 %).
        min_torso: a torso shorter than this (image heights; the whole body then spans less
            than about an eighth of the picture) is too small to measure and is where the
            model reports spurious people at the picture's edge: such frames are nobody's.
        confirm_s: a change of proportions counts only when it lasts this long (s).
    """

    max_gap_s: float = 1.0
    max_jump: float = 1.0
    min_subject_s: float = 1.0
    max_proportion_change: float = 0.2
    min_torso: float = 0.04
    confirm_s: float = 0.5

    def __post_init__(self) -> None:
        values = (
            self.max_gap_s,
            self.max_jump,
            self.min_subject_s,
            self.max_proportion_change,
            self.confirm_s,
        )
        if not all(np.isfinite(v) and v > 0 for v in values):
            raise ValueError(f"identity thresholds must be positive numbers; got {values}")


@dataclass(frozen=True, kw_only=True)
class SubjectSplit:
    """Which person each frame shows.

    Attributes:
        person: (T,) int: 0 the subject, 1, 2 ... other people (in order of appearance),
            -1 nobody (or a spurious detection before the subject).
        time_s: (T,) float seconds of the frames.
    """

    person: np.ndarray
    time_s: np.ndarray

    @property
    def subject(self) -> np.ndarray:
        """(T,) bool: frames of the subject."""
        return self.person == 0

    @property
    def others(self) -> np.ndarray:
        """(T,) bool: frames that show another person."""
        return self.person > 0

    def warning(self) -> str | None:
        """ "another person from 24.1 s; results are for the person seen from 0.0 s", or None."""
        if not self.others.any() or not self.subject.any():
            return None
        other_from = float(self.time_s[np.argmax(self.others)])
        subject_from = float(self.time_s[np.argmax(self.subject)])
        return (
            f"another person from {other_from:.1f} s; results are for the person seen from "
            f"{subject_from:.1f} s"
        )


def split_subjects(pose: PoseSequence, config: IdentityConfig | None = None) -> SubjectSplit:
    """Label every frame of ``pose`` with the person it shows (see the module docstring)."""
    cfg = config or IdentityConfig()
    t = np.asarray(pose.time_s, dtype=float)
    person = np.full(len(pose), -1, dtype=int)
    centre, scale = _torso(pose)
    lengths = _segment_lengths(pose)
    seen = pose.detected & np.all(np.isfinite(centre), axis=1) & (scale >= cfg.min_torso)
    stretches = [
        part
        for stretch in _stretches(np.flatnonzero(seen), t, centre, scale, cfg)
        for part in _split_on_proportions(stretch, t, lengths, cfg)
    ]
    subject: list[int] | None = None
    others = 0
    for frames in stretches:
        if subject is None:
            if t[frames[-1]] - t[frames[0]] >= cfg.min_subject_s:
                subject = list(frames)
                person[frames] = 0
            continue
        if _same_subject(frames, subject, t, centre, scale, lengths, cfg):
            subject.extend(frames)
            person[frames] = 0
        else:
            others += 1
            person[frames] = others
    return SubjectSplit(person=person, time_s=t)


def keep_subject(pose: PoseSequence, split: SubjectSplit) -> PoseSequence:
    """``pose`` with every frame that is not the subject's emptied (NaN, as "not seen")."""
    drop = ~split.subject
    image = np.array(pose.image, dtype=float)
    image[drop] = np.nan
    world = None
    if pose.world is not None:
        world = np.array(pose.world, dtype=float)
        world[drop] = np.nan
    return PoseSequence(
        frame=pose.frame,
        time_s=pose.time_s,
        image_width=pose.image_width,
        image_height=pose.image_height,
        image=image,
        world=world,
    )


def _torso(pose: PoseSequence) -> tuple[np.ndarray, np.ndarray]:
    """(T, 2) torso centre and (T,) torso length, in image heights."""
    xy = pose.image[..., :2] * np.array([pose.image_width / pose.image_height, 1.0])
    idx = LANDMARK_INDEX
    shoulders = (xy[:, idx["left_shoulder"]] + xy[:, idx["right_shoulder"]]) / 2
    hips = (xy[:, idx["left_hip"]] + xy[:, idx["right_hip"]]) / 2
    length = np.linalg.norm(shoulders - hips, axis=-1)
    return (shoulders + hips) / 2, np.fmax(length, _MIN_SCALE)


def _segment_lengths(pose: PoseSequence) -> np.ndarray:
    """(T, S) world lengths (m) of PROPORTION_SEGMENTS; NaN without world landmarks."""
    if pose.world is None:
        return np.full((len(pose), len(PROPORTION_SEGMENTS)), np.nan)
    a = [LANDMARK_INDEX[p] for p, _ in PROPORTION_SEGMENTS]
    b = [LANDMARK_INDEX[q] for _, q in PROPORTION_SEGMENTS]
    return np.linalg.norm(pose.world[:, a] - pose.world[:, b], axis=-1)


def _stretches(
    seen: np.ndarray,
    t: np.ndarray,
    centre: np.ndarray,
    scale: np.ndarray,
    cfg: IdentityConfig,
) -> list[np.ndarray]:
    """Runs of seen frame indices with no gap over max_gap_s and no jump over max_jump."""
    out: list[list[int]] = []
    for i in seen:
        if out:
            j = out[-1][-1]
            gap = t[i] - t[j] > cfg.max_gap_s
            if not gap and not _jumped(centre[j], scale[j], centre[i], scale[i], cfg.max_jump):
                out[-1].append(int(i))
                continue
        out.append([int(i)])
    return [np.asarray(s, dtype=int) for s in out]


def _split_on_proportions(
    frames: np.ndarray, t: np.ndarray, lengths: np.ndarray, cfg: IdentityConfig
) -> list[np.ndarray]:
    """Split a stretch where the body's proportions change for good (a swap in place).

    The reference is the median over the stretch's first ``confirm_s`` seconds; a frame is
    off when its median segment change exceeds ``max_proportion_change``, and the stretch is
    split at the first off frame after which every frame for ``confirm_s`` seconds is off
    (one person's poses are off now and then, never for that long).
    """
    parts: list[np.ndarray] = []
    rest = frames
    while rest.size:
        early = rest[t[rest] - t[rest[0]] <= cfg.confirm_s]
        with warnings.catch_warnings():  # all-NaN segments (never seen) are expected
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = np.nanmedian(lengths[early], axis=0)
            change = np.nanmedian(np.abs(np.log(lengths[rest] / ref)), axis=1)
        off = np.nan_to_num(change, nan=0.0) > np.log1p(cfg.max_proportion_change)
        cut = _first_lasting(off, t[rest], cfg.confirm_s)
        if cut is None:
            parts.append(rest)
            break
        parts.append(rest[:cut])
        rest = rest[cut:]
    return parts


def _first_lasting(flag: np.ndarray, t: np.ndarray, duration_s: float) -> int | None:
    """Start of the first run of True whose frames span at least ``duration_s``, else None."""
    edges = np.diff(np.concatenate([[0], flag.astype(np.int8), [0]]))
    for start, stop in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if t[stop - 1] - t[start] >= duration_s:
            return int(start)
    return None


def _jumped(c0: np.ndarray, s0: float, c1: np.ndarray, s1: float, limit: float) -> bool:
    return bool(np.linalg.norm(c1 - c0) / max(s0, s1) > limit)


def _same_subject(
    frames: np.ndarray,
    subject: list[int],
    t: np.ndarray,
    centre: np.ndarray,
    scale: np.ndarray,
    lengths: np.ndarray,
    cfg: IdentityConfig,
) -> bool:
    """The stretch continues the subject: soon after, where it was, with its proportions."""
    last, first = subject[-1], int(frames[0])
    if t[first] - t[last] > cfg.max_gap_s:
        return False
    if _jumped(centre[last], scale[last], centre[first], scale[first], cfg.max_jump):
        return False
    return proportions_match(lengths[subject], lengths[frames], cfg.max_proportion_change)


def proportions_match(reference: np.ndarray, candidate: np.ndarray, tolerance: float) -> bool:
    """True when the median segment lengths of ``candidate`` (N, S) are within ``tolerance``
    (relative, median over segments) of those of ``reference`` (M, S); True without data."""
    with warnings.catch_warnings():  # all-NaN segments (never seen) are expected
        warnings.simplefilter("ignore", RuntimeWarning)
        ref = np.nanmedian(reference, axis=0)
        cand = np.nanmedian(candidate, axis=0)
        change = np.abs(np.log(cand / ref))
    change = change[np.isfinite(change)]
    return not change.size or float(np.median(change)) <= np.log1p(tolerance)
