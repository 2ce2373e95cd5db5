"""Camera roll (and pitch where possible) from a level marker, a vertical edge or a typed value.

Sign conventions (see ``CalibrationProfile``): ``roll_deg`` is the angle of the true horizontal
as it appears on screen, counter-clockwise positive; ``pitch_deg`` is the optical axis' angle
above the horizontal, positive when the camera looks up.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np

from romcam.calibration.apply import undistort_pixels
from romcam.calibration.markers import find_marker, marker_rotation, quad_roll_deg
from romcam.errors import CalibrationError

logger = logging.getLogger(__name__)

LevelMethod = Literal["auto", "marker", "edge"]
#: Segments further than this from vertical are not door frames or wall corners.
MAX_EDGE_TILT_DEG = 20.0
#: Segments shorter than this fraction of the image height are too noisy to trust.
MIN_EDGE_FRACTION = 0.15
#: Edges within this many degrees of the median tilt count as the same vertical.
EDGE_AGREEMENT_DEG = 1.5
#: A level marker can only look this tilted if it was hung sideways or upside down.
MAX_MARKER_ROLL_DEG = 45.0
#: Typed phone-level values beyond this are almost certainly a mistake.
MAX_TYPED_DEG = 45.0


@dataclass(frozen=True)
class LevelEstimate:
    """Roll and pitch of the camera; ``source`` says how they were obtained."""

    roll_deg: float
    pitch_deg: float | None
    source: str


def pitch_from_rotation(rotation: np.ndarray) -> float:
    """Camera pitch in degrees from a (3, 3) marker-to-camera rotation of a wall marker.

    The marker's y axis is the true up; its component along the optical axis (camera z) is the
    sine of the pitch.
    """
    up_in_camera = rotation[:, 1]
    return float(np.degrees(np.arcsin(np.clip(up_in_camera[2], -1.0, 1.0))))


def level_from_marker(
    gray: np.ndarray,
    *,
    camera_matrix: np.ndarray | None = None,
    dist_coeffs: np.ndarray | None = None,
    where: str = "the image",
) -> LevelEstimate:
    """Roll from a level ArUco marker on a wall; pitch too when the lens is known.

    With a lens, the corners are undistorted first. The marker must hang level (its top edge
    horizontal) and be near the image centre, where perspective tilts its edges least. Roll is
    good to ~0.1-0.5 deg for a marker 50-100 px wide. Pitch comes from the marker's keystone;
    below ~5 deg that is sub-pixel and the two mirror-image tilts fit alike, so pitch is then
    None (unknown); above it, pitch is good to ~1-1.5 deg. Pitch is recorded for information;
    measurements are corrected for roll only.
    """
    corners = find_marker(gray, where=where)
    pitch = None
    if camera_matrix is not None and dist_coeffs is not None:
        rotation = marker_rotation(corners, camera_matrix, dist_coeffs)
        if rotation is None:
            logger.info("pitch unknown: the marker in %s is seen too nearly face-on", where)
        else:
            pitch = pitch_from_rotation(rotation)
        corners = undistort_pixels(corners, camera_matrix, dist_coeffs)
    roll = quad_roll_deg(corners)
    if abs(roll) > MAX_MARKER_ROLL_DEG:
        raise CalibrationError(
            f"the marker in {where} appears turned by {roll:.0f} degrees; hang it with the edge "
            "marked TOP uppermost and level (a camera is never tilted that far)"
        )
    return LevelEstimate(roll, pitch, f"ArUco marker in {where}")


def roll_from_segments(segments: np.ndarray, image_height: int) -> float:
    """Roll in degrees from near-vertical straight edges (profile convention).

    Args:
        segments: (N, 4) line segments x1, y1, x2, y2 in pixels (y down).
        image_height: pixels; segments shorter than MIN_EDGE_FRACTION of it are ignored.
    Returns:
        The length-weighted mean tilt of the edges that agree (within EDGE_AGREEMENT_DEG) with
        the length-weighted median of those within MAX_EDGE_TILT_DEG of vertical: a true
        vertical whose top leans left on screen means positive roll.
    Raises:
        CalibrationError: no such edge, or the edges disagree (fewer than two agree, or they
        hold under half the edge length: verticals converging because the camera looks up or
        down, or edges that are not vertical, such as limbs).
    """
    segs = np.asarray(segments, dtype=float).reshape(-1, 4)
    dx = segs[:, 2] - segs[:, 0]
    dy = segs[:, 3] - segs[:, 1]
    flip = dy > 0  # orient every segment upwards on screen
    dx[flip], dy[flip] = -dx[flip], -dy[flip]
    length = np.hypot(dx, dy)
    tilt = np.degrees(np.arctan2(-dx, -dy))
    keep = (np.abs(tilt) <= MAX_EDGE_TILT_DEG) & (length >= MIN_EDGE_FRACTION * image_height)
    if not keep.any():
        raise CalibrationError(
            "no straight vertical edge (door frame, wall corner) was found; film one that runs "
            "at least a sixth of the frame height, or use a marker or --degrees"
        )
    tilt, length = tilt[keep], length[keep]
    if tilt.size == 1:
        raise CalibrationError(
            "only one long straight edge was found, too few to trust; film both sides of a door "
            "frame, or use a marker or --degrees"
        )
    agree = np.abs(tilt - _weighted_median(tilt, length)) <= EDGE_AGREEMENT_DEG
    if agree.sum() < 2 or length[agree].sum() < 0.5 * length.sum():
        raise CalibrationError(
            f"the vertical edges found disagree (tilts from {tilt.min():.0f} to "
            f"{tilt.max():.0f} degrees): keep the camera level front-to-back and film a door "
            "frame squarely, or use a marker or --degrees"
        )
    return float(np.average(tilt[agree], weights=length[agree]))


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def detect_segments(gray: np.ndarray) -> np.ndarray:
    """(N, 4) straight line segments in a (H, W) uint8 image (OpenCV's LSD detector)."""
    lines = cv2.createLineSegmentDetector().detect(gray)[0]
    return np.zeros((0, 4)) if lines is None else lines.reshape(-1, 4).astype(float)


def level_from_edges(
    gray: np.ndarray,
    *,
    camera_matrix: np.ndarray | None = None,
    dist_coeffs: np.ndarray | None = None,
    where: str = "the image",
) -> LevelEstimate:
    """Roll from the straight vertical edges in ``gray`` (undistorted first with a lens)."""
    segments = detect_segments(gray)
    if camera_matrix is not None and dist_coeffs is not None and len(segments):
        segments = undistort_pixels(segments.reshape(-1, 2, 2), camera_matrix, dist_coeffs)
    roll = roll_from_segments(segments.reshape(-1, 4), gray.shape[0])
    return LevelEstimate(roll, None, f"vertical edges in {where}")


def level_from_image(
    gray: np.ndarray,
    *,
    method: LevelMethod = "auto",
    camera_matrix: np.ndarray | None = None,
    dist_coeffs: np.ndarray | None = None,
    where: str = "the image",
) -> LevelEstimate:
    """Level from one picture: a marker, vertical edges, or (``auto``) a marker if present."""
    if method not in ("auto", "marker", "edge"):
        raise ValueError(f"method must be auto, marker or edge; got {method!r}")
    finders = {"marker": level_from_marker, "edge": level_from_edges}
    order = ("marker", "edge") if method == "auto" else (method,)
    for i, name in enumerate(order):
        try:
            return finders[name](
                gray, camera_matrix=camera_matrix, dist_coeffs=dist_coeffs, where=where
            )
        except CalibrationError:
            if i == len(order) - 1:
                raise
            logger.info("no marker in %s; using vertical edges", where)
    raise AssertionError("unreachable")


def level_from_pictures(
    pictures: list[np.ndarray],
    *,
    method: LevelMethod = "auto",
    camera_matrix: np.ndarray | None = None,
    dist_coeffs: np.ndarray | None = None,
    where: str = "the video",
) -> LevelEstimate:
    """Median level over several frames; frames without a usable reference are skipped."""
    estimates = []
    for i, gray in enumerate(pictures):
        try:
            estimates.append(
                level_from_image(
                    gray,
                    method=method,
                    camera_matrix=camera_matrix,
                    dist_coeffs=dist_coeffs,
                    where=f"frame {i} of {where}",
                )
            )
        except CalibrationError as exc:
            logger.debug("frame %d: %s", i, exc)
    if not estimates:
        raise CalibrationError(
            f"no level reference (ArUco marker or straight vertical edge) was found in any of "
            f"{len(pictures)} frames of {where}; film a level marker on the wall or a door frame"
        )
    kind = estimates[0].source.split(" in ")[0]
    pitches = [e.pitch_deg for e in estimates if e.pitch_deg is not None]
    return LevelEstimate(
        roll_deg=float(np.median([e.roll_deg for e in estimates])),
        pitch_deg=float(np.median(pitches)) if pitches else None,
        source=f"{kind}, median of {len(estimates)} frames of {where}",
    )


def level_from_degrees(roll_deg: float, pitch_deg: float | None = None) -> LevelEstimate:
    """A roll typed in from a phone level held on the camera (right side lower = positive)."""
    for label, value in (("roll", roll_deg), ("pitch", pitch_deg)):
        if value is not None and not (np.isfinite(value) and abs(value) <= MAX_TYPED_DEG):
            raise CalibrationError(
                f"a typed {label} must be between -{MAX_TYPED_DEG:g} and {MAX_TYPED_DEG:g} "
                f"degrees; got {value}"
            )
    return LevelEstimate(float(roll_deg), pitch_deg, "typed phone-level value")
