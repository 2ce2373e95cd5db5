"""A normative band for adult knee and hip flexion over the gait cycle: a LABELLED APPROXIMATION.

The shape and the turning points follow the adult sagittal curves published by Kadaba,
Ramakrishnan & Wootten 1990 (J Orthop Res 8:383-392, 40 adults, Vicon marker set) and
described by Perry & Burnfield 2010 (Gait Analysis: Normal and Pathological Function, 2nd ed.,
ch. 4-5: knee ~15-20 deg at loading response, ~60 deg peak in swing near 70 %; hip ~30 deg
flexion at initial contact, ~10-20 deg apparent extension in terminal stance, peak flexion
~30-35 deg in late swing). The numbers below were read off those curves at 5 % steps from
memory of the published figures and have NOT been checked against the original tables: use
the band to see whether a curve has a normal shape and size, not as a reference value. The SD
is a round 5-7 deg, about the between-subject SD those studies report.

Angles: romcam's 2-D definitions (knee 0 = straight; hip = thigh vs the trunk line, which
differs from the 3-D thigh-vs-pelvis angle of those studies by the pelvis's tilt, a few
degrees).
"""

from __future__ import annotations

import numpy as np

from romcam.core.gait_cycles import PERCENT

SOURCE = (
    "approximation of adult means ± 1 SD after Kadaba et al. 1990 (J Orthop Res 8:383) and "
    "Perry & Burnfield 2010; not checked against the original tables"
)
_STEP_PCT = np.arange(0.0, 101.0, 5.0)
#: (21,) mean knee flexion (deg) at 0, 5, ..., 100 % of the cycle.
_KNEE_MEAN = np.array(
    [5, 12, 17, 19, 17, 13, 9, 6, 5, 5, 8, 15, 28, 44, 57, 60, 54, 40, 22, 9, 5], dtype=float
)
_KNEE_SD = np.array([5, 5, 6, 6, 6, 5, 5, 5, 5, 5, 5, 6, 7, 7, 6, 6, 6, 7, 7, 6, 5], dtype=float)
#: (21,) mean hip flexion (deg) at 0, 5, ..., 100 % of the cycle.
_HIP_MEAN = np.array(
    [30, 29, 27, 24, 20, 15, 10, 6, 2, -2, -6, -8, -5, 2, 11, 20, 27, 31, 32, 31, 30],
    dtype=float,
)
_HIP_SD = np.full(21, 6.0)


def normative_band(joint: str) -> tuple[np.ndarray, np.ndarray]:
    """(101,) mean and (101,) SD (deg) of ``knee`` or ``hip`` flexion at PERCENT."""
    if joint not in ("knee", "hip"):
        raise ValueError(f"joint must be 'knee' or 'hip'; got {joint!r}")
    mean, sd = (_KNEE_MEAN, _KNEE_SD) if joint == "knee" else (_HIP_MEAN, _HIP_SD)
    return np.interp(PERCENT, _STEP_PCT, mean), np.interp(PERCENT, _STEP_PCT, sd)
