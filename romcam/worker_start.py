"""How the chunked analysis starts its worker processes: forked from a fork server that has
imported the models' code, and the program's main module, once.

A spawned worker starts a Python, imports romcam and MediaPipe (~1.1 s of CPU, most of it
``import mediapipe``) and runs the program's main module again (for the dashboard, Streamlit:
another ~0.4 s) before its first frame, every time. A fork server (``multiprocessing``'s
``forkserver``) is one clean process, started once per romcam process, that imports all that
and then forks each worker from itself: a worker is ready in milliseconds and only creates
its models (~0.15 s). The server is single-threaded when it forks (importing MediaPipe,
romcam or Streamlit starts no thread; MediaPipe's threads start with a model, in the
worker), which is what makes forking safe here where forking the main process is not. It
lives as long as the process that started it (the dashboard keeps it warm between
analyses). Where there is no fork server (Windows) the workers are spawned.

The standard library means to import the main module in the server when ``"__main__"`` is
preloaded, but up to Python 3.13 it never receives the module's path (it asks for a
``main_path`` that the preparation data calls ``init_main_from_path``), so every worker ran
it again. :mod:`romcam.fork_server_main`, preloaded first, does it from :data:`MAIN_ENV`.
In the dashboard the "main module" is the Streamlit app script (Streamlit's script runner
installs it as ``__main__``): importing it would run the whole app without Streamlit, so the
server gets a stand-in with only its path (:data:`STAND_IN_ENV`), which keeps the workers
from running it too; nothing of the app is needed to analyse.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from multiprocessing.context import BaseContext

#: Names the server's environment gives the main module's path (only while it starts).
MAIN_ENV = "ROMCAM_FORK_SERVER_MAIN"
#: Set (to "1") when the server is to hold a stand-in for the main module, not run it.
STAND_IN_ENV = "ROMCAM_FORK_SERVER_MAIN_STAND_IN"
#: Modules the fork server imports before it forks workers.
PRELOAD = ("romcam.fork_server_main", "romcam.parallel_analysis", "mediapipe.tasks.python.vision")

_starting = threading.Lock()


def worker_context() -> BaseContext:
    """The multiprocessing context for worker processes, its fork server running (started
    here if need be, see :func:`start_workers_early`); spawn where there is no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    start_workers_early()
    return context


def start_workers_early() -> None:
    """Start the fork server now, so that its imports run while this process does its own
    (it returns at once; the first worker waits for them). Nothing without a fork server or
    once it runs."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import forkserver, spawn

    context = multiprocessing.get_context("forkserver")
    with _starting:
        context.set_forkserver_preload(list(PRELOAD))  # no effect once the server runs
        main_path = spawn.get_preparation_data("romcam").get("init_main_from_path")
        told = {MAIN_ENV: main_path, STAND_IN_ENV: "1" if _inside_streamlit() else None}
        previous = {name: os.environ.get(name) for name in told}
        _set_environment(told)
        try:
            forkserver.ensure_running()
        finally:
            _set_environment(previous)


def _inside_streamlit() -> bool:
    """Whether this process is a running Streamlit app (its ``__main__`` is the app script)."""
    if "streamlit" not in sys.modules:
        return False
    from streamlit import runtime

    return runtime.exists()


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
