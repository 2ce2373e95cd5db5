"""Plane geometry over arrays of 2-D points: the measurement coordinate frame and signed angles.

Measurement coordinates ("up coordinates") are pixels with the origin at the image centre,
x to the image right and y pointing *up*, after the camera roll has been removed. Angles are
degrees, counter-clockwise positive (as seen on screen), wrapped to (-180, 180].
"""

from __future__ import annotations

import numpy as np


def wrap_deg(angle: np.ndarray | float) -> np.ndarray:
    """Angles in degrees wrapped to (-180, 180]; NaN stays NaN."""
    a = np.asarray(angle, dtype=float)
    wrapped = np.mod(a, 360.0)
    wrapped = np.where(wrapped > 180.0, wrapped - 360.0, wrapped)
    return np.asarray(wrapped, dtype=float)


def rotate(points: np.ndarray, angle_deg: float) -> np.ndarray:
    """Rotate (..., 2) points in a y-up frame counter-clockwise by ``angle_deg`` about 0."""
    _check_last_axis(points, "points")
    a = np.deg2rad(angle_deg)
    c, s = np.cos(a), np.sin(a)
    x, y = points[..., 0], points[..., 1]
    return np.stack([c * x - s * y, s * x + c * y], axis=-1)


def image_to_up(pixels: np.ndarray, width: int, height: int, roll_deg: float = 0.0) -> np.ndarray:
    """Pixel coordinates (x right, y down) -> roll-corrected up coordinates.

    Args:
        pixels: (..., 2) pixel coordinates.
        width, height: image size in pixels; the origin moves to the image centre.
        roll_deg: camera roll = the on-screen angle (counter-clockwise positive) at which a truly
            level line appears. The points are rotated by ``-roll_deg`` so true horizontals
            become horizontal.

    Returns:
        (..., 2) float: x right, y up, true horizontal along x.
    """
    _check_last_axis(pixels, "pixels")
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive; got {width}x{height}")
    if not np.isfinite(roll_deg):
        raise ValueError(f"roll_deg must be a finite number; got {roll_deg}")
    centred = np.stack([pixels[..., 0] - width / 2.0, height / 2.0 - pixels[..., 1]], axis=-1)
    return rotate(centred, -roll_deg) if roll_deg else centred


def direction_deg(v: np.ndarray) -> np.ndarray:
    """(..., 2) vectors -> (...) direction in degrees from +x, counter-clockwise, (-180, 180]."""
    _check_last_axis(v, "v")
    return wrap_deg(np.degrees(np.arctan2(v[..., 1], v[..., 0])))


def signed_angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(..., 2), (..., 2) -> (...) angle in degrees rotating ``u`` onto ``v``, CCW positive.

    Range (-180, 180]; NaN where either vector is NaN or has zero length.
    """
    _check_last_axis(u, "u")
    _check_last_axis(v, "v")
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]
    ang = np.degrees(np.arctan2(cross, dot))
    degenerate = (np.hypot(u[..., 0], u[..., 1]) == 0) | (np.hypot(v[..., 0], v[..., 1]) == 0)
    return np.where(degenerate, np.nan, wrap_deg(ang))


def interior_angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Unsigned angle a-b-c at vertex ``b`` in degrees, [0, 180]; (..., 2) inputs."""
    return np.abs(signed_angle(a - b, c - b))


def mirror_x(points: np.ndarray, sign: np.ndarray) -> np.ndarray:
    """Multiply x by ``sign`` ((T,) of +1/-1/NaN) for (T, ..., 2) points: flips the handedness.

    Used to express points in a subject frame (x = the subject's forward or left).
    """
    _check_last_axis(points, "points")
    s = np.asarray(sign, dtype=float).reshape((-1,) + (1,) * (points.ndim - 2))
    return np.stack([points[..., 0] * s, points[..., 1] * np.ones_like(s)], axis=-1)


def _check_last_axis(arr: np.ndarray, name: str) -> None:
    if not isinstance(arr, np.ndarray) or arr.ndim < 1 or arr.shape[-1] != 2:
        got = getattr(arr, "shape", type(arr).__name__)
        raise ValueError(f"{name} must be an array of 2-D points with shape (..., 2); got {got}")
