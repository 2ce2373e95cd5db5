"""Home plans in the therapist's store (SQLite and PostgreSQL): saved, listed, found, refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from romcam.errors import InputError
from romcam.home.clinic import clinic_last_values, create_plan
from romcam.home.plan import PlanClient, PlanItem, new_plan
from romcam.store import MeasurementInput, Store

FLEXION = PlanItem(kind="test", test_id="shoulder_flexion", sides=("right",), target=160.0)
STRETCH = PlanItem(kind="exercise", name="Doorway stretch", often="3x a week")


def test_saved_plans_are_listed_per_client_and_found_by_id(store: Store) -> None:
    ann, bob = store.add_client("Ann"), store.add_client("Bob")
    first = store.save_plan(
        new_plan(client=PlanClient(store_id=ann.id, name="Ann"), items=[STRETCH])
    )
    second = create_plan(store, "ann", [FLEXION, STRETCH], therapist="Kim")
    create_plan(store, bob.id, [STRETCH])

    listed = store.list_plans("Ann")
    assert [p.plan.plan_id for p in listed] == [first.plan.plan_id, second.plan_id]
    assert listed[1].plan == second  # read back exactly as exported
    found = store.get_plan(second.plan_id.upper())  # any spelling of the UUID
    assert (found.client_id, found.client_name, found.plan.therapist) == (ann.id, "Ann", "Kim")
    assert store.find_plan("00000000-0000-4000-8000-000000000000") is None
    assert store.find_plan("not a uuid") is None
    with pytest.raises(InputError, match=r"no plan 'not a uuid' in this store"):
        store.get_plan("not a uuid")


def test_a_plan_for_an_unknown_client_or_twice_is_refused(store: Store) -> None:
    ann = store.add_client("Ann")
    stray = new_plan(client=PlanClient(store_id=ann.id + 99, name="Zed"), items=[STRETCH])
    with pytest.raises(InputError, match=r"no client \d+ in the store"):
        store.save_plan(stray)
    plan = new_plan(client=PlanClient(store_id=ann.id, name="Ann"), items=[STRETCH])
    store.save_plan(plan)
    with pytest.raises(InputError, match="already in the store"):
        store.save_plan(plan)
    assert len(store.list_plans(ann)) == 1


def test_clinic_last_values_are_the_latest_counted_clinic_trials(store: Store) -> None:
    store.add_client("Ann")
    old = store.start_session("Ann", started_at=datetime(2026, 11, 1, 9))
    new = store.start_session("Ann", started_at=datetime(2026, 11, 20, 9))

    def add(session: int, phase: str, value: float, **kw: object) -> None:
        store.add_measurement(
            session,
            MeasurementInput("shoulder_flexion", "right", phase, value, **kw),  # type: ignore[arg-type]
        )

    add(old.id, "after", 150.0)
    add(new.id, "before", 120.0)
    add(new.id, "after", 140.0)
    add(new.id, "after", 144.0)
    bad = store.add_measurement(
        new.id, MeasurementInput("shoulder_flexion", "right", "after", 99.0)
    )
    store.exclude_measurement(bad.id, "client coughed")
    add(new.id, "after", 10.0, quality="rejected")
    add(new.id, "home", 170.0, source="home")
    store.add_measurement(new.id, MeasurementInput("neck_flexion", None, "before", 40.0))

    values = clinic_last_values(store, "Ann")
    assert [(v.test_id, v.side, v.value, v.unit) for v in values] == [
        ("neck_flexion", None, 40.0, "deg"),
        ("shoulder_flexion", "right", 142.0, "deg"),
    ]
    assert all(v.measured_at.tzinfo is UTC for v in values)
    plan = create_plan(store, "Ann", [FLEXION])
    assert [v.test_id for v in plan.clinic_last] == ["shoulder_flexion"]
    assert plan.clinic_value("shoulder_flexion", "right").value == 142.0  # type: ignore[union-attr]
