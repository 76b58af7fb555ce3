"""The home page renders and links to the playground's pages."""

from __future__ import annotations

from tests.app_utils import run_page


def test_home_renders():
    app = run_page()
    assert not app.exception
    assert app.title[0].value == "Build Systems That Work"


def test_home_describes_both_topics():
    app = run_page()
    subheaders = [element.value for element in app.subheader]
    assert any("A/B testing" in text for text in subheaders)
    assert any("Fraud detection" in text for text in subheaders)
