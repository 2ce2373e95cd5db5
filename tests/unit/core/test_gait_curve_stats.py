"""One mean ± SD over gait cycles: the walk's plot (core) and the reports' overlay of two
stored walks (outcomes.gait_curves) read the same band."""

from __future__ import annotations

import numpy as np
import pandas as pd

from romcam.core.gait_cycles import PERCENT
from romcam.core.gait_metrics import N_POINTS, curves_mean_sd
from romcam.outcomes.gait_curves import walk_curves


def test_two_cycles_give_their_mean_and_sample_sd() -> None:
    curves = np.stack([np.full(N_POINTS, 10.0), np.full(N_POINTS, 14.0)])
    mean, sd = curves_mean_sd(curves)
    np.testing.assert_allclose(mean, 12.0)
    np.testing.assert_allclose(sd, np.sqrt(8.0))  # ddof=1: ((2² + 2²) / 1) ** 0.5


def test_one_cycle_has_no_spread_and_none_has_no_curve() -> None:
    mean, sd = curves_mean_sd(np.full((1, N_POINTS), 7.0))
    np.testing.assert_allclose(mean, 7.0)
    np.testing.assert_allclose(sd, 0.0)
    unseen = np.vstack([np.full(N_POINTS, np.nan), np.full(N_POINTS, 7.0)])
    np.testing.assert_allclose(curves_mean_sd(unseen)[1], 0.0)  # an unseen cycle is no cycle
    assert np.isnan(curves_mean_sd(np.full((2, N_POINTS), np.nan))[0]).all()


def test_the_overlay_of_a_stored_walk_reads_the_plots_band() -> None:
    rng = np.random.default_rng(1)
    knee = 30 + 5 * rng.standard_normal((3, N_POINTS))
    rows = [
        {"side": "left", "joint": "knee", "stance_pct": 61.0}
        | {f"pct_{int(p)}": v for p, v in zip(PERCENT, cycle, strict=True)}
        for cycle in knee
    ]
    overlay = walk_curves(pd.DataFrame(rows), "visit").curves[("left", "knee")]
    mean, sd = curves_mean_sd(knee)
    np.testing.assert_allclose(overlay[0], mean)
    np.testing.assert_allclose(overlay[1], sd)
    assert overlay[2] == 3
