"""A stored recording's annotated video, drawn again from its video and landmark file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from romcam.core.synthetic import synthetic_pose
from romcam.errors import InputError
from romcam.media.landmark_csv import write_landmarks_csv
from romcam.media.redraw import redraw_annotated
from romcam.media.video import H264Writer, VideoReader

SIZE = (160, 284)  # portrait, even sides


def _recording(folder: Path, frames: int = 12, with_subject: int = 8) -> tuple[Path, Path]:
    """A grey video and landmarks found in its first ``with_subject`` frames only."""
    pose = synthetic_pose({"elbow_flexion_right": 90.0}, n_frames=frames, image_size=SIZE)
    pose.image[with_subject:] = np.nan
    video = folder / "video.mp4"
    with H264Writer(video, *SIZE, 10.0) as writer:
        for i in range(frames):
            writer.write(np.full((SIZE[1], SIZE[0], 3), 128, dtype=np.uint8), i / 10.0)
    return video, write_landmarks_csv(folder / "landmarks.csv", pose)


def test_the_skeleton_is_drawn_where_landmarks_were_found(tmp_path: Path) -> None:
    video, landmarks = _recording(tmp_path)
    done: list[tuple[int, int]] = []
    out = redraw_annotated(
        video,
        landmarks,
        tmp_path / "annotated.mp4",
        headline="elbow_flexion_right",
        progress=lambda i, n: done.append((i, n)),
    )
    with VideoReader(out) as reader:
        frames = [f.image for f in reader]
        assert (reader.info.width, reader.info.height) == SIZE
    assert len(frames) == 12 and done[-1] == (12, 12)
    # Blue/orange limbs on the grey picture where the subject was found; only the readout
    # ("no one in frame") after.
    colour = [np.ptp(f.astype(int), axis=2).mean() for f in frames]
    assert min(colour[:8]) > 2 * max(colour[8:])
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []


def test_a_bad_landmark_file_leaves_no_video(tmp_path: Path) -> None:
    video, landmarks = _recording(tmp_path)
    landmarks.write_text("frame,time_s\n0,0.0\n")
    with pytest.raises(InputError, match="missing"):
        redraw_annotated(video, landmarks, tmp_path / "annotated.mp4")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["landmarks.csv", "video.mp4"]
