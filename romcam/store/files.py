"""Recording files kept beside the database, written so a crash never leaves an orphan.

Layout: ``<data dir>/recordings/<client file stem>/<session id>/<entry>/{video,landmarks,
angles}.*`` (see :func:`client_file_stem`), one *entry* directory per measurement. An entry is
built as ``.partial-<pid>-<uuid>`` (files copied under temporary names, fsynced, renamed)
holding a ``.pending-<pid>`` claim file, then renamed to its final name; the row is committed;
the claim is removed. So an entry that has no row is garbage exactly when no live process
claims it: :func:`sweep` removes those.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from romcam.paths import safe_filename
from romcam.staging import pid_alive

log = logging.getLogger(__name__)

RECORDINGS = "recordings"
_PARTIAL = ".partial-"
_PENDING = ".pending-"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class StagedEntry:
    """Files copied into a new entry; ``files`` maps role -> path relative to the data dir."""

    root: Path
    directory: Path
    files: dict[str, str]
    sha256: dict[str, str]

    @property
    def claim(self) -> Path:
        return self.directory / f"{_PENDING}{os.getpid()}"


def entry_dir_name(measurement_hint: str) -> str:
    """A fresh, unique, safe directory name for one measurement's files."""
    return f"{uuid.uuid4().hex[:12]}-{safe_filename(measurement_hint, max_length=48)}"


def client_file_stem(client_name: str, client_id: int) -> str:
    """``<safe name>-<client id>``, or ``client-<id>`` when the name has no ASCII letter or
    digit (山田): the start of every file or folder name made for one client.

    Unique per client (the id follows the last ``-``), so one client's file never replaces
    another's; safe to join to a folder (see :func:`romcam.paths.safe_filename`).
    """
    return f"{safe_filename(client_name, default='client', max_length=48)}-{int(client_id)}"


def session_dir(root: Path, client_name: str, client_id: int, session_id: int) -> Path:
    """Folder of one session's recordings, ``recordings/<client file stem>/<session id>``.

    Recordings stored before the client id was part of the name keep their paths (each row
    holds its files' paths), so they stay readable where they are.
    """
    return root / RECORDINGS / client_file_stem(client_name, client_id) / str(int(session_id))


def stage_entry(root: Path, parent: Path, name: str, sources: dict[str, Path]) -> StagedEntry:
    """Copy ``sources`` (role -> file) into a new claimed entry ``parent/name``; durable on return.

    On failure nothing is left behind. The entry keeps its claim until :func:`release`.
    """
    parent.mkdir(parents=True, exist_ok=True)
    partial = parent / f"{_PARTIAL}{os.getpid()}-{name}"
    partial.mkdir()
    try:
        (partial / f"{_PENDING}{os.getpid()}").touch()
        rel: dict[str, str] = {}
        digests: dict[str, str] = {}
        for role, src in sources.items():
            target_name = f"{role}.{safe_filename(src.suffix.lower(), default='bin', max_length=8)}"
            digests[role] = _durable_copy(src, partial / target_name)
            rel[role] = (parent / name / target_name).relative_to(root).as_posix()
        _fsync_dir(partial)
        final = parent / name
        partial.rename(final)
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return StagedEntry(root, final, rel, digests)


def _durable_copy(src: Path, dst: Path) -> str:
    """Copy ``src`` to ``dst`` via a temporary name, fsync, rename; return its SHA-256."""
    tmp = dst.with_name(f".tmp-{dst.name}")
    digest = hashlib.sha256()
    with src.open("rb") as fin, tmp.open("wb") as fout:
        while chunk := fin.read(_CHUNK):
            digest.update(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    tmp.rename(dst)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def release(entry: StagedEntry) -> None:
    """Drop the claim of a committed entry (its row now keeps it alive)."""
    with contextlib.suppress(OSError):  # a claim left behind is dropped by the next recovery
        entry.claim.unlink()


def discard(directory: Path) -> None:
    """Remove an entry directory and everything in it (missing is fine)."""
    shutil.rmtree(directory, ignore_errors=True)


def entry_of(root: Path, rel_path: str) -> Path:
    """Entry directory that holds the stored file ``rel_path``."""
    return (root / rel_path).parent


def candidates(root: Path) -> list[Path]:
    """Entry directories that may be garbage: unclaimed, or claimed by a dead process.

    Call this BEFORE reading which entries rows reference: an entry loses its claim only after
    its row is committed, so a row read afterwards is always seen.
    """
    base = root / RECORDINGS
    if not base.is_dir():
        return []
    out: list[Path] = []
    for entry in base.glob("*/*/*"):
        if not entry.is_dir():
            continue
        owner = _claim_owner(entry)
        if owner is None or not pid_alive(owner):
            out.append(entry)
    return out


def sweep(root: Path, garbage: Iterable[Path]) -> int:
    """Remove ``garbage`` entries (from :func:`candidates` minus referenced ones); count them."""
    count = 0
    for entry in garbage:
        log.warning("removing recording files left by an interrupted save: %s", entry)
        discard(entry)
        count += 1
    return count


def drop_claims(entries: Iterable[Path]) -> None:
    """Remove claim files a dead writer left on entries whose rows were committed."""
    for entry in entries:
        for claim in entry.glob(f"{_PENDING}*"):
            claim.unlink(missing_ok=True)


def _claim_owner(entry: Path) -> int | None:
    if entry.name.startswith(_PARTIAL):
        pid_text = entry.name[len(_PARTIAL) :].split("-", 1)[0]
        return int(pid_text) if pid_text.isdigit() else 0
    for claim in entry.glob(f"{_PENDING}*"):
        pid_text = claim.name[len(_PENDING) :]
        return int(pid_text) if pid_text.isdigit() else 0
    return None
