"""The chunk workers' fork server (romcam.worker_start): preloaded, main module imported once,
single-threaded when it forks."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from romcam.worker_start import MAIN_ENV, STAND_IN_ENV
from tests.conftest import REPO_ROOT

#: A program's main module: logs every process that imports it, then asks two workers what
#: they have loaded, and reports the fork server's threads.
PROGRAM = """
import os, sys
with open(os.environ["IMPORT_LOG"], "a") as log:  # not sys.argv: the server has its own
    log.write(f"{os.getpid()}\\n")

def probe(_):
    import time
    time.sleep(0.3)  # both workers take one
    return os.getpid(), "mediapipe" in sys.modules, "romcam.parallel_analysis" in sys.modules

if __name__ == "__main__":
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import forkserver
    from romcam.worker_start import worker_context
    context = worker_context()
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        found = list(pool.map(probe, range(2)))
    server = forkserver._forkserver._forkserver_pid
    print(repr((context.get_start_method(), found, len(os.listdir(f"/proc/{server}/task")))))
"""


def test_workers_come_preloaded_from_a_single_threaded_server(tmp_path: Path) -> None:
    program, imported = tmp_path / "program.py", tmp_path / "imported.txt"
    program.write_text(PROGRAM)
    done = subprocess.run(
        [sys.executable, str(program)],
        cwd=REPO_ROOT,
        env={**os.environ, "IMPORT_LOG": str(imported)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    method, found, server_threads = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    assert method == "forkserver"
    assert {pid for pid, _, _ in found} and all(mp and pa for _, mp, pa in found)
    importers = imported.read_text().split()
    # The program itself and the fork server; the workers, forked from the server, did not
    # run the main module again (with spawn, or the standard library's preload alone, each
    # worker does).
    assert len(importers) == 2
    assert not {str(pid) for pid, _, _ in found} & set(importers)
    # Forking is safe only from a process with one thread: importing MediaPipe, PyAV and
    # romcam must start none.
    assert server_threads == 1


#: A script that must not run in the fork server (as a Streamlit app would run bare there).
APP = """
import os
with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write("ran\\n")
"""

#: What the fork server does with the main module (romcam.fork_server_main), in a fresh
#: Python: the dashboard's stand-in, then a program's main module imported once.
SERVER = """
import sys
import romcam.fork_server_main
main = sys.modules["__main__"]
names = sorted(k for k in vars(main) if not k.startswith("__"))
print(repr((getattr(main, "__file__", None), names)))
"""


def _server_imports(script: Path, log: Path, stand_in: bool) -> tuple[str | None, list[str]]:
    env = {**os.environ, "IMPORT_LOG": str(log), MAIN_ENV: str(script)}
    if stand_in:
        env[STAND_IN_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-c", SERVER],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def test_a_streamlit_app_is_not_run_in_the_fork_server(tmp_path: Path) -> None:
    app, log = tmp_path / "app.py", tmp_path / "ran.txt"
    app.write_text(APP + "\nlayout = 'wide'\n")
    # The stand-in: the workers find their main module in place and do not run the app.
    assert _server_imports(app, log, stand_in=True) == (str(app), [])
    assert not log.exists()
    # A program's main module is run once, as __mp_main__ (its names are there).
    assert _server_imports(app, log, stand_in=False) == (str(app), ["layout", "log", "os"])
    assert log.read_text() == "ran\n"
