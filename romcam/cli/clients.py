"""Client and session commands: ``client add|list`` and ``session start|list``. Each takes
``--db URL`` (default: the ``ROMCAM_DATABASE_URL`` environment variable, else SQLite in the
data directory)."""

from __future__ import annotations

import argparse
from datetime import date

from romcam.cli.common import db_option, fmt, open_store, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``client`` and ``session`` commands."""
    db = db_option()
    client = subparsers.add_parser("client", help="add or list clients")
    sub = client.add_subparsers(dest="client_command", required=True, metavar="ACTION")
    add = sub.add_parser("add", parents=[db], help="add a client (a name or a pseudonym)")
    add.add_argument("name", help="display name or pseudonym, unique in the store")
    add.add_argument("--dob", type=_date, default=None, metavar="YYYY-MM-DD", help="birth date")
    add.add_argument("--notes", default="", help="free notes")
    add.set_defaults(func=run_client_add)
    lst = sub.add_parser("list", parents=[db], help="list clients")
    lst.set_defaults(func=run_client_list)

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


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD; got {text!r}") from None


def run_client_add(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        client = store.add_client(args.name, date_of_birth=args.dob, notes=args.notes)
    print(f"Added client {client.id}: {client.name}")
    return 0


def run_client_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        clients = store.list_clients()
        sessions = {c.id: len(store.list_sessions(c.id)) for c in clients}
    if not clients:
        print("No clients yet; add one with `romcam client add NAME`.")
        return 0
    rows = [
        [
            str(c.id),
            c.name,
            fmt(c.date_of_birth),
            str(sessions[c.id]),
            c.created_at.date().isoformat(),
        ]
        for c in clients
    ]
    print_table(["id", "name", "born", "sessions", "added"], rows)
    return 0


def run_session_start(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        session = store.start_session(args.client, therapist=args.therapist, notes=args.notes)
    print(f"Started session {session.id} for {session.client_name}")
    return 0


def run_session_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        sessions = store.list_sessions(args.client)
        counts = {s.id: len(store.list_measurements(s.id)) for s in sessions}
    rows = [
        [str(s.id), s.started_at.strftime("%Y-%m-%d %H:%M"), s.therapist or "-", str(counts[s.id])]
        for s in sessions
    ]
    if not rows:
        print("No sessions yet; start one with `romcam session start CLIENT`.")
        return 0
    print_table(["id", "started (UTC)", "therapist", "measurements"], rows)
    return 0
