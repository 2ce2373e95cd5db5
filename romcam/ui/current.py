"""The current client and session: one choice for the whole dashboard, made in the sidebar.

``app.py`` draws :func:`current_client_ui` in the sidebar before every page; the pages read the
choice with :func:`current_context` (which draws the sidebar itself when a page runs alone, as
in the AppTest tests, so the sidebar is the one place either way). Everything that changes the
choice (picking a client or a session, adding a client, starting a session, START on the Assess
page) writes the same sidebar widget keys.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, cast

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from romcam.errors import RomcamError
from romcam.store.records import HOME_THERAPIST, ClientRecord, SessionRecord
from romcam.ui.result_view import as_sentence
from romcam.ui.widgets import open_store, show_error

if TYPE_CHECKING:
    from romcam.store import Store

#: Widget keys of the sidebar (tests set them as a user would).
CLIENT_KEY = "current_client"
ADD_CLIENT_KEY = "current_add_client"
NEW_NAME_KEY = "current_new_client_name"
NEW_NOTES_KEY = "current_new_client_notes"
THERAPIST_KEY = "current_therapist"
_DRAWN = "romcam_current"
_NOTICE = "romcam_current_notice"
_SHOWN_NOTICE = "romcam_current_shown_notice"
#: Seconds the sidebar's confirmation of a change stays (across reruns).
NOTICE_KEEP_S = 8.0
_ADD_ERROR = "romcam_current_add_error"
_START_ERROR = "romcam_current_start_error"
_NEXT_SESSION = "romcam_current_next_session"
#: The sidebar's start button without and with a session today.
START_LABEL = "Start today's session"
START_ANOTHER_LABEL = "Start another session today"


@dataclass(frozen=True)
class Current:
    """What the sidebar has chosen: the open store, a client and (None = none yet) a session."""

    store: Store
    client: ClientRecord
    session: SessionRecord | None


def session_key(client_id: int) -> str:
    """The sidebar's session picker key for one client (each client keeps its own choice)."""
    return f"current_session_{client_id}"


def session_label(session: SessionRecord, today: date | None = None) -> str:
    """``Session #3 (today 10:42)`` or ``Session #1 (1 Sep 2026 10:00)``, in local time."""
    local = _local(session.started_at)
    day = "today" if local.date() == (today or date.today()) else f"{local:%-d %b %Y}"
    return f"Session #{session.id} ({day} {local:%H:%M})"


def _local(started_at: datetime) -> datetime:
    """The store keeps naive UTC times; people read the clinic's local time."""
    aware = started_at if started_at.tzinfo else started_at.replace(tzinfo=UTC)
    return aware.astimezone()


def current_context() -> Current | None:
    """The current client and session (None, with the sidebar saying why, until a client is
    chosen). Draws the sidebar picker unless it was drawn earlier in this script run."""
    if _drawn_this_run():
        drawn: Current | None = st.session_state.get(_DRAWN)
        return drawn
    return current_client_ui()


def _drawn_this_run() -> bool:
    # Streamlit resets the set of widget keys seen at the start of every run (it keeps it on
    # ctx.shared since 1.5x, on ctx before); the client picker's key in it = already drawn.
    ctx = get_script_run_ctx()
    if ctx is None:
        return False
    seen = getattr(getattr(ctx, "shared", ctx), "widget_user_keys_this_run", ())
    return CLIENT_KEY in seen


def current_client_ui() -> Current | None:
    """Draw the sidebar's client and session choice once per run; returns it (None when no
    store or no client)."""
    with st.sidebar:
        current = _sidebar_ui()
    st.session_state[_DRAWN] = current
    return current


def _sidebar_ui() -> Current | None:
    store = open_store()
    if store is None:
        return None
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
        # One client: it; several: the therapist chooses (never someone else by default).
        index=cast(int, 0 if len(names) == 1 else None),
        placeholder="Choose a client" if names else "No clients yet: add one below",
        key=CLIENT_KEY,
    )
    _add_client_ui(store)
    client = next((c for c in clients if c.id == chosen), None)
    session = _session_ui(store, client) if client is not None else None
    _notice_ui()
    if client is None:
        return None
    return Current(store, client, session)


def _add_client_ui(store: Store) -> None:
    """A popover with a form: closes and empties itself when the client is added; keeps the
    typed text, with the reason under it, when not."""
    with st.popover(
        "Add a client", icon=":material/person_add:", key=ADD_CLIENT_KEY, on_change="rerun"
    ):
        with st.form("current_add_client_form", border=False):
            st.text_input("Name or pseudonym", key=NEW_NAME_KEY, max_chars=120)
            st.text_area("Notes (optional)", key=NEW_NOTES_KEY)
            st.form_submit_button(
                "Add client", key="current_add_client_submit", on_click=_add_client, args=(store,)
            )
        error = st.session_state.pop(_ADD_ERROR, None)
        if error:
            st.error(error)


def _add_client(store: Store) -> None:
    """Form callback (runs before the script, so it may set the sidebar's widgets)."""
    name = str(st.session_state.get(NEW_NAME_KEY, ""))
    notes = str(st.session_state.get(NEW_NOTES_KEY, ""))
    if not name.strip():
        st.session_state[_ADD_ERROR] = "A client needs a name: type a name or a pseudonym."
        return
    try:
        record = store.add_client(name, notes=notes)
    except RomcamError as exc:
        st.session_state[_ADD_ERROR] = sentence(exc)
        return
    st.session_state[CLIENT_KEY] = record.id
    st.session_state[NEW_NAME_KEY] = ""
    st.session_state[NEW_NOTES_KEY] = ""
    st.session_state[ADD_CLIENT_KEY] = False  # close the popover
    st.session_state[_NOTICE] = f"Added {record.name}. Start today's session below."


def sentence(exc: RomcamError) -> str:
    """An error as a sentence a person reads: capital first letter, full stop."""
    return as_sentence(exc.user_message or str(exc))


def _session_ui(store: Store, client: ClientRecord) -> SessionRecord | None:
    """The client's sessions, newest first (today's is chosen by default), and a form to start
    today's session."""
    sessions = _sessions(store, client)
    if sessions is None:
        return None
    key = session_key(client.id)
    pending = st.session_state.pop(_NEXT_SESSION, None)
    if pending is not None and pending[0] == client.id:
        st.session_state[key] = pending[1]
    if key not in st.session_state:  # first time this client is shown: today's session
        newest_today = _today_session(sessions, None)
        st.session_state[key] = newest_today.id if newest_today else None
    labels = _labels(sessions)
    chosen = st.selectbox(
        "Session",
        list[int](labels),
        format_func=lambda i: labels.get(i, str(i)),
        placeholder="No session today",
        key=key,
    )
    today = _today_session(sessions, chosen)
    with st.form("current_start_session", border=False, enter_to_submit=False):
        st.text_input("Therapist (optional)", key=THERAPIST_KEY, max_chars=120)
        if today is not None:  # a second visit today is possible, but never one click away
            st.caption(
                f"Today's session is {session_label(today)}. Start another only for a "
                "second visit today."
            )
        st.form_submit_button(
            START_LABEL if today is None else START_ANOTHER_LABEL,
            key="current_start_session_submit",
            type="primary" if today is None else "secondary",
            icon=":material/play_arrow:" if today is None else ":material/add:",
            on_click=_start_session,
            args=(store, client),
        )
    error = st.session_state.pop(_START_ERROR, None)
    if error:
        st.error(error)
    return next((s for s in sessions if s.id == chosen), None)


def _today_session(sessions: Sequence[SessionRecord], chosen: int | None) -> SessionRecord | None:
    """The chosen session if it is today's, else the newest of today's (None: none today).
    A home check imported from the client's file is never today's visit."""
    today = [
        s
        for s in sessions
        if _local(s.started_at).date() == date.today() and s.therapist != HOME_THERAPIST
    ]
    return next((s for s in today if s.id == chosen), today[0] if today else None)


def _sessions(store: Store, client: ClientRecord) -> list[SessionRecord] | None:
    """The client's sessions, newest first; None (and the error shown) if unreadable."""
    try:
        sessions = store.list_sessions(client.id)
    except RomcamError as exc:
        show_error(exc, "list the sessions")
        return None
    return sorted(sessions, key=lambda s: s.started_at, reverse=True)


def _labels(sessions: Sequence[SessionRecord]) -> dict[int, str]:
    return {s.id: session_label(s) + (f", {s.therapist}" if s.therapist else "") for s in sessions}


def _start_session(store: Store, client: ClientRecord) -> None:
    """Form callback: start a session for the client and make it current."""
    therapist = str(st.session_state.get(THERAPIST_KEY, "")).strip() or None
    try:
        record = store.start_session(client.id, therapist=therapist)
    except RomcamError as exc:
        st.session_state[_START_ERROR] = sentence(exc)
        return
    st.session_state[session_key(client.id)] = record.id
    st.session_state[_NOTICE] = f"Started {session_label(record)} for {client.name}."


def _notice_ui() -> None:
    """A change the therapist made, confirmed by a toast and a line in the sidebar. The line
    stays NOTICE_KEEP_S seconds: the browser often reruns the page right after a change (a
    widget settling), which would otherwise wipe it before it is read."""
    notice = st.session_state.pop(_NOTICE, None)
    if notice:
        st.toast(notice, icon=":material/check_circle:")
        st.session_state[_SHOWN_NOTICE] = (notice, time.monotonic())
    shown = st.session_state.get(_SHOWN_NOTICE)
    if shown is not None and time.monotonic() - shown[1] < NOTICE_KEEP_S:
        st.success(shown[0], icon=":material/check_circle:")


def make_current(client_id: int, session_id: int) -> None:
    """Make a session current from a page (the sidebar was drawn already: it shows the change
    from the next run, so callers rerun)."""
    st.session_state[_NEXT_SESSION] = (client_id, session_id)


def start_session_now(current: Current) -> SessionRecord | None:
    """Start today's session for the current client (START with no session), make it
    current and say so; None (and the error shown) if the store refused."""
    try:
        record = current.store.start_session(current.client.id)
    except RomcamError as exc:
        show_error(exc, "start a session")
        return None
    make_current(current.client.id, record.id)
    st.session_state[_NOTICE] = f"Started {session_label(record)} for {current.client.name}."
    return record


def context_line_ui(current: Current | None, needs_session: bool = True) -> None:
    """One line on a page saying whom it is about, or where to choose (the sidebar)."""
    if current is None:
        st.info("Choose or add a client in the sidebar.", icon=":material/arrow_back:")
        return
    if current.session is not None:
        st.markdown(f"**Client:** {current.client.name} · {session_label(current.session)}")
    elif needs_session:
        st.markdown(
            f"**Client:** {current.client.name} · no session yet: start today's session in "
            "the sidebar"
        )
    else:
        st.markdown(f"**Client:** {current.client.name}")
