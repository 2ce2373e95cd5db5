"""Home checks beside the clinic's visits.

A client's home measurements (source ``home``, imported with ``romcam import``) are kept out of
the visit-over-visit comparisons: ``visit_series`` and ``progress`` (first vs latest visit,
best, trend, the real-change verdict) stay clinic-to-clinic, as both ends of a comparison are
then measured with the clinic's camera set-up, by the therapist. The home checks are shown
between the visits as points of their own (:func:`home_series`), one per home day, test and
side: the mean of that day's trials.
"""

from __future__ import annotations

import pandas as pd

from romcam.outcomes.mdc import MdcTable
from romcam.outcomes.values import How, collapse, denormalised_sides

#: The ``source`` of a measurement the client took at home (``romcam.store.records.SOURCES``).
HOME_SOURCE = "home"
#: Columns of :func:`home_series`.
HOME_COLUMNS = [
    "session_id",
    "started_at",
    "test",
    "side",
    "metric",
    "unit",
    "value",
    "sd",
    "n",
    "label",
    "quality",
    "quality_reason",
]


def is_home(frame: pd.DataFrame) -> pd.Series:
    """(rows,) bool: the rows measured at home (none when the frame has no ``source``)."""
    if "source" not in frame.columns:
        return pd.Series(False, index=frame.index)
    return (frame["source"] == HOME_SOURCE).astype(bool)


def clinic_measurements(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without the home measurements: the clinic's visits."""
    return frame[~is_home(frame)]


def home_series(
    frame: pd.DataFrame, mdc: MdcTable | None = None, *, how: How = "mean"
) -> pd.DataFrame:
    """One value per home check (a home session: one day), test and side, oldest first:
    its trials collapsed with ``how`` (``romcam.outcomes.values.collapse``). Columns
    :data:`HOME_COLUMNS`; ``started_at`` is the day's first trial (naive UTC)."""
    home = frame[is_home(frame)]
    if home.empty:
        return pd.DataFrame(columns=HOME_COLUMNS)
    picked = collapse(home, how, mdc).sort_values(["started_at", "session_id"], kind="stable")
    return denormalised_sides(picked[HOME_COLUMNS].reset_index(drop=True))
