"""(fork server) Imported first by romcam's fork server: it imports the main module of the
program that started the server, as ``"__main__"`` preloading means to (see
:mod:`romcam.worker_start`), so that the workers forked from it need not run it each; or,
for a Streamlit app, puts a stand-in with only the script's path in its place.

Nothing happens when the path is not given; a main module that fails to import here is left
for each worker to import, as before.
"""

from __future__ import annotations

import os
import sys
import types
from multiprocessing import process, spawn

from romcam.worker_start import MAIN_ENV, STAND_IN_ENV


def _import_main(path: str) -> None:
    current = process.current_process()
    current._inheriting = True  # type: ignore[attr-defined]  # as the standard library's
    try:
        spawn.import_main_path(path)
    except Exception:  # the workers import it themselves, as they would without this
        pass
    finally:
        del current._inheriting  # type: ignore[attr-defined]


def _stand_in(path: str) -> None:
    """A module with only ``__file__``: a worker's start-up then finds its main module
    already there and does not run the script (``multiprocessing.spawn.prepare``)."""
    module = types.ModuleType("__mp_main__")
    module.__file__ = path
    sys.modules["__main__"] = sys.modules["__mp_main__"] = module


if main_path := os.environ.pop(MAIN_ENV, None):
    if os.environ.pop(STAND_IN_ENV, None):
        _stand_in(main_path)
    else:
        _import_main(main_path)
