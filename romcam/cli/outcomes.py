"""Outcome commands: ``compare`` (before vs after in a session), ``progress`` (visit over
visit), ``export`` (CSV files) and ``report`` (printable HTML). Each takes ``--db URL`` and the
MDC95 options ``--mdc FILE`` / ``--mdc-value TEST=DEG``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.cli.common import (
    db_option,
    fmt,
    frame_rows,
    mdc_options,
    mdc_table,
    open_store,
    print_table,
)
from romcam.core.assessments import test_label
from romcam.errors import InputError
from romcam.output_paths import check_writable_dir, check_writable_file, refuse_input_as_output
from romcam.paths import atomic_write_text

if TYPE_CHECKING:  # pandas, SQLAlchemy: imported when a command runs, not for --help
    import pandas as pd

    from romcam.store import Store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``compare``, ``progress``, ``export`` and ``report`` commands."""
    db, mdc = db_option(), mdc_options()
    how = argparse.ArgumentParser(add_help=False)
    how.add_argument(
        "--how",
        choices=("mean", "best"),
        default="mean",
        help="the trials of one test in one phase: their mean (default) or the best trial",
    )
    cmp_ = subparsers.add_parser(
        "compare", parents=[db, mdc, how], help="before vs after within a session"
    )
    cmp_.add_argument("session", type=int, help="session id")
    cmp_.add_argument("--before", default="before", help="phase label of the first measurement")
    cmp_.add_argument("--after", default="after", help="phase label of the second measurement")
    cmp_.set_defaults(func=run_compare)
    prog = subparsers.add_parser(
        "progress", parents=[db, mdc, how], help="visit-over-visit progress of a client"
    )
    prog.add_argument("client", help="client name or id")
    prog.add_argument(
        "--phase", default="before", help="which measurement of each visit counts ('any': all)"
    )
    prog.set_defaults(func=run_progress)
    exp = subparsers.add_parser("export", parents=[db, mdc, how], help="export a client's data")
    exp.add_argument("client", help="client name or id")
    exp.add_argument("--csv", type=Path, required=True, metavar="DIR", help="output folder")
    exp.set_defaults(func=run_export)
    rep = subparsers.add_parser(
        "report", parents=[db, mdc, how], help="printable HTML report of a session or a client"
    )
    rep.add_argument("session", type=int, nargs="?", default=None, help="session id")
    rep.add_argument("--client", default=None, help="progress report of this client instead")
    rep.add_argument("--phase", default="before", help="progress: phase that counts per visit")
    rep.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.html")
    rep.set_defaults(func=run_report)


def run_compare(args: argparse.Namespace) -> int:
    from romcam.outcomes.compare import asymmetry, before_after
    from romcam.outcomes.quality import NOT_COMPARABLE, mark
    from romcam.outcomes.values import collapse

    table = mdc_table(args)
    with open_store(args) as store:
        session = store.get_session(args.session)
        frame = store.measurements_frame(session_id=session.id)
    ba = before_after(frame, table, before=args.before, after=args.after, how=args.how)
    print(f"Session {session.id}, {session.client_name}, {session.started_at:%Y-%m-%d %H:%M} UTC")
    if ba.empty:
        print(f"No measurement labelled '{args.before}' or '{args.after}' in this session.")
        return 0
    rows = [
        [
            test_label(r.test, r.side),
            mark(fmt(r.before), r.before_quality, r.before_reason),
            mark(fmt(r.after), r.after_quality, r.after_reason),
            fmt(r.change, 1, " " + r.unit),
            fmt(r.change_pct, 0, "%"),
            fmt(r.after_pct_normal, 0, "%"),
            fmt(r.mdc95, 0),
            r.verdict,
        ]
        for r in frame_rows(ba)
    ]
    headers = [
        "test",
        args.before,
        args.after,
        "change",
        "change %",
        "% of normal",
        "MDC95",
        "verdict",
    ]
    print_table(headers, rows)
    if (ba["verdict"].str.startswith(NOT_COMPARABLE)).any():
        print(
            "\nA value marked rejected failed its quality check: it is shown with the reason "
            "but left out of % of normal, the change and the verdict."
        )
    _print_setup_notes(ba)
    _print_trials(collapse(frame, args.how, table), args.session)
    _print_pain(ba)
    _print_asymmetry(asymmetry(frame, how=args.how))
    _print_estimates(ba)
    return 0


def _print_setup_notes(compared: pd.DataFrame) -> None:
    """A sentence per test whose two compared values come from different camera set-ups."""
    from romcam.core.setup_geometry import setup_note_lines

    for line in setup_note_lines(compared["test"], compared["side"], compared["setup_note"]):
        print(f"\n{line}")


def _print_trials(collapsed: pd.DataFrame, session_id: int) -> None:
    """Each test's trials in each phase: ``165 ± 2°, 3 trials: 163°, 165°, 178° (outlier)``,
    and how to leave an outlier out."""
    from romcam.outcomes.trials import trial_values_text

    print("\nTrials (the value compared is their mean)")
    for r in frame_rows(collapsed):
        values = trial_values_text(
            r.trial_values, r.trial_counted, r.trial_outliers, r.trial_excluded, r.unit
        )
        print(f"  {test_label(r.test, r.side)}, {r.phase}: {r.label}: {values}")
    if (collapsed["outliers"] > 0).any():
        print(
            "An outlier sits far from the other trials: if it was a bad trial, leave it out "
            "with `romcam trial exclude ID --reason TEXT` (ids: `romcam measurement list "
            f"{session_id}`)."
        )


def _print_pain(ba: pd.DataFrame) -> None:
    """``Shoulder flexion (left): pain-free range 120° → 150°; pain 6/10 → 3/10`` for each
    test with pain recorded."""
    from romcam.outcomes.trials import pain_free_text, pain_score_text

    lines = []
    for r in frame_rows(ba):
        parts = [
            pain_free_text(r.before_first_pain, r.after_first_pain, r.unit),
            pain_score_text(r.before_pain_score, r.after_pain_score),
        ]
        if any(parts):
            lines.append(f"  {test_label(r.test, r.side)}: {'; '.join(p for p in parts if p)}")
    if lines:
        print("\nPain (where it began, and 0-10 at the end range; before → after)")
        print("\n".join(lines))


def _print_asymmetry(asym: pd.DataFrame) -> None:
    from romcam.outcomes.quality import mark

    if asym.empty:
        return
    print("\nLeft and right (difference in range reached; + = left reaches further)")
    rows = [
        [
            test_label(r.test, None),
            str(r.phase),
            mark(fmt(r.left), r.left_quality, r.left_reason),
            mark(fmt(r.right), r.right_quality, r.right_reason),
            fmt(r.difference, 1, " " + r.unit),
            fmt(r.asymmetry_pct, 0, "%"),
        ]
        for r in frame_rows(asym)
    ]
    print_table(["test", "phase", "left", "right", "difference", "asymmetry"], rows)


def _print_left_out(prog: pd.DataFrame) -> None:
    """The visits whose value failed its quality check, with why: they are not in the table's
    first, latest, best, change, trend or verdict."""
    left_out = prog[prog["left_out"] > 0]
    if left_out.empty:
        return
    print("\nLeft out of the numbers above (failed the quality check):")
    for r in frame_rows(left_out):
        print(f"  {test_label(r.test, r.side)}: {r.left_out_note}")


def _print_estimates(frame: pd.DataFrame) -> None:
    if "mdc_estimate" in frame and frame["mdc_estimate"].any():
        print(
            "\nMDC95 values are lower bounds from goniometer studies; some are estimates "
            "(see docs/comparisons.md). Set your own with --mdc FILE or --mdc-value TEST=DEG."
        )


def run_progress(args: argparse.Namespace) -> int:
    from romcam.outcomes.compare import progress, visit_series

    table = mdc_table(args)
    phase = None if args.phase == "any" else args.phase
    with open_store(args) as store:
        client = store.get_client(args.client)
        frame = store.measurements_frame(client=client.id)
    prog = progress(frame, table, phase=phase, how=args.how)
    series = visit_series(frame, table, phase=phase, how=args.how)
    print(f"Progress of {client.name} ({'any phase' if phase is None else phase} values)")
    if prog.empty:
        print("No measurements to compare yet.")
        return 0
    rows = [
        [
            test_label(r.test, r.side),
            str(r.visits),
            fmt(r.first),
            fmt(r.latest),
            fmt(r.best),
            fmt(r.change, 1, " " + r.unit),
            fmt(r.slope_per_30d, 1),
            r.verdict,
        ]
        for r in frame_rows(prog)
    ]
    print_table(
        ["test", "visits", "first", "latest", "best", "change", "per 30 days", "verdict"], rows
    )
    _print_setup_notes(prog)
    _print_visit_trials(prog, series)
    _print_left_out(prog)
    _print_estimates(prog)
    return 0


def _print_visit_trials(prog: pd.DataFrame, series: pd.DataFrame) -> None:
    """Per test: the first and latest visits' trials (``140 ± 3°, 3 trials → 152 ± 2°, 3
    trials``), the pain-free range and the pain score over the visits."""
    from romcam.outcomes.trials import pain_free_text, pain_score_text

    print("\nTrials of the first → latest visit, and pain")
    for r in frame_rows(prog):
        visits = series[(series["test"] == r.test) & (series["side"].fillna("") == (r.side or ""))]
        labels = [
            str(visits.loc[visits["started_at"] == at, "label"].iloc[-1])
            if (visits["started_at"] == at).any()
            else "-"
            for at in (r.first_at, r.latest_at)
        ]
        parts = [
            f"{labels[0]} → {labels[1]}",
            pain_free_text(r.pain_free_first, r.pain_free_latest, r.unit),
            pain_score_text(r.pain_score_first, r.pain_score_latest),
        ]
        print(f"  {test_label(r.test, r.side)}: {'; '.join(p for p in parts if p)}")


def run_export(args: argparse.Namespace) -> int:
    from romcam.outcomes.compare import before_after, progress
    from romcam.store.files import client_file_stem

    check_writable_dir(args.csv, option="--csv")
    table = mdc_table(args)
    with open_store(args) as store:
        client = store.get_client(args.client)
        frame = store.measurements_frame(client=client.id)
        inputs = _input_files(args, store)
    stem = client_file_stem(client.name, client.id)
    outputs = {
        f"{stem}-measurements.csv": frame,
        f"{stem}-before-after.csv": before_after(frame, table, how=args.how),
        f"{stem}-progress.csv": progress(frame, table, how=args.how),
    }
    refuse_input_as_output([args.csv / name for name in outputs], inputs, fix=_ELSEWHERE)
    args.csv.mkdir(parents=True, exist_ok=True)
    for name, df in outputs.items():
        atomic_write_text(args.csv / name, df.to_csv(index=False, float_format="%.2f"))
    print(f"Wrote {', '.join(outputs)} to {args.csv}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from romcam.outcomes.report import progress_report, session_report

    if (args.session is None) == (args.client is None):
        raise InputError("give either a SESSION id or --client CLIENT (not both)")
    check_writable_file(args.output, option="-o")
    table = mdc_table(args)
    with open_store(args) as store:
        refuse_input_as_output([args.output], _input_files(args, store), fix=_ELSEWHERE)
        if args.session is not None:
            session = store.get_session(args.session)
            html = session_report(
                store.measurements_frame(session_id=session.id),
                table,
                how=args.how,
                files_root=store.root,
            )
        else:
            client = store.get_client(args.client)
            phase = None if args.phase == "any" else args.phase
            html = progress_report(
                store.measurements_frame(client=client.id),
                table,
                phase=phase,
                how=args.how,
                client_name=client.name,
                files_root=store.root,
            )
    atomic_write_text(args.output, html)
    print(f"Report written to {args.output}")
    return 0


_ELSEWHERE = "write it somewhere else"


def _input_files(args: argparse.Namespace, store: Store) -> list[Path]:
    """The files a command reads that it must never overwrite: the SQLite database, --mdc."""
    from sqlalchemy.engine import make_url

    url = make_url(store.url)
    files = [Path(url.database)] if url.get_backend_name() == "sqlite" and url.database else []
    return files + ([args.mdc] if args.mdc is not None else [])
