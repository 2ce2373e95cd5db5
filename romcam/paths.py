"""Where romcam keeps its files. Everything stays on this machine."""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path

import platformdirs

APP_NAME = "romcam"


def data_dir() -> Path:
    """User data directory (``ROMCAM_DATA_DIR`` overrides); created if missing."""
    override = os.environ.get("ROMCAM_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    """User cache directory (``ROMCAM_CACHE_DIR`` overrides); created if missing."""
    override = os.environ.get("ROMCAM_CACHE_DIR")
    path = Path(override) if override else Path(platformdirs.user_cache_dir(APP_NAME))
    path.mkdir(parents=True, exist_ok=True)
    return path


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(text: str, *, default: str = "unnamed", max_length: int = 64) -> str:
    """A file-name component built from user text: ASCII letters, digits, ``._-`` only.

    Path separators, ``..``, control characters and leading dots cannot survive, so the
    result never escapes the directory it is joined to.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    cleaned = _UNSAFE.sub("_", ascii_text).strip("._-")
    cleaned = cleaned[:max_length].strip("._-")
    return cleaned or default


def atomic_write_text(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file beside it and a rename, so
    a reader never sees half a file and a crash leaves the old file (or none) in place.

    Creates the parent directory. Raises OSError; the temporary file never stays behind.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path
