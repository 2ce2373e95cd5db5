"""A walk's files: gait.json (numbers), cycles.csv (every cycle's curves), gait.png/.html (plot).

gait.json: ``romcam_version``, ``video``, ``status``, ``notes``, ``warnings``, ``left`` and
``right`` (``cadence_steps_per_min``, ``step_time_s``, ``stride_time_s``, ``stance_pct``,
``swing_pct``, ``step_length_cm``, ``peak_knee_flexion_swing_deg``,
``knee_flexion_loading_deg``, ``peak_hip_extension_deg``, ``n_cycles``, ``events``: every
heel strike and toe off found, s; ``cycles_s``: each whole cycle's heel strike, toe off and
next heel strike, s), ``symmetry`` (``core.gait_metrics.symmetry``) and ``band``
(the normative band's source). Numbers are rounded; null where not measurable.
cycles.csv: one row per cycle, leg and joint: side, cycle, joint, start_s, toe_off_s, end_s,
stance_pct, then the angle at 0, 1, ..., 100 % of the cycle (deg).
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from romcam import __version__
from romcam.core.gait_cycles import PERCENT
from romcam.core.gait_events import FootEvents
from romcam.core.gait_front import FrontGait
from romcam.core.gait_metrics import GaitResult, SideGait, analyze_gait
from romcam.core.gait_norms import SOURCE, normative_band
from romcam.core.landmarks import PoseSequence
from romcam.errors import InputError
from romcam.paths import atomic_write_text

if TYPE_CHECKING:
    from romcam.calibration.profile import CalibrationProfile

GAIT_JSON = "gait.json"
CYCLES_CSV = "cycles.csv"
GAIT_PNG = "gait.png"
GAIT_HTML = "gait.html"
_KEYS = (
    "cadence_steps_per_min",
    "step_time_s",
    "stride_time_s",
    "stance_pct",
    "swing_pct",
    "step_length_cm",
    "peak_knee_flexion_swing_deg",
    "knee_flexion_loading_deg",
    "peak_hip_extension_deg",
)


@dataclass(frozen=True)
class Walk:
    """A walk's landmarks (lens-corrected), the camera's roll and scale, the video's info."""

    pose: PoseSequence
    video: dict[str, Any]
    roll_deg: float
    px_per_cm: float | None
    warnings: tuple[str, ...]


def load_walk(
    src: Path,
    *,
    model_path: Path | None = None,
    calibration: CalibrationProfile | str | None = None,
    max_seconds: float | None = None,
) -> Walk:
    """A walk from a video (the analysis pass, ``analysis.analyze_video``, writing nothing)
    or a landmarks.csv, with the calibration profile applied."""
    from romcam.analysis import analyze_video, resolve_calibration

    profile = resolve_calibration(calibration)
    if src.suffix.lower() == ".csv":
        from romcam.media.landmark_csv import read_landmarks_csv

        pose, video, warnings = read_landmarks_csv(src), {"path": str(src)}, tuple[str, ...]()
    else:
        done = analyze_video(
            src,
            None,
            model_path=model_path,
            calibration=profile,
            write_annotated=False,
            max_seconds=max_seconds,
        )
        pose, video, warnings = done.pose, done.video.to_dict(), done.warnings
    if profile is None:
        return Walk(pose, video, 0.0, None, tuple(warnings))
    from romcam.calibration.apply import undistort_pose

    pose = undistort_pose(pose, profile)
    scale = profile.px_per_cm_at(pose.image_width, pose.image_height)
    return Walk(pose, video, profile.roll_deg or 0.0, scale, tuple(warnings))


def side_view_gait(walk: Walk, name: str) -> GaitResult:
    """``core.gait_metrics.analyze_gait`` of the walk; InputError (one sentence naming
    ``name``) when it has no whole cycle."""
    result = analyze_gait(walk.pose, roll_deg=walk.roll_deg, px_per_cm=walk.px_per_cm)
    if result.status != "ok":
        also = "; for pelvic drop and trunk lean use --view front"
        raise InputError(f"{name}: {result.message}{also if result.status == 'front_view' else ''}")
    return result


def _num(x: float | None, digits: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def side_document(g: SideGait, events: FootEvents) -> dict[str, Any]:
    """One leg's entry of gait.json."""
    doc: dict[str, Any] = {k: _num(getattr(g, k)) for k in _KEYS}
    doc["n_cycles"] = g.n_cycles
    doc["events"] = {
        "heel_strikes_s": [_num(t, 3) for t in events.heel_strikes_s],
        "toe_offs_s": [_num(t, 3) for t in events.toe_offs_s],
    }
    doc["cycles_s"] = [[_num(t, 3) for t in (c.start_s, c.toe_off_s, c.end_s)] for c in g.cycles]
    return doc


def gait_document(result: GaitResult, video: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content of gait.json (module doc)."""
    return {
        "romcam_version": __version__,
        "video": video,
        "status": result.status,
        "notes": list(result.notes),
        "warnings": list(result.warnings),
        "left": side_document(result.sides["left"], result.track.events["left"]),
        "right": side_document(result.sides["right"], result.track.events["right"]),
        "symmetry": {k: _num(v) for k, v in result.symmetry.items()},
        "symmetry_formula": "SI = 100 x (right - left) / (0.5 x (right + left)) % "
        "(Robinson et al. 1987); *_right_minus_left in deg",
        "band": SOURCE,
    }


def front_document(result: FrontGait, video: dict[str, Any] | None = None) -> dict[str, Any]:
    """gait.json of a front-view walk (``romcam gait --view front``): per stance side
    ``n_stances``, ``pelvic_drop_deg``, ``trunk_lean_deg`` and the heel strike times."""
    doc: dict[str, Any] = {"romcam_version": __version__, "video": video, "view": "front"}
    for side, s in result.sides.items():
        doc[side] = {
            "n_stances": s.n_stances,
            "pelvic_drop_deg": _num(s.pelvic_drop_deg),
            "trunk_lean_deg": _num(s.trunk_lean_deg),
            "heel_strikes_s": [_num(t, 3) for t in result.events[side].heel_strikes_s],
        }
    return doc


def cycles_csv_text(result: GaitResult) -> str:
    """The content of cycles.csv (module doc)."""
    head = ["side", "cycle", "joint", "start_s", "toe_off_s", "end_s", "stance_pct"]
    lines = [",".join(head + [f"pct_{int(p)}" for p in PERCENT])]
    for side, g in result.sides.items():
        for i, c in enumerate(g.cycles):
            for joint, curves in (("knee", g.knee_curves), ("hip", g.hip_curves)):
                cells = [side, str(i + 1), joint] + [
                    f"{v:.3f}" for v in (c.start_s, c.toe_off_s, c.end_s, c.stance_pct)
                ]
                cells += ["" if not np.isfinite(v) else f"{v:.2f}" for v in curves[i]]
                lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def plot_png(result: GaitResult, title: str) -> bytes:
    """Knee and hip flexion, mean ± SD of each leg over its cycles, on the normative band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    colours = {"left": "#2878ff", "right": "#ff8c1e"}  # the skeleton's left blue, right orange
    for ax, joint in zip(axes, ("knee", "hip"), strict=True):
        mean, sd = normative_band(joint)
        ax.fill_between(PERCENT, mean - sd, mean + sd, color="0.85", label="normal (approx.)")
        for side, g in result.sides.items():
            m, s = g.mean_sd(joint)
            if not np.isfinite(m).any():
                continue
            label = f"{side} (n={g.n_cycles})"
            ax.plot(PERCENT, m, color=colours[side], lw=2, label=label)
            ax.fill_between(PERCENT, m - s, m + s, color=colours[side], alpha=0.2)
            ax.axvline(g.stance_pct, color=colours[side], ls=":", lw=1)
        ax.set_title(f"{joint.capitalize()} flexion (deg)")
        ax.set_xlabel("% of gait cycle (heel strike to heel strike; dotted: toe off)")
        ax.set_xlim(0, 100)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
    fig.suptitle(title, fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def html_page(doc: dict[str, Any], png: bytes, title: str) -> str:
    """A self-contained page: the plot, the numbers per leg, symmetry, notes and warnings."""
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td><td>{_cell(doc['left'][k])}</td>"
        f"<td>{_cell(doc['right'][k])}</td></tr>"
        for k in (*_KEYS, "n_cycles")
    )
    sym = "".join(f"<li>{html.escape(k)}: {_cell(v)}</li>" for k, v in doc["symmetry"].items())
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in doc["notes"] + doc["warnings"])
    img = base64.b64encode(png).decode("ascii")
    return (
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<h1>{html.escape(title)}</h1><img alt='knee and hip curves' "
        f"src='data:image/png;base64,{img}' style='max-width:100%'>"
        f"<table border=1 cellpadding=4><tr><th></th><th>left</th><th>right</th></tr>{rows}"
        f"</table><h2>Symmetry</h2><p>{html.escape(doc['symmetry_formula'])}</p><ul>{sym}</ul>"
        f"<h2>Notes</h2><ul>{notes or '<li>none</li>'}</ul>"
        f"<p><small>Band: {html.escape(doc['band'])}</small></p>\n"
    )


def _cell(v: object) -> str:
    return "–" if v is None else html.escape(str(v))


def write_gait_files(
    out: Path, result: GaitResult, video: dict[str, Any], title: str
) -> dict[str, Path]:
    """Write gait.json, cycles.csv, gait.png and gait.html into ``out``; name -> path."""
    doc = gait_document(result, video)
    paths = {name: out / name for name in (GAIT_JSON, CYCLES_CSV, GAIT_PNG, GAIT_HTML)}
    atomic_write_text(paths[GAIT_JSON], json.dumps(doc, indent=2, allow_nan=False) + "\n")
    atomic_write_text(paths[CYCLES_CSV], cycles_csv_text(result))
    png = plot_png(result, title)
    tmp = out / f".{GAIT_PNG}.partial"
    tmp.write_bytes(png)
    tmp.replace(paths[GAIT_PNG])
    atomic_write_text(paths[GAIT_HTML], html_page(doc, png, title))
    return paths
