"""romcam dashboard: ``streamlit run app.py`` (listens on localhost; see .streamlit/config.toml).

A thin entry point: page config and navigation. Each page lives in ``romcam/ui/``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import streamlit as st

from romcam.live.recording import remove_stale_live_files
from romcam.ui.analyze import analyze_page, remove_stale_uploads
from romcam.ui.assess import assess_page
from romcam.ui.calibration import calibration_page
from romcam.ui.current import current_client_ui
from romcam.ui.gait import gait_page
from romcam.ui.home_pages import client_mode, home_pages
from romcam.ui.home_plan import home_plan_page
from romcam.ui.progress import progress_page
from romcam.ui.retest import retest_page
from romcam.ui.review import review_page
from romcam.ui.settings import current_settings, settings_page

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
# ROMCAM_LOG_LEVEL=DEBUG logs every live frame (time, value, hold progress).
logging.getLogger("romcam").setLevel(os.environ.get("ROMCAM_LOG_LEVEL", "INFO").upper())

st.set_page_config(page_title="romcam", page_icon=":material/accessibility_new:", layout="wide")
# What a killed or crashed server left in the staging folders (client video nothing saved) goes
# on every page run; the pages repeat this for a data directory chosen in Settings.
remove_stale_live_files(Path(current_settings().data_dir))
remove_stale_uploads(Path(current_settings().data_dir))
if client_mode():  # `romcam home PLANFILE`: the client's home check pages only, no sidebar
    st.navigation(home_pages()).run()
    st.stop()
page = st.navigation(
    [
        st.Page(
            assess_page,
            title="Assess (live)",
            icon=":material/videocam:",
            url_path="assess",
            default=True,
        ),
        st.Page(
            analyze_page, title="Analyze a recording", icon=":material/movie:", url_path="analyze"
        ),
        st.Page(
            review_page, title="Session review", icon=":material/fact_check:", url_path="review"
        ),
        st.Page(
            progress_page,
            title="Client progress",
            icon=":material/trending_up:",
            url_path="progress",
        ),
        st.Page(
            home_plan_page, title="Home plan", icon=":material/home_health:", url_path="home-plan"
        ),
        st.Page(retest_page, title="Test–retest", icon=":material/repeat:", url_path="retest"),
        st.Page(gait_page, title="Gait", icon=":material/directions_walk:", url_path="gait"),
        st.Page(
            calibration_page,
            title="Calibration",
            icon=":material/straighten:",
            url_path="calibration",
        ),
        st.Page(settings_page, title="Settings", icon=":material/settings:", url_path="settings"),
    ]
)
# The current client and session, in the sidebar of every page: the one place to change them.
current_client_ui()
page.run()
