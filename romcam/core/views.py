"""Per-frame camera view: is the subject seen from the front, from one side, or obliquely?

The body's *yaw* is the rotation of the subject about the vertical axis, seen from the camera:
0 = facing the camera, +90 = the subject's LEFT side faces the camera (``side_left``; the nose
then points to the image left), -90 = the right side faces it (``side_right``, nose to the image
right), 180 = back to the camera. It is the direction of the body's left-right axis
(right shoulder/hip -> left shoulder/hip) in the camera's horizontal (x, depth) plane:
``yaw = atan2(-dz, dx)``, depth z growing away from the camera.

Sources, best first:
1. world landmarks (metres, MediaPipe: x right, y down, z away from the camera): the depth
   component of the shoulder and hip lines; the turn away from the frontal plane is capped by
   the 2-D estimate below (a turn counts only when the image shows it too, see
   ``_agree_on_turn``);
2. 2-D foreshortening otherwise: |yaw| = arccos(shoulder width / (FRONTAL_WIDTH_RATIO x torso
   length)); its sign from the nose offset (left or right of the ears/shoulders) and front/back
   from the left-right order of the shoulders on screen.

Bins (deviation from the nearest measurement plane): within VIEW_TOLERANCE_DEG of 0/180 ->
``front``; within VIEW_TOLERANCE_DEG of +-90 -> ``side_left``/``side_right``; between ->
``oblique``. ``out_of_plane`` is raised when the deviation exceeds OUT_OF_PLANE_DEG.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from romcam.core.geometry import rotate, wrap_deg
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS

#: Deviation (deg) from the frontal or sagittal plane up to which a frame gets that view.
VIEW_TOLERANCE_DEG = 30.0
#: Deviation (deg) beyond which a frame is flagged ``out_of_plane``.
OUT_OF_PLANE_DEG = 15.0
#: Shoulder width / torso length (mid-shoulder to mid-hip) of a body squarely facing the camera,
#: MediaPipe landmarks on an adult (biacromial ~0.36 m, torso ~0.50 m). Used only without
#: world landmarks.
FRONTAL_WIDTH_RATIO = 0.72
#: Default window (s) of the running median that steadies the yaw against landmark jitter.
SMOOTH_S = 0.2

_LS, _RS = LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]
_LH, _RH = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
_LE, _RE = LANDMARK_INDEX["left_ear"], LANDMARK_INDEX["right_ear"]
_NOSE = LANDMARK_INDEX["nose"]


@dataclass(frozen=True)
class ViewEstimate:
    """View of each of T frames.

    Attributes:
        view: (T,) object str: ``front``, ``side_left``, ``side_right``, ``oblique`` or ``none``.
        facing: (T,) object str: ``camera``/``away`` (front and oblique views), ``left``/``right``
            (side views: the image direction the nose points to) or ``none``.
        yaw_deg: (T,) float body yaw (see module doc); NaN where no subject.
        deviation_deg: (T,) float, degrees from the plane of the frame's view (front or side; for
            ``oblique``, from the nearer one); NaN where no subject.
        from_world: (T,) bool, True where the yaw came from world landmarks.
    """

    view: np.ndarray
    facing: np.ndarray
    yaw_deg: np.ndarray
    deviation_deg: np.ndarray
    from_world: np.ndarray

    def __post_init__(self) -> None:
        t = self.view.shape
        for name in ("facing", "yaw_deg", "deviation_deg", "from_world"):
            if getattr(self, name).shape != t:
                raise ValueError(f"{name} must have shape {t}; got {getattr(self, name).shape}")

    @property
    def out_of_plane(self) -> np.ndarray:
        """(T,) bool: turned more than OUT_OF_PLANE_DEG from the view's plane, or oblique."""
        dev = np.nan_to_num(self.deviation_deg, nan=0.0)
        return (dev > OUT_OF_PLANE_DEG) | (self.view == "oblique")


def yaw_from_world(world: np.ndarray, roll_deg: float = 0.0) -> np.ndarray:
    """(T, 33, 3) world landmarks (x right, y down, z away) -> (T,) body yaw in degrees.

    Sums the unit left-right vectors of the shoulders and the hips in the (x, -z) plane; NaN
    where neither pair is finite. ``roll_deg`` turns the camera's x back to the true horizontal.
    """
    _check_landmarks(world, 3, "world")
    xy = np.stack([world[..., 0], -world[..., 1]], axis=-1)
    if roll_deg:
        xy = rotate(xy, -roll_deg)
    x, z = xy[..., 0], world[..., 2]
    total = np.zeros((world.shape[0], 2))
    for left, right in ((_LS, _RS), (_LH, _RH)):
        d = np.stack([x[:, left] - x[:, right], -(z[:, left] - z[:, right])], axis=-1)
        norm = np.hypot(d[:, 0], d[:, 1])[:, None]
        unit = np.where(norm > 0, d / np.where(norm > 0, norm, 1.0), np.nan)
        total += np.nan_to_num(unit, nan=0.0)
    empty = np.hypot(total[:, 0], total[:, 1]) == 0
    return np.where(empty, np.nan, np.degrees(np.arctan2(total[:, 1], total[:, 0])))


def yaw_from_image(up: np.ndarray) -> np.ndarray:
    """(T, 33, 2) up coordinates -> (T,) body yaw in degrees from 2-D cues only.

    |yaw| from the shoulders' foreshortening against the torso length; sign from where the nose
    points (image left = +, toward ``side_left``); back to the camera when the subject's left
    shoulder is on the image left. Approximate: depends on the body's proportions.
    """
    _check_landmarks(up, 2, "up")
    width = up[:, _LS, 0] - up[:, _RS, 0]
    torso = np.linalg.norm(
        (up[:, _LS] + up[:, _RS]) / 2.0 - (up[:, _LH] + up[:, _RH]) / 2.0, axis=-1
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.abs(width) / (FRONTAL_WIDTH_RATIO * torso)
    theta = np.degrees(np.arccos(np.clip(ratio, 0.0, 1.0)))
    head_mid = (up[:, _LE, 0] + up[:, _RE, 0]) / 2.0
    shoulder_mid = (up[:, _LS, 0] + up[:, _RS, 0]) / 2.0
    ref = np.where(np.isfinite(head_mid), head_mid, shoulder_mid)
    sign = np.where(up[:, _NOSE, 0] <= ref, 1.0, -1.0)
    away = width < 0
    yaw = sign * np.where(away, 180.0 - theta, theta)
    return np.where(np.isfinite(ratio) & np.isfinite(up[:, _NOSE, 0]), wrap_deg(yaw), np.nan)


def classify_yaw(yaw_deg: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T,) yaw -> (view, facing, deviation_deg), each (T,); see the module doc for the bins."""
    yaw = wrap_deg(yaw_deg)
    mag = np.abs(yaw)
    dev_front = np.minimum(mag, 180.0 - mag)
    dev_side = np.abs(mag - 90.0)
    known = np.isfinite(yaw)
    is_front = known & (dev_front <= VIEW_TOLERANCE_DEG)
    is_side = known & ~is_front & (dev_side <= VIEW_TOLERANCE_DEG)
    view = np.full(yaw.shape, "none", dtype=object)
    view[known] = "oblique"
    view[is_front] = "front"
    view[is_side & (yaw > 0)] = "side_left"
    view[is_side & (yaw < 0)] = "side_right"
    facing = np.full(yaw.shape, "none", dtype=object)
    facing[known] = np.where(mag[known] <= 90.0, "camera", "away")
    facing[view == "side_left"] = "left"
    facing[view == "side_right"] = "right"
    deviation = np.where(
        is_front, dev_front, np.where(is_side, dev_side, np.minimum(dev_front, dev_side))
    )
    return view, facing, np.where(known, deviation, np.nan)


def detect_views(
    up: np.ndarray,
    world: np.ndarray | None,
    time_s: np.ndarray,
    *,
    roll_deg: float = 0.0,
    smooth_s: float = SMOOTH_S,
) -> ViewEstimate:
    """View of every frame.

    Args:
        up: (T, 33, 2) roll-corrected up coordinates (``geometry.image_to_up``); NaN = absent.
        world: (T, 33, 3) world landmarks or None; frames whose world is NaN fall back to 2-D.
        time_s: (T,) seconds, used to size the smoothing window.
        roll_deg: camera roll (see ``geometry.image_to_up``), applied to the world landmarks.
        smooth_s: running-median window in seconds (0 disables smoothing).
    """
    _check_landmarks(up, 2, "up")
    t = up.shape[0]
    if np.shape(time_s) != (t,):
        raise ValueError(f"time_s must have shape ({t},); got {np.shape(time_s)}")
    if smooth_s < 0:
        raise ValueError(f"smooth_s must be >= 0; got {smooth_s}")
    yaw_2d = yaw_from_image(up)
    if world is not None:
        yaw_3d = yaw_from_world(world, roll_deg)
        from_world = np.isfinite(yaw_3d)
        yaw = np.where(from_world, _agree_on_turn(yaw_3d, yaw_2d), yaw_2d)
    else:
        from_world = np.zeros(t, dtype=bool)
        yaw = yaw_2d
    yaw = _running_circular_median(yaw, _window_frames(time_s, smooth_s))
    view, facing, deviation = classify_yaw(yaw)
    return ViewEstimate(view, facing, yaw, deviation, from_world)


def _agree_on_turn(yaw_3d: np.ndarray, yaw_2d: np.ndarray) -> np.ndarray:
    """World yaw, but turned away from the frontal plane only as far as the image also shows.

    MediaPipe's world shoulder line turns with the head (35-40 deg during a 60 deg head turn on a
    real clip whose image shoulders stayed square), so a turn from the front counts only as far
    as both the world depth and the 2-D foreshortening show it. Applied only where the world
    yaw is within 45 deg of the front (nearer a side view the 2-D ratio is the noisier one).
    Sign and front/back come from the world landmarks; frames without a 2-D estimate keep the
    world yaw.
    """
    mag = np.abs(yaw_3d)
    dev_3d = np.minimum(mag, 180.0 - mag)
    mag_2d = np.abs(yaw_2d)
    capped = np.fmin(dev_3d, np.minimum(mag_2d, 180.0 - mag_2d))
    dev = np.where(dev_3d < 45.0, capped, dev_3d)  # side views keep the world's depth
    sign = np.where(yaw_3d < 0, -1.0, 1.0)
    return sign * np.where(mag <= 90.0, dev, 180.0 - dev)


def _window_frames(time_s: np.ndarray, smooth_s: float) -> int:
    if len(time_s) < 2 or smooth_s == 0:
        return 1
    dt = float(np.median(np.diff(time_s)))
    n = round(smooth_s / dt) if dt > 0 else 1
    return max(1, n | 1)  # odd, so the window is centred


def _running_circular_median(yaw: np.ndarray, window: int) -> np.ndarray:
    """Median of cos and sin over a centred window (ignores NaN); NaN frames stay NaN."""
    if window <= 1:
        return yaw
    rad = np.radians(yaw)
    half = window // 2
    out = []
    for comp in (np.cos(rad), np.sin(rad)):
        padded = np.pad(comp, half, mode="constant", constant_values=np.nan)
        windows = np.lib.stride_tricks.sliding_window_view(padded, window)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows: no subject
            out.append(np.nanmedian(windows, axis=-1))
    smoothed = np.degrees(np.arctan2(out[1], out[0]))
    return np.where(np.isfinite(yaw), smoothed, np.nan)


def _check_landmarks(arr: np.ndarray, dims: int, name: str) -> None:
    if not isinstance(arr, np.ndarray) or arr.shape[1:] != (N_LANDMARKS, dims):
        got = getattr(arr, "shape", type(arr).__name__)
        raise ValueError(f"{name} must have shape (T, {N_LANDMARKS}, {dims}); got {got}")
