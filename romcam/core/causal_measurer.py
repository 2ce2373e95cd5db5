"""Frame-by-frame measuring for the live view and the annotated video: the one causal measurer.

Each frame (or a small batch of consecutive frames) goes through the same steps as a recording's
``angles.csv``: lens correction (injected: it needs OpenCV, see
``romcam.calibration.apply.causal_measurer``), ``compute_metrics`` with the calibration's roll
and scale, zeroing at the neutral, then a causal One Euro filter (``filtering.OneEuroFilter``),
so a value shown while filming never looks ahead.

The neutral follows ``compute_metrics``' ``neutral`` argument. Without one (recorded video),
neck flexion is zeroed at the median of its first NEUTRAL_WINDOW_S seconds of measurable
frames, as ``angles.csv`` is: while that window fills the median so far is used, then it is
fixed, so after the first second the readout and ``angles.csv`` zero at the same value. With
one (live), those raw values are subtracted until :meth:`CausalMeasurer.set_neutral` replaces
one (the neutral a neck test captures).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from romcam.core.filtering import OneEuroFilter
from romcam.core.head_pose import HeadPose
from romcam.core.landmarks import N_LANDMARKS, PoseSequence
from romcam.core.measure import NEUTRAL_METRICS, NEUTRAL_WINDOW_S, compute_metrics
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.metric_table import MetricTable

#: Undistorts a pose's image landmarks (a calibration's lens); returns a new PoseSequence.
LensCorrection = Callable[[PoseSequence], PoseSequence]

_FLEXION = "neck_flexion"


@dataclass(frozen=True)
class FrameMeasurement:
    """One frame, measured causally.

    Attributes:
        time_s: the frame's time (s).
        values: (K,) float, every metric of ``METRIC_IDS`` in that order after the causal
            filter, in the metric's unit and sign convention; NaN where not measurable.
        view: detected view (a value of ``metric_table.VIEWS``); facing: see ``MetricTable``.
        flags: quality flag name -> True where the frame has that problem.
    """

    time_s: float
    values: np.ndarray
    view: str
    facing: str
    flags: Mapping[str, bool]

    def value(self, metric_id: str) -> float:
        return float(self.values[METRIC_IDS.index(metric_id)])


class RunningNeutral:
    """The causal form of ``compute_metrics``' default neck-flexion neutral: the median of the
    raw values (deg) in the first ``window_s`` seconds after the first measurable one, as far
    as the window has been seen; fixed once a frame comes after it."""

    def __init__(self, window_s: float = NEUTRAL_WINDOW_S) -> None:
        self.window_s = window_s
        self._values: list[float] = []
        self._t0: float | None = None
        self.fixed = False

    @property
    def offset(self) -> float:
        """The neutral so far (0 before any measurable frame)."""
        return float(np.median(self._values)) if self._values else 0.0

    def update(self, time_s: float, raw: float) -> float:
        """Take one frame's raw value (NaN: not measurable); the neutral after it."""
        if not self.fixed:
            if self._t0 is not None and time_s > self._t0 + self.window_s:
                self.fixed = True
            elif math.isfinite(raw):
                self._t0 = time_s if self._t0 is None else self._t0
                self._values.append(raw)
        return self.offset


class CausalMeasurer:
    """Measures the frames of one stream, one or a few at a time, causally.

    Args:
        width, height: frame size (pixels) of the landmarks' normalised coordinates.
        roll_deg: camera roll from calibration (see ``compute_metrics``).
        px_per_cm: scale at the subject's plane at this frame size; None = no cm metrics.
        correct_lens: applied to the landmarks before measuring (None = an ideal lens).
        metrics: the metric ids to measure (default all; the others are NaN).
        neutral: raw values of NEUTRAL_METRICS to zero at, as for ``compute_metrics``; None =
            neck flexion zeroed at its running first-second median (see the module docstring).
    """

    def __init__(
        self,
        width: int,
        height: int,
        *,
        roll_deg: float = 0.0,
        px_per_cm: float | None = None,
        correct_lens: LensCorrection | None = None,
        metrics: Collection[str] | None = None,
        neutral: Mapping[str, float] | None = None,
    ) -> None:
        self.width, self.height = int(width), int(height)
        self.roll_deg = roll_deg
        self.px_per_cm = px_per_cm
        self._correct_lens = correct_lens
        self._metrics = None if metrics is None else frozenset(metrics)
        self._neutral = dict(neutral) if neutral is not None else {}
        self._running = RunningNeutral() if neutral is None else None
        self._filter = OneEuroFilter()
        self._frames = 0

    def set_neutral(self, metric_id: str, raw_value: float) -> None:
        """Zero ``metric_id`` (one of NEUTRAL_METRICS) at ``raw_value`` from the next frame on.
        The filter restarts: the values jump by the neutral."""
        if metric_id not in NEUTRAL_METRICS:
            raise ValueError(f"only {', '.join(NEUTRAL_METRICS)} have a neutral; got {metric_id}")
        self._neutral[metric_id] = float(raw_value)
        if metric_id == _FLEXION:
            self._running = None
        self.restart_filter()

    def restart_filter(self) -> None:
        """Forget the filter's state (a new stream whose clock starts again)."""
        self._filter = OneEuroFilter()

    def measure(
        self, time_s: float, image: np.ndarray | None, world: np.ndarray | None
    ) -> FrameMeasurement:
        """One frame: (33, 4) image and (33, 3) world landmarks, or None without a subject."""
        (measured,) = self.measure_batch([time_s], [image], [world])
        return measured

    def measure_batch(
        self,
        times: Sequence[float],
        images: Sequence[np.ndarray | None],
        worlds: Sequence[np.ndarray | None],
        heads: Sequence[HeadPose | None] | None = None,
    ) -> list[FrameMeasurement]:
        """:meth:`measure` for consecutive frames at once (one ``compute_metrics`` call costs
        about the same for 1 or 16 frames). Views are detected over the batch, so they see
        the rest of the batch; values are filtered frame by frame. ``heads``: the face
        model's head pose per frame (None where the face was lost), or None when the face
        model did not run (``compute_metrics``' ``heads``)."""
        base = self._running.offset if self._running is not None else 0.0
        table = self._table(self._sequence(times, images, worlds), base, heads)
        values = np.column_stack([table.values[m] for m in METRIC_IDS]).astype(float)
        return [self._step(table, values[i], i, base) for i in range(len(table))]

    def _sequence(
        self,
        times: Sequence[float],
        images: Sequence[np.ndarray | None],
        worlds: Sequence[np.ndarray | None],
    ) -> PoseSequence:
        n = len(times)
        image = np.full((n, N_LANDMARKS, 4), np.nan)
        world = np.full((n, N_LANDMARKS, 3), np.nan)
        for i, (im, wo) in enumerate(zip(images, worlds, strict=True)):
            if im is not None:
                image[i] = im
            if wo is not None:
                world[i] = wo
        frames = np.arange(self._frames, self._frames + n)
        self._frames += n
        has_world = any(w is not None for w in worlds)
        seq = PoseSequence(
            frames,
            np.asarray(times, dtype=float),
            self.width,
            self.height,
            image,
            world if has_world else None,
        )
        return seq if self._correct_lens is None else self._correct_lens(seq)

    def _table(
        self,
        seq: PoseSequence,
        running_base: float,
        heads: Sequence[HeadPose | None] | None = None,
    ) -> MetricTable:
        """The metric table of ``seq``; neck flexion zeroed at ``running_base`` when the neutral
        is the running one (the neutral as it stood before this batch)."""
        neutral = dict(self._neutral)
        if self._running is not None:
            neutral[_FLEXION] = running_base
        return compute_metrics(
            seq,
            roll_deg=self.roll_deg,
            px_per_cm=self.px_per_cm,
            neutral=neutral,
            metrics=self._metrics,
            heads=heads,
        )

    def _step(
        self, table: MetricTable, zeroed: np.ndarray, i: int, base: float
    ) -> FrameMeasurement:
        """Frame ``i`` of ``table`` ((K,) ``zeroed`` values): re-zero neck flexion at the
        running neutral after this frame (the table used ``base``), then filter."""
        time_s = float(table.time_s[i])
        if self._running is not None:
            k = METRIC_IDS.index(_FLEXION)
            raw = zeroed[k] + base
            zeroed[k] = raw - self._running.update(time_s, raw)
        return FrameMeasurement(
            time_s=time_s,
            values=self._filter.update(time_s, zeroed),
            view=str(table.view[i]),
            facing=str(table.facing[i]),
            flags={name: bool(flag[i]) for name, flag in table.flags.items()},
        )
