"""The ``romcam`` command line: one sub-module per command group, each with ``register``."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from romcam import __version__
from romcam.errors import RomcamError

# Each module exposes register(subparsers) and sets `func(args) -> int` on its parsers; the
# order here is the order of the commands in --help.
_COMMAND_MODULES = (
    "romcam.cli.analyze",
    "romcam.cli.model",
    "romcam.cli.clients",
    "romcam.cli.measure",
    "romcam.cli.outcomes",
    "romcam.cli.calibrate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="romcam", description="Joint range of motion and posture from video."
    )
    parser.add_argument("--version", action="version", version=f"romcam {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log debug detail, and show the pose and face models' own log lines (hidden by "
        "default; ROMCAM_NATIVE_LOGS=1 also shows them)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse, run, and turn expected failures into one sentence and exit code 2."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except RomcamError as exc:
        print(f"romcam: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("romcam: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
