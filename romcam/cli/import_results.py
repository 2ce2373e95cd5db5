"""``romcam import FILE [--client NAME_OR_ID]``: a client's home results file into their record.

The file is checked first (a file changed after its export, another clinic's or another
client's is refused with one sentence) and then imported all or nothing; a trial imported
before is counted, not added again (``romcam.home.clinic_import``). ``--db`` (or
``ROMCAM_DATABASE_URL``) names the clinic's store as for every store command.

``romcam import --home-dir DIR --db CLINIC_URL``: the same without a file, straight from a
home check's folder (``romcam home --data-dir DIR``) into the clinic's shared database: run
where the folder is (a clinic tablet, or the client's computer when the clinic's PostgreSQL
is reachable from it). The same checks, the same de-duplication.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.cli.common import db_option, open_store
from romcam.errors import InputError

if TYPE_CHECKING:
    from romcam.home.clinic_import import ImportReport
    from romcam.store import Store


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
    cmd.add_argument(
        "file", type=Path, nargs="?", metavar="FILE", help="the client's results file (.zip)"
    )
    cmd.add_argument(
        "--home-dir",
        type=Path,
        metavar="DIR",
        help="instead of a file: the folder of the client's home check (romcam home "
        "--data-dir), read directly",
    )
    cmd.add_argument(
        "--client",
        default=None,
        metavar="NAME_OR_ID",
        help="the client to import for (default: the client of the plan the file answers); "
        "refused when the file answers another client's plan",
    )
    cmd.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    if (args.file is None) == (args.home_dir is None):
        raise InputError("give the results FILE or --home-dir DIR (one of them)")
    from romcam.home.clinic_import import import_results

    with open_store(args) as store:
        if args.file is not None:
            report = import_results(store, args.file, client=args.client)
        else:
            report = _import_home_dir(store, args.home_dir, args.client)
    print(f"{report.client.name}: {report.sentence()}")
    return 0


def _import_home_dir(store: Store, folder: Path, client: str | None) -> ImportReport:
    """The home check in ``folder`` (its own store and plan copy) into ``store``."""
    from romcam.cli.home import PLAN_COPY, client_database_url
    from romcam.home.clinic_import import import_home_results
    from romcam.home.local import collect_results
    from romcam.home.plan import read_plan
    from romcam.store import Store

    plan_file = folder / PLAN_COPY
    if not plan_file.is_file():
        raise InputError(
            f"{folder} holds no home check (no {PLAN_COPY}); give the folder romcam home "
            "--data-dir uses"
        )
    plan = read_plan(plan_file)
    with Store.open(client_database_url(folder), root=folder) as home:
        results, files = collect_results(home, plan)
        return import_home_results(
            store, results, files, source=f"the home check in {folder}", client=client
        )
