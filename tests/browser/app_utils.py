"""Playwright helpers that wait for Streamlit before a test asserts."""

from __future__ import annotations

from playwright.sync_api import Page, expect

RUN_TIMEOUT_MS = 60_000


# Installed in every test page before its scripts run: records each change of the
# script state, so a wait can tell "finished" from "not started yet". Right after a
# navigation Streamlit reports "notRunning" before its first run has begun.
STATE_RECORDER = """
window.__scriptStates = [];
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app) return;
  const state = app.getAttribute('data-test-script-state');
  const states = window.__scriptStates;
  if (!states.length || states[states.length - 1] !== state) states.push(state);
}).observe(document, {subtree: true, childList: true, attributes: true,
                      attributeFilter: ['data-test-script-state']});
"""


def wait_for_app(page: Page, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
    """Wait until the app is connected and its script has finished running.

    On pages with the state recorder, a run must also have started since the page
    loaded. In both cases the state must stay "notRunning" for 300 ms, because a
    rerun can follow right after a run (a URL write, a widget callback).
    """
    app = page.locator('[data-testid="stApp"]')
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            const states = window.__scriptStates;
            const started = states === undefined || states.includes('running');
            if (!app || !started || app.getAttribute('data-test-script-state') !== 'notRunning') {
                window.__quietSince = undefined;
                return false;
            }
            window.__quietSince = window.__quietSince ?? performance.now();
            return performance.now() - window.__quietSince > 300;
        }""",
        timeout=timeout_ms,
        polling=50,
    )


def open_page(page: Page, base_url: str, path: str = "") -> None:
    """Open ``base_url/path`` and wait for the script to finish."""
    page.goto(f"{base_url}/{path}")
    wait_for_app(page)


def assert_no_exception(page: Page) -> None:
    """Fail if Streamlit shows an exception box or the page-not-found dialog."""
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


def metric_value(page: Page, label: str) -> str:
    """Return the displayed value of the ``st.metric`` with this label."""
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text()
