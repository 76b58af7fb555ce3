"""The home page in a real browser: every listed page link opens without an error."""

from __future__ import annotations

from tests.browser.app_utils import assert_no_exception, open_page


def test_home_renders(page, app_url):
    open_page(page, app_url)
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Build Systems That Work").is_visible()


def test_sidebar_lists_sections(page, app_url):
    open_page(page, app_url)
    sidebar = page.locator('[data-testid="stSidebarNav"]')
    assert sidebar.get_by_text("A/B testing").is_visible()
    assert sidebar.get_by_text("Sample size").is_visible()
