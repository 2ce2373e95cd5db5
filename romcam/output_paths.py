"""Checks every command makes before it writes, and file-system errors as one sentence.

A command calls these before its slow part, so a folder it cannot write or an output that is
one of its inputs is reported at once, never after minutes of work or as a traceback.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from romcam.errors import InputError

#: errno -> (what is wrong, what to do); the rest use the system's own words.
_REASONS: dict[int, tuple[str, str]] = {
    errno.EACCES: ("permission denied", "choose a place you can write to or fix its permissions"),
    errno.EPERM: ("permission denied", "choose a place you can write to or fix its permissions"),
    errno.EROFS: ("the file system is read-only", "choose a folder on a writable disk"),
    errno.ENOSPC: ("the disk is full", "free some space or choose another disk"),
    errno.EDQUOT: ("the disk quota is used up", "free some space or choose another disk"),
    errno.ENOTDIR: ("a part of the path is a file, not a folder", "choose a path of folders"),
    errno.EISDIR: ("it is a folder", "give a file name"),
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EEXIST: ("it already exists", "choose another name"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.EIO: ("the disk reported an input/output error", "check the disk or choose another"),
}


def os_error_reason(exc: OSError) -> tuple[str, str]:
    """(what is wrong, what to do) for ``exc``, in plain words."""
    if exc.errno in _REASONS:
        return _REASONS[exc.errno]
    words = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
    return words[:1].lower() + words[1:], "check the path and try again"


def os_error_sentence(exc: OSError) -> str:
    """One sentence naming the file ``exc`` is about, what is wrong and what to do."""
    reason, fix = os_error_reason(exc)
    where = exc.filename if exc.filename is not None else exc.filename2
    return f"{where}: {reason}; {fix}" if where is not None else f"{reason}; {fix}"


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one file: the same path after symlinks and ``..``, or hard
    links to one inode."""
    try:
        return Path(a).samefile(b)
    except OSError:  # one does not exist (yet): compare where the paths lead
        return os.path.realpath(a) == os.path.realpath(b)


def refuse_input_as_output(
    outputs: Iterable[Path], inputs: Iterable[Path | None], *, fix: str
) -> None:
    """InputError when an output would replace an input (or another output of the same run).

    ``fix`` says what to change, e.g. "choose another output folder (--out)".
    """
    given = [p for p in inputs if p is not None]
    seen: list[Path] = []
    for output in outputs:
        for source in given:
            if same_file(output, source):
                raise InputError(f"the output {output} is the input {source}; {fix}")
        for other in seen:
            if same_file(output, other):
                raise InputError(f"two outputs are the same file ({other}, {output}); {fix}")
        seen.append(output)


def check_writable_dir(path: Path, *, option: str) -> None:
    """InputError unless ``path`` is (or can be created as) a folder this process can write.

    Tries a real file in the nearest existing folder: permission bits say nothing for root,
    read-only mounts or network shares. Creates nothing that stays.
    """
    _check_folder(path, path, option)


def check_writable_file(path: Path, *, option: str) -> None:
    """InputError unless ``path`` can be written as a file (its folder writable, and not a
    folder or a device itself)."""
    if path.is_dir():
        raise InputError(f"{option} {path} is a folder; give a file name")
    if path.exists() and not path.is_file():
        raise InputError(f"{option} {path} is not a regular file; give a file name")
    refuse_read_only(path, option=option)
    _check_folder(path.parent, path, option)


def refuse_read_only(path: Path, *, option: str) -> None:
    """InputError when ``path`` is an existing file marked read-only: a rename would replace it
    anyway (only the folder's permission counts), but someone marked it so it stays."""
    if path.is_file() and not path.stat().st_mode & 0o222:
        raise InputError(
            f"{option} {path} is read-only; make it writable (chmod u+w) or choose another name"
        )


def _check_folder(folder: Path, given: Path, option: str) -> None:
    """InputError naming ``option`` and the path ``given`` unless ``folder`` (``given`` or its
    folder) can be made and written."""
    existing = folder.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        if existing == given.absolute():
            raise InputError(f"{option} {given} is a file, not a folder; give a folder")
        raise InputError(
            f"{option} {given} cannot be made: {existing} is a file, not a folder; "
            "give a path of folders"
        )
    try:
        fd, probe = tempfile.mkstemp(prefix=".romcam-probe-", dir=existing)
        os.close(fd)
        Path(probe).unlink()
    except OSError as exc:
        reason, fix = os_error_reason(exc)
        raise InputError(f"{option} {given}: cannot write in {existing}: {reason}; {fix}") from None
