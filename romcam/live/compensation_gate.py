"""The live compensation gate: a test's compensations measured frame by frame while a trial
runs, a cue while one is over its threshold, and the automatic capture held back meanwhile.

The numbers are those of ``romcam.core.compensation`` (the change from the trial's start, in
degrees, causal), so the live trial's clean range (``core/clean_range``, through
:meth:`CompensationGate.series`) is the one a recorded video of it would give.
"""

from __future__ import annotations

import math

import numpy as np

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.compensation import change_from_start, compensations_for, raw_series
from romcam.core.geometry import image_to_up
from romcam.core.landmarks import N_LANDMARKS
from romcam.live.checks import compensation_cues


class CompensationGate:
    """The compensations of one trial, one frame at a time (not thread-safe, like the
    session that owns it). Call :meth:`update` once per trial row, :meth:`reset` for a new
    trial."""

    def __init__(self, test: AssessmentTest, side: Side | None) -> None:
        self._test_id = test.id
        self._side = side
        self.specs = compensations_for(test.id)
        self.reset()

    def reset(self) -> None:
        """Forget the trial: the next frame starts a new baseline."""
        self._time: list[float] = []
        self._raw: dict[str, list[float]] = {s.name: [] for s in self.specs}
        #: Name -> the latest frame's compensation (deg; NaN where it was not measured).
        self.current: dict[str, float] = {}

    def update(
        self,
        time_s: float,
        image: np.ndarray | None,
        size: tuple[int, int],
        view: str,
        facing: str,
    ) -> tuple[str, ...]:
        """Take one frame: (33, 4) normalised landmarks (None: no subject) of a ``size``
        (width, height) picture, its detected ``view`` and ``facing``. Returns the cues of the
        compensations now over their thresholds ("Keep the trunk upright.")."""
        if not self.specs:
            return ()
        landmarks = np.full((1, N_LANDMARKS, 4), np.nan) if image is None else image[None]
        width, height = size
        up = image_to_up(landmarks[..., :2] * np.array([width, height]), width, height)
        views, facings = np.array([view]), np.array([facing])
        raws = raw_series(up, landmarks[..., 3], views, facings, self._test_id, self._side)
        self._time.append(time_s)
        for name, value in raws.items():
            self._raw[name].append(float(value[0]))
        self.current = {name: float(series[-1]) for name, series in self.series().items()}
        return self.cues

    def series(self) -> dict[str, np.ndarray]:
        """Name -> (T,) degrees of each compensation over the trial's frames so far."""
        t = np.asarray(self._time, dtype=float)
        return {
            s.name: change_from_start(s, np.asarray(self._raw[s.name], dtype=float), t, self._side)
            for s in self.specs
        }

    @property
    def cues(self) -> tuple[str, ...]:
        """What the subject should do now (empty when no compensation is over its threshold)."""
        return compensation_cues(self.current, self.specs)

    @property
    def holding(self) -> bool:
        """True while a compensation is over its threshold: no automatic capture now."""
        return any(
            math.isfinite(self.current.get(s.name, math.nan))
            and self.current[s.name] > s.threshold_deg
            for s in self.specs
        )
