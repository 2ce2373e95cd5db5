"""PoseSequence -> MetricTable: every metric of the catalogue per frame, with view and flags.

Pipeline: pixels -> roll-corrected up coordinates (``geometry.image_to_up``) -> per-frame view
(``views.detect_views``) -> subject frames (sagittal: +x forward; frontal: +x the subject's
left) -> joint angles (``angles``) and posture (``posture``) -> masks -> neutral zeroing.
A value is NaN where a landmark it needs is missing, below ``min_visibility`` or outside the
image, where the view is not the metric's view, or for the far-side limb in a side view.
See docs/measurements.md for every definition.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from romcam.core import angles, posture
from romcam.core.geometry import image_to_up, mirror_x, rotate, wrap_deg
from romcam.core.head_pose import HeadPose
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.measure_checks import NEUTRAL_METRICS
from romcam.core.measure_checks import check_args as _check_args
from romcam.core.measure_checks import check_metrics as _check_metrics
from romcam.core.measure_checks import check_neutral as _check_neutral
from romcam.core.metric_specs import METRIC_IDS, METRICS_BY_ID, NEAR
from romcam.core.metric_table import MetricTable
from romcam.core.neck_from_face import (
    FACE_METRICS,
    HeadTrack,
    face_metric_parts,
    merge_face_parts,
)
from romcam.core.occlusion import detect_occlusion, hidden_body_parts
from romcam.core.views import ViewEstimate, detect_views

log = logging.getLogger(__name__)

#: Seconds of measurable frames whose median is the default neck-flexion neutral.
NEUTRAL_WINDOW_S = 1.0
#: Quality flags of every MetricTable built here.
FLAG_NAMES: tuple[str, ...] = (
    "no_subject",
    "low_visibility",
    "out_of_frame",
    "out_of_plane",
    "wrong_view",
    "facing_away",
    "vertical_reference",
    "implausible_pose",
    "implausible_value",
    "occluded",
)
_SIDES = (("left", 1.0), ("right", -1.0))


@dataclass(frozen=True)
class _Raw:
    """One metric before masking: value (T,), landmark indices it needs (T, k), and where the
    view allows it (T,) and where the view class matches the metric's view (T,)."""

    value: np.ndarray
    needs: np.ndarray
    allowed: np.ndarray
    view_match: np.ndarray


@dataclass(frozen=True)
class _Frames:
    """Per-frame coordinate frames and view masks shared by the metric builders."""

    up: np.ndarray  # (T, 33, 2) roll-corrected up coordinates
    sag: np.ndarray  # (T, 33, 2) +x = subject's forward (side views), NaN elsewhere
    fro: np.ndarray  # (T, 33, 2) +x = subject's left (front/oblique views), NaN elsewhere
    world: np.ndarray | None  # (T, 33, 3) x right, y up, z away, roll-corrected
    views: ViewEstimate
    near_left: np.ndarray  # (T,) bool, side_left
    hips_ok: np.ndarray  # (T,) bool, both hips seen, inside the image and not occluded
    hidden: np.ndarray  # (T, 33) bool, placed by the model but occluded (core.occlusion)
    vertical_ok: np.ndarray  # (T,) bool, the true vertical may stand in for the hips

    def pt(self, coords: np.ndarray, name: str) -> np.ndarray:
        return coords[:, LANDMARK_INDEX[name]]

    def near(self, coords: np.ndarray, base: str) -> np.ndarray:
        return np.where(
            self.near_left[:, None],
            self.pt(coords, f"left_{base}"),
            self.pt(coords, f"right_{base}"),
        )

    def needs(self, *names: str) -> np.ndarray:
        """(T, k) landmark indices; ``near_x`` picks left_x/right_x by the near side."""
        cols = [
            np.where(
                self.near_left,
                LANDMARK_INDEX[f"left_{n.removeprefix(NEAR)}"],
                LANDMARK_INDEX[f"right_{n.removeprefix(NEAR)}"],
            )
            if n.startswith(NEAR)
            else np.full(self.near_left.shape, LANDMARK_INDEX[n])
            for n in names
        ]
        return np.stack(cols, axis=-1)

    def needs_of(self, metric_id: str) -> np.ndarray:
        """(T, k) indices of the landmarks the metric's spec says it is computed from."""
        return self.needs(*METRICS_BY_ID[metric_id].landmarks)

    def arc(
        self, coords: np.ndarray, metric_id: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(T, 2) vertex, ref_from, ref_to and moving points of the metric's joint arc."""
        arc = METRICS_BY_ID[metric_id].arc
        assert arc is not None, f"{metric_id} has no joint arc"
        return (
            self.pt(coords, arc.vertex),
            self.pt(coords, arc.ref_from),
            self.pt(coords, arc.ref_to),
            self.pt(coords, arc.moving),
        )


def compute_metrics(
    pose: PoseSequence,
    *,
    roll_deg: float = 0.0,
    px_per_cm: float | None = None,
    neutral: Mapping[str, float] | None = None,
    min_visibility: float = 0.5,
    metrics: Collection[str] | None = None,
    level_known: bool = False,
    heads: Sequence[HeadPose | None] | HeadTrack | None = None,
) -> MetricTable:
    """Every metric of METRIC_IDS per frame of ``pose``.

    Args:
        pose: landmarks of one subject (T frames).
        roll_deg: camera roll from calibration (on-screen angle, CCW +, of a truly level line).
        px_per_cm: pixels per centimetre at the subject's plane; ``forward_head_cm`` is NaN
            without it.
        neutral: metric id of NEUTRAL_METRICS -> raw value at the subject's neutral, subtracted.
            Without a ``neck_flexion`` entry, neck flexion is zeroed at the median of its first
            NEUTRAL_WINDOW_S seconds of measurable frames (so a frame-by-frame caller must pass
            a neutral, else every frame is zeroed at itself).
        min_visibility: landmarks below this visibility count as not seen.
        metrics: the ids the caller reports (default all); the others are all NaN and the
            ``low_visibility``/``out_of_frame``/``wrong_view``/``occluded`` flags consider only
            these.
        level_known: the calibration measured the camera's roll, so the image vertical is the
            true vertical: shoulder abduction may use it where occluded hips hide the trunk
            midline (hips merely outside the picture use it regardless; see _abductions).
        heads: the face model's head pose per frame, or their HeadTrack (None: no face
            model). Front-view neck
            rotation, lateral flexion and flexion then come from it where the subject faces
            the camera, and are NaN where the face was lost (``core.neck_from_face``).

    Returns:
        MetricTable with ``view``, ``facing`` and the flags of FLAG_NAMES.
    """
    _check_args(pose, roll_deg, px_per_cm, min_visibility)
    wanted = _check_metrics(metrics)
    offsets = _check_neutral(neutral)
    raw, views, flags, hidden = _measure(pose, roll_deg, min_visibility, wanted, level_known, heads)
    values = {mid: raw[mid] if mid in wanted else np.full(len(pose), np.nan) for mid in METRIC_IDS}
    if px_per_cm is None:
        values["forward_head_cm"] = np.full(len(pose), np.nan)
    else:
        values["forward_head_cm"] = values["forward_head_cm"] / px_per_cm
    if "neck_flexion" not in offsets:
        offsets["neck_flexion"] = _default_neutral(values["neck_flexion"], pose.time_s)
    for mid, offset in offsets.items():
        values[mid] = wrap_deg(values[mid] - offset)
    flags["implausible_value"] = _drop_implausible(values)
    return MetricTable(
        frame=np.asarray(pose.frame),
        time_s=np.asarray(pose.time_s, dtype=float),
        values=values,
        view=views.view,
        facing=views.facing,
        flags=flags,
        hidden=hidden,
    )


def raw_neck_values(
    pose: PoseSequence,
    *,
    roll_deg: float = 0.0,
    min_visibility: float = 0.5,
    heads: Sequence[HeadPose | None] | HeadTrack | None = None,
) -> dict[str, np.ndarray]:
    """NEUTRAL_METRICS id -> (T,) raw value (degrees, before neutral zeroing; NaN where not
    measurable). Feed the median over a still window to ``compute_metrics(neutral=...)``
    (with the same ``heads``)."""
    _check_args(pose, roll_deg, None, min_visibility)
    raw, *_ = _measure(pose, roll_deg, min_visibility, frozenset(NEUTRAL_METRICS), heads=heads)
    return {mid: raw[mid] for mid in NEUTRAL_METRICS}


def neutral_offsets(
    pose: PoseSequence,
    *,
    start_s: float | None = None,
    end_s: float | None = None,
    roll_deg: float = 0.0,
    min_visibility: float = 0.5,
    heads: Sequence[HeadPose | None] | HeadTrack | None = None,
) -> dict[str, float]:
    """Median raw neck values over frames with start_s <= time_s <= end_s (default: all).

    Returns only the ids measurable in that window (a side-view window gives ``neck_flexion``,
    a front-view one ``neck_lateral_flexion`` and ``neck_rotation``).
    """
    raw = raw_neck_values(pose, roll_deg=roll_deg, min_visibility=min_visibility, heads=heads)
    t = np.asarray(pose.time_s, dtype=float)
    lo = -np.inf if start_s is None else start_s
    hi = np.inf if end_s is None else end_s
    if lo > hi:
        raise ValueError(f"start_s must be <= end_s; got {start_s} > {end_s}")
    window = (t >= lo) & (t <= hi)
    out = {}
    for mid, values in raw.items():
        v = values[window & np.isfinite(values)]
        if v.size:
            out[mid] = float(np.median(v))
    return out


def _measure(
    pose: PoseSequence,
    roll_deg: float,
    min_visibility: float,
    wanted: frozenset[str],
    level_known: bool = False,
    heads: Sequence[HeadPose | None] | HeadTrack | None = None,
) -> tuple[dict[str, np.ndarray], ViewEstimate, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Raw (un-zeroed, forward head in px) masked values of the wanted metrics, views, flags
    and the hidden body parts (``MetricTable.hidden``)."""
    frames = _frames(pose, roll_deg, min_visibility, level_known)
    raws: dict[str, _Raw] = {}
    for view, build in (("side", _side_metrics), ("front", _front_metrics), ("any", _elbows)):
        if any(METRICS_BY_ID[mid].view == view for mid in wanted):  # skip unused groups
            raws.update(build(frames))
    # out_of_plane only where a wanted metric is body-measured (face-measured necks read the head)
    body_measured = np.ones(len(pose), dtype=bool)
    if heads is not None:
        face = face_metric_parts(frames, heads, roll_deg)
        if wanted and wanted <= set(FACE_METRICS):
            body_measured = ~np.logical_or.reduce([face[mid][2] for mid in wanted])
        for mid in wanted.intersection(FACE_METRICS):
            body = raws.get(mid)
            parts = (body.value, body.needs, body.allowed, body.view_match) if body else None
            raws[mid] = _Raw(*merge_face_parts(parts, face[mid]))
    vis = np.nan_to_num(pose.visibility, nan=0.0)
    xy = pose.image[..., :2]
    inside = np.all((xy >= 0.0) & (xy <= 1.0), axis=-1)
    rows = np.arange(len(pose))[:, None]
    implausible = _implausible(frames)
    detected = pose.detected & ~implausible
    values: dict[str, np.ndarray] = {}
    low_vis = np.zeros(len(pose), dtype=bool)
    out_frame = np.zeros(len(pose), dtype=bool)
    wrong_view = np.zeros(len(pose), dtype=bool)
    occluded = np.zeros(len(pose), dtype=bool)
    for mid in wanted:
        r = raws[mid]
        seen = np.all(vis[rows, r.needs] >= min_visibility, axis=1)
        in_img = np.all(inside[rows, r.needs], axis=1)
        unhidden = ~np.any(frames.hidden[rows, _occlusion_needs(frames, mid, r.needs)], axis=1)
        ok = detected & r.allowed & seen & in_img & unhidden & np.isfinite(r.value)
        values[mid] = np.where(ok, r.value, np.nan)
        occluded |= detected & r.allowed & ~unhidden
        low_vis |= detected & r.allowed & ~seen
        out_frame |= detected & r.allowed & ~in_img
        wrong_view |= detected & ~r.view_match
    views = frames.views
    flags = {
        "no_subject": ~detected,
        "low_visibility": low_vis,
        "out_of_frame": out_frame,
        "out_of_plane": detected & views.out_of_plane & body_measured,
        "wrong_view": wrong_view,
        "facing_away": detected & (views.facing == "away"),
        "vertical_reference": detected
        & (views.view == "front")
        & ~frames.hips_ok
        & frames.vertical_ok
        & bool(wanted & {"shoulder_abduction_left", "shoulder_abduction_right"}),
        "implausible_pose": implausible,
        "occluded": occluded,
    }
    return values, views, flags, hidden_body_parts(frames.hidden)


def _occlusion_needs(f: _Frames, metric_id: str, needs: np.ndarray) -> np.ndarray:
    """(T, k') landmarks that must not be occluded for the metric: its own, and for a posture
    metric the hips too. A posture value describes the body sitting or standing tall; with the
    trunk's lower end guessed, neither that nor the lean of the trunk under a level-looking
    shoulder line can be told (the therapist clip: shoulders tilted 19 deg over hidden hips).
    """
    spec = METRICS_BY_ID[metric_id]
    if spec.kind != "posture":
        return needs
    hips = f.needs("near_hip") if spec.view == "side" else f.needs("left_hip", "right_hip")
    return np.concatenate([needs, hips], axis=1)


def _drop_implausible(values: dict[str, np.ndarray]) -> np.ndarray:
    """NaN every value outside its metric's ``plausible_range`` (in place); (T,) bool where any
    value was dropped. Such values are landmark failures, not joint positions."""
    dropped = np.zeros(next(iter(values.values())).shape, dtype=bool)
    for mid, v in values.items():
        low, high = METRICS_BY_ID[mid].plausible_range
        with np.errstate(invalid="ignore"):
            bad = (v < low) | (v > high)
        values[mid] = np.where(bad, np.nan, v)
        dropped |= bad
    return dropped


def _implausible(f: _Frames) -> np.ndarray:
    """(T,) bool: an upside-down skeleton in a front or oblique view.

    BlazePose sometimes swaps head and feet when both arms are overhead (jumping jacks): the
    landmarks are confident but the hips sit above the shoulders and the nose below them.
    Nobody is assessed upside down facing the camera, so such frames are not measured. Side
    views are left alone: a forward bend can legitimately bring the shoulders below the hips.
    """
    up = f.up
    mid_sh = (f.pt(up, "left_shoulder") + f.pt(up, "right_shoulder")) / 2.0
    mid_hip = (f.pt(up, "left_hip") + f.pt(up, "right_hip")) / 2.0
    nose = f.pt(up, "nose")
    with np.errstate(invalid="ignore"):
        inverted = (mid_sh[:, 1] < mid_hip[:, 1]) | (nose[:, 1] < mid_sh[:, 1])
    front_like = np.isin(f.views.view, ("front", "oblique"))
    return front_like & inverted


def _frames(
    pose: PoseSequence, roll_deg: float, min_visibility: float, level_known: bool = False
) -> _Frames:
    up = image_to_up(pose.pixels, pose.image_width, pose.image_height, roll_deg)
    views = detect_views(up, pose.world, np.asarray(pose.time_s, dtype=float), roll_deg=roll_deg)
    forward = np.select([views.facing == "right", views.facing == "left"], [1.0, -1.0], np.nan)
    front_like = (views.view == "front") | (views.view == "oblique")
    left = np.where(front_like & (views.facing == "camera"), 1.0, np.nan)
    left = np.where(front_like & (views.facing == "away"), -1.0, left)
    world = None
    if pose.world is not None:
        w = np.asarray(pose.world, dtype=float)
        xy = rotate(np.stack([w[..., 0], -w[..., 1]], axis=-1), -roll_deg)
        world = np.concatenate([xy, w[..., 2:3]], axis=-1)
    hips = [LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]]
    hip_xy = pose.image[:, hips, :2]
    hidden = detect_occlusion(pose, views.view)
    hips_hidden = np.any(hidden[:, hips], axis=1)
    hips_ok = ~hips_hidden & np.all(
        (np.nan_to_num(pose.image[:, hips, 3]) >= min_visibility)
        & np.all((hip_xy >= 0.0) & (hip_xy <= 1.0), axis=-1),
        axis=1,
    )
    return _Frames(
        up=up,
        sag=mirror_x(up, forward),
        fro=mirror_x(up, left),
        world=world,
        views=views,
        near_left=views.view == "side_left",
        hips_ok=hips_ok,
        hidden=hidden,
        vertical_ok=~hips_hidden | level_known,
    )


def _side_metrics(f: _Frames) -> dict[str, _Raw]:
    """Sagittal-plane metrics: valid only in a side view, limbs only on the near side."""
    s = f.sag
    is_side = (f.views.view == "side_left") | (f.views.view == "side_right")
    out: dict[str, _Raw] = {}
    for side, _ in _SIDES:
        near = f.views.view == f"side_{side}"
        for base in ("shoulder_flexion", "hip_flexion", "knee_flexion"):
            mid = f"{base}_{side}"
            vertex, ref_from, ref_to, moving = f.arc(s, mid)
            if base == "knee_flexion":
                value = angles.knee_flexion(ref_from, vertex, moving)
            else:
                value = angles.sagittal_flexion(ref_from, ref_to, vertex, moving)
            out[mid] = _Raw(value, f.needs_of(mid), near, is_side)
    sh, hip, ear = f.near(s, "shoulder"), f.near(s, "hip"), f.near(s, "ear")
    midline = {
        "neck_flexion": angles.raw_neck_flexion(ear, f.near(s, "eye"), sh, hip),
        "craniovertebral_angle": posture.craniovertebral_angle(sh, ear),
        "forward_head_cm": posture.forward_head_px(sh, ear),
        "trunk_flexion": posture.lean_from_vertical(hip, sh),
    }
    for mid, value in midline.items():
        out[mid] = _Raw(value, f.needs_of(mid), is_side, is_side)
    return out


def _front_metrics(f: _Frames) -> dict[str, _Raw]:
    """Frontal-plane metrics: valid only in a front view (neck rotation: facing the camera)."""
    c = f.fro
    is_front = f.views.view == "front"
    mid_sh = (f.pt(c, "left_shoulder") + f.pt(c, "right_shoulder")) / 2.0
    mid_hip = (f.pt(c, "left_hip") + f.pt(c, "right_hip")) / 2.0
    out: dict[str, _Raw] = {}
    out.update(_abductions(f, mid_sh, mid_hip, is_front))
    lr = {b: (f.pt(c, f"left_{b}"), f.pt(c, f"right_{b}")) for b in ("shoulder", "ear", "hip")}
    midline = {
        "neck_lateral_flexion": angles.neck_lateral_flexion(*lr["shoulder"], *lr["ear"]),
        "shoulder_tilt": posture.line_tilt(*lr["shoulder"]),
        "head_tilt": posture.line_tilt(*lr["ear"]),
        "pelvic_tilt": posture.line_tilt(*lr["hip"]),
        "trunk_lateral_lean": posture.lean_from_vertical(mid_hip, mid_sh),
    }
    for mid, value in midline.items():
        out[mid] = _Raw(value, f.needs_of(mid), is_front, is_front)
    facing_camera = is_front & (f.views.facing == "camera")
    out["neck_rotation"] = _Raw(
        _neck_rotation(f), f.needs_of("neck_rotation"), facing_camera, is_front
    )
    return out


#: Where the hips are not usable, shoulder abduction does without them (see _abductions); the
#: shoulders stand in for them so that the needs array keeps its width.
_HIPS_AS_SHOULDERS = {"left_hip": "left_shoulder", "right_hip": "right_shoulder"}


def _abductions(
    f: _Frames, mid_sh: np.ndarray, mid_hip: np.ndarray, is_front: np.ndarray
) -> dict[str, _Raw]:
    """Shoulder and hip abduction vs the trunk midline (frontal frame).

    Shoulder abduction falls back to the image vertical as the trunk line where a hip is not
    usable (a seated subject framed at the waist); those frames get the ``vertical_reference``
    flag. Where the hips are in the picture but occluded the subject may well be leaning (the
    model's guess is what hid the lean), so the vertical stands in only when the calibration
    measured the camera level (``vertical_ok``); otherwise the value is withheld (the hips
    stay in its needs and are hidden). Hip abduction always needs both hips.
    """
    c = f.fro
    vertical_bottom = mid_sh + np.array([0.0, -1.0])
    out: dict[str, _Raw] = {}
    for side, sign in _SIDES:
        mid = f"shoulder_abduction_{side}"
        shoulder, _, _, elbow = f.arc(c, mid)
        use_hips = f.hips_ok | ~f.vertical_ok
        bottom = np.where(use_hips[:, None], mid_hip, vertical_bottom)
        without_hips = [_HIPS_AS_SHOULDERS.get(n, n) for n in METRICS_BY_ID[mid].landmarks]
        needs = np.where(use_hips[:, None], f.needs_of(mid), f.needs(*without_hips))
        value = angles.abduction(mid_sh, bottom, shoulder, elbow, sign)
        out[mid] = _Raw(value, needs, is_front, is_front)
        mid = f"hip_abduction_{side}"
        hip, _, _, knee = f.arc(c, mid)
        value = angles.abduction(mid_sh, mid_hip, hip, knee, sign)
        out[mid] = _Raw(value, f.needs_of(mid), is_front, is_front)
    return out


def _neck_rotation(f: _Frames) -> np.ndarray:
    """Head yaw from face geometry (nose between the ears), shoulders taken as square.

    Not from world landmarks: on real footage MediaPipe's world shoulder line turns with the
    head (35-40 deg during a 60 deg head turn while the image shoulders stayed square), which
    halves the head-minus-shoulder yaw; the face estimate matches the world ear yaw (r = 0.99).
    """
    return angles.neck_rotation_from_face(
        f.pt(f.fro, "nose"), f.pt(f.fro, "left_ear"), f.pt(f.fro, "right_ear")
    )


def _elbows(f: _Frames) -> dict[str, _Raw]:
    """Elbow flexion, any view: both sides in front/oblique views, the near side in side views."""
    out: dict[str, _Raw] = {}
    view = f.views.view
    for side, _ in _SIDES:
        mid = f"elbow_flexion_{side}"
        elbow, shoulder, _, wrist = f.arc(f.up, mid)
        allowed = np.isin(view, ("front", "oblique", f"side_{side}"))
        out[mid] = _Raw(
            angles.elbow_flexion(shoulder, elbow, wrist), f.needs_of(mid), allowed, view != "none"
        )
    return out


def _default_neutral(neck_flexion: np.ndarray, time_s: np.ndarray) -> float:
    """Median of the first NEUTRAL_WINDOW_S seconds of measurable neck flexion (0 if none)."""
    finite = np.isfinite(neck_flexion)
    if not finite.any():
        return 0.0
    t0 = time_s[np.argmax(finite)]
    window = finite & (time_s <= t0 + NEUTRAL_WINDOW_S)
    offset = float(np.median(neck_flexion[window]))
    log.debug("neck flexion neutral %.1f deg from %d frames", offset, int(window.sum()))
    return offset
