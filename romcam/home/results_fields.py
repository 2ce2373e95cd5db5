"""One measurement of a results file (:class:`HomeMeasurement`) and its JSON, both ways.

Split from ``romcam.home.results`` (the ZIP, the manifest); pure. A value that cannot be
read raises ValueError, TypeError or KeyError; the reader turns them into one sentence.
"""

from __future__ import annotations

import math
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from romcam.core.assessments import assessment_test

#: The numbers a measurement may have (None = not known); the same names as the store's.
_OPTIONAL_NUMBERS = (
    "held_max",
    "held_min",
    "start",
    "excursion",
    "neutral",
    "uncertainty",
    "first_pain",
)


@dataclass(frozen=True)
class HomeMeasurement:
    """One trial measured at home (the fields mean what ``romcam.store.MeasurementInput``'s do).

    Attributes:
        uuid: this measurement's own id (de-duplicates a re-import; stable across exports).
        test, side: the assessment test (``shoulder_flexion``) and ``left``/``right`` or None.
        phase: the phase label of the client's store (``home``).
        value: the result in ``unit`` (the held end range, degrees for ROM tests).
        measured_at: when, timezone-aware (exported with its UTC offset).
        quality, quality_reason: the trial's quality verdict (``ok``, ``rejected``) and why.
        trial: the trial's number among that day's trials of the test (1 = first).
        view, held_max, held_min, start, excursion, neutral, uncertainty: as stored.
        compensation: name -> peak (deg); setup: the camera set-up (name -> number or text).
        first_pain: where pain began (``unit``); pain_score: 0-10 at the end range.
        landmarks, angles, video: member names of the trial's files in the ZIP (None = none).
    """

    uuid: str
    test: str
    side: str | None
    phase: str
    value: float
    unit: str
    measured_at: datetime
    quality: str = "ok"
    quality_reason: str = ""
    trial: int = 1
    view: str | None = None
    held_max: float | None = None
    held_min: float | None = None
    start: float | None = None
    excursion: float | None = None
    neutral: float | None = None
    uncertainty: float | None = None
    first_pain: float | None = None
    pain_score: int | None = None
    compensation: dict[str, float] | None = None
    setup: dict[str, float | str] | None = None
    landmarks: str | None = None
    angles: str | None = None
    video: str | None = None

    @property
    def metric_id(self) -> str:
        """The metric column (``shoulder_flexion_right``)."""
        return assessment_test(self.test).metric_id(self.side)  # type: ignore[arg-type]


def measurement_to_json(m: HomeMeasurement) -> dict[str, Any]:
    """``m`` as results.json keeps it (NaN and infinities as null)."""
    return {
        "uuid": m.uuid,
        "test": m.test,
        "side": m.side,
        "phase": m.phase,
        "value": m.value,
        "unit": m.unit,
        "measured_at": m.measured_at.isoformat(),
        "quality": m.quality,
        "quality_reason": m.quality_reason,
        "trial": m.trial,
        "view": m.view,
        **{name: _finite_or_none(getattr(m, name)) for name in _OPTIONAL_NUMBERS},
        "pain_score": m.pain_score,
        "compensation": m.compensation,
        "setup": m.setup,
        "files": {"landmarks": m.landmarks, "angles": m.angles, "video": m.video},
    }


def measurement_from_json(data: Any) -> HomeMeasurement:
    """A measurement from results.json; ValueError / TypeError / KeyError when a value is
    missing or of the wrong kind."""
    if not isinstance(data, dict):
        raise ValueError("a measurement is not an object")
    test, side = data["test"], data["side"]
    try:
        assessment_test(test).metric_id(side)
    except (KeyError, ValueError, AttributeError):
        raise ValueError(f"test {test!r} with side {side!r} is not known") from None
    pain_score = data.get("pain_score")
    if pain_score is not None and (type(pain_score) is not int or not 0 <= pain_score <= 10):
        raise ValueError("a pain score is not 0 to 10")
    files = data.get("files") or {}
    return HomeMeasurement(
        uuid=str(uuid_module.UUID(data["uuid"])),
        test=test,
        side=side,
        phase=_str(data["phase"], "phase"),
        value=_number(data["value"], "value"),
        unit=_str(data["unit"], "unit"),
        measured_at=aware_time(data["measured_at"], "measured_at"),
        quality=_str(data.get("quality", "ok"), "quality"),
        quality_reason=str(data.get("quality_reason") or ""),
        trial=int(data.get("trial", 1)),
        view=data.get("view"),
        **{name: _optional_number(data.get(name), name) for name in _OPTIONAL_NUMBERS},
        pain_score=pain_score,
        compensation=_mapping(data.get("compensation"), "compensation"),
        setup=_mapping(data.get("setup"), "setup"),
        landmarks=files.get("landmarks"),
        angles=files.get("angles"),
        video=files.get("video"),
    )


def aware_time(value: Any, name: str) -> datetime:
    """An ISO 8601 time with its UTC offset; ValueError without one."""
    if not isinstance(value, str):
        raise ValueError(f"{name} is not a time")
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError(f"{name} has no UTC offset")
    return when


def _finite_or_none(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} is not a text")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} is not a number")
    return float(value)


def _optional_number(value: Any, name: str) -> float | None:
    return None if value is None else _number(value, name)


def _mapping(value: Any, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(f"{name} is not an object")
    return dict(value)
