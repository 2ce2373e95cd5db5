"""Storing a trial captured live: what was chosen beside the camera (:class:`LiveChoice`),
the store call (:func:`save_trial`) and, for the pages, :func:`store_captured`, which also
removes the trial's recording folder once stored or rejected, or keeps it when the store
failed. Used by the Assess page and the client's home check; no Streamlit widgets here.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.calibration import CalibrationProfile
from romcam.core.assessments import AssessmentTest, Side
from romcam.errors import RomcamError
from romcam.live.recording import keep_unsaved_trial
from romcam.live.trial_session import TrialResult
from romcam.store.from_results import (
    AttemptResult,
    NotMeasuredError,
    RejectedResultError,
    measurement_input,
)
from romcam.store.records import MeasurementRecord, RecordingInput
from romcam.ui.live_status import plain_ids
from romcam.ui.settings import current_settings

if TYPE_CHECKING:
    from romcam.store import Store


@dataclass(frozen=True)
class LiveChoice:
    """What the therapist picked beside the camera (``session_id`` None = nowhere to save)."""

    session_id: int | None
    phase: str
    test: AssessmentTest
    side: Side | None
    calibration: CalibrationProfile | None = None
    #: Also save trials whose quality check failed (marked so).
    keep_rejected: bool = False
    #: The current client (None = none chosen in the sidebar).
    client_id: int | None = None
    #: Trials planned for the test ("trial 2 of 3"); each is saved as its own measurement.
    trials: int = 3


def remove_dir(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def save_trial(store: Store, choice: LiveChoice, result: TrialResult) -> MeasurementRecord:
    """Store a captured trial with its recording (one transaction). Raises RomcamError
    (:class:`RejectedResultError` for a rejected trial the choice does not keep)."""
    if choice.session_id is None:
        raise RomcamError("no session is chosen; choose a client and a session first")
    attempt = AttemptResult(
        test=result.test_id,
        side=result.side,
        value=result.value,
        quality=result.quality,
        reason=result.reason,
        view=result.view,
        held_max=result.held_max,
        held_min=result.held_min,
        start=result.start,
        excursion=result.excursion,
        neutral=result.neutral,
        compensation=result.compensation,
        setup=result.setup,
        uncertainty=result.uncertainty,
    )
    try:
        measurement = measurement_input(
            attempt,
            phase=choice.phase,
            source="live",
            calibration=choice.calibration.name if choice.calibration else None,
            keep_rejected=choice.keep_rejected,
            first_pain=result.first_pain,
        )
    except NotMeasuredError:
        why = result.reason or "the body part was not seen"
        raise RomcamError(f"no end range was measured in this trial ({why}); try again") from None
    recording = None
    if result.video_path is not None:
        recording = RecordingInput(
            video=result.video_path,
            landmarks=result.landmarks_path,
            angles=result.angles_path,
            duration_s=result.duration_s,
        )
    return store.add_measurement(choice.session_id, measurement, recording)


@dataclass(frozen=True)
class NotSaved:
    """Why a captured trial was not stored (a sentence without its full stop); ``rejected``:
    it failed its quality check and the choice does not keep such trials."""

    why: str
    rejected: bool = False


def store_captured(
    store: Store, choice: LiveChoice, result: TrialResult
) -> MeasurementRecord | NotSaved:
    """Store a captured trial: its record, or why not. The trial's recording folder goes
    once stored or rejected; one the store could not take is kept in ``unsaved-trials``."""
    kept = result.video_path.parent if result.video_path is not None else None
    try:
        record = save_trial(store, choice, result)
    except RejectedResultError as exc:
        remove_dir(kept)  # not saved on purpose: its recording goes too
        return NotSaved(plain_ids(str(exc), result.metric_id), rejected=True)
    except RomcamError as exc:
        if kept is not None:
            data_dir = Path(current_settings().data_dir)
            kept = keep_unsaved_trial(kept, data_dir, f"{result.test_id}-{choice.phase}")
        where = f" Its recording is kept in {kept}." if kept is not None else ""
        return NotSaved(f"{plain_ids(str(exc), result.metric_id)}.{where}".rstrip("."))
    remove_dir(kept)  # the store holds its own copies now
    return record
