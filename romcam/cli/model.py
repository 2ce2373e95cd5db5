"""``romcam model``: show which model files are used, or download an official one."""

from __future__ import annotations

import argparse

from romcam.errors import ModelError
from romcam.pose.model_files import (
    VARIANTS,
    download_face_model,
    download_model,
    resolve_face_model,
    resolve_model,
)

#: What ``romcam model download`` fetches: a pose variant, or the face model.
DOWNLOADS = (*VARIANTS, "face")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``model path``, ``model list`` and ``model download`` to the romcam command line."""
    parser = subparsers.add_parser("model", help="show or download the pose and face models")
    sub = parser.add_subparsers(dest="model_command", required=True, metavar="ACTION")

    path = sub.add_parser("path", help="print the path of the model file that would be used")
    path.add_argument(
        "which",
        nargs="?",
        choices=("pose", "face"),
        default="pose",
        help="pose (default) or face (the head pose of the neck tests)",
    )
    path.add_argument("--model", default=None, help="explicit pose model file to check")
    path.add_argument(
        "--variant", choices=VARIANTS, default=None, help="look for this variant (default: full)"
    )
    path.add_argument("--face-model", default=None, help="explicit face model file to check")
    path.set_defaults(func=_path)

    listing = sub.add_parser("list", help="print each model romcam uses and its file")
    listing.add_argument("--model", default=None, help="explicit pose model file to check")
    listing.add_argument("--face-model", default=None, help="explicit face model file to check")
    listing.set_defaults(func=_list)

    download = sub.add_parser(
        "download", help="download an official MediaPipe model into the user cache"
    )
    download.add_argument(
        "variant", choices=DOWNLOADS, help="pose model size (lite, full, heavy) or face"
    )
    download.add_argument(
        "--timeout", type=float, default=30.0, help="network timeout in seconds (default 30)"
    )
    download.set_defaults(func=_download)


def _path(args: argparse.Namespace) -> int:
    if args.which == "face":
        print(resolve_face_model(args.face_model))
    else:
        print(resolve_model(args.model, args.variant))
    return 0


def _list(args: argparse.Namespace) -> int:
    """One line per model: its role and its file, or why there is none (exit 2 then)."""
    status = 0
    for role, resolve in (
        ("pose", lambda: resolve_model(args.model)),
        ("face", lambda: resolve_face_model(args.face_model)),
    ):
        try:
            print(f"{role}  {resolve()}")
        except ModelError as exc:
            print(f"{role}  missing: {exc}")
            status = 2
    return status


def _download(args: argparse.Namespace) -> int:
    if args.variant == "face":
        print(download_face_model(timeout_s=args.timeout))
    else:
        print(download_model(args.variant, timeout_s=args.timeout))
    return 0
