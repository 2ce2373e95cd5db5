"""The camera set-up of one trial, from its landmarks, and how two set-ups differ.

A visit-to-visit change means little if the camera moved, so every trial stores where the
camera stood relative to the body (:class:`CameraSetup`, the store's ``setup`` JSON). Each
quantity is the median over the trial's *steady frames*: frames whose shoulders and hips were
seen (visibility >= MIN_VISIBILITY on at least one shoulder and one hip) and whose apparent
torso length is within STEADY_SHARE of its median over the trial (a bend, a turn or a bad
detection that shortens the torso on screen is left out).

- ``distance_m``: camera to body, from the body's apparent size with a pinhole camera:
  ``distance = focal_px x torso_m / torso_px``. ``torso_px`` is the mid-shoulder to mid-hip
  length on screen; ``torso_m`` the same length in the world landmarks (MediaPipe's metric
  body, about 0.5 m for an adult), NOMINAL_TORSO_M without them. ``focal_px`` comes from the
  calibration's lens (``distance_source = "lens"``) or from a nominal diagonal field of view
  of NOMINAL_DIAGONAL_FOV_DEG (``"nominal_fov"``, a typical webcam or phone camera): then the
  metres are approximate, but the ratio of two visits with the same camera is not.
- ``camera_height_m``: the camera's height above the mid-torso point (halfway between the
  mid-shoulder and the mid-hip), + = camera higher. From where that point sits vertically in
  the (roll-corrected) frame: a level camera sees a point ``h`` metres below it
  ``h x px_per_m`` pixels below the image centre. The camera is taken as level
  (``height_source = "level_assumed"``: a camera tilted down reads as a higher one) unless the
  calibration measured its pitch (``"calibrated_pitch"``). ``torso_x``, ``torso_y`` keep the
  point's place in the frame (fractions, 0 = left/top).
- ``yaw_deg``: the subject's yaw relative to the camera, ``romcam.core.views`` (0 = facing
  the camera, +90 = the left side toward it), circular median.
- ``roll_deg``: the camera's roll (the on-screen angle of a truly level line, CCW +): the
  calibration's level when it has one (``roll_source = "calibration"``); else the body's in
  the start position (the first GHOST_START_S of steady frames, before the movement tilts the
  trunk): the tilt of the shoulder and hip lines where they are seen broad enough (front-ish
  views; ``"body"``: a low shoulder or a tilted pelvis at the start reads as roll too). A side
  view cannot tell it (the trunk line leans with the movement and the posture): NaN,
  ``"unknown"``, and the frame is taken as level for the height and the yaw.
- ``box_left`` .. ``box_bottom``: the body's bounding box (landmarks seen), fractions of the
  frame.
- ``ghost_<point>_x/_y``: the start position's key points (normalised), median of each over
  the first GHOST_START_S of steady frames: the live page draws them as the next visit's
  ghost, with no file to read.

:func:`setup_difference` says how a later set-up differs from an earlier one, each quantity
against its tolerance (TOLERANCES); :func:`setup_note` and :func:`setup_note_of` give the one
sentence shown beside a comparison. NumPy only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

import numpy as np

from romcam.core.assessments import test_label
from romcam.core.geometry import image_to_up, wrap_deg
from romcam.core.landmarks import PoseSequence
from romcam.core.setup_frames import (
    GHOST_POINTS,
    LH,
    LS,
    RH,
    RS,
    body_roll,
    circular_median,
    frame_boxes,
    ghost_points,
    masked_median,
    mid,
    start_frames,
    steady_frames,
    torso_m,
)
from romcam.core.views import detect_views

#: Diagonal field of view (deg) assumed without a lens calibration: a typical webcam (a
#: Logitech C920 is 78 deg) or phone main camera (~ 75 deg).
NOMINAL_DIAGONAL_FOV_DEG = 75.0


@dataclass(frozen=True)
class SetupCamera:
    """What a calibration profile tells about the camera, at the trial's frame size.

    Attributes:
        focal_px: focal length in pixels (the lens's K[0, 0]); None = the nominal field of view.
        roll_deg: the measured level (see the module doc); None = estimated from the body.
        pitch_deg: optical axis above the horizontal (+ = tilted up); None = taken as level.
    """

    focal_px: float | None = None
    roll_deg: float | None = None
    pitch_deg: float | None = None


@dataclass(frozen=True, kw_only=True)
class CameraSetup:
    """The camera set-up of one trial (see the module doc for each quantity; NaN = unknown).

    ``ghost``: (name, x, y) normalised start-position key points of GHOST_POINTS that were seen.
    """

    distance_m: float
    distance_source: str
    camera_height_m: float
    height_source: str
    torso_x: float
    torso_y: float
    yaw_deg: float
    roll_deg: float
    roll_source: str
    box_left: float
    box_top: float
    box_right: float
    box_bottom: float
    frame_width: int
    frame_height: int
    frames: int
    ghost: tuple[tuple[str, float, float], ...] = ()

    def to_dict(self) -> dict[str, float | str]:
        """The store's ``setup`` JSON: name -> number (rounded) or short text; NaN left out."""
        out: dict[str, float | str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "ghost":
                for name, x, y in value:
                    out[f"ghost_{name}_x"], out[f"ghost_{name}_y"] = round(x, 4), round(y, 4)
            elif isinstance(value, str | int):
                out[f.name] = value
            elif math.isfinite(value):
                out[f.name] = round(float(value), _DIGITS.get(f.name, 4))
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> CameraSetup:
        """Back from :meth:`to_dict` (missing numbers are NaN, missing texts ``unknown``)."""
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = data.get(f.name)
            if f.name == "ghost":
                continue
            if f.type == "str":
                values[f.name] = raw if isinstance(raw, str) and raw else "unknown"
            elif f.type == "int":
                values[f.name] = int(_number(raw)) if math.isfinite(_number(raw)) else 0
            else:
                values[f.name] = _number(raw)
        ghost = []
        for name in GHOST_POINTS:
            x, y = _number(data.get(f"ghost_{name}_x")), _number(data.get(f"ghost_{name}_y"))
            if math.isfinite(x) and math.isfinite(y):
                ghost.append((name, x, y))
        return cls(**values, ghost=tuple(ghost))  # type: ignore[arg-type]

    @property
    def ghost_points(self) -> dict[str, tuple[float, float]]:
        """Key point name -> normalised (x, y) of the start position."""
        return {name: (x, y) for name, x, y in self.ghost}


_DIGITS = {"distance_m": 3, "camera_height_m": 3, "yaw_deg": 1, "roll_deg": 1}


def _number(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return math.nan
    return float(raw)


def nominal_focal_px(width: int, height: int) -> float:
    """Focal length (px) of a camera with the nominal diagonal field of view at this size."""
    half_diagonal = math.hypot(width, height) / 2.0
    return half_diagonal / math.tan(math.radians(NOMINAL_DIAGONAL_FOV_DEG / 2.0))


def camera_setup(pose: PoseSequence, camera: SetupCamera | None = None) -> CameraSetup | None:
    """The set-up of the trial ``pose`` (raw or undistorted landmarks); None when no frame is
    steady (no torso seen)."""
    camera = camera or SetupCamera()
    w, h = pose.image_width, pose.image_height
    pix = pose.pixels
    mid_sh, mid_hip = mid(pix, LS, RS), mid(pix, LH, RH)
    torso_px = np.linalg.norm(mid_sh - mid_hip, axis=-1)
    steady = steady_frames(pose, torso_px)
    if not steady.any():
        return None
    body = camera.roll_deg is None
    start = start_frames(pose.time_s, steady)
    roll = body_roll(pix, torso_px, start) if body else float(camera.roll_deg or 0.0)
    level = roll if math.isfinite(roll) else 0.0  # unknown: the frame is taken as level
    px_per_m = torso_px / torso_m(pose.world)
    focal = camera.focal_px if camera.focal_px else nominal_focal_px(w, h)
    distance = focal / px_per_m
    centre = (mid_sh + mid_hip) / 2.0
    up_y = image_to_up(centre, w, h, level)[..., 1]
    below = np.arctan(-up_y / focal) - math.radians(camera.pitch_deg or 0.0)
    height_m = distance * np.tan(below)
    up = image_to_up(pix, w, h, level)
    yaw = detect_views(up, pose.world, pose.time_s, roll_deg=level).yaw_deg
    box = frame_boxes(pose.image)
    return CameraSetup(
        distance_m=masked_median(distance, steady),
        distance_source="lens" if camera.focal_px else "nominal_fov",
        camera_height_m=masked_median(height_m, steady),
        height_source="level_assumed" if camera.pitch_deg is None else "calibrated_pitch",
        torso_x=masked_median(centre[:, 0] / w, steady),
        torso_y=masked_median(centre[:, 1] / h, steady),
        yaw_deg=circular_median(yaw[steady]),
        roll_deg=roll,
        roll_source=("body" if math.isfinite(roll) else "unknown") if body else "calibration",
        box_left=masked_median(box[:, 0], steady),
        box_top=masked_median(box[:, 1], steady),
        box_right=masked_median(box[:, 2], steady),
        box_bottom=masked_median(box[:, 3], steady),
        frame_width=w,
        frame_height=h,
        frames=int(steady.sum()),
        ghost=ghost_points(pose, start),
    )


# --- two set-ups --------------------------------------------------------------------------
#: Tolerances: how far a later set-up may differ from an earlier one and still count as the
#: same (docs/measurements.md, "Camera set-up", says why each).
DISTANCE_TOLERANCE = 0.10  # share of the earlier distance
HEIGHT_TOLERANCE_M = 0.10  # camera height, metres
FRAME_SHIFT_TOLERANCE = 0.10  # body centre shift, share of the frame (height fallback, framing)
YAW_TOLERANCE_DEG = 10.0
ROLL_TOLERANCE_DEG = 3.0


@dataclass(frozen=True)
class SetupPart:
    """One quantity of a :class:`SetupDifference`.

    Attributes:
        quantity: ``distance`` (m), ``height`` (m), ``height_in_frame`` (share of the frame
            height, + = body lower), ``yaw`` (deg), ``roll`` (deg) or ``framing`` (share of the
            frame width, + = body further right).
        change: later minus earlier, in the quantity's unit. tolerance: the same unit.
        within: |change| within the tolerance (distance: the ratio within 1 +- 10 %).
        text: the change in plain words, e.g. ``0.4 m further`` (``not turned`` when it
            rounds to nothing: then ``moved`` is False).
    """

    quantity: str
    change: float
    tolerance: float
    within: bool
    text: str
    moved: bool = True


@dataclass(frozen=True)
class SetupDifference:
    """How a later set-up differs from an earlier one: the quantities both set-ups know."""

    parts: tuple[SetupPart, ...]

    @property
    def within_tolerance(self) -> bool:
        """Every known quantity is within its tolerance."""
        return all(p.within for p in self.parts)

    @property
    def sentence(self) -> str:
        """Every change that shows, e.g. ``0.4 m further, camera 10 cm higher, turned 8°``;
        ``the same set-up`` when none does."""
        moved = [p.text for p in self.parts if p.moved]
        return ", ".join(moved) if moved else "the same set-up"

    @property
    def beyond(self) -> str:
        """The changes beyond tolerance, as :attr:`sentence` ("" when none)."""
        return ", ".join(p.text for p in self.parts if not p.within)

    def change(self, quantity: str) -> float:
        """The change of one quantity (NaN when not known to both)."""
        return next((p.change for p in self.parts if p.quantity == quantity), math.nan)


SetupLike = CameraSetup | Mapping[str, object] | None


def as_setup(value: object) -> CameraSetup | None:
    """A CameraSetup from a CameraSetup, a stored ``setup`` dict, or None (also NaN, {})."""
    if isinstance(value, CameraSetup):
        return value
    if isinstance(value, Mapping) and value:
        return CameraSetup.from_dict(value)
    return None


def setup_difference(earlier: SetupLike, later: SetupLike) -> SetupDifference:
    """How ``later`` differs from ``earlier`` (each a CameraSetup or a stored dict); no
    parts when either is missing. Each quantity is left out unless both set-ups know it; the
    camera height falls back to the body's place in the frame."""
    a, b = as_setup(earlier), as_setup(later)
    if a is None or b is None:
        return SetupDifference(())
    dist = b.distance_m - a.distance_m
    ratio = b.distance_m / a.distance_m if a.distance_m > 0 else math.nan
    rise = b.camera_height_m - a.camera_height_m
    turn = float(wrap_deg(b.yaw_deg - a.yaw_deg))
    tilt = b.roll_deg - a.roll_deg
    parts = [
        _part(
            "distance",
            dist,
            DISTANCE_TOLERANCE * a.distance_m,
            abs(ratio - 1.0) <= DISTANCE_TOLERANCE,
            f"{abs(dist):.1f} m {_word(dist, 'further', 'nearer')}",
            "the same distance",
        ),
        _part(
            "height",
            rise,
            HEIGHT_TOLERANCE_M,
            abs(rise) <= HEIGHT_TOLERANCE_M,
            f"camera {abs(rise) * 100:.0f} cm {_word(rise, 'higher', 'lower')}",
            "camera at the same height",
        ),
        _part(
            "yaw",
            turn,
            YAW_TOLERANCE_DEG,
            abs(turn) <= YAW_TOLERANCE_DEG,
            f"turned {abs(turn):.0f}°",
            "not turned",
        ),
        _part(
            "roll",
            tilt,
            ROLL_TOLERANCE_DEG,
            abs(tilt) <= ROLL_TOLERANCE_DEG,
            f"tilted {abs(tilt):.0f}°",
            "not tilted",
        ),
        _shift("framing", b.torso_x - a.torso_x, "further right", "further left"),
    ]
    if not math.isfinite(rise):
        parts[1] = _shift(
            "height_in_frame", b.torso_y - a.torso_y, "lower in the frame", "higher in the frame"
        )
    return SetupDifference(tuple(p for p in parts if p is not None))


def _word(change: float, plus: str, minus: str) -> str:
    return plus if change > 0 else minus


def _part(
    quantity: str, change: float, tolerance: float, within: bool, text: str, same: str
) -> SetupPart | None:
    """A part (None when the change is unknown); ``same`` when ``text`` shows no change."""
    if not math.isfinite(change):
        return None
    moved = any(ch in "123456789" for ch in text)
    return SetupPart(quantity, change, tolerance, within, text if moved else same, moved)


def _shift(quantity: str, change: float, plus: str, minus: str) -> SetupPart | None:
    """A body-centre shift (share of the frame): ``body 12 % of the frame further left``."""
    text = f"body {abs(change) * 100:.0f} % of the frame {_word(change, plus, minus)}"
    within = abs(change) <= FRAME_SHIFT_TOLERANCE
    same = "body in the same place in the frame"
    return _part(quantity, change, FRAME_SHIFT_TOLERANCE, within, text, same)


def setup_note(earlier: SetupLike, later: SetupLike) -> str | None:
    """The sentence shown beside a comparison whose two measurements were taken from set-ups
    that differ beyond tolerance; None when they agree or either set-up is unknown."""
    difference = setup_difference(earlier, later)
    if difference.within_tolerance:
        return None
    return (
        f"Different camera set-up from the earlier measurement ({difference.beyond}): "
        "part of the change may come from the set-up."
    )


def setup_note_of(earlier: Iterable[object], later: Iterable[object]) -> str | None:
    """:func:`setup_note` of two groups of trials: each group's stored ``setup`` dicts (the
    tidy frame's ``setup`` column; None, NaN and empty entries ignored), compared by their
    :func:`typical_setup`."""
    return setup_note(typical_setup(earlier), typical_setup(later))


def setup_note_lines(
    tests: Iterable[str], sides: Iterable[object], notes: Iterable[object]
) -> list[str]:
    """``Shoulder flexion (left): <note>`` for each row of a comparison (``before_after`` or
    ``progress``: its ``test``, ``side`` and ``setup_note`` columns) that has a note: what the
    dashboard and the CLI print under the comparison."""
    rows = zip(tests, sides, notes, strict=True)
    return [f"{test_label(t, side)}: {note}" for t, side, note in rows if note and note == note]


def typical_setup(setups: Iterable[object]) -> CameraSetup | None:
    """The median set-up of several trials (yaw: circular median; texts, frame size and ghost
    of the first); None when none has a set-up."""
    known = [s for s in (as_setup(v) for v in setups) if s is not None]
    if len(known) <= 1:
        return known[0] if known else None
    first = known[0]
    numbers: dict[str, float] = {}
    for f in fields(CameraSetup):
        if f.type == "float":
            column = np.array([getattr(s, f.name) for s in known], dtype=float)
            if f.name == "yaw_deg":
                numbers[f.name] = circular_median(column)
            else:
                finite = column[np.isfinite(column)]
                numbers[f.name] = float(np.median(finite)) if finite.size else math.nan
    return replace(first, **numbers)  # type: ignore[arg-type]
