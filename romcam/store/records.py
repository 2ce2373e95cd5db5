"""Plain values exchanged with the store: what callers pass in and what they get back.

Callers never see live ORM objects: every query returns these frozen dataclasses, so a record
stays valid after its database session is closed and cannot write back by accident.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from romcam.core.assessments import assessment_test
from romcam.errors import InputError
from romcam.text import check_plain_text

#: Phases with a meaning for comparisons; any other short label is allowed too.
STANDARD_PHASES = ("before", "after")
#: ``home``: measured by the client at home and imported (``romcam import``).
HOME_SOURCE = "home"
SOURCES = ("live", "video", HOME_SOURCE)
#: The ``therapist`` of a home session (``romcam.store.home_days``): the client measured.
HOME_THERAPIST = "home check"
MAX_LABEL_LENGTH = 40
MAX_NAME_LENGTH = 120
MAX_NOTES_LENGTH = 10_000
#: Control characters free text (notes, reasons) may hold: line breaks and tabs.
NOTE_CONTROLS = "\r\n\t"


@dataclass(frozen=True)
class ClientRecord:
    """A client (a display name or a pseudonym; unique per store, case-insensitively)."""

    id: int
    name: str
    date_of_birth: date | None
    notes: str
    created_at: datetime


@dataclass(frozen=True)
class SessionRecord:
    """One assessment visit of a client."""

    id: int
    client_id: int
    client_name: str
    started_at: datetime
    therapist: str | None
    notes: str


@dataclass(frozen=True)
class RecordingRecord:
    """Files kept for a measurement; paths are relative to the store's data directory."""

    id: int
    session_id: int
    measurement_id: int | None
    video_path: str | None
    landmarks_path: str | None
    angles_path: str | None
    duration_s: float | None
    sha256: str | None


@dataclass(frozen=True)
class MeasurementRecord:
    """One stored test result (see :class:`MeasurementInput` for the fields' meaning)."""

    id: int
    session_id: int
    phase: str
    test: str
    side: str | None
    metric: str
    value: float
    unit: str
    held_max: float | None
    held_min: float | None
    start: float | None
    excursion: float | None
    view: str | None
    quality: str
    quality_reason: str
    source: str
    measured_at: datetime
    calibration_profile: str | None
    neutral: float | None
    recording: RecordingRecord | None
    first_pain: float | None = None
    pain_score: int | None = None
    compensation: dict[str, float] | None = None
    setup: dict[str, float | str] | None = None
    uncertainty: float | None = None
    excluded_reason: str | None = None


@dataclass(frozen=True)
class MeasurementInput:
    """A test result to store.

    Attributes:
        test: assessment test id (``romcam.core.assessments``), e.g. ``shoulder_flexion``.
        side: ``left``/``right`` for sided tests, None otherwise.
        phase: ``before``, ``after`` or another short label (e.g. ``retest``).
        value: the result in ``unit`` (the held end range, degrees for ROM tests).
        unit: unit of every value; None takes the metric's unit from the catalogue.
        held_max, held_min: held extremes of the metric column over the attempt.
        start: value at the start of the movement; excursion: held_max minus held_min (the
            range travelled between the held extremes, as ``RomResult.excursion``).
        view: camera view the result was measured in (e.g. ``side_left``).
        quality: quality verdict of the attempt (e.g. ``ok``); quality_reason says why.
        source: ``live`` (webcam), ``video`` (a recorded file) or ``home`` (the client's home
            check, imported from its results file).
        measured_at: when it was measured (timezone-aware or naive UTC); None = now.
        calibration_profile: name of the calibration profile used, if any.
        neutral: the subject's neutral value the metric was zeroed at, if any.
        first_pain: the value (same unit and sign as ``value``) where pain began, if any.
        pain_score: pain at the end range, 0 (none) to 10 (worst), if asked.
        compensation: peak of each compensation during the trial, name -> degrees
            (``romcam.core.compensation``), e.g. ``{"trunk_lateral_lean": 7.5}``.
        setup: the camera set-up of the trial, name -> number or short text
            (``romcam.core.setup_geometry``), e.g. ``{"distance_m": 2.4}``.
        uncertainty: the trial's own uncertainty in ``unit`` (from yaw, visibility, hold
            steadiness and roll), widening the real-change threshold; None = not known.
    Each stored measurement is one trial; the trials of a test are the measurements of one
    session, phase, test and side.
    """

    test: str
    side: str | None
    phase: str
    value: float
    unit: str | None = None
    held_max: float | None = None
    held_min: float | None = None
    start: float | None = None
    excursion: float | None = None
    view: str | None = None
    quality: str = "ok"
    quality_reason: str = ""
    source: str = "video"
    measured_at: datetime | None = None
    calibration_profile: str | None = None
    neutral: float | None = None
    first_pain: float | None = None
    pain_score: int | None = None
    compensation: Mapping[str, float] | None = None
    setup: Mapping[str, float | str] | None = None
    uncertainty: float | None = None

    def metric_id(self) -> str:
        """Metric column the test reads; InputError for an unknown test or a wrong side."""
        try:
            return assessment_test(self.test).metric_id(self.side)  # type: ignore[arg-type]
        except ValueError as exc:
            raise InputError(str(exc)) from None

    def validate(self) -> None:
        """Raise InputError naming the first field that is of the wrong kind."""
        self.metric_id()
        check_label("phase", self.phase)
        check_number("value", self.value, required=True)
        for name in ("held_max", "held_min", "start", "excursion", "neutral", "first_pain"):
            check_number(name, getattr(self, name), required=False)
        if self.source not in SOURCES:
            raise InputError(f"source must be one of {SOURCES}; got {self.source!r}")
        check_label("quality", self.quality)
        for name, limit in (("unit", 16), ("view", 40), ("calibration_profile", 120)):
            value = getattr(self, name)
            if value is not None:
                check_label(name, value, max_length=limit)
        if not isinstance(self.quality_reason, str):
            raise InputError(f"quality_reason must be text; got {type(self.quality_reason)}")
        check_plain_text("quality_reason", self.quality_reason, allowed=NOTE_CONTROLS)
        if self.measured_at is not None and not isinstance(self.measured_at, datetime):
            raise InputError(f"measured_at must be a datetime; got {self.measured_at!r}")
        check_pain_score(self.pain_score)
        check_number("uncertainty", self.uncertainty, required=False)
        if self.uncertainty is not None and self.uncertainty < 0:
            raise InputError(f"uncertainty must not be negative; got {self.uncertainty}")
        check_named_values("compensation", self.compensation, text_allowed=False)
        check_named_values("setup", self.setup, text_allowed=True)


@dataclass(frozen=True)
class RecordingInput:
    """Files to keep with a measurement; each is copied into the store (None = not kept).

    ``extras``: more files kept in the same folder under their own names (e.g. a walk's
    ``gait.json``); no column names them, so they are found beside the kept ``angles`` (or
    ``landmarks``/``video``) file, one of which must be given with them.
    """

    video: Path | None = None
    landmarks: Path | None = None
    angles: Path | None = None
    duration_s: float | None = None
    extras: tuple[Path, ...] = ()

    def files(self) -> dict[str, Path]:
        """Role (``video``/``landmarks``/``angles``, an extra's stem) -> existing source file;
        InputError else."""
        named = {role: getattr(self, role) for role in _FILE_ROLES}
        given = {role: Path(v) for role, v in named.items() if v is not None}
        if self.extras and not given:
            raise InputError("extra recording files need a video, landmarks or angles file too")
        for extra in map(Path, self.extras):
            if extra.stem in given or extra.stem in _FILE_ROLES:
                raise InputError(f"extra recording file {str(extra)!r}: its name is taken")
            given[extra.stem] = extra
        for role, path in given.items():
            if not path.is_file():
                raise InputError(f"{role} file {str(path)!r} does not exist or is not a file")
        check_number("duration_s", self.duration_s, required=False)
        return given


#: The recording files a column of the store names.
_FILE_ROLES = ("video", "landmarks", "angles")


def check_label(name: str, value: object, *, max_length: int = MAX_LABEL_LENGTH) -> str:
    """A short non-empty one-line plain text (see :func:`check_plain_text`), stripped;
    InputError saying what was expected otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{name} must be non-empty text; got {value!r}")
    if len(value) > max_length or any(ch in value for ch in _LINE_BREAKS):
        raise InputError(f"{name} must be one line of at most {max_length} characters")
    check_plain_text(name, value)
    return value.strip()


#: Characters that end a line (or jump to a tab stop); a label is one line.
_LINE_BREAKS = "\r\n\t\x00\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def check_birth_date(value: object) -> date | None:
    """A date (not a datetime) that is not in the future, or None; InputError otherwise."""
    if value is None:
        return None
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InputError(f"date_of_birth must be a date; got {value!r}")
    if value > date.today():
        raise InputError(
            f"date of birth {value.isoformat()} is in the future; check it (YYYY-MM-DD)"
        )
    return value


def check_pain_score(value: object) -> int | None:
    """A whole number from 0 to 10 (the numeric pain rating scale), or None."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not 0 <= int(value) <= 10
    ):
        raise InputError(f"a pain score is a whole number from 0 (none) to 10; got {value!r}")
    return int(value)


def check_reason(value: object) -> str:
    """A non-empty plain-text reason (line breaks allowed), stripped."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("give a reason (a few words) for leaving the trial out")
    if len(value) > MAX_NOTES_LENGTH:
        raise InputError(f"a reason must be at most {MAX_NOTES_LENGTH} characters")
    check_plain_text("reason", value, allowed=NOTE_CONTROLS)
    return value.strip()


def check_named_values(name: str, values: object, *, text_allowed: bool) -> None:
    """None, or a mapping of short labels to finite numbers (or short texts if allowed)."""
    if values is None:
        return
    if not isinstance(values, Mapping):
        raise InputError(f"{name} must be a mapping of names to values; got {values!r}")
    for key, value in values.items():
        check_label(f"{name} name", key)
        if text_allowed and isinstance(value, str):
            check_label(f"{name} {key}", value)
        else:
            check_number(f"{name} {key}", value, required=True)


def check_number(name: str, value: object, *, required: bool) -> None:
    """A finite real number (bool is refused); None allowed unless ``required``."""
    if value is None and not required:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InputError(f"{name} must be a number; got {value!r}")
    if not math.isfinite(float(value)):
        raise InputError(f"{name} must be a finite number; got {value!r}")
