"""Detecting a held end range, causally, in a stream of live metric values."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np


@dataclass
class HoldDetector:
    """Causal detector of a held end range in a stream of values.

    A *run* is a stretch of samples within ``±tolerance`` of the run's first value, at least
    ``min_excursion`` away from ``start`` in the direction of ``extreme`` (``max``: above it,
    ``min``: below it). ``start`` is the lowest value seen so far for ``max`` (the highest for
    ``min``): the rest position, wherever in the movement the stream began. A run that lasts
    ``min_hold_s`` is *held*; it is *released* when the value then leaves the band back towards
    the start (the subject returns from the end range). A hold that carries on further (the
    subject only paused on the way) starts a new run instead. NaN samples are skipped; a gap
    longer than ``max_gap_s`` ends the run without releasing it.

    Attributes:
        held: median of the last held run (NaN before any). released: see above.
    """

    min_hold_s: float
    tolerance: float
    extreme: Literal["max", "min"]
    min_excursion: float = 0.0
    max_gap_s: float = 0.3
    start: float = math.nan
    held: float = math.nan
    released: bool = False
    _run_t0: float = math.nan
    _run_ref: float = math.nan
    _last_t: float = math.nan
    _run_full: bool = False
    _run: list[float] = field(default_factory=list)

    def update(self, t_s: float, value: float) -> float:
        """Feed one sample (s, metric unit); returns the current run's progress in [0, 1]."""
        if not math.isfinite(value):
            if math.isfinite(self._last_t) and t_s - self._last_t > self.max_gap_s:
                self._restart(math.nan, math.nan)
            return self.progress(t_s)
        if math.isnan(self.start) or self._beyond_start(value):
            self.start = value  # the far end of the range seen so far (the rest position)
        gap = t_s - self._last_t if math.isfinite(self._last_t) else 0.0
        self._last_t = t_s
        if gap > self.max_gap_s:
            self._restart(t_s, value)
        elif math.isnan(self._run_ref) or abs(value - self._run_ref) > self.tolerance:
            if self._run_full and self._toward_start(value):
                self.released = True
            self._restart(t_s, value)
        self._run.append(value)
        progress = self.progress(t_s)
        if progress >= 1.0:
            self._run_full = True
            self.held = float(np.median(self._run))
        return progress

    def progress(self, t_s: float) -> float:
        """How much of ``min_hold_s`` the current run has lasted (0 when it is not far enough)."""
        if math.isnan(self._run_t0) or not self._far_enough(self._run_ref):
            return 0.0
        return float(min(1.0, (t_s - self._run_t0) / self.min_hold_s))

    def _beyond_start(self, value: float) -> bool:
        return value < self.start if self.extreme == "max" else value > self.start

    def _toward_start(self, value: float) -> bool:
        return value < self._run_ref if self.extreme == "max" else value > self._run_ref

    def _far_enough(self, value: float) -> bool:
        if math.isnan(self.start) or math.isnan(value):
            return False
        moved = value - self.start if self.extreme == "max" else self.start - value
        return moved >= self.min_excursion

    def _restart(self, t_s: float, value: float) -> None:
        self._run_t0, self._run_ref = t_s, value
        self._run_full = False
        self._run = []
