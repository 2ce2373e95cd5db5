"""The live (webcam) frame processor behind the dashboard's Assess page: threads and models.

The camera callback hands every frame to ``LiveProcessor.offer(frame, time_s)``, which returns
at once with the newest annotated frame. On its two pipeline threads
(:mod:`romcam.live.stages`) the processor runs the pose model (:meth:`estimate_pose`), then
:meth:`annotate`: the :class:`~romcam.live.trial_session.TrialSession` measures the frame,
checks the set-up, records it and moves the trial on, and the skeleton, the readout and the
hold cue are drawn on the frame. A :class:`LiveUpdate` per frame (and, once captured, a
``TrialResult``) goes on a ``queue.Queue`` that the page reads. ``LiveProcessor.process``
does the same for one frame on the caller's thread. Each attempt's poses also give the
trial's camera set-up (``live/setup_ghost``: on the ``TrialResult``, for the store) and, once
the page set a previous set-up (:meth:`LiveProcessor.set_previous_setup`), last visit's ghost
and the differences are drawn on the frame.

The models are made by an estimator factory (default
:class:`~romcam.live.pose_models.PoseModels`: the pose model, the people check and, for the neck
tests, the face model); tests pass one that returns synthetic poses. Nothing here imports
Streamlit. The page talks to the processor only through the queue and the thread-safe command
methods (``request_capture``, ``request_neutral``, ``reset``, ``stream_ended``, ``close``).
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import av
import numpy as np

from romcam.core.head_pose import HeadPose
from romcam.core.metric_specs import metric_spec
from romcam.errors import RomcamError
from romcam.live.frame_rates import FrameRates
from romcam.live.pose_models import LiveEstimator, PoseModels
from romcam.live.setup_ghost import PreviousSetup, SetupOverlay, SetupWatch
from romcam.live.stages import LivePipeline
from romcam.live.trial_session import LiveConfig, Phase, TrialResult, TrialSession, TrialStep
from romcam.media.drawing import (
    ARCS,
    draw_angle_arc,
    draw_head_axes,
    draw_hold_cue,
    draw_readout,
    draw_skeleton,
)
from romcam.pose.estimator import FramePose

log = logging.getLogger(__name__)

#: Frames measured before the live frame rate counts (the first seconds load the models).
WARM_UP_FRAMES = 60
#: Below this share of the camera's frames measured, the page suggests a lower camera rate.
KEEP_UP_SHARE = 0.8


@dataclass(frozen=True, kw_only=True)
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
        fps: frames measured per second over the last 2 s of capture time (:class:`FrameRates`);
            never above ``camera_fps``.
        camera_fps: frames the camera sent per second over the same frames' capture times
            (equal to ``fps`` when every frame is measured).
        trial, trials: "trial 2 of 3" (``TrialStep``); first_pain: the trial's pain mark.
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
    trial: int = 1
    trials: int = 1
    first_pain: float | None = None

    def camera_rate_to_keep_up(self) -> int | None:
        """A camera frame rate (frames/s, a multiple of 5) at which every frame would be
        measured, when clearly fewer than the camera's are now; else None (also in the first
        frames, while the models load)."""
        if self.frames < WARM_UP_FRAMES or not self.fps < KEEP_UP_SHARE * self.camera_fps:
            return None
        return max(10, 5 * math.floor(0.9 * self.fps / 5))


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
    """What the first (models) stage found in one frame.

    Attributes:
        frame_bgr: (H, W, 3) uint8 BGR camera frame. time_s: its stream time (s).
        pose: the tracked subject, or None. people: persons in the picture.
        head: the head pose (face model), or None.
    """

    frame_bgr: np.ndarray
    time_s: float
    pose: FramePose | None
    people: int
    head: HeadPose | None = None


def drain(results: queue.Queue, limit: int = 1000) -> list[object]:
    """Everything currently in ``results`` (at most ``limit`` items), oldest first."""
    items: list[object] = []
    while len(items) < limit:
        try:
            items.append(results.get_nowait())
        except queue.Empty:
            break
    return items


class LiveProcessor:
    """Turns camera frames into an annotated frame plus :class:`LiveUpdate` s on ``results``.

    One processor serves one camera stream at a time: it makes its models with
    ``make_estimator`` on the first frame (VIDEO mode needs new ones per stream) and closes
    them when the stream ends. :meth:`offer` runs the two stages on a
    :class:`~romcam.live.stages.LivePipeline` (the camera callback never waits; the model of
    one frame overlaps the rest of the last); :meth:`process` runs both at once.

    Args:
        config: the test and how to measure it.
        results: the page's queue (default a new bounded one).
        make_estimator: makes the models of one stream; default :class:`PoseModels`.

    Three locks, each for one thing: ``_session_lock`` the trial (second stage, commands),
    ``_models_lock`` the models (first stage, closing), ``_pipeline_lock`` the pipeline
    (camera thread, stopping); the camera thread only ever takes the last, briefly.
    """

    def __init__(
        self,
        config: LiveConfig,
        results: queue.Queue | None = None,
        *,
        make_estimator: Callable[[], LiveEstimator] | None = None,
    ) -> None:
        self.config = config
        self.results: queue.Queue = results if results is not None else queue.Queue(maxsize=256)
        self._make_estimator = make_estimator or (
            lambda: PoseModels(
                config.model_path,
                config.people_check_s,
                face_model_path=config.face_model_path,
                with_face=config.uses_face_model,
            )
        )
        self._setup = SetupWatch(config.calibration)
        #: The session's last captured trial and the same with its set-up.
        self._captured: tuple[TrialResult, TrialResult] | None = None
        self._session = TrialSession(config, self._from_session)
        self._session_lock = threading.Lock()
        self._models_lock = threading.Lock()
        self._pipeline_lock = threading.Lock()
        self._estimator: LiveEstimator | None = None
        self._pipeline: LivePipeline[np.ndarray | av.VideoFrame, PoseStage] | None = None
        self._closed = False
        self._rates = FrameRates()
        self._unit = metric_spec(config.metric_id).unit
        self.frames = 0
        self.latest: LiveUpdate | None = None
        self.error: str | None = None
        #: Called with each annotated frame, on the annotating thread (the page's video track).
        self.on_annotated: Callable[[np.ndarray], None] | None = None

    @property
    def phase(self) -> Phase:
        return self._session.phase

    @property
    def captured(self) -> TrialResult | None:
        """The captured trial (with its set-up), None while none is."""
        raw = self._session.captured
        if raw is not None and self._captured is not None and self._captured[0] is raw:
            return self._captured[1]
        return raw

    # --- commands (any thread) -------------------------------------------------------------
    def request_capture(self) -> None:
        """Capture the current trial at the next frame (the therapist's button)."""
        with self._session_lock:
            self._session.request_capture()

    def request_neutral(self) -> None:
        """Take the current position as the neutral at the next frame (neck tests)."""
        with self._session_lock:
            self._session.request_neutral()

    def mark_first_pain(self) -> None:
        """Keep the next frame's value as the angle where pain began (the pain key)."""
        with self._session_lock:
            self._session.mark_first_pain()

    def capture_not_kept(self) -> None:
        """The page did not store the last captured trial: it does not count as one of the
        planned trials."""
        with self._session_lock:
            self._session.capture_not_kept()

    def reset(self) -> None:
        """Discard the trial under way (unsaved) and start a new one."""
        with self._session_lock:
            self._session.new_attempt()
            self._setup.clear()

    @property
    def previous_setup(self) -> PreviousSetup | None:
        """The set-up to repeat (see :meth:`set_previous_setup`)."""
        return self._setup.previous

    def set_previous_setup(self, previous: PreviousSetup | None) -> None:
        """The set-up to repeat (last visit's): its ghost and the differences are drawn on
        every frame from now on; None = none."""
        self._setup.previous = previous

    def stream_ended(self) -> None:
        """The camera stopped: drop an uncaptured attempt, close the models, forget the last
        read-out and frame rates (they described the stream that ended), tell the page."""
        self._stop_pipeline()
        self._close_estimator()
        self._rates.reset()
        with self._session_lock:
            self.latest = None
            self._setup.clear()
            lost = self._session.stream_ended()
            self._publish(StreamEnded(self.frames, lost))

    def report_error(self, message: str) -> None:
        """Tell the page that frames cannot be processed (e.g. the model cannot load)."""
        self.error = message
        self._publish(message)

    def close(self) -> None:
        """Release the models and drop an uncaptured attempt's files (idempotent); later
        frames are ignored."""
        self._closed = True
        self._stop_pipeline()
        self._close_estimator()
        with self._session_lock:
            self._session.close()

    # --- the frame path (camera and pipeline threads) -------------------------------------
    def offer(self, frame: np.ndarray | av.VideoFrame, time_s: float) -> np.ndarray | None:
        """Hand a camera frame (BGR array, or a PyAV frame, converted off the caller's
        thread) to the pipeline; returns at once with the newest annotated frame (None
        before the first, after :meth:`close` or once the pipeline has failed)."""
        if self._closed or self.error is not None:
            return None
        self._rates.offered(time_s)
        with self._pipeline_lock:
            if self._pipeline is None:
                self._pipeline = LivePipeline(
                    self.estimate_pose, self.annotate, self._pipeline_failed
                )
            return self._pipeline.offer(frame, time_s)

    def process(self, frame_bgr: np.ndarray, time_s: float) -> np.ndarray:
        """Measure one (H, W, 3) uint8 BGR frame taken at ``time_s`` s; returns it annotated."""
        self._rates.offered(time_s)
        return self.annotate(self.estimate_pose(frame_bgr, time_s))

    def estimate_pose(self, frame: np.ndarray | av.VideoFrame, time_s: float) -> PoseStage:
        """First stage: the subject's pose, the people and (neck tests) the head pose in one
        frame (BGR array or PyAV frame) taken at ``time_s`` s. Raises ModelError when a model
        cannot be loaded."""
        frame_bgr = frame.to_ndarray(format="bgr24") if isinstance(frame, av.VideoFrame) else frame
        if frame_bgr.ndim != 3 or frame_bgr.shape[2] != 3 or frame_bgr.dtype != np.uint8:
            raise ValueError(
                f"frame must be (H, W, 3) uint8 BGR; got {frame_bgr.shape} {frame_bgr.dtype}"
            )
        with self._models_lock:
            if self._estimator is None:
                self._estimator = self._make_estimator()
            found = self._estimator.estimate(frame_bgr, time_s)
        return PoseStage(frame_bgr, time_s, found.pose, found.people, found.head)

    def annotate(self, stage: PoseStage) -> np.ndarray:
        """Second stage: measure, check, advance the trial and record (the session), then
        draw; the annotated frame."""
        started = time.perf_counter()
        with self._session_lock:
            if self._session.phase != "done":  # the attempt's frames give its set-up
                h, w = stage.frame_bgr.shape[:2]
                self._setup.add(stage.pose, stage.time_s, w, h)
            step = self._session.step(
                stage.frame_bgr, stage.time_s, stage.pose, stage.people, head=stage.head
            )
            self.frames += 1
            fps, camera_fps = self._rates.measured(stage.time_s)
            update = LiveUpdate(
                time_s=stage.time_s,
                frames=self.frames,
                phase=step.phase,
                value=step.value,
                view=step.view,
                problems=step.problems,
                people=stage.people,
                hold_progress=step.hold_progress,
                fps=fps,
                camera_fps=camera_fps,
                trial=step.trial,
                trials=step.trials,
                first_pain=step.first_pain,
            )
            self.latest = update
            self._publish(update)
            overlay = self._setup.overlay()
        out = draw_live_frame(
            stage.frame_bgr,
            stage.pose,
            self.config.metric_id,
            self._unit,
            step,
            head=stage.head,
            setup=overlay,
        )
        listener = self.on_annotated
        if listener is not None:
            listener(out)
        log.debug(
            "t=%.3f %s=%.1f progress=%.2f phase=%s annotated in %.0f ms",
            stage.time_s,
            self.config.metric_id,
            step.value,
            step.hold_progress,
            step.phase,
            1000 * (time.perf_counter() - started),
        )
        return out

    def _pipeline_failed(self, exc: BaseException) -> None:
        """(pipeline thread) A stage failed: the camera shows its own frames from now on."""
        if isinstance(exc, RomcamError):  # e.g. the pose model cannot be loaded
            self.report_error(str(exc))
        else:
            log.error("live processing stopped", exc_info=exc)
            self.report_error(f"live processing stopped after an internal error ({exc})")

    def _stop_pipeline(self) -> None:
        """Let the frame in progress complete and stop the pipeline's threads."""
        with self._pipeline_lock:
            pipeline, self._pipeline = self._pipeline, None
        if pipeline is not None:
            pipeline.close()

    def _close_estimator(self) -> None:
        with self._models_lock:
            if self._estimator is not None:
                self._estimator.close()
                self._estimator = None

    def _from_session(self, item: object) -> None:
        """(session lock held) What the session publishes; a captured trial gets the set-up
        of its frames."""
        if isinstance(item, TrialResult):
            raw, item = item, replace(item, setup=self._setup.take_trial_setup())
            self._captured = (raw, item)
        self._publish(item)

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


def draw_live_frame(
    frame_bgr: np.ndarray,
    pose: FramePose | None,
    metric_id: str,
    unit: str,
    step: TrialStep,
    *,
    head: HeadPose | None = None,
    setup: SetupOverlay | None = None,
) -> np.ndarray:
    """A copy of the camera frame with the skeleton, the head's axes (when the face model
    found the head), the metric's arc and readout, the first two set-up problems and the
    hold cue; with ``setup``, last visit's ghost under them and the set-up's differences."""
    out = frame_bgr.copy()
    if setup is not None:
        setup.draw_ghost(out)
    draw_skeleton(out, pose, face=head is None)
    draw_head_axes(out, head)
    if pose is not None and metric_id in ARCS:
        draw_angle_arc(out, pose, metric_id, step.value)
    draw_readout(out, {metric_id: step.value}, step.view, step.problems[:2])
    draw_hold_cue(out, step.phase, step.hold_progress, step.captured, unit, step.held)
    if setup is not None:
        setup.draw_panel(out)
    return out
