"""Identity rules of core.identity on synthetic skeletons (known people, known swaps)."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.identity import IdentityConfig, keep_subject, split_subjects
from romcam.core.landmarks import PoseSequence
from romcam.core.synthetic import synthetic_pose

FPS = 30.0


def _person(n: int, *, shift_x: float = 0.0, body: float = 1.0, seed: int = 0) -> PoseSequence:
    """n frames of one standing person, moved by ``shift_x`` (normalised image x) and with
    world segments ``body`` times as long (another body's proportions)."""
    pose = synthetic_pose(
        {"shoulder_abduction_left": 30.0}, n_frames=n, fps=FPS, noise_px=1.0, seed=seed
    )
    image = np.array(pose.image)
    image[..., 0] += shift_x
    assert pose.world is not None
    return PoseSequence(
        frame=pose.frame,
        time_s=pose.time_s,
        image_width=pose.image_width,
        image_height=pose.image_height,
        image=image,
        world=pose.world * body,
    )


def _concat(*parts: PoseSequence) -> PoseSequence:
    image = np.concatenate([p.image for p in parts])
    world = np.concatenate([p.world for p in parts if p.world is not None])
    t = np.arange(len(image)) / FPS
    return PoseSequence(
        frame=np.arange(len(t)),
        time_s=t,
        image_width=parts[0].image_width,
        image_height=parts[0].image_height,
        image=image,
        world=world,
    )


def _nobody(n: int, like: PoseSequence) -> PoseSequence:
    return PoseSequence(
        frame=np.arange(n),
        time_s=np.arange(n) / FPS,
        image_width=like.image_width,
        image_height=like.image_height,
        image=np.full((n, 33, 4), np.nan),
        world=np.full((n, 33, 3), np.nan),
    )


def test_one_person_throughout_is_one_subject() -> None:
    split = split_subjects(_person(120))
    assert split.subject.all()
    assert split.warning() is None


def test_someone_else_after_the_subject_left_is_another_person() -> None:
    first = _person(60)
    pose = _concat(first, _nobody(60, first), _person(60, seed=1))  # gone for 2 s
    split = split_subjects(pose)
    assert split.subject[:60].all() and not split.subject[60:].any()
    assert split.others[120:].all()
    assert split.warning() == (
        "another person from 4.0 s; results are for the person seen from 0.0 s"
    )
    kept = keep_subject(pose, split)
    assert kept.detected[:60].all() and not kept.detected[60:].any()


def test_track_jumping_to_a_person_elsewhere_and_back() -> None:
    # --single-person: the model hands over to a passer-by for 0.5 s, then finds the subject.
    pose = _concat(_person(60), _person(15, shift_x=0.4, seed=1), _person(60, seed=2))
    split = split_subjects(pose)
    assert split.subject[:60].all() and split.subject[75:].all()
    assert split.others[60:75].all()


def test_subject_swapped_in_place_for_a_differently_proportioned_body() -> None:
    # Same spot, no gap: only the body's proportions (30 % longer segments) tell them apart.
    pose = _concat(_person(60), _person(60, body=1.3, seed=1))
    split = split_subjects(pose)
    assert split.subject[:60].all()
    assert split.others[60:].all()


def test_a_short_spurious_detection_before_the_subject_is_nobody() -> None:
    first = _person(10, shift_x=0.3)
    pose = _concat(first, _nobody(45, first), _person(90, seed=1))
    split = split_subjects(pose)
    assert (split.person[:10] == -1).all()
    assert split.subject[55:].all()
    assert split.warning() is None


@pytest.mark.parametrize("field", ["max_gap_s", "max_jump", "min_subject_s", "confirm_s"])
def test_config_rejects_non_positive_thresholds(field: str) -> None:
    with pytest.raises(ValueError, match="positive"):
        IdentityConfig(**{field: 0.0})
