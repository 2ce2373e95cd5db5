"""The plan file: round trip, the checksum's refusal of a changed byte, each bad field as one
sentence naming it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from romcam.errors import InputError
from romcam.home.plan import (
    CHANGED_MESSAGE,
    MAX_PLAN_BYTES,
    ClinicValue,
    HomePlan,
    PlanClient,
    PlanItem,
    canonical_json,
    new_plan,
    plan_checksum,
    read_plan,
)

T = datetime(2026, 12, 3, 8, 0, 0, tzinfo=UTC)


def a_plan() -> HomePlan:
    return new_plan(
        client=PlanClient(store_id=7, name="Åsa Ünal"),
        therapist="Kim",
        created_at=T,
        items=[
            PlanItem(
                kind="test",
                test_id="shoulder_flexion",
                sides=("left", "right"),
                often="3× a week",
                times_per_day=2,
                trials=3,
                target=160.0,
                instruction="Raise the arm slowly; stop where it hurts",
            ),
            PlanItem(kind="test", test_id="neck_rotation", sides=("right",)),
            PlanItem(kind="test", test_id="neck_flexion"),
            PlanItem(kind="exercise", name="Doorway stretch", sides=("left",), often="daily"),
        ],
        clinic_last=[
            ClinicValue(
                test_id="shoulder_flexion", side="left", value=142.5, unit="deg", measured_at=T
            ),
        ],
    )


def resealed(document: dict[str, Any]) -> str:
    """The document with its checksum made right again (as a careful editor would)."""
    document["sha256"] = plan_checksum(document["plan"])
    return json.dumps(document)


def test_round_trip_keeps_every_field() -> None:
    plan = a_plan()
    text = plan.to_json()
    again = HomePlan.from_json(text)
    assert again == plan
    assert again.to_json() == text
    assert HomePlan.from_json(text.encode("utf-8")) == plan
    assert [(i.test_id, s) for i, s in plan.checks] == [
        ("shoulder_flexion", "left"),
        ("shoulder_flexion", "right"),
        ("neck_rotation", "right"),
        ("neck_flexion", None),
    ]
    assert [i.label for i in plan.exercises] == ["Doorway stretch"]
    assert plan.clinic_value("shoulder_flexion", "left").value == 142.5  # type: ignore[union-attr]
    assert plan.clinic_value("shoulder_flexion", "right") is None
    document = json.loads(text)
    assert (document["format"], document["version"]) == ("romcam-home-plan", 1)
    assert document["sha256"] == plan_checksum(document["plan"])
    assert canonical_json({"b": 1, "a": [1.5]}) == b'{"a":[1.5],"b":1}'


def test_each_plan_has_its_own_id_and_time_in_utc() -> None:
    first, second = a_plan(), a_plan()
    assert first.plan_id != second.plan_id
    assert first.created_at == T and first.created_at.tzinfo is UTC


@pytest.mark.parametrize("old, new", [("160.0", "170.0"), ("Kim", "Kom"), ('"left"', '"righ"')])
def test_a_changed_byte_is_refused(old: str, new: str) -> None:
    text = a_plan().to_json()
    assert old in text
    with pytest.raises(InputError) as caught:
        HomePlan.from_json(text.replace(old, new, 1))
    assert str(caught.value) == CHANGED_MESSAGE


def test_whitespace_and_key_order_do_not_matter() -> None:
    plan = a_plan()
    document = json.loads(plan.to_json())
    assert HomePlan.from_json(json.dumps(document, sort_keys=False)) == plan


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x89PNG\r\n", "this file is not a romcam plan (it is not JSON)"),
        (b"[1, 2]", "this file is not a romcam plan; choose the .romcam-plan.json file"),
        (b'{"format": "romcam-home-results"}', "this file is not a romcam plan"),
        (b'{"format": "romcam-home-plan", "version": 2}', "made by a newer romcam (version 2)"),
        (b'{"format": "romcam-home-plan", "version": "1"}', "the plan file's version is not"),
        (b'{"format": "romcam-home-plan", "version": 1, "plan": []}', CHANGED_MESSAGE),
        (b" " * (MAX_PLAN_BYTES + 1), "too large to be a romcam plan"),
    ],
)
def test_foreign_files_are_refused(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        HomePlan.from_json(data)


def _set(path: str, value: object) -> str:
    document = json.loads(a_plan().to_json())
    target = document["plan"]
    *parents, last = path.split(".")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return resealed(document)


@pytest.mark.parametrize(
    "path, value, message",
    [
        ("plan_id", "1234", "plan_id must be a UUID"),
        ("created_at", "2026-12-03 08:00", "created_at must be a UTC time"),
        ("client.name", "", "client.name must be non-empty text"),
        ("client.name", "Ann\x1b[2J", "client.name contains the character U+001B"),
        ("client.store_id", 0, "client.store_id must be a whole number from 1"),
        ("therapist", 5, "therapist must be non-empty text; got 5"),
        ("items", [], "the plan has no items; add at least one test or exercise"),
        ("items.0.kind", "drill", "items[1].kind must be 'test' or 'exercise'; got 'drill'"),
        ("items.0.test_id", "gait_cadence", "items[1].test_id 'gait_cadence' is not a test"),
        ("items.0.sides", ["up"], "items[1].sides must be 'left' and/or 'right', once each"),
        ("items.0.sides", [], "items[1]: Shoulder flexion needs a side"),
        ("items.2.sides", ["left"], "items[3]: Neck flexion has no side; remove left"),
        ("items.0.often", " ", "items[1].often must be non-empty text"),
        ("items.0.times_per_day", 11, "items[1].times_per_day must be a whole number from 1 to 10"),
        ("items.0.trials", True, "items[1].trials must be a whole number from 1 to 5; got True"),
        ("items.0.target", "160", "items[1].target must be a number"),
        ("items.0.instruction", "x" * 501, "items[1].instruction must be one line of at most 500"),
        ("items.0.name", "Arm raise", "items[1].name must be empty for a test"),
        ("items.3.name", "", "items[4].name must be non-empty text; got ''"),
        ("items.3.target", 30.0, "items[4]: an exercise has no test_id and no target"),
        ("items.0.extra", 1, "items[1] has an unknown field 'extra'; remove it"),
        ("items.0.often", KeyError, "items[1] has no 'often'"),
        ("clinic_last.0.side", "middle", "clinic_last[1].side must be 'left', 'right' or null"),
        ("clinic_last.0.value", None, "clinic_last[1].value must be a number"),
    ],
)
def test_a_bad_field_is_one_sentence_naming_it(path: str, value: object, message: str) -> None:
    with pytest.raises(InputError) as caught:
        HomePlan.from_json(_set(path, value))
    text = str(caught.value)
    assert text.startswith(message), text
    assert "\n" not in text and text.count(";") <= 2


def test_nan_in_a_file_is_refused_as_changed() -> None:
    text = a_plan().to_json().replace("160.0", "NaN")
    with pytest.raises(InputError, match=CHANGED_MESSAGE):
        HomePlan.from_json(text)


def test_read_plan_names_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.romcam-plan.json"
    with pytest.raises(InputError, match=r"plan.romcam-plan.json: no such file or folder"):
        read_plan(path)
    path.write_text(a_plan().to_json(), encoding="utf-8")
    assert read_plan(path).client.name == "Åsa Ünal"
