"""Two visitors at once: neither gets the other's inputs or results."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.app_utils import STATE_RECORDER, metric_value, open_page, wait_for_app


def _set_number(page, label: str, value: str) -> None:
    field = page.get_by_role("spinbutton", name=label)
    field.fill(value)
    field.press("Enter")
    wait_for_app(page)


def test_sessions_are_isolated(browser, app_url):
    first_context = browser.new_context()
    second_context = browser.new_context()
    try:
        first_context.add_init_script(STATE_RECORDER)
        second_context.add_init_script(STATE_RECORDER)
        first = first_context.new_page()
        second = second_context.new_page()
        open_page(first, app_url, "ab_sample_size?mde=1")
        open_page(second, app_url, "ab_sample_size")
        assert metric_value(first, "Required n/variant") == "17,169"
        assert metric_value(second, "Required n/variant") == "4,438"

        _set_number(second, "Statistical power", "90")
        expect(second.locator('[data-testid="stMetricValue"]').first).to_have_text("5,940")

        # The first visitor reruns after the second changed power: it keeps its own inputs.
        _set_number(first, "Daily traffic per variant", "4000")
        assert metric_value(first, "Required n/variant") == "17,169"
        assert first.get_by_role("spinbutton", name="Statistical power").input_value() == "80.0"
        assert "power=80" in first.url
        assert "power=90" in second.url
    finally:
        first_context.close()
        second_context.close()
