"""Load test: concurrent headless Chromium sessions against a local app server.

Starts ``streamlit run Home.py`` on a free port on 127.0.0.1, opens ``--sessions``
browser sessions (one Chromium, one context each) that for ``--seconds`` visit every
page and change a random number input, and reports:

- errors: exception boxes, page-not-found dialogs, JavaScript errors and timeouts;
- the time from an input change until the script has finished (p50, p95);
- the server's resident memory (RSS) after a warm-up visit of every page and at the end.

Run from the project root: ``python -m benchmarks.load_test --sessions 20 --seconds 60``.
It only talks to the server it started, and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
RUN_TIMEOUT_S = 120.0

# Records every change of the script state with its time, so a change's latency is
# measured from the page's own clock and not from polling.
STATE_RECORDER = """
window.__scriptStates = [];
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (app) {
    const state = app.getAttribute('data-test-script-state');
    const last = window.__scriptStates[window.__scriptStates.length - 1];
    if (!last || last.state !== state) window.__scriptStates.push({state, t: performance.now()});
  }
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});
"""

# Resolves with the time at which a run that started after `since` finished.
# A change that Streamlit does not commit (an unchanged or out-of-range number) starts
# no run, so the wait first checks that a run started at all.
RUN_STARTED = """
(since) => (window.__scriptStates || []).some((entry) => entry.t >= since && entry.state === 'running')
"""
NO_RERUN_WAIT_S = 10.0

WAIT_FOR_RUN_END = """
(since) => {
  const states = window.__scriptStates || [];
  let started = false;
  for (const entry of states) {
    if (entry.t < since) continue;
    if (entry.state === 'running') started = true;
    if (started && entry.state === 'notRunning') return entry.t;
  }
  return null;
}
"""


@dataclass
class Results:
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    page_visits: int = 0
    changes_without_rerun: int = 0


def page_paths() -> list[str]:
    """Return the URL path of every page; the home page is the default page at "/"."""
    return sorted("" if path.stem == "home" else path.stem for path in (ROOT / "pages").glob("*.py"))


def resident_memory_mb(pid: int) -> float:
    """Return the resident set size of process ``pid`` in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS line for process {pid}")


def start_server(port: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "streamlit", "run", "Home.py",
        "--server.headless", "true", "--server.address", "127.0.0.1",
        "--server.port", str(port), "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


async def wait_until_healthy(url: str, timeout_s: float = 60.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError(f"server at {url} not healthy after {timeout_s} s")


async def wait_for_idle(page: Page) -> None:
    """Wait until a script run that started after the page loaded has finished.

    Right after a navigation Streamlit reports "notRunning" before its first run has
    begun, so the recorded states must include a run. Streamlit 1.67 also loads the
    code of many widgets lazily and shows a skeleton until it arrives, which under
    load can outlast the run, so the skeletons must be gone too.
    """
    await page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const states = (window.__scriptStates || []).map((entry) => entry.state);
            return app && app.getAttribute('data-test-connection-state') === 'CONNECTED'
                && states.includes('running')
                && app.getAttribute('data-test-script-state') === 'notRunning'
                && !document.querySelector('[data-testid^="stSkeleton"]');
        }""",
        timeout=RUN_TIMEOUT_S * 1000,
    )


async def count_problems(page: Page) -> list[str]:
    problems = []
    if await page.locator('[data-testid="stException"]').count():
        problems.append(f"exception box on {page.url}")
    if await page.get_by_text("Page not found").count():
        problems.append(f"page-not-found dialog on {page.url}")
    return problems


async def change_random_input(page: Page, rng: random.Random) -> bool:
    """Type a new in-range value into a random number input; False if there is none."""
    # Inputs in an inactive tab are in the DOM but hidden, and cannot be typed into.
    inputs = page.locator('input[type="number"]:visible:not([disabled])')
    count = await inputs.count()
    if count == 0:
        return False
    field_ = inputs.nth(rng.randrange(count))
    low = float(await field_.get_attribute("min") or 0)
    high = float(await field_.get_attribute("max") or low + 100)
    step = float(await field_.get_attribute("step") or 1)
    current = float(await field_.input_value() or low)
    # Move a few steps from the current value so the rerun stays in a realistic range.
    value = min(high, max(low, current + step * rng.choice([-3, -2, -1, 1, 2, 3])))
    if value == current:
        value = min(high, max(low, current - step)) if current > low else min(high, current + step)
    text = str(int(value)) if step.is_integer() and float(value).is_integer() else f"{value:.4g}"
    await field_.fill(text)
    await field_.press("Enter")
    return True


async def session(browser: Browser, base_url: str, worker: int, end_at: float, results: Results) -> None:
    rng = random.Random(worker)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_init_script(STATE_RECORDER)
    page = await context.new_page()
    page.on("pageerror", lambda error: results.errors.append(f"javascript error: {error}"))
    paths = page_paths()
    try:
        while time.monotonic() < end_at:
            path = paths[rng.randrange(len(paths))]
            try:
                await page.goto(f"{base_url}/{path}", timeout=RUN_TIMEOUT_S * 1000)
                await wait_for_idle(page)
                results.page_visits += 1
                for _ in range(rng.randint(1, 3)):
                    if time.monotonic() >= end_at:
                        break
                    since = await page.evaluate("performance.now()")
                    if not await change_random_input(page, rng):
                        break
                    try:
                        await page.wait_for_function(
                            RUN_STARTED, arg=since, timeout=NO_RERUN_WAIT_S * 1000, polling=20
                        )
                    except PlaywrightTimeoutError:
                        results.changes_without_rerun += 1
                        continue
                    handle = await page.wait_for_function(
                        WAIT_FOR_RUN_END, arg=since, timeout=RUN_TIMEOUT_S * 1000, polling=20
                    )
                    finished = await handle.json_value()
                    results.latencies_ms.append(finished - since)
                    await wait_for_idle(page)
                results.errors.extend(await count_problems(page))
            except Exception as error:  # noqa: BLE001 - every failure is counted, the run goes on
                results.errors.append(f"{type(error).__name__} on /{path}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


async def warm_up(browser: Browser, base_url: str) -> None:
    """Visit every page once, so the memory baseline includes models and caches."""
    context = await browser.new_context()
    await context.add_init_script(STATE_RECORDER)
    page = await context.new_page()
    for path in page_paths():
        await page.goto(f"{base_url}/{path}", timeout=RUN_TIMEOUT_S * 1000)
        await wait_for_idle(page)
    await context.close()


async def run(sessions: int, seconds: float, port: int) -> None:
    server = start_server(port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        await wait_until_healthy(base_url)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            await warm_up(browser, base_url)
            memory_before = resident_memory_mb(server.pid)

            results = Results()
            end_at = time.monotonic() + seconds
            await asyncio.gather(*(session(browser, base_url, worker, end_at, results) for worker in range(sessions)))
            memory_after = resident_memory_mb(server.pid)
            await browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    latencies = sorted(results.latencies_ms)
    print(f"sessions {sessions}, duration {seconds:.0f} s, page visits {results.page_visits}, "
          f"input changes {len(latencies)} (plus {results.changes_without_rerun} that started no run)")
    if latencies:
        p95 = statistics.quantiles(latencies, n=20, method="inclusive")[-1] if len(latencies) > 1 else latencies[0]
        print(f"change-to-finished: p50 {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
              f"max {latencies[-1]:.0f} ms")
    print(f"server RSS: {memory_before:.0f} MiB after warm-up, {memory_after:.0f} MiB at the end, "
          f"growth {memory_after - memory_before:+.0f} MiB")
    print(f"errors: {len(results.errors)}")
    for error in results.errors[:20]:
        print(f"  {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="concurrent browser sessions")
    parser.add_argument("--seconds", type=float, default=60.0, help="duration of the load, in seconds")
    parser.add_argument("--port", type=int, default=8765, help="port for the server on 127.0.0.1")
    arguments = parser.parse_args()
    if not 1 <= arguments.sessions <= 50 or not 1 <= arguments.seconds <= 600:
        parser.error("use 1 to 50 sessions and 1 to 600 seconds")
    asyncio.run(run(arguments.sessions, arguments.seconds, arguments.port))


if __name__ == "__main__":
    main()
