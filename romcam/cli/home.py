"""``romcam home``: the client's home check on their own computer.

``romcam home PLANFILE`` checks the therapist's plan file, copies it into the client's own
data directory (``<data dir>/home-check``, apart from any therapist's store on the same
computer) and starts the dashboard there in client mode, bound to this computer only;
``romcam home`` alone starts it again with the plan copied before. ``romcam home export -o
FILE`` writes the results file to give back to the therapist.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from romcam.errors import InputError

if TYPE_CHECKING:
    from romcam.home.plan import HomePlan

#: The plan's copy in the client's data directory.
PLAN_COPY = "plan.romcam-plan.json"
#: The client's data directory under romcam's data directory (``--data-dir`` overrides).
HOME_FOLDER = "home-check"
EXPORT = "export"
DEFAULT_PORT = 8501


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``home`` command."""
    home = subparsers.add_parser(
        "home",
        help="your home check: start it with the plan file from your therapist, or export "
        "your results",
        description="romcam home PLANFILE: start your home check (a page in your web "
        "browser, on this computer only) with the plan file your therapist gave you; "
        "romcam home: start it again; romcam home export -o FILE: write your results file "
        "for your therapist. Your measurements stay on this computer.",
    )
    home.add_argument(
        "plan",
        nargs="?",
        metavar="PLANFILE",
        help=f"the plan file (*.romcam-plan.json); '{EXPORT}' to export your results; none: "
        "start with the plan given before",
    )
    home.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"where your home check keeps its data (default: {HOME_FOLDER} in romcam's data "
        "directory)",
    )
    home.add_argument("-o", "--output", type=Path, metavar="FILE", help="export: the file to write")
    home.add_argument(
        "--include-videos", action="store_true", help="export: also put your trial videos in"
    )
    home.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"the page's port (default {DEFAULT_PORT})"
    )
    home.add_argument(
        "--no-browser", action="store_true", help="do not open the web browser by itself"
    )
    home.set_defaults(func=run_home)


def run_home(args: argparse.Namespace) -> int:
    folder = home_data_dir(args.data_dir)
    if args.plan == EXPORT:
        return run_export(folder, args.output, args.include_videos)
    if args.output is not None or args.include_videos:
        raise InputError(f"-o and --include-videos go with export: romcam home {EXPORT} -o FILE")
    if not 1 <= args.port <= 65535:
        raise InputError(f"--port {args.port} is not a port; give a number from 1 to 65535")
    plan_file = install_plan(folder, Path(args.plan)) if args.plan else installed_plan(folder)
    print(f"Starting your home check (data in {folder}); close it with Ctrl+C.")
    command = streamlit_command(args.port, headless=args.no_browser)
    return subprocess.run(
        command, env=client_env(folder, plan_file), cwd=app_file().parent, check=False
    ).returncode


def home_data_dir(given: Path | None) -> Path:
    """The client's data directory (created): ``given``, else ``home-check`` in romcam's."""
    from romcam import paths

    folder = given.expanduser() if given is not None else paths.data_dir() / HOME_FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot use {folder} for your home check ({exc.strerror}); choose a folder you "
            "can write to with --data-dir"
        ) from None
    return folder


def install_plan(folder: Path, source: Path) -> Path:
    """Check the plan file ``source`` and copy it into ``folder``; its path there. InputError
    when it is not a valid plan, or ``folder`` holds another client's home check."""
    from romcam.home.plan import read_plan
    from romcam.paths import atomic_write_text

    plan = read_plan(source)
    target = folder / PLAN_COPY
    if target.is_file():
        _same_client(_read_installed(target), plan, folder)
    atomic_write_text(target, source.read_text(encoding="utf-8"))
    print(f"Your plan from {source} is set up for {plan.client.name}.")
    return target


def _same_client(before: HomePlan | None, plan: HomePlan, folder: Path) -> None:
    if before is not None and before.client.store_id != plan.client.store_id:
        raise InputError(
            f"the home check in {folder} is {before.client.name}'s, and this plan is for "
            f"{plan.client.name}; give {plan.client.name} a folder of their own with --data-dir"
        )


def _read_installed(path: Path) -> HomePlan | None:
    from romcam.home.plan import read_plan

    try:
        return read_plan(path)
    except InputError:  # a damaged copy: the new plan replaces it
        return None


def installed_plan(folder: Path) -> Path:
    """The plan copied into ``folder`` before (checked); InputError when there is none."""
    from romcam.home.plan import read_plan

    path = folder / PLAN_COPY
    if not path.is_file():
        raise InputError(
            f"there is no plan in {folder} yet; start with the plan file your therapist gave "
            "you: romcam home PLANFILE"
        )
    read_plan(path)
    return path


def client_env(folder: Path, plan_file: Path) -> dict[str, str]:
    """The dashboard's environment in client mode: the client's own folder and SQLite store
    (never a clinic's database URL from this environment) and the plan."""
    from romcam.home.local import HOME_PLAN_ENV

    env = dict(os.environ)
    env["ROMCAM_DATA_DIR"] = str(folder)
    env["ROMCAM_DATABASE_URL"] = client_database_url(folder)
    env[HOME_PLAN_ENV] = str(plan_file)
    return env


def client_database_url(folder: Path) -> str:
    """SQLite ``romcam.db`` in the client's folder."""
    return f"sqlite:///{(folder / 'romcam.db').resolve()}"


def app_file() -> Path:
    """The dashboard's ``app.py`` (beside the ``romcam`` package)."""
    import romcam

    path = Path(romcam.__file__).resolve().parent.parent / "app.py"
    if not path.is_file():
        raise InputError(
            f"the dashboard's app.py is not at {path}; run romcam home from romcam's folder"
        )
    return path


def streamlit_command(port: int, *, headless: bool) -> list[str]:
    """``python -m streamlit run app.py`` on localhost only, no usage statistics."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_file()),
        "--server.address",
        "localhost",
        "--server.port",
        str(port),
        "--server.headless",
        "true" if headless else "false",
        "--browser.gatherUsageStats",
        "false",
    ]


def run_export(folder: Path, output: Path | None, include_videos: bool) -> int:
    """Write the results file of the home check in ``folder`` to ``output``."""
    from romcam.home.local import export_results
    from romcam.home.plan import read_plan
    from romcam.store import Store

    if output is None:
        raise InputError(f"say where to write your results: romcam home {EXPORT} -o FILE")
    if output.is_dir():
        raise InputError(f"{output} is a folder; give a file name, e.g. {output}/results.zip")
    plan = read_plan(Path(installed_plan(folder)))
    with Store.open(client_database_url(folder), root=folder) as store:
        exported = export_results(store, plan, output, include_video=include_videos)
    count = len(exported.results.measurements)
    videos = " with your videos" if include_videos else ""
    print(f"Wrote {count} measurements{videos} to {output}: give this file to your therapist.")
    return 0
