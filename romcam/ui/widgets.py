"""Small widgets shared by the dashboard pages.

``*_ui()`` functions draw widgets and return plain values (records, ids, strings) or None when
the user has not chosen yet. Errors the user can fix are shown with :func:`show_error` and
never raised out of a page.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import streamlit as st

from romcam.calibration import CalibrationProfile, list_profiles, load_profile
from romcam.core.assessments import TESTS, AssessmentTest, Side
from romcam.errors import RomcamError
from romcam.store.records import STANDARD_PHASES, ClientRecord, SessionRecord
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


def client_picker_ui(store: Store, key: str) -> ClientRecord | None:
    """Choose a client, or add one; returns the chosen client."""
    try:
        clients: Sequence[ClientRecord] = store.list_clients()
    except RomcamError as exc:
        show_error(exc, "list the clients")
        return None
    names = {c.id: c.name for c in clients}
    chosen = st.selectbox(
        "Client",
        list[int](names),
        format_func=lambda i: names.get(i, str(i)),
        index=cast(int, 0 if names else None),
        placeholder="No clients yet: add one below",
        key=f"{key}_client",
    )
    with st.popover("Add a client", icon=":material/person_add:"):
        st.text_input("Name or pseudonym", key=f"{key}_new_client_name", max_chars=120)
        st.text_area("Notes (optional)", key=f"{key}_new_client_notes")
        st.button("Add client", key=f"{key}_add_client", on_click=_add_client, args=(store, key))
    _show_pending_error(key)
    return next((c for c in clients if c.id == chosen), None)


def store_and_client_ui(key: str) -> tuple[Store, ClientRecord] | None:
    """Open the store and pick a client; None (with a hint or an error shown) until both."""
    store = open_store()
    if store is None:
        return None
    client = client_picker_ui(store, key)
    if client is None:
        st.info("No client chosen yet: add one above, then measure them on the Assess page.")
        return None
    return store, client


def session_picker_ui(
    store: Store, client: ClientRecord, key: str, allow_new: bool = True
) -> SessionRecord | None:
    """Choose one of the client's sessions (newest first) or start a new one."""
    try:
        sessions: Sequence[SessionRecord] = store.list_sessions(client.id)
    except RomcamError as exc:
        show_error(exc, "list the sessions")
        return None
    ordered = sorted(sessions, key=lambda s: s.started_at, reverse=True)
    labels = {
        s.id: f"#{s.id} — {s.started_at:%Y-%m-%d %H:%M}"
        + (f" ({s.therapist})" if s.therapist else "")
        for s in ordered
    }
    chosen = st.selectbox(
        "Session",
        list[int](labels),
        format_func=lambda i: labels.get(i, str(i)),
        index=cast(int, 0 if labels else None),
        placeholder="No sessions yet",
        key=f"{key}_session_{client.id}",
    )
    if allow_new:
        st.text_input("Therapist (optional)", key=f"{key}_therapist")
        st.button(
            "Start a new session",
            key=f"{key}_new_session",
            on_click=_start_session,
            args=(store, client.id, key),
        )
        _show_pending_error(key)
    return next((s for s in ordered if s.id == chosen), None)


def _add_client(store: Store, key: str) -> None:
    """Button callback (runs before the page, so it may select the new client)."""
    name = st.session_state.get(f"{key}_new_client_name", "")
    notes = st.session_state.get(f"{key}_new_client_notes", "")
    try:
        record = store.add_client(name, notes=notes)
    except RomcamError as exc:
        st.session_state[f"{key}_pending_error"] = (exc, "add the client")
        return
    st.session_state[f"{key}_client"] = record.id
    st.session_state[f"{key}_new_client_name"] = ""


def _start_session(store: Store, client_id: int, key: str) -> None:
    """Button callback: start a session for the client and select it."""
    therapist = st.session_state.get(f"{key}_therapist", "").strip() or None
    try:
        record = store.start_session(client_id, therapist=therapist)
    except RomcamError as exc:
        st.session_state[f"{key}_pending_error"] = (exc, "start a session")
        return
    st.session_state[f"{key}_session_{client_id}"] = record.id


def _show_pending_error(key: str) -> None:
    """Show the error a button callback met (callbacks run before the page is drawn)."""
    pending: tuple[RomcamError, str] | None = st.session_state.pop(f"{key}_pending_error", None)
    if pending is not None:
        show_error(*pending)


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
    setup = test.setup.format(side=side or "left or right")
    st.markdown(f"**Camera:** {setup}  \n**Movement:** {test.movement}")
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
