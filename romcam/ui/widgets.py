"""Small widgets shared by the dashboard pages.

``*_ui()`` functions draw widgets and return plain values (records, ids, strings) or None when
the user has not chosen yet. Errors the user can fix are shown with :func:`show_error` and
never raised out of a page.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import streamlit as st

from romcam.calibration import CalibrationProfile, list_profiles, load_profile
from romcam.core.assessments import TESTS, AssessmentTest, Side
from romcam.errors import RomcamError
from romcam.store.records import STANDARD_PHASES
from romcam.ui.settings import current_settings

if TYPE_CHECKING:
    from romcam.store import Store

log = logging.getLogger(__name__)

_STORES = "romcam_stores"


def open_store() -> Store | None:
    """The store for this browser session's settings, opened once; None (and an error) if not."""
    from romcam.store import Store

    settings = current_settings()
    key = (settings.database_url, settings.data_dir)
    stores: dict[tuple[str, str], Store] = st.session_state.setdefault(_STORES, {})
    if key not in stores:
        try:
            stores[key] = Store.open(settings.database_url or None)
        except RomcamError as exc:
            show_error(exc, "open the database")
            return None
    return stores[key]


def show_error(exc: BaseException, doing: str) -> None:
    """Report a failure to the user in a plain sentence, with any technical text (a server path,
    FFmpeg's words, an exception type) behind a "Details" expander; unexpected ones are logged
    in full. ``doing`` completes "Could not …", e.g. ``"save the measurement"``."""
    if isinstance(exc, RomcamError):
        message = f"Could not {doing}: {exc}"
        plain = exc.user_message or message
        details = message if exc.user_message else None
    else:
        log.exception("unexpected failure while trying to %s", doing)
        plain = f"Could not {doing}: something unexpected went wrong. Nothing saved was lost."
        details = f"{type(exc).__name__}: {exc}"
    st.error(plain)
    if details:
        with st.expander("Details"):
            st.code(details, language=None, wrap_lines=True)


def phase_ui(key: str) -> str:
    """``before`` / ``after`` treatment, or another short label."""
    choice = st.radio("Phase", [*STANDARD_PHASES, "other"], horizontal=True, key=f"{key}_phase")
    if choice != "other":
        return str(choice)
    label = st.text_input("Phase label", "retest", max_chars=40, key=f"{key}_phase_label")
    return label.strip() or "retest"


def test_picker_ui(key: str) -> tuple[AssessmentTest, Side | None]:
    """Choose a clinical test and, where it applies, the side."""
    by_id = {t.id: t for t in TESTS}
    test_id = st.selectbox(
        "Test", list(by_id), format_func=lambda i: by_id[i].label, key=f"{key}_test"
    )
    test = by_id[test_id]
    side: Side | None = None
    if test.sided:
        side = st.radio("Side", ("left", "right"), horizontal=True, key=f"{key}_side")
    return test, side


def instructions_ui(test: AssessmentTest, side: Side | None) -> None:
    """How to place the camera and what the client does."""
    st.markdown(f"**Camera:** {test.setup_for(side)}  \n**Movement:** {test.movement}")
    if test.needs_neutral:
        st.caption("This test first captures the neutral position (looking straight ahead).")


def calibration_ui(key: str) -> CalibrationProfile | None:
    """Pick a stored calibration profile (None = measure uncalibrated)."""
    try:
        names = list_profiles()
    except RomcamError as exc:
        show_error(exc, "list the calibration profiles")
        return None
    name = st.selectbox(
        "Calibration",
        ["none", *names],
        key=f"{key}_calibration",
        help="Made on the Calibration page or with `romcam calibrate`: corrects camera tilt "
        "and adds a scale.",
    )
    if name == "none":
        return None
    try:
        return load_profile(name)
    except RomcamError as exc:
        show_error(exc, f"load the calibration {name!r}")
        return None
