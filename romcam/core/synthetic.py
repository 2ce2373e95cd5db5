"""Synthetic skeletons with known joint angles, for tests and benchmarks.

A rigid adult body (segment lengths below, metres) is posed in its own frame -- X = the
subject's left, Y = up, Z = forward, origin between the hips -- from the angles of the metric
catalogue (same ids, units and signs as ``compute_metrics`` reports), turned about the vertical
by the body yaw of the requested view (see ``romcam.core.views``) and projected
orthographically into the image, so angles in the image plane are exact. World landmarks are
the same points in MediaPipe's camera-aligned axes (x right, y down, z away from the camera,
metres).

Planes: sagittal angles (``*_flexion``, ``trunk_flexion``, ``neck_flexion``) are exact in a side
view whatever the frontal angles; frontal angles (``*_abduction``, tilts, lateral lean / flexion)
are exact in a front view when the sagittal angles of the same segment are 0. Elbow flexion
bends the forearm in the image plane of the requested view.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from romcam.core.landmarks import LANDMARK_INDEX, LANDMARK_NAMES, N_LANDMARKS, PoseSequence

# Segment lengths and offsets, metres.
HIP_HALF_WIDTH = 0.10
SHOULDER_HALF_WIDTH = 0.18
TORSO = 0.50
UPPER_ARM = 0.30
FOREARM = 0.26
THIGH = 0.44
SHANK = 0.42
NECK = 0.22  # near shoulder -> ear, along the craniovertebral line
EAR_HALF_WIDTH = 0.075
NOSE_FORWARD = 0.11475  # ahead of the ear line: 1.53 half ear widths
DEFAULT_CVA = 55.0

#: Head-frame offsets (X left, Y up, Z forward) from the ear midpoint; right side mirrors X.
_HEAD_POINTS = {
    "nose": (0.0, -0.01, NOSE_FORWARD),
    "left_eye_inner": (0.018, 0.03, 0.095),
    "left_eye": (0.032, 0.03, 0.09),
    "left_eye_outer": (0.046, 0.03, 0.08),
    "left_ear": (EAR_HALF_WIDTH, 0.0, 0.0),
    "mouth_left": (0.025, -0.045, 0.10),
}
_FRONT_VIEWS = {("front", "camera"): 0.0, ("front", "away"): 180.0}
_SIDE_VIEWS = {"side_left": 90.0, "side_right": -90.0}
_SIDED = (
    "shoulder_flexion",
    "shoulder_abduction",
    "elbow_flexion",
    "hip_flexion",
    "hip_abduction",
    "knee_flexion",
)
_MIDLINE = (
    "neck_flexion",
    "neck_lateral_flexion",
    "neck_rotation",
    "craniovertebral_angle",
    "shoulder_tilt",
    "head_tilt",
    "pelvic_tilt",
    "trunk_lateral_lean",
    "trunk_flexion",
)
#: Angle keys ``synthetic_pose`` accepts (metric ids; ``forward_head_cm`` follows from the CVA).
ANGLE_KEYS: tuple[str, ...] = (*(f"{b}_{s}" for b in _SIDED for s in ("left", "right")), *_MIDLINE)


def view_yaw(view: str, facing: str = "camera") -> float:
    """Body yaw (deg) of a named view: ``front`` (facing ``camera``/``away``), ``side_left``,
    ``side_right``, or ``side`` with facing ``left``/``right`` (image direction of the nose)."""
    if view in _SIDE_VIEWS:
        return _SIDE_VIEWS[view]
    if view == "side" and facing in ("left", "right"):
        return _SIDE_VIEWS[f"side_{facing}"]
    if (view, facing) in _FRONT_VIEWS:
        return _FRONT_VIEWS[(view, facing)]
    raise ValueError(
        "view/facing must be front+camera, front+away, side_left, side_right or side+left/right; "
        f"got view={view!r}, facing={facing!r}"
    )


def synthetic_pose(
    angles: Mapping[str, np.ndarray | float],
    *,
    view: str = "front",
    facing: str = "camera",
    yaw_deg: float | np.ndarray | None = None,
    n_frames: int | None = None,
    fps: float = 30.0,
    image_size: tuple[int, int] = (1280, 720),
    noise_px: float = 0.0,
    seed: int = 0,
    with_world: bool = True,
    roll_deg: float = 0.0,
    px_per_m: float | None = None,
    camera_height_m: float = -0.1,
) -> PoseSequence:
    """A PoseSequence of the synthetic body posed by ``angles``.

    Args:
        angles: key of ANGLE_KEYS -> degrees, a scalar or a (T,) array; missing keys are 0
            (``craniovertebral_angle`` defaults to DEFAULT_CVA). ``neck_flexion`` is the pitch
            from the neutral head; ``head_tilt`` (ear line vs horizontal) and
            ``neck_lateral_flexion`` (ear line vs shoulder line) are alternatives.
        view, facing: see ``view_yaw``; ``yaw_deg`` (scalar or (T,)) overrides them.
        n_frames: T; default the length of the array angles (1 when all are scalars).
        fps: frame rate; image_size: (width, height) pixels.
        noise_px: standard deviation of Gaussian pixel noise (world: the same in metres/scale).
        seed: RNG seed for the noise. with_world: include world landmarks.
        roll_deg: camera roll to render (a level line appears rising to the right by it).
        px_per_m: image scale at the subject; default 0.36 x image height.
        camera_height_m: height (m) of a level camera above the hip centre: the image
            centre's row sees the body at that height. The default, 0.1 m below the hips,
            keeps raised arms and the feet in frame.
    """
    yaw = view_yaw(view, facing) if yaw_deg is None else yaw_deg
    t = _frame_count(angles, n_frames, yaw)
    a = _expand_angles(angles, t)
    width, height = _check_size(image_size)
    if fps <= 0 or noise_px < 0:
        raise ValueError(f"fps must be > 0 and noise_px >= 0; got fps={fps}, noise_px={noise_px}")
    scale = 0.36 * height if px_per_m is None else float(px_per_m)
    body = _body_points(a, elbow_in_side_plane=_is_sideish(yaw), head_tilt="head_tilt" in angles)
    psi = np.broadcast_to(np.radians(np.asarray(yaw, dtype=float)), (t,))
    cam = _roll(_to_camera(body, psi), roll_deg)
    rng = np.random.default_rng(seed)
    noise = rng.normal(0.0, noise_px, size=(t, N_LANDMARKS, 2)) if noise_px else np.zeros(2)
    px = width / 2.0 + scale * cam[..., 0] + noise[..., 0]
    py = height / 2.0 + scale * (cam[..., 1] + camera_height_m) + noise[..., 1]
    image = np.stack(
        [px / width, py / height, cam[..., 2] * scale / width, _visibility(psi)], axis=-1
    )
    world = cam + (rng.normal(0.0, noise_px / scale, cam.shape) if noise_px else 0.0)
    return PoseSequence(
        frame=np.arange(t),
        time_s=np.arange(t) / float(fps),
        image_width=width,
        image_height=height,
        image=image,
        world=world if with_world else None,
    )


def long_synthetic_pose(
    duration_s: float = 600.0, fps: float = 30.0, *, view: str = "side_left", seed: int = 0
) -> PoseSequence:
    """A long moving sequence (default 10 min at 30 fps) for benchmarks: slow arm, hip, knee and
    neck cycles with 1 px noise."""
    t = np.arange(round(duration_s * fps)) / fps
    wave = np.sin(2 * np.pi * t / 6.0)
    angles = (
        {f"shoulder_flexion_{s}": 80 + 80 * wave for s in ("left", "right")}
        | {f"elbow_flexion_{s}": 60 - 50 * wave for s in ("left", "right")}
        | {
            "hip_flexion_left": 40 + 40 * wave,
            "knee_flexion_left": 50 + 40 * wave,
            "neck_flexion": 20 * wave,
            "trunk_flexion": 5 * wave,
        }
    )
    return synthetic_pose(angles, view=view, fps=fps, noise_px=1.0, seed=seed)


def _body_points(
    a: Mapping[str, np.ndarray], *, elbow_in_side_plane: bool, head_tilt: bool
) -> np.ndarray:
    """(T, 33, 3) landmarks in the body frame (X left, Y up, Z forward), metres."""
    t = len(next(iter(a.values())))
    pts = np.zeros((t, N_LANDMARKS, 3))
    lean, flex = np.radians(a["trunk_lateral_lean"]), np.radians(a["trunk_flexion"])

    def trunk(v: np.ndarray) -> np.ndarray:
        return _sag(_front(v, -lean), flex)

    def put(name: str, value: np.ndarray) -> None:
        pts[:, LANDMARK_INDEX[name]] = value

    mid_sh = trunk(_vec(t, 0.0, TORSO, 0.0))
    for side, sgn in (("left", 1.0), ("right", -1.0)):
        sh = mid_sh + _tilted(SHOULDER_HALF_WIDTH * sgn, a["shoulder_tilt"])
        hip = _tilted(HIP_HALF_WIDTH * sgn, a["pelvic_tilt"])
        s_flex, s_abd = a[f"shoulder_flexion_{side}"], sgn * a[f"shoulder_abduction_{side}"]
        elbow_f = a[f"elbow_flexion_{side}"]
        elbow = sh + UPPER_ARM * trunk(_limb(s_flex, s_abd))
        fore = (
            _limb(s_flex + elbow_f, s_abd)
            if elbow_in_side_plane
            else _limb(s_flex, s_abd - sgn * elbow_f)
        )
        wrist = elbow + FOREARM * trunk(fore)
        h_flex, h_abd = a[f"hip_flexion_{side}"], sgn * a[f"hip_abduction_{side}"]
        knee = hip + THIGH * trunk(_limb(h_flex, h_abd))
        ankle = knee + SHANK * trunk(_limb(h_flex - a[f"knee_flexion_{side}"], h_abd))
        for name, p in (
            ("shoulder", sh),
            ("hip", hip),
            ("elbow", elbow),
            ("wrist", wrist),
            ("knee", knee),
            ("ankle", ankle),
        ):
            put(f"{side}_{name}", p)
        hand = trunk(fore)
        put(f"{side}_index", wrist + 0.09 * hand)
        put(f"{side}_pinky", wrist + 0.08 * hand + _vec(t, -0.02 * sgn, 0.0, 0.0))
        put(f"{side}_thumb", wrist + 0.05 * hand + _vec(t, 0.0, 0.0, 0.02))
        put(f"{side}_heel", ankle + _vec(t, 0.0, -0.06, -0.05))
        put(f"{side}_foot_index", ankle + _vec(t, 0.0, -0.07, 0.15))
    ear_roll = a["head_tilt"] if head_tilt else a["shoulder_tilt"] - a["neck_lateral_flexion"]
    _place_head(pts, a, mid_sh, ear_roll)
    return pts


def _place_head(
    pts: np.ndarray, a: Mapping[str, np.ndarray], mid_sh: np.ndarray, ear_roll: np.ndarray
) -> None:
    """Head: ear midpoint on the craniovertebral line; pitch follows the trunk + neck flexion."""
    t = pts.shape[0]
    cva = np.radians(a["craniovertebral_angle"])
    ear_mid = mid_sh + NECK * np.stack([np.zeros(t), np.sin(cva), np.cos(cva)], axis=-1)
    roll = np.radians(ear_roll)
    pitch = np.radians(a["trunk_flexion"] + a["neck_flexion"])
    yaw = np.radians(a["neck_rotation"])
    for name, (x, y, z) in _HEAD_POINTS.items():
        for sgn, nm in ((1.0, name), (-1.0, name.replace("left", "right"))):
            local = _vec(t, sgn * x, y, z)
            # yaw toward the subject's left, then roll (ear line), then pitch (flexion forward).
            yawed = np.stack(
                [
                    local[:, 0] * np.cos(yaw) + local[:, 2] * np.sin(yaw),
                    local[:, 1],
                    -local[:, 0] * np.sin(yaw) + local[:, 2] * np.cos(yaw),
                ],
                axis=-1,
            )
            pts[:, LANDMARK_INDEX[nm]] = ear_mid + _sag(_front(yawed, roll), pitch)


def _to_camera(body: np.ndarray, psi: np.ndarray) -> np.ndarray:
    """Body frame (T, 33, 3) -> MediaPipe camera axes (x right, y down, z away) at yaw psi (rad,
    (T,)): the body's left axis goes to (cos psi, -sin psi) in the camera's (x, z)."""
    c, s = np.cos(psi)[:, None], np.sin(psi)[:, None]
    x, y, z = body[..., 0], body[..., 1], body[..., 2]
    return np.stack([x * c - z * s, -y, -x * s - z * c], axis=-1)


def _limb(sag_deg: np.ndarray, front_deg: np.ndarray) -> np.ndarray:
    """Unit direction from straight down: frontal angle toward +X, then sagittal toward +Z."""
    s, g = np.radians(sag_deg), np.radians(front_deg)
    return np.stack([np.sin(g), -np.cos(g) * np.cos(s), np.cos(g) * np.sin(s)], axis=-1)


def _front(v: np.ndarray, ang: np.ndarray) -> np.ndarray:
    """Rotate in the X-Y plane, +X toward +Y by ``ang`` (rad, (T,))."""
    c, s = np.cos(ang), np.sin(ang)
    return np.stack([v[:, 0] * c - v[:, 1] * s, v[:, 0] * s + v[:, 1] * c, v[:, 2]], axis=-1)


def _sag(v: np.ndarray, ang: np.ndarray) -> np.ndarray:
    """Rotate in the Y-Z plane, +Y toward +Z by ``ang`` (rad, (T,)): trunk flexion."""
    c, s = np.cos(ang), np.sin(ang)
    return np.stack([v[:, 0], v[:, 1] * c - v[:, 2] * s, v[:, 1] * s + v[:, 2] * c], axis=-1)


def _tilted(half: float, tilt_deg: np.ndarray) -> np.ndarray:
    """Offset of a left (half > 0) or right point on a line tilted up on the left by tilt_deg."""
    r = np.radians(tilt_deg)
    return np.stack([half * np.cos(r), half * np.sin(r), np.zeros_like(r)], axis=-1)


def _vec(t: int, x: float, y: float, z: float) -> np.ndarray:
    return np.broadcast_to(np.array([x, y, z], dtype=float), (t, 3))


def _visibility(psi: np.ndarray) -> np.ndarray:
    """(T, 33): 0.99 facing the camera; the far side and a turned-away face drop to 0.30."""
    vis = np.full((psi.shape[0], N_LANDMARKS), 0.99)
    left_far = np.maximum(0.0, -np.sin(psi))
    right_far = np.maximum(0.0, np.sin(psi))
    face_far = np.maximum(0.0, -np.cos(psi))
    for i, name in enumerate(LANDMARK_NAMES):
        drop = np.zeros_like(psi)
        if name.startswith("left") or name == "mouth_left":
            drop = left_far
        elif name.startswith("right") or name == "mouth_right":
            drop = right_far
        if name == "nose" or "eye" in name or "mouth" in name:
            drop = np.maximum(drop, face_far)
        vis[:, i] = 0.99 - 0.69 * drop
    return vis


def _roll(cam: np.ndarray, roll_deg: float) -> np.ndarray:
    """Rotate camera x/y so a level line appears rising to the right by roll_deg on screen."""
    if not roll_deg:
        return cam
    r = np.radians(roll_deg)
    x, y_up = cam[..., 0], -cam[..., 1]
    xr, yr = x * np.cos(r) - y_up * np.sin(r), x * np.sin(r) + y_up * np.cos(r)
    return np.stack([xr, -yr, cam[..., 2]], axis=-1)


def _is_sideish(yaw: float | np.ndarray) -> bool:
    mag = np.abs(np.asarray(yaw, dtype=float))
    return bool(np.all((mag > 45.0) & (mag < 135.0)))


def _frame_count(
    angles: Mapping[str, np.ndarray | float], n_frames: int | None, yaw: float | np.ndarray
) -> int:
    lengths = {np.size(v) for v in angles.values() if np.ndim(v) > 0}
    if np.ndim(yaw) > 0:
        lengths.add(np.size(yaw))
    if n_frames is not None:
        if n_frames < 1:
            raise ValueError(f"n_frames must be >= 1; got {n_frames}")
        lengths.add(n_frames)
    if len(lengths) > 1:
        raise ValueError(f"angle arrays, yaw_deg and n_frames disagree on T: {sorted(lengths)}")
    return lengths.pop() if lengths else 1


def _expand_angles(angles: Mapping[str, np.ndarray | float], t: int) -> dict[str, np.ndarray]:
    unknown = set(angles) - set(ANGLE_KEYS)
    if unknown:
        raise ValueError(f"unknown angle keys {sorted(unknown)}; expected some of {ANGLE_KEYS}")
    if "head_tilt" in angles and "neck_lateral_flexion" in angles:
        raise ValueError("give head_tilt or neck_lateral_flexion, not both (both set the ear line)")
    out = {k: np.zeros(t) for k in ANGLE_KEYS}
    out["craniovertebral_angle"] = np.full(t, DEFAULT_CVA)
    for k, v in angles.items():
        arr = np.asarray(v, dtype=float)
        if arr.ndim > 1 or not np.all(np.isfinite(arr)):
            raise ValueError(f"angle {k!r} must be a finite scalar or (T,) array; got {arr.shape}")
        out[k] = np.broadcast_to(arr, (t,)).astype(float)
    return out


def _check_size(image_size: tuple[int, int]) -> tuple[int, int]:
    if len(image_size) != 2 or min(image_size) <= 0:
        raise ValueError(f"image_size must be (width, height) > 0; got {image_size}")
    return int(image_size[0]), int(image_size[1])
