"""A live trial's quality also answers for its set-up: the live checks and the angle table's
flags over the held stretch.

``summary.summary_for_test`` judges the held value alone (held long enough, view). The live
page also knows, frame by frame, what the set-up checks said ("Not in the picture: left hip")
and which quality flags the measurer set (``vertical_reference``, ``out_of_plane`` ...). A
trial whose held stretch had one of them is not ``ok``: it is ``rejected`` with that reason,
so the page's keep-rejected rule applies and the store never holds "quality ok" for it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from romcam.core.metric_table import MetricTable
from romcam.core.summary import AssessmentSummary

#: A problem or flag counts when it is set on at least this share of the held stretch's
#: frames. The checks are per frame and one landmark's visibility can dip for a frame or two
#: (a blink of the model), which alone does not make the held value wrong; a problem seen on a
#: quarter of the stretch is the set-up, not a flicker (at 10-30 fps that is 3-8 frames of a
#: 1 s hold), and the held value is the centre of those frames.
MIN_SHARE = 0.25
#: Slack (s) on the held stretch's ends: the summary rounds its times to 0.01 s.
_TIME_SLACK_S = 0.011

#: What each angle-table flag means, for the reason a therapist reads.
FLAG_TEXT: dict[str, str] = {
    "no_subject": "nobody was found in some frames",
    "low_visibility": "a body part the test needs was hard to see",
    "out_of_frame": "a body part the test needs was out of the picture",
    "out_of_plane": "the body was turned out of the measurement plane",
    "wrong_view": "the camera view did not suit the test",
    "facing_away": "the client faced away from the camera",
    "vertical_reference": "the hips were not usable, so the true vertical stood in for the "
    "trunk line",
    "implausible_pose": "the detected pose was implausible",
    "implausible_value": "a value was implausible (a landmark failure)",
    "occluded": "a body part was hidden behind something",
}


def held_frames(table: MetricTable, summary: AssessmentSummary) -> np.ndarray:
    """(T,) bool: the frames of the test's held end range (``{extreme}_time_s`` for
    ``{extreme}_hold_s`` seconds); every frame when nothing was held (a button capture)."""
    if summary["extreme"] == "max":
        start, length = summary["max_time_s"], summary["max_hold_s"]
    else:
        start, length = summary["min_time_s"], summary["min_hold_s"]
    t = np.asarray(table.time_s, dtype=float)
    if start is None or length is None or not len(t):
        return np.ones(len(t), dtype=bool)
    inside = (t >= start - _TIME_SLACK_S) & (t <= start + length)
    return inside if inside.any() else np.ones(len(t), dtype=bool)


def setup_issues(
    table: MetricTable, problems: Sequence[tuple[str, ...]], held: np.ndarray
) -> list[str]:
    """The set-up problems and angle-table flags seen on at least MIN_SHARE of the ``held``
    frames, as sentences (problems first, in the order they first appeared).

    Args:
        table: the trial's per-frame table (T rows); problems: (T,) the set-up checks of each
            row's frame (``live.checks.setup_problems``); held: (T,) bool.
    """
    n = int(held.sum())
    if n == 0:
        return []
    seen: Counter[str] = Counter()
    for row_problems, in_hold in zip(problems, held, strict=True):
        if in_hold:
            seen.update(dict.fromkeys(row_problems, 1))
    issues = [p for p, count in seen.items() if count >= MIN_SHARE * n]
    for name, flag in table.flags.items():
        if np.asarray(flag, dtype=bool)[held].sum() >= MIN_SHARE * n:
            issues.append(f"{FLAG_TEXT.get(name, name.replace('_', ' '))} (flag {name})")
    return issues


def with_setup_quality(
    summary: AssessmentSummary, table: MetricTable, problems: Sequence[tuple[str, ...]]
) -> tuple[str, str]:
    """(quality, reason) of a live trial: the summary's, lowered to ``rejected`` when the
    set-up checks or the angle table's flags reported a problem over the held stretch."""
    quality, reason = str(summary["quality"]), str(summary["reason"])
    if quality == "no_data" or len(problems) != len(table):
        return quality, reason
    issues = setup_issues(table, problems, held_frames(table, summary))
    if not issues:
        return quality, reason
    setup = "set-up problem while the end range was held: " + "; ".join(
        issue.rstrip(".") for issue in issues
    )
    return "rejected", f"{reason}; {setup}" if reason else setup
