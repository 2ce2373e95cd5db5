"""Display rotation of phone videos: read the display matrix, turn frames upright.

Phones record portrait video as landscape frames plus a display matrix (shown by older tools
as a "rotate" tag) that tells a player how to turn each frame. romcam turns the frames itself,
by quarter turns only. Two kinds of matrix are refused with a :class:`~romcam.errors.VideoError`
instead of guessed: a turn that is not a multiple of 90 degrees (beyond the matrix's fixed-point
rounding), because rounding a tilt would skew every angle measured against the vertical; and a
mirror, because it would swap the subject's left and right.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import av
import cv2
import numpy as np
from av.sidedata.sidedata import SideDataContainer, Type

from romcam.errors import VideoError

#: A display matrix within this many degrees of a multiple of 90 counts as that multiple (the
#: matrix is 16.16 fixed point, so an exact quarter turn can read as 89.99...).
ROTATION_TOLERANCE_DEG = 1.0
_CV2_ROTATE = {
    90: cv2.ROTATE_90_CLOCKWISE,
    180: cv2.ROTATE_180,
    270: cv2.ROTATE_90_COUNTERCLOCKWISE,
}
_REENCODE = "re-encode it upright first (e.g. ffmpeg -i IN.mp4 OUT.mp4) and analyze that"


def display_rotation(matrix: Sequence[float], path: Path) -> int:
    """Clockwise display turn (0, 90, 180 or 270 degrees) of an FFmpeg display matrix.

    ``matrix`` is the 3x3 matrix as 9 row-major values (int32 16.16 fixed point in a file;
    only the ratios of the 2x2 part ``a b / c d`` matter): a stored pixel (x, y), y down, is
    shown at (a x + c y, b x + d y). VideoError (one sentence naming ``path``) for a
    mirroring matrix or a turn that is not a multiple of 90 degrees.
    """
    a, b, c, d = (float(matrix[i]) for i in (0, 1, 3, 4))
    if a * d - b * c < 0:
        raise VideoError(
            f"{path}: its display matrix mirrors the picture, which would swap left and right; "
            + _REENCODE
        )
    clockwise = math.degrees(math.atan2(b, a)) % 360.0
    quarter = round(clockwise / 90.0) % 4
    off = abs((clockwise - 90.0 * quarter + 180.0) % 360.0 - 180.0)
    if off > ROTATION_TOLERANCE_DEG:
        raise VideoError(
            f"{path}: its display matrix turns the picture by {clockwise:.1f} degrees, not a "
            "multiple of 90, so angles against the vertical would be wrong; " + _REENCODE
        )
    return 90 * quarter


def frame_rotation(frame: av.VideoFrame, path: Path) -> int:
    """Clockwise display turn (0/90/180/270) from ``frame``'s DISPLAYMATRIX side data, else 0."""
    # PyAV's stubs type side_data as one SideData; at run time it is the container.
    side = cast(SideDataContainer, frame.side_data).get(Type.DISPLAYMATRIX)
    if side is None:
        return 0
    return display_rotation(np.frombuffer(bytes(side), dtype=np.int32)[:9].tolist(), path)


def upright(image: np.ndarray, rotation_deg: int) -> np.ndarray:
    """``image`` (H, W) or (H, W, C) turned clockwise by ``rotation_deg`` (0/90/180/270).

    The result is C-contiguous (OpenCV and MediaPipe need that); 0 returns ``image`` itself.
    """
    if rotation_deg == 0:
        return image
    if rotation_deg not in _CV2_ROTATE:
        raise ValueError(f"rotation_deg must be 0, 90, 180 or 270; got {rotation_deg}")
    return cv2.rotate(image, _CV2_ROTATE[rotation_deg])
