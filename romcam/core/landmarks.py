"""MediaPipe pose landmark names and the per-frame pose container passed between stages.

Coordinates follow MediaPipe: image landmarks are normalised to the frame (x to the right,
y pointing *down*, both in [0, 1] inside the frame; z is relative depth, smaller = nearer the
camera), world landmarks are metres with the origin between the hips (y also points down).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The 33 BlazePose landmarks in MediaPipe's index order, lower snake case.
LANDMARK_NAMES: tuple[str, ...] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
N_LANDMARKS = len(LANDMARK_NAMES)
#: name -> index into the landmark axis.
LANDMARK_INDEX: dict[str, int] = {name: i for i, name in enumerate(LANDMARK_NAMES)}

#: Pairs drawn as the skeleton (indices into LANDMARK_NAMES).
SKELETON_EDGES: tuple[tuple[int, int], ...] = tuple(
    (LANDMARK_INDEX[a], LANDMARK_INDEX[b])
    for a, b in (
        ("left_ear", "left_eye"),
        ("right_ear", "right_eye"),
        ("left_eye", "nose"),
        ("right_eye", "nose"),
        ("left_shoulder", "right_shoulder"),
        ("left_shoulder", "left_elbow"),
        ("left_elbow", "left_wrist"),
        ("right_shoulder", "right_elbow"),
        ("right_elbow", "right_wrist"),
        ("left_shoulder", "left_hip"),
        ("right_shoulder", "right_hip"),
        ("left_hip", "right_hip"),
        ("left_hip", "left_knee"),
        ("left_knee", "left_ankle"),
        ("right_hip", "right_knee"),
        ("right_knee", "right_ankle"),
        ("left_ankle", "left_heel"),
        ("left_heel", "left_foot_index"),
        ("right_ankle", "right_heel"),
        ("right_heel", "right_foot_index"),
    )
)


@dataclass(frozen=True)
class PoseSequence:
    """Pose landmarks of one subject over T frames.

    Attributes:
        frame: (T,) int, 0-based frame index in the source video.
        time_s: (T,) float, seconds from the start of the source, strictly increasing.
        image_width, image_height: source frame size in pixels.
        image: (T, 33, 4) float: normalised x, y, z and visibility in [0, 1]; all NaN in a
            frame with no subject.
        world: (T, 33, 3) float metres, or None when the source had no world landmarks.
    """

    frame: np.ndarray
    time_s: np.ndarray
    image_width: int
    image_height: int
    image: np.ndarray
    world: np.ndarray | None = None

    def __post_init__(self) -> None:
        t = self.frame.shape[0]
        if self.frame.ndim != 1 or self.time_s.shape != (t,):
            raise ValueError(
                "frame and time_s must both be (T,); "
                f"got {self.frame.shape} and {self.time_s.shape}"
            )
        if self.image.shape != (t, N_LANDMARKS, 4):
            raise ValueError(f"image must be ({t}, {N_LANDMARKS}, 4); got {self.image.shape}")
        if self.world is not None and self.world.shape != (t, N_LANDMARKS, 3):
            raise ValueError(f"world must be ({t}, {N_LANDMARKS}, 3); got {self.world.shape}")
        if self.image_width <= 0 or self.image_height <= 0:
            raise ValueError(
                f"image size must be positive; got {self.image_width}x{self.image_height}"
            )
        if t > 1 and not np.all(np.diff(self.time_s) > 0):
            raise ValueError("time_s must be strictly increasing")

    def __len__(self) -> int:
        return int(self.frame.shape[0])

    @property
    def pixels(self) -> np.ndarray:
        """(T, 33, 2) image landmarks in pixels (x right, y down); NaN where absent."""
        scale = np.array([self.image_width, self.image_height], dtype=float)
        return self.image[..., :2] * scale

    @property
    def visibility(self) -> np.ndarray:
        """(T, 33) visibility in [0, 1]; NaN where no subject."""
        return self.image[..., 3]

    @property
    def detected(self) -> np.ndarray:
        """(T,) bool, True where the frame has a subject."""
        return ~np.isnan(self.image[:, :, 0]).all(axis=1)
