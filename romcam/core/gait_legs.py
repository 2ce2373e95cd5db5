"""Which leg is which in a side-view walk: undo the pose model's left/right leg swaps.

Seen in profile, BlazePose often trades the labels of the two legs from one frame to the
next (on the Sports2D walk the "left" heel jumps 15 cm behind the pelvis and back within
three frames while the "right" one does the opposite). Two steps put them right:

1. Continuity: frame by frame, the legs' points (knee, ankle, heel, foot index), relative to
   the hip midpoint, are compared with where each leg was heading (constant velocity from
   the two frames before); the labels are exchanged when the crossed pairing is the closer.
   This gives two unbroken leg tracks but not which is the left one.
2. Identity, per stretch of steady travel: the subject walks facing forward, so the side
   turned to the camera is the left one when travelling toward the image left and the right
   one toward the image right (``core.views``' yaw convention). The nearer leg is the one
   the model places nearer the camera (smaller image z, the median over the stretch).
Both steps exchange the whole leg's landmarks (image, visibility and world).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.rom import run_labels

_LEG = ("knee", "ankle", "heel", "foot_index")
_LEFT = np.array([LANDMARK_INDEX[f"left_{n}"] for n in _LEG])
_RIGHT = np.array([LANDMARK_INDEX[f"right_{n}"] for n in _LEG])
_HIPS = np.array([LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]])


def continuity_swaps(rel_left: np.ndarray, rel_right: np.ndarray) -> np.ndarray:
    """(T,) bool: frames whose leg labels must be exchanged for unbroken tracks.

    ``rel_left``/``rel_right``: (T, k, 2) leg points relative to the pelvis (NaN = absent).
    """
    t = rel_left.shape[0]
    swap = np.zeros(t, dtype=bool)
    prev: list[tuple[np.ndarray, np.ndarray]] = []
    for i in range(t):
        a, b = rel_left[i], rel_right[i]
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            prev = []
            continue
        if prev:
            pa, pb = prev[-1]
            if len(prev) > 1:  # constant velocity from the two frames before
                pa, pb = 2 * pa - prev[-2][0], 2 * pb - prev[-2][1]
            keep = _dist(a, pa) + _dist(b, pb)
            cross = _dist(b, pa) + _dist(a, pb)
            swap[i] = cross < keep
        prev = [*prev[-1:], (b, a) if swap[i] else (a, b)]
    return swap


def _dist(p: np.ndarray, q: np.ndarray) -> float:
    return float(np.linalg.norm(p - q, axis=-1).sum())


def near_is_left(direction: np.ndarray) -> np.ndarray:
    """(T,) +1 where the left leg faces the camera (travel toward the image left), -1 right,
    0 not walking straight. ``direction``: +1 image right, -1 left (up coordinates)."""
    return -np.sign(direction)


def untangle_legs(pose: PoseSequence, up: np.ndarray, direction: np.ndarray) -> PoseSequence:
    """``pose`` with the leg labels made continuous and named by the near side (module doc).

    Args:
        up: (T, 33, 2) up coordinates of ``pose`` (pixels, y up).
        direction: (T,) direction of travel (+1 image right, -1 left, 0 none).
    """
    pelvis = up[:, _HIPS].mean(axis=1)[:, None]
    swap = continuity_swaps(up[:, _LEFT] - pelvis, up[:, _RIGHT] - pelvis)
    z = np.where(swap[:, None], pose.image[:, _RIGHT, 2], pose.image[:, _LEFT, 2])
    z_other = np.where(swap[:, None], pose.image[:, _LEFT, 2], pose.image[:, _RIGHT, 2])
    left_nearer = z.mean(axis=1) < z_other.mean(axis=1)
    want = near_is_left(direction)
    labels = run_labels(want)
    for lab in np.unique(labels[want != 0]):
        run = labels == lab
        nearer = left_nearer[run & np.isfinite(z).all(axis=1) & np.isfinite(z_other).all(axis=1)]
        if nearer.size and (np.mean(nearer) >= 0.5) != (want[run][0] > 0):
            swap[run] = ~swap[run]
    return _exchange(pose, swap)


def _exchange(pose: PoseSequence, swap: np.ndarray) -> PoseSequence:
    if not swap.any():
        return pose
    image = pose.image.copy()
    image[np.ix_(swap, _LEFT)], image[np.ix_(swap, _RIGHT)] = (
        pose.image[np.ix_(swap, _RIGHT)],
        pose.image[np.ix_(swap, _LEFT)],
    )
    world = pose.world
    if world is not None:
        world = world.copy()
        world[np.ix_(swap, _LEFT)], world[np.ix_(swap, _RIGHT)] = (
            pose.world[np.ix_(swap, _RIGHT)],  # type: ignore[index]
            pose.world[np.ix_(swap, _LEFT)],  # type: ignore[index]
        )
    return replace(pose, image=image, world=world)
