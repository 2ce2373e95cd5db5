"""``romcam retest``: the clinic's own measurement error from test-retest pairs.

``retest summary`` prints per test the pairs, ICC(2,1) and ICC(3,1) with their 95 % intervals,
the SEM and the MDC95; ``retest adopt -o FILE.toml`` writes those MDC95 values as an MDC file.
The protocol and the formulas: docs/reliability.md.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.cli.common import db_option, fmt, open_store, print_table
from romcam.core.assessments import test_label
from romcam.output_paths import check_writable_file

if TYPE_CHECKING:  # pandas, SQLAlchemy: imported when a command runs, not for --help
    from romcam.outcomes.retest import TestRetest

HOW_TO_RECORD = (
    "measure a test in phase 'test' (romcam measure --phase test), re-set-up the camera and "
    "the client, and measure it again in phase 'retest' in the same session"
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``retest`` command and its ``summary`` and ``adopt`` actions."""
    db = db_option()
    client = argparse.ArgumentParser(add_help=False)
    client.add_argument("--client", default=None, help="only this client's pairs (name or id)")
    retest = subparsers.add_parser(
        "retest", help="the clinic's own measurement error (ICC, SEM, MDC95) from retests"
    )
    sub = retest.add_subparsers(dest="retest_command", required=True, metavar="ACTION")
    summary = sub.add_parser(
        "summary", parents=[db, client], help="ICC, SEM and MDC95 per test from the pairs"
    )
    summary.set_defaults(func=run_summary)
    adopt = sub.add_parser(
        "adopt", parents=[db, client], help="write the MDC95 values as a clinic MDC file"
    )
    adopt.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE.toml", help="file to write"
    )
    adopt.set_defaults(func=run_adopt)


def _summary(args: argparse.Namespace) -> tuple[str, list[TestRetest]]:
    from romcam.outcomes.retest import retest_summary

    with open_store(args) as store:
        if args.client is None:
            return "all clients", retest_summary(store.measurements_frame())
        client = store.get_client(args.client)
        return client.name, retest_summary(store.measurements_frame(client=client.id))


def run_summary(args: argparse.Namespace) -> int:
    who, rows = _summary(args)
    print(f"Test-retest reliability ({who}; pairs: phase 'test' then 'retest' in one session)")
    if not rows:
        print(f"No test-retest pairs yet: {HOW_TO_RECORD}.")
        return 0
    print_table(
        ["test", "pairs", "clients", "ICC(2,1) [95% CI]", "ICC(3,1) [95% CI]", "SEM", "MDC95"],
        [_row(r) for r in rows],
    )
    notes = [note for r in rows for note in _notes(r)]
    if notes:
        print("\nNotes:")
        for note in notes:
            print(f"  {note}")
    return 0


def _row(r: TestRetest) -> list[str]:
    label = test_label(r.test, None)
    if r.result is None:
        return [label, str(r.pairs), str(r.clients), "-", "-", "-", "-"]
    res, unit = r.result, _unit(r.unit)
    return [
        label,
        str(r.pairs),
        str(r.clients),
        _interval(res.icc_agreement.value, res.icc_agreement.lower, res.icc_agreement.upper),
        _interval(res.icc_consistency.value, res.icc_consistency.lower, res.icc_consistency.upper),
        fmt(res.sem, 1, unit),
        fmt(res.mdc95, 1, unit),
    ]


def _notes(r: TestRetest) -> list[str]:
    label = test_label(r.test, None)
    if r.result is None:
        return [f"{label}: {r.problem}"]
    notes = [f"{label}: {r.warning}"] if r.warning else []
    if r.result.systematic:
        shift = f"{r.result.mean_change:+.1f}{_unit(r.unit)}"
        notes.append(
            f"{label}: the retest values differ from the test values by {shift} on average "
            "(paired t-test, p < 0.05), more than chance: a warm-up or learning effect; "
            "ICC(2,1) counts it as error, the SEM and MDC95 do not"
        )
    return notes


def run_adopt(args: argparse.Namespace) -> int:
    from romcam.outcomes.retest import clinic_mdc_toml
    from romcam.paths import atomic_write_text

    check_writable_file(args.output, option="-o")
    who, rows = _summary(args)
    text = clinic_mdc_toml(rows, datetime.now(UTC).date())
    atomic_write_text(args.output, text)
    adopted = [r for r in rows if r.result is not None and r.result.mdc95 >= 0.05]
    listed = ", ".join(
        f"{r.test} {r.result.mdc95:.1f}{_unit(r.unit)} ({r.pairs} pairs)"
        for r in adopted
        if r.result is not None
    )
    print(f"Wrote {args.output}: the MDC95 of {len(adopted)} tests from {who}: {listed}.")
    for note in (f"{test_label(r.test, None)}: {r.warning}" for r in adopted if r.warning):
        print(f"  Note: {note}")
    print(
        "To use it: pass --mdc FILE to compare, progress, export and report, or set "
        "ROMCAM_MDC_FILE=FILE; to make it the clinic's default for the CLI and the dashboard, "
        "save it as clinic-mdc.toml in the data directory (the dashboard's Retest page does "
        "this with its Adopt button)."
    )
    return 0


def _interval(value: float, lower: float, upper: float) -> str:
    return f"{fmt(value, 2)} [{fmt(lower, 2)}, {fmt(upper, 2)}]"


def _unit(unit: str) -> str:
    return "°" if unit == "deg" else f" {unit}"
