"""ORM rows -> frozen records and tidy-frame rows (the only place that reads ORM attributes)."""

from __future__ import annotations

from typing import Any

from romcam.store.models import AssessmentSession, Client, Measurement, Recording
from romcam.store.records import ClientRecord, MeasurementRecord, RecordingRecord, SessionRecord

#: Columns of ``Store.measurements_frame``: one row per measurement. Times are naive UTC.
FRAME_COLUMNS: tuple[str, ...] = (
    "measurement_id",
    "client_id",
    "client",
    "session_id",
    "started_at",
    "therapist",
    "phase",
    "test",
    "side",
    "metric",
    "value",
    "unit",
    "held_max",
    "held_min",
    "start",
    "excursion",
    "view",
    "quality",
    "quality_reason",
    "source",
    "measured_at",
    "calibration_profile",
    "neutral",
    "first_pain",
    "pain_score",
    "compensation",
    "setup",
    "uncertainty",
    "excluded_reason",
    "video_path",
    "landmarks_path",
    "angles_path",
)


def to_client(row: Client) -> ClientRecord:
    return ClientRecord(row.id, row.name, row.date_of_birth, row.notes, row.created_at)


def to_session(row: AssessmentSession, client_name: str) -> SessionRecord:
    return SessionRecord(
        row.id, row.client_id, client_name, row.started_at, row.therapist, row.notes
    )


def to_recording(row: Recording | None) -> RecordingRecord | None:
    if row is None:
        return None
    return RecordingRecord(
        row.id,
        row.session_id,
        row.measurement_id,
        row.video_path,
        row.landmarks_path,
        row.angles_path,
        row.duration_s,
        row.sha256,
    )


def to_measurement(row: Measurement) -> MeasurementRecord:
    return MeasurementRecord(
        id=row.id,
        session_id=row.session_id,
        phase=row.phase,
        test=row.test_id,
        side=row.side,
        metric=row.metric_id,
        value=row.value,
        unit=row.unit,
        held_max=row.held_max,
        held_min=row.held_min,
        start=row.start_value,
        excursion=row.excursion,
        view=row.view,
        quality=row.quality,
        quality_reason=row.quality_reason,
        source=row.source,
        measured_at=row.measured_at,
        calibration_profile=row.calibration_profile,
        neutral=row.neutral,
        recording=to_recording(row.recording),
        first_pain=row.first_pain,
        pain_score=row.pain_score,
        compensation=row.compensation,
        setup=row.setup,
        uncertainty=row.uncertainty,
        excluded_reason=row.excluded_reason,
    )


def measurement_row(m: Measurement, s: AssessmentSession, c: Client) -> dict[str, Any]:
    """One tidy-frame row (keys = FRAME_COLUMNS)."""
    rec = m.recording
    return {
        "measurement_id": m.id,
        "client_id": c.id,
        "client": c.name,
        "session_id": s.id,
        "started_at": s.started_at,
        "therapist": s.therapist,
        "phase": m.phase,
        "test": m.test_id,
        "side": m.side,
        "metric": m.metric_id,
        "value": m.value,
        "unit": m.unit,
        "held_max": m.held_max,
        "held_min": m.held_min,
        "start": m.start_value,
        "excursion": m.excursion,
        "view": m.view,
        "quality": m.quality,
        "quality_reason": m.quality_reason,
        "source": m.source,
        "measured_at": m.measured_at,
        "calibration_profile": m.calibration_profile,
        "neutral": m.neutral,
        "first_pain": m.first_pain,
        "pain_score": m.pain_score,
        "compensation": m.compensation,
        "setup": m.setup,
        "uncertainty": m.uncertainty,
        "excluded_reason": m.excluded_reason,
        "video_path": rec.video_path if rec else None,
        "landmarks_path": rec.landmarks_path if rec else None,
        "angles_path": rec.angles_path if rec else None,
    }
