"""One live test's attempts, frame by frame: neutral -> trial -> done, the hold, the capture.

A :class:`TrialSession` takes each frame's pose (from any estimator) and measures it with the
causal measurer (``romcam.core.causal_measurer``), checks the set-up (``romcam.live.checks``),
takes the neutral of a neck test once it is held still, grows the trial's rows, records the
trial's files (``romcam.live.recording``), detects the held end range and captures the trial
as a :class:`TrialResult`. A test is done as several trials ("trial 2 of 3",
``LiveConfig.trials``): after a capture the next trial starts by itself once the value is back
near the trial's start. During a trial the pain mark (:meth:`TrialSession.mark_first_pain`)
keeps the current value as the angle where pain began. It owns no thread and no model:
``romcam.live.processor`` feeds it from its pipeline and serialises the calls; tests feed it
synthetic poses.

Files: an attempt records into ``record_dir/trial-NNN``. Nothing an attempt did not capture
stays on disk: its folder is deleted when it is discarded (New trial, STOP, a new stream,
closing). A captured trial's files are handed to the page with the :class:`TrialResult`; the
page stores them (and deletes its copies).
"""

from __future__ import annotations

import contextlib
import logging
import math
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np

from romcam.calibration.apply import causal_measurer
from romcam.core.assessments import POSTURE_METRICS
from romcam.core.causal_measurer import CausalMeasurer, FrameMeasurement
from romcam.core.head_pose import HeadPose
from romcam.core.hold import HoldDetector
from romcam.core.measure import NEUTRAL_METRICS
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.metric_table import MetricTable
from romcam.core.summary import AssessmentSummary, summary_for_test
from romcam.live.checks import setup_problems
from romcam.live.compensation_gate import CompensationGate
from romcam.live.recording import RECORDING_ERRORS, TrialRecorder, TrialRows
from romcam.live.setup_quality import with_setup_quality
from romcam.live.trial_types import LiveConfig, Phase, TrialResult, TrialStep
from romcam.pose.estimator import FramePose

__all__ = ["LiveConfig", "Phase", "TrialResult", "TrialSession", "TrialStep", "trial_summary"]

log = logging.getLogger(__name__)

#: How long (s) the neutral position must be held still before it is taken automatically.
NEUTRAL_HOLD_S = 1.0
#: Shortest hold (s) for the trial's ROM extraction (the held end range that is saved).
ROM_HOLD_S = 0.5


class TrialSession:
    """The attempts of one live test: call :meth:`step` with each frame, in time order.

    ``publish`` receives what the page must hear of at once: a :class:`TrialResult` when a
    trial is captured, a sentence when its recording failed. Not thread-safe: the caller
    serialises :meth:`step` and the commands.
    """

    def __init__(self, config: LiveConfig, publish: Callable[[object], None]) -> None:
        self.config = config
        self._publish = publish
        self._metric_index = METRIC_IDS.index(config.metric_id)
        #: The metrics measured live: the test's, plus the extra ones of a posture test.
        self._metrics = frozenset({config.metric_id, *POSTURE_METRICS.get(config.test.id, ())})
        self._commands: set[str] = set()
        self._attempts = 0
        #: Trials captured so far (kept across New trial; the page stores each one).
        self.trials_captured = 0
        self._last_t = -math.inf
        self._start_attempt()

    # --- commands ---------------------------------------------------------------------------
    def request_capture(self) -> None:
        """Capture the trial at the next frame (the therapist's button)."""
        self._commands.add("capture")

    def request_neutral(self) -> None:
        """Take the current position as the neutral at the next frame (neck tests)."""
        self._commands.add("neutral")

    def mark_first_pain(self) -> None:
        """Keep the value of the next frame as the angle where pain began (during a trial;
        the first mark of a trial counts, later ones are ignored)."""
        self._commands.add("pain")

    def capture_not_kept(self) -> None:
        """The page did not store the last captured trial (it failed its check, or there was
        no session): it does not count toward the planned trials, and the next capture takes
        its number."""
        self.trials_captured = max(0, self.trials_captured - 1)

    @property
    def trial_number(self) -> int:
        """The trial under way (1 = first), or the one just captured."""
        return self.trials_captured + (0 if self.phase == "done" else 1)

    def new_attempt(self) -> None:
        """Discard the attempt under way (unsaved, its files deleted) and start a new one."""
        self._discard_attempt()
        self._start_attempt()

    def stream_ended(self) -> bool:
        """The camera stopped: an attempt under way is discarded. True when it was a trial
        (after the neutral) that had measured frames: the page says it was not saved."""
        lost = self.phase == "trial" and len(self._rows) > 0
        if self.phase != "done" and self._attempt_frames > 0:
            self.new_attempt()
        return lost

    def close(self) -> None:
        """Discard the attempt under way and remove ``record_dir`` if nothing is left in it
        (a captured trial's files stay for the page). Idempotent."""
        self._discard_attempt()
        if self.config.record_dir is not None:
            with contextlib.suppress(OSError):
                self.config.record_dir.rmdir()

    # --- frames -----------------------------------------------------------------------------
    def step(
        self,
        frame_bgr: np.ndarray,
        time_s: float,
        pose: FramePose | None,
        people: int,
        *,
        head: HeadPose | None = None,
    ) -> TrialStep:
        """Measure one (H, W, 3) uint8 BGR frame taken at ``time_s`` s with the subject's
        ``pose`` (None: not found), ``people`` persons in the picture and the ``head`` pose
        of the face model (None: no face found, or no face model); record it and move the
        attempt on."""
        if not time_s > self._last_t:
            log.info("frame time %.3f s is not after %.3f s: new stream", time_s, self._last_t)
            self._new_stream()
        self._last_t = time_s
        image, world = (None, None) if pose is None else (pose.image, pose.world)
        # With the face model the neck is measured from the head pose, and a frame whose face
        # was lost has no neck value (heads=[None]); without it, from the body (heads=None).
        heads = [head] if self.config.uses_face_model else None
        measurer = self._measurer_for(frame_bgr.shape)
        (measured,) = measurer.measure_batch([time_s], [image], [world], heads=heads)
        cfg = self.config
        value = measured.value(cfg.metric_id)
        problems = setup_problems(image, cfg.test, cfg.side, measured.view, people, measured.flags)
        progress = self._advance(frame_bgr, pose, measured, value, problems)
        return TrialStep(
            phase=self.phase,
            value=value,
            view=measured.view,
            problems=problems + self._gate.cues if self.phase == "trial" else problems,
            hold_progress=progress,
            held=self._detector.held,
            captured=self.captured.value if self.captured is not None else None,
            trial=self.trial_number,
            trials=max(cfg.trials, self.trial_number),
            first_pain=self._first_pain,
        )

    # --- the attempt ------------------------------------------------------------------------
    def _start_attempt(self) -> None:
        """The neutral phase for tests that need one, else the trial. The recording starts
        with the neutral phase; the trial's rows once the neutral is taken (zeroed at it)."""
        cfg = self.config
        self._attempts += 1
        self._neutral: float | None = None
        self._measurer: CausalMeasurer | None = None
        self._attempt_t0: float | None = None
        self._attempt_frames = 0
        self._rows = TrialRows()
        self._first_pain: float | None = None
        #: The set-up checks of each of the trial's rows (they lower the captured quality).
        self._problems: list[tuple[str, ...]] = []
        #: The test's compensations over the trial's rows (they hold the automatic capture).
        self._gate = CompensationGate(cfg.test, cfg.side)
        self.captured: TrialResult | None = None
        self._folder: Path | None = None
        self._recorder: TrialRecorder | None = None
        if cfg.record_dir is not None:
            self._folder = cfg.record_dir / f"trial-{self._attempts:03d}"
            self._recorder = TrialRecorder(self._folder, cfg.record_fps)
        if cfg.test.needs_neutral:
            self.phase: Phase = "neutral"
            self._detector = HoldDetector(
                NEUTRAL_HOLD_S, cfg.hold_tolerance, "max", max_gap_s=cfg.max_gap_s
            )
        else:
            self.phase = "trial"
            self._detector = self._trial_detector()

    def _new_stream(self) -> None:
        """Time went backwards (a new stream): drop an attempt that has frames, else only
        restart the filter."""
        if self.phase != "done" and self._attempt_frames > 0:
            self.new_attempt()
        elif self._measurer is not None:
            self._measurer.restart_filter()

    def _measurer_for(self, shape: tuple[int, ...]) -> CausalMeasurer:
        """The attempt's measurer for frames of this shape (a new one if the size changed)."""
        w, h = int(shape[1]), int(shape[0])
        m = self._measurer
        if m is None or (m.width, m.height) != (w, h):
            neutral = dict.fromkeys(NEUTRAL_METRICS, 0.0)  # raw until a neutral is taken
            if self._neutral is not None:
                neutral[self.config.metric_id] = self._neutral
            cfg = self.config
            m = causal_measurer(cfg.calibration, w, h, metrics=self._metrics, neutral=neutral)
            self._measurer = m
        return m

    def _trial_detector(self) -> HoldDetector:
        cfg = self.config
        detector = HoldDetector(
            cfg.min_hold_s,
            cfg.hold_tolerance,
            cfg.test.extreme(cfg.side),
            cfg.min_excursion,
            max_gap_s=cfg.max_gap_s,
        )
        if self._neutral is not None:
            detector.start = 0.0  # the values are zeroed at the neutral
        return detector

    def _advance(
        self,
        frame_bgr: np.ndarray,
        pose: FramePose | None,
        measured: FrameMeasurement,
        value: float,
        problems: tuple[str, ...],
    ) -> float:
        """Move the neutral / trial state on by one frame whose test metric reads ``value``
        and whose set-up checks said ``problems``; returns the hold progress."""
        time_s = measured.time_s
        capture, neutral = "capture" in self._commands, "neutral" in self._commands
        pain = "pain" in self._commands
        self._commands.clear()
        if self.phase == "done":
            if self._back_at_start(value):
                self.new_attempt()  # the next trial, from the next frame
                return 0.0
            return 1.0
        if pain and self.phase == "trial" and self._first_pain is None and math.isfinite(value):
            self._first_pain = value
        if self._attempt_t0 is None:
            self._attempt_t0 = time_s
        t_rel = time_s - self._attempt_t0
        index = self._record(frame_bgr, t_rel, pose)
        if self.phase == "trial":  # neutral-phase values are raw, not zeroed: not in the table
            self._rows.add(index, t_rel, measured)
            self._problems.append(problems)
            size = (int(frame_bgr.shape[1]), int(frame_bgr.shape[0]))
            image = pose.image if pose is not None else None
            self._gate.update(t_rel, image, size, measured.view, measured.facing)
        progress = self._detector.update(time_s, value)
        if self.phase == "neutral":
            auto = progress >= 1.0  # the neutral is always taken once held still
            if (auto or neutral) and math.isfinite(value):
                held = self._detector.held
                self._take_neutral(held if auto and math.isfinite(held) else value)
            return progress
        done = self._detector.released if self.config.min_excursion > 0 else progress >= 1.0
        if capture or (self.config.auto_capture and done and not self._gate.holding):
            self._capture("button" if capture else "auto")
        return progress

    def _back_at_start(self, value: float) -> bool:
        """After a capture, with trials still planned: the value has come back near the
        captured trial's start (within half the excursion a trial needs), so the next trial
        can begin. Never for posture tests (no excursion) or once all are captured."""
        cfg, done = self.config, self.captured
        if done is None or cfg.min_excursion <= 0 or self.trials_captured >= cfg.trials:
            return False
        band = max(cfg.hold_tolerance, cfg.min_excursion / 2)
        return (
            math.isfinite(value) and math.isfinite(done.start) and abs(value - done.start) <= band
        )

    def _take_neutral(self, value: float) -> None:
        self._neutral = value
        self.phase = "trial"
        if self._measurer is not None:  # zeroed from the next frame, the filter restarted
            self._measurer.set_neutral(self.config.metric_id, value)
        self._detector = self._trial_detector()

    def _capture(self, trigger: Literal["auto", "button"]) -> None:
        """End the trial: close its files, take the held end range, publish the result."""
        cfg = self.config
        rec = self._recording_for_capture()
        table = self._rows.table()
        summary = trial_summary(table, cfg, self._gate.series())
        quality, reason = with_setup_quality(summary, table, self._problems)
        value = _float(summary["value"])
        if not math.isfinite(value) and trigger == "button":
            recent = self._rows.recent(self._metric_index, 0.5)
            value = float(np.median(recent)) if recent.size else value
        angles = None
        if rec is not None:
            angles = rec.folder / "angles.csv"
            table.to_dataframe().to_csv(angles, index=False)
        duration = rec.duration_s if rec else float(np.ptp(table.time_s)) if len(table) else 0.0
        self.trials_captured += 1
        self.captured = TrialResult(
            test_id=cfg.test.id,
            side=cfg.side,
            metric_id=cfg.metric_id,
            value=value,
            view=summary["view"],
            quality=quality,
            reason=reason,
            held_max=_float(summary["max"]),
            held_min=_float(summary["min"]),
            start=_float(summary["start"]),
            excursion=_float(summary["excursion"]),
            neutral=self._neutral,
            table=table,
            trigger=trigger,
            video_path=rec.video_path if rec else None,
            landmarks_path=rec.landmarks_path if rec else None,
            angles_path=angles,
            duration_s=duration,
            first_pain=self._first_pain,
            trial=self.trials_captured,
            compensation=summary["compensation"],
            compensation_note=summary["compensation_note"],
            uncertainty=summary["uncertainty"],
        )
        self.phase = "done"
        log.info("captured %s = %.1f (%s, %s)", cfg.metric_id, value, trigger, quality)
        self._publish(self.captured)

    # --- the recording ----------------------------------------------------------------------
    def _record(self, frame_bgr: np.ndarray, t_rel: float, pose: FramePose | None) -> int:
        """Record the frame; returns its frame index. A failing recording is dropped, not the
        measurement: the trial goes on and is saved without its files."""
        self._attempt_frames += 1
        if self._recorder is None:
            return self._attempt_frames - 1
        try:
            return self._recorder.write(frame_bgr, t_rel, pose)
        except RECORDING_ERRORS as exc:
            self._recording_failed(exc)
            self._close_recorder_quietly()
            self._recorder = None
            return self._attempt_frames - 1

    def _recording_failed(self, exc: BaseException) -> None:
        log.warning("trial recording failed, going on without it: %s", exc)
        self._publish(
            f"The trial recording failed ({exc}); the measurement will be saved without its video."
        )

    def _close_recorder_quietly(self) -> None:
        """Close the recorder of an attempt being dropped; a failure is only logged."""
        if self._recorder is not None:
            try:
                self._recorder.close()
            except RECORDING_ERRORS as exc:
                log.warning("could not finish the trial recording: %s", exc)

    def _discard_attempt(self) -> None:
        """Close the attempt's recording and delete its folder, unless it was captured."""
        self._close_recorder_quietly()
        if self.phase != "done":
            self._delete_files()

    def _delete_files(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _recording_for_capture(self) -> TrialRecorder | None:
        """Close a captured trial's files: the recorder if it holds a usable recording, else
        None (its partial files deleted; a message for the page when the video failed)."""
        rec = self._recorder
        if rec is None:
            self._delete_files()  # a recording that failed earlier
            return None
        try:
            rec.close()
        except RECORDING_ERRORS as exc:
            self._recording_failed(exc)
            self._delete_files()
            return None
        return rec if rec.frames else None


def trial_summary(
    table: MetricTable,
    config: LiveConfig,
    compensation: Mapping[str, np.ndarray] | None = None,
) -> AssessmentSummary:
    """``summary.summary_for_test`` of a live trial, with hold rules that follow the live
    frame rate (and the trial's ``compensation`` series, ``live/compensation_gate``).

    The pose model may process only a few frames per second on a slow machine: a hold must
    span at least three processed frames (``min_hold_s`` >= 3 frame steps) and may bridge gaps
    of a couple of frame steps, and the minimum number of frames with a value is the number
    that spans a third of a second (at least four).
    """
    t = np.asarray(table.time_s, dtype=float)
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1.0 / 30.0
    return summary_for_test(
        table,
        config.test,
        config.side,
        compensation=compensation,
        min_hold_s=max(ROM_HOLD_S, 3 * dt),
        hold_tolerance=config.hold_tolerance,
        max_gap_s=max(0.25, 2.5 * dt),
        # A third of a second of data, as at 30 fps, but never fewer than four frames: a
        # trial processed at 3 fps is short in frames, not in time.
        min_valid_frames=max(4, math.ceil(1.0 / 3.0 / dt)),
    )


def _float(x: float | None) -> float:
    """A summary number as a float (NaN for null)."""
    return math.nan if x is None else float(x)
