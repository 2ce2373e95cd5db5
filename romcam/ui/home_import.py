"""The Client progress page's "Import home results": the file a client exported from their home
check, into the chosen client's record (``romcam.home.clinic_import``, as ``romcam import``).

The uploaded file waits in a private folder under ``<data dir>/uploads/`` while it is checked
and imported, and is removed right after (a server killed meanwhile leaves it to the next
start's clean-up of that folder).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import streamlit as st

from romcam.errors import RomcamError
from romcam.home.clinic_import import import_results
from romcam.paths import safe_filename
from romcam.staging import new_staging_dir
from romcam.store import ClientRecord, Store
from romcam.ui.analyze import UPLOADS_DIR
from romcam.ui.settings import current_settings
from romcam.ui.widgets import show_error

#: The uploader's key (a new key empties it after an import).
_UPLOADER = "home_results_upload"
_DONE = "home_results_done"


def home_import_ui(store: Store, client: ClientRecord) -> None:
    """A small section: upload the client's results file, import it, say what it added."""
    with st.expander("Import home results", expanded=_DONE in st.session_state):
        st.caption(
            f"The results file {client.name} exported from their home check (a .zip). Its "
            "measurements are added as home checks, one session per day; a file imported "
            "before adds nothing new."
        )
        done = st.session_state.pop(_DONE, None)
        if done:
            st.success(done)
        rounds = st.session_state.setdefault(f"{_UPLOADER}_round", 0)
        uploaded = st.file_uploader("Home results file", type=["zip"], key=f"{_UPLOADER}_{rounds}")
        if uploaded is None or not st.button("Import", key="home_results_import"):
            return
        folder = new_staging_dir(_uploads(), "")  # 0700: the client's data
        try:
            path = folder / safe_filename(uploaded.name, default="home-results.zip")
            path.write_bytes(uploaded.getbuffer())
            report = import_results(store, path, client=client.id)
        except RomcamError as exc:
            show_error(exc, f"import {uploaded.name!r}")
            return
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    st.session_state[_DONE] = report.sentence()
    st.session_state[f"{_UPLOADER}_round"] = rounds + 1
    st.rerun()  # the page reads the client's measurements again, home checks included


def _uploads() -> Path:
    folder = Path(current_settings().data_dir) / UPLOADS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    return folder
