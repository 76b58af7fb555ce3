"""Shared fixtures: the app's paths, a live Streamlit server and a headless Chromium.

Browser tests run against ``streamlit run Home.py`` on a free port on 127.0.0.1 with
Debian's Chromium at ``/usr/bin/chromium``; no browser is ever downloaded. Without
that binary they are skipped, except when ``CI`` is set, where a skipped browser test
fails the run so that CI cannot pass without really running them.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / "Home.py"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
SERVER_START_TIMEOUT_S = 60
BROWSER_DIR = Path(__file__).parent / "browser"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"Browser test skipped under CI=true, which must run it: {report.longrepr}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout_s} s")


# Settings that Streamlit Community Cloud forces. The browser tests run with them, so a
# handled error must show the page's own message, as it would there.
CLOUD_SETTINGS = ["--client.showErrorDetails", "false"]


@contextlib.contextmanager
def streamlit_server(log_path: Path, env: Mapping[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``streamlit run Home.py`` on a free port on 127.0.0.1; yield its URL and process."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(HOME),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
        *CLOUD_SETTINGS,
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=dict(env) if env else None
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, process, SERVER_START_TIMEOUT_S)
            yield url, process
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{log_path.read_text(errors='replace')}") from None
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start the app for the browser tests and return its URL."""
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with streamlit_server(log_path) as (url, _):
        yield url


@pytest.fixture(scope="session")
def browser():
    """Launch Debian's headless Chromium through Playwright."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """Open a fresh browser context and page, closed after the test."""
    from tests.browser.app_utils import STATE_RECORDER

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_init_script(STATE_RECORDER)
    new_page = context.new_page()
    yield new_page
    context.close()
