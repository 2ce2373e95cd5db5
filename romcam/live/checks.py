"""The live set-up checks: what to fix before a frame can be measured (view, body parts in the
picture and visible, a second person, turned out of the plane), as short instructions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from romcam.core.assessments import AssessmentTest, Side
from romcam.core.compensation import CompensationSpec, over_threshold
from romcam.core.landmarks import LANDMARK_INDEX
from romcam.core.summary import view_instruction

#: Below this landmark visibility a body part counts as not seen.
MIN_VISIBILITY = 0.5
#: Landmarks this far outside [0, 1] (normalised) count as out of the picture.
FRAME_MARGIN = 0.02


def required_landmarks(test: AssessmentTest, side: Side | None) -> tuple[str, ...]:
    """Landmark names the test needs in the picture (from its ``regions``)."""
    sides = (side,) if side is not None and test.metric.endswith("{side}") else ("left", "right")
    names: list[str] = []
    for region in test.regions:
        if region in LANDMARK_INDEX:
            names.append(region)
        else:
            names.extend(f"{s}_{region}" for s in sides if f"{s}_{region}" in LANDMARK_INDEX)
    return tuple(names)


def setup_problems(
    image: np.ndarray | None,
    test: AssessmentTest,
    side: Side | None,
    view: str,
    people: int,
    flags: Mapping[str, bool] | None = None,
) -> tuple[str, ...]:
    """The set-up checks of one frame, as short instructions (empty = all good).

    Args:
        image: (33, 4) normalised x, y, z, visibility of the tracked subject, or None.
        view: detected view of the frame; people: persons the model saw.
        flags: per-frame quality flags of the metric table (``out_of_plane`` ...).
    """
    if image is None or not np.isfinite(image[:, 0]).any():
        if people >= 1:  # someone is seen, but not the client being followed
            return ("Client lost: someone is in view, but not the client; step back into it.",)
        return ("Nobody found: step into the picture, in good light.",)
    problems: list[str] = []
    if people > 1:
        problems.append(f"{people} people in the picture: only the client should be in view.")
    wrong_view = view_instruction(test.view, test.spec(side).side, view)
    if wrong_view:
        problems.append(wrong_view)
    outside, hidden = [], []
    for name in required_landmarks(test, side):
        x, y, _, vis = image[LANDMARK_INDEX[name]]
        lo, hi = -FRAME_MARGIN, 1 + FRAME_MARGIN
        if not (lo <= x <= hi and lo <= y <= hi):
            outside.append(name.replace("_", " "))
        elif not vis >= MIN_VISIBILITY:
            hidden.append(name.replace("_", " "))
    if outside:
        problems.append(f"Not in the picture: {', '.join(outside)}; step back or move the camera.")
    if hidden:
        problems.append(f"Hard to see: {', '.join(hidden)}; improve the light or uncover it.")
    if flags and flags.get("out_of_plane"):
        problems.append("Turned out of the measurement plane: square up to the camera.")
    return tuple(problems)


def compensation_cues(
    current: Mapping[str, float], specs: Sequence[CompensationSpec]
) -> tuple[str, ...]:
    """The cues of the compensations over their thresholds now (``current``: name -> deg, NaN
    where not measured), each cue once, in the order of ``specs``. Unlike
    :func:`setup_problems` they do not reject a trial: its clean range leaves those frames out
    (``romcam.core.clean_range``)."""
    return tuple(dict.fromkeys(s.cue for s in over_threshold(current, specs)))
