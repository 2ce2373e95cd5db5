"""Where the model files come from: an explicit path, the packaged model, or the user cache.

Pose model (Pose Landmarker), first match wins:

1. an explicit path (``--model PATH``), else the ``ROMCAM_MODEL`` environment variable;
2. the ``full`` model shipped inside the package (``romcam/pose/models/``);
3. a variant downloaded into ``romcam.paths.cache_dir() / "models"``.

Face model (Face Landmarker, the head pose of the neck metrics), in the same order:
``--face-model PATH`` / ``ROMCAM_FACE_MODEL``, the packaged ``face_landmarker.task``, then the
one ``romcam model download face`` put in the user cache.

A ``.task`` file is a zip archive of TFLite networks; every path handed out is validated first so
a missing or corrupt model fails with one actionable sentence, never inside MediaPipe.
This module does not import mediapipe.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, Literal

from romcam.errors import ModelError
from romcam.paths import cache_dir

log = logging.getLogger(__name__)

Variant = Literal["lite", "full", "heavy"]
VARIANTS: tuple[str, ...] = ("lite", "full", "heavy")
#: Environment variable naming a model file; used when no explicit path is given.
MODEL_ENV = "ROMCAM_MODEL"
#: Environment variable naming a face model file; used when no explicit path is given.
FACE_MODEL_ENV = "ROMCAM_FACE_MODEL"
_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/"
    "pose_landmarker_{v}/float16/latest/pose_landmarker_{v}.task"
)
#: Google's address of the official Face Landmarker bundle, version 1 (the packaged one).
FACE_MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/face_landmarker/"
    "face_landmarker/float16/1/face_landmarker.task"
)
#: sha256 of that file (romcam/pose/models/NOTICE): a download must match it, since a
#: pinned version never changes and anything else is not the model the tests measured.
FACE_MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
#: The member of a Face Landmarker bundle that gives the head pose (the facial
#: transformation matrix); a bundle without it refuses that output.
FACE_GEOMETRY_MEMBER = "geometry_pipeline_metadata_landmarks.binarypb"
_MODELS = Path(__file__).resolve().parent / "models"
_PACKAGED = _MODELS / "pose_landmarker_full.task"
_PACKAGED_FACE = _MODELS / "face_landmarker.task"
_FACE_FILE = "face_landmarker.task"
_CHUNK = 1 << 16
_POSE_FIX = (
    "pass --model PATH to a MediaPipe pose_landmarker .task file "
    "or run `romcam model download full`"
)
_FACE_FIX = (
    "pass --face-model PATH to a MediaPipe face_landmarker .task file "
    "or run `romcam model download face`"
)


def model_url(variant: str) -> str:
    """Google's download address of the official ``pose_landmarker_<variant>.task``."""
    return _URL.format(v=_check_variant(variant))


def packaged_model_path() -> Path:
    """Path of the full model shipped in the package (it may be absent in a stripped install)."""
    return _PACKAGED


def packaged_face_model_path() -> Path:
    """Path of the face model shipped in the package (it may be absent in a stripped install)."""
    return _PACKAGED_FACE


def cached_model_path(variant: str) -> Path:
    """Where ``download_model(variant)`` puts the file (the directory is created if missing)."""
    return _cache_folder() / f"pose_landmarker_{_check_variant(variant)}.task"


def cached_face_model_path() -> Path:
    """Where ``download_face_model()`` puts the file (the directory is created if missing)."""
    return _cache_folder() / _FACE_FILE


def _cache_folder() -> Path:
    folder = cache_dir() / "models"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def validate_model(path: str | Path) -> Path:
    """Check that ``path`` is a readable, non-empty ``.task`` bundle; return it as a Path.

    Raises:
        ModelError: missing file, empty file, or not a zip bundle holding ``.tflite`` networks.
    """
    return _validate_bundle(path, "pose model", _POSE_FIX)


def validate_face_model(path: str | Path) -> Path:
    """:func:`validate_model` for a Face Landmarker bundle, which must also hold the geometry
    pipeline (:data:`FACE_GEOMETRY_MEMBER`) that gives the head pose.

    Raises:
        ModelError: as :func:`validate_model`, or a bundle without the geometry pipeline (a
            pose model, or a face bundle that gives no head pose).
    """
    return _validate_bundle(path, "face model", _FACE_FIX, FACE_GEOMETRY_MEMBER)


def _validate_bundle(path: str | Path, what: str, fix: str, required: str | None = None) -> Path:
    """The checks of :func:`validate_model`, the errors naming ``what`` and ending in ``fix``."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise ModelError(f"{what} not found at {path}; {fix}")
    if path.stat().st_size == 0:
        raise ModelError(f"{what} {path} is empty (0 bytes); {fix}")
    try:
        with zipfile.ZipFile(path) as bundle:
            members = bundle.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"{what} {path} is corrupt or not a .task bundle ({exc}); {fix}") from exc
    if not any(name.endswith(".tflite") for name in members):
        raise ModelError(f"{what} {path} holds no .tflite network (found {members[:5]}); {fix}")
    if required is not None and required not in members:
        raise ModelError(
            f"{what} {path} has no {required} (found {members[:5]}): it gives no head pose; {fix}"
        )
    return path


def resolve_model(path: str | Path | None = None, variant: str | None = None) -> Path:
    """The model file to use, validated (see the module docstring for the order).

    Args:
        path: explicit model file; wins over everything else.
        variant: "lite", "full" or "heavy"; None means the packaged full model (or any
            downloaded one if the package was stripped of it).
    """
    given = _given(path, MODEL_ENV, "pose model")
    if given is not None:
        return validate_model(given)
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


def _given(path: str | Path | None, env_name: str, what: str) -> str | Path | None:
    """The explicit ``path``, else the file the environment variable ``env_name`` names,
    else None."""
    if path is not None and str(path) != "":
        return path
    env = os.environ.get(env_name)
    if env:
        log.debug("using the %s from $%s", what, env_name)
        return env
    return None


def resolve_face_model(path: str | Path | None = None) -> Path:
    """The face model file to use, validated: ``path`` (``--face-model``), else
    ``ROMCAM_FACE_MODEL``, else the packaged file, else the one in the user cache.

    Raises:
        ModelError: the chosen file is not a valid face model, or there is none.
    """
    given = _given(path, FACE_MODEL_ENV, "face model")
    if given is not None:
        return validate_face_model(given)
    for candidate in (_PACKAGED_FACE, cached_face_model_path()):
        if candidate.is_file():
            return validate_face_model(candidate)
    raise ModelError(
        f"no face model found (looked in the package and in {cached_face_model_path()}); "
        "run `romcam model download face` or pass --face-model PATH"
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
    return _download(source, dest, f"{variant} pose", validate_model, timeout_s, "--model")


def download_face_model(*, timeout_s: float = 30, url: str | None = None) -> Path:
    """Download Google's ``face_landmarker.task`` into the user cache and return its path.

    As :func:`download_model`; the file must also have the sha256 of the packaged version
    (:data:`FACE_MODEL_SHA256`).

    Args:
        timeout_s: network timeout in seconds for connecting and for each read.
        url: override of the download address (defaults to :data:`FACE_MODEL_URL`).
    """
    dest = cached_face_model_path()
    return _download(
        url or FACE_MODEL_URL, dest, "face", _validate_pinned_face, timeout_s, "--face-model"
    )


def _validate_pinned_face(path: Path) -> Path:
    validate_face_model(path)
    digest = file_sha256(path)
    if digest != FACE_MODEL_SHA256:
        raise ModelError(f"its sha256 is {digest}, not the face model's {FACE_MODEL_SHA256}")
    return path


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as src:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _download(
    source: str,
    dest: Path,
    name: str,
    validate: Callable[[Path], Path],
    timeout_s: float,
    option: str,
) -> Path:
    """Fetch ``source`` to a temporary file beside ``dest``, ``validate`` it, rename it to
    ``dest``; errors name the model (``name`` model: "full pose", "face") and the
    command-line ``option`` that replaces the file."""
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            _fetch(source, out, timeout_s)
        validate(tmp)
        tmp.replace(dest)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ModelError(
            f"could not download the {name} model from {source} (no network?): {exc}; "
            f"put the file at {dest} or pass {option} PATH"
        ) from exc
    except ModelError as exc:
        raise ModelError(
            f"the file downloaded from {source} is not a valid {name.split()[-1]} model ({exc}); "
            f"put a valid file at {dest} or pass {option} PATH"
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)
    log.info("downloaded the %s model to %s", name, dest)
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
