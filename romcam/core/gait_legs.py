"""Which leg is which in a side-view walk: undo the pose model's left/right leg swaps.

Seen in profile, BlazePose often trades the labels of the two legs, for one frame or for
several (on the Sports2D walk the far foot's label sat on the near, swinging foot for six
frames after a toe off), and it trades the knees and the feet at different moments. Within
each straight run of walking:

1. Feet (ankle, heel, foot index), by their order: in every frame one foot is ahead along
   the direction of travel. The feet pass each other once a step (the swinging one
   overtakes the standing one), so the foot ahead stays the same between two crossings. A
   crossing is a local minimum (within CROSSING_HALF_WINDOW_S) of the horizontal distance
   between the feet, below CROSSING_GAP_LEGS leg lengths. Between two crossings the foot
   ahead gets the label the model gave the leading foot in most of those frames, and from
   one interval to the next the foot ahead alternates; the model's labels are outvoted only
   where following them would break that alternation (dynamic programming over the
   intervals, a break costing SWITCH_COST_FRAMES disagreeing frames: a missed or spurious
   crossing).
2. Knees, by fit: each knee goes with the foot that gives both legs the more plausible shape
   (``knee_swaps``).
Frames outside straight walking keep the model's labels; landmarks are exchanged in the
image, visibility and world arrays alike.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from romcam.core import angles
from romcam.core.geometry import mirror_x
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.rom import run_labels

#: The foot's landmarks, put right as one group (names without the side).
FOOT = ("ankle", "heel", "foot_index")
#: Knee flexion (deg) outside which a knee-to-foot pairing is taken for a wrong one.
KNEE_PLAUSIBLE_DEG = (-15.0, 100.0)
#: A crossing: the two within this many leg lengths of each other (horizontally).
CROSSING_GAP_LEGS = 0.15
#: A crossing is the closest approach within this half window (s).
CROSSING_HALF_WINDOW_S = 0.1
#: Disagreeing frames that a break in the alternation of the leg ahead is worth.
SWITCH_COST_FRAMES = 6.0


def crossings(time_s: np.ndarray, gap: np.ndarray, usable: np.ndarray, limit: float) -> np.ndarray:
    """(T,) int: the interval (0, 1, ...) between crossings of each frame of one run."""
    count = np.zeros(gap.shape, dtype=int)
    found = 0
    for k in range(len(gap)):
        window = np.flatnonzero(np.abs(time_s - time_s[k]) <= CROSSING_HALF_WINDOW_S)
        window = window[usable[window]]
        lowest = usable[k] and gap[k] < limit and gap[k] <= np.min(gap[window])
        if lowest and (k == 0 or gap[k - 1] != gap[k]):  # one crossing per flat minimum
            found += 1
        count[k] = found
    return count


def ahead_owner(votes_left: np.ndarray, interval: np.ndarray) -> np.ndarray:
    """(T,) bool: the LEFT leg is ahead, from the model's votes and alternation.

    ``votes_left``: (T,) bool, the model labelled the leading point left. ``interval``: the
    interval of each frame (``crossings``), ascending.
    """
    ids = np.unique(interval)
    left_votes = np.array([votes_left[interval == i].sum() for i in ids], dtype=float)
    sizes = np.array([(interval == i).sum() for i in ids], dtype=float)
    # state s: the left leg is ahead in intervals with (index + s) even
    cost = np.zeros(2)
    back = np.zeros((len(ids), 2), dtype=int)
    for j in range(len(ids)):
        here = np.array(
            [sizes[j] - left_votes[j] if (j + s) % 2 == 0 else left_votes[j] for s in (0, 1)]
        )
        stay, switch = cost, cost[::-1] + SWITCH_COST_FRAMES
        back[j] = np.where(stay <= switch, [0, 1], [1, 0])
        cost = np.minimum(stay, switch) + here
    states = np.zeros(len(ids), dtype=int)
    states[-1] = int(np.argmin(cost))
    for j in range(len(ids) - 1, 0, -1):
        states[j - 1] = back[j, states[j]]
    left_ahead = (np.arange(len(ids)) + states) % 2 == 0
    return left_ahead[np.searchsorted(ids, interval)]


def group_swaps(
    time_s: np.ndarray, fwd_left: np.ndarray, fwd_right: np.ndarray, runs: np.ndarray, leg: float
) -> np.ndarray:
    """(T,) bool: frames whose left/right labels of one group must be exchanged.

    ``fwd_left``/``fwd_right``: (T,) forward position of the group's points (pixels along
    the direction of travel); ``runs``: (T,) int id of each straight run (0 = none).
    """
    swap = np.zeros(time_s.shape, dtype=bool)
    seen = np.isfinite(fwd_left) & np.isfinite(fwd_right)
    for run in np.unique(runs[runs > 0]):
        idx = np.flatnonzero((runs == run) & seen)
        if idx.size < 2:
            continue
        gap = np.abs(fwd_left[idx] - fwd_right[idx])
        interval = crossings(time_s[idx], gap, np.ones(idx.size, bool), CROSSING_GAP_LEGS * leg)
        model_left_ahead = fwd_left[idx] >= fwd_right[idx]
        # while the feet pass each other the order says nothing: the model's labels stand
        clear = gap >= CROSSING_GAP_LEGS * leg
        swap[idx] = clear & (ahead_owner(model_left_ahead, interval) != model_left_ahead)
    return swap


def untangle_legs(
    pose: PoseSequence, up: np.ndarray, direction: np.ndarray, leg_px: float
) -> PoseSequence:
    """``pose`` with each group's leg labels put right (module doc).

    Args:
        up: (T, 33, 2) up coordinates of ``pose`` (pixels, y up).
        direction: (T,) direction of travel (+1 image right, -1 left, 0 none).
        leg_px: leg length in pixels (scales the crossing gap).
    """
    if not np.isfinite(leg_px):
        return pose
    time_s = np.asarray(pose.time_s, dtype=float)
    runs = np.where(direction != 0, run_labels(direction), 0)
    left, right = _indices(FOOT)
    fwd = {s: up[:, idx, 0].mean(axis=1) * direction for s, idx in (("l", left), ("r", right))}
    swap = group_swaps(time_s, fwd["l"], fwd["r"], runs, leg_px)
    pose, up = _exchange(pose, swap, left, right), _swapped(up, swap, left, right)
    return _exchange(pose, knee_swaps(up, direction), *_indices(("knee",)))


def knee_swaps(up: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """(T,) bool: frames whose knees must be exchanged to sit on the right feet.

    The model trades the knees at other moments than the feet. Each knee goes with the foot
    that gives both legs the more plausible shape: shank lengths nearer their median, and
    knee flexion (``core.angles.knee_flexion``, subject frame) within KNEE_PLAUSIBLE_DEG.
    """
    sign = np.where(direction != 0, direction, np.nan)
    sag = mirror_x(up, sign)
    pt = {n: sag[:, LANDMARK_INDEX[n]] for n in LANDMARK_INDEX}
    shank = np.concatenate(
        [np.linalg.norm(pt[f"{s}_knee"] - pt[f"{s}_ankle"], axis=-1) for s in ("left", "right")]
    )
    shank_med = float(np.nanmedian(shank)) if np.isfinite(shank).any() else np.nan
    lo, hi = KNEE_PLAUSIBLE_DEG

    def misfit(knee: np.ndarray, side: str) -> np.ndarray:
        length = np.linalg.norm(knee - pt[f"{side}_ankle"], axis=-1)
        flex = angles.knee_flexion(pt[f"{side}_hip"], knee, pt[f"{side}_ankle"])
        return np.abs(length - shank_med) / shank_med + ((flex < lo) | (flex > hi))

    keep = misfit(pt["left_knee"], "left") + misfit(pt["right_knee"], "right")
    cross = misfit(pt["right_knee"], "left") + misfit(pt["left_knee"], "right")
    return np.isfinite(keep) & np.isfinite(cross) & (cross < keep)


def _indices(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    return tuple(  # type: ignore[return-value]
        np.array([LANDMARK_INDEX[f"{s}_{n}"] for n in names]) for s in ("left", "right")
    )


def _swapped(arr: np.ndarray, swap: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A copy of (T, 33, ...) ``arr`` with the ``left``/``right`` landmarks exchanged where
    ``swap``."""
    rows = np.flatnonzero(swap)
    out = arr.copy()
    out[np.ix_(rows, left)] = arr[np.ix_(rows, right)]
    out[np.ix_(rows, right)] = arr[np.ix_(rows, left)]
    return out


def _exchange(
    pose: PoseSequence, swap: np.ndarray, left: np.ndarray, right: np.ndarray
) -> PoseSequence:
    if not swap.any():
        return pose
    world = None if pose.world is None else _swapped(pose.world, swap, left, right)
    return replace(pose, image=_swapped(pose.image, swap, left, right), world=world)
