"""The client's results file: what a home check hands back to the clinic.

A results file is a ZIP holding

- ``results.json``: the format marker and version, the plan it answers (``plan_uuid``), the
  client's id and name as the plan gave them, when it was exported, and one entry per
  measurement (one trial; see :class:`HomeMeasurement`), each with its own ``uuid`` so that
  importing the same file twice adds nothing;
- ``trials/<uuid>/landmarks.csv`` and ``angles.csv`` of each trial, and ``trial.mp4`` only when
  the client chose to include their videos;
- ``manifest.json``: the SHA-256 of every other member.

:func:`read_results` checks every member against the manifest before it reads a value, so a
damaged file or one changed after the export (results.json edited, a CSV swapped, a member
added or removed) is refused with :class:`TamperedResultsError`; a file that is no results file at
all with :class:`NotAResultsFileError`. A checksum catches damage and edits, not a forger who also
rewrites the manifest: the import also checks the plan and the client (``romcam import``).

Pure: the standard library and ``romcam.core`` only (the client's store is read by
``romcam.home.export``).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from romcam.errors import InputError
from romcam.home.results_fields import (
    HomeMeasurement,
    aware_time,
    measurement_from_json,
    measurement_to_json,
)

__all__ = [
    "FORMAT",
    "VERSION",
    "HomeMeasurement",
    "HomeResults",
    "NotAResultsFileError",
    "TamperedResultsError",
    "TrialFiles",
    "extract_member",
    "read_results",
    "write_results",
]

#: The marker in results.json and manifest.json.
FORMAT = "romcam-home-results"
VERSION = 1
RESULTS_JSON = "results.json"
MANIFEST_JSON = "manifest.json"
#: Largest results.json / manifest.json read (bytes): far above any real file.
MAX_JSON_BYTES = 20 * 1024 * 1024
#: Largest member (bytes, as unpacked): a long trial video at most.
MAX_MEMBER_BYTES = 2 * 1024 * 1024 * 1024
_CHUNK = 1 << 20
#: File names of a trial's members, by kind.
MEMBER_NAMES = {"landmarks": "landmarks.csv", "angles": "angles.csv", "video": "trial.mp4"}


class NotAResultsFileError(InputError):
    """The file is not a romcam home results file (not a ZIP, no manifest, another format)."""


class TamperedResultsError(InputError):
    """A member does not match the manifest: the file was changed or damaged after export."""


@dataclass(frozen=True)
class HomeResults:
    """The results of a client's home checks, as exported.

    Attributes:
        plan_uuid: the plan the checks answer (``romcam.home.plan``).
        client_id, client_name: the client's id in the clinic's store and name, as the plan
            gave them (``HomePlan.client.store_id`` and ``.name``).
        exported_at: when the file was written (timezone-aware).
        includes_video: the client chose to include the trial videos.
        measurements: one per trial, oldest first.
    """

    plan_uuid: str
    client_id: int
    client_name: str
    exported_at: datetime
    measurements: tuple[HomeMeasurement, ...]
    includes_video: bool = False


@dataclass(frozen=True)
class TrialFiles:
    """A trial's files on disk to put in the results file (None = not there)."""

    landmarks: Path | None = None
    angles: Path | None = None
    video: Path | None = None

    def members(self, uuid: str) -> dict[str, Path]:
        """Member name in the ZIP -> source file, for the files there are."""
        found = {"landmarks": self.landmarks, "angles": self.angles, "video": self.video}
        return {member_name(uuid, kind): p for kind, p in found.items() if p is not None}


def member_name(uuid: str, kind: str) -> str:
    """``trials/<uuid>/landmarks.csv`` (kind ``landmarks``, ``angles`` or ``video``)."""
    return f"trials/{uuid}/{MEMBER_NAMES[kind]}"


def write_results(
    path: Path,
    results: HomeResults,
    files: Mapping[str, TrialFiles] | None = None,
) -> Path:
    """Write ``results`` and each measurement's files (``files``: measurement uuid ->
    :class:`TrialFiles`; videos only when ``results.includes_video``) to the ZIP ``path``,
    atomically (a reader never sees half a file). Returns ``path``. Raises InputError for a
    measurement file that is missing, OSError when ``path`` cannot be written."""
    files = files or {}
    members: dict[str, Path] = {}
    measurements = []
    for m in results.measurements:
        given = files.get(m.uuid, TrialFiles())
        if not results.includes_video:
            given = replace(given, video=None)
        for name, source in given.members(m.uuid).items():
            if not source.is_file():
                raise InputError(
                    f"the trial file {source} is missing; the results file was not written"
                )
            members[name] = source
        measurements.append(
            replace(
                m,
                landmarks=member_name(m.uuid, "landmarks") if given.landmarks else None,
                angles=member_name(m.uuid, "angles") if given.angles else None,
                video=member_name(m.uuid, "video") if given.video else None,
            )
        )
    text = json.dumps(_results_json(replace(results, measurements=tuple(measurements))), indent=1)
    _write_zip(path, text.encode("utf-8"), members)
    return path


def _results_json(results: HomeResults) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "plan_uuid": results.plan_uuid,
        "client": {"id": results.client_id, "name": results.client_name},
        "exported_at": results.exported_at.isoformat(),
        "includes_video": results.includes_video,
        "measurements": [measurement_to_json(m) for m in results.measurements],
    }


def _write_zip(path: Path, results_json: bytes, members: Mapping[str, Path]) -> None:
    """The ZIP with results.json, the members and the manifest, through a temporary file."""
    sums = {RESULTS_JSON: hashlib.sha256(results_json).hexdigest()}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(RESULTS_JSON, results_json)
            for name, source in members.items():
                sums[name] = _sha256_file(source)
                # Videos are compressed already: stored as they are.
                kind = zipfile.ZIP_STORED if name.endswith(".mp4") else zipfile.ZIP_DEFLATED
                zf.write(source, name, compress_type=kind)
            manifest = {"format": FORMAT, "version": VERSION, "sha256": sums}
            zf.writestr(MANIFEST_JSON, json.dumps(manifest, indent=1))
        Path(tmp).replace(path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_results(path: Path) -> HomeResults:
    """The results in the file ``path``, every member checked against the manifest first.

    Raises InputError (missing or unreadable file), :class:`NotAResultsFileError` (not a ZIP, no
    manifest or results.json, another format, a value that cannot be read),
    :class:`TamperedResultsError` (a member changed, added or removed since the export)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"there is no file {path}; check the path")
    try:
        with zipfile.ZipFile(path) as zf:
            sums = _manifest(zf, path)
            _check_members(zf, path, sums)
            data = _json_member(zf, RESULTS_JSON, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise NotAResultsFileError(_not_ours(path, "it is not a readable ZIP file")) from None
    return _results_from_json(data, path, sums)


def extract_member(path: Path, name: str, dest: Path) -> Path:
    """Copy the member ``name`` of the results file ``path`` to the file ``dest`` and return
    it; TamperedResultsError when its bytes no longer match the manifest (checked as they are
    copied)."""
    with zipfile.ZipFile(path) as zf:
        expected = _manifest(zf, path).get(name)
        if expected is None or name not in zf.namelist():
            raise TamperedResultsError(_tampered(path, f"{name} is not listed in its manifest"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zf.open(name) as src, dest.open("wb") as out:
            digest = _copy_hashing(src, out, path, name)
    if digest != expected:
        dest.unlink(missing_ok=True)
        raise TamperedResultsError(_tampered(path, f"{name} does not match its checksum"))
    return dest


def _not_ours(path: Path, why: str) -> str:
    return (
        f"{path.name} is not a romcam home results file ({why}); choose the file the client "
        "exported with “Export my results”"
    )


def _tampered(path: Path, why: str) -> str:
    return (
        f"the results file {path.name} was changed or damaged after it was exported ({why}); "
        "ask the client to export it again"
    )


def _json_member(zf: zipfile.ZipFile, name: str, path: Path) -> Any:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise NotAResultsFileError(_not_ours(path, f"it has no {name}")) from None
    if info.file_size > MAX_JSON_BYTES:
        raise NotAResultsFileError(_not_ours(path, f"its {name} is too large"))
    try:
        return json.loads(zf.read(info).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NotAResultsFileError(_not_ours(path, f"its {name} is not JSON")) from None


def _manifest(zf: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """The manifest's member name -> SHA-256 (hex); NotAResultsFileError when there is none."""
    data = _json_member(zf, MANIFEST_JSON, path)
    sums = data.get("sha256") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(sums, dict):
        raise NotAResultsFileError(_not_ours(path, "its manifest is of another kind"))
    _check_version(data, path)
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in sums.items()):
        raise NotAResultsFileError(_not_ours(path, "its manifest cannot be read"))
    return dict(sums)


def _check_version(data: Mapping[str, Any], path: Path) -> None:
    version = data.get("version")
    if type(version) is not int:
        raise NotAResultsFileError(_not_ours(path, "it has no format version"))
    if version > VERSION:
        raise InputError(
            f"{path.name} was written by a newer romcam (results format {version}); update "
            "romcam to import it"
        )


def _check_members(zf: zipfile.ZipFile, path: Path, sums: Mapping[str, str]) -> None:
    """Every member but the manifest is listed in it with its SHA-256, and nothing else."""
    names = [info.filename for info in zf.infolist() if not info.is_dir()]
    if len(set(names)) != len(names):
        raise TamperedResultsError(_tampered(path, "a member appears twice"))
    present = set(names) - {MANIFEST_JSON}
    if RESULTS_JSON not in sums:
        raise TamperedResultsError(_tampered(path, f"{RESULTS_JSON} is not in its manifest"))
    missing = sorted(set(sums) - present)
    if missing:
        raise TamperedResultsError(_tampered(path, f"{missing[0]} is missing"))
    extra = sorted(present - set(sums))
    if extra:
        raise TamperedResultsError(_tampered(path, f"{extra[0]} was added"))
    for name in sorted(present):
        info = zf.getinfo(name)
        if info.file_size > MAX_MEMBER_BYTES:
            raise NotAResultsFileError(_not_ours(path, f"{name} is too large"))
        with zf.open(info) as src:
            digest = _copy_hashing(src, None, path, name)
        if digest != sums[name]:
            raise TamperedResultsError(_tampered(path, f"{name} does not match its checksum"))


def _copy_hashing(src: IO[bytes], out: IO[bytes] | None, path: Path, name: str) -> str:
    """SHA-256 of ``src`` (copied to ``out`` if given); a CRC error is damage."""
    digest = hashlib.sha256()
    try:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            if out is not None:
                out.write(chunk)
    except zipfile.BadZipFile:
        raise TamperedResultsError(_tampered(path, f"{name} is damaged")) from None
    return digest.hexdigest()


def _results_from_json(data: Any, path: Path, sums: Mapping[str, str]) -> HomeResults:
    """The checked results.json as :class:`HomeResults`; NotAResultsFileError for a bad value."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotAResultsFileError(_not_ours(path, f"its {RESULTS_JSON} is of another kind"))
    _check_version(data, path)
    try:
        client = data["client"]
        client_id = client["id"]
        if type(client_id) is not int:
            raise ValueError("client id is not a whole number")
        measurements = tuple(measurement_from_json(m) for m in data["measurements"])
        results = HomeResults(
            plan_uuid=_text(data["plan_uuid"], "plan_uuid"),
            client_id=client_id,
            client_name=_text(client["name"], "client name"),
            exported_at=aware_time(data["exported_at"], "exported_at"),
            measurements=measurements,
            includes_video=bool(data.get("includes_video", False)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NotAResultsFileError(_not_ours(path, f"{_why(exc)} in its {RESULTS_JSON}")) from None
    for m in results.measurements:
        for name in (m.landmarks, m.angles, m.video):
            if name is not None and name not in sums:
                raise TamperedResultsError(_tampered(path, f"{name} is missing"))
    if len({m.uuid for m in results.measurements}) != len(results.measurements):
        raise NotAResultsFileError(_not_ours(path, "a measurement appears twice"))
    return results


def _why(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"no {exc.args[0]!s}"
    return str(exc).rstrip(".") or "a value cannot be read"


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} is not a text")
    return value


def utc_now() -> datetime:
    """Now, timezone-aware UTC."""
    return datetime.now(UTC)
