"""What a live test is set to do and what it gives back: :class:`LiveConfig` (the test, the
model, the hold rules, the trials planned), :class:`TrialResult` (a captured trial) and
:class:`TrialStep` (what one frame did). Split from ``romcam.live.trial_session``, which
re-exports them; no thread, no model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from romcam.calibration import CalibrationProfile
from romcam.core.assessments import AssessmentTest, Side
from romcam.core.metric_table import MetricTable
from romcam.core.neck_from_face import FACE_METRICS

Phase = Literal["neutral", "trial", "done"]
#: Most trials one live test can plan.
MAX_TRIALS = 10


@dataclass(frozen=True, kw_only=True)
class LiveConfig:
    """What one live trial measures and how.

    Attributes:
        test, side: the clinical test (``romcam.core.assessments``) and its side (None if unsided).
        model_path: pose model file; None = the default resolution.
        face_model_path: face model file (neck tests); None = the default resolution.
        calibration: camera profile (level, scale, lens; see ``romcam.calibration``) or None.
        min_hold_s: how long (s) the end range must be held for the automatic capture.
        hold_tolerance: half-width (metric unit) of the band the value must stay in.
        min_excursion: how far (metric unit) the value must have moved from its start before a
            hold counts as the end range; 0 for posture tests, which are a still pose.
        max_gap_s: longest time (s) between processed frames a live hold may span (a slow
            machine processes only a few frames per second).
        auto_capture: capture the end range by itself on a detected hold (else only on
            request). The neutral of a neck test is always taken after NEUTRAL_HOLD_S still.
        record_dir: folder for the trials' ``trial-NNN/trial.mp4`` and ``landmarks.csv``;
            None = no recording.
        record_fps: nominal frame rate of the trial video (frames keep their own times).
        people_check_s: stream seconds between counts of the people in the picture
            (``romcam.live.people_check``).
        trials: trials planned for the test (clinical range is their mean, usually of 3).
            After a captured trial the next one starts by itself once the value is back near
            the trial's start, until this many were captured (ROM tests; others: New trial).
    """

    test: AssessmentTest
    side: Side | None
    model_path: Path | None = None
    face_model_path: Path | None = None
    calibration: CalibrationProfile | None = None
    min_hold_s: float = 1.0
    hold_tolerance: float = 3.0
    min_excursion: float = 20.0
    max_gap_s: float = 1.0
    auto_capture: bool = True
    record_dir: Path | None = None
    record_fps: float = 30.0
    people_check_s: float = 0.5
    trials: int = 3

    def __post_init__(self) -> None:
        self.test.metric_id(self.side)  # ValueError when the side does not fit the test
        for name in ("min_hold_s", "hold_tolerance", "people_check_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0; got {getattr(self, name)!r}")
        if not 1 <= self.trials <= MAX_TRIALS:
            raise ValueError(f"trials must be 1 to {MAX_TRIALS}; got {self.trials!r}")
        if self.min_excursion < 0:
            raise ValueError(f"min_excursion must be >= 0; got {self.min_excursion!r}")

    @property
    def metric_id(self) -> str:
        return self.test.metric_id(self.side)

    @property
    def uses_face_model(self) -> bool:
        """The test's metric comes from the head pose in a front view (the neck tests): the
        face model runs beside the pose model."""
        return self.metric_id in FACE_METRICS


@dataclass(frozen=True, kw_only=True)
class TrialResult:
    """A captured trial, ready to be stored.

    Attributes:
        value: the result in the metric's unit: the held end range (from the neutral for tests
            that need one), or the held posture value; NaN when nothing was measured.
        view: dominant view of the trial; quality / reason: the verdict of
            ``summary.summary_for_test`` (``ok``, ``rejected``, ``no_data``) and why, lowered
            to ``rejected`` when a set-up check or an angle-table flag reported a problem
            over the held stretch (``live.setup_quality``).
        held_max, held_min, start, excursion: held values of the metric column (NaN if none).
        neutral: the neutral value captured first (neck tests), else None.
        table: the trial's per-frame ``MetricTable`` (causally filtered values).
        trigger: ``auto`` (hold detected) or ``button``.
        video_path, landmarks_path, angles_path: the recorded files (None when not recorded).
        duration_s: trial length in seconds.
        first_pain: the value (metric unit, as ``value``) where the pain mark was set during
            the trial (:meth:`TrialSession.mark_first_pain`), None when it was not.
        trial: this trial's number among the session's captured trials (1 = first).
        setup: the trial's camera set-up, the store's ``setup`` JSON (``core/setup_geometry``;
            filled by the processor, ``live/setup_ghost``), None when not known.
        compensation: name -> peak (deg) of each of the test's compensations during the end
            range (``live/compensation_gate``), None for a test without; ``value`` is then the
            clean range (``core/clean_range``). compensation_note: a sentence when the clean
            range is lower than the range with compensation, else None.
        uncertainty: the trial's own uncertainty in the metric's unit (``core/uncertainty``;
            live: the hold steadiness term), None when not known.
    """

    test_id: str
    side: Side | None
    metric_id: str
    value: float
    view: str
    quality: str
    reason: str
    held_max: float
    held_min: float
    start: float
    excursion: float
    neutral: float | None
    table: MetricTable
    trigger: Literal["auto", "button"]
    video_path: Path | None
    landmarks_path: Path | None
    angles_path: Path | None
    duration_s: float
    first_pain: float | None = None
    trial: int = 1
    setup: dict[str, float | str] | None = None
    compensation: dict[str, float] | None = None
    compensation_note: str | None = None
    uncertainty: float | None = None


@dataclass(frozen=True, kw_only=True)
class TrialStep:
    """What one frame did to the session (for the page and the drawing).

    Attributes:
        phase: after this frame. value: the test's metric (causally filtered, metric unit;
            NaN when not measurable). view: detected view. problems: set-up checks to fix.
        hold_progress: 0..1 of the current hold. held: the last held value (NaN before one).
        captured: the captured trial's value once ``phase`` is ``done``, else None.
        trial, trials: the trial under way (or just captured) and the trials planned:
            "trial 2 of 3". first_pain: the pain mark of the trial (metric unit), else None.
    """

    phase: Phase
    value: float
    view: str
    problems: tuple[str, ...]
    hold_progress: float
    held: float
    captured: float | None
    trial: int = 1
    trials: int = 1
    first_pain: float | None = None
