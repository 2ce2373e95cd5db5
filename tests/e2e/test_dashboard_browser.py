"""End to end in a real browser: Debian Chromium (driven by Playwright) with a fake camera fed
from real footage runs a live shoulder-abduction assessment on ``streamlit run app.py``, sees
the skeleton and the angle read-out, captures the held end range and finds the measurement in
the session review.

The fake camera plays the seated shoulder-abduction clip with the arms held overhead for 2 s
(``tests/e2e/footage.py``). Screenshots go to ``test-artifacts/e2e/`` (git-ignored). Needs
/usr/bin/chromium; never downloads a browser.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from romcam.store import Store
from romcam.ui.live_status import CAMERA_HELP_TITLE
from tests.e2e.footage import held_abduction_frames, write_y4m
from tests.e2e.harness import (
    ARTIFACTS,
    chromium_page,
    fake_camera_flags,
    fps_shown,
    running_app,
    start_live_test,
)

pytestmark = pytest.mark.browser
log = logging.getLogger(__name__)


def _make_y4m(folder: Path) -> Path:
    """The fake camera's video: rest, raise, arms held overhead 3 s, lower (see footage.py)."""
    # A webcam's 30 frames/s; on a 2-core machine the app asks it for 15 (all of which are
    # measured, benchmarks/README.md), on more cores for 30. The 3 s hold leaves room for a
    # slower CI machine.
    frames = held_abduction_frames(width=640, hold_s=3.0, fps=30.0)
    return write_y4m(frames, folder / "cam.y4m", fps=30)


@pytest.fixture
def app_url(tmp_path: Path) -> Iterator[str]:
    with running_app(tmp_path) as url:
        yield url


def test_live_assessment_in_chromium(app_url: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    cam = _make_y4m(tmp_path)
    with chromium_page(tmp_path / "profile", fake_camera_flags(cam), "failure.png") as page:
        fps = _run_assessment(page, app_url, expect)
        print(f"live frames processed per second: {fps:.1f}")
        _check_review(page, expect)
    with Store.open() as store:
        frame = store.measurements_frame()
    assert len(frame) == 1
    row = frame.iloc[0]
    assert (row["test"], row["side"], row["source"]) == ("shoulder_abduction", "right", "live")
    assert 120 < row["value"] < 185
    assert row["quality"] == "ok", row["quality_reason"]  # the 3 s hold is a clean end range
    assert row["video_path"] and row["landmarks_path"] and row["angles_path"]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        # No camera at all (headless Chromium without the fake device has none).
        (["--use-fake-ui-for-media-stream"], "NotFoundError"),
        # A camera, but the permission prompt is refused.
        (["--use-fake-device-for-media-stream", "--deny-permission-prompts"], "NotAllowedError"),
    ],
    ids=["no-camera", "permission-denied"],
)
def test_camera_problems_are_explained(
    app_url: str, tmp_path: Path, flags: list[str], message: str
) -> None:
    from playwright.sync_api import expect

    shot = f"camera-{message.lower()}.png"
    with chromium_page(tmp_path / "profile", flags, f"failure-{shot}") as page:
        page.goto(app_url)
        widget = page.frame_locator("iframe[title*='streamlit_webrtc']").first
        # Before anything went wrong: the steps, no list of browser errors, no capture yet.
        expect(page.get_by_text("Press START under the video")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(message, exact=True)).to_be_hidden()
        expect(page.get_by_role("button", name="Capture now")).to_be_disabled()
        widget.get_by_role("button", name="START").click()
        # The browser's error shows in the widget; the page says what it means and what to do.
        expect(widget.get_by_text(message)).to_be_visible(timeout=30_000)
        page.get_by_text(CAMERA_HELP_TITLE).click()
        expect(page.get_by_text(message, exact=True)).to_be_visible()
        expect(page.get_by_role("button", name="Capture now")).to_be_disabled()
        page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    with Store.open() as store:
        assert store.measurements_frame().empty


def _run_assessment(page, url: str, expect) -> float:
    """Choose the test, start the camera, watch the read-out, wait for the capture."""
    frame = start_live_test(page, url, expect, "Shoulder abduction", "right")
    expect(page.get_by_text("Camera at chest height").first).to_be_visible()  # how to set up
    # The skeleton and read-out are drawn on the returned video; the panel mirrors them.
    expect(page.get_by_text("Set-up OK").or_(page.get_by_text("Fix the set-up"))).to_be_visible(
        timeout=45_000
    )
    page.wait_for_timeout(2500)
    page.screenshot(path=str(ARTIFACTS / "01-live-readout.png"), full_page=True)
    panel = page.get_by_test_id("stMetric").filter(has_text="Shoulder abduction").inner_text()
    assert re.search(r"\d+\.\d deg", panel), panel
    expect(
        page.get_by_text(re.compile(r"Saved #\d+ Shoulder abduction \(right\), before"))
    ).to_be_visible(timeout=90_000)
    fps, camera_fps = fps_shown(page)
    page.screenshot(path=str(ARTIFACTS / "02-captured.png"), full_page=True)
    video = frame.locator("video").first
    video.screenshot(path=str(ARTIFACTS / "03-video-frame.png"))
    frame.get_by_role("button", name="STOP").click()
    log.warning("live frames/s shown on the page: %.0f of the camera's %.0f", fps, camera_fps)
    (ARTIFACTS / "fps.txt").write_text(f"{fps:.0f} of {camera_fps:.0f}\n")
    return fps


def _open_page(page, name: str, attempts: int = 3) -> None:
    """Click the sidebar link until the page's title shows: a click that lands while the live
    status fragment reruns can be dropped by Streamlit, so one retry is part of the recipe."""
    heading = page.get_by_role("heading", name=name, exact=True)
    for _ in range(attempts):
        page.get_by_role("link", name=name).click()
        try:
            heading.wait_for(state="visible", timeout=15_000)
            return
        except PlaywrightTimeoutError:
            log.warning("the %s page did not open; clicking again", name)
    raise AssertionError(f"the {name} page did not open after {attempts} clicks")


def _check_review(page, expect) -> None:
    """The measurement is listed in the session review, with its video and angle curve."""
    _open_page(page, "Session review")
    title = re.compile(r"#\d+ Shoulder abduction \(right\) — before: \d+\.\d deg · live camera")
    expect(page.get_by_text(title)).to_be_visible(timeout=30_000)
    page.get_by_text(title).click()
    details = page.get_by_test_id("stExpander").filter(has_text="shoulder abduction")
    expect(details.locator("video")).to_be_visible(timeout=30_000)
    expect(details.get_by_test_id("stVegaLiteChart")).to_be_visible(timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "04-session-review.png"), full_page=True)
    details.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    details.screenshot(path=str(ARTIFACTS / "05-recording-and-curve.png"))
