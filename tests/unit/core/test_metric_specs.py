"""The metric catalogue: each spec names the landmarks its value is computed from, and the
measurement, the drawn arc and the tests' body regions all follow from it."""

from __future__ import annotations

import numpy as np
import pytest

from romcam.core.assessments import TESTS, assessment_test
from romcam.core.landmarks import LANDMARK_INDEX
from romcam.core.measure import compute_metrics
from romcam.core.metric_specs import METRICS, NEAR, JointArc, MetricSpec, body_part, metric_spec
from romcam.core.synthetic import synthetic_pose

#: Mid-range values, so that every metric is measurable in its view.
POSED = {
    "shoulder_flexion": 40.0,
    "shoulder_abduction": 40.0,
    "elbow_flexion": 60.0,
    "hip_flexion": 30.0,
    "hip_abduction": 20.0,
    "knee_flexion": 40.0,
}


def _view(spec: MetricSpec) -> str:
    if spec.view == "side":
        return f"side_{spec.side or 'left'}"
    return "front"


def _landmark(name: str, view: str) -> str:
    """``near_x`` is the side facing the camera."""
    return (
        f"{view.removeprefix('side_')}_{name.removeprefix(NEAR)}" if name.startswith(NEAR) else name
    )


def _cases() -> list[tuple[str, str]]:
    return [(m.id, name) for m in METRICS for name in m.landmarks]


@pytest.mark.parametrize(("metric_id", "landmark"), _cases())
def test_hiding_a_landmark_of_the_spec_blanks_the_metric(metric_id: str, landmark: str) -> None:
    spec = metric_spec(metric_id)
    view = _view(spec)
    base = metric_id.removesuffix(f"_{spec.side}")
    posed = {} if base == "forward_head_cm" else {metric_id: POSED.get(base, 0.0)}
    pose = synthetic_pose(posed, view=view, n_frames=5)
    hidden = LANDMARK_INDEX[_landmark(landmark, view)]
    pose.image[2, hidden, 3] = 0.0
    table = compute_metrics(pose, metrics=[metric_id], neutral={}, px_per_cm=10.0)
    values = np.asarray(table.values[metric_id])
    assert np.isfinite(values[[0, 1, 3, 4]]).all()
    if base == "shoulder_abduction" and landmark.endswith("_hip"):
        # Without a hip the trunk line falls back to the true vertical (a seated subject).
        assert np.isfinite(values[2]) and table.flags["vertical_reference"][2]
    else:
        assert np.isnan(values[2]) and table.flags["low_visibility"][2]


def test_arcs_are_drawn_from_landmarks_of_their_metric() -> None:
    with_arc = [m for m in METRICS if m.arc is not None]
    assert {m.id.rsplit("_", 1)[0] for m in with_arc} == set(POSED)
    for m in with_arc:
        assert m.arc is not None and set(m.arc.landmarks) <= set(m.landmarks)
    arc = metric_spec("knee_flexion_right").arc
    assert arc == JointArc("right_knee", "right_hip", "right_knee", "right_ankle")


def test_a_spec_refuses_unknown_landmarks_and_a_stray_arc() -> None:
    fields = dict(
        id="x",
        label="x",
        view="front",
        unit="deg",
        side=None,
        normal_range=None,
        source="",
        kind="rom",
    )
    with pytest.raises(ValueError, match="unknown landmarks"):
        MetricSpec(**fields, landmarks=("left_tail",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="arc's landmarks"):
        MetricSpec(
            **fields,  # type: ignore[arg-type]
            landmarks=("left_hip", "left_knee"),
            arc=JointArc("left_knee", "left_hip", "left_knee", "left_ankle"),
        )


def test_body_parts_drop_the_side() -> None:
    assert [body_part(n) for n in ("left_ear", "right_hip", "near_eye", "nose")] == [
        "ear",
        "hip",
        "eye",
        "nose",
    ]
    assert metric_spec("neck_rotation").body_parts == ("nose", "ear", "shoulder")


#: The body regions each test listed before they were derived from the metric specs.
REGIONS = {
    "shoulder_flexion": ("shoulder", "elbow", "wrist", "hip"),
    "shoulder_extension": ("shoulder", "elbow", "wrist", "hip"),
    "shoulder_abduction": ("shoulder", "elbow", "wrist", "hip"),
    "elbow_flexion": ("shoulder", "elbow", "wrist"),
    "hip_flexion": ("shoulder", "hip", "knee", "ankle"),
    "hip_abduction": ("shoulder", "hip", "knee", "ankle"),
    "knee_flexion": ("hip", "knee", "ankle"),
    "neck_flexion": ("ear", "eye", "shoulder", "hip"),
    "neck_extension": ("ear", "eye", "shoulder", "hip"),
    "neck_lateral_flexion": ("ear", "eye", "shoulder"),
    "neck_rotation": ("ear", "eye", "nose", "shoulder"),
    "posture_side": ("ear", "shoulder", "hip", "knee", "ankle"),
    "posture_front": ("ear", "shoulder", "hip", "knee", "ankle"),
}


@pytest.mark.parametrize("test_id", [t.id for t in TESTS])
def test_regions_are_the_metrics_body_parts_and_the_extras(test_id: str) -> None:
    test = assessment_test(test_id)
    assert test.regions == REGIONS[test_id]
    spec = metric_spec(test.metric.format(side="left"))
    assert set(spec.body_parts) <= set(test.regions)


def test_a_test_refuses_an_unknown_body_part() -> None:
    test = assessment_test("knee_flexion")
    fields = {k: getattr(test, k) for k in test.__dataclass_fields__}
    with pytest.raises(ValueError, match="unknown body parts"):
        type(test)(**{**fields, "also_in_frame": ("tail",)})
