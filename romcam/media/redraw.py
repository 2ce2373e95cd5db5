"""The annotated video of a stored recording, drawn again from its video and landmark file.

A stored measurement keeps the raw video and the landmarks the pose model found in it (an
analysis's ``landmarks.csv``, a live trial's). The skeleton, the angle arc and the readout are
drawn from those by :class:`~romcam.media.annotated_video.AnnotatedVideoWriter`, the same code
as an analysis's ``annotated.mp4``, without running the pose model again (a few seconds for a
clip of some hundred frames instead of a whole analysis).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from romcam.media.annotated_video import AnnotatedVideoWriter
from romcam.media.landmark_csv import read_landmarks_csv
from romcam.media.video import VideoReader

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile

#: Called with (frames done, frames expected) after each frame.
Progress = Callable[[int, int], None]


def redraw_annotated(
    video: Path,
    landmarks: Path,
    out: Path,
    *,
    headline: str | None = None,
    calibration: CalibrationProfile | None = None,
    progress: Progress | None = None,
) -> Path:
    """Draw the skeleton, the ``headline`` metric's arc and the readout on ``video`` from its
    landmark file; write it to ``out`` (H.264) and return ``out``.

    Frames are matched to landmark rows by frame index (the ``frame`` column is the index of
    the upright frame the landmarks were found in); a frame without a row or with an empty row
    is drawn as "no one in frame". The file is written under a temporary name beside ``out``
    and renamed when complete, so ``out`` is never a half-drawn video.

    Raises:
        InputError: the landmark file is missing or malformed.
        VideoError: the video cannot be read.
    """
    pose = read_landmarks_csv(landmarks)
    row_of = {int(frame): row for row, frame in enumerate(pose.frame)}
    detected = ~np.isnan(pose.image[:, :, 0]).all(axis=1)
    # A name of its own: two pages of one server may draw the same recording at once.
    handle, name = tempfile.mkstemp(
        prefix=f".{out.stem}-", suffix=f".partial{out.suffix}", dir=out.parent
    )
    os.close(handle)
    partial = Path(name)
    try:
        with VideoReader(video) as reader:
            info = reader.info
            writer = AnnotatedVideoWriter(
                partial,
                info.width,
                info.height,
                info.fps,
                headline=headline,
                calibration=calibration,
            )
            with writer:
                for index, time_s, frame_bgr in reader:
                    row = row_of.get(index, -1)
                    found = row >= 0 and bool(detected[row])
                    image = pose.image[row] if found else None
                    world = pose.world[row] if found and pose.world is not None else None
                    writer.put(frame_bgr, time_s, image, world, int(found))
                    if progress is not None:
                        progress(index + 1, max(info.frame_count, index + 1))
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return out
