"""The A/B sample-size page in headless Chromium against a live server."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.app_utils import assert_no_exception, metric_value, open_page, wait_for_app

PATH = "ab_sample_size"


def test_default_plan_renders(page, app_url):
    open_page(page, app_url, PATH)
    assert_no_exception(page)
    assert metric_value(page, "Required n/variant") == "4,438"
    assert metric_value(page, "Days to run") == "7"


def test_charts_are_drawn(page, app_url):
    open_page(page, app_url, PATH)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(3)
    for index in range(3):
        # Vega draws into a canvas (or an svg); an empty container means the spec failed.
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()


def test_mde_change_updates_metric(page, app_url):
    open_page(page, app_url, PATH)
    mde = page.get_by_role("spinbutton", name="Min detectable effect (MDE)")
    mde.fill("1")
    mde.press("Enter")
    wait_for_app(page)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text("17,169")
    assert_no_exception(page)
    assert "mde=1" in page.url


def test_url_restores_scenario(page, app_url):
    open_page(page, app_url, f"{PATH}?baseline=10&mde=1")
    assert metric_value(page, "Required n/variant") == "14,751"


def test_bad_url_value_warns(page, app_url):
    open_page(page, app_url, f"{PATH}?alpha=7&baseline=abc")
    assert_no_exception(page)
    expect(page.get_by_text("Ignored invalid values in the link")).to_be_visible()
    assert metric_value(page, "Required n/variant") == "4,438"
