"""The Threshold & cost page in headless Chromium against a live server."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.app_utils import assert_no_exception, open_page, wait_for_app

PATH = "fraud_threshold"
# The first visit trains the models in the server process.
FIRST_RUN_TIMEOUT_MS = 180_000


def metric_value(page: Page, label: str) -> str:
    """Return the value of the metric whose label is exactly ``label``."""
    # The shared helper matches substrings, and "Precision" is also in "AUC-PR (average precision)".
    label_locator = page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    metric = page.locator('[data-testid="stMetric"]').filter(has=label_locator)
    return metric.locator('[data-testid="stMetricValue"]').first.inner_text()


def test_curves_render(page, app_url):
    page.set_default_timeout(FIRST_RUN_TIMEOUT_MS)
    page.goto(f"{app_url}/{PATH}")
    wait_for_app(page, FIRST_RUN_TIMEOUT_MS)
    assert_no_exception(page)
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    # Cost, precision and recall, PR, ROC, calibration and the two importance charts.
    expect(charts).to_have_count(7)
    for index in range(7):
        expect(charts.nth(index).locator("canvas, svg").first).to_be_visible()
    expect(page.get_by_text("Feature importance (GBM model)").first).to_be_attached()


def test_slider_changes_metrics(page, app_url):
    page.set_default_timeout(FIRST_RUN_TIMEOUT_MS)
    page.goto(f"{app_url}/{PATH}")
    wait_for_app(page, FIRST_RUN_TIMEOUT_MS)
    recall_before = metric_value(page, "Recall")
    precision_before = metric_value(page, "Precision")

    slider = page.get_by_role("slider", name="Fraud score threshold")
    slider.focus()
    for _ in range(30):
        slider.press("ArrowLeft")
    wait_for_app(page)

    assert_no_exception(page)
    assert "threshold=0.2" in page.url
    assert metric_value(page, "Recall") != recall_before
    assert metric_value(page, "Precision") != precision_before


def test_url_threshold_restored(page, app_url):
    open_page(page, app_url, f"{PATH}?threshold=0.9&cost_ratio=1:50")
    assert_no_exception(page)
    expect(page.get_by_role("slider", name="Fraud score threshold")).to_have_value("0.9")


def test_bad_upload_shows_error(page, app_url):
    open_page(page, app_url, f"{PATH}?scores=upload")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        files=[{"name": "scores.csv", "mimeType": "text/csv", "buffer": b"label,score\n2,0.5\n"}]
    )
    expect(page.get_by_text("label must be 0 or 1")).to_be_visible(timeout=30_000)
    assert_no_exception(page)
