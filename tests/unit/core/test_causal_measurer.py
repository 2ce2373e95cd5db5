"""romcam.core.causal_measurer: frame by frame, the values a recording's table gets, causally
filtered, zeroed at the same neutral, with the injected lens correction."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from romcam.core.causal_measurer import CausalMeasurer, RunningNeutral
from romcam.core.filtering import smooth_table
from romcam.core.landmarks import PoseSequence
from romcam.core.measure import NEUTRAL_METRICS, compute_metrics
from romcam.core.metric_specs import METRIC_IDS
from romcam.core.synthetic import synthetic_pose

W, H = 640, 360
FPS = 30.0


def _measure_all(
    measurer: CausalMeasurer, pose: PoseSequence, batch: int = 1, stop: int | None = None
) -> np.ndarray:
    """(T, K) values of the frames before ``stop`` (default all), ``batch`` frames at a time."""
    rows = []
    end = len(pose) if stop is None else stop
    for s in range(0, end, batch):
        part = slice(s, min(s + batch, end))
        got = measurer.measure_batch(
            pose.time_s[part], list(pose.image[part]), list(pose.world[part])
        )
        rows += [m.values for m in got]
    return np.array(rows)


def _abduction(n: int = 90) -> PoseSequence:
    sweep = np.interp(np.arange(n) / FPS, [0, 1, 2, 3], [10, 10, 150, 150])
    return synthetic_pose(
        {"shoulder_abduction_left": sweep}, view="front", image_size=(W, H), noise_px=0.5
    )


@pytest.mark.parametrize("batch", [1, 8])
def test_frame_by_frame_values_are_the_tables_causally_filtered(batch: int) -> None:
    """What the live view shows is the recording's table through the causal filter."""
    pose = _abduction()
    expected = smooth_table(compute_metrics(pose), method="causal")
    got = _measure_all(CausalMeasurer(W, H), pose, batch)
    k = METRIC_IDS.index("shoulder_abduction_left")
    np.testing.assert_allclose(got[:, k], expected.values["shoulder_abduction_left"], atol=1e-9)
    assert got[-1, k] == pytest.approx(150.0, abs=1.0)


def test_neck_flexion_is_zeroed_as_the_recording_is() -> None:
    """No neutral given: zeroed at the median of the first second, as ``compute_metrics``
    does it for the whole recording (while that second fills, at the median so far)."""
    t = np.arange(0.0, 3.0, 1 / FPS)
    neck = np.interp(t, [0.0, 0.6, 1.2, 3.0], [10.0, 14.0, 35.0, 35.0])
    pose = synthetic_pose({"neck_flexion": neck}, view="side_left", image_size=(W, H))
    table = compute_metrics(pose)  # neutral: the median of 0..1 s, ~12 deg
    got = _measure_all(CausalMeasurer(W, H), pose, batch=8)
    k = METRIC_IDS.index("neck_flexion")
    assert got[0, k] == pytest.approx(0.0, abs=1e-9)  # the first frame is its own neutral
    later = t > 2.5
    np.testing.assert_allclose(got[later, k], table.values["neck_flexion"][later], atol=0.5)
    assert table.values["neck_flexion"][-1] == pytest.approx(35.0 - np.median(neck[t <= 1.0]))


def test_running_neutral_is_fixed_after_its_window() -> None:
    neutral = RunningNeutral(window_s=1.0)
    assert neutral.update(0.0, np.nan) == 0.0  # nothing measurable yet
    assert neutral.update(0.5, 4.0) == 4.0  # the window starts at the first value
    assert neutral.update(1.0, 8.0) == 6.0
    assert neutral.update(1.5, 9.0) == 8.0  # 1.5 <= 0.5 + 1.0: still inside
    assert neutral.update(1.6, 50.0) == 8.0 and neutral.fixed
    assert neutral.update(1.7, 60.0) == 8.0


def test_given_neutral_reads_raw_until_set() -> None:
    """The live neck test: raw values while the neutral is taken, then zeroed at it."""
    pose = synthetic_pose({"neck_flexion": 20.0}, view="side_left", n_frames=40, image_size=(W, H))
    measurer = CausalMeasurer(W, H, neutral=dict.fromkeys(NEUTRAL_METRICS, 0.0))
    raw = compute_metrics(pose, neutral=dict.fromkeys(NEUTRAL_METRICS, 0.0))
    first = _measure_all(measurer, pose, stop=20)
    k = METRIC_IDS.index("neck_flexion")
    assert first[-1, k] == pytest.approx(raw.values["neck_flexion"][-1], abs=1e-6)
    measurer.set_neutral("neck_flexion", float(first[-1, k]))
    zeroed = measurer.measure(float(pose.time_s[20]), pose.image[20], pose.world[20])
    assert zeroed.value("neck_flexion") == pytest.approx(0.0, abs=1e-6)  # no filter lag
    with pytest.raises(ValueError, match="have a neutral"):
        measurer.set_neutral("knee_flexion_left", 3.0)


def test_lens_correction_is_applied_before_measuring() -> None:
    """The correction is injected (undistortion needs OpenCV, outside core)."""
    seen = _abduction(1)
    ideal = synthetic_pose(
        {"shoulder_abduction_left": 90.0}, view="front", n_frames=1, image_size=(W, H)
    )
    calls: list[PoseSequence] = []

    def correct(pose: PoseSequence) -> PoseSequence:
        calls.append(pose)
        return replace(pose, image=ideal.image.copy())

    measurer = CausalMeasurer(W, H, correct_lens=correct)
    got = measurer.measure(0.0, seen.image[0], seen.world[0])
    assert len(calls) == 1 and calls[0].image_width == W
    assert got.value("shoulder_abduction_left") == pytest.approx(90.0, abs=0.1)
    assert got.view == "front" and got.flags["no_subject"] is False


def test_missing_subject_and_a_new_stream() -> None:
    measurer = CausalMeasurer(W, H, metrics={"shoulder_abduction_left"})
    empty = measurer.measure(0.0, None, None)
    assert np.isnan(empty.values).all() and empty.view == "none" and empty.flags["no_subject"]
    pose = _abduction(3)
    measurer.measure(1.0, pose.image[0], pose.world[0])
    with pytest.raises(ValueError, match="increase"):
        measurer.measure(0.5, pose.image[1], pose.world[1])
    measurer.restart_filter()  # a new stream: its clock starts again
    assert np.isfinite(
        measurer.measure(0.5, pose.image[1], pose.world[1]).value("shoulder_abduction_left")
    )
    assert np.isnan(measurer.measure(0.6, pose.image[2], pose.world[2]).value("knee_flexion_left"))
