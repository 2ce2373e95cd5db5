"""End to end in Chromium: between two clinic visits, a client's home check and back.

1. The therapist's dashboard (a clinic store with the client's first visit, a week ago): the
   Home plan page, shoulder abduction on both sides; "Export plan"; the plan file downloaded.
2. The client's dashboard in client mode (``ROMCAM_HOME_PLAN`` names the plan file, as
   ``romcam home PLANFILE`` starts it; the client's own data directory): "My home check" with
   a fake camera playing the seated shoulder-abduction footage captures the two checks (left,
   then right) by itself; "My progress" exports the results file.
3. The therapist's dashboard again: Client progress, "Import home results" with that file
   ("Imported 2 home measurements ..."); with the second clinic visit (seeded three days
   after the home check), the history chart shows the home checks as diamonds between the
   two visits, and the summary compares the clinic's visits only. The same file imported
   again adds nothing.

Screenshots of every step in ``test-artifacts/home/NN-step.png`` (git-ignored). Needs
/usr/bin/chromium.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from romcam.home.plan import read_plan
from romcam.home.results import read_results
from romcam.outcomes.compare import progress
from romcam.outcomes.home import home_series
from romcam.store import MeasurementInput, Store
from tests.conftest import REPO_ROOT
from tests.e2e.footage import held_abduction_frames, write_y4m
from tests.e2e.harness import CLIENT, chromium_page, fake_camera_flags, running_app

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

SHOTS = REPO_ROOT / "test-artifacts" / "home"
#: The clinic's visits (right shoulder abduction, before treatment), seeded: a week before the
#: home check and the next appointment three days after it (the home check itself is live,
#: so it happens now; the second visit is dated on so that the chart shows the gap).
FIRST_VISIT = (timedelta(days=-7), 128.0)
SECOND_VISIT = (timedelta(days=3), 138.0)
CHECKS = ("Shoulder abduction, left", "Shoulder abduction, right")


#: The tallest scrolling content of the page (Streamlit scrolls inside its main area).
_CONTENT_HEIGHT = """() => Math.max(window.innerHeight, ...[...document.querySelectorAll(
    '[data-testid="stMain"], [data-testid="stSidebarContent"], [data-testid="stAppViewContainer"]'
)].map(e => e.scrollHeight))"""


class Shots:
    """Numbered screenshots of the whole page content in :data:`SHOTS`."""

    def __init__(self, page: Page) -> None:
        self.page, self.n = page, 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        for old in SHOTS.glob("*.png"):
            old.unlink()

    def __call__(self, name: str) -> None:
        self.n += 1
        page = self.page
        page.mouse.move(0, 0)
        page.wait_for_timeout(800)  # charts and fade-ins settle
        size = page.viewport_size or {"width": 1400, "height": 1000}
        height = page.evaluate(_CONTENT_HEIGHT)
        if height > size["height"]:  # as tall as the content, for the picture
            page.set_viewport_size({"width": size["width"], "height": height})
            page.wait_for_timeout(800)
        page.screenshot(path=str(SHOTS / f"{self.n:02d}-{name}.png"))
        page.set_viewport_size(size)


def test_plan_home_check_and_import_between_two_visits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.sync_api import expect

    monkeypatch.delenv("ROMCAM_HOME_PLAN", raising=False)
    cam = write_y4m(held_abduction_frames(width=640, hold_s=3.0), tmp_path / "cam.y4m", fps=30)
    clinic, home = tmp_path / "clinic", tmp_path / "home"
    with chromium_page(tmp_path / "profile", fake_camera_flags(cam), "home-failure.png") as page:
        shots = Shots(page)
        with running_app(clinic, with_client=True) as url:
            _seed_visit(*FIRST_VISIT)
            plan_file = _export_plan(page, url, expect, shots, tmp_path)
        monkeypatch.setenv("ROMCAM_HOME_PLAN", str(plan_file))
        with running_app(home, with_client=False) as url:
            results = _home_check(page, url, expect, shots, tmp_path)
        monkeypatch.delenv("ROMCAM_HOME_PLAN")
        with running_app(clinic, with_client=False) as url:
            _import(page, url, expect, shots, results)
    assert shots.n >= 6


def _seed_visit(offset: timedelta, value: float) -> None:
    """A clinic visit ``offset`` from now: right shoulder abduction before treatment."""
    when = datetime.now(UTC) + offset
    with Store.open() as store:
        session = store.start_session(CLIENT, therapist="Sam", started_at=when)
        store.add_measurement(
            session.id,
            MeasurementInput(
                "shoulder_abduction", "right", "before", value, view="front", measured_at=when
            ),
        )


def _export_plan(page: Page, url: str, expect: Any, shots: Shots, folder: Path) -> Path:
    """The Home plan page: shoulder abduction, both sides; Export plan; download the file."""
    page.goto(f"{url}/home-plan")
    expect(page.get_by_role("heading", name="Home plan")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile(rf"Client: {CLIENT}")).first).to_be_visible(timeout=30_000)
    page.get_by_label("Tests", exact=True).first.click()
    page.get_by_role("option", name="Shoulder abduction", exact=True).click()
    page.keyboard.press("Escape")
    expect(page.get_by_text("Clinic's last: right 128.0 deg", exact=False)).to_be_visible(
        timeout=30_000
    )
    page.get_by_label("Instruction for the client").first.fill("Raise both arms slowly.")
    page.get_by_role("button", name="Export plan").click()
    expect(page.get_by_text("The plan is saved with")).to_be_visible(timeout=30_000)
    shots("therapist-plan-exported")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the plan file").click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    plan = read_plan(path)
    assert plan.client.name == CLIENT
    assert [(i.label, s) for i, s in plan.checks] == [
        ("Shoulder abduction", "left"),
        ("Shoulder abduction", "right"),
    ]
    return path


def _home_check(page: Page, url: str, expect: Any, shots: Shots, folder: Path) -> Path:
    """Client mode: both checks captured live, then the results file exported."""
    page.goto(url)
    expect(page.get_by_role("heading", name="My home check")).to_be_visible(timeout=30_000)
    expect(page.get_by_text(f"Hello, {CLIENT}!")).to_be_visible()
    expect(page.get_by_text("Assess (live)")).to_have_count(0)  # no clinical page
    shots("client-home-check")
    for n, title in enumerate(CHECKS):
        expect(page.get_by_text(f"Test {n + 1} of 2: {title}")).to_be_visible(timeout=30_000)
        widget = page.frame_locator("iframe[title*='streamlit_webrtc']").first
        widget.get_by_role("button", name="START").click()
        done = page.get_by_text(re.compile(rf"{re.escape(title)}: done"))
        expect(done.first).to_be_visible(timeout=120_000)
        shots(f"client-captured-{n + 1}")
        widget.get_by_role("button", name="STOP").click()
        if n + 1 < len(CHECKS):
            page.get_by_role("button", name="Next test").click()
    page.goto(f"{url}/my-progress")
    expect(page.get_by_role("heading", name="My progress")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Prepare my results file").click()
    download = page.get_by_role("button", name="Download my results file")
    expect(download).to_be_visible(timeout=30_000)
    shots("client-my-progress")
    with page.expect_download() as info:
        download.click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    results = read_results(path)
    assert [(m.test, m.side) for m in results.measurements] == [
        ("shoulder_abduction", "left"),
        ("shoulder_abduction", "right"),
    ]
    assert all(m.landmarks is not None and m.video is None for m in results.measurements)
    return path


def _import(page: Page, url: str, expect: Any, shots: Shots, results: Path) -> None:
    """Client progress: import the file; the second visit; the home checks between visits."""
    page.goto(f"{url}/progress")
    expect(page.get_by_role("heading", name="Client progress")).to_be_visible(timeout=30_000)
    page.get_by_text("Import home results").click()
    page.locator("input[type=file]").set_input_files(results)
    page.get_by_role("button", name="Import", exact=True).click()
    imported = re.compile(
        r"Imported 2 home measurements \(1 test\) on \d{4}-\d\d-\d\d; 0 already there\."
    )
    expect(page.get_by_text(imported)).to_be_visible(timeout=30_000)
    shots("therapist-imported")
    _seed_visit(*SECOND_VISIT)
    page.reload()
    expect(page.get_by_role("heading", name="Client progress")).to_be_visible(timeout=30_000)
    chart = page.get_by_test_id("stVegaLiteChart").first
    expect(chart).to_be_visible(timeout=30_000)
    expect(page.get_by_text(re.compile("Teal diamonds: home check")).first).to_be_visible()
    chart.scroll_into_view_if_needed()
    shots("therapist-progress-with-home-checks")
    _check_store()
    page.get_by_text("Import home results").click()  # the same file again: nothing new
    page.locator("input[type=file]").set_input_files(results)
    page.get_by_role("button", name="Import", exact=True).click()
    again = re.compile(r"Imported 0 home measurements \(1 test\) on .*; 2 already there\.")
    expect(page.get_by_text(again)).to_be_visible(timeout=30_000)
    shots("therapist-reimport")


def _check_store() -> None:
    """Two home measurements in one home session between the visits; progress clinic-only."""
    with Store.open() as store:
        frame = store.measurements_frame(client=CLIENT)
    home = home_series(frame)
    assert sorted(home["side"]) == ["left", "right"]
    visits = frame[frame["source"] != "home"].groupby("session_id")["started_at"].first()
    assert visits.min() < home["started_at"].min() <= home["started_at"].max() < visits.max()
    [right] = progress(frame).query("side == 'right'").itertuples(index=False)
    assert (right.visits, right.first, right.latest) == (2, FIRST_VISIT[1], SECOND_VISIT[1])
