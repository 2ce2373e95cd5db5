"""The live compensation gate: a test's compensations measured frame by frame while a trial
runs, a cue while one is over its threshold, and the automatic capture held back meanwhile.

The numbers are those of ``romcam.core.compensation`` (the change from the trial's start, in
degrees, causal: :class:`~romcam.core.compensation.CompensationTracker`), so the live trial's
clean range (``core/clean_range``, through :meth:`CompensationGate.series`) is the one a
recorded video of it would give.
"""

from __future__ import annotations

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.compensation import CompensationTracker, over_threshold
from romcam.live.checks import compensation_cues


class CompensationGate(CompensationTracker):
    """The compensations of one trial (not thread-safe, like the session that owns it). Call
    :meth:`update` once per trial row, :meth:`reset` for a new trial."""

    def __init__(self, test: AssessmentTest, side: Side | None) -> None:
        super().__init__(test.id, side)

    @property
    def cues(self) -> tuple[str, ...]:
        """What the subject should do now (empty when no compensation is over its threshold)."""
        return compensation_cues(self.current, self.specs)

    @property
    def holding(self) -> bool:
        """True while a compensation is over its threshold: no automatic capture now."""
        return bool(over_threshold(self.current, self.specs))
