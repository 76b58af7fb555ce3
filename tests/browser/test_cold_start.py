"""A shared deep link opened on a freshly started server goes through the router."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.app_utils import STATE_RECORDER, assert_no_exception, open_page
from tests.conftest import ROOT, streamlit_server

PAGE_PATHS = sorted(path.stem for path in (ROOT / "pages").glob("*.py") if path.stem != "home")


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_deep_link_on_fresh_server(browser, tmp_path, path):
    # Each case needs its own server: the bug only shows before any visitor opened "/".
    with streamlit_server(tmp_path / "server.log") as (url, _):
        page = browser.new_page()
        page.add_init_script(STATE_RECORDER)
        open_page(page, url, path)
        assert_no_exception(page)
        navigation = page.locator('[data-testid="stSidebarNav"]')
        # The router's menu has section headers; Streamlit's automatic one lists file names.
        expect(navigation.get_by_text("A/B testing")).to_be_visible()
        expect(navigation.get_by_text(path.replace("_", " "), exact=True)).to_have_count(0)
        assert page.url.startswith(f"{url}/{path}")
        page.close()
