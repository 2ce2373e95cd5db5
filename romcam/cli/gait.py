"""``romcam gait VIDEO --out DIR``: a side-view walk's timing, knee and hip curves and symmetry."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from romcam.cli.common import db_option, open_store
from romcam.errors import InputError, RomcamError

if TYPE_CHECKING:  # numpy and the analysis behind these: imported when the command runs
    from romcam.core.gait_metrics import GaitResult
    from romcam.core.landmarks import PoseSequence

GAIT_VIDEO = "gait_events.mp4"
LANDMARKS = "landmarks.csv"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``gait`` command."""
    p = subparsers.add_parser(
        "gait",
        parents=[db_option()],
        help="gait of a side-view walk: cadence, stance, knee and hip curves, symmetry",
        description=(
            "Find each foot's heel strikes and toe offs in a walk filmed from the side "
            "(Zeni et al. 2008, adapted to 2-D) and write gait.json (per leg: cadence, step and "
            "stride time, stance %, key knee and hip angles; symmetry), cycles.csv (each "
            "cycle's knee and hip curves at 0-100 %), gait.png and gait.html (mean ± SD curves "
            "of both legs on a normative band), landmarks.csv and gait_events.mp4 (the events "
            "marked) into --out. INPUT may also be a landmarks.csv from `romcam analyze` (no "
            "model run, no video written). See docs/gait.md."
        ),
    )
    p.add_argument("input", type=Path, metavar="INPUT", help="video file, or a landmarks.csv")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: <name>_gait)")
    p.add_argument("--model", type=Path, default=None, help="pose model .task file")
    p.add_argument(
        "--calibration",
        default=None,
        metavar="NAME",
        help="saved calibration profile to apply: its scale gives the step length in cm",
    )
    p.add_argument(
        "--view",
        choices=("side", "front"),
        default="side",
        help="side (default): timing, knee and hip curves of a walk across the picture; "
        "front: pelvic drop and trunk lean per stance side of a walk toward the camera",
    )
    p.add_argument("--max-seconds", type=float, default=None, metavar="S")
    p.add_argument("--no-video", action="store_true", help=f"do not write {GAIT_VIDEO}")
    p.add_argument(
        "--session",
        type=int,
        default=None,
        metavar="N",
        help="also store the walk's values per leg in session N as the gait test (side view; "
        "the curves kept for later visits)",
    )
    p.add_argument("--phase", default="before", help="with --session: before, after or a label")
    p.set_defaults(func=run_gait)


def run_gait(args: argparse.Namespace) -> int:
    from romcam.gait_output import load_walk, side_view_gait, write_gait_files
    from romcam.output_paths import check_writable_dir, refuse_input_as_output

    src: Path = args.input
    if args.max_seconds is not None and not args.max_seconds > 0:
        raise InputError(f"--max-seconds must be > 0; got {args.max_seconds}")
    if args.session is not None:
        if args.view == "front":
            raise InputError("--session stores a side-view walk; drop --view front or --session")
        from romcam.store.records import check_label

        check_label("--phase", args.phase)
        with open_store(args) as store:  # a wrong session is said before the walk is analysed
            store.get_session(args.session)
    out = args.out if args.out is not None else src.with_name(f"{src.stem}_gait")
    check_writable_dir(out, option="--out")
    names = ("gait.json", "cycles.csv", "gait.png", "gait.html", LANDMARKS, GAIT_VIDEO)
    refuse_input_as_output([out / n for n in names], [src], fix="choose another --out folder")
    walk = load_walk(
        src, model_path=args.model, calibration=args.calibration, max_seconds=args.max_seconds
    )
    for warning in walk.warnings:
        print(f"romcam: warning: {warning}", file=sys.stderr)
    if args.view == "front":
        return _front(src, out, walk.pose, walk.roll_deg, walk.video)
    result = side_view_gait(walk, str(src))
    out.mkdir(parents=True, exist_ok=True)
    write_gait_files(out, result, walk.video, title=f"Gait: {src.name}")
    if src.suffix.lower() != ".csv":
        _write_landmarks_and_video(src, out, walk.pose, result, args)
    _print_report(result, out)
    if args.session is not None:
        _store(args, src, out, walk.video)
    return 0


def _store(args: argparse.Namespace, src: Path, out: Path, video: dict[str, Any]) -> None:
    """Store the walk written to ``out`` in ``--session`` (the files in ``out`` stay either way)."""
    from romcam.store.from_gait import save_gait

    is_csv = src.suffix.lower() == ".csv"
    landmarks = src if is_csv else out / LANDMARKS
    try:
        with open_store(args) as store:
            saved = save_gait(
                store,
                args.session,
                out,
                phase=args.phase,
                calibration=args.calibration,
                video=None if is_csv else src,
                landmarks=landmarks if landmarks.is_file() else None,
                duration_s=video.get("duration_s"),
            )
    except RomcamError:
        print(f"romcam: the walk's files stay in {out}; nothing was stored", file=sys.stderr)
        raise
    print(f"Stored {len(saved)} gait values in session {args.session} ({args.phase})")


def _front(src: Path, out: Path, pose: PoseSequence, roll: float, video_doc: dict[str, Any]) -> int:
    """``--view front``: gait.json with pelvic drop and trunk lean per stance side."""
    import json

    from romcam.core.gait_front import front_view_gait
    from romcam.gait_output import GAIT_JSON, front_document
    from romcam.paths import atomic_write_text

    result = front_view_gait(pose, roll_deg=roll)
    if result.status != "ok":
        raise InputError(f"{src}: {result.message}")
    doc = front_document(result, video_doc)
    atomic_write_text(out / GAIT_JSON, json.dumps(doc, indent=2, allow_nan=False) + "\n")
    print(f"{'stance side':34}{'left':>8}{'right':>8}")
    for label, key in (
        ("stances", "n_stances"),
        ("pelvic drop (deg)", "pelvic_drop_deg"),
        ("trunk lean toward stance (deg)", "trunk_lean_deg"),
    ):
        cells = ["–" if doc[s][key] is None else f"{doc[s][key]:.0f}" for s in ("left", "right")]
        print(f"{label:34}{cells[0]:>8}{cells[1]:>8}")
    print(f"\nResults written to {out}")
    return 0


def _write_landmarks_and_video(
    src: Path, out: Path, pose: PoseSequence, result: GaitResult, args: argparse.Namespace
) -> None:
    from romcam.media.landmark_csv import write_landmarks_csv

    write_landmarks_csv(out / LANDMARKS, pose)
    if not args.no_video:
        from romcam.media.gait_video import write_gait_video

        tmp = out / f".{GAIT_VIDEO}.partial.mp4"
        write_gait_video(src, tmp, result, max_seconds=args.max_seconds)
        tmp.replace(out / GAIT_VIDEO)


def _print_report(result: GaitResult, out: Path) -> None:
    rows = (
        ("cycles", "n_cycles", "{:.0f}"),
        ("cadence (steps/min)", "cadence_steps_per_min", "{:.0f}"),
        ("step time (s)", "step_time_s", "{:.2f}"),
        ("stride time (s)", "stride_time_s", "{:.2f}"),
        ("stance (%)", "stance_pct", "{:.0f}"),
        ("step length (cm)", "step_length_cm", "{:.0f}"),
        ("knee flexion at loading (deg)", "knee_flexion_loading_deg", "{:.0f}"),
        ("peak knee flexion in swing (deg)", "peak_knee_flexion_swing_deg", "{:.0f}"),
        ("peak hip extension (deg)", "peak_hip_extension_deg", "{:.0f}"),
    )
    print(f"{'':34}{'left':>8}{'right':>8}")
    for label, key, fmt in rows:
        cells = []
        for side in ("left", "right"):
            v = getattr(result.sides[side], key)
            cells.append("–" if v is None or v != v else fmt.format(v))
        print(f"{label:34}{cells[0]:>8}{cells[1]:>8}")
    for note in result.notes:
        print(f"\n{note}")
    for warning in result.warnings:
        print(f"romcam: warning: {warning}", file=sys.stderr)
    print(f"\nResults written to {out}")
