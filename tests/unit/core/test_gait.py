"""Gait events, cycles and numbers on synthetic walks with known events and joint curves."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from romcam.core.gait_cycles import PERCENT
from romcam.core.gait_metrics import GaitResult, analyze_gait, symmetry_index
from romcam.core.gait_norms import normative_band
from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.synthetic import synthetic_pose
from romcam.core.synthetic_gait import (
    SyntheticWalk,
    ankle_ahead_m,
    hip_at,
    knee_at,
    synthetic_walk,
    zeni_phases,
)

FPS = 30.0
FRAME = 1.0 / FPS


@pytest.fixture(scope="module")
def walk_left() -> tuple[SyntheticWalk, GaitResult]:
    walk = synthetic_walk(duration_s=6.0, fps=FPS)
    return walk, analyze_gait(walk.pose)


def _close_to_truth(found_s: np.ndarray, truth_s: np.ndarray) -> np.ndarray:
    return np.array([np.min(np.abs(truth_s - f)) for f in found_s])


@pytest.mark.parametrize("view", ["side_left", "side_right"])
def test_events_within_one_frame_of_the_truth(view: str) -> None:
    walk = synthetic_walk(duration_s=6.0, fps=FPS, view=view)
    result = analyze_gait(walk.pose)
    assert result.status == "ok"
    t = walk.pose.time_s
    for side in ("left", "right"):
        ev = result.track.events[side]
        hs, to = ev.heel_strikes_s, ev.toe_offs_s
        assert np.all(np.abs(hs - t[ev.heel_strikes]) <= FRAME / 2 + 1e-9)
        assert np.all(_close_to_truth(hs, walk.heel_strikes_s[side]) <= FRAME)
        assert np.all(_close_to_truth(to, walk.toe_offs_s[side]) <= FRAME)
        # every true event away from the walk's ends (the extremum window) is found
        inner = (walk.heel_strikes_s[side] > 0.35) & (walk.heel_strikes_s[side] < t[-1] - 0.35)
        assert len(hs) >= inner.sum()


def test_timing_is_exact_to_a_frame(walk_left: tuple[SyntheticWalk, GaitResult]) -> None:
    walk, result = walk_left
    truth = zeni_phases()
    for side in ("left", "right"):
        g = result.sides[side]
        assert g.n_cycles >= 3
        assert g.stride_time_s == pytest.approx(walk.stride_s, abs=0.002)
        assert g.cadence_steps_per_min == pytest.approx(120.0 / walk.stride_s, abs=0.3)
        assert g.stance_pct == pytest.approx(truth.stance_pct, abs=100 * FRAME / walk.stride_s)
        assert g.swing_pct == pytest.approx(100 - g.stance_pct)
        assert g.step_time_s == pytest.approx(walk.stride_s / 2, abs=FRAME + 1e-9)


def _pattern_key_values() -> tuple[float, float, float]:
    """Peak swing knee, loading knee (0-25 %), peak hip extension of the pattern itself."""
    ph = zeni_phases()
    pct = np.arange(0.0, 100.0, 0.01)
    knee, hip = knee_at(ph.heel_strike_pct + pct), hip_at(ph.heel_strike_pct + pct)
    stance = pct <= ph.stance_pct
    return knee[~stance].max(), knee[pct <= 25.0].max(), -hip[stance].min()


def test_curves_and_key_values_within_two_degrees(
    walk_left: tuple[SyntheticWalk, GaitResult],
) -> None:
    _, result = walk_left
    hs = zeni_phases().heel_strike_pct
    swing, loading, extension = _pattern_key_values()
    for side in ("left", "right"):
        g = result.sides[side]
        knee, knee_sd = g.mean_sd("knee")
        hip, _ = g.mean_sd("hip")
        assert np.max(np.abs(knee - knee_at(hs + PERCENT))) < 2.0
        assert np.max(np.abs(hip - hip_at(hs + PERCENT))) < 2.0
        assert np.max(knee_sd) < 2.0
        assert g.peak_knee_flexion_swing_deg == pytest.approx(swing, abs=2.0)
        assert g.knee_flexion_loading_deg == pytest.approx(loading, abs=2.0)
        assert g.peak_hip_extension_deg == pytest.approx(extension, abs=2.0)
    assert result.symmetry["stance_pct_si_pct"] == pytest.approx(0.0, abs=1.0)
    assert result.notes == () and result.warnings == ()


def test_step_length_from_a_calibrated_scale() -> None:
    walk = synthetic_walk(duration_s=6.0, fps=FPS)
    result = analyze_gait(walk.pose, px_per_cm=1.5)  # synthetic_walk's 150 px/m
    hs = zeni_phases().heel_strike_pct
    truth_cm = 100 * (ankle_ahead_m(np.array([hs]))[0] - ankle_ahead_m(np.array([hs + 50]))[0])
    for side in ("left", "right"):
        assert result.sides[side].step_length_cm == pytest.approx(truth_cm, abs=2.0)
    assert analyze_gait(walk.pose).sides["left"].step_length_cm is None


def _swap_runs(pose: PoseSequence, names: tuple[str, ...], seed: int) -> PoseSequence:
    """``pose`` with the left/right labels of ``names`` traded in runs of 1-6 frames."""
    rng = np.random.default_rng(seed)
    swap = np.zeros(len(pose), dtype=bool)
    for start in np.flatnonzero(rng.random(len(pose)) < 0.06):
        swap[start : start + rng.integers(1, 7)] = True
    return _trade(pose, names, swap)


def test_swapped_leg_labels_are_untangled() -> None:
    """The pose model trades the feet's and the knees' labels in profile, each at its own
    moments: the numbers must not change."""
    walk = synthetic_walk(duration_s=6.0, fps=FPS)
    swapped = _swap_runs(_swap_runs(walk.pose, ("ankle", "heel", "foot_index"), 3), ("knee",), 4)
    assert not np.array_equal(swapped.image, walk.pose.image)
    tangled = analyze_gait(swapped)
    clean = analyze_gait(replace(walk.pose, world=None))
    for side in ("left", "right"):
        assert tangled.sides[side].n_cycles == clean.sides[side].n_cycles >= 3
        k1, _ = tangled.sides[side].mean_sd("knee")
        k2, _ = clean.sides[side].mean_sd("knee")
        assert np.max(np.abs(k1 - k2)) < 0.5


def test_fewer_than_three_cycles_says_so_and_reports_them() -> None:
    walk = synthetic_walk(duration_s=3.0, fps=FPS)
    result = analyze_gait(walk.pose)
    assert result.status == "ok"
    for side in ("left", "right"):
        g = result.sides[side]
        assert 0 < g.n_cycles < 3
        assert g.cadence_steps_per_min == pytest.approx(120 / walk.stride_s, abs=0.5)
    assert any(n.startswith("Only 1 whole gait cycle of the") for n in result.notes)
    assert all("at least 3 are needed" in n for n in result.notes)


def test_hidden_far_leg_has_no_cycles_and_a_sentence() -> None:
    walk = synthetic_walk(duration_s=6.0, fps=FPS, far_leg_visibility=0.3)
    result = analyze_gait(walk.pose)
    assert result.sides["left"].n_cycles >= 3
    assert result.sides["right"].n_cycles == 0
    assert np.isnan(result.sides["right"].stance_pct)
    assert any(n.startswith("No whole gait cycle of the right leg") for n in result.notes)


def test_standing_still_is_no_walking() -> None:
    t = np.arange(90) / FPS
    pose = synthetic_pose({"knee_flexion_left": 10 + 10 * np.sin(t)}, view="side_left")
    result = analyze_gait(pose)
    assert result.status == "no_walking"
    assert result.message is not None and result.message.startswith("no walking was found")


def test_walking_backward_is_left_out() -> None:
    walk = synthetic_walk(duration_s=6.0, fps=FPS, speed_m_s=-1.2)
    result = analyze_gait(walk.pose)
    assert result.status == "no_walking"
    assert any("walked backward" in n for n in result.notes)


def test_front_view_walk_is_refused_for_sagittal_metrics() -> None:
    result = analyze_gait(synthetic_walk(duration_s=4.0, fps=FPS, view="front").pose)
    assert result.status == "front_view"
    assert result.message is not None
    assert "from the front" in result.message and "side view" in result.message


def test_no_subject() -> None:
    pose = synthetic_walk(duration_s=1.0, fps=FPS).pose
    empty = replace(pose, image=np.full_like(pose.image, np.nan), world=None)
    assert analyze_gait(empty).status == "no_subject"


def test_a_camera_panning_with_the_subject_is_warned_and_drops_step_length() -> None:
    walk = synthetic_walk(duration_s=6.0, fps=FPS, speed_m_s=0.0)
    result: GaitResult = analyze_gait(walk.pose, px_per_cm=1.5)
    assert result.sides["left"].n_cycles >= 3  # timing still comes from the legs
    assert any(w.startswith("The camera seems to move with the subject") for w in result.warnings)
    assert result.sides["left"].step_length_cm is None
    still = analyze_gait(synthetic_walk(duration_s=6.0, fps=FPS).pose)
    assert not any("camera" in w for w in still.warnings)


def test_symmetry_index_formula() -> None:
    assert symmetry_index(1.0, 1.2) == pytest.approx(100 * 0.2 / 1.1)
    assert symmetry_index(1.0, 1.0) == 0.0
    assert symmetry_index(None, 1.0) is None
    assert symmetry_index(float("nan"), 1.0) is None


def test_normative_band_shape() -> None:
    knee, knee_sd = normative_band("knee")
    hip, _ = normative_band("hip")
    assert knee.shape == hip.shape == (101,)
    assert 55 <= knee.max() <= 65 and 65 <= int(np.argmax(knee)) <= 78
    assert hip.min() < 0 and np.all(knee_sd > 0)
    with pytest.raises(ValueError):
        normative_band("ankle")


def _crossing(pose: PoseSequence, names: tuple[str, ...]) -> np.ndarray:
    """(T,) bool: frames where the two legs' ``names`` are within 0.15 leg lengths of each
    other horizontally (where the pose model loses track of which is which)."""
    px = pose.pixels
    leg = np.median(
        np.linalg.norm(
            px[:, LANDMARK_INDEX["left_hip"]] - px[:, LANDMARK_INDEX["left_ankle"]], axis=-1
        )
    )
    x = {
        s: px[:, [LANDMARK_INDEX[f"{s}_{n}"] for n in names], 0].mean(axis=1)
        for s in ("left", "right")
    }
    return np.abs(x["left"] - x["right"]) < 0.15 * leg


def _trade(pose: PoseSequence, names: tuple[str, ...], frames: np.ndarray) -> PoseSequence:
    """``pose`` with the left/right labels of ``names`` traded in ``frames`` ((T,) bool)."""
    left = np.array([LANDMARK_INDEX[f"left_{n}"] for n in names])
    right = np.array([LANDMARK_INDEX[f"right_{n}"] for n in names])
    image = pose.image.copy()
    image[np.ix_(frames, left)] = pose.image[np.ix_(frames, right)]
    image[np.ix_(frames, right)] = pose.image[np.ix_(frames, left)]
    return replace(pose, image=image, world=None)


def _knee_jumps(pose: PoseSequence, crossing: np.ndarray) -> PoseSequence:
    """Shortly before each crossing of the knees, one knee (the legs in turn) sits on the
    other knee for 2, 3 or 4 frames while they are still apart, as the pose model does in
    profile (the Sports2D walk, frame 90: the right knee on the left one, 0.3 leg lengths
    away)."""
    image = pose.image.copy()
    starts = np.flatnonzero(crossing & ~np.roll(crossing, 1))
    for i, start in enumerate(starts[starts >= 8]):
        moved, stays = ("left", "right") if i % 2 else ("right", "left")
        frames = np.arange(start - 4 - i % 3, start - 2)
        image[frames, LANDMARK_INDEX[f"{moved}_knee"]] = pose.image[
            frames, LANDMARK_INDEX[f"{stays}_knee"]
        ]
    return replace(pose, image=image, world=None)


def _assert_curves_true(result: GaitResult, clean: GaitResult) -> None:
    hs = zeni_phases().heel_strike_pct
    for side in ("left", "right"):
        g = result.sides[side]
        assert g.n_cycles == clean.sides[side].n_cycles >= 3
        knee, _ = g.mean_sd("knee")
        hip, _ = g.mean_sd("hip")
        assert np.max(np.abs(knee - knee_at(hs + PERCENT))) < 2.0, side
        assert np.max(np.abs(hip - hip_at(hs + PERCENT))) < 2.0, side


@pytest.mark.parametrize(
    ("traded", "where"),
    [
        (("knee",), ("knee",)),  # the knees' labels traded while the knees pass each other
        (("knee", "ankle", "heel", "foot_index"), ("ankle", "heel", "foot_index")),  # the leg
    ],
)
def test_labels_traded_while_the_legs_pass_each_other(
    traded: tuple[str, ...], where: tuple[str, ...]
) -> None:
    """In profile the pose model trades the legs' labels exactly where they pass each other
    (the Sports2D walk: the knees at ~30 % of the cycle, the whole lower leg at the feet's
    crossing): continuity over the crossing must put them right."""
    walk = synthetic_walk(duration_s=6.0, fps=FPS)
    crossing = _crossing(walk.pose, where)
    assert 0 < crossing.sum() < 0.3 * len(crossing)
    clean = analyze_gait(replace(walk.pose, world=None))
    _assert_curves_true(analyze_gait(_trade(walk.pose, traded, crossing)), clean)


def test_a_knee_that_jumps_onto_the_other_knee_is_bridged() -> None:
    """The pose model puts one knee on the other for a few frames as they near each other."""
    walk = synthetic_walk(duration_s=6.0, fps=FPS)
    jumped = _knee_jumps(walk.pose, _crossing(walk.pose, ("knee",)))
    clean = analyze_gait(replace(walk.pose, world=None))
    _assert_curves_true(analyze_gait(jumped), clean)
