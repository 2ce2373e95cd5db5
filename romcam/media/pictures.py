"""Reading calibration pictures: still images and frames sampled from a video (I/O edge).

Lives in the media layer (files and pixels) so that videos are read by the same
:class:`~romcam.media.video.VideoReader` as for the analysis, phone rotation included;
the calibration layer gets plain grey arrays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from romcam.errors import CalibrationError, InputError
from romcam.media.video import VideoReader

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})


def is_image_path(path: Path) -> bool:
    """True when ``path`` has a still-image suffix (else it is treated as a video)."""
    return path.suffix.lower() in IMAGE_SUFFIXES


def read_gray(path: Path) -> np.ndarray:
    """(H, W) uint8 grey image from ``path``; InputError if missing or unreadable."""
    if not path.is_file():
        raise InputError(f"image {path} does not exist")
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise InputError(f"{path} is not a readable image (expected PNG, JPEG, BMP, TIFF, WebP)")
    return image


def to_gray(image: np.ndarray) -> np.ndarray:
    """(H, W) uint8 grey version of a grey (H, W) or BGR (H, W, 3) uint8 image."""
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 3:
        return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    raise ValueError(f"image must be (H, W) or (H, W, 3); got {image.shape}")


def sample_video_frames(path: Path, max_frames: int = 40) -> Iterator[np.ndarray]:
    """Up to ``max_frames`` upright grey frames spread evenly over the video at ``path``.

    Read through :class:`romcam.media.video.VideoReader`, so a phone clip's display matrix
    turns the frames exactly as it does for the analysis (one rule for calibration and
    measurement). VideoError (an InputError) if the file is not a decodable video.
    """
    if max_frames < 1:
        raise ValueError(f"max_frames must be >= 1; got {max_frames}")
    if not path.is_file():
        raise InputError(f"video {path} does not exist")
    with VideoReader(path) as reader:
        count = reader.info.frame_count
        wanted = set(np.linspace(0, max(count - 1, 0), min(max_frames, max(count, 1))).astype(int))
        yielded = 0
        for frame in reader:
            if yielded >= max_frames:
                break
            if frame.frame_index in wanted or count <= 0:
                yielded += 1
                yield to_gray(frame.image)


def load_pictures(paths: list[Path], max_video_frames: int = 40) -> list[np.ndarray]:
    """Grey pictures from image files and/or sampled video frames, in the order given."""
    if not paths:
        raise CalibrationError("no images or video were given")
    pictures: list[np.ndarray] = []
    for path in paths:
        if is_image_path(path):
            pictures.append(read_gray(path))
        else:
            pictures.extend(sample_video_frames(path, max_video_frames))
    logger.info("loaded %d pictures from %d paths", len(pictures), len(paths))
    return pictures
