"""The home plan: what a therapist gives a client to do and check between visits.

A plan file (``*.romcam-plan.json``, UTF-8, no video) is one JSON object::

    {"format": "romcam-home-plan", "version": 1, "plan": {...}, "sha256": "<64 hex>"}

``sha256`` is the SHA-256 of the ``plan`` object's canonical JSON (:func:`canonical_json`:
sorted keys, no whitespace, UTF-8). It detects a damaged file or a casual edit; it is not a
signature, so it does not stop a determined forger (docs/home.md). The ``plan`` object is
:meth:`HomePlan.to_dict`; every field is checked on reading, and a bad one is reported as an
:class:`~romcam.errors.InputError` sentence naming it.

Pure: the standard library, ``romcam.core.assessments``, ``romcam.text`` and
``romcam.output_paths`` (an OSError as one sentence) only.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from romcam.core.assessments import TESTS_BY_ID, Side
from romcam.errors import InputError
from romcam.output_paths import os_error_sentence
from romcam.text import check_plain_text

FORMAT = "romcam-home-plan"
FORMAT_VERSION = 1
#: Every plan file's name ends with this.
PLAN_SUFFIX = ".romcam-plan.json"
#: A plan file is small; a bigger one is not a plan (read no further).
MAX_PLAN_BYTES = 1_000_000
MAX_ITEMS = 50
MAX_TEXT = 120
MAX_INSTRUCTION = 500
MAX_TIMES_PER_DAY = 10
MAX_TRIALS = 5
CHANGED_MESSAGE = (
    "the plan file was changed after it was exported; ask your therapist for a new one"
)
SIDES: tuple[Side, ...] = ("left", "right")
ItemKind = Literal["test", "exercise"]


@dataclass(frozen=True, kw_only=True)
class PlanClient:
    """Who the plan is for: the client's id in the therapist's store and display name."""

    store_id: int
    name: str


@dataclass(frozen=True, kw_only=True)
class PlanItem:
    """One thing to do at home.

    Attributes:
        kind: ``test`` (a test of :data:`romcam.core.assessments.TESTS` the client measures
            with the camera) or ``exercise`` (a stretch or exercise: free text, not measured).
        test_id: the test's id for a ``test``; None for an ``exercise``.
        name: the exercise's name (free text); for a test, empty (its label comes from the test).
        sides: for a sided test, the sides to measure (``left``/``right``, at least one); empty
            for a test with no side. For an exercise: the sides to do, possibly none.
        often: how often, as the therapist wrote it ("daily", "3× a week").
        times_per_day: how many times on such a day (1-10).
        trials: for a test, how many trials to capture at each check (1-5; unused for an
            exercise).
        target: the range to aim for, in the test's unit (degrees for every range-of-motion
            test), the test's own sign; None for no target (always None for an exercise).
        instruction: a short instruction for the client ("" for none).
    """

    kind: ItemKind
    test_id: str | None = None
    name: str = ""
    sides: tuple[Side, ...] = ()
    often: str = "daily"
    times_per_day: int = 1
    trials: int = 1
    target: float | None = None
    instruction: str = ""

    @property
    def label(self) -> str:
        """What the item is called: the test's label, or the exercise's name."""
        if self.test_id is not None:
            return TESTS_BY_ID[self.test_id].label
        return self.name


@dataclass(frozen=True, kw_only=True)
class ClinicValue:
    """The clinic's last stored value of a test and side (for the client's progress chart).

    ``value`` in ``unit``; ``measured_at`` UTC.
    """

    test_id: str
    side: Side | None
    value: float
    unit: str
    measured_at: datetime


@dataclass(frozen=True, kw_only=True)
class HomePlan:
    """A home plan. ``plan_id`` is a UUID4 string; ``created_at`` is UTC (aware)."""

    plan_id: str
    created_at: datetime
    client: PlanClient
    therapist: str | None
    items: tuple[PlanItem, ...]
    clinic_last: tuple[ClinicValue, ...] = ()
    version: int = FORMAT_VERSION

    @property
    def tests(self) -> tuple[PlanItem, ...]:
        """The items the client measures, in plan order."""
        return tuple(i for i in self.items if i.kind == "test")

    @property
    def checks(self) -> tuple[tuple[PlanItem, Side | None], ...]:
        """Each test and side to measure at a home check, in plan order (side None for a test
        with no side)."""
        return tuple((i, side) for i in self.tests for side in (i.sides or (None,)))

    @property
    def exercises(self) -> tuple[PlanItem, ...]:
        return tuple(i for i in self.items if i.kind == "exercise")

    def clinic_value(self, test_id: str, side: Side | None) -> ClinicValue | None:
        """The clinic's last value of this test and side, or None."""
        for v in self.clinic_last:
            if v.test_id == test_id and v.side == side:
                return v
        return None

    def to_dict(self) -> dict[str, Any]:
        """The ``plan`` object of the file (JSON types only)."""
        return {
            "plan_id": self.plan_id,
            "created_at": _iso(self.created_at),
            "client": {"store_id": self.client.store_id, "name": self.client.name},
            "therapist": self.therapist,
            "items": [_item_dict(i) for i in self.items],
            "clinic_last": [_clinic_dict(v) for v in self.clinic_last],
        }

    def to_json(self) -> str:
        """The plan file's text: format, version, the plan and its checksum (indented)."""
        plan = self.to_dict()
        document = {
            "format": FORMAT,
            "version": self.version,
            "plan": plan,
            "sha256": plan_checksum(plan),
        }
        return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> HomePlan:
        """Read a plan file's text; InputError (one sentence) when it is not a plan, was
        changed after export, or a field is not valid."""
        return plan_from_json(text)


def new_plan(
    *,
    client: PlanClient,
    items: tuple[PlanItem, ...] | list[PlanItem],
    therapist: str | None = None,
    clinic_last: tuple[ClinicValue, ...] | list[ClinicValue] = (),
    created_at: datetime | None = None,
) -> HomePlan:
    """A new plan (fresh UUID4, created now unless given), every field checked."""
    plan = HomePlan(
        plan_id=str(uuid.uuid4()),
        created_at=(created_at or datetime.now(UTC)).astimezone(UTC),
        client=client,
        therapist=therapist,
        items=tuple(items),
        clinic_last=tuple(clinic_last),
    )
    return _plan_from_dict(plan.to_dict())  # the same checks as reading a file


def read_plan(path: Path) -> HomePlan:
    """Read the plan file at ``path``; InputError naming the path when it cannot be read,
    and the sentences of :func:`plan_from_json` when it is not a valid plan."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        raise InputError(os_error_sentence(exc)) from None
    return plan_from_json(data)


def canonical_json(value: object) -> bytes:
    """Canonical JSON of ``value``: sorted keys, no whitespace, UTF-8 (what is checksummed)."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def plan_checksum(plan: dict[str, Any]) -> str:
    """SHA-256 (hex) of the ``plan`` object's canonical JSON."""
    return hashlib.sha256(canonical_json(plan)).hexdigest()


def plan_from_json(text: str | bytes) -> HomePlan:
    """See :meth:`HomePlan.from_json`."""
    if len(text) > MAX_PLAN_BYTES:
        raise InputError("this file is too large to be a romcam plan; choose the plan file")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise InputError(
            "this file is not a romcam plan (it is not JSON); choose the .romcam-plan.json file"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InputError("this file is not a romcam plan; choose the .romcam-plan.json file")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError("the plan file's version is not valid; ask your therapist for a new one")
    if version > FORMAT_VERSION:
        raise InputError(
            f"the plan file was made by a newer romcam (version {version}); update romcam"
        )
    plan = document.get("plan")
    if not isinstance(plan, dict) or document.get("sha256") != _checksum_or_none(plan):
        raise InputError(CHANGED_MESSAGE)
    return _plan_from_dict(plan)


def _checksum_or_none(plan: dict[str, Any]) -> str | None:
    try:
        return plan_checksum(plan)
    except ValueError:  # NaN or infinity: never written by romcam
        return None


# -- reading and checking the ``plan`` object --------------------------------------------------


def _plan_from_dict(d: dict[str, Any]) -> HomePlan:
    _keys("the plan", d, {"plan_id", "created_at", "client", "therapist", "items", "clinic_last"})
    client = _obj("client", d["client"])
    _keys("client", client, {"store_id", "name"})
    items = _list("items", d["items"], MAX_ITEMS)
    if not items:
        raise InputError("the plan has no items; add at least one test or exercise")
    return HomePlan(
        plan_id=_uuid("plan_id", d["plan_id"]),
        created_at=_time("created_at", d["created_at"]),
        client=PlanClient(
            store_id=_int("client.store_id", client["store_id"], 1, 2**63 - 1),
            name=_text("client.name", client["name"], MAX_TEXT),
        ),
        therapist=None if d["therapist"] is None else _text("therapist", d["therapist"], MAX_TEXT),
        items=tuple(_item(f"items[{n}]", x) for n, x in enumerate(items, start=1)),
        clinic_last=tuple(
            _clinic(f"clinic_last[{n}]", x)
            for n, x in enumerate(_list("clinic_last", d["clinic_last"], 200), start=1)
        ),
    )


def _item(where: str, raw: object) -> PlanItem:
    d = _obj(where, raw)
    _keys(where, d, {f.name for f in _ITEM_FIELDS})
    kind = d["kind"]
    if kind not in ("test", "exercise"):
        raise InputError(f"{where}.kind must be 'test' or 'exercise'; got {kind!r}")
    sides = tuple(_list(f"{where}.sides", d["sides"], 2))
    if any(s not in SIDES for s in sides) or len(set(sides)) != len(sides):
        raise InputError(f"{where}.sides must be 'left' and/or 'right', once each; got {sides!r}")
    item = PlanItem(
        kind=kind,
        test_id=d["test_id"],
        name=_text(f"{where}.name", d["name"], MAX_TEXT, empty=kind == "test"),
        sides=sides,
        often=_text(f"{where}.often", d["often"], MAX_TEXT),
        times_per_day=_int(f"{where}.times_per_day", d["times_per_day"], 1, MAX_TIMES_PER_DAY),
        trials=_int(f"{where}.trials", d["trials"], 1, MAX_TRIALS),
        target=None if d["target"] is None else _number(f"{where}.target", d["target"]),
        instruction=_text(f"{where}.instruction", d["instruction"], MAX_INSTRUCTION, empty=True),
    )
    _check_kind(where, item)
    return item


def _check_kind(where: str, item: PlanItem) -> None:
    if item.kind == "exercise":
        if item.test_id is not None or item.target is not None:
            raise InputError(f"{where}: an exercise has no test_id and no target; remove them")
        return
    test = TESTS_BY_ID.get(item.test_id) if isinstance(item.test_id, str) else None
    if test is None:
        raise InputError(
            f"{where}.test_id {item.test_id!r} is not a test romcam measures; known tests: "
            f"{', '.join(TESTS_BY_ID)}"
        )
    if item.name:
        raise InputError(f"{where}.name must be empty for a test (its label is the test's)")
    if test.sided and not item.sides:
        raise InputError(f"{where}: {test.label} needs a side: 'left', 'right' or both")
    if not test.sided and item.sides:
        raise InputError(f"{where}: {test.label} has no side; remove {', '.join(item.sides)}")


def _clinic(where: str, raw: object) -> ClinicValue:
    d = _obj(where, raw)
    _keys(where, d, {"test_id", "side", "value", "unit", "measured_at"})
    if d["test_id"] not in TESTS_BY_ID:
        raise InputError(f"{where}.test_id {d['test_id']!r} is not a test romcam measures")
    if d["side"] is not None and d["side"] not in SIDES:
        raise InputError(f"{where}.side must be 'left', 'right' or null; got {d['side']!r}")
    return ClinicValue(
        test_id=d["test_id"],
        side=d["side"],
        value=_number(f"{where}.value", d["value"]),
        unit=_text(f"{where}.unit", d["unit"], 16),
        measured_at=_time(f"{where}.measured_at", d["measured_at"]),
    )


_ITEM_FIELDS = PlanItem.__dataclass_fields__.values()


def _item_dict(i: PlanItem) -> dict[str, Any]:
    return {
        "kind": i.kind,
        "test_id": i.test_id,
        "name": i.name,
        "sides": list(i.sides),
        "often": i.often,
        "times_per_day": i.times_per_day,
        "trials": i.trials,
        "target": i.target,
        "instruction": i.instruction,
    }


def _clinic_dict(v: ClinicValue) -> dict[str, Any]:
    return {
        "test_id": v.test_id,
        "side": v.side,
        "value": v.value,
        "unit": v.unit,
        "measured_at": _iso(v.measured_at),
    }


def _iso(t: datetime) -> str:
    """UTC, to the second, ``Z``: naive times are taken as UTC (the store's convention)."""
    aware = t if t.tzinfo is not None else t.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _keys(where: str, d: dict[str, Any], expected: set[str]) -> None:
    missing = sorted(expected - d.keys())
    if missing:
        raise InputError(f"{where} has no {missing[0]!r}; ask your therapist for a new plan file")
    extra = sorted(d.keys() - expected)
    if extra:
        raise InputError(f"{where} has an unknown field {extra[0]!r}; remove it")


def _obj(where: str, value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InputError(f"{where} must be a JSON object; got {type(value).__name__}")
    return value


def _list(where: str, value: object, max_length: int) -> list[Any]:
    if not isinstance(value, list) or len(value) > max_length:
        raise InputError(f"{where} must be a list of at most {max_length} entries")
    return value


def _text(where: str, value: object, max_length: int, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InputError(f"{where} must be {'' if empty else 'non-empty '}text; got {value!r}")
    if len(value) > max_length or "\n" in value or "\r" in value:
        raise InputError(f"{where} must be one line of at most {max_length} characters")
    check_plain_text(where, value)
    return value.strip()


def _int(where: str, value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InputError(f"{where} must be a whole number from {low} to {high}; got {value!r}")
    return value


def _number(where: str, value: object) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or not math.isfinite(float(value)) or abs(float(value)) > 1000:  # type: ignore[arg-type]
        raise InputError(f"{where} must be a number of degrees (or cm); got {value!r}")
    return float(value)  # type: ignore[arg-type]


def _uuid(where: str, value: object) -> str:
    try:
        parsed = uuid.UUID(str(value)) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != value:
        raise InputError(f"{where} must be a UUID like 'xxxxxxxx-xxxx-...'; got {value!r}")
    return value


def _time(where: str, value: object) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InputError(f"{where} must be a UTC time like 2026-12-03T08:00:00Z; got {value!r}")
    return parsed.astimezone(UTC)


__all__ = [
    "CHANGED_MESSAGE",
    "FORMAT",
    "FORMAT_VERSION",
    "PLAN_SUFFIX",
    "ClinicValue",
    "HomePlan",
    "PlanClient",
    "PlanItem",
    "canonical_json",
    "new_plan",
    "plan_checksum",
    "plan_from_json",
    "read_plan",
]
