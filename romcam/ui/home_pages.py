"""Client mode: the dashboard ``romcam home PLANFILE`` starts shows the home check's pages
only (no clinical page, no client picker). ``app.py`` asks :func:`client_mode`."""

from __future__ import annotations

import streamlit as st

from romcam.ui.home_check import home_check_page
from romcam.ui.home_context import plan_path
from romcam.ui.home_progress import my_progress_page


def client_mode() -> bool:
    """True when the dashboard was started for a client's home check (``ROMCAM_HOME_PLAN``)."""
    return plan_path() is not None


def home_pages() -> list[st.Page]:
    """The client's pages: today's check (the start page) and their progress with the export."""
    return [
        st.Page(
            home_check_page,
            title="My home check",
            icon=":material/videocam:",
            url_path="home-check",
            default=True,
        ),
        st.Page(
            my_progress_page,
            title="My progress",
            icon=":material/trending_up:",
            url_path="my-progress",
        ),
    ]
