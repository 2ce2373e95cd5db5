"""End to end in Chromium: the client picked in the sidebar on one page is the client of the
next page, and START with no session starts today's session for that client (the fake camera
plays the shoulder-abduction footage). Screenshots go to ``test-artifacts/e2e/``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from romcam.store import Store
from tests.e2e.footage import held_abduction_frames, write_y4m
from tests.e2e.harness import ARTIFACTS, choose, chromium_page, fake_camera_flags, running_app
from tests.e2e.test_dashboard_browser import _open_page

pytestmark = pytest.mark.browser
WALK_IN = "Walk In"


def test_client_carries_over_and_start_opens_a_session(tmp_path: Path) -> None:
    from playwright.sync_api import expect

    cam = write_y4m(held_abduction_frames(width=480, hold_s=1.0), tmp_path / "cam.y4m", fps=30)
    with (
        running_app(tmp_path) as url,
        chromium_page(tmp_path / "profile", fake_camera_flags(cam), "current-failure.png") as page,
    ):
        with Store.open() as store:
            walk_in = store.add_client(WALK_IN)  # a second client, with no session yet
        page.goto(f"{url}/review")
        expect(page.get_by_role("heading", name="Session review")).to_be_visible(timeout=30_000)
        choose(page, "Client", WALK_IN)
        expect(page.get_by_text(f"{WALK_IN} has no sessions yet")).to_be_visible(timeout=30_000)
        _open_page(page, "Assess (live)")
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_role("combobox", name="Client")).to_have_value(WALK_IN)
        expect(page.get_by_text(f"Client: {WALK_IN} · no session yet")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "current-01-assess-no-session.png"), full_page=True)
        widget = page.frame_locator("iframe[title*='streamlit_webrtc']").first
        widget.get_by_role("button", name="START").click()
        started = re.compile(rf"Started Session #\d+ \(today \d\d:\d\d\) for {WALK_IN}\.")
        expect(sidebar.get_by_text(started)).to_be_visible(timeout=60_000)
        expect(page.get_by_text(re.compile(rf"Client: {WALK_IN} · Session #\d+"))).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "current-02-started.png"), full_page=True)
        widget.get_by_role("button", name="STOP").click()
        with Store.open() as store:
            assert len(store.list_sessions(walk_in.id)) == 1
