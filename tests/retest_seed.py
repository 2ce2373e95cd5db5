"""A store filled with test-retest pairs (unit and integration tests of ``romcam retest``)."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from romcam.store import MeasurementInput, Store

#: Knee flexion (test, retest) per client and side, deg: 3 clients x 2 sides = 6 pairs.
KNEE_PAIRS = {
    ("Ann", "left"): (131.0, 134.0),
    ("Ann", "right"): (128.0, 126.0),
    ("Bo", "left"): (112.0, 117.0),
    ("Bo", "right"): (118.0, 115.0),
    ("Cy", "left"): (140.0, 141.0),
    ("Cy", "right"): (137.0, 139.0),
}
#: Shoulder flexion pairs of one client only (two sessions).
SHOULDER_PAIRS = [(160.0, 163.0), (158.0, 154.0)]


def knee_matrix() -> np.ndarray:
    """(6, 2) the knee pairs as ``reliability`` takes them."""
    return np.array(list(KNEE_PAIRS.values()))


def seed_retest_pairs(store: Store) -> dict[str, int]:
    """Clients Ann, Bo, Cy with one retest session each (knee pairs, Ann also a before value
    that is no pair); Ann's test value on the left is the mean of two trials (130 and 132) and
    a rejected third; a retest trial excluded with a reason. Returns client name -> session id.
    """
    sessions = {}
    for name in ("Ann", "Bo", "Cy"):
        store.add_client(name)
        sessions[name] = store.start_session(name, started_at=datetime(2026, 3, 2, 9)).id
    for (name, side), (test, retest) in KNEE_PAIRS.items():
        sid = sessions[name]
        if (name, side) == ("Ann", "left"):
            for value in (test - 1.0, test + 1.0):
                store.add_measurement(sid, MeasurementInput("knee_flexion", side, "test", value))
            rejected = MeasurementInput(
                "knee_flexion", side, "test", 90.0, quality="rejected", quality_reason="hidden"
            )
            store.add_measurement(sid, rejected)
        else:
            store.add_measurement(sid, MeasurementInput("knee_flexion", side, "test", test))
        store.add_measurement(sid, MeasurementInput("knee_flexion", side, "retest", retest))
    odd = store.add_measurement(
        sessions["Bo"], MeasurementInput("knee_flexion", "left", "retest", 60.0)
    )
    store.exclude_measurement(odd.id, "client stopped early")
    store.add_measurement(sessions["Ann"], MeasurementInput("knee_flexion", "left", "before", 99))
    for day, (test, retest) in enumerate(SHOULDER_PAIRS, start=10):
        sid = store.start_session("Ann", started_at=datetime(2026, 3, day, 9)).id
        store.add_measurement(sid, MeasurementInput("shoulder_flexion", "left", "test", test))
        store.add_measurement(sid, MeasurementInput("shoulder_flexion", "left", "retest", retest))
    return sessions
