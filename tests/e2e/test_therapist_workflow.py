"""End to end in Chromium: a therapist's whole day on a first-day dashboard (empty store).

Add a client and start today's session in the sidebar; measure shoulder abduction *before*
treatment live (the fake camera plays the seated shoulder-abduction footage, arms held
overhead); upload a squat clip as *after* (the knee is never held at the bottom: nothing to
save; the arms held overhead are a shoulder flexion) and save it once, even when Save is
double-clicked; read the session review (measurements by test name, the annotated video, the
before/after chart) and its downloadable report; the client's progress over visits minutes
apart (a date axis, no trend) and its report; save a camera level on the Calibration page;
change the frame rate in Settings and find it again after a reload.

Every step leaves a 1366x768 screenshot in ``test-artifacts/workflow/NN-step.png`` (git-ignored;
docs/screenshots/ holds a curated copy). The cross-page client check is
``test_current_client_browser.py``'s. Needs /usr/bin/chromium and ffmpeg.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from romcam.calibration import list_profiles, load_profile
from romcam.outcomes.visits import NO_TREND_NOTE
from romcam.store import MeasurementInput, Store
from romcam.ui.settings_file import settings_path
from tests.conftest import REPO_ROOT, shared_video
from tests.e2e.footage import held_abduction_frames, write_y4m
from tests.e2e.harness import choose, chromium_page, fake_camera_flags, running_app
from tests.e2e.test_dashboard_browser import _open_page

if TYPE_CHECKING:
    from playwright.sync_api import Page, ViewportSize

pytestmark = pytest.mark.browser

SHOTS = REPO_ROOT / "test-artifacts" / "workflow"
CLIENT = "Robin Example"
#: Earlier visits of the client (minutes before today's session): right shoulder abduction,
#: before treatment, in degrees. Seeded in the store: a live capture per visit would triple
#: the run time, and the point is how the progress page reads visits minutes apart.
EARLIER_VISITS = ((20, 128.0), (10, 134.0))
#: Text no person should read on a page: raw ids, Python's None.
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
#: The tallest scrolling content of the page (the main area or the sidebar), in CSS pixels.
_CONTENT_HEIGHT = """() => Math.max(window.innerHeight, ...[...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stSidebarContent"], [data-testid="stAppViewContainer"]'
)].map(e => e.scrollHeight))"""
RAW = re.compile(r"\b(?:shoulder_abduction|knee_flexion|side_left|no_data|mdc95|None)\b")


class Steps:
    """Numbered full-page screenshots of the steps, at a laptop's 1366x768."""

    def __init__(self, page: Page) -> None:
        self.page, self.n = page, 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()
        page.set_viewport_size(VIEWPORT)

    def shot(self, name: str, full_page: bool = True) -> None:
        """``NN-name.png``; ``full_page``: the whole page, however far it scrolls."""
        self.n += 1
        page = self.page
        page.mouse.move(0, 0)  # no hover toolbars over the page (a chart's covers the table)
        page.wait_for_timeout(800)  # let charts and fade-ins settle
        # Streamlit scrolls inside its main area, so the window is made as tall as that area's
        # content for the picture (the width, and so the layout, stays a laptop's).
        height = page.evaluate(_CONTENT_HEIGHT) if full_page else VIEWPORT["height"]
        if height > VIEWPORT["height"]:
            page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
            page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"{self.n:02d}-{name}.png"))
        page.set_viewport_size(VIEWPORT)


def _main_text(page: Page) -> str:
    return page.get_by_test_id("stMain").inner_text()


def _assert_plain(page: Page) -> None:
    """The page's words name tests and sides as people do (no ids, no "None")."""
    found = RAW.findall(_main_text(page))
    assert not found, found


def _sidebar_shows(page: Page, expect: Any, client: str) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_role("combobox", name="Client")).to_have_value(client)


def _squat_clip(folder: Path) -> Path:
    """The first squat (3.4 s) of the side-view portrait clip, as a therapist's upload."""
    out = folder / "squat after treatment.mp4"
    source = shared_video("squat_side_portrait_02.mp4")
    command = ["ffmpeg", "-v", "error", "-y", "-t", "3.4", "-i", str(source), "-an"]
    subprocess.run([*command, "-c:v", "libx264", "-preset", "veryfast", str(out)], check=True)
    return out


def test_therapist_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import expect

    monkeypatch.delenv("ROMCAM_CAMERA_FPS", raising=False)  # Settings must own the frame rate
    cam = write_y4m(held_abduction_frames(width=640, hold_s=3.0), tmp_path / "cam.y4m", fps=30)
    clip = _squat_clip(tmp_path)
    with (
        running_app(tmp_path, with_client=False) as url,
        chromium_page(tmp_path / "profile", fake_camera_flags(cam), "workflow-failure.png") as page,
    ):
        steps = Steps(page)
        client_id, session_id = _add_client_and_start_session(page, url, expect, steps)
        _seed_earlier_visits(client_id)
        _assess_before(page, expect, steps)
        _analyze_after(page, expect, steps, clip, session_id)
        _review(page, expect, steps, tmp_path, session_id)
        _progress(page, expect, steps, tmp_path)
        _calibration(page, expect, steps)
        _settings(page, url, expect, steps)
    assert steps.n >= 14


def _add_client_and_start_session(
    page: Page, url: str, expect: Any, steps: Steps
) -> tuple[int, int]:
    """First visit: nothing chosen, the steps say what to do; add the client, start a session."""
    page.goto(url)
    expect(page.get_by_role("heading", name="Assess (live)")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("1 · Add or choose a client (sidebar)")).to_be_visible()
    steps.shot("assess-first-visit")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name="Add a client").click()
    page.get_by_label("Name or pseudonym").fill(CLIENT)
    page.get_by_label("Notes (optional)").fill("Right shoulder, desk work.")
    steps.shot("add-client", full_page=False)
    page.get_by_role("button", name="Add client", exact=True).click()
    expect(sidebar.get_by_text(f"Added {CLIENT}. Start today's session below.")).to_be_visible(
        timeout=30_000
    )
    _sidebar_shows(page, expect, CLIENT)
    sidebar.get_by_role("button", name="Start today's session").click()
    started = re.compile(rf"Started Session #\d+ \(today \d\d:\d\d\) for {CLIENT}\.")
    expect(sidebar.get_by_text(started)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(rf"Client: {CLIENT} · Session #\d+"))).to_be_visible()
    expect(page.get_by_text("3 · Press START under the video")).to_be_visible()
    steps.shot("session-started")
    with Store.open() as store:
        [client] = store.list_clients()
        [session] = store.list_sessions(client.id)
    assert (client.name, client.notes) == (CLIENT, "Right shoulder, desk work.")
    return client.id, session.id


def _seed_earlier_visits(client_id: int) -> None:
    """Two earlier visits today, 10 minutes apart (see EARLIER_VISITS)."""
    now = datetime.now(UTC)
    with Store.open() as store:
        for minutes_ago, value in EARLIER_VISITS:
            when = now - timedelta(minutes=minutes_ago)
            session = store.start_session(client_id, therapist="Sam", started_at=when)
            measured = MeasurementInput(
                "shoulder_abduction", "right", "before", value, view="front", measured_at=when
            )
            store.add_measurement(session.id, measured)


def _assess_before(page: Page, expect: Any, steps: Steps) -> None:
    """Live right shoulder abduction before treatment: captured by itself once held."""
    choose(page, "Test", "Shoulder abduction")
    _pick_side(page, expect, "right")
    expect(page.get_by_role("radio", name="before")).to_be_checked()
    widget = page.frame_locator("iframe[title*='streamlit_webrtc']").first
    widget.get_by_role("button", name="START").click()
    expect(page.get_by_text("Set-up OK").or_(page.get_by_text("Fix the set-up"))).to_be_visible(
        timeout=45_000
    )
    page.wait_for_timeout(2000)
    steps.shot("assess-live")
    saved = re.compile(r"Saved #\d+ Shoulder abduction \(right\), before: \d+\.\d deg")
    expect(page.get_by_text(saved)).to_be_visible(timeout=90_000)
    steps.shot("assess-captured")
    widget.get_by_role("button", name="STOP").click()
    expect(page.get_by_text("Set-up OK")).to_be_hidden(timeout=30_000)  # the panel is cleared
    with Store.open() as store:
        live = store.measurements_frame().query("source == 'live'")
    assert len(live) == 1
    assert live.iloc[0]["phase"] == "before" and 120 < live.iloc[0]["value"] < 185


def _analyze_after(page: Page, expect: Any, steps: Steps, clip: Path, session_id: int) -> None:
    """The squat clip after treatment: the knee never held at the bottom, so nothing to save
    for knee flexion; the arms held overhead are a shoulder flexion, saved once however often
    Save is clicked."""
    _open_page(page, "Analyze a recording")
    _sidebar_shows(page, expect, CLIENT)
    choose(page, "Test", "Knee flexion")
    _pick_side(page, expect, "left")
    page.locator("input[type=file]").set_input_files(clip)
    page.get_by_role("button", name="Analyze", exact=True).click()
    expect(page.get_by_text(f"Result: {clip.name}")).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile("^Nothing to save: no end range"))).to_be_visible()
    expect(page.get_by_role("button", name="Save measurement")).to_have_count(0)
    _assert_plain(page)
    steps.shot("analyze-nothing-to-save")
    choose(page, "Test", "Shoulder flexion")  # the same analysis, read for another test
    _pick_side(page, expect, "left")
    page.get_by_text("after", exact=True).first.click()
    expect(page.get_by_role("radio", name="after")).to_be_checked(timeout=30_000)
    save = page.get_by_role("button", name="Save measurement")
    expect(save).to_be_enabled(timeout=30_000)
    _assert_plain(page)
    steps.shot("analyze-result")
    save.dblclick()  # the double click that once stored the result twice
    saved = page.get_by_role("button", name=re.compile(r"Saved as measurement #\d+"))
    expect(saved).to_be_disabled(timeout=30_000)
    saved.click(force=True)
    page.wait_for_timeout(1500)
    steps.shot("analyze-saved")
    with Store.open() as store:
        after = store.measurements_frame(session_id=session_id).query("phase == 'after'")
    assert len(after) == 1, after
    row = after.iloc[0]
    assert (row["test"], row["side"], row["source"]) == ("shoulder_flexion", "left", "video")
    assert row["quality"] == "ok" and 120 < row["value"] < 180


def _pick_side(page: Page, expect: Any, side: str) -> None:
    page.get_by_text(side, exact=True).first.click()
    expect(page.get_by_role("radio", name=side)).to_be_checked(timeout=30_000)
    page.wait_for_timeout(1000)  # let the rerun that follows the choice finish


def _review(page: Page, expect: Any, steps: Steps, folder: Path, session_id: int) -> None:
    """Both measurements by test name, the before/after chart, the annotated video, the report."""
    _open_page(page, "Session review")
    _sidebar_shows(page, expect, CLIENT)
    expect(page.get_by_text("Measurements (2)")).to_be_visible(timeout=30_000)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible()
    bars = page.get_by_test_id("stVegaLiteChart").first
    expect(bars).to_be_visible()
    assert "value (deg)" in (bars.get_by_role("img").first.text_content() or "")
    before = re.compile(r"#\d+ Shoulder abduction \(right\) — before: \d+\.\d deg · live camera")
    after = re.compile(r"#\d+ Shoulder flexion \(left\) — after: \d+\.\d deg · uploaded video")
    expect(page.get_by_text(before)).to_be_visible()
    expect(page.get_by_text(after)).to_be_visible()
    _assert_plain(page)
    steps.shot("review")
    page.get_by_text(before).click()
    details = page.get_by_test_id("stExpander").filter(has_text="Shoulder abduction (right)")
    expect(details.locator("video")).to_be_visible(timeout=60_000)
    expect(details.get_by_test_id("stVegaLiteChart")).to_be_visible(timeout=30_000)
    details.scroll_into_view_if_needed()
    steps.shot("review-measurement")
    with Store.open() as store:
        [live] = [m for m in store.list_measurements(session_id) if m.source == "live"]
        assert live.recording is not None and live.recording.video_path
        video = store.path_of(live.recording.video_path)
    assert video.with_name("annotated.mp4").is_file()  # drawn with the skeleton, then shown
    page.get_by_role("button", name="Build the printable report").click()
    report = _download(page, "Download the session report", folder / "session.html")
    assert "Shoulder abduction (right)" in report and "Shoulder flexion (left)" in report
    _show_report(page, report, steps, "session-report")


def _download(page: Page, button: str, path: Path) -> str:
    """Click the download button whose name starts with ``button``; the file's text."""
    with page.expect_download() as info:
        page.get_by_role("button", name=re.compile("^" + re.escape(button))).click()
    info.value.save_as(path)
    return path.read_text(encoding="utf-8")


def _show_report(page: Page, html: str, steps: Steps, name: str) -> None:
    """Open a downloaded report in a second tab, as a therapist would, for its screenshot."""
    tab = page.context.new_page()
    tab.set_viewport_size(VIEWPORT)
    tab.set_content(html, wait_until="load")
    tab.wait_for_timeout(1000)
    steps.n += 1
    tab.screenshot(path=str(SHOTS / f"{steps.n:02d}-{name}.png"), full_page=True)
    tab.close()


def _progress(page: Page, expect: Any, steps: Steps, folder: Path) -> None:
    """Three visits minutes apart: on a date axis, with no trend drawn from them."""
    _open_page(page, "Client progress")
    _sidebar_shows(page, expect, CLIENT)
    expect(page.get_by_text("Shoulder abduction (right)").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text(NO_TREND_NOTE)).to_be_visible()
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible()
    # The visits on a date axis: "03 Dec 2026 02:45", never ".209" or a bare "07:49".
    ticks = chart.get_by_role("img").first.text_content() or ""
    assert re.search(r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d", ticks), ticks
    _assert_plain(page)
    steps.shot("progress")
    page.get_by_role("button", name="Build the printable report").click()
    report = _download(page, "Download the report", folder / "progress.html")
    assert "Shoulder abduction (right)" in report
    assert "+690" not in report and "2029" not in report  # the trend and axis
    _show_report(page, report, steps, "progress-report")


def _calibration(page: Page, expect: Any, steps: Steps) -> None:
    """A phone level's reading saved to the offered profile; the list shows it at once."""
    _open_page(page, "Calibration")
    expect(page.get_by_text("No calibration profile yet")).to_be_visible(timeout=30_000)
    steps.shot("calibration-empty")
    tilt = page.get_by_role("spinbutton", name=re.compile("sideways tilt from a phone level"))
    tilt.fill("1.5")
    tilt.press("Enter")
    save = page.get_by_role("button", name="Save level")
    expect(save).to_be_enabled(timeout=30_000)
    save.click()
    expect(page.get_by_text(re.compile(r"Sideways tilt \+1\.50° .* saved to"))).to_be_visible(
        timeout=30_000
    )
    expect(page.get_by_text("No calibration profile yet")).to_be_hidden()
    steps.shot("calibration-saved")
    [name] = list_profiles()
    assert load_profile(name).roll_deg == pytest.approx(1.5)


def _settings(page: Page, url: str, expect: Any, steps: Steps) -> None:
    """10 frames/s saved, and still 10 after a reload (a new browser session)."""
    _open_page(page, "Settings")
    fps = page.get_by_role("spinbutton", name="Camera frame rate")
    fps.fill("10")
    fps.press("Enter")
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved")).to_be_visible(timeout=30_000)
    steps.shot("settings-saved")
    assert json.loads(settings_path().read_text())["camera_fps"] == 10
    page.goto(f"{url}/settings")
    expect(page.get_by_role("spinbutton", name="Camera frame rate")).to_have_value(
        "10", timeout=30_000
    )
    steps.shot("settings-after-reload")
