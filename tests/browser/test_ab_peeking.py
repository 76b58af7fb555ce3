"""The peeking simulator page in headless Chromium against a live server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.app_utils import RUN_TIMEOUT_MS, assert_no_exception, metric_value, open_page, wait_for_app

PATH = "ab_peeking"


def _metric(page, label: str):
    metric = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return metric.locator('[data-testid="stMetricValue"]').first


def _trajectory_chart(page):
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(2)
    return charts.first


def test_charts_and_tables_render(page, app_url):
    open_page(page, app_url, PATH)
    assert_no_exception(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(2)
    for index in range(2):
        # Vega draws into a canvas (or an svg); an empty container means the spec failed.
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(1)
    trade_offs = page.locator('[data-testid="stTable"]')
    expect(trade_offs).to_have_count(1)
    for rule in ("Fixed horizon", "Naive peeking", "Pocock", "O'Brien-Fleming", "mSPRT"):
        expect(trade_offs.get_by_text(rule, exact=True)).to_be_visible()


def test_new_experiment_changes_trajectory(page, app_url):
    open_page(page, app_url, f"{PATH}?seed=1")
    chart = _trajectory_chart(page)
    expect(chart.locator("canvas, svg").first).to_be_visible()
    before_image = chart.screenshot()
    before_p = metric_value(page, "Simulated p")

    page.get_by_role("button", name="New experiment").click()
    # Under load the rerun can start after wait_for_app's quiet period, so wait for its
    # visible results first: the seed in the URL and a new p-value.
    expect(page).to_have_url(re.compile(r"[?&]seed=2(&|$)"), timeout=RUN_TIMEOUT_MS)
    expect(_metric(page, "Simulated p")).not_to_have_text(before_p, timeout=RUN_TIMEOUT_MS)
    wait_for_app(page)

    assert_no_exception(page)
    chart = _trajectory_chart(page)
    expect(chart.locator("canvas, svg").first).to_be_visible()
    assert chart.screenshot() != before_image


def test_bad_lift_shows_error(page, app_url):
    open_page(page, app_url, f"{PATH}?lift=95")
    assert_no_exception(page)
    expect(page.get_by_text("outside 0 to 1")).to_be_visible()


def test_bad_url_value_warns(page, app_url):
    open_page(page, app_url, f"{PATH}?looks=abc")
    assert_no_exception(page)
    expect(page.get_by_text("Ignored invalid values in the link")).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(2)


def test_simulation_inputs_survive_plan_error(page, app_url):
    # A plan error stops the script before the simulation inputs are drawn. When they
    # come back, the browser must show their values, not min_value (-100 for the lift).
    open_page(page, app_url, PATH)
    lift = page.get_by_role("spinbutton", name="True lift (simulate)")
    power = page.get_by_role("spinbutton", name="Statistical power")
    expect(lift).to_have_value("2.00")

    power.fill("1.5")
    power.press("Enter")
    wait_for_app(page)
    expect(lift).to_have_count(0)

    power.fill("80")
    power.press("Enter")
    wait_for_app(page)
    expect(lift).to_have_value("2.00")
    assert_no_exception(page)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)
