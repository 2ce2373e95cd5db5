"""``romcam import FILE [--client NAME_OR_ID]``: a client's home results file into their record.

The file is checked first (a file changed after its export, another clinic's or another
client's is refused with one sentence) and then imported all or nothing; a trial imported
before is counted, not added again (``romcam.home.clinic_import``). With a clinic's shared
PostgreSQL, ``--db`` (or ``ROMCAM_DATABASE_URL``) names it as for every store command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from romcam.cli.common import db_option, open_store


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``import`` command."""
    cmd = subparsers.add_parser(
        "import",
        parents=[db_option()],
        help="import a client's home results file into their record",
        description="Import the results file a client exported from their home check into "
        "their record, as home measurements (one session per home day). A file changed "
        "after its export, made from another clinic's plan or answering another client's "
        "plan is refused; importing a file again adds nothing.",
    )
    cmd.add_argument("file", type=Path, metavar="FILE", help="the client's results file (.zip)")
    cmd.add_argument(
        "--client",
        default=None,
        metavar="NAME_OR_ID",
        help="the client to import for (default: the client of the plan the file answers); "
        "refused when the file answers another client's plan",
    )
    cmd.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    from romcam.home.clinic_import import import_results

    with open_store(args) as store:
        report = import_results(store, args.file, client=args.client)
    print(f"{report.client.name}: {report.sentence()}")
    return 0
