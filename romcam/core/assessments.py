"""The catalogue of clinical tests a therapist runs: which metric, which view, how to set up.

A *test* (e.g. ``shoulder_flexion``, side ``right``) is what a therapist asks for; it reads one
metric column of the angle table (``shoulder_flexion_right``) and takes its held end range at
the maximum or the minimum of that column (extension is the minimum of the flexion column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from romcam.core.metric_specs import GAIT_METRICS, MetricSpec, metric_spec

Side = Literal["left", "right"]


#: The body parts a test names, head to foot (the order they are listed to people in).
BODY_PARTS = ("ear", "eye", "nose", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")


@dataclass(frozen=True, kw_only=True)
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
        also_in_frame: body parts (of :data:`BODY_PARTS`) that must be in the picture besides
            those its metrics are computed from (e.g. the wrist of a straight arm).
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
    also_in_frame: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = set(self.also_in_frame) - set(BODY_PARTS)
        if unknown:
            raise ValueError(f"{self.id}: unknown body parts {sorted(unknown)}")

    @property
    def regions(self) -> tuple[str, ...]:
        """Body parts that must be in the picture, head to foot: the landmarks of its metrics
        (from their specs, without the side) and ``also_in_frame``."""
        metrics = (self.metric.format(side="left"), *POSTURE_METRICS.get(self.id, ()))
        parts = {part for m in metrics for part in metric_spec(m).body_parts}
        return tuple(sorted(parts | set(self.also_in_frame), key=BODY_PARTS.index))

    def setup_for(self, side: Side | None) -> str:
        """How to place the camera for ``side`` (None: "the left or right side")."""
        return self.setup.format(side=side or "left or right")

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
_HEAD_SIDE_CAM = "Seated, camera at head height, 1.5-2 m away, one side of the head facing it."
_HEAD_FRONT_CAM = "Seated, camera at head height, 1.5-2 m away, facing the subject."
_ARM = ("wrist",)  # a straight arm: the whole of it in the picture
_LEG = ("ankle",)  # the whole leg
_FACE = ("eye",)  # the face, to see the head is not turned
_STANDING = ("knee", "ankle")  # the whole body

TESTS: tuple[AssessmentTest, ...] = (
    AssessmentTest(
        id="shoulder_flexion",
        label="Shoulder flexion",
        metric="shoulder_flexion_{side}",
        end_range="max",
        view="side",
        sided=True,
        needs_neutral=False,
        setup=_SIDE_CAM,
        movement="Arm straight, thumb up; raise it forward and up as far as it goes; "
        "hold still 0.5 s.",
        also_in_frame=_ARM,
    ),
    AssessmentTest(
        id="shoulder_extension",
        label="Shoulder extension",
        metric="shoulder_flexion_{side}",
        end_range="min",
        view="side",
        sided=True,
        needs_neutral=False,
        setup=_SIDE_CAM,
        movement="Arm straight at the side; move it backwards as far as it goes; hold still 0.5 s.",
        also_in_frame=_ARM,
    ),
    AssessmentTest(
        id="shoulder_abduction",
        label="Shoulder abduction",
        metric="shoulder_abduction_{side}",
        end_range="max",
        view="front",
        sided=True,
        needs_neutral=False,
        setup=_FRONT_CAM,
        movement="Palm forward; raise the arm out to the side and up as far as it goes; "
        "hold still 0.5 s.",
        also_in_frame=_ARM,
    ),
    AssessmentTest(
        id="elbow_flexion",
        label="Elbow flexion",
        metric="elbow_flexion_{side}",
        end_range="max",
        view="side",
        sided=True,
        needs_neutral=False,
        setup=_SIDE_CAM,
        movement="Upper arm by the side; bend the elbow as far as it goes; hold still 0.5 s.",
    ),
    AssessmentTest(
        id="hip_flexion",
        label="Hip flexion",
        metric="hip_flexion_{side}",
        end_range="max",
        view="side",
        sided=True,
        needs_neutral=False,
        setup=_SIDE_CAM,
        movement="Standing, hold a support; raise the knee towards the chest; hold still 0.5 s.",
        also_in_frame=_LEG,
    ),
    AssessmentTest(
        id="hip_abduction",
        label="Hip abduction",
        metric="hip_abduction_{side}",
        end_range="max",
        view="front",
        sided=True,
        needs_neutral=False,
        setup=_FRONT_CAM,
        movement="Standing, hold a support; move the straight leg out to the side; "
        "hold still 0.5 s.",
        also_in_frame=_LEG,
    ),
    AssessmentTest(
        id="knee_flexion",
        label="Knee flexion",
        metric="knee_flexion_{side}",
        end_range="max",
        view="side",
        sided=True,
        needs_neutral=False,
        setup=_SIDE_CAM,
        movement="Standing, hold a support; bend the knee bringing the heel to the buttock; "
        "hold still 0.5 s.",
    ),
    AssessmentTest(
        id="neck_flexion",
        label="Neck flexion",
        metric="neck_flexion",
        end_range="max",
        view="side",
        sided=False,
        needs_neutral=True,
        setup=_HEAD_SIDE_CAM,
        movement="Look straight ahead (neutral), then bring the chin to the chest; "
        "hold still 0.5 s.",
    ),
    AssessmentTest(
        id="neck_extension",
        label="Neck extension",
        metric="neck_flexion",
        end_range="min",
        view="side",
        sided=False,
        needs_neutral=True,
        setup=_HEAD_SIDE_CAM,
        movement="Look straight ahead (neutral), then look up as far as it goes; hold still 0.5 s.",
    ),
    AssessmentTest(
        id="neck_lateral_flexion",
        label="Neck lateral flexion",
        metric="neck_lateral_flexion",
        end_range="max",
        view="front",
        sided=True,
        needs_neutral=True,
        setup=_HEAD_FRONT_CAM,
        movement="Look straight ahead (neutral), then tilt the ear towards the shoulder "
        "without turning; hold still 0.5 s.",
        also_in_frame=_FACE,
    ),
    AssessmentTest(
        id="neck_rotation",
        label="Neck rotation",
        metric="neck_rotation",
        end_range="max",
        view="front",
        sided=True,
        needs_neutral=True,
        setup=_HEAD_FRONT_CAM,
        movement="Look straight ahead (neutral), then turn the head to look over the shoulder, "
        "shoulders kept square to the camera; hold still 0.5 s.",
        also_in_frame=_FACE,
    ),
    AssessmentTest(
        id="posture_side",
        label="Standing posture, side view",
        metric="craniovertebral_angle",
        end_range="min",
        view="side",
        sided=False,
        needs_neutral=False,
        setup=_SIDE_CAM.format(side="left or right"),
        movement="Stand relaxed, look straight ahead, arms by the sides; stay still 3 s.",
        also_in_frame=_STANDING,
    ),
    AssessmentTest(
        id="posture_front",
        label="Standing posture, front view",
        metric="shoulder_tilt",
        end_range="max",
        view="front",
        sided=False,
        needs_neutral=False,
        setup=_FRONT_CAM,
        movement="Stand relaxed, feet hip-width apart, arms by the sides; stay still 3 s.",
        also_in_frame=_STANDING,
    ),
)
TESTS_BY_ID: dict[str, AssessmentTest] = {t.id: t for t in TESTS}

_WALK_CAM = (
    "Camera at hip height, still and level, side-on to a walkway of about 4 m, the whole body "
    "and both feet in the picture."
)
#: The gait test (``romcam gait --session``): one walk stores each of its values per leg as a
#: measurement of one of these tests (docs/gait.md "In sessions"). They are measured from a walk,
#: not from the angle table, so they are not among :data:`TESTS` (what ``romcam measure`` and
#: the Assess page offer).
GAIT_TESTS: tuple[AssessmentTest, ...] = tuple(
    AssessmentTest(
        id=spec.id.removesuffix("_left"),
        label=f"Gait: {spec.label.removesuffix(' (left)').lower()}",
        metric=spec.id.replace("_left", "_{side}"),
        end_range="max",
        view="side",
        sided=True,
        needs_neutral=False,
        setup=_WALK_CAM,
        movement="Walk across the picture at a natural pace, facing forward, for at least 3 "
        "strides.",
        also_in_frame=_LEG,
    )
    for spec in GAIT_METRICS
    if spec.side == "left"
)
GAIT_TEST_IDS: tuple[str, ...] = tuple(t.id for t in GAIT_TESTS)
_ANY_TEST_BY_ID: dict[str, AssessmentTest] = {**TESTS_BY_ID, **{t.id: t for t in GAIT_TESTS}}

#: Extra metrics reported with a posture test (its ``metric`` is the headline one).
POSTURE_METRICS: dict[str, tuple[str, ...]] = {
    "posture_side": ("craniovertebral_angle", "forward_head_cm", "trunk_flexion"),
    "posture_front": ("shoulder_tilt", "head_tilt", "pelvic_tilt", "trunk_lateral_lean"),
}


def test_label(test_id: str, side: object = None) -> str:
    """``Shoulder flexion (left)``: the test's label and its side, if any, as people read it (an
    unknown id is shown as it is; a side other than ``left``/``right`` — None, NaN, "" — is
    left out)."""
    test = _ANY_TEST_BY_ID.get(test_id)
    label = test.label if test is not None else test_id
    return f"{label} ({side})" if side in ("left", "right") else label


def assessment_test(test_id: str) -> AssessmentTest:
    """The test called ``test_id``; ValueError naming the known tests when it is unknown."""
    try:
        return _ANY_TEST_BY_ID[test_id]
    except KeyError:
        raise ValueError(
            f"unknown test {test_id!r}; known tests: {', '.join(TESTS_BY_ID)}"
        ) from None
