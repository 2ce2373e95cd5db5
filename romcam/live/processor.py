"""The live (webcam) frame processor behind the dashboard's Assess page.

The camera callback hands every frame to ``LiveProcessor.offer(frame, time_s)``, which returns
at once with the newest annotated frame; on its two pipeline threads
(:mod:`romcam.live.stages`) the processor runs the pose model, measures the test's metric
with the causal (One Euro) filter, checks the set-up (view, body parts in frame, visibility, a
second person), draws the skeleton, the readout and the hold cue on the frame, detects the held
end range, records the trial (video + landmark file) and puts a :class:`LiveUpdate` (and, once
captured, a :class:`TrialResult`) on a ``queue.Queue`` that the page reads.
``LiveProcessor.process`` does the same for one frame on the caller's thread.

Nothing here imports Streamlit, so it is tested with real frames and the real pose model.
The page talks to the processor only through the queue and the thread-safe command methods
(``request_capture``, ``request_neutral``, ``reset``, ``close``).
"""

from __future__ import annotations

import logging
import math
import queue
import shutil
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import av
import cv2
import numpy as np

from romcam.calibration import CalibrationProfile, undistort_pose
from romcam.core.assessments import POSTURE_METRICS, AssessmentTest, Side
from romcam.core.filtering import OneEuroFilter
from romcam.core.hold import HoldDetector
from romcam.core.landmarks import N_LANDMARKS, PoseSequence
from romcam.core.measure import NEUTRAL_METRICS, compute_metrics
from romcam.core.metric_specs import METRIC_IDS, metric_spec
from romcam.core.metric_table import MetricTable
from romcam.core.rom import RomResult, extract_rom
from romcam.core.summary import dominant_view
from romcam.core.summary import view_problem as summary_view_problem
from romcam.errors import RomcamError
from romcam.live.checks import setup_problems
from romcam.live.people_check import PeopleCheck
from romcam.live.recording import RECORDING_ERRORS, TrialRecorder, TrialRows
from romcam.live.stages import LivePipeline
from romcam.media.drawing import ARCS, draw_angle_arc, draw_hold_cue, draw_readout, draw_skeleton
from romcam.pose.estimator import FramePose, PoseEstimator

log = logging.getLogger(__name__)

Phase = Literal["neutral", "trial", "done"]
#: How long (s) the neutral position must be held still before it is taken automatically.
NEUTRAL_HOLD_S = 1.0
#: Shortest hold (s) for the trial's ROM extraction (the held end range that is saved).
ROM_HOLD_S = 0.5
#: Frames measured before the live frame rate counts (the first seconds load the models).
WARM_UP_FRAMES = 60
#: Below this share of the camera's frames measured, the page suggests a lower camera rate.
KEEP_UP_SHARE = 0.8


@dataclass(frozen=True)
class LiveConfig:
    """What one live trial measures and how.

    Attributes:
        test, side: the clinical test (``romcam.core.assessments``) and its side (None if unsided).
        model_path: pose model file; None = the default resolution.
        calibration: camera profile (level, scale, lens; see ``romcam.calibration``) or None.
        min_hold_s: how long (s) the end range must be held for the automatic capture.
        hold_tolerance: half-width (metric unit) of the band the value must stay in.
        min_excursion: how far (metric unit) the value must have moved from its start before a
            hold counts as the end range; 0 for posture tests, which are a still pose.
        max_gap_s: longest time (s) between processed frames a live hold may span (a slow
            machine processes only a few frames per second).
        auto_capture: capture the end range by itself on a detected hold (else only on
            request). The neutral of a neck test is always taken after NEUTRAL_HOLD_S still.
        record_dir: folder for the trial's ``trial.mp4`` and ``landmarks.csv``; None = no recording.
        record_fps: nominal frame rate of the trial video (frames keep their own times).
        people_check_s: stream seconds between counts of the people in the picture
            (``romcam.live.people_check``).
    """

    test: AssessmentTest
    side: Side | None
    model_path: Path | None = None
    calibration: CalibrationProfile | None = None
    min_hold_s: float = 1.0
    hold_tolerance: float = 3.0
    min_excursion: float = 20.0
    max_gap_s: float = 1.0
    auto_capture: bool = True
    record_dir: Path | None = None
    record_fps: float = 30.0
    people_check_s: float = 0.5

    def __post_init__(self) -> None:
        self.test.metric_id(self.side)  # ValueError when the side does not fit the test
        for name in ("min_hold_s", "hold_tolerance", "people_check_s"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0; got {getattr(self, name)!r}")
        if self.min_excursion < 0:
            raise ValueError(f"min_excursion must be >= 0; got {self.min_excursion!r}")

    @property
    def metric_id(self) -> str:
        return self.test.metric_id(self.side)


@dataclass(frozen=True)
class LiveUpdate:
    """What the page shows after one frame.

    Attributes:
        time_s: stream time of the frame (s). frames: frames processed so far.
        phase: ``neutral`` (neck tests: waiting for the neutral pose), ``trial`` or ``done``.
        value: the test's metric after the causal filter (metric unit); NaN when not measurable.
        view: detected view (``front``, ``side_left``, ``side_right``, ``oblique``, ``none``).
        problems: what to fix, one short sentence each; empty when the set-up is right.
        people: persons the model saw in the frame.
        hold_progress: 0..1, how much of ``min_hold_s`` the current hold has lasted.
        fps: frames processed per second over the last couple of seconds.
        camera_fps: frames the camera delivered per second over the same time (through
            :meth:`LiveProcessor.offer`; equal to ``fps`` when each frame is processed).
    """

    time_s: float
    frames: int
    phase: Phase
    value: float
    view: str
    problems: tuple[str, ...]
    people: int
    hold_progress: float
    fps: float
    camera_fps: float

    def camera_rate_to_keep_up(self) -> int | None:
        """A camera frame rate (frames/s, a multiple of 5) at which every frame would be
        measured, when clearly fewer than the camera's are now; else None (also in the first
        frames, while the models load)."""
        if self.frames < WARM_UP_FRAMES or not self.fps < KEEP_UP_SHARE * self.camera_fps:
            return None
        return max(10, 5 * math.floor(0.9 * self.fps / 5))


@dataclass(frozen=True)
class TrialResult:
    """A captured trial, ready to be stored.

    Attributes:
        value: the result in the metric's unit: the held end range (from the neutral for tests
            that need one), or the held posture value; NaN when nothing was measured.
        view: dominant view of the trial; quality / reason: the verdict of
            ``summary.summary_for_test`` (``ok``, ``rejected``, ``no_data``) and why.
        held_max, held_min, start, excursion: held values of the metric column (NaN if none).
        neutral: the neutral value captured first (neck tests), else None.
        table: the trial's per-frame ``MetricTable`` (causally filtered values).
        trigger: ``auto`` (hold detected) or ``button``.
        video_path, landmarks_path, angles_path: the recorded files (None when not recorded).
        duration_s: trial length in seconds.
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


class FpsMeter:
    """Frames per second over a sliding window of wall-clock times."""

    def __init__(self, window_s: float = 2.0) -> None:
        self._times: deque[float] = deque()
        self._window_s = window_s

    def tick(self, now: float | None = None) -> float:
        now = time.perf_counter() if now is None else now
        self._times.append(now)
        while self._times and now - self._times[0] > self._window_s:
            self._times.popleft()
        if len(self._times) < 2:
            return 0.0
        return (len(self._times) - 1) / (self._times[-1] - self._times[0])


def drain(results: queue.Queue, limit: int = 1000) -> list[object]:
    """Everything currently in ``results`` (at most ``limit`` items), oldest first."""
    items: list[object] = []
    while len(items) < limit:
        try:
            items.append(results.get_nowait())
        except queue.Empty:
            break
    return items


@dataclass(frozen=True)
class StreamEnded:
    """The camera stream stopped (STOP pressed, camera unplugged, tab closed).

    ``lost_trial`` is True when a trial was under way and had not been captured: that attempt
    is not saved (what was saved before is untouched).
    """

    frames: int
    lost_trial: bool


@dataclass(frozen=True)
class PoseStage:
    """What the first (pose model) stage found in one frame.

    Attributes:
        frame_bgr: (H, W, 3) uint8 BGR camera frame. time_s: its stream time (s).
        pose: the tracked subject, or None. people: persons in the picture.
    """

    frame_bgr: np.ndarray
    time_s: float
    pose: FramePose | None
    people: int


class LiveProcessor:
    """Turns camera frames into an annotated frame plus :class:`LiveUpdate` s on ``results``.

    One processor serves one camera stream: it creates its own pose estimator on the first
    frame (VIDEO mode needs one per stream) and closes it when the stream ends. A frame goes
    through two stages: :meth:`estimate` (the pose model) and :meth:`finish` (measure, check,
    record, draw). :meth:`offer` runs them on a :class:`~romcam.live.stages.LivePipeline`
    (the camera callback never waits; the model of one frame overlaps the rest of the last);
    :meth:`process` runs both at once. The command methods may be called from any thread.
    """

    def __init__(self, config: LiveConfig, results: queue.Queue | None = None) -> None:
        self.config = config
        self.results: queue.Queue = results if results is not None else queue.Queue(maxsize=256)
        self._lock = threading.RLock()  # the trial state (second stage, commands)
        self._pose_lock = threading.Lock()  # the models (first stage)
        self._pipeline_lock = threading.Lock()
        self._pipeline: LivePipeline[np.ndarray | av.VideoFrame, PoseStage] | None = None
        self._closed = False
        self._estimator: PoseEstimator | None = None
        self._people: PeopleCheck | None = None
        self._commands: set[str] = set()
        self._fps = FpsMeter()
        self._camera_fps = FpsMeter()
        self._camera_rate = 0.0  # camera frames/s, as last measured by offer()
        self._metric_index = METRIC_IDS.index(config.metric_id)
        #: The metrics measured live: the test's, plus the extra ones of a posture test.
        self._metrics = frozenset({config.metric_id, *POSTURE_METRICS.get(config.test.id, ())})
        self._unit = metric_spec(config.metric_id).unit
        self._last_ms = -1
        self._last_t = -math.inf
        self.frames = 0
        self.latest: LiveUpdate | None = None
        self.captured: TrialResult | None = None
        self.error: str | None = None
        self._trial_count = 0
        self._start_phase()

    # --- commands (any thread) -------------------------------------------------------------
    def request_capture(self) -> None:
        """Capture the current trial at the next frame (the therapist's button)."""
        with self._lock:
            self._commands.add("capture")

    def request_neutral(self) -> None:
        """Take the current position as the neutral at the next frame (neck tests)."""
        with self._lock:
            self._commands.add("neutral")

    def reset(self) -> None:
        """Discard the trial under way (unsaved) and start a new one."""
        with self._lock:
            self._discard_attempt()
            self._start_phase()

    def stream_ended(self) -> None:
        """The camera stopped: finish files, close the model, tell the page."""
        self._stop_pipeline()
        with self._lock:
            lost = self.phase != "done" and len(self._rows) > 0
            self._close_estimator()
            if lost:
                self._discard_attempt()
                self._start_phase()
            else:
                self._close_recorder()
            self._publish(StreamEnded(self.frames, lost))

    def report_error(self, message: str) -> None:
        """Tell the page that frames cannot be processed (e.g. the model cannot load)."""
        with self._lock:
            self.error = message
            self._publish(message)

    def close(self) -> None:
        """Release the model and the files (idempotent); later frames are ignored."""
        self._closed = True
        self._stop_pipeline()
        with self._lock:
            self._close_recorder()
            self._close_estimator()

    # --- the frame path (camera and pipeline threads) -------------------------------------
    def offer(self, frame: np.ndarray | av.VideoFrame, time_s: float) -> np.ndarray | None:
        """Hand a camera frame (BGR array, or a PyAV frame, converted off the caller's
        thread) to the pipeline; returns at once with the newest annotated frame (None
        before the first, after :meth:`close` or once the pipeline has failed)."""
        if self._closed or self.error is not None:
            return None
        self._camera_rate = self._camera_fps.tick()
        with self._pipeline_lock:
            if self._pipeline is None:
                self._pipeline = LivePipeline(self.estimate, self.finish, self._pipeline_failed)
            return self._pipeline.offer(frame, time_s)

    def process(self, frame_bgr: np.ndarray, time_s: float) -> np.ndarray:
        """Measure one (H, W, 3) uint8 BGR frame taken at ``time_s`` s; returns it annotated."""
        self._camera_rate = self._camera_fps.tick()
        return self.finish(self.estimate(frame_bgr, time_s))

    def estimate(self, frame: np.ndarray | av.VideoFrame, time_s: float) -> PoseStage:
        """First stage: the subject's pose and the people in one frame (BGR array or PyAV
        frame) taken at ``time_s`` s. Raises ModelError when the model cannot be loaded."""
        frame_bgr = frame.to_ndarray(format="bgr24") if isinstance(frame, av.VideoFrame) else frame
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"frame must be (H, W, 3) uint8 BGR; got {frame_bgr.shape} {frame_bgr.dtype}"
            )
        with self._pose_lock:
            pose, people = self._estimate(frame_bgr, time_s)
        return PoseStage(frame_bgr, time_s, pose, people)

    def finish(self, stage: PoseStage) -> np.ndarray:
        """Second stage: measure, check, advance the trial, record and draw; the annotated
        frame."""
        started = time.perf_counter()
        frame_bgr, time_s, pose = stage.frame_bgr, stage.time_s, stage.pose
        with self._lock:
            if not time_s > self._last_t:  # a new stream: its clock starts again
                log.info("frame time %.3f s is not after %.3f s: new stream", time_s, self._last_t)
                self._restart_clock()
            self._last_t = time_s
            row = self._measure(pose, frame_bgr.shape, time_s)
            values = self._filter.update(time_s, _row_values(row))
            value = float(values[self._metric_index])
            view = str(row.view[0])
            flags = {k: bool(v[0]) for k, v in row.flags.items()}
            image = None if pose is None else pose.image
            problems = setup_problems(
                image, self.config.test, self.config.side, view, stage.people, flags
            )
            progress = self._advance(frame_bgr, time_s, pose, row, values, value)
            out = self._draw(frame_bgr, pose, value, view, problems, progress)
            self.frames += 1
            update = LiveUpdate(
                time_s,
                self.frames,
                self.phase,
                value,
                view,
                problems,
                stage.people,
                progress,
                self._fps.tick(),
                self._camera_rate,
            )
            self.latest = update
            log.debug(
                "t=%.3f %s=%.1f progress=%.2f phase=%s finished in %.0f ms",
                time_s,
                self.config.metric_id,
                value,
                progress,
                self.phase,
                1000 * (time.perf_counter() - started),
            )
            self._publish(update)
        return out

    def _pipeline_failed(self, exc: BaseException) -> None:
        """(pipeline thread) A stage failed: the camera shows its own frames from now on."""
        if isinstance(exc, RomcamError):  # e.g. the pose model cannot be loaded
            self.report_error(str(exc))
        else:
            log.error("live processing stopped", exc_info=exc)
            self.report_error(f"live processing stopped after an internal error ({exc})")

    def _stop_pipeline(self) -> None:
        """Let the frame in progress finish and stop the pipeline's threads."""
        with self._pipeline_lock:
            pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.close()

    # --- internals (called with the lock held) ----------------------------------------------
    def _start_phase(self) -> None:
        """Start a new attempt: the neutral phase for tests that need one, else the trial.

        The recording starts with the neutral phase; the trial's table starts once the neutral
        is taken, with the metric zeroed at it.
        """
        cfg = self.config
        self._neutral: float | None = None
        self._attempt_t0: float | None = None
        self._attempt_frames = 0
        self.captured = None
        self._filter = OneEuroFilter()
        self._trial_count += 1
        self._rows = TrialRows()
        self._recorder: TrialRecorder | None = None
        if cfg.record_dir is not None:
            folder = cfg.record_dir / f"trial-{self._trial_count:03d}"
            self._recorder = TrialRecorder(folder, cfg.record_fps)
        if cfg.test.needs_neutral:
            self.phase: Phase = "neutral"
            self._detector = HoldDetector(
                NEUTRAL_HOLD_S, cfg.hold_tolerance, "max", max_gap_s=cfg.max_gap_s
            )
        else:
            self.phase = "trial"
            self._detector = self._trial_detector()

    def _restart_clock(self) -> None:
        """Time went backwards (a new stream): restart the filter and any attempt under way."""
        self._filter = OneEuroFilter()
        if self.phase != "done" and len(self._rows) > 0:
            self._discard_attempt()
            self._start_phase()

    def _discard_attempt(self) -> None:
        """Close the recording of an attempt; delete its files unless it was captured (the
        page stores a captured trial's files)."""
        self._close_recorder()
        if self._recorder is not None and self.phase != "done":
            shutil.rmtree(self._recorder.folder, ignore_errors=True)

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

    def _estimate(self, frame_bgr: np.ndarray, time_s: float) -> tuple[FramePose | None, int]:
        """The subject's pose and the people in the picture (:mod:`romcam.live.people_check`)."""
        if self._estimator is None:
            # One person: the model then tracks the subject without re-running its detector.
            self._estimator = PoseEstimator(self.config.model_path, max_people=1)
            self._people = PeopleCheck(self.config.model_path, self.config.people_check_s)
        # VIDEO mode needs strictly increasing integer milliseconds.
        ms = max(round(time_s * 1000), self._last_ms + 1)
        self._last_ms = ms
        rgb = cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB)
        pose = self._estimator.process(rgb, ms)
        assert self._people is not None  # created and closed with the estimator
        self._people.offer(rgb, time_s)
        return pose, max(self._estimator.people_in_last_frame, self._people.count())

    def _measure(
        self, pose: FramePose | None, shape: tuple[int, ...], time_s: float
    ) -> MetricTable:
        """The test's metrics in one frame (a length-1 table; NaN without a subject).

        Neck metrics are raw during the neutral phase and zeroed at the captured neutral after
        it (``compute_metrics`` would otherwise zero a one-frame sequence at itself).
        """
        image = np.full((1, N_LANDMARKS, 4), np.nan) if pose is None else pose.image[None]
        world = None if pose is None or pose.world is None else pose.world[None]
        w, h = int(shape[1]), int(shape[0])
        seq = PoseSequence(np.array([self.frames]), np.array([time_s]), w, h, image, world)
        profile = self.config.calibration
        if profile is not None and pose is not None:
            seq = undistort_pose(seq, profile)
        neutral = {m: 0.0 for m in self._metrics if m in NEUTRAL_METRICS}
        if self._neutral is not None:
            neutral[self.config.metric_id] = self._neutral
        return compute_metrics(
            seq,
            roll_deg=(profile.roll_deg or 0.0) if profile else 0.0,
            px_per_cm=profile.px_per_cm_at(w, h) if profile else None,
            neutral=neutral,
            metrics=self._metrics,
        )

    def _advance(
        self,
        frame_bgr: np.ndarray,
        time_s: float,
        pose: FramePose | None,
        row: MetricTable,
        values: np.ndarray,
        value: float,
    ) -> float:
        """Move the neutral / trial state on by one frame; returns the hold progress."""
        capture, neutral = "capture" in self._commands, "neutral" in self._commands
        self._commands.clear()
        if self.phase == "done":
            return 1.0
        if self._attempt_t0 is None:
            self._attempt_t0 = time_s
        t_rel = time_s - self._attempt_t0
        index = self._record(frame_bgr, t_rel, pose)
        if self.phase == "trial":  # neutral-phase values are raw, not zeroed: not in the table
            self._rows.add(index, t_rel, values, row)
        progress = self._detector.update(time_s, value)
        if self.phase == "neutral":
            auto = progress >= 1.0  # the neutral is always taken once held still
            if (auto or neutral) and math.isfinite(value):
                held = self._detector.held
                self._neutral = held if auto and math.isfinite(held) else value
                self.phase = "trial"
                self._filter = OneEuroFilter()  # the values jump by the neutral from now on
                self._detector = self._trial_detector()
            return progress
        done = self._detector.released if self.config.min_excursion > 0 else progress >= 1.0
        if capture or (self.config.auto_capture and done):
            self._capture("button" if capture else "auto")
        return progress

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
            self._close_recorder()
            self._recorder = None
            return self._attempt_frames - 1

    def _recording_failed(self, exc: BaseException) -> None:
        log.warning("trial recording failed, going on without it: %s", exc)
        self._publish(
            f"The trial recording failed ({exc}); the measurement will be saved without its video."
        )

    def _capture(self, trigger: Literal["auto", "button"]) -> None:
        """Finish the trial: close its files, take the held end range, publish the result."""
        cfg = self.config
        rec = self._finish_recording()
        table = self._rows.table()
        rom, view, problem = trial_rom(table, cfg)
        quality, reason = rom.quality, rom.reason
        if rom.quality != "no_data" and problem:
            quality, reason = "rejected", problem
        value = rom.extreme(cfg.test.extreme(cfg.side))
        if not math.isfinite(value) and trigger == "button":
            recent = self._rows.recent(self._metric_index, 0.5)
            value = float(np.median(recent)) if recent.size else value
        angles = None
        if rec is not None:
            angles = rec.folder / "angles.csv"
            table.to_dataframe().to_csv(angles, index=False)
        duration = rec.duration_s if rec else float(np.ptp(table.time_s)) if len(table) else 0.0
        self.captured = TrialResult(
            cfg.test.id,
            cfg.side,
            cfg.metric_id,
            value,
            view,
            quality,
            reason,
            rom.max,
            rom.min,
            rom.start,
            rom.excursion,
            self._neutral,
            table,
            trigger,
            rec.video_path if rec else None,
            rec.landmarks_path if rec else None,
            angles,
            duration,
        )
        self.phase = "done"
        log.info("captured %s = %.1f (%s, %s)", cfg.metric_id, value, trigger, quality)
        self._publish(self.captured)

    def _draw(
        self,
        frame_bgr: np.ndarray,
        pose: FramePose | None,
        value: float,
        view: str,
        problems: tuple[str, ...],
        progress: float,
    ) -> np.ndarray:
        out = frame_bgr.copy()
        draw_skeleton(out, pose)
        if pose is not None and self.config.metric_id in ARCS:
            draw_angle_arc(out, pose, self.config.metric_id, value)
        draw_readout(out, {self.config.metric_id: value}, view, problems[:2])
        captured = self.captured.value if self.captured is not None else None
        draw_hold_cue(out, self.phase, progress, captured, self._unit, self._detector.held)
        return out

    def _publish(self, item: object) -> None:
        """Put ``item`` on the results queue; when full, drop the oldest live update first."""
        while True:
            try:
                self.results.put_nowait(item)
                return
            except queue.Full:
                try:
                    self.results.get_nowait()
                except queue.Empty:
                    continue

    def _close_recorder(self) -> None:
        """Finish the trial's files; a failure is only logged (the attempt is being dropped or
        the stream ended; :meth:`_finish_recording` handles a captured trial)."""
        if self._recorder is not None:
            try:
                self._recorder.close()
            except RECORDING_ERRORS as exc:
                log.warning("could not finish the trial recording: %s", exc)

    def _finish_recording(self) -> TrialRecorder | None:
        """Close a captured trial's files; the recorder if it holds a usable recording, else
        None (and a message for the page when the video failed)."""
        rec = self._recorder
        if rec is None:
            return None
        try:
            rec.close()
        except RECORDING_ERRORS as exc:
            self._recording_failed(exc)
            return None
        return rec if rec.frames else None

    def _close_estimator(self) -> None:
        with self._pose_lock:
            if self._people is not None:
                self._people.close()
                self._people = None
            if self._estimator is not None:
                self._estimator.close()
                self._estimator = None
                self._last_ms = -1


def _row_values(row: MetricTable) -> np.ndarray:
    """(K,) metric values of a length-1 table, in ``METRIC_IDS`` order."""
    return np.array([row.values[mid][0] for mid in METRIC_IDS], dtype=float)


def trial_rom(table: MetricTable, config: LiveConfig) -> tuple[RomResult, str, str]:
    """Held end ranges of a live trial, its dominant view and the view problem ("" if none).

    Like ``summary.summary_for_test``, but the hold rules follow the live frame rate: the
    pose model may process only a few frames per second on a slow machine, and a hold must
    span at least three processed frames (``min_hold_s`` >= 3 frame steps) and may bridge
    gaps of a couple of frame steps, and the minimum number of frames with a value is the
    number that spans a third of a second (at least four).
    """
    t = np.asarray(table.time_s, dtype=float)
    values = np.asarray(table.values[config.metric_id], dtype=float)
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1.0 / 30.0
    rom = extract_rom(
        t,
        values,
        min_hold_s=max(ROM_HOLD_S, 3 * dt),
        hold_tolerance=config.hold_tolerance,
        max_gap_s=max(0.25, 2.5 * dt),
        # A third of a second of data, as at 30 fps, but never fewer than four frames: a
        # trial processed at 3 fps is short in frames, not in time.
        min_valid_frames=max(4, math.ceil(1.0 / 3.0 / dt)),
        # Only the test's end range must be held: the rest position at the other end is
        # passed through on the way down (or was before the camera started).
        extremes=(config.test.extreme(config.side),),
        unit=f" {metric_spec(config.metric_id).unit}",
    )
    view = dominant_view(np.asarray(table.view), np.isfinite(values))
    spec = metric_spec(config.metric_id)
    return rom, view, summary_view_problem(config.metric_id, config.test.view, spec.side, view)
