"""The catalogue of clinical tests a therapist runs: which metric, which view, how to set up.

A *test* (e.g. ``shoulder_flexion``, side ``right``) is what a therapist asks for; it reads one
metric column of the angle table (``shoulder_flexion_right``) and takes its held end range at
the maximum or the minimum of that column (extension is the minimum of the flexion column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from romcam.core.metric_specs import MetricSpec, metric_spec

Side = Literal["left", "right"]


@dataclass(frozen=True)
class AssessmentTest:
    """One clinical test.

    Attributes:
        id: test id stored with each measurement, e.g. ``shoulder_extension``.
        label: shown to people.
        metric: metric id with ``{side}`` standing for ``left``/``right`` when ``sided``.
        end_range: ``max`` or ``min``: which extreme of the metric is the result. For a sided
            test on a midline metric (neck lateral flexion, rotation: + toward the subject's
            left) it is the left side's extreme; the right side takes the other one.
        view: camera view the test needs (``side`` or ``front``).
        sided: True when the test is done for the left and the right side separately.
        needs_neutral: True when the metric is zeroed at the subject's neutral first.
        setup: how to place the camera and the subject.
        movement: what the subject does.
        regions: body parts that must be in frame.
    """

    id: str
    label: str
    metric: str
    end_range: Literal["max", "min"]
    view: Literal["side", "front"]
    sided: bool
    needs_neutral: bool
    setup: str
    movement: str
    regions: tuple[str, ...]

    def metric_id(self, side: Side | None) -> str:
        """Metric column for ``side``; ValueError when the side does not fit the test."""
        if self.sided and side not in ("left", "right"):
            raise ValueError(f"test {self.id!r} needs a side: 'left' or 'right'")
        if not self.sided and side is not None:
            raise ValueError(f"test {self.id!r} has no side; got {side!r}")
        return self.metric.format(side=side)

    def extreme(self, side: Side | None) -> Literal["max", "min"]:
        """Which extreme of the metric column is this test's result for ``side``."""
        if self.sided and "{side}" not in self.metric and side == "right":
            return "min" if self.end_range == "max" else "max"
        return self.end_range

    def spec(self, side: Side | None) -> MetricSpec:
        return metric_spec(self.metric_id(side))


_SIDE_CAM = "Camera at hip height, 2-3 m away, level, the {side} side of the body facing it."
_FRONT_CAM = "Camera at chest height, 2-3 m away, level, facing the subject square on."

TESTS: tuple[AssessmentTest, ...] = (
    AssessmentTest(
        "shoulder_flexion",
        "Shoulder flexion",
        "shoulder_flexion_{side}",
        "max",
        "side",
        True,
        False,
        _SIDE_CAM,
        "Arm straight, thumb up; raise it forward and up as far as it goes; hold 1 s.",
        ("shoulder", "elbow", "wrist", "hip"),
    ),
    AssessmentTest(
        "shoulder_extension",
        "Shoulder extension",
        "shoulder_flexion_{side}",
        "min",
        "side",
        True,
        False,
        _SIDE_CAM,
        "Arm straight at the side; move it backwards as far as it goes; hold 1 s.",
        ("shoulder", "elbow", "wrist", "hip"),
    ),
    AssessmentTest(
        "shoulder_abduction",
        "Shoulder abduction",
        "shoulder_abduction_{side}",
        "max",
        "front",
        True,
        False,
        _FRONT_CAM,
        "Palm forward; raise the arm out to the side and up as far as it goes; hold 1 s.",
        ("shoulder", "elbow", "wrist", "hip"),
    ),
    AssessmentTest(
        "elbow_flexion",
        "Elbow flexion",
        "elbow_flexion_{side}",
        "max",
        "side",
        True,
        False,
        _SIDE_CAM,
        "Upper arm by the side; bend the elbow as far as it goes; hold 1 s.",
        ("shoulder", "elbow", "wrist"),
    ),
    AssessmentTest(
        "hip_flexion",
        "Hip flexion",
        "hip_flexion_{side}",
        "max",
        "side",
        True,
        False,
        _SIDE_CAM,
        "Standing, hold a support; raise the knee towards the chest; hold 1 s.",
        ("shoulder", "hip", "knee", "ankle"),
    ),
    AssessmentTest(
        "hip_abduction",
        "Hip abduction",
        "hip_abduction_{side}",
        "max",
        "front",
        True,
        False,
        _FRONT_CAM,
        "Standing, hold a support; move the straight leg out to the side; hold 1 s.",
        ("shoulder", "hip", "knee", "ankle"),
    ),
    AssessmentTest(
        "knee_flexion",
        "Knee flexion",
        "knee_flexion_{side}",
        "max",
        "side",
        True,
        False,
        _SIDE_CAM,
        "Standing, hold a support; bend the knee bringing the heel to the buttock; hold 1 s.",
        ("hip", "knee", "ankle"),
    ),
    AssessmentTest(
        "neck_flexion",
        "Neck flexion",
        "neck_flexion",
        "max",
        "side",
        False,
        True,
        "Seated, camera at head height, 1.5-2 m away, one side of the head facing it.",
        "Look straight ahead (neutral), then bring the chin to the chest; hold 1 s.",
        ("ear", "eye", "shoulder", "hip"),
    ),
    AssessmentTest(
        "neck_extension",
        "Neck extension",
        "neck_flexion",
        "min",
        "side",
        False,
        True,
        "Seated, camera at head height, 1.5-2 m away, one side of the head facing it.",
        "Look straight ahead (neutral), then look up as far as it goes; hold 1 s.",
        ("ear", "eye", "shoulder", "hip"),
    ),
    AssessmentTest(
        "neck_lateral_flexion",
        "Neck lateral flexion",
        "neck_lateral_flexion",
        "max",
        "front",
        True,
        True,
        "Seated, camera at head height, 1.5-2 m away, facing the subject.",
        "Look straight ahead (neutral), then tilt the ear towards the shoulder "
        "without turning; hold 1 s.",
        ("ear", "eye", "shoulder"),
    ),
    AssessmentTest(
        "neck_rotation",
        "Neck rotation",
        "neck_rotation",
        "max",
        "front",
        True,
        True,
        "Seated, camera at head height, 1.5-2 m away, facing the subject.",
        "Look straight ahead (neutral), then turn the head to look over the shoulder; hold 1 s.",
        ("ear", "eye", "nose", "shoulder"),
    ),
    AssessmentTest(
        "posture_side",
        "Standing posture, side view",
        "craniovertebral_angle",
        "min",
        "side",
        False,
        False,
        _SIDE_CAM.format(side="left or right"),
        "Stand relaxed, look straight ahead, arms by the sides; stay still 3 s.",
        ("ear", "shoulder", "hip", "knee", "ankle"),
    ),
    AssessmentTest(
        "posture_front",
        "Standing posture, front view",
        "shoulder_tilt",
        "max",
        "front",
        False,
        False,
        _FRONT_CAM,
        "Stand relaxed, feet hip-width apart, arms by the sides; stay still 3 s.",
        ("ear", "shoulder", "hip", "knee", "ankle"),
    ),
)
TESTS_BY_ID: dict[str, AssessmentTest] = {t.id: t for t in TESTS}

#: Extra metrics reported with a posture test (its ``metric`` is the headline one).
POSTURE_METRICS: dict[str, tuple[str, ...]] = {
    "posture_side": ("craniovertebral_angle", "forward_head_cm", "trunk_flexion"),
    "posture_front": ("shoulder_tilt", "head_tilt", "pelvic_tilt", "trunk_lateral_lean"),
}


def assessment_test(test_id: str) -> AssessmentTest:
    """The test called ``test_id``; ValueError naming the known tests when it is unknown."""
    try:
        return TESTS_BY_ID[test_id]
    except KeyError:
        raise ValueError(
            f"unknown test {test_id!r}; known tests: {', '.join(TESTS_BY_ID)}"
        ) from None
