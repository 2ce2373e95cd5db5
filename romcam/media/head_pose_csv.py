"""head_pose.csv: the face model's head pose per frame, beside landmarks.csv.

One row per frame: ``frame``, ``time_s``, the rotation ``r00`` .. ``r22`` (row-major, camera
space x right, y up, z toward the camera; see :mod:`romcam.core.head_pose`) and
``face_confidence``; empty cells where no face was found. With it, ``romcam angles`` measures
the neck from the face as ``romcam analyze`` did.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from romcam.core.landmarks import PoseSequence
from romcam.core.neck_from_face import HeadTrack

HEAD_POSE_CSV = "head_pose.csv"
_ROTATION = [f"r{i}{j}" for i in range(3) for j in range(3)]


def write_head_pose_csv(path: Path, pose: PoseSequence, track: HeadTrack) -> None:
    """Write ``track`` (one entry per frame of ``pose``) to ``path``."""
    if len(track) != len(pose):
        raise ValueError(f"one head pose per frame: {len(track)} for {len(pose)} frames")
    data: dict[str, np.ndarray] = {"frame": np.asarray(pose.frame), "time_s": pose.time_s}
    rotation = track.rotation.reshape(len(track), 9)
    data.update({name: rotation[:, k] for k, name in enumerate(_ROTATION)})
    data["face_confidence"] = track.confidence
    pd.DataFrame(data).to_csv(path, index=False, float_format="%.10g")


def read_head_pose_csv(path: Path, pose: PoseSequence) -> HeadTrack:
    """The HeadTrack of ``pose``'s frames from ``path`` (frames it lacks: no face).

    Raises:
        ValueError: the file lacks a column of the format.
    """
    df = pd.read_csv(path)
    missing = {"frame", "face_confidence", *_ROTATION} - set(df.columns)
    if missing:
        raise ValueError(f"{path} is not a head_pose.csv: no {', '.join(sorted(missing))}")
    row_of = {int(f): i for i, f in enumerate(df["frame"].to_numpy())}
    rows = np.array([row_of.get(int(f), -1) for f in pose.frame])
    found = rows >= 0
    rotation = np.full((len(pose), 3, 3), np.nan)
    confidence = np.full(len(pose), np.nan)
    values = df[_ROTATION].to_numpy(dtype=float).reshape(-1, 3, 3)
    rotation[found] = values[rows[found]]
    confidence[found] = df["face_confidence"].to_numpy(dtype=float)[rows[found]]
    return HeadTrack(rotation=rotation, confidence=confidence)
