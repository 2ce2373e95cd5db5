"""Store commands: ``client``, ``session``, ``measure``, ``measurement``, ``compare``,
``progress``, ``export`` and ``report``. Each takes ``--db URL`` (default: the
``ROMCAM_DATABASE_URL`` environment variable, else SQLite in the data directory)."""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from romcam.core.assessments import TESTS_BY_ID, assessment_test
from romcam.errors import InputError
from romcam.outcomes.mdc import MdcTable, load_mdc_table, parse_override
from romcam.paths import atomic_write_text, safe_filename
from romcam.store import MeasurementInput, MeasurementRecord, RecordingInput, Store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the store commands."""
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help="database URL, e.g. postgresql+psycopg://user@host/romcam "
        "(default: $ROMCAM_DATABASE_URL, else romcam.db in the data directory)",
    )
    mdc = argparse.ArgumentParser(add_help=False)
    mdc.add_argument("--mdc", type=Path, metavar="FILE", help="TOML/JSON file of MDC95 values")
    mdc.add_argument(
        "--mdc-value",
        action="append",
        default=[],
        metavar="TEST=DEG",
        help="override one test's MDC95 (repeatable), e.g. knee_flexion=6",
    )
    _register_client(subparsers, db)
    _register_session(subparsers, db)
    _register_measure(subparsers, db)
    _register_measurement(subparsers, db)
    _register_comparisons(subparsers, db, mdc)


def _register_client(subparsers: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    client = subparsers.add_parser("client", help="add or list clients")
    sub = client.add_subparsers(dest="client_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", parents=[db], help="add a client (a name or a pseudonym)")
    add.add_argument("name", help="display name or pseudonym, unique in the store")
    add.add_argument("--dob", type=_date, default=None, metavar="YYYY-MM-DD", help="birth date")
    add.add_argument("--notes", default="", help="free notes")
    add.set_defaults(func=run_client_add)
    lst = sub.add_parser("list", parents=[db], help="list clients")
    lst.set_defaults(func=run_client_list)


def _register_session(subparsers: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    session = subparsers.add_parser("session", help="start or list assessment sessions")
    sub = session.add_subparsers(dest="session_command", required=True, metavar="ACTION")
    start = sub.add_parser("start", parents=[db], help="start a session (a visit) for CLIENT")
    start.add_argument("client", help="client name or id")
    start.add_argument("--therapist", default=None, help="who assesses")
    start.add_argument("--notes", default="", help="free notes")
    start.set_defaults(func=run_session_start)
    lst = sub.add_parser("list", parents=[db], help="list a client's sessions")
    lst.add_argument("client", help="client name or id")
    lst.set_defaults(func=run_session_list)


def _register_measure(subparsers: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    p = subparsers.add_parser(
        "measure",
        parents=[db],
        help="analyze a video of one test and store the result in a session",
        description="Run the pose model on VIDEO, take the held end range of --test/--side and "
        "store it in SESSION with copies of the video, landmark and angle files.",
    )
    p.add_argument("session", type=int, help="session id (see `romcam session list CLIENT`)")
    p.add_argument("video", type=Path, help="video of the test")
    p.add_argument("--test", required=True, choices=sorted(TESTS_BY_ID), help="test id")
    p.add_argument("--side", choices=("left", "right"), default=None, help="side tested")
    p.add_argument("--phase", default="before", help="before, after or another short label")
    p.add_argument("--calibration", default=None, metavar="NAME", help="calibration profile")
    p.add_argument("--model", type=Path, default=None, help="pose model .task file")
    p.add_argument(
        "--keep-rejected",
        action="store_true",
        help="store the result even when its quality check failed",
    )
    p.set_defaults(func=run_measure)


def _register_measurement(
    subparsers: argparse._SubParsersAction, db: argparse.ArgumentParser
) -> None:
    p = subparsers.add_parser("measurement", help="list, relabel or delete stored measurements")
    sub = p.add_subparsers(dest="measurement_command", required=True, metavar="ACTION")
    lst = sub.add_parser("list", parents=[db], help="list a session's measurements")
    lst.add_argument("session", type=int)
    lst.set_defaults(func=run_measurement_list)
    rel = sub.add_parser("relabel", parents=[db], help="change a measurement's phase")
    rel.add_argument("id", type=int)
    rel.add_argument("phase")
    rel.set_defaults(func=run_measurement_relabel)
    dele = sub.add_parser("delete", parents=[db], help="delete a measurement and its files")
    dele.add_argument("id", type=int)
    dele.set_defaults(func=run_measurement_delete)


def _register_comparisons(
    subparsers: argparse._SubParsersAction,
    db: argparse.ArgumentParser,
    mdc: argparse.ArgumentParser,
) -> None:
    how = argparse.ArgumentParser(add_help=False)
    how.add_argument(
        "--how",
        choices=("last", "mean", "best"),
        default="last",
        help="several attempts of one test in one phase: keep the last (default), mean or best",
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


# -- helpers ---------------------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD; got {text!r}") from None


def _open(args: argparse.Namespace) -> Store:
    return Store.open(args.db)


def _mdc_table(args: argparse.Namespace) -> MdcTable:
    overrides = dict(parse_override(text) for text in args.mdc_value)
    return load_mdc_table(args.mdc, overrides)


def _fmt(x: Any, digits: int = 1, suffix: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if isinstance(x, float | int):
        return f"{x:.{digits}f}{suffix}"
    return str(x)


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _test_label(test: str, side: Any) -> str:
    label = TESTS_BY_ID[test].label if test in TESTS_BY_ID else test
    return f"{label} ({side})" if side in ("left", "right") else label


# -- clients and sessions --------------------------------------------------------------------


def run_client_add(args: argparse.Namespace) -> int:
    with _open(args) as store:
        client = store.add_client(args.name, date_of_birth=args.dob, notes=args.notes)
    print(f"Added client {client.id}: {client.name}")
    return 0


def run_client_list(args: argparse.Namespace) -> int:
    with _open(args) as store:
        clients = store.list_clients()
        sessions = {c.id: len(store.list_sessions(c.id)) for c in clients}
    if not clients:
        print("No clients yet; add one with `romcam client add NAME`.")
        return 0
    rows = [
        [
            str(c.id),
            c.name,
            _fmt(c.date_of_birth),
            str(sessions[c.id]),
            c.created_at.date().isoformat(),
        ]
        for c in clients
    ]
    _print_table(["id", "name", "born", "sessions", "added"], rows)
    return 0


def run_session_start(args: argparse.Namespace) -> int:
    with _open(args) as store:
        session = store.start_session(args.client, therapist=args.therapist, notes=args.notes)
    print(f"Started session {session.id} for {session.client_name}")
    return 0


def run_session_list(args: argparse.Namespace) -> int:
    with _open(args) as store:
        sessions = store.list_sessions(args.client)
        counts = {s.id: len(store.list_measurements(s.id)) for s in sessions}
    rows = [
        [str(s.id), s.started_at.strftime("%Y-%m-%d %H:%M"), s.therapist or "-", str(counts[s.id])]
        for s in sessions
    ]
    if not rows:
        print("No sessions yet; start one with `romcam session start CLIENT`.")
        return 0
    _print_table(["id", "started (UTC)", "therapist", "measurements"], rows)
    return 0


# -- measurements ----------------------------------------------------------------------------


def run_measure(args: argparse.Namespace) -> int:
    from romcam.analysis import analyze_video
    from romcam.core.summary import summary_for_test

    test = assessment_test(args.test)
    try:
        test.metric_id(args.side)
    except ValueError as exc:
        raise InputError(f"{exc}; --side is for tests done on each side separately") from None
    with _open(args) as store:
        store.get_session(args.session)  # fail before the slow analysis
        with tempfile.TemporaryDirectory(prefix="romcam-measure-") as tmp:
            result = analyze_video(
                args.video,
                Path(tmp) / "out",
                model_path=args.model,
                calibration=args.calibration,
                write_annotated=False,
            )
            for warning in result.warnings:
                print(f"romcam: warning: {warning}", file=sys.stderr)
            entry = summary_for_test(result.table, test, args.side)
            measurement = _measurement_input(args, entry)
            recording = RecordingInput(
                video=args.video,
                landmarks=result.landmarks_csv,
                angles=result.angles_csv,
                duration_s=float(result.video.duration_s),
            )
            record = store.add_measurement(args.session, measurement, recording)
    _print_measure(record)
    return 0


def _measurement_input(args: argparse.Namespace, entry: dict[str, Any]) -> MeasurementInput:
    """The stored result from a ``summary_for_test`` entry; InputError when unusable."""
    test = assessment_test(args.test)
    quality, reason = str(entry.get("quality", "")), str(entry.get("reason") or "")
    value = entry.get("value_from_start") if test.needs_neutral else entry.get("value")
    if value is None or quality == "no_data":
        raise InputError(
            f"{args.video}: {test.label} could not be measured"
            + (f" ({reason})" if reason else "")
            + "; check the set-up: "
            + test.setup
        )
    if quality != "ok" and not args.keep_rejected:
        raise InputError(
            f"{args.video}: the {test.label} result failed its quality check ({reason}); "
            "film it again, or pass --keep-rejected to store it anyway"
        )
    return MeasurementInput(
        test=test.id,
        side=args.side,
        phase=args.phase,
        value=float(value),
        unit=entry.get("unit"),
        held_max=entry.get("max"),
        held_min=entry.get("min"),
        start=entry.get("start"),
        excursion=entry.get("excursion"),
        view=entry.get("view"),
        quality=quality or "unknown",
        quality_reason=reason,
        source="video",
        calibration_profile=args.calibration,
        neutral=entry.get("start") if test.needs_neutral else None,
    )


def _print_measure(m: MeasurementRecord) -> None:
    print(
        f"Stored measurement {m.id} in session {m.session_id}: {_test_label(m.test, m.side)}, "
        f"{m.phase}: {m.value:.1f} {m.unit} (quality {m.quality})"
    )
    if m.quality_reason:
        print(f"romcam: warning: {m.quality_reason}")


def run_measurement_list(args: argparse.Namespace) -> int:
    with _open(args) as store:
        items = store.list_measurements(args.session)
    rows = [
        [
            str(m.id),
            m.phase,
            _test_label(m.test, m.side),
            _fmt(m.value),
            m.unit,
            m.quality,
            m.measured_at.strftime("%H:%M:%S"),
        ]
        for m in items
    ]
    if not rows:
        print("No measurements in this session yet; add one with `romcam measure`.")
        return 0
    _print_table(["id", "phase", "test", "value", "unit", "quality", "time (UTC)"], rows)
    return 0


def run_measurement_relabel(args: argparse.Namespace) -> int:
    with _open(args) as store:
        m = store.relabel_measurement(args.id, args.phase)
    print(f"Measurement {m.id} is now '{m.phase}'")
    return 0


def run_measurement_delete(args: argparse.Namespace) -> int:
    with _open(args) as store:
        store.delete_measurement(args.id)
    print(f"Deleted measurement {args.id} and its files")
    return 0


# -- comparisons -----------------------------------------------------------------------------


def run_compare(args: argparse.Namespace) -> int:
    from romcam.outcomes.compare import asymmetry, before_after

    table = _mdc_table(args)
    with _open(args) as store:
        session = store.get_session(args.session)
        frame = store.measurements_frame(session_id=session.id)
    ba = before_after(frame, table, before=args.before, after=args.after, how=args.how)
    print(f"Session {session.id}, {session.client_name}, {session.started_at:%Y-%m-%d %H:%M} UTC")
    if ba.empty:
        print(f"No measurement labelled '{args.before}' or '{args.after}' in this session.")
        return 0
    rows = [
        [
            _test_label(r.test, r.side),
            _fmt(r.before),
            _fmt(r.after),
            _fmt(r.change, 1, " " + r.unit),
            _fmt(r.change_pct, 0, "%"),
            _fmt(r.after_pct_normal, 0, "%"),
            _fmt(r.mdc95, 0),
            r.verdict,
        ]
        for r in _rows(ba)
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
    _print_table(headers, rows)
    _print_asymmetry(asymmetry(frame, how=args.how))
    _print_estimates(ba)
    return 0


def _print_asymmetry(asym: pd.DataFrame) -> None:
    if asym.empty:
        return
    print("\nLeft and right (difference in range reached; + = left reaches further)")
    rows = [
        [
            _test_label(r.test, None),
            str(r.phase),
            _fmt(r.left),
            _fmt(r.right),
            _fmt(r.difference, 1, " " + r.unit),
            _fmt(r.asymmetry_pct, 0, "%"),
        ]
        for r in _rows(asym)
    ]
    _print_table(["test", "phase", "left", "right", "difference", "asymmetry"], rows)


def _print_estimates(frame: pd.DataFrame) -> None:
    if "mdc_estimate" in frame and frame["mdc_estimate"].any():
        print(
            "\nMDC95 values are lower bounds from goniometer studies; some are estimates "
            "(see docs/comparisons.md). Set your own with --mdc FILE or --mdc-value TEST=DEG."
        )


def run_progress(args: argparse.Namespace) -> int:
    from romcam.outcomes.compare import progress

    table = _mdc_table(args)
    phase = None if args.phase == "any" else args.phase
    with _open(args) as store:
        client = store.get_client(args.client)
        frame = store.measurements_frame(client=client.id)
    prog = progress(frame, table, phase=phase, how=args.how)
    print(f"Progress of {client.name} ({'any phase' if phase is None else phase} values)")
    if prog.empty:
        print("No measurements to compare yet.")
        return 0
    rows = [
        [
            _test_label(r.test, r.side),
            str(r.visits),
            _fmt(r.first),
            _fmt(r.latest),
            _fmt(r.best),
            _fmt(r.change, 1, " " + r.unit),
            _fmt(r.slope_per_30d, 1),
            r.verdict,
        ]
        for r in _rows(prog)
    ]
    _print_table(
        ["test", "visits", "first", "latest", "best", "change", "per 30 days", "verdict"], rows
    )
    _print_estimates(prog)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from romcam.outcomes.compare import before_after, progress

    table = _mdc_table(args)
    with _open(args) as store:
        client = store.get_client(args.client)
        frame = store.measurements_frame(client=client.id)
    stem = safe_filename(client.name, default="client")
    outputs = {
        f"{stem}-measurements.csv": frame,
        f"{stem}-before-after.csv": before_after(frame, table, how=args.how),
        f"{stem}-progress.csv": progress(frame, table, how=args.how),
    }
    args.csv.mkdir(parents=True, exist_ok=True)
    for name, df in outputs.items():
        atomic_write_text(args.csv / name, df.to_csv(index=False, float_format="%.2f"))
    print(f"Wrote {', '.join(outputs)} to {args.csv}")
    return 0


def run_report(args: argparse.Namespace) -> int:
    from romcam.outcomes.report import progress_report, session_report

    if (args.session is None) == (args.client is None):
        raise InputError("give either a SESSION id or --client CLIENT (not both)")
    table = _mdc_table(args)
    with _open(args) as store:
        if args.session is not None:
            session = store.get_session(args.session)
            html = session_report(
                store.measurements_frame(session_id=session.id), table, how=args.how
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
            )
    atomic_write_text(args.output, html)
    print(f"Report written to {args.output}")
    return 0


def _rows(frame: pd.DataFrame) -> list[Any]:
    """Rows as named tuples (typed Any: columns are known by name, not to the type checker)."""
    return list(frame.itertuples(index=False))
