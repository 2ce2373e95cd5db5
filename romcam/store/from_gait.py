"""From a walk's gait.json to stored measurements of the gait test (docs/gait.md "In sessions").

The gait test is the family of sided tests ``core.assessments.GAIT_TESTS``: one walk stores
each of its values per leg as one measurement (one trial) of its test, so before/after,
visit over visit, MDC and reports treat them as any test. Each measurement keeps the walk's
``cycles.csv`` (as its ``angles`` file: every cycle's knee and hip curves) and ``gait.json``
(an extra file beside it); the first also keeps the video and ``landmarks.csv`` when given.
All of a walk's measurements are stored in one transaction (``Store.add_measurements``).

Step and stride time are stored in milliseconds (tables print one decimal); a leg whose value
is null (not measured) stores no row for it; a leg seen in fewer than 3 whole cycles is stored
with the count in ``quality_reason``.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from romcam.errors import InputError
from romcam.store.from_results import NotMeasuredError
from romcam.store.records import MeasurementInput, MeasurementRecord, RecordingInput

if TYPE_CHECKING:
    from romcam.store.repository import Store

#: Gait test id -> (gait.json key of a leg's entry, factor to the stored unit).
GAIT_VALUES: dict[str, tuple[str, float]] = {
    "gait_cadence": ("cadence_steps_per_min", 1.0),
    "gait_step_time": ("step_time_s", 1000.0),
    "gait_stride_time": ("stride_time_s", 1000.0),
    "gait_stance": ("stance_pct", 1.0),
    "gait_knee_loading": ("knee_flexion_loading_deg", 1.0),
    "gait_knee_swing": ("peak_knee_flexion_swing_deg", 1.0),
    "gait_hip_extension": ("peak_hip_extension_deg", 1.0),
}
#: Whole cycles a leg needs for a dependable mean (docs/gait.md, honest limits).
MIN_CYCLES = 3
GAIT_JSON = "gait.json"
CYCLES_CSV = "cycles.csv"


def gait_inputs(
    doc: dict[str, Any],
    *,
    phase: str,
    source: Literal["video", "live"] = "video",
    calibration: str | None = None,
    measured_at: datetime | None = None,
    name: str = GAIT_JSON,
) -> list[MeasurementInput]:
    """The measurements of a side-view walk's gait.json content ``doc``: per test and leg with
    a value, in :data:`GAIT_VALUES` order, left then right.

    Raises:
        InputError: ``doc`` is a front-view walk's (no sagittal values) or not a gait.json.
        NotMeasuredError: no leg has any value.
    """
    if doc.get("view") == "front":
        raise InputError(
            f"{name} is a front-view walk's: it has no cadence, stance or knee and hip values to "
            "store; film the walk from the side for the gait test"
        )
    if not all(isinstance(doc.get(side), dict) for side in ("left", "right")):
        raise InputError(f"{name} is not a gait.json of `romcam gait` (no left and right entries)")
    out: list[MeasurementInput] = []
    for side in ("left", "right"):
        leg = doc[side]
        n = int(leg.get("n_cycles") or 0)
        reason = "" if n >= MIN_CYCLES else f"from {n} whole cycle{'s' * (n != 1)} (fewer than 3)"
        for test, (key, factor) in GAIT_VALUES.items():
            value = leg.get(key)
            if value is None or not math.isfinite(float(value)):
                continue
            out.append(
                MeasurementInput(
                    test=test,
                    side=side,
                    phase=phase,
                    value=float(value) * factor,
                    view="side",
                    quality="ok",
                    quality_reason=reason,
                    source=source,
                    measured_at=measured_at,
                    calibration_profile=calibration,
                )
            )
    if not out:
        raise NotMeasuredError(f"{name}: no gait value was measured on either leg; nothing stored")
    return out


def save_gait(
    store: Store,
    session_id: int,
    folder: Path,
    *,
    phase: str,
    source: Literal["video", "live"] = "video",
    calibration: str | None = None,
    video: Path | None = None,
    landmarks: Path | None = None,
    duration_s: float | None = None,
) -> list[MeasurementRecord]:
    """Store the walk whose gait.json and cycles.csv are in ``folder`` (as written by
    ``romcam gait``) in session ``session_id``, all values in one transaction. Reads the files
    only: ``folder`` is left as it is whether the save succeeds or fails."""
    doc_path, cycles = folder / GAIT_JSON, folder / CYCLES_CSV
    try:
        doc = json.loads(doc_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {doc_path}: {exc}; run `romcam gait` again") from None
    inputs = gait_inputs(
        doc, phase=phase, source=source, calibration=calibration, name=str(doc_path)
    )
    first = RecordingInput(
        video=video, landmarks=landmarks, angles=cycles, duration_s=duration_s, extras=(doc_path,)
    )
    rest = RecordingInput(angles=cycles, duration_s=duration_s, extras=(doc_path,))
    items = [(m, first if i == 0 else rest) for i, m in enumerate(inputs)]
    return store.add_measurements(session_id, items)


def stored_gait_json(store_root: Path, angles_path: str) -> Path:
    """The gait.json kept beside a gait measurement's stored cycles file (``angles_path``,
    relative to the data directory)."""
    return (store_root / angles_path).with_name(GAIT_JSON)
