"""The fraud design steps page in headless Chromium against a live server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.fraud.steps import default_steps
from tests.browser.app_utils import assert_no_exception, open_page, wait_for_app

PATH = "fraud_design_steps"
# The first visit trains the models, which takes tens of seconds on a busy 2-core machine.
FIRST_RUN_TIMEOUT_MS = 180_000


def _step_button(page, label: str):
    return page.locator('[data-testid="stButtonGroup"] button').filter(has_text=re.compile(f"^{re.escape(label)}$"))


def _header(page):
    return page.locator('[data-testid="stHeading"] h2').first


def test_click_through_all_steps(page, app_url):
    page.goto(f"{app_url}/{PATH}")
    wait_for_app(page, FIRST_RUN_TIMEOUT_MS)
    assert_no_exception(page)
    for step in default_steps():
        _step_button(page, f"{step.number} {step.short}").click()
        wait_for_app(page, FIRST_RUN_TIMEOUT_MS)
        assert_no_exception(page)
        expect(_header(page)).to_have_text(f"{step.number}. {step.title}")
        expect(page).to_have_url(re.compile(f"[?&]step={step.number}(&|$)"))
        # Every step draws a live artifact: a chart, a table or metrics.
        artifact = page.locator(f".st-key-fraud_design_steps__artifact_{step.number}")
        expect(artifact.locator('[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"], '
                                '[data-testid="stMetric"]').first).to_be_visible()


def test_url_restores_chosen_step(page, app_url):
    page.goto(f"{app_url}/{PATH}")
    wait_for_app(page, FIRST_RUN_TIMEOUT_MS)
    steps = default_steps()
    _step_button(page, f"5 {steps[4].short}").click()
    wait_for_app(page)
    # The URL is written by the rerun that the click starts, so wait for it.
    expect(page).to_have_url(re.compile(r"[?&]step=5(&|$)"), timeout=60_000)
    shared_url = page.url

    page.goto(shared_url)
    wait_for_app(page)
    assert_no_exception(page)
    expect(_header(page)).to_have_text(f"5. {steps[4].title}")
    active = page.locator('[data-testid="stButtonGroup"] [aria-checked="true"]')
    expect(active).to_have_count(1)
    expect(active).to_have_text(f"5 {steps[4].short}")


def test_threshold_slider_changes_recall(page, app_url):
    open_page(page, app_url, f"{PATH}?step=6&threshold=0.9")
    assert_no_exception(page)
    recall = page.locator('[data-testid="stMetric"]').filter(has_text="Recall").locator(
        '[data-testid="stMetricValue"]'
    )
    high_threshold_recall = float(recall.inner_text().rstrip("%"))
    open_page(page, app_url, f"{PATH}?step=6&threshold=0.1")
    low_threshold_recall = float(recall.inner_text().rstrip("%"))
    assert low_threshold_recall > high_threshold_recall
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(3)
    for index in range(3):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()


def test_bad_step_in_url_warns(page, app_url):
    open_page(page, app_url, f"{PATH}?step=42")
    assert_no_exception(page)
    expect(page.get_by_text("Ignored invalid values in the link")).to_be_visible()
    expect(_header(page)).to_have_text(f"1. {default_steps()[0].title}")
