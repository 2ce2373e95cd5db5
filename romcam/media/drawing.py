"""Drawing on video frames: skeleton, joint-angle arc, head axes, readout panel and banner.

Pure OpenCV on a (H, W, 3) uint8 BGR frame, drawn in place and returned, so the same functions
serve the CLI's annotated video and the dashboard's live view. Sizes scale with the frame's
short side; the readout panel goes bottom left, or, with a ``PanelPlacer``
(``romcam.media.panel_placement``), in the corner that covers the subject least. A 720p frame
is annotated in well under 3 ms. Landmarks are MediaPipe image landmarks (normalised x right,
y down; see :mod:`romcam.core.landmarks`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Protocol

import cv2
import numpy as np

from romcam.core.head_pose import HeadPose
from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS, SKELETON_EDGES
from romcam.core.metric_specs import METRICS, METRICS_BY_ID, JointArc
from romcam.media.panel_placement import PanelPlacer, corner_rect

# BGR colours.
LEFT_COLOUR = (255, 160, 40)  # the subject's left side: blue
RIGHT_COLOUR = (40, 160, 255)  # right side: orange
MIDLINE_COLOUR = (230, 230, 230)
ARC_COLOUR = (60, 230, 60)
PANEL_COLOUR = (30, 30, 30)
WARN_COLOUR = (0, 170, 255)
TEXT_COLOUR = (255, 255, 255)
FONT = cv2.FONT_HERSHEY_DUPLEX

#: Labels of the ``view`` column values as shown to the user.
VIEW_LABELS = {
    "front": "front view",
    "side_left": "side view (left side)",
    "side_right": "side view (right side)",
    "oblique": "oblique view",
    "none": "no subject",
}


class HasImageLandmarks(Protocol):
    """Anything with ``image``: (33, 4) normalised x, y, z, visibility (e.g. FramePose)."""

    @property
    def image(self) -> np.ndarray: ...


#: Metrics whose angle is drawn as an arc at a joint (from their specs' ``arc``).
ARCS: dict[str, JointArc] = {m.id: m.arc for m in METRICS if m.arc is not None}


def _landmark_array(pose: HasImageLandmarks | np.ndarray | None) -> np.ndarray | None:
    if pose is None:
        return None
    arr = np.asarray(pose if isinstance(pose, np.ndarray) else pose.image, dtype=float)
    if arr.shape != (N_LANDMARKS, 4):
        raise ValueError(f"landmarks must be ({N_LANDMARKS}, 4); got {arr.shape}")
    return arr


def _scale(frame: np.ndarray) -> float:
    """Drawing scale: 1 on a 720p frame. The short side counts, so that text and panel keep
    their share of a portrait frame's width (a 540x960 frame draws as a 960x540 one)."""
    return float(min(frame.shape[:2])) / 720.0


def _side_colour(a: int, b: int) -> tuple[int, int, int]:
    names = (_NAMES[a], _NAMES[b])
    if all(n.startswith("left") for n in names):
        return LEFT_COLOUR
    if all(n.startswith("right") for n in names):
        return RIGHT_COLOUR
    return MIDLINE_COLOUR


_NAMES = {i: n for n, i in LANDMARK_INDEX.items()}
#: Landmarks before this index are the face's (nose, eyes, ears, mouth).
_FIRST_BODY_LANDMARK = LANDMARK_INDEX["left_shoulder"]
_EDGE_COLOURS = tuple(_side_colour(a, b) for a, b in SKELETON_EDGES)


def draw_skeleton(
    frame_bgr: np.ndarray,
    frame_pose: HasImageLandmarks | np.ndarray | None,
    *,
    min_visibility: float = 0.5,
    face: bool = True,
) -> np.ndarray:
    """Draw bones and joints of one pose on ``frame_bgr`` (in place); returns the frame.

    Landmarks with visibility below ``min_visibility`` (or NaN) are left out, and so are the
    bones that touch them. Left side blue, right side orange, midline grey. ``face=False``
    leaves out the ear-eye-nose lines (the head's axes are drawn instead, see
    :func:`draw_head_axes`).
    """
    lms = _landmark_array(frame_pose)
    if lms is None:
        return frame_bgr
    h, w = frame_bgr.shape[:2]
    pts = np.nan_to_num(lms[:, :2] * (w, h), nan=-1.0).round().astype(np.int32)
    ok = np.nan_to_num(lms[:, 3], nan=0.0) >= min_visibility
    s = _scale(frame_bgr)
    thickness = max(1, round(3 * s))
    for (a, b), colour in zip(SKELETON_EDGES, _EDGE_COLOURS, strict=True):
        if ok[a] and ok[b] and (face or a >= _FIRST_BODY_LANDMARK):
            cv2.line(frame_bgr, tuple(pts[a]), tuple(pts[b]), colour, thickness, cv2.LINE_AA)
    radius = max(2, round(4 * s))
    # Body joints only; the face stays uncluttered.
    for i in np.flatnonzero(ok[_FIRST_BODY_LANDMARK:]) + _FIRST_BODY_LANDMARK:
        cv2.circle(frame_bgr, tuple(pts[i]), radius, (255, 255, 255), -1, cv2.LINE_AA)
    return frame_bgr


#: Face-model landmark of the nose tip, where the head's axes start.
NOSE_TIP = 1
#: Face-model landmarks of the face outline, in order round the face (MediaPipe's face oval).
FACE_OVAL = (
    *(10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377),
    *(152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109),
)
#: Colours of the head's axes, by canonical face axis: toward the subject's left (the ear
#: line: blue like the skeleton's left side; its tilt is lateral flexion), up the face (red;
#: it leans toward the camera in flexion) and out through the nose (the arc's green; it
#: swings sideways in rotation).
HEAD_AXIS_COLOURS = (LEFT_COLOUR, (60, 60, 235), ARC_COLOUR)
#: Length of the drawn axes as a share of the face outline's height in the picture.
HEAD_AXIS_SHARE = 0.6


def draw_head_axes(
    frame_bgr: np.ndarray, head_pose: HeadPose | None, *, outline: bool = True
) -> np.ndarray:
    """Draw the head pose the face model found (in place); returns the frame.

    The face outline (thin grey) shows which face was tracked; the head's three axes start
    at the nose tip (colours: :data:`HEAD_AXIS_COLOURS`): each is the canonical face axis
    turned by ``head_pose.rotation`` (camera space x right, y up) and seen straight on, so
    the nose axis shrinks to a dot when the subject looks into the camera and grows as the
    head turns or bends. Axis length: :data:`HEAD_AXIS_SHARE` of the outline's height.
    """
    if head_pose is None:
        return frame_bgr
    h, w = frame_bgr.shape[:2]
    pts = np.asarray(head_pose.landmarks, dtype=float)[:, :2] * (w, h)
    if not np.all(np.isfinite(pts[[NOSE_TIP, *FACE_OVAL]])):
        return frame_bgr
    s = _scale(frame_bgr)
    oval = pts[list(FACE_OVAL)]
    if outline:
        ring = oval.round().astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(frame_bgr, [ring], True, MIDLINE_COLOUR, max(1, round(1.5 * s)), cv2.LINE_AA)
    length = HEAD_AXIS_SHARE * float(np.ptp(oval[:, 1]))
    nose = pts[NOSE_TIP]
    start = (round(nose[0]), round(nose[1]))
    rotation = np.asarray(head_pose.rotation, dtype=float)
    thickness = max(1, round(3 * s))
    for axis, colour in enumerate(HEAD_AXIS_COLOURS):
        # Camera y is up, image y is down.
        tip = nose + length * np.array([rotation[0, axis], -rotation[1, axis]])
        end = (round(tip[0]), round(tip[1]))
        cv2.arrowedLine(frame_bgr, start, end, colour, thickness, cv2.LINE_AA, tipLength=0.2)
    cv2.circle(frame_bgr, start, max(2, round(4 * s)), HEAD_AXIS_COLOURS[2], -1, cv2.LINE_AA)
    return frame_bgr


def _unit(v: np.ndarray) -> np.ndarray | None:
    n = float(np.hypot(v[0], v[1]))
    return None if not n > 1e-6 else v / n


def draw_angle_arc(
    frame_bgr: np.ndarray,
    frame_pose: HasImageLandmarks | np.ndarray | None,
    metric_id: str,
    value: float | None = None,
    *,
    min_visibility: float = 0.5,
) -> np.ndarray:
    """Draw the arc of ``metric_id`` at its joint, labelled with ``value`` (degrees) if given.

    Does nothing for metrics without an :data:`ARCS` entry, or when a landmark it needs is
    missing or below ``min_visibility``. The arc shows the image-plane angle between the
    reference segment and the moving one; the label shows the measured value.
    """
    lms = _landmark_array(frame_pose)
    spec = ARCS.get(metric_id)
    if lms is None or spec is None:
        return frame_bgr
    idx = [LANDMARK_INDEX[n] for n in (spec.vertex, spec.ref_from, spec.ref_to, spec.moving)]
    if not np.all(np.nan_to_num(lms[idx, 3], nan=0.0) >= min_visibility):
        return frame_bgr
    h, w = frame_bgr.shape[:2]
    xy = lms[idx, :2] * (w, h)
    ref, mov = _unit(xy[2] - xy[1]), _unit(xy[3] - xy[0])
    if ref is None or mov is None:
        return frame_bgr
    start = math.degrees(math.atan2(ref[1], ref[0]))
    sweep = math.degrees(math.atan2(ref[0] * mov[1] - ref[1] * mov[0], float(ref @ mov)))
    s = _scale(frame_bgr)
    radius = max(8, round(40 * s))
    centre = (round(xy[0, 0]), round(xy[0, 1]))
    cv2.ellipse(
        frame_bgr,
        centre,
        (radius, radius),
        0,
        start,
        start + sweep,
        ARC_COLOUR,
        max(1, round(3 * s)),
        cv2.LINE_AA,
    )
    if value is not None and math.isfinite(value):
        mid = math.radians(start + sweep / 2)
        at = (
            round(centre[0] + 1.5 * radius * math.cos(mid)),
            round(centre[1] + 1.5 * radius * math.sin(mid)),
        )
        _text(frame_bgr, f"{value:.0f}", at, 0.8 * s, ARC_COLOUR, outline=True)
    return frame_bgr


def _text(
    frame: np.ndarray,
    text: str,
    org: tuple[int, int],
    scale: float,
    colour: tuple[int, int, int],
    *,
    outline: bool = False,
    thickness: int | None = None,
) -> int:
    """Put text with its baseline-left corner at ``org``; returns the text width in pixels."""
    th = thickness or max(1, round(2 * scale))
    if outline:
        cv2.putText(frame, text, org, FONT, scale, (0, 0, 0), th + 2, cv2.LINE_AA)
    cv2.putText(frame, text, org, FONT, scale, colour, th, cv2.LINE_AA)
    return int(cv2.getTextSize(text, FONT, scale, th)[0][0])


def _shade(frame: np.ndarray, x0: int, y0: int, x1: int, y1: int, alpha: float = 0.6) -> None:
    """Darken a rectangle (blend with PANEL_COLOUR) only over its own region, for speed."""
    h, w = frame.shape[:2]
    x0, x1, y0, y1 = max(0, x0), min(w, x1), max(0, y0), min(h, y1)
    if x1 <= x0 or y1 <= y0:
        return
    roi = frame[y0:y1, x0:x1]
    panel = np.empty_like(roi)
    panel[:] = PANEL_COLOUR
    cv2.addWeighted(panel, alpha, roi, 1.0 - alpha, 0.0, dst=roi)


def _format_value(metric_id: str, value: float) -> tuple[str, str]:
    spec = METRICS_BY_ID.get(metric_id)
    unit = spec.unit if spec is not None else "deg"
    if not math.isfinite(value):
        return "--", unit
    return (f"{value:.0f}" if unit == "deg" else f"{value:.1f}"), unit


def _label(metric_id: str) -> str:
    spec = METRICS_BY_ID.get(metric_id)
    return spec.label if spec is not None else metric_id.replace("_", " ")


def _draw_value(
    frame: np.ndarray, metric_id: str, value: float, org: tuple[int, int], scale: float
) -> int:
    """Digits then unit (a drawn degree ring for ``deg``); returns the width used."""
    digits, unit = _format_value(metric_id, value)
    width = _text(frame, digits, org, scale, TEXT_COLOUR)
    if digits == "--":
        return width
    if unit == "deg":
        r = max(2, round(5 * scale))
        top = org[1] - round(17 * scale)
        cv2.circle(frame, (org[0] + width + r + 2, top), r, TEXT_COLOUR, max(1, round(scale)))
        return width + 2 * r + 4
    unit_org = (org[0] + width + round(4 * scale), org[1])
    return width + _text(frame, unit, unit_org, 0.5 * scale, TEXT_COLOUR) + round(4 * scale)


def draw_readout(
    frame_bgr: np.ndarray,
    readings: Mapping[str, float],
    view: str,
    warnings: Sequence[str] = (),
    *,
    headline: str | None = None,
    max_rows: int = 4,
    placer: PanelPlacer | None = None,
    landmarks: np.ndarray | None = None,
) -> np.ndarray:
    """Draw the live readout panel and the view / warning banner (top).

    Args:
        readings: metric id -> current value in the metric's unit (NaN shows ``--``). The
            ``headline`` metric (default: the first key) is shown with big digits; up to
            ``max_rows - 1`` others follow in smaller type.
        view: value of the ``view`` column (``front``, ``side_left``, ...).
        warnings: short cues such as "turn sideways" or "2 people in frame", shown in the
            banner in amber.
        placer: puts the panel in the corner that covers the subject least (its state keeps
            the corner steady from frame to frame); None = bottom left.
        landmarks: the subject's (33, 4) normalised landmarks, for ``placer``.
    Returns the frame, drawn in place.
    """
    _draw_banner(frame_bgr, view, warnings)
    if readings:
        first = headline if headline is not None and headline in readings else next(iter(readings))
        others = [k for k in readings if k != first][: max(0, max_rows - 1)]
        _draw_panel(frame_bgr, first, readings, others, placer, landmarks)
    return frame_bgr


def _draw_banner(frame: np.ndarray, view: str, warnings: Sequence[str]) -> None:
    s = _scale(frame)
    height = round(36 * s)
    _shade(frame, 0, 0, frame.shape[1], height, 0.55)
    x = round(12 * s)
    base = round(26 * s)
    x += _text(frame, VIEW_LABELS.get(view, view), (x, base), 0.7 * s, TEXT_COLOUR)
    for warning in warnings:
        x += round(24 * s)
        x += _text(frame, warning, (x, base), 0.7 * s, WARN_COLOUR)


#: Least width (px at 720p) of the small value column, so that short values line up; longer
#: values push their label right.
_VALUE_COLUMN = 60


def _text_width(text: str, scale: float) -> int:
    return int(cv2.getTextSize(text, FONT, scale, max(1, round(2 * scale)))[0][0])


def _panel_size(
    frame: np.ndarray, first: str, readings: Mapping[str, float], others: Sequence[str]
) -> tuple[int, int]:
    """(width, height) in px of the panel: as wide as its text (at most 440 px at 720p), so
    that it leaves as much of a narrow portrait frame free as it can."""
    s = _scale(frame)
    digits = _format_value(first, readings[first])[0]
    widths = [_text_width(_label(first), 0.6 * s), _text_width(digits, 2.2 * s) + round(20 * s)]
    for mid in others:
        used = max(
            _text_width(_format_value(mid, readings[mid])[0], 0.75 * s) + round(16 * s),
            round(_VALUE_COLUMN * s),
        )
        widths.append(used + round(10 * s) + _text_width(_label(mid), 0.55 * s))
    width = min(round(440 * s), max(widths) + round(24 * s))
    height = round(28 * s) + round(70 * s) + round(30 * s) * len(others) + round(12 * s)
    return width, height


def _draw_panel(
    frame: np.ndarray,
    first: str,
    readings: Mapping[str, float],
    others: Sequence[str],
    placer: PanelPlacer | None,
    landmarks: np.ndarray | None,
) -> None:
    s = _scale(frame)
    h, w = frame.shape[:2]
    row = round(30 * s)
    big = round(70 * s)
    size = _panel_size(frame, first, readings, others)
    margin, top = round(12 * s), round(36 * s)
    if placer is None:
        x0, y0 = corner_rect("bottom_left", (w, h), size, margin, top)[:2]
    else:
        x0, y0 = placer.place(landmarks, (w, h), size, margin=margin, top=top)[:2]
    _shade(frame, x0, y0, x0 + size[0], y0 + size[1])
    x = x0 + round(12 * s)
    y = y0 + round(24 * s)
    _text(frame, _label(first), (x, y), 0.6 * s, TEXT_COLOUR)
    y += big
    _draw_value(frame, first, readings[first], (x, y), 2.2 * s)
    for mid in others:
        y += row
        used = _draw_value(frame, mid, readings[mid], (x, y), 0.75 * s)
        _text(
            frame,
            _label(mid),
            (x + max(used, round(_VALUE_COLUMN * s)) + round(10 * s), y),
            0.55 * s,
            (200, 200, 200),
        )


def draw_hold_cue(
    frame_bgr: np.ndarray,
    phase: str,
    progress: float,
    captured: float | None,
    unit: str,
    held: float = math.nan,
) -> np.ndarray:
    """Draw the capture cue across the top of the frame (in place); returns the frame.

    Amber bar filling while the end range is held (blue for the neutral), the held value once
    the hold is long enough, and a green bar with the value once the trial is captured.
    """
    h, w = frame_bgr.shape[:2]
    bar_h = max(18, h // 16)
    # Just under the view/warning banner of draw_readout (36 px at 720p), clear of
    # the readout panel at the bottom left (the live view does not move the panel).
    y0 = round(36 * _scale(frame_bgr)) + 6
    y1 = y0 + bar_h
    fill_colour = (200, 140, 0) if phase == "neutral" else (0, 190, 255)
    if captured is not None:
        fill_colour, progress = (40, 170, 40), 1.0
        text = f"CAPTURED {captured:.0f} {unit}" if math.isfinite(captured) else "CAPTURED"
    elif phase == "neutral":
        text = "NEUTRAL: look straight ahead and keep still"
    elif progress >= 1.0 and math.isfinite(held):
        text = f"HELD {held:.0f} {unit} - now return to the start"
    else:
        text = "HOLD still..." if progress > 0 else "Move to the end range and hold"
    cv2.rectangle(frame_bgr, (6, y0), (6 + int((w - 12) * progress), y1), fill_colour, -1)
    scale = bar_h / 34
    cv2.putText(
        frame_bgr,
        text,
        (14, y1 - bar_h // 4),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (255, 255, 255),
        max(1, round(2 * scale)),
        cv2.LINE_AA,
    )
    return frame_bgr
