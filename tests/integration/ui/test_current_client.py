"""One current client and session for the whole dashboard, chosen in the sidebar (AppTest,
real SQLite store in a temp data dir): carried across pages, START without a session, adding
clients and starting sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from streamlit.testing.v1 import AppTest

from romcam.store import Store
from romcam.ui.current import (
    ADD_CLIENT_KEY,
    CLIENT_KEY,
    NEW_NAME_KEY,
    NEW_NOTES_KEY,
    THERAPIST_KEY,
    session_key,
)
from tests.conftest import REPO_ROOT
from tests.integration.ui.app_helpers import page_app

ASSESS = """
from romcam.ui.assess import assess_page
assess_page(camera_ui=lambda processor, settings: {playing})
"""


@pytest.fixture
def two_clients(data_dir: Path) -> SimpleNamespace:
    """Ann and Bob, each with a session started today; Bob also one a month ago."""
    with Store.open() as store:
        ann, bob = store.add_client("Ann"), store.add_client("Bob")
        month_ago = datetime.now(UTC) - timedelta(days=30)
        old = store.start_session(bob.id, started_at=month_ago)
        return SimpleNamespace(
            ann=ann,
            bob=bob,
            ann_today=store.start_session(ann.id).id,
            bob_today=store.start_session(bob.id).id,
            bob_old=old.id,
        )


@pytest.fixture
def no_camera_widget(monkeypatch: pytest.MonkeyPatch) -> None:
    """app.py's Assess page draws the real camera widget, which needs a browser (tests/e2e):
    here it draws nothing and is never playing."""
    import streamlit_webrtc

    stopped = SimpleNamespace(state=SimpleNamespace(playing=False))
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **_: stopped)
    # The camera's frames go to a sink track, which needs a running server.
    monkeypatch.setattr(streamlit_webrtc, "create_video_sink_track", lambda *_, **__: None)


def _app() -> AppTest:
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)


def _open(at: AppTest, url_path: str) -> AppTest:
    """Open one of app.py's pages (AppTest's switch_page only knows file pages)."""
    pages = at._registered_pages.items()  # filled by the first run
    [page_hash] = [h for h, info in pages if info.get("url_pathname") == url_path]
    at._page_hash = page_hash
    return at.run()


def _lines(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_client_chosen_on_one_page_is_the_client_of_every_page(
    two_clients: SimpleNamespace, no_camera_widget: None
) -> None:
    """The issue's walk: Bob picked in Session review, then Assess shows Bob, not Ann."""
    at = _app().run()
    _open(at, "review")
    at.selectbox(key=CLIENT_KEY).set_value(two_clients.bob.id).run()
    assert not at.exception
    for page, title in (
        ("", "Assess (live)"),
        ("analyze", "Analyze a recording"),
        ("progress", "Client progress"),
        ("settings", "Settings"),
    ):
        _open(at, page)
        assert not at.exception, page
        assert at.title[0].value == title
        assert at.sidebar.selectbox(key=CLIENT_KEY).value == two_clients.bob.id, page
        assert at.sidebar.selectbox(key=session_key(two_clients.bob.id)).value == (
            two_clients.bob_today
        )
        if page in ("", "progress"):
            assert "**Client:** Bob" in _lines(at) and "Ann" not in _lines(at), page


def test_an_older_session_chosen_on_review_is_current_everywhere(
    two_clients: SimpleNamespace, no_camera_widget: None
) -> None:
    """Review browses older sessions with the sidebar's picker (it lists them all)."""
    at = _app().run()
    at.selectbox(key=CLIENT_KEY).set_value(two_clients.bob.id).run()
    _open(at, "review")
    bob_session = at.sidebar.selectbox(key=session_key(two_clients.bob.id))
    listed = [o.split(" (")[0] for o in bob_session.options]
    assert listed == [f"Session #{two_clients.bob_today}", f"Session #{two_clients.bob_old}"]
    bob_session.set_value(two_clients.bob_old).run()
    assert not at.exception
    assert f"**Bob** · Session #{two_clients.bob_old} (" in _lines(at)
    _open(at, "")  # Assess
    assert f"**Client:** Bob · Session #{two_clients.bob_old} (" in _lines(at)


def test_several_clients_none_chosen_until_the_therapist_picks(
    two_clients: SimpleNamespace,
) -> None:
    at = page_app("progress", "progress_page").run()
    assert not at.exception
    assert at.sidebar.selectbox(key=CLIENT_KEY).value is None
    assert "Choose or add a client in the sidebar." in [i.value for i in at.info]


def test_today_s_session_is_current_an_old_one_is_not(data_dir: Path) -> None:
    with Store.open() as store:
        client = store.add_client("Old Visit")
        store.start_session(client.id, started_at=datetime.now(UTC) - timedelta(days=2))
    at = page_app("review", "review_page").run()
    assert not at.exception
    assert at.sidebar.selectbox(key=session_key(client.id)).value is None
    assert "Choose one of Old Visit's sessions in the sidebar" in " ".join(i.value for i in at.info)


def test_review_of_a_client_without_sessions_says_to_start_one(data_dir: Path) -> None:
    with Store.open() as store:
        store.add_client("Walk In")
    at = page_app("review", "review_page").run()
    assert not at.exception
    assert "Walk In has no sessions yet: start today's in the sidebar." in [
        i.value for i in at.info
    ]


def test_start_without_a_session_starts_today_s(data_dir: Path) -> None:
    with Store.open() as store:
        client = store.add_client("Walk In")
    at = AppTest.from_string(ASSESS.format(playing=True), default_timeout=60).run()
    assert not at.exception and not at.error
    with Store.open() as store:
        [session] = store.list_sessions(client.id)
    message = f"Started Session #{session.id} (today "
    assert any(message in s.value and "for Walk In" in s.value for s in at.success)
    assert any(message in t.value for t in at.toast)
    assert at.sidebar.selectbox(key=session_key(client.id)).value == session.id
    assert f"**Client:** Walk In · Session #{session.id} (today" in _lines(at)
    at.run()  # playing on: no second session
    with Store.open() as store:
        assert len(store.list_sessions(client.id)) == 1


def test_start_needs_a_client(data_dir: Path) -> None:
    at = AppTest.from_string(ASSESS.format(playing="1 / 0"), default_timeout=60).run()
    assert not at.exception  # the camera widget (here: a division by zero) is not drawn
    assert "**1 · Add or choose a client (sidebar)**" in _lines(at)  # the next step


@pytest.fixture
def sidebar(data_dir: Path) -> Iterator[AppTest]:
    yield page_app("review", "review_page").run()


def _add(at: AppTest, name: str, notes: str = "") -> AppTest:
    at.text_input(key=NEW_NAME_KEY).set_value(name)
    at.text_area(key=NEW_NOTES_KEY).set_value(notes)
    return at.button(key="current_add_client_submit").click().run()


def test_adding_clients_never_carries_the_last_one_over(sidebar: AppTest) -> None:
    at = _add(sidebar, "Ann", "left shoulder, after surgery")
    assert not at.exception and not at.error
    assert at.text_input(key=NEW_NAME_KEY).value == ""
    assert at.text_area(key=NEW_NOTES_KEY).value == ""
    assert at.session_state[ADD_CLIENT_KEY] is False  # the popover closes
    assert "Added Ann." in at.success[0].value
    at.button(key="current_add_client_submit").click().run()  # the empty form again
    assert at.error[0].value == "A client needs a name: type a name or a pseudonym."
    _add(at, "Bob")
    with Store.open() as store:
        clients = {c.name: c for c in store.list_clients()}
    assert sorted(clients) == ["Ann", "Bob"] and clients["Bob"].notes == ""
    assert at.sidebar.selectbox(key=CLIENT_KEY).value == clients["Bob"].id


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ann", "A client named 'ann' already exists; use it or choose another name."),
        ("   ", "A client needs a name: type a name or a pseudonym."),
        ("An\x07n", "Client name contains the character U+0007 at position 3; remove it"),
    ],
    ids=["duplicate", "blank", "control-character"],
)
def test_a_refused_client_keeps_what_was_typed(sidebar: AppTest, name: str, message: str) -> None:
    _add(sidebar, "Ann")
    at = _add(sidebar, name, "notes typed")
    assert not at.exception
    [error] = at.error
    assert error.value.startswith(message) and error.value.endswith(".")
    assert "must be" not in error.value and "got" not in error.value
    assert at.text_input(key=NEW_NAME_KEY).value == name
    assert at.text_area(key=NEW_NOTES_KEY).value == "notes typed"
    with Store.open() as store:
        assert [c.name for c in store.list_clients()] == ["Ann"]


def test_starting_a_session_is_confirmed(data_dir: Path) -> None:
    with Store.open() as store:
        client = store.add_client("Tess Client")
    at = page_app("progress", "progress_page").run()
    assert at.sidebar.selectbox(key=session_key(client.id)).proto.placeholder.startswith(
        "No session today"
    )
    at.text_input(key=THERAPIST_KEY).set_value("Dr Who")
    at.button(key="current_start_session_submit").click().run()
    assert not at.exception and not at.error
    with Store.open() as store:
        [session] = store.list_sessions(client.id)
    assert session.therapist == "Dr Who"
    confirmed = f"Started Session #{session.id} (today "
    assert confirmed in at.sidebar.success[0].value and "Tess Client" in at.success[0].value
    assert confirmed in at.toast[0].value
    assert at.sidebar.selectbox(key=session_key(client.id)).value == session.id


def test_a_second_session_today_needs_the_deliberate_button(data_dir: Path) -> None:
    """With today's session open, the sidebar offered "Start today's session" again: one
    click opened a second session the same day."""
    with Store.open() as store:
        client = store.add_client("Morning Visit")
    at = page_app("progress", "progress_page").run()
    start = at.button(key="current_start_session_submit")
    assert (start.label, start.proto.type) == ("Start today's session", "primary")
    start.click().run()
    with Store.open() as store:
        [morning] = store.list_sessions(client.id)
    start = at.button(key="current_start_session_submit")
    assert (start.label, start.proto.type) == ("Start another session today", "secondary")
    named = [c.value for c in at.sidebar.caption]
    assert any(f"Today's session is Session #{morning.id} (today " in c for c in named), named
    start.click().run()  # an afternoon visit: still possible, on purpose
    assert not at.exception and not at.error
    with Store.open() as store:
        sessions = store.list_sessions(client.id)
    assert len(sessions) == 2
    afternoon = max(s.id for s in sessions)
    assert at.sidebar.selectbox(key=session_key(client.id)).value == afternoon
    assert at.button(key="current_start_session_submit").label == "Start another session today"


def test_the_confirmation_outlives_a_rerun_right_after(data_dir: Path) -> None:
    """In the browser a rerun right after Start (a widget settling) wiped "Started Session …"
    before it could be read: it stays a few seconds now, its toast shown once."""
    with Store.open() as store:
        store.add_client("Quick Rerun")
    at = page_app("progress", "progress_page").run()
    at.button(key="current_start_session_submit").click().run()
    assert "Started Session #" in at.sidebar.success[0].value and len(at.toast) == 1
    at.run()  # the browser's rerun
    assert "Started Session #" in at.sidebar.success[0].value and len(at.toast) == 0
