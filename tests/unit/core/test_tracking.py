"""SubjectTracker on synthetic people with known paths (normalised image coordinates)."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.landmarks import LANDMARK_INDEX, N_LANDMARKS
from romcam.core.tracking import (
    SubjectTracker,
    TrackerConfig,
    count_people,
    distinct_people,
    torso_centre_and_scale,
)


def person(cx: float, cy: float, torso: float = 0.2, visibility: float = 0.9) -> np.ndarray:
    """(33, 4) landmarks of an upright person: torso centre (cx, cy), torso length ``torso``."""
    lm = np.zeros((N_LANDMARKS, 4))
    lm[:, 0], lm[:, 1], lm[:, 3] = cx, cy - torso, visibility  # everything else at the head
    half_width = torso / 3
    for side, dx in (("left", half_width), ("right", -half_width)):
        lm[LANDMARK_INDEX[f"{side}_shoulder"], :2] = (cx + dx, cy - torso / 2)
        lm[LANDMARK_INDEX[f"{side}_hip"], :2] = (cx + dx, cy + torso / 2)
    return lm


def test_torso_centre_and_scale_of_a_known_person() -> None:
    centre, scale = torso_centre_and_scale(person(0.3, 0.6, torso=0.25), aspect_ratio=2.0)
    np.testing.assert_allclose(centre, [0.6, 0.6], atol=1e-12)
    assert scale == pytest.approx(0.25)


def test_single_person_is_always_the_subject() -> None:
    tracker = SubjectTracker()
    rng = np.random.default_rng(0)
    for k in range(50):
        jitter = rng.normal(0, 0.003, 2)
        assert tracker.select([person(0.5 + jitter[0], 0.5 + jitter[1] + 0.002 * k)]) == 0


def test_start_picks_the_largest_most_central_person() -> None:
    tracker = SubjectTracker()
    small_edge = person(0.1, 0.5, torso=0.1)
    big_centre = person(0.5, 0.5, torso=0.25)
    assert tracker.select([small_edge, big_centre]) == 1


def test_empty_frames_before_anyone_appears() -> None:
    tracker = SubjectTracker()
    assert tracker.select([]) is None
    assert not tracker.has_subject
    assert tracker.select([person(0.5, 0.5)]) == 0
    assert tracker.has_subject


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_identity_swap_when_two_people_cross(seed: int) -> None:
    """A walks right, B walks left at the same height and size; their paths cross mid-frame.

    Detection order is shuffled every frame and, while they overlap, the model sees only one;
    then the subject may be reported missing (ambiguous), but never as the other person.
    """
    rng = np.random.default_rng(seed)
    tracker = SubjectTracker()
    n = 80
    xs_a = np.linspace(0.45, 0.85, n)  # A starts nearer the middle, so A is the subject
    xs_b = np.linspace(0.95, 0.15, n)
    overlap_frames = 0
    for k in range(n):
        noise = rng.normal(0, 0.002, 4)
        a = person(xs_a[k] + noise[0], 0.5 + noise[1], torso=0.2)
        b = person(xs_b[k] + noise[2], 0.5 + noise[3], torso=0.2)
        overlapping = abs(xs_a[k] - xs_b[k]) < 0.08
        overlap_frames += overlapping
        people = [a] if overlapping else [a, b]
        order = rng.permutation(len(people))
        chosen = tracker.select([people[i] for i in order])
        if chosen is None:
            assert overlapping, f"subject lost at frame {k} although clearly visible"
        else:
            assert int(order[chosen]) == 0, f"identity swap at frame {k}"
    assert overlap_frames >= 2


def test_max_jump_gate_refuses_a_far_person_while_subject_briefly_lost() -> None:
    tracker = SubjectTracker(TrackerConfig(max_lost_frames=10))
    for _ in range(5):
        assert tracker.select([person(0.3, 0.5)]) == 0
    # The subject vanishes; someone else appears far away: not the subject.
    for _ in range(5):
        assert tracker.select([person(0.8, 0.5)]) is None
    # The subject comes back near where it was lost.
    assert tracker.select([person(0.8, 0.5), person(0.31, 0.5)]) == 1


def test_reacquires_a_new_person_after_a_long_loss_but_never_a_known_other() -> None:
    config = TrackerConfig(max_lost_frames=5, min_hits=3)
    tracker = SubjectTracker(config)
    subject, other = person(0.5, 0.4, torso=0.25), person(0.15, 0.6, torso=0.15)
    for _ in range(10):
        assert tracker.select([subject, other]) == 0
    # The subject leaves; the other person stays: still never the subject.
    for _ in range(20):
        assert tracker.select([other]) is None
    assert not tracker.has_subject
    # A newcomer appears (far from where the subject was): accepted after min_hits frames.
    newcomer = person(0.8, 0.5, torso=0.2)
    picks = [tracker.select([other, newcomer]) for _ in range(5)]
    assert picks == [None, None, 1, 1, 1]


def test_duplicate_detection_of_the_subject_is_one_person() -> None:
    tracker = SubjectTracker()
    assert tracker.select([person(0.5, 0.5)]) == 0
    # The model reports the subject twice, slightly shifted; the copy starts no new person.
    twin = person(0.51, 0.5, visibility=0.4)
    for _ in range(3):
        assert tracker.select([twin, person(0.5, 0.5)]) == 1
    for _ in range(20):
        assert tracker.select([person(0.5, 0.5)]) == 0


def test_reset_forgets_the_subject() -> None:
    tracker = SubjectTracker()
    tracker.select([person(0.5, 0.5)])
    tracker.reset()
    assert not tracker.has_subject
    assert tracker.select([person(0.1, 0.5, torso=0.1), person(0.6, 0.5)]) == 1


@pytest.mark.parametrize(
    ("candidates", "match"),
    [
        ([np.zeros((32, 4))], r"candidate 0 must be \(33, >=2\); got \(32, 4\)"),
        ([person(0.5, 0.5), np.zeros(33)], r"candidate 1 must be \(33, >=2\); got \(33,\)"),
        ([np.full((33, 4), np.nan)], r"candidate 0 has non-finite shoulder or hip"),
    ],
)
def test_bad_candidates_are_rejected(candidates: list[np.ndarray], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SubjectTracker().select(candidates)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_jump": 0}, r"max_jump must be > 0"),
        ({"min_hits": 0}, r"min_hits >= 1"),
        ({"max_lost_frames": -1}, r"max_lost_frames must be >= 0"),
        ({"velocity_smoothing": 0}, r"velocity_smoothing must be in \(0, 1\]"),
    ],
)
def test_bad_config_is_rejected(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TrackerConfig(**kwargs)  # type: ignore[arg-type]


def test_bad_aspect_ratio_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"aspect_ratio must be > 0"):
        SubjectTracker(aspect_ratio=0)


def test_duplicate_detections_of_a_known_other_never_become_the_subject() -> None:
    """Seen on real footage: once the subject is gone, the model reports the other person twice."""
    tracker = SubjectTracker(TrackerConfig(max_lost_frames=5, min_hits=3))
    for _ in range(10):
        assert tracker.select([person(0.5, 0.3, torso=0.2), person(0.2, 0.7, torso=0.15)]) == 0
    for k in range(30):
        other = person(0.2 - 0.002 * k, 0.7, torso=0.15)
        twin = person(0.21 - 0.002 * k, 0.69, torso=0.14, visibility=0.5)
        assert tracker.select([twin, other] if k % 2 else [other]) is None


def test_distinct_people_drops_a_double_detection_and_keeps_two_people() -> None:
    client = person(0.3, 0.5, torso=0.25, visibility=0.95)
    echo = person(0.32, 0.51, torso=0.24, visibility=0.6)  # the same person reported twice
    therapist = person(0.75, 0.5, torso=0.25, visibility=0.8)
    assert distinct_people([echo, client, therapist], aspect_ratio=16 / 9) == [1, 2]
    no_torso = person(0.1, 0.5)
    no_torso[LANDMARK_INDEX["left_hip"], :2] = np.nan
    assert distinct_people([no_torso, client]) == [1]
    assert distinct_people([]) == []


def test_count_people_counts_a_double_detection_once() -> None:
    client = person(0.3, 0.5, torso=0.25, visibility=0.95)
    echo = person(0.32, 0.51, torso=0.24, visibility=0.6)  # the same person reported twice
    therapist = person(0.75, 0.5, torso=0.25, visibility=0.8)
    assert count_people([client, echo], aspect_ratio=16 / 9) == 1
    assert count_people([client, echo, therapist], aspect_ratio=16 / 9) == 2
    assert count_people([]) == 0
