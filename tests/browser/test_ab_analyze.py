"""The Analyze results page in headless Chromium against a live server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from core.ab.results import MAX_CSV_BYTES
from tests.browser.app_utils import assert_no_exception, metric_value, open_page, wait_for_app

PATH = "ab_analyze"
RESULTS_CSV = (
    "variant,users,conversions,refund_conversions\n"
    "control,10000,1000,100\n"
    '"<script>alert(1)</script>",10100,1100,130\n'
    "![pixel](http://127.0.0.1:9/pixel.png),9900,1010,101\n"
)


def _upload(page, path) -> None:
    page.get_by_text("Upload or paste a CSV").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_for_app(page)


def test_default_analysis_renders(page, app_url):
    open_page(page, app_url, PATH)

    assert_no_exception(page)
    assert metric_value(page, "Absolute lift") == "+1.20 pp"
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    expect(chart.locator("canvas, svg").first).to_be_visible()


def test_conversions_change_updates_lift(page, app_url):
    open_page(page, app_url, PATH)
    conversions = page.get_by_role("spinbutton", name="Conversions").nth(1)
    conversions.fill("1100")
    conversions.press("Enter")
    wait_for_app(page)

    # expect() retries, because on a busy machine the rerun can start after wait_for_app returns.
    lift = page.locator('[data-testid="stMetric"]').filter(has_text="Absolute lift")
    expect(lift.locator('[data-testid="stMetricValue"]').first).to_have_text("-1.00 pp")
    assert_no_exception(page)
    expect(page).to_have_url(re.compile(r"conv1=1100"))


def test_uploaded_csv_fills_results_table(page, app_url, tmp_path):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    image_requests: list[str] = []
    page.on("request", lambda request: image_requests.append(request.url) if "pixel" in request.url else None)
    path = tmp_path / "results.csv"
    path.write_text(RESULTS_CSV)

    open_page(page, app_url, PATH)
    _upload(page, path)

    assert_no_exception(page)
    table = page.locator('[data-testid="stTable"]').first
    expect(table).to_be_visible()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(4)
    table_text = table.inner_text().replace("\u200b", "")
    assert "<script>alert(1)</script>" in table_text
    assert "![pixel](http://127.0.0.1:9/pixel.png)" in table_text
    assert "refund" in table_text
    assert table.locator("img, a").count() == 0
    assert dialogs == []
    assert image_requests == []


def test_oversized_upload_shows_error(page, app_url, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("variant,users,conversions\n" + "x" * MAX_CSV_BYTES)

    open_page(page, app_url, PATH)
    _upload(page, path)

    assert_no_exception(page)
    expect(page.get_by_text("the limit is 65,536 bytes")).to_be_visible()
