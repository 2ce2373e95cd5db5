"""From a measured attempt to a stored measurement: one rule for the CLI (``romcam measure``),
the Analyze page and the live page.

- An attempt without a value (nothing held, nothing seen) is never stored:
  :class:`NotMeasuredError`.
- An attempt whose quality check failed (``rejected``) is stored only when the caller asks to
  keep it (``--keep-rejected``, a box on the pages): :class:`RejectedResultError` otherwise.
- The calibration profile the attempt was measured with is recorded with it.
- So are the trial's pain (``first_pain``, ``pain_score``: given by the caller, from the CLI's
  options or the live page's pain mark) and, when they were measured, its compensations,
  camera set-up and own uncertainty (keyword arguments; for a recorded video by default the
  test summary's ``compensation`` and ``uncertainty`` and the analysis's ``setup``).

A recorded video's attempt comes from :func:`romcam.core.summary.summary_for_test`
(:func:`attempt_from_summary`, or :func:`measurement_from_analysis` for a whole analysis); the
live page builds an :class:`AttemptResult` from its captured trial. Imports neither the pose
model nor Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from romcam.core.assessments import AssessmentTest, Side, assessment_test
from romcam.core.summary import AssessmentSummary, summary_for_test
from romcam.errors import InputError
from romcam.store.records import MeasurementInput, RecordingInput

if TYPE_CHECKING:
    from romcam.analysis import AnalysisResult


class NotMeasuredError(InputError):
    """The attempt has no value to store."""


class RejectedResultError(InputError):
    """The attempt failed its quality check and the caller did not ask to keep it."""


class WrongSideError(NotMeasuredError):
    """The video shows the other side of the body: the message says which side to choose."""


@dataclass(frozen=True, kw_only=True)
class AttemptResult:
    """What one attempt at a clinical test measured, whichever way it was measured.

    Attributes:
        test: assessment test id; side: ``left``/``right`` for sided tests, else None.
        value: the result in the metric's unit: the held end range (from the neutral for tests
            that need one) or the held posture value; None or NaN when nothing was measured.
        quality: ``ok``, ``rejected`` or ``no_data``; reason: why, "" when ok.
        view: dominant camera view of the attempt.
        held_max, held_min, start, excursion: held values of the metric column (None or NaN
            where there is none).
        neutral: the value the metric was zeroed at (tests with a neutral), else None.
        unit: None = the metric's unit from the catalogue.
        compensation, setup, uncertainty: the attempt's compensation peaks (name -> deg),
            camera set-up and own uncertainty (metric unit), where they were measured.
    """

    test: str
    side: Side | None
    value: float | None
    quality: str
    reason: str
    view: str | None = None
    held_max: float | None = None
    held_min: float | None = None
    start: float | None = None
    excursion: float | None = None
    neutral: float | None = None
    unit: str | None = None
    compensation: Mapping[str, float] | None = None
    setup: Mapping[str, float | str] | None = None
    uncertainty: float | None = None


def attempt_from_summary(entry: AssessmentSummary) -> AttemptResult:
    """The attempt of a recorded video's test summary. A test with a neutral takes the movement
    from the starting position (``value_from_start``) and that position as its neutral."""
    neutral_test = assessment_test(entry["test"]).needs_neutral
    return AttemptResult(
        test=entry["test"],
        side=entry["side"],
        value=entry["value_from_start"] if neutral_test else entry["value"],
        quality=entry["quality"],
        reason=entry["reason"],
        view=entry["view"],
        held_max=entry["max"],
        held_min=entry["min"],
        start=entry["start"],
        excursion=entry["excursion"],
        neutral=entry["start"] if neutral_test else None,
        unit=entry["unit"],
        compensation=entry["compensation"],
        uncertainty=entry["uncertainty"],
    )


def has_value(attempt: AttemptResult) -> bool:
    """Whether ``attempt`` has a value to store (kept or not): a finite number, not ``no_data``."""
    return _finite(attempt.value) is not None and attempt.quality != "no_data"


def measurement_input(
    attempt: AttemptResult,
    *,
    phase: str,
    source: Literal["video", "live"],
    calibration: str | None,
    keep_rejected: bool,
    first_pain: float | None = None,
    pain_score: int | None = None,
    compensation: Mapping[str, float] | None = None,
    setup: Mapping[str, float | str] | None = None,
    uncertainty: float | None = None,
) -> MeasurementInput:
    """The store input of ``attempt`` (one trial).

    Args:
        phase: ``before``, ``after`` or another short label.
        source: ``video`` (a recorded file) or ``live`` (the webcam).
        calibration: name of the calibration profile the attempt was measured with, if any.
        keep_rejected: store an attempt whose quality check failed too.
        first_pain: the value (metric unit and sign, as the result) where pain began, if marked.
        pain_score: 0-10 pain at the end range, if asked.
        compensation, setup, uncertainty: the trial's compensation peaks (name -> deg), camera
            set-up and own uncertainty (metric unit); None takes the attempt's own.

    Raises:
        NotMeasuredError: the attempt has no value (or its quality is ``no_data``).
        RejectedResultError: its quality is not ``ok`` and ``keep_rejected`` is False.
    """
    test = assessment_test(attempt.test)
    value = _finite(attempt.value)
    if value is None or not has_value(attempt):
        why = f" ({attempt.reason})" if attempt.reason else ""
        raise NotMeasuredError(
            f"{test.label} could not be measured{why}; check the set-up: "
            f"{test.setup_for(attempt.side)}"
        )
    if attempt.quality != "ok" and not keep_rejected:
        raise RejectedResultError(
            f"the {test.label} result failed its quality check ({attempt.reason}) and was not "
            "saved; record it again"
        )
    return MeasurementInput(
        test=test.id,
        side=attempt.side,
        phase=phase,
        value=value,
        unit=attempt.unit,
        held_max=_finite(attempt.held_max),
        held_min=_finite(attempt.held_min),
        start=_finite(attempt.start),
        excursion=_finite(attempt.excursion),
        view=attempt.view,
        quality=attempt.quality or "unknown",
        quality_reason=attempt.reason,
        source=source,
        calibration_profile=calibration,
        neutral=_finite(attempt.neutral),
        first_pain=first_pain,
        pain_score=pain_score,
        compensation=compensation if compensation is not None else attempt.compensation,
        setup=setup if setup is not None else attempt.setup,
        uncertainty=_finite(uncertainty if uncertainty is not None else attempt.uncertainty),
    )


def measurement_from_analysis(
    result: AnalysisResult,
    test: AssessmentTest,
    side: Side | None,
    *,
    phase: str,
    keep_rejected: bool,
    video: Path | None = None,
    first_pain: float | None = None,
    pain_score: int | None = None,
    compensation: Mapping[str, float] | None = None,
    setup: Mapping[str, float | str] | None = None,
    uncertainty: float | None = None,
) -> tuple[MeasurementInput, RecordingInput]:
    """The measurement (one trial) of ``test`` in an analyzed video and the files to keep with
    it (the video, default ``result.video.path``, and the landmark and angle tables). Pain and
    the measured extras: see :func:`measurement_input` (compensation and uncertainty default
    to the test summary's, the set-up to the analysis's ``setup``).

    Raises:
        ValueError: ``side`` does not fit the test.
        WrongSideError: the video shows the other side ("this video shows the left side;
            choose left").
        NotMeasuredError, RejectedResultError: see :func:`measurement_input`.
    """
    entry = summary_for_test(result.table, test, side, pose=result.pose)
    if entry["code"] == "wrong_side":  # never stored, even with keep_rejected: choose again
        raise WrongSideError(entry["reason"].split(": ", 1)[-1])
    measurement = measurement_input(
        attempt_from_summary(entry),
        phase=phase,
        source="video",
        calibration=result.calibration,
        keep_rejected=keep_rejected,
        first_pain=first_pain,
        pain_score=pain_score,
        compensation=compensation,
        setup=setup if setup is not None else result.setup,
        uncertainty=uncertainty,
    )
    recording = RecordingInput(
        video=video if video is not None else Path(result.video.path),
        landmarks=result.landmarks_csv,
        angles=result.angles_csv,
        duration_s=float(result.video.duration_s),
    )
    return measurement, recording


def _finite(x: float | None) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None
