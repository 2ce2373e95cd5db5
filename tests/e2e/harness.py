"""Running the dashboard for a real browser: ``streamlit run app.py`` on a free localhost
port with a private data directory, and a fresh headless Debian Chromium (driven by
Playwright, never a downloaded browser) with optional fake-camera flags.

Used by the end-to-end tests and by ``benchmarks/bench_browser_live.py``.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from romcam.store import Store
from tests.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CLIENT = "E2E Client"
BASE_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.5)
    raise TimeoutError(f"streamlit did not become healthy at {url}")


@contextlib.contextmanager
def running_app(folder: Path, with_client: bool = True) -> Iterator[str]:
    """The dashboard's URL while it runs with data, cache and log under ``folder``.

    The store gets one client (:data:`CLIENT`) with an open session, unless ``with_client`` is
    False (an empty store, as on a first day). ``ROMCAM_DATA_DIR`` and
    ``ROMCAM_CACHE_DIR`` point into ``folder`` in this process too (so the caller can open the
    same store) and are restored afterwards.
    """
    saved = {k: os.environ.get(k) for k in ("ROMCAM_DATA_DIR", "ROMCAM_CACHE_DIR")}
    os.environ["ROMCAM_DATA_DIR"] = str(folder / "data")
    os.environ["ROMCAM_CACHE_DIR"] = str(folder / "cache")
    env = {k: v for k, v in os.environ.items() if k != "ROMCAM_DATABASE_URL"}
    try:
        with Store.open() as store:
            if with_client:
                client = store.add_client(CLIENT)
                store.start_session(client.id, therapist="E2E")
        with _streamlit(folder, env) as url:
            yield url
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _streamlit(folder: Path, env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    log_path = folder / "streamlit.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py"]
    command += ["--server.port", str(port), "--server.address", "localhost"]
    command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        url = f"http://localhost:{port}"
        try:
            _wait_healthy(url, proc)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(log_path.read_text()[-3000:])  # pytest shows it only on failure


@contextlib.contextmanager
def chromium_page(profile: Path, extra_flags: list[str], shot: str) -> Iterator:
    """A page of a fresh headless Debian Chromium; a screenshot ``shot`` is kept on failure."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise FileNotFoundError(f"{CHROMIUM} is missing: install Debian's chromium package")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            viewport={"width": 1400, "height": 1000},
            args=[*BASE_FLAGS, *extra_flags],
        )
        page = context.pages[0] if context.pages else context.new_page()
        try:
            yield page
        except Exception:
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            raise
        finally:
            context.close()


def fake_camera_flags(y4m: Path) -> list[str]:
    """Chromium flags: allow the camera without asking and feed it from ``y4m`` (looped)."""
    return [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
    ]


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit selectbox labelled ``label``."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()


def start_live_test(page, url: str, expect, test: str, side: str) -> object:
    """Open the Assess page, choose ``test`` and ``side``, press START; the camera widget."""
    page.goto(url)  # the Assess page is the default page
    expect(page.get_by_text("Assess (live)").first).to_be_visible(timeout=30_000)
    expect(page.get_by_label("Client", exact=True).first).to_be_visible(timeout=30_000)
    choose(page, "Test", test)
    page.get_by_text(side, exact=True).first.click()  # the Side radio
    expect(page.get_by_role("radio", name=side)).to_be_checked(timeout=30_000)
    page.wait_for_timeout(1500)  # let the rerun that follows the choice finish
    widget = page.frame_locator("iframe[title*='streamlit_webrtc']").first
    widget.get_by_role("button", name="START").click()
    return widget


#: The live status panel's frame rate line ("Measuring 14 of the camera's 15 frames per second.").
FPS_LINE = re.compile(r"Measuring (\d+) of the camera's (\d+) frames per second")


def fps_shown(page) -> tuple[float, float]:
    """The live status panel's frame rate: (measured, sent by the camera); 0 when not shown."""
    line = page.get_by_text(FPS_LINE)
    found = FPS_LINE.search(line.first.inner_text()) if line.count() else None
    return (float(found[1]), float(found[2])) if found else (0.0, 0.0)
