"""The ``romcam`` command line: one sub-module per command group, each with ``register``."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType

from romcam import __version__
from romcam.errors import RomcamError
from romcam.output_paths import os_error_sentence

log = logging.getLogger(__name__)

#: Exit status after SIGTERM (128 + 15, as a shell reports a process it terminated).
EXIT_TERMINATED = 128 + signal.SIGTERM

# Each module exposes register(subparsers) and sets `func(args) -> int` on its parsers; the
# order here is the order of the commands in --help.
_COMMAND_MODULES = (
    "romcam.cli.analyze",
    "romcam.cli.model",
    "romcam.cli.clients",
    "romcam.cli.measure",
    "romcam.cli.trials",
    "romcam.cli.outcomes",
    "romcam.cli.retest",
    "romcam.cli.calibrate",
    "romcam.cli.gait",
    "romcam.cli.plan",
    "romcam.cli.home",
    "romcam.cli.import_results",
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
        with _sigterm_unwinds():
            return int(args.func(args) or 0)
    except RomcamError as exc:
        print(f"romcam: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file-system failure no check foresaw: still one sentence
        log.debug("file-system error", exc_info=True)
        print(f"romcam: error: {os_error_sentence(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("romcam: interrupted", file=sys.stderr)
        return 130
    except Terminated:
        print("romcam: terminated", file=sys.stderr)
        return EXIT_TERMINATED


class Terminated(BaseException):
    """SIGTERM arrived. Raised in the main thread so that, as after Ctrl+C, every ``finally``
    runs and a run's staging folder is removed; a BaseException so no ``except Exception``
    swallows it."""


@contextlib.contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """While the command runs, SIGTERM raises Terminated (once: a second SIGTERM during the
    clean-up is ignored; SIGKILL still ends the process at once)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set in the main thread
        return

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise Terminated

    previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
