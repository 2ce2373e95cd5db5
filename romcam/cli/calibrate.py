"""``romcam calibrate``: make and inspect calibration profiles (level, scale, lens) and targets."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.errors import InputError
from romcam.output_paths import check_writable_dir

if TYPE_CHECKING:  # OpenCV behind these: imported when a step runs, not for --help
    from romcam.calibration.profile import CalibrationProfile
    from romcam.calibration.scale import ScaleEstimate


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``calibrate`` and its sub-commands to the ``romcam`` parser."""
    parser = subparsers.add_parser(
        "calibrate",
        help="calibrate a camera set-up: level, scale, lens; print targets",
        description="Create or update a named calibration profile, or print the targets.",
    )
    sub = parser.add_subparsers(dest="calibrate_command", required=True, metavar="STEP")
    _register_lens(sub)
    _register_level(sub)
    _register_scale(sub)
    show = sub.add_parser("show", help="print a profile")
    show.add_argument("name", metavar="NAME")
    show.add_argument("--json", action="store_true", help="print the stored JSON")
    show.set_defaults(func=_run_show)
    delete = sub.add_parser("delete", help="delete a profile")
    delete.add_argument("name", metavar="NAME")
    delete.set_defaults(func=_run_delete)
    listing = sub.add_parser("list", help="list the stored profiles")
    listing.set_defaults(func=_run_list)
    targets = sub.add_parser("targets", help="write the printable checkerboard and marker")
    targets.add_argument("--out", type=Path, required=True, metavar="DIR")
    targets.set_defaults(func=_run_targets)


def _add_name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--name",
        required=True,
        metavar="NAME",
        help="profile to create or update (other parts of an existing profile are kept)",
    )
    parser.add_argument("--notes", metavar="TEXT", help="free text stored with the profile")


def _save(profile: CalibrationProfile, args: argparse.Namespace) -> Path:
    from romcam.calibration.profile import save_profile

    if args.notes is not None:
        profile = replace(profile, notes=args.notes)
    return save_profile(profile)


def _register_lens(sub: argparse._SubParsersAction) -> None:
    lens = sub.add_parser(
        "lens", help="lens intrinsics and distortion from checkerboard pictures or a video"
    )
    lens.add_argument("inputs", nargs="+", type=Path, metavar="IMAGES_OR_VIDEO")
    _add_name(lens)
    lens.add_argument("--cols", type=int, default=9, help="inner corners across (default 9)")
    lens.add_argument("--rows", type=int, default=6, help="inner corners down (default 6)")
    lens.add_argument("--square-mm", type=float, default=25.0, help="square side (default 25)")
    lens.add_argument(
        "--max-frames", type=int, default=40, help="frames sampled from a video (default 40)"
    )
    lens.set_defaults(func=_run_lens)


def _register_level(sub: argparse._SubParsersAction) -> None:
    level = sub.add_parser(
        "level", help="camera roll (and pitch with a lens) from a marker, an edge or a value"
    )
    source = level.add_mutually_exclusive_group(required=True)
    source.add_argument("--image", type=Path, metavar="IMG", help="picture from the camera")
    source.add_argument("--video", type=Path, metavar="V", help="clip from the camera")
    source.add_argument(
        "--degrees",
        type=float,
        metavar="X",
        help="camera tilt read from a phone level: positive when the camera's right side "
        "(seen from behind it) is lower",
    )
    _add_name(level)
    level.add_argument(
        "--method",
        choices=("auto", "marker", "edge"),
        default="auto",
        help="level reference: a level ArUco marker on the wall, a vertical edge such as a door "
        "frame, or auto (marker if one is visible; default)",
    )
    level.set_defaults(func=_run_level)


def _register_scale(sub: argparse._SubParsersAction) -> None:
    scale = sub.add_parser(
        "scale", help="pixels per cm at the subject's plane from a marker or the subject's height"
    )
    scale.add_argument(
        "--marker-image",
        type=Path,
        metavar="IMG",
        help="picture of the marker held flat, face-on, where the subject stands",
    )
    scale.add_argument("--marker-cm", type=float, metavar="S", help="printed marker side, cm")
    scale.add_argument("--height-cm", type=float, metavar="H", help="subject's height, cm")
    scale.add_argument("--landmarks", type=Path, metavar="CSV", help="landmark file (analyze)")
    _add_name(scale)
    scale.set_defaults(func=_run_scale)


def _run_lens(args: argparse.Namespace) -> int:
    from romcam.calibration.profile import load_or_new_profile
    from romcam.calibration.steps import describe, lens_step
    from romcam.calibration.targets import CheckerboardSpec
    from romcam.media.pictures import load_pictures

    spec = CheckerboardSpec(args.cols, args.rows, args.square_mm)
    pictures = load_pictures(list(args.inputs), args.max_frames)
    where = ", ".join(p.name for p in args.inputs)
    profile, result = lens_step(load_or_new_profile(args.name), pictures, spec, where=where)
    path = _save(profile, args)
    print(
        f"lens: {result.n_views} usable views of {result.n_pictures}, reprojection error "
        f"{result.rms_px:.3f} px RMS"
    )
    print(describe(profile))
    print(f"saved {path}")
    return 0


def _run_level(args: argparse.Namespace) -> int:
    from romcam.calibration.profile import load_or_new_profile
    from romcam.calibration.steps import level_step
    from romcam.media.pictures import load_pictures, read_gray

    profile = load_or_new_profile(args.name)
    if args.degrees is not None:
        profile, estimate = level_step(profile, degrees=args.degrees)
    elif args.image is not None:
        pictures = [read_gray(args.image)]
        profile, estimate = level_step(profile, pictures, method=args.method, where=args.image.name)
    else:
        pictures = load_pictures([args.video])
        profile, estimate = level_step(profile, pictures, method=args.method, where=args.video.name)
    path = _save(profile, args)
    pitch = "unknown (needs a lens profile and a marker)"
    if estimate.pitch_deg is not None:
        pitch = f"{estimate.pitch_deg:+.2f} deg"
    print(f"level: roll {estimate.roll_deg:+.2f} deg, pitch {pitch} ({estimate.source})")
    print(f"saved {path}")
    return 0


def _scale_step(
    args: argparse.Namespace, profile: CalibrationProfile
) -> tuple[CalibrationProfile, ScaleEstimate]:
    from romcam.calibration.scale import scale_from_height
    from romcam.calibration.steps import marker_scale_step, with_scale
    from romcam.media.landmark_csv import read_landmarks_csv
    from romcam.media.pictures import read_gray

    by_marker = args.marker_image is not None or args.marker_cm is not None
    by_height = args.height_cm is not None or args.landmarks is not None
    if by_marker == by_height:
        raise InputError(
            "give either --marker-image IMG --marker-cm S, or --height-cm H --landmarks CSV"
        )
    if by_marker:
        if args.marker_image is None or args.marker_cm is None:
            raise InputError("--marker-image and --marker-cm must be given together")
        gray = read_gray(args.marker_image)
        return marker_scale_step(profile, gray, args.marker_cm, where=args.marker_image.name)
    if args.height_cm is None or args.landmarks is None:
        raise InputError("--height-cm and --landmarks must be given together")
    estimate = scale_from_height(
        read_landmarks_csv(args.landmarks), args.height_cm, where=args.landmarks.name
    )
    return with_scale(profile, estimate), estimate


def _run_scale(args: argparse.Namespace) -> int:
    from romcam.calibration.profile import load_or_new_profile

    profile, estimate = _scale_step(args, load_or_new_profile(args.name))
    path = _save(profile, args)
    w, h = estimate.image_size
    print(f"scale: {estimate.px_per_cm:.3f} px/cm at {w}x{h} ({estimate.source})")
    print(f"saved {path}")
    return 0


def _run_show(args: argparse.Namespace) -> int:
    from romcam.calibration.profile import load_profile, profile_to_dict
    from romcam.calibration.steps import describe

    profile = load_profile(args.name)
    if args.json:
        print(json.dumps(profile_to_dict(profile), indent=2))
    else:
        print(describe(profile))
    return 0


def _run_delete(args: argparse.Namespace) -> int:
    from romcam.calibration.profile import delete_profile

    delete_profile(args.name)
    print(f"deleted calibration profile {args.name!r}")
    return 0


def _run_list(args: argparse.Namespace) -> int:
    from romcam.calibration.profile import list_profiles

    names = list_profiles()
    if not names:
        print("no calibration profiles yet; create one with `romcam calibrate level|scale|lens`")
    for name in names:
        print(name)
    return 0


def _run_targets(args: argparse.Namespace) -> int:
    from romcam.calibration.targets import write_targets

    check_writable_dir(args.out, option="--out")
    for path in write_targets(args.out):
        print(path)
    print("print at 100 % (no fit-to-page) and check the squares with a ruler")
    return 0
