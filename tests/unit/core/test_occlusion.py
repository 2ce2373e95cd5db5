"""Occlusion rules of core.occlusion (and their effect on compute_metrics), synthetic bodies."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_INDEX, PoseSequence
from romcam.core.measure import compute_metrics
from romcam.core.metric_table import MetricTable
from romcam.core.occlusion import (
    OcclusionConfig,
    detect_occlusion,
    hidden_body_parts,
    hidden_parts_warnings,
    trunk_shear_deg,
)
from romcam.core.synthetic import synthetic_pose

L_HIP, R_HIP = LANDMARK_INDEX["left_hip"], LANDMARK_INDEX["right_hip"]
L_ELBOW, L_WRIST = LANDMARK_INDEX["left_elbow"], LANDMARK_INDEX["left_wrist"]
HIP_METRICS = ("trunk_lateral_lean", "pelvic_tilt", "hip_abduction_left")


def _seated_front(n: int = 90, seed: int = 0) -> PoseSequence:
    """A front-view subject, arms moving, 1 px landmark noise."""
    abduction = np.linspace(20.0, 150.0, n)
    return synthetic_pose(
        {"shoulder_abduction_left": abduction, "shoulder_abduction_right": abduction},
        n_frames=n,
        noise_px=1.0,
        seed=seed,
    )


def _with_image(
    pose: PoseSequence, image: np.ndarray, world: np.ndarray | None = None
) -> PoseSequence:
    return PoseSequence(
        frame=pose.frame,
        time_s=pose.time_s,
        image_width=pose.image_width,
        image_height=pose.image_height,
        image=image,
        world=pose.world if world is None else world,
    )


def _hips_pinned_on_a_table_edge(pose: PoseSequence) -> PoseSequence:
    """Both hips placed on a horizontal edge 40 % of a torso above where they are, off to
    one side where the hands rest (the model's guess behind a table), visibility 1."""
    image = np.array(pose.image)
    sh = image[:, [LANDMARK_INDEX["left_shoulder"], LANDMARK_INDEX["right_shoulder"]], :2]
    hips = image[:, [L_HIP, R_HIP], :2]
    torso = np.mean(hips[..., 1], axis=1) - np.mean(sh[..., 1], axis=1)
    edge_y = np.mean(sh[..., 1], axis=1) + 0.6 * torso
    image[:, [L_HIP, R_HIP], 1] = edge_y[:, None]
    image[:, [L_HIP, R_HIP], 0] += 0.5 * torso[:, None] * 720 / 1280
    image[:, [L_HIP, R_HIP], 3] = 1.0
    return _with_image(pose, image)


def test_clean_body_has_nothing_hidden() -> None:
    pose = _seated_front()
    hidden = detect_occlusion(pose, np.full(len(pose), "front"))
    assert not hidden.any()
    table = compute_metrics(pose)
    assert not table.flags["occluded"].any()


def test_hidden_hips_pinned_to_an_edge_are_flagged_and_their_metrics_withheld() -> None:
    pose = _hips_pinned_on_a_table_edge(_seated_front())
    assert np.nanmedian(trunk_shear_deg(pose)) > 10.0
    hidden = detect_occlusion(pose, np.full(len(pose), "front"))
    assert hidden[:, [L_HIP, R_HIP]].all()
    table = compute_metrics(pose)
    assert table.flags["occluded"].all()
    for mid in HIP_METRICS:
        assert np.isnan(table.values[mid]).all(), mid
    # Shoulder abduction is measured from the trunk midline: without a level camera it is
    # withheld too, never measured from the misplaced hips nor from an unverified vertical.
    assert np.isnan(table.values["shoulder_abduction_left"]).all()
    assert not table.flags["vertical_reference"].any()
    # The table says which parts were hidden (not a quality flag), and keeps it in its CSV.
    assert table.hidden["hips"].all() and not table.hidden["head"].any()
    again = MetricTable.from_dataframe(table.to_dataframe())
    np.testing.assert_array_equal(again.hidden["hips"], table.hidden["hips"])
    assert "hips" not in table.flags
    # Posture describes the body sitting tall: over guessed hips even the shoulder line's
    # tilt is withheld. A movement of the seen parts (the neck) is still measured.
    assert np.isnan(table.values["shoulder_tilt"]).all()
    assert np.isfinite(table.values["neck_lateral_flexion"]).all()


def test_one_shoulder_raised_over_an_upright_trunk_is_a_posture_not_an_occlusion() -> None:
    pose = synthetic_pose({"shoulder_tilt": 12.0}, n_frames=30)
    assert np.nanmedian(trunk_shear_deg(pose)) > 10.0  # sheared, but the midline is upright
    table = compute_metrics(pose)
    assert not table.flags["occluded"].any()
    np.testing.assert_allclose(table.values["shoulder_tilt"], 12.0, atol=0.1)


def test_with_a_level_camera_abduction_falls_back_to_the_true_vertical_and_says_so() -> None:
    clean = _seated_front()
    pose = _hips_pinned_on_a_table_edge(clean)
    table = compute_metrics(pose, level_known=True)
    truth = compute_metrics(clean)
    assert table.flags["vertical_reference"].all()
    np.testing.assert_allclose(
        table.values["shoulder_abduction_left"], truth.values["shoulder_abduction_left"], atol=3.0
    )


def test_a_limb_whose_length_jumps_is_hidden_while_it_is_off() -> None:
    pose = _seated_front()
    assert pose.world is not None
    world = np.array(pose.world)
    bad = slice(40, 60)
    # The model's guess of a hidden forearm: 60 % longer, confident in the picture.
    world[bad, L_WRIST] = world[bad, L_ELBOW] + 1.6 * (world[bad, L_WRIST] - world[bad, L_ELBOW])
    hidden = detect_occlusion(_with_image(pose, np.array(pose.image), world))
    assert hidden[bad, L_WRIST].all()
    assert not hidden[:40, L_WRIST].any() and not hidden[60:, L_WRIST].any()
    assert not hidden[:, L_ELBOW].any()  # one off segment of two: the elbow is not blamed


def test_a_landmark_on_the_picture_edge_is_pinned() -> None:
    pose = _seated_front(90)
    image = np.array(pose.image)
    image[30:60, L_WRIST, 0] = 0.999  # cut off and pinned to the right edge for 1 s
    hidden = detect_occlusion(_with_image(pose, image))
    assert hidden[30:60, L_WRIST].all()
    # Persistence widens it by at most half its 1 s window on each side.
    assert not hidden[:15, L_WRIST].any() and not hidden[75:, L_WRIST].any()


def test_a_landmark_that_jumps_there_and_back_is_hidden_for_that_frame() -> None:
    pose = _seated_front(30)
    image = np.array(pose.image)
    image[15, L_ELBOW, 1] += 0.3  # one frame, far below
    hidden = detect_occlusion(_with_image(pose, image))
    assert hidden[15, L_ELBOW] and hidden[:, L_ELBOW].sum() == 1


def test_warning_names_the_part_its_time_span_and_share() -> None:
    t = np.arange(100) / 10.0
    hidden = np.zeros((100, 33), dtype=bool)
    hidden[5:95, L_HIP] = True
    detected = np.ones(100, dtype=bool)
    (warning,) = hidden_parts_warnings(hidden_body_parts(hidden), t, detected)
    assert warning.startswith("hips hidden 0.5–9.4 s (90 % of frames)")


@pytest.mark.parametrize("field", ["max_length_change", "max_trunk_shear_deg", "max_spike"])
def test_config_rejects_non_positive_thresholds(field: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        OcclusionConfig(**{field: 0.0})
