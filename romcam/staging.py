"""Staging folders: where a run's files wait until they are complete, and what is cleaned up.

Every staging folder is private (0700) and its name carries the id of the process that made
it, ``<prefix><pid>-<random>``. A folder whose process is gone was left by a crash or a
``kill -9``: the next run that stages in the same place removes it. A live run's folder is
never touched. Where romcam stages what: docs/files.md.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from romcam.errors import InputError
from romcam.output_paths import os_error_reason, refuse_read_only
from romcam.paths import data_dir

log = logging.getLogger(__name__)

#: Folder of the data directory for intermediate files of commands such as ``measure``.
STAGING_DIR = "staging"
#: Name prefix of the hidden staging folder inside an output folder (``romcam analyze``).
OUTPUT_PREFIX = ".romcam-partial-"
_PREVIOUS = ".previous"


def pid_alive(pid: int) -> bool:
    """Whether a process with id ``pid`` exists on this machine."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def new_staging_dir(parent: Path, prefix: str) -> Path:
    """A new private (0700) folder ``parent/<prefix><pid>-<random>``."""
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def remove_stale_staging(parent: Path, prefix: str, *, unnamed_are_stale: bool = False) -> int:
    """Remove ``parent``'s staging folders named ``<prefix><pid>-*`` whose process is gone;
    returns how many. Folders of live processes are left alone, and so is anything else unless
    ``unnamed_are_stale`` (for folders romcam owns whole, such as ``uploads/``: an entry
    without a pid was left by an older romcam)."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in parent.iterdir():
            if not entry.name.startswith(prefix) or entry.is_symlink() or not entry.is_dir():
                continue
            pid = _owner_pid(entry.name[len(prefix) :])
            if (pid is None and unnamed_are_stale) or (pid is not None and not pid_alive(pid)):
                log.info("removing %s, left by a process that is gone", entry)
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
    return removed


def _owner_pid(name: str) -> int | None:
    """The pid of a ``<pid>-<random>`` name, None when the name carries none."""
    pid_text, dash, _ = name.partition("-")
    return int(pid_text) if dash and pid_text.isdigit() else None


@contextlib.contextmanager
def private_staging(kind: str) -> Iterator[Path]:
    """A private folder ``<data dir>/staging/<kind>-<pid>-<random>`` for one run's
    intermediate files (a client's landmarks and angles: never in the shared temp folder);
    removed on exit, and earlier runs' stale ``kind`` folders are removed first."""
    root = data_dir() / STAGING_DIR
    root.mkdir(mode=0o700, exist_ok=True)
    root.chmod(0o700)
    remove_stale_staging(root, f"{kind}-")
    path = new_staging_dir(root, f"{kind}-")
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


class OutputStaging:
    """A hidden private folder inside ``out_dir`` where a run writes its outputs.

    :meth:`commit` moves them into ``out_dir`` all together or not at all, and removes the
    files of ``names`` an earlier run left that this run did not produce (an old
    annotated.mp4 beside new tables would pass for this run's). Only files named in
    ``names`` are ever replaced or removed; a user's other files in ``out_dir`` stay.
    """

    def __init__(self, out_dir: Path, names: Sequence[str]) -> None:
        self.out_dir = out_dir
        self.names = tuple(names)
        self._made_out_dir = not out_dir.exists()
        self._keep = False  # set when a rollback could not restore a file: the copy is here
        out_dir.mkdir(parents=True, exist_ok=True)
        remove_stale_staging(out_dir, OUTPUT_PREFIX)
        self.check_targets()
        self.path = new_staging_dir(out_dir, OUTPUT_PREFIX)

    def check_targets(self) -> None:
        """InputError when one of ``names`` in ``out_dir`` is a folder (it cannot be replaced)."""
        for name in self.names:
            target = self.out_dir / name
            if target.is_dir() and not target.is_symlink():
                raise InputError(
                    f"{target} is a folder, so romcam cannot write its {name} there; "
                    "move that folder away or choose another output folder"
                )
            refuse_read_only(target, option="the earlier result")

    def commit(self, produced: Sequence[str]) -> dict[str, Path]:
        """Move ``produced`` (files in :attr:`path`) into ``out_dir``, replacing and removing
        the earlier run's files of ``names``; on failure put everything back and raise
        InputError. Returns name -> final path."""
        self.check_targets()
        aside = self.path / _PREVIOUS
        aside.mkdir()
        moved: list[str] = []
        placed: list[str] = []
        try:
            for name in self.names:
                if os.path.lexists(self.out_dir / name):
                    (self.out_dir / name).replace(aside / name)
                    moved.append(name)
            for name in produced:
                (self.path / name).replace(self.out_dir / name)
                placed.append(name)
        except OSError as exc:
            self._roll_back(placed, moved)
            reason, fix = os_error_reason(exc)
            raise InputError(
                f"could not put the results into {self.out_dir} ({exc.filename}: {reason}), "
                f"so the files there were left as they were; {fix}"
            ) from None
        self._made_out_dir = False
        return {name: self.out_dir / name for name in produced}

    def _roll_back(self, placed: list[str], moved: list[str]) -> None:
        for name in reversed(placed):
            with contextlib.suppress(OSError):
                (self.out_dir / name).replace(self.path / name)
        for name in moved:
            try:
                (self.path / _PREVIOUS / name).replace(self.out_dir / name)
            except OSError as exc:  # keep the staging folder: it holds the only copy
                log.warning("could not put %s back: %s; it is in %s", name, exc, self.path)
                self._keep = True

    def discard(self) -> None:
        """Remove the staging folder (and ``out_dir`` when this run made it and it is empty)."""
        if self._keep:
            return
        shutil.rmtree(self.path, ignore_errors=True)
        if self._made_out_dir:
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()  # only when empty: never a user's file
