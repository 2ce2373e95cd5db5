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
3. Feet (before 2) and knees (after 2), by continuity where the two pass each other: there
   the order says nothing and both pairings look plausible, and it is exactly there that
   the model trades the labels (of the knees, or of the whole lower leg) or puts one knee on
   the other (the Sports2D walk: a bump of up to 42 deg in the knee curve at ~30-35 % of
   the cycle). A crossing block is a run of frames, at most MAX_CROSSING_S long, where the
   two points are within CROSSING_GAP_LEGS leg lengths horizontally; each leg's point is
   expected on the straight path between the frames just before and just after the block,
   and each frame takes the labelling nearer those paths (``continuity_swaps``). Unsure
   (that leg's angles left out there and bridged over, ``core.gait_cycles``): the standing
   leg's point over the whole block (the one that moved less between the block's ends: the
   model draws it toward the passing one, by up to ~0.1 leg lengths on the Sports2D walk,
   and the standing knee's angle changes slowly there), and the passing leg's point where
   it lies further than CONTINUITY_TOL_LEGS from its path (the model put it on the other
   leg's); nearer, it is kept, since a swinging knee strays from the straight path by up to
   ~0.1 leg lengths over a crossing and its peak flexion falls there.
Frames outside straight walking keep the model's labels; landmarks are exchanged in the
image, visibility and world arrays alike.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

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
#: A crossing block longer than this (s) is left as the model labelled it: the straight
#: path between its ends no longer predicts where a swinging leg is.
MAX_CROSSING_S = 0.25
#: A point further than this (leg lengths) from its path over a crossing is unsure.
CONTINUITY_TOL_LEGS = 0.1


@dataclass(frozen=True)
class UntangledLegs:
    """The pose with its leg labels put right, and side -> (T,) bool frames where that
    leg's knee or ankle position is unsure (a crossing the labels could not settle)."""

    pose: PoseSequence
    unsure_knee: dict[str, np.ndarray]
    unsure_ankle: dict[str, np.ndarray]


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
) -> UntangledLegs:
    """``pose`` with each group's leg labels put right, and the unsure points (module doc).

    Args:
        up: (T, 33, 2) up coordinates of ``pose`` (pixels, y up).
        direction: (T,) direction of travel (+1 image right, -1 left, 0 none).
        leg_px: leg length in pixels (scales the crossing gap).
    """
    unsure = {s: np.zeros(len(pose), dtype=bool) for s in ("left", "right")}
    if not np.isfinite(leg_px):
        return UntangledLegs(pose, unsure, unsure)
    time_s = np.asarray(pose.time_s, dtype=float)
    runs = np.where(direction != 0, run_labels(direction), 0)
    left, right = _indices(FOOT)
    fwd = {s: up[:, idx, 0].mean(axis=1) * direction for s, idx in (("l", left), ("r", right))}
    swap = group_swaps(time_s, fwd["l"], fwd["r"], runs, leg_px)
    up = _swapped(up, swap, left, right)
    feet = (up[:, left].mean(axis=1), up[:, right].mean(axis=1))
    crossed, unsure_ankle = continuity_swaps(time_s, *feet, runs, leg_px)
    pose, up = _exchange(pose, swap ^ crossed, left, right), _swapped(up, crossed, left, right)
    knees = _indices(("knee",))
    fit = knee_swaps(up, direction)
    up = _swapped(up, fit, *knees)
    crossed, unsure_knee = continuity_swaps(
        time_s, up[:, knees[0][0]], up[:, knees[1][0]], runs, leg_px
    )
    return UntangledLegs(_exchange(pose, fit ^ crossed, *knees), unsure_knee, unsure_ankle)


def continuity_swaps(
    time_s: np.ndarray, left: np.ndarray, right: np.ndarray, runs: np.ndarray, leg: float
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Labels over the crossings of one group of points, by continuity (module doc, step 3).

    Args:
        left, right: (T, 2) the group's point of each leg (up pixels).
        runs: (T,) int id of each straight run (0 = none).
        leg: leg length (pixels).

    Returns:
        (T,) bool frames whose labels must be exchanged, and side -> (T,) bool frames where
        that leg's point (after the exchange) lies off its path: unsure.
    """
    swap = np.zeros(time_s.shape, dtype=bool)
    unsure = {s: np.zeros(time_s.shape, dtype=bool) for s in ("left", "right")}
    seen = np.isfinite(left).all(axis=-1) & np.isfinite(right).all(axis=-1) & (runs > 0)
    near = seen & (np.abs(left[:, 0] - right[:, 0]) < CROSSING_GAP_LEGS * leg)
    blocks = run_labels(near)
    for label in np.unique(blocks[near]):
        block = np.flatnonzero(blocks == label)
        a, b = block[0] - 1, block[-1] + 1
        if a < 0 or b >= len(time_s) or not (seen[a] and seen[b]):
            continue
        if runs[a] != runs[b] or time_s[b] - time_s[a] > MAX_CROSSING_S:
            continue
        w = ((time_s[block] - time_s[a]) / (time_s[b] - time_s[a]))[:, None]
        path_l, path_r = left[a] + w * (left[b] - left[a]), right[a] + w * (right[b] - right[a])
        off = {
            "keep": (_dist(left[block], path_l), _dist(right[block], path_r)),
            "trade": (_dist(right[block], path_l), _dist(left[block], path_r)),
        }
        traded = sum(off["trade"]) < sum(off["keep"])
        swap[block] = traded
        # the standing leg (its point moved less between the ends) is drawn toward the
        # passing one, and its angles change slowly there: none of its block is kept
        standing = int(_dist(right[b], right[a]) < _dist(left[b], left[a]))
        for i, side in enumerate(("left", "right")):
            miss = np.where(traded, off["trade"][i], off["keep"][i])
            unsure[side][block] = (miss > CONTINUITY_TOL_LEGS * leg) | (i == standing)
    return swap, unsure


def _dist(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    return np.asarray(np.linalg.norm(p - q, axis=-1))


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
