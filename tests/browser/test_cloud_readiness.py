"""Community Cloud readiness: friendly messages with its settings, and no stray files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.app_utils import STATE_RECORDER, assert_no_exception, open_page
from tests.conftest import ROOT, streamlit_server

# The home page is the default page, served at "/" rather than at its file name.
PAGE_PATHS = sorted("" if path.stem == "home" else path.stem for path in (ROOT / "pages").glob("*.py"))
# Files the test run itself may create in the project: caches and the test environment.
IGNORED_PARTS = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", "test-artifacts"}


def _project_files() -> set[Path]:
    return {
        path.relative_to(ROOT)
        for path in ROOT.rglob("*")
        if path.is_file() and not IGNORED_PARTS.intersection(path.relative_to(ROOT).parts)
    }


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_bad_link_shows_warning(page, app_url, path):
    # The server runs with client.showErrorDetails = false, as on Community Cloud.
    open_page(page, app_url, f"{path}?baseline=abc&alpha=7&step=99&threshold=-1&amount=nan")
    assert_no_exception(page)


def test_app_writes_only_temporary_files(browser, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp_path)}
    before = _project_files()
    with streamlit_server(tmp_path / "server.log", env) as (url, _):
        page = browser.new_page()
        page.add_init_script(STATE_RECORDER)
        for path in PAGE_PATHS:
            open_page(page, url, path)
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        page.close()
    assert _project_files() == before
