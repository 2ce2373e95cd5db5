"""``romcam plan create|show|list``: the home plan a therapist hands a client (docs/home.md).

An item is ``--item TEST[:SIDES[:OFTEN[:TARGET[:INSTRUCTION]]]]`` (a test the client measures)
or ``--exercise NAME[:SIDES[:OFTEN[:INSTRUCTION]]]`` (a stretch or exercise, not measured);
``--often``, ``--per-day``, ``--trials``, ``--target`` and ``--note`` given after an item change
that item. SIDES is ``left``, ``right``, ``both`` or empty (a sided test then takes both).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from romcam.cli.common import db_option, fmt, open_store, print_table
from romcam.errors import InputError

if TYPE_CHECKING:
    from romcam.home.plan import HomePlan, PlanItem

_ITEM_FIELDS = ("often", "times_per_day", "trials", "target", "instruction")


class _NewItem(argparse.Action):
    """``--item``/``--exercise``: start a new item (kind from ``const``)."""

    def __call__(self, parser: Any, ns: argparse.Namespace, value: Any, opt: Any = None) -> None:
        items = list(getattr(ns, "items", None) or [])
        items.append({"kind": self.const, "spec": value, "option": self.option_strings[0]})
        ns.items = items


class _ItemField(argparse.Action):
    """``--often`` and the like: set a field of the item given last."""

    def __call__(self, parser: Any, ns: argparse.Namespace, value: Any, opt: Any = None) -> None:
        items = getattr(ns, "items", None)
        if not items:
            parser.error(f"{self.option_strings[0]} must follow an --item or --exercise")
        else:
            items[-1][self.dest] = value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plan`` command."""
    db = db_option()
    plan = subparsers.add_parser("plan", help="create, show or list clients' home plans")
    sub = plan.add_subparsers(dest="plan_command", required=True, metavar="ACTION")
    create = sub.add_parser(
        "create",
        parents=[db],
        help="create a home plan for CLIENT and write its file",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    create.add_argument("client", help="client name or id")
    create.add_argument(
        "--item",
        action=_NewItem,
        const="test",
        metavar="TEST[:SIDES[:OFTEN[:TARGET[:NOTE]]]]",
        help="a test to check at home (repeatable), e.g. shoulder_flexion:right:daily:160",
    )
    create.add_argument(
        "--exercise",
        action=_NewItem,
        const="exercise",
        metavar="NAME[:SIDES[:OFTEN[:NOTE]]]",
        help="a stretch or exercise, not measured (repeatable), e.g. 'Doorway stretch::3x a week'",
    )
    create.add_argument("--often", action=_ItemField, help="how often, e.g. daily, '3x a week'")
    create.add_argument(
        "--per-day",
        dest="times_per_day",
        type=int,
        action=_ItemField,
        metavar="N",
        help="times on such a day (1-10)",
    )
    create.add_argument(
        "--trials",
        type=int,
        action=_ItemField,
        metavar="N",
        help="trials per check of a test (1-5)",
    )
    create.add_argument(
        "--target",
        type=float,
        action=_ItemField,
        metavar="DEG",
        help="target range of a test, degrees",
    )
    create.add_argument(
        "--note",
        dest="instruction",
        action=_ItemField,
        metavar="TEXT",
        help="a short instruction for the client",
    )
    create.add_argument("--therapist", default=None, help="who made the plan")
    create.add_argument(
        "-o",
        "--out",
        required=True,
        metavar="FILE",
        help="the plan file to write, or a folder to write <client>-plan-<date>"
        ".romcam-plan.json in",
    )
    create.set_defaults(func=run_create, items=[])
    show = sub.add_parser("show", help="show a plan file (and check it was not changed)")
    show.add_argument("file", type=Path, help="a .romcam-plan.json file")
    show.set_defaults(func=run_show)
    lst = sub.add_parser("list", parents=[db], help="list the plans made for CLIENT")
    lst.add_argument("client", help="client name or id")
    lst.set_defaults(func=run_list)


def parse_items(raw: Sequence[dict[str, Any]]) -> list[PlanItem]:
    """The items given on the command line; InputError naming the option and value."""
    if not raw:
        raise InputError("a plan needs at least one --item TEST or --exercise NAME; add one")
    return [_item(r) for r in raw]


def _item(raw: dict[str, Any]) -> PlanItem:
    from romcam.core.assessments import TESTS_BY_ID
    from romcam.home.plan import PlanItem

    spec: str = raw["spec"]
    is_test = raw["kind"] == "test"
    parts = spec.split(":", 4 if is_test else 3)
    parts += [""] * (5 - len(parts))
    name, side_text, often = parts[0].strip(), parts[1].strip().lower(), parts[2].strip()
    target_text, note = (parts[3], parts[4]) if is_test else ("", parts[3])
    fields: dict[str, Any] = {"often": often or "daily", "instruction": note.strip()}
    if target_text.strip():
        fields["target"] = _float(raw["option"], target_text)
    fields.update({k: raw[k] for k in _ITEM_FIELDS if k in raw})
    if not is_test:
        return PlanItem(kind="exercise", name=name, sides=_sides(spec, side_text), **fields)
    test = TESTS_BY_ID.get(name)
    if test is None:
        raise InputError(
            f"--item {spec!r}: unknown test {name!r}; known tests: {', '.join(TESTS_BY_ID)}"
        )
    if side_text and not test.sided:
        raise InputError(f"--item {spec!r}: {test.label} has no side; leave the side out")
    sides = _sides(spec, side_text or ("both" if test.sided else ""))
    return PlanItem(kind="test", test_id=name, sides=sides, **fields)


def _sides(spec: str, text: str) -> tuple[Any, ...]:
    choices: dict[str, tuple[str, ...]] = {
        "": (),
        "left": ("left",),
        "right": ("right",),
        "both": ("left", "right"),
    }
    if text not in choices:
        raise InputError(f"{spec!r}: the side must be left, right or both; got {text!r}")
    return choices[text]


def _float(option: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise InputError(
            f"{option}: the target must be a number of degrees; got {text!r}"
        ) from None


def run_create(args: argparse.Namespace) -> int:
    from romcam.home.clinic import create_plan, plan_file_name
    from romcam.output_paths import check_writable_dir, check_writable_file
    from romcam.paths import atomic_write_text

    items = parse_items(args.items)
    out = Path(args.out)
    # "plans/" names a folder even before it exists.
    into_folder = out.is_dir() or args.out.endswith(("/", os.sep))
    if into_folder:
        check_writable_dir(out, option="--out")
    else:
        check_writable_file(out, option="--out")
    with open_store(args) as store:
        plan = create_plan(store, args.client, items, therapist=args.therapist)
    path = out / plan_file_name(plan) if into_folder else out
    atomic_write_text(path, plan.to_json())
    print(f"Wrote the home plan for {plan.client.name} ({len(plan.items)} items) to {path}")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from romcam.home.plan import read_plan

    plan = read_plan(args.file)
    print(f"Home plan for {plan.client.name} (client {plan.client.store_id} of the clinic)")
    by = f" by {plan.therapist}" if plan.therapist else ""
    print(f"Made {plan.created_at:%Y-%m-%d %H:%M} UTC{by}; plan {plan.plan_id}")
    print_table(
        ["item", "sides", "how often", "trials", "target", "clinic's last", "instruction"],
        [_row(plan, i) for i in plan.items],
    )
    return 0


def _row(plan: HomePlan, item: PlanItem) -> list[str]:
    often = item.often if item.times_per_day == 1 else f"{item.often}, {item.times_per_day}x"
    last = []
    for side in item.sides or (None,):
        value = plan.clinic_value(item.test_id, side) if item.test_id else None
        if value is not None:
            last.append(f"{fmt(value.value)} {value.unit} ({value.measured_at:%Y-%m-%d})")
    label = item.label if item.kind == "test" else f"{item.label} (exercise)"
    sides = "/".join(item.sides) or "-"
    trials = str(item.trials) if item.kind == "test" else "-"
    return [
        label,
        sides,
        often,
        trials,
        fmt(item.target),
        "; ".join(last) or "-",
        item.instruction or "-",
    ]


def run_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        plans = store.list_plans(args.client)
        name = store.get_client(args.client).name
    if not plans:
        print(f"No plans for {name} yet; make one with `romcam plan create`.")
        return 0
    rows = [
        [
            p.created_at.strftime("%Y-%m-%d %H:%M"),
            p.plan.plan_id,
            str(len(p.plan.tests)),
            str(len(p.plan.exercises)),
            ", ".join(dict.fromkeys(i.label for i in p.plan.tests)) or "-",
        ]
        for p in plans
    ]
    print_table(["created (UTC)", "plan", "tests", "exercises", "what is checked"], rows)
    return 0
