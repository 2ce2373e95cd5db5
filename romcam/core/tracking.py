"""Follow one subject among the people the pose model finds in each frame (pure NumPy).

Every detected person is summarised by the centre of the torso (mean of both shoulders and
hips) and its scale (shoulder-midpoint to hip-midpoint distance). Positions are in units of the
image *height* (normalised x is multiplied by the aspect ratio), so distances are isotropic.

The tracker keeps a short-lived track for every person, not just the subject: each frame the
tracks are matched to the detections by distance to a constant-velocity prediction, measured in
torso lengths, plus a penalty for a change of scale; matches beyond a gate are refused. Following
the others too is what prevents identity swaps: when two people cross, each keeps its own track,
and a person who was seen together with the subject is remembered as "not the subject" and is
never picked up when the subject is lost.

- Start: the largest, most central person becomes the subject.
- Each frame: the detection matched to the subject's track, or None (subject not seen).
- Re-acquisition: after the subject has been unseen for ``max_lost_frames``, the best new
  person seen for at least ``min_hits`` frames (and never seen beside the subject) is taken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS

_SHOULDERS = (LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"])
_HIPS = (LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"])
#: Smallest torso length used as a distance unit (image heights), so a collapsed torso
#: (e.g. seen from above) does not make every distance huge.
_MIN_SCALE = 0.02


@dataclass(frozen=True)
class TrackerConfig:
    """Tuning of :class:`SubjectTracker`; distances are in torso lengths.

    Attributes:
        max_jump: largest per-frame matching cost (centre distance from the prediction in torso
            lengths plus ``scale_weight`` * |log scale ratio|); it grows by a quarter of its
            value for each frame a track has been unseen.
        scale_weight: weight of the scale-change penalty in the matching cost.
        max_lost_frames: frames a track survives unseen; after that the subject is lost.
        min_hits: frames a new person must be seen before becoming the subject on re-acquisition.
        duplicate_distance: an unmatched detection whose torso centre is this close to a
            matched one is the same person detected twice (the model sometimes does this) and
            starts no new track.
        velocity_smoothing: weight of the newest displacement in the velocity estimate, (0, 1].
        ambiguity_margin: a match is ambiguous when another track's cost for the same detection
            is within this margin; an ambiguous match does not update the velocity.
    """

    max_jump: float = 1.0
    scale_weight: float = 1.0
    max_lost_frames: int = 15
    min_hits: int = 3
    duplicate_distance: float = 0.35
    velocity_smoothing: float = 0.5
    ambiguity_margin: float = 0.5

    def __post_init__(self) -> None:
        if self.max_jump <= 0 or self.duplicate_distance < 0 or self.scale_weight < 0:
            raise ValueError(
                "max_jump must be > 0 and duplicate_distance, scale_weight >= 0; got "
                f"{self.max_jump}, {self.duplicate_distance}, {self.scale_weight}"
            )
        if self.max_lost_frames < 0 or self.min_hits < 1:
            raise ValueError(
                f"max_lost_frames must be >= 0 and min_hits >= 1; got "
                f"{self.max_lost_frames} and {self.min_hits}"
            )
        if not 0 < self.velocity_smoothing <= 1:
            raise ValueError(f"velocity_smoothing must be in (0, 1]; got {self.velocity_smoothing}")


def torso_centre_and_scale(
    landmarks: np.ndarray, aspect_ratio: float = 1.0
) -> tuple[np.ndarray, float]:
    """Torso centre (2,) and torso length of one person, in image heights.

    Args:
        landmarks: (33, >=2) normalised image landmarks (x right, y down).
        aspect_ratio: image width / height, to make x and y the same unit.
    """
    xy = np.asarray(landmarks, dtype=float)[:, :2] * np.array([aspect_ratio, 1.0])
    shoulders = xy[list(_SHOULDERS)].mean(axis=0)
    hips = xy[list(_HIPS)].mean(axis=0)
    centre = (shoulders + hips) / 2
    scale = max(float(np.linalg.norm(shoulders - hips)), _MIN_SCALE)
    return centre, scale


@dataclass(eq=False)  # identity semantics: tracks are compared and hashed as objects
class _Track:
    centre: np.ndarray
    scale: float
    velocity: np.ndarray = field(default_factory=lambda: np.zeros(2))
    hits: int = 1
    lost: int = 0
    beside_subject: bool = False

    def predicted(self) -> np.ndarray:
        return self.centre + self.velocity * (self.lost + 1)

    def update(self, centre: np.ndarray, scale: float, smoothing: float | None) -> None:
        """Move to the new detection; ``smoothing`` None keeps the velocity (ambiguous match)."""
        if smoothing is not None:
            step = (centre - self.centre) / (self.lost + 1)
            self.velocity = (1 - smoothing) * self.velocity + smoothing * step
        self.centre, self.scale = centre, scale
        self.hits += 1
        self.lost = 0


class SubjectTracker:
    """Chooses, frame after frame, which detected person is the subject (see module docstring).

    Create one per video or live stream; call :meth:`select` once per processed frame, in order,
    including frames with no detection (pass an empty list).
    """

    def __init__(self, config: TrackerConfig | None = None, *, aspect_ratio: float = 1.0) -> None:
        if not aspect_ratio > 0:
            raise ValueError(f"aspect_ratio must be > 0 (width / height); got {aspect_ratio}")
        self.config = config or TrackerConfig()
        self.aspect_ratio = float(aspect_ratio)
        self.reset()

    def reset(self) -> None:
        """Forget every track and the subject (e.g. for a new video)."""
        self._tracks: list[_Track] = []
        self._subject: _Track | None = None
        self._ever_had_subject = False

    @property
    def has_subject(self) -> bool:
        """True while a subject is followed (seen recently, or unseen for <= max_lost_frames)."""
        return self._subject is not None

    def select(self, candidates: list[np.ndarray]) -> int | None:
        """Index into ``candidates`` of the subject in this frame, or None if not seen.

        Args:
            candidates: the people detected in this frame, each (33, >=2) normalised image
                landmarks (x, y first; visibility in column 3 if present).
        """
        measures = [self._measure(c, i) for i, c in enumerate(candidates)]
        keep = _distinct_indices(candidates, measures, self.config.duplicate_distance)
        matched = self._match(measures, keep)
        self._age_unmatched(set(matched.values()))
        for index in keep:
            if index not in matched:
                centre, scale = measures[index]
                track = _Track(centre=centre, scale=scale)
                self._tracks.append(track)
                matched[index] = track
        if self._subject is not None and self._subject in matched.values():
            for track in matched.values():
                track.beside_subject = track.beside_subject or track is not self._subject
        if self._subject is None:
            self._acquire(matched, measures)
        for index, track in matched.items():
            if track is self._subject:
                return index
        return None

    def _measure(self, landmarks: np.ndarray, index: int) -> tuple[np.ndarray, float]:
        arr = np.asarray(landmarks, dtype=float)
        if arr.ndim != 2 or arr.shape[0] != N_LANDMARKS or arr.shape[1] < 2:
            raise ValueError(f"candidate {index} must be ({N_LANDMARKS}, >=2); got {arr.shape}")
        centre, scale = torso_centre_and_scale(arr, self.aspect_ratio)
        if not np.all(np.isfinite(centre)):
            raise ValueError(f"candidate {index} has non-finite shoulder or hip landmarks")
        return centre, scale

    def _match(
        self, measures: list[tuple[np.ndarray, float]], keep: list[int]
    ) -> dict[int, _Track]:
        """Greedy lowest-cost matching of detections to tracks, refusing pairs beyond the gate.

        When two people overlap the model may report only one of them, and either track could
        claim it; such an ambiguous match moves the track but keeps its velocity, so both
        people's predictions still part the right way once they separate.
        """
        costs = np.array(
            [[self._cost(track, *measures[i]) for i in keep] for track in self._tracks]
        ).reshape(len(self._tracks), len(keep))
        pairs = [
            (float(costs[t, j]), t, j)
            for t, track in enumerate(self._tracks)
            for j in range(len(keep))
            if costs[t, j] <= self.config.max_jump * (1 + 0.25 * track.lost)
        ]
        matched: dict[int, _Track] = {}
        used_tracks: set[int] = set()
        for cost, t, j in sorted(pairs):
            i = keep[j]
            if t in used_tracks or i in matched:
                continue
            used_tracks.add(t)
            matched[i] = self._tracks[t]
            rivals = np.delete(costs[:, j], t)
            ambiguous = bool(np.any(rivals < cost + self.config.ambiguity_margin))
            smoothing = None if ambiguous else self.config.velocity_smoothing
            self._tracks[t].update(*measures[i], smoothing)
        return matched

    def _cost(self, track: _Track, centre: np.ndarray, scale: float) -> float:
        unit = max(track.scale, scale)
        distance = float(np.linalg.norm(centre - track.predicted())) / unit
        return distance + self.config.scale_weight * abs(float(np.log(scale / track.scale)))

    def _age_unmatched(self, matched: set[_Track]) -> None:
        survivors = []
        for track in self._tracks:
            if track not in matched:
                track.lost += 1
            if track.lost <= self.config.max_lost_frames:
                survivors.append(track)
            elif track is self._subject:
                self._subject = None
        self._tracks = survivors

    def _acquire(
        self, matched: dict[int, _Track], measures: list[tuple[np.ndarray, float]]
    ) -> None:
        """Pick a subject among the people seen in this frame (at start or after a loss)."""
        best: tuple[float, _Track] | None = None
        for index, track in matched.items():
            eligible = not self._ever_had_subject or (
                track.hits >= self.config.min_hits and not track.beside_subject
            )
            if not eligible:
                continue
            score = self._prominence(*measures[index])
            if best is None or score > best[0]:
                best = (score, track)
        if best is not None:
            self._subject = best[1]
            self._ever_had_subject = True

    def _prominence(self, centre: np.ndarray, scale: float) -> float:
        """Large and central scores high: torso length discounted by distance from the middle."""
        middle = np.array([self.aspect_ratio / 2, 0.5])
        return scale / (1.0 + 2.0 * float(np.linalg.norm(centre - middle)))


def distinct_people(
    candidates: list[np.ndarray],
    aspect_ratio: float = 1.0,
    duplicate_distance: float = TrackerConfig.duplicate_distance,
) -> list[int]:
    """Indices of the detections that are different people, most visible first.

    The model sometimes reports one person twice; a detection whose torso centre lies within
    ``duplicate_distance`` torso lengths of a more visible one is dropped. Two real people that
    close are indistinguishable anyway. Candidates without finite shoulders and hips are
    dropped too.

    Args:
        candidates: each (33, >=2) normalised image landmarks (visibility in column 3).
        aspect_ratio: image width / height.
    """
    ok = [i for i, c in enumerate(candidates) if _has_torso(c)]
    measures = [torso_centre_and_scale(candidates[i], aspect_ratio) for i in ok]
    keep = _distinct_indices([candidates[i] for i in ok], measures, duplicate_distance)
    return [ok[k] for k in keep]


def count_people(candidates: list[np.ndarray], aspect_ratio: float = 1.0) -> int:
    """How many different people one frame's detections show (see :func:`distinct_people`).

    The one counting rule of romcam: the recorded video's crowd warning and the live people
    check both count this way, so one person the model reports twice counts once.
    """
    return len(distinct_people(candidates, aspect_ratio))


def _has_torso(landmarks: np.ndarray) -> bool:
    xy = np.asarray(landmarks, dtype=float)[list(_SHOULDERS + _HIPS), :2]
    return bool(np.isfinite(xy).all())


def _distinct_indices(
    candidates: list[np.ndarray], measures: list[tuple[np.ndarray, float]], limit: float
) -> list[int]:
    """See :func:`distinct_people`; ``measures`` are the candidates' (centre, torso length)."""
    order = sorted(range(len(candidates)), key=lambda i: -_mean_visibility(candidates[i]))
    keep: list[int] = []
    for i in order:
        centre, scale = measures[i]
        if all(
            np.linalg.norm(centre - measures[k][0]) > limit * max(scale, measures[k][1])
            for k in keep
        ):
            keep.append(i)
    return keep


def _mean_visibility(landmarks: np.ndarray) -> float:
    """Mean of column 3 (visibility), or 0 when the candidate carries none."""
    arr = np.asarray(landmarks, dtype=float)
    return float(np.nanmean(arr[:, 3])) if arr.shape[1] >= 4 else 0.0
