"""Where the pose model file comes from: an explicit path, the packaged model, or the user cache.

Resolution order (first match wins):

1. an explicit path (``--model PATH``), else the ``ROMCAM_MODEL`` environment variable;
2. the ``full`` model shipped inside the package (``romcam/pose/models/``);
3. a variant downloaded into ``romcam.paths.cache_dir() / "models"``.

A ``.task`` file is a zip archive of TFLite networks; every path handed out is validated first so
a missing or corrupt model fails with one actionable sentence, never inside MediaPipe.
This module does not import mediapipe.
"""

from __future__ import annotations

import logging
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import BinaryIO, Literal

from romcam.errors import ModelError
from romcam.paths import cache_dir

log = logging.getLogger(__name__)

Variant = Literal["lite", "full", "heavy"]
VARIANTS: tuple[str, ...] = ("lite", "full", "heavy")
#: Environment variable naming a model file; used when no explicit path is given.
MODEL_ENV = "ROMCAM_MODEL"
_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/latest/pose_landmarker_{v}.task"
)
_PACKAGED = Path(__file__).resolve().parent / "models" / "pose_landmarker_full.task"
_CHUNK = 1 << 16


def model_url(variant: str) -> str:
    """Google's download address of the official ``pose_landmarker_<variant>.task``."""
    return _URL.format(v=_check_variant(variant))


def packaged_model_path() -> Path:
    """Path of the full model shipped in the package (it may be absent in a stripped install)."""
    return _PACKAGED


def cached_model_path(variant: str) -> Path:
    """Where ``download_model(variant)`` puts the file (the directory is created if missing)."""
    folder = cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"pose_landmarker_{_check_variant(variant)}.task"


def validate_model(path: str | Path) -> Path:
    """Check that ``path`` is a readable, non-empty ``.task`` bundle; return it as a Path.

    Raises:
        ModelError: missing file, empty file, or not a zip bundle holding ``.tflite`` networks.
    """
    path = Path(path).expanduser()
    fix = (
        "pass --model PATH to a MediaPipe pose_landmarker .task file "
        "or run `romcam model download full`"
    )
    if not path.is_file():
        raise ModelError(f"pose model not found at {path}; {fix}")
    if path.stat().st_size == 0:
        raise ModelError(f"pose model {path} is empty (0 bytes); {fix}")
    try:
        with zipfile.ZipFile(path) as bundle:
            members = bundle.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(
            f"pose model {path} is corrupt or not a .task bundle ({exc}); {fix}"
        ) from exc
    if not any(name.endswith(".tflite") for name in members):
        raise ModelError(f"pose model {path} holds no .tflite network (found {members[:5]}); {fix}")
    return path


def resolve_model(path: str | Path | None = None, variant: str | None = None) -> Path:
    """The model file to use, validated (see the module docstring for the order).

    Args:
        path: explicit model file; wins over everything else.
        variant: "lite", "full" or "heavy"; None means the packaged full model (or any
            downloaded one if the package was stripped of it).
    """
    if path is not None and str(path) != "":
        return validate_model(path)
    env = os.environ.get(MODEL_ENV)
    if env:
        log.debug("using the pose model from $%s", MODEL_ENV)
        return validate_model(env)
    if variant is not None:
        _check_variant(variant)
    if variant in (None, "full") and _PACKAGED.is_file():
        return validate_model(_PACKAGED)
    for candidate in (variant,) if variant else VARIANTS[::-1]:
        cached = cached_model_path(candidate)
        if cached.is_file():
            return validate_model(cached)
    wanted = variant or "full"
    raise ModelError(
        f"no {wanted} pose model found (looked in the package and in {cached_model_path(wanted)}); "
        f"run `romcam model download {wanted}` or pass --model PATH"
    )


def download_model(variant: str, *, timeout_s: float = 30, url: str | None = None) -> Path:
    """Download ``pose_landmarker_<variant>.task`` into the user cache and return its path.

    The file is written to a temporary name beside the target and renamed only once complete
    and valid, so an interrupted download never leaves a partial model behind.

    Args:
        variant: "lite", "full" or "heavy".
        timeout_s: network timeout in seconds for connecting and for each read.
        url: override of the download address (defaults to Google's model storage).
    """
    dest = cached_model_path(variant)
    source = url or model_url(variant)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(source, out, timeout_s)
        validate_model(tmp)
        tmp.replace(dest)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ModelError(
            f"could not download the {variant} pose model from {source} (no network?): {exc}; "
            f"put the file at {dest} or pass --model PATH"
        ) from exc
    except ModelError as exc:
        raise ModelError(
            f"the file downloaded from {source} is not a valid pose model ({exc}); "
            f"put a valid file at {dest} or pass --model PATH"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("downloaded the %s pose model to %s", variant, dest)
    return dest


def _fetch(url: str, out: BinaryIO, timeout_s: float) -> None:
    """Stream ``url`` into the binary file object ``out``."""
    if not url.startswith(("https://", "http://", "file://")):
        raise ValueError(f"unsupported URL scheme in {url!r}")
    with urllib.request.urlopen(url, timeout=timeout_s) as response:
        while chunk := response.read(_CHUNK):
            out.write(chunk)


def _check_variant(variant: str) -> str:
    if variant not in VARIANTS:
        raise ModelError(f"unknown pose model variant {variant!r}; expected one of {VARIANTS}")
    return variant
