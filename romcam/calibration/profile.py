"""Calibration profiles: one camera set-up's level, scale and lens, stored as JSON files.

A profile lives at ``data_dir()/calibration/<file stem>.json`` (:func:`profile_path`: the name
itself when it is a safe file name, else its safe form plus a hash of the exact name, so two
names never share a file). The file format is
documented in ``calibration/README.md`` at the repository root; :func:`profile_to_dict` and
:func:`profile_from_dict` are the only code that reads or writes it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from romcam.errors import CalibrationError
from romcam.paths import atomic_write_text, data_dir, safe_filename
from romcam.text import check_plain_text

logger = logging.getLogger(__name__)

FORMAT_NAME = "romcam-calibration-profile"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class CalibrationProfile:
    """What romcam knows about one camera set-up. Every part is optional (None = unknown).

    Attributes:
        name: user-chosen name ("laptop-lid", "clinic-tripod").
        created: ISO 8601 UTC time of the last change.
        roll_deg: angle of the TRUE horizontal as it appears in the image, counter-clockwise
            positive as seen on screen: a truly level line appears rising to the right by
            ``roll_deg``. A camera whose right side (seen from behind it) is lower has
            positive roll. Correct pixel coordinates by rotating them by ``-roll_deg``.
        pitch_deg: angle of the optical axis above the true horizontal (positive = camera
            tilted up); needs a lens calibration to be measured.
        px_per_cm: pixels per centimetre at the subject's plane, at ``scale_image_size``.
        camera_matrix: (3, 3) intrinsic matrix K in pixels at ``image_size``.
        dist_coeffs: (k,) OpenCV distortion coefficients (k1, k2, p1, p2, k3, ...).
        image_size: (width, height) in pixels the lens calibration was made at.
        reprojection_error_px: RMS reprojection error of the lens calibration, pixels.
        scale_image_size: (width, height) in pixels ``px_per_cm`` was measured at.
        sources: how each part was obtained, one "part: source" per line.
        notes: free text from the user.
    """

    name: str
    created: str
    roll_deg: float | None = None
    pitch_deg: float | None = None
    px_per_cm: float | None = None
    camera_matrix: np.ndarray | None = field(default=None, compare=False)
    dist_coeffs: np.ndarray | None = field(default=None, compare=False)
    image_size: tuple[int, int] | None = None
    reprojection_error_px: float | None = None
    scale_image_size: tuple[int, int] | None = None
    sources: str = ""
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise CalibrationError("a calibration profile needs a non-empty name")
        check_plain_text("the calibration profile name", self.name)
        for label in ("roll_deg", "pitch_deg", "px_per_cm", "reprojection_error_px"):
            value = getattr(self, label)
            if value is not None and not math.isfinite(value):
                raise CalibrationError(
                    f"profile {self.name!r}: {label} must be finite; got {value}"
                )
        if self.px_per_cm is not None and self.px_per_cm <= 0:
            raise CalibrationError(f"profile {self.name!r}: px_per_cm must be > 0")
        _check_lens(self)

    @property
    def has_lens(self) -> bool:
        """True when the profile carries a camera matrix and distortion coefficients."""
        return self.camera_matrix is not None and self.dist_coeffs is not None

    def px_per_cm_at(self, width: int, height: int) -> float | None:
        """``px_per_cm`` for frames of ``width`` x ``height`` pixels (scaled by the width ratio)."""
        if self.px_per_cm is None:
            return None
        if self.scale_image_size is None:
            return self.px_per_cm
        return self.px_per_cm * width / self.scale_image_size[0]

    def with_source(self, part: str, source: str, **changes: Any) -> CalibrationProfile:
        """A copy with ``changes`` applied, ``part``'s source line replaced, ``created`` now."""
        lines = [ln for ln in self.sources.splitlines() if not ln.startswith(f"{part}:")]
        lines.append(f"{part}: {source}")
        return replace(self, created=now_iso(), sources="\n".join(lines), **changes)


def _check_lens(profile: CalibrationProfile) -> None:
    k, d = profile.camera_matrix, profile.dist_coeffs
    if (k is None) != (d is None):
        raise CalibrationError(
            f"profile {profile.name!r}: camera_matrix and dist_coeffs must be given together"
        )
    if k is None or d is None:
        return
    if k.shape != (3, 3) or not np.all(np.isfinite(k)) or k[0, 0] <= 0 or k[1, 1] <= 0:
        raise CalibrationError(
            f"profile {profile.name!r}: camera_matrix must be a finite (3, 3) matrix with "
            f"positive focal lengths; got shape {k.shape}"
        )
    if d.ndim != 1 or d.size not in (4, 5, 8, 12, 14) or not np.all(np.isfinite(d)):
        raise CalibrationError(
            f"profile {profile.name!r}: dist_coeffs must be 4, 5, 8, 12 or 14 finite numbers; "
            f"got shape {d.shape}"
        )
    if profile.image_size is None:
        raise CalibrationError(f"profile {profile.name!r}: a lens needs its image_size")


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def new_profile(name: str) -> CalibrationProfile:
    """An empty profile called ``name``."""
    return CalibrationProfile(name=name, created=now_iso())


def profile_to_dict(profile: CalibrationProfile) -> dict[str, Any]:
    """The JSON-ready dict of the file format (arrays as nested lists)."""
    k, d = profile.camera_matrix, profile.dist_coeffs
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "name": profile.name,
        "created": profile.created,
        "roll_deg": profile.roll_deg,
        "pitch_deg": profile.pitch_deg,
        "px_per_cm": profile.px_per_cm,
        "scale_image_size": _size_out(profile.scale_image_size),
        "camera_matrix": None if k is None else k.tolist(),
        "dist_coeffs": None if d is None else d.tolist(),
        "image_size": _size_out(profile.image_size),
        "reprojection_error_px": profile.reprojection_error_px,
        "sources": profile.sources,
        "notes": profile.notes,
    }


def profile_from_dict(data: dict[str, Any]) -> CalibrationProfile:
    """Parse the file format; CalibrationError naming the bad field."""
    if data.get("format") != FORMAT_NAME:
        raise CalibrationError(f"not a romcam calibration profile (format {data.get('format')!r})")
    if data.get("version") != FORMAT_VERSION:
        raise CalibrationError(
            f"calibration profile version {data.get('version')!r} is not supported "
            f"(this romcam reads version {FORMAT_VERSION}); recalibrate"
        )
    try:
        k = data.get("camera_matrix")
        d = data.get("dist_coeffs")
        return CalibrationProfile(
            name=str(data["name"]),
            created=str(data["created"]),
            roll_deg=_float_or_none(data.get("roll_deg")),
            pitch_deg=_float_or_none(data.get("pitch_deg")),
            px_per_cm=_float_or_none(data.get("px_per_cm")),
            scale_image_size=_size_in(data.get("scale_image_size")),
            camera_matrix=None if k is None else np.asarray(k, dtype=float),
            dist_coeffs=None if d is None else np.asarray(d, dtype=float).ravel(),
            image_size=_size_in(data.get("image_size")),
            reprojection_error_px=_float_or_none(data.get("reprojection_error_px")),
            sources=str(data.get("sources", "")),
            notes=str(data.get("notes", "")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CalibrationError(
            f"calibration profile has a missing or malformed field: {exc}"
        ) from exc


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _size_out(size: tuple[int, int] | None) -> list[int] | None:
    return None if size is None else [int(size[0]), int(size[1])]


def _size_in(value: Any) -> tuple[int, int] | None:
    if value is None:
        return None
    width, height = (int(v) for v in value)
    if width <= 0 or height <= 0:
        raise ValueError(f"image size must be positive; got {value}")
    return width, height


def profiles_dir() -> Path:
    """``data_dir()/calibration``, created if missing."""
    path = data_dir() / "calibration"
    path.mkdir(parents=True, exist_ok=True)
    return path


def profile_path(name: str) -> Path:
    """Where the profile called ``name`` is stored: ``<name>.json`` when ``name`` is a safe
    file name, else ``<safe form>-<hash of name>.json`` ("山田" and "田中" would both be
    "unnamed"). A profile saved by an earlier romcam under its bare safe form is still found."""
    safe = safe_filename(name)
    if safe == name:
        return profiles_dir() / f"{safe}.json"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    legacy = profiles_dir() / f"{safe}.json"
    if _holds_profile(legacy, name):
        return legacy
    return profiles_dir() / f"{safe}-{digest}.json"


def _holds_profile(path: Path, name: str) -> bool:
    """Whether ``path`` is a readable profile file of the profile called ``name``."""
    return _stored_name(path) == name


def _stored_name(path: Path) -> str | None:
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["name"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
        return None


def save_profile(profile: CalibrationProfile) -> Path:
    """Write ``profile`` atomically (temporary file + rename) and return its path."""
    path = profile_path(profile.name)
    other = _stored_name(path) if path.is_file() else profile.name
    if other != profile.name:  # an earlier romcam's file of a name with the same safe form
        raise CalibrationError(
            f"the file {path.name} already holds the calibration profile {other!r}; "
            f"choose another name than {profile.name!r}"
        )
    text = json.dumps(profile_to_dict(profile), indent=2) + "\n"
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise CalibrationError(f"could not save calibration profile to {path}: {exc}") from exc
    logger.info("saved calibration profile %r to %s", profile.name, path)
    return path


def load_profile(name: str) -> CalibrationProfile:
    """Read the profile called ``name``; CalibrationError if it is missing or corrupt."""
    path = profile_path(name)
    if not path.is_file():
        known = ", ".join(list_profiles()) or "none yet"
        raise CalibrationError(
            f"no calibration profile named {name!r} (known: {known}); "
            "create it with `romcam calibrate level|scale|lens --name NAME`"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CalibrationError(
            f"calibration profile file {path} is unreadable or not JSON ({exc}); "
            "delete it and calibrate again"
        ) from exc
    if not isinstance(data, dict):
        raise CalibrationError(f"calibration profile file {path} does not hold a JSON object")
    return profile_from_dict(data)


def load_or_new_profile(name: str) -> CalibrationProfile:
    """The stored profile ``name``, or a new empty one when none exists yet."""
    return load_profile(name) if profile_path(name).is_file() else new_profile(name)


def delete_profile(name: str) -> None:
    """Remove the stored profile ``name``; CalibrationError if there is none."""
    path = profile_path(name)
    if not path.is_file():
        raise CalibrationError(f"no calibration profile named {name!r} to delete")
    path.unlink()
    logger.info("deleted calibration profile %r (%s)", name, path)


def list_profiles() -> list[str]:
    """Names of the stored profiles, sorted (unreadable files are skipped with a warning)."""
    names = []
    for path in sorted(profiles_dir().glob("*.json")):
        name = _stored_name(path)
        if name is None:
            logger.warning("skipping unreadable calibration profile %s", path)
        else:
            names.append(name)
    return sorted(names)
