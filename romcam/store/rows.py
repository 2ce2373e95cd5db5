"""ORM rows built from validated inputs, and the small checks the store's methods share.

Kept apart from :mod:`romcam.store.repository` so that the ``Store`` class reads as its public
API. Every check raises :class:`~romcam.errors.InputError` with one sentence for the user.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from romcam.core.metric_specs import metric_spec
from romcam.errors import InputError
from romcam.store import files
from romcam.store.models import Measurement, Recording
from romcam.store.records import (
    MAX_NOTES_LENGTH,
    NOTE_CONTROLS,
    MeasurementInput,
    RecordingInput,
)
from romcam.text import check_plain_text

#: Test-only hook: when set to a file path, ``add_measurement`` writes that file once the
#: recording files are in place and the rows are flushed, then sleeps before committing (so a
#: test can kill the process exactly there).
PAUSE_BEFORE_COMMIT_ENV = "ROMCAM_TEST_PAUSE_BEFORE_COMMIT"


def new_measurement_row(session_id: int, m: MeasurementInput) -> Measurement:
    metric = m.metric_id()
    measured = utc_naive(m.measured_at, "measured_at") if m.measured_at else now()
    return Measurement(
        session_id=session_id,
        phase=m.phase.strip(),
        test_id=m.test,
        side=m.side,
        metric_id=metric,
        value=float(m.value),
        unit=m.unit or metric_spec(metric).unit,
        held_max=opt_float(m.held_max),
        held_min=opt_float(m.held_min),
        start_value=opt_float(m.start),
        excursion=opt_float(m.excursion),
        view=m.view,
        quality=m.quality.strip(),
        quality_reason=m.quality_reason,
        source=m.source,
        measured_at=measured,
        calibration_profile=m.calibration_profile,
        neutral=opt_float(m.neutral),
        first_pain=opt_float(m.first_pain),
        pain_score=m.pain_score,
        compensation=_plain(m.compensation),
        setup=_plain(m.setup),
        uncertainty=opt_float(m.uncertainty),
    )


def _plain(values: Any) -> dict[str, Any] | None:
    """A JSON-ready copy: numbers as float, texts as they are."""
    if values is None:
        return None
    return {str(k): v if isinstance(v, str) else float(v) for k, v in values.items()}


def new_recording_row(
    session_id: int, recording: RecordingInput, entry: files.StagedEntry
) -> Recording:
    return Recording(
        session_id=session_id,
        video_path=entry.files.get("video"),
        landmarks_path=entry.files.get("landmarks"),
        angles_path=entry.files.get("angles"),
        duration_s=opt_float(recording.duration_s),
        # The video's digest when there is a video, else the first kept file's.
        sha256=entry.sha256.get("video") or next(iter(entry.sha256.values()), None),
        created_at=now(),
    )


def entry_hint(m: MeasurementInput) -> str:
    return "-".join(p for p in (m.test, m.side, m.phase) if p)


def opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def duplicate_client(name: str) -> InputError:
    return InputError(f"a client named {name!r} already exists; use it or choose another name")


def check_notes(notes: object) -> None:
    if not isinstance(notes, str):
        raise InputError(f"notes must be text; got {type(notes).__name__}")
    if len(notes) > MAX_NOTES_LENGTH:
        raise InputError(f"notes must be at most {MAX_NOTES_LENGTH} characters")
    check_plain_text("notes", notes, allowed=NOTE_CONTROLS)


def as_id(kind: str, value: object) -> int:
    if isinstance(value, bool):
        raise InputError(f"a {kind} id must be a whole number; got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InputError(f"a {kind} id must be a whole number; got {value!r}")


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utc_naive(value: object, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise InputError(f"{name} must be a datetime; got {value!r}")
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def pause_before_commit() -> None:
    marker = os.environ.get(PAUSE_BEFORE_COMMIT_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(120)
