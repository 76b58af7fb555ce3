"""The Live scoring page in headless Chromium against a live server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.app_utils import assert_no_exception, metric_value, open_page, wait_for_app

PATH = "fraud_live_scoring"
# The first visit trains the models and replays a day on a cold server.
FIRST_RUN_TIMEOUT_MS = 180_000
# Two charts explain the score; four monitor the replay (PSI, score distribution,
# precision and recall, latency).
N_CHARTS = 6


def _open(page, app_url, query: str = "") -> None:
    page.goto(f"{app_url}/{PATH}{query}")
    wait_for_app(page, timeout_ms=FIRST_RUN_TIMEOUT_MS)


def test_metrics_render(page, app_url):
    _open(page, app_url)
    assert_no_exception(page)
    score = float(metric_value(page, "Fraud score"))
    assert 0.0 <= score <= 1.0
    assert metric_value(page, "Decision") == "Approve"
    assert metric_value(page, "Latency SLA").endswith("ms")
    assert metric_value(page, "Daily FP cost").startswith("$")


def test_replay_runs_and_charts_appear(page, app_url):
    _open(page, app_url)
    expect(page.get_by_text("System monitoring signals")).to_be_visible()
    expect(page.get_by_text("Replayed 40,")).to_be_visible()
    assert metric_value(page, "Skew mismatches") == "0"
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(N_CHARTS)
    for index in range(N_CHARTS):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()


def test_drift_replay_shows_alerts(page, app_url):
    _open(page, app_url, "?drift=amount_in_cents&drift_hour=12:00")
    assert_no_exception(page)
    expect(page.get_by_text("First alert at 12:00")).to_be_visible()
    # The hourly table (in a collapsed expander) and the alerts table.
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(2)


def test_amount_change_updates_score(page, app_url):
    open_page(page, app_url, f"{PATH}?international=Yes&hour=03:00&merchant_risk=0.02")
    wait_for_app(page, timeout_ms=FIRST_RUN_TIMEOUT_MS)
    before = metric_value(page, "Fraud score")
    amount = page.get_by_role("spinbutton", name="Transaction amount ($)")
    amount.fill("2000")
    amount.press("Enter")
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.locator('[data-testid="stMetricValue"]').first).not_to_have_text(before)
    expect(page).to_have_url(re.compile(r"[?&]amount=2000(&|$)"))
