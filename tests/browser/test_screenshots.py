"""Screenshot every page: a visual record of each run, and the README's pictures.

Pictures go to ``test-artifacts/screenshots/``. With ``UPDATE_SCREENSHOTS=1`` they
also replace the ones in ``docs/screenshots/`` that the README shows.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.browser.app_utils import assert_no_exception, open_page
from tests.browser.test_narration import SPEECH_STUB
from tests.conftest import ROOT

PAGE_PATHS = sorted(path.stem for path in (ROOT / "pages").glob("*.py"))
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
DOCS = ROOT / "docs" / "screenshots"


@pytest.mark.parametrize("path", PAGE_PATHS)
def test_screenshot_page(page, app_url, path):
    # Headless Chromium has no voices, so a stub voice makes the narration control
    # look as it does for a visitor.
    page.add_init_script(SPEECH_STUB)
    open_page(page, app_url, "" if path == "home" else path)
    assert_no_exception(page)
    # Let Vega finish drawing; charts render after the script run has ended.
    page.wait_for_timeout(1500)

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / f"{path}.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000

    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, DOCS / target.name)
