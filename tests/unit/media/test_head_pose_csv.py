"""head_pose.csv round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from romcam.core.head_pose import rotation_from_angles
from romcam.core.neck_from_face import HeadTrack
from romcam.core.synthetic import synthetic_pose
from romcam.media.head_pose_csv import read_head_pose_csv, write_head_pose_csv


def test_a_head_track_survives_the_file_and_frames_without_a_face_stay_empty(
    tmp_path: Path,
) -> None:
    pose = synthetic_pose({}, n_frames=4)
    rotation = np.stack([rotation_from_angles(10.0 * i, -5.0, 3.0) for i in range(4)])
    rotation[2] = np.nan
    track = HeadTrack(rotation=rotation, confidence=np.array([1.0, 0.7, np.nan, 0.55]))
    path = tmp_path / "head_pose.csv"
    write_head_pose_csv(path, pose, track)
    again = read_head_pose_csv(path, pose)
    np.testing.assert_allclose(again.rotation, track.rotation, atol=1e-9)
    np.testing.assert_allclose(again.confidence, track.confidence)


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "head_pose.csv"
    path.write_text("frame,time_s\n0,0.0\n")
    with pytest.raises(ValueError, match=r"not a head_pose\.csv"):
        read_head_pose_csv(path, synthetic_pose({}, n_frames=1))
