"""``romcam model``: show which pose model is used, or download an official variant."""

from __future__ import annotations

import argparse

from romcam.pose.model_files import VARIANTS, download_model, resolve_model


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``model path`` and ``model download`` to the romcam command line."""
    parser = subparsers.add_parser("model", help="show or download the pose model")
    sub = parser.add_subparsers(dest="model_command", required=True, metavar="ACTION")

    path = sub.add_parser("path", help="print the path of the pose model that would be used")
    path.add_argument("--model", default=None, help="explicit model file to check")
    path.add_argument(
        "--variant", choices=VARIANTS, default=None, help="look for this variant (default: full)"
    )
    path.set_defaults(func=_path)

    download = sub.add_parser(
        "download", help="download an official MediaPipe pose model into the user cache"
    )
    download.add_argument("variant", choices=VARIANTS, help="model size: lite, full or heavy")
    download.add_argument(
        "--timeout", type=float, default=30.0, help="network timeout in seconds (default 30)"
    )
    download.set_defaults(func=_download)


def _path(args: argparse.Namespace) -> int:
    print(resolve_model(args.model, args.variant))
    return 0


def _download(args: argparse.Namespace) -> int:
    print(download_model(args.variant, timeout_s=args.timeout))
    return 0
