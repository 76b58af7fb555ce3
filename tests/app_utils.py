"""AppTest helpers: render a page of the navigation app the way a browser would."""

from __future__ import annotations

from collections.abc import Mapping

from streamlit.testing.v1 import AppTest

from tests.conftest import HOME

APP_TIMEOUT_S = 60


def run_page(page: str | None = None, query: Mapping[str, str] | None = None) -> AppTest:
    """Run Home.py, then switch to ``page`` (a path such as ``pages/ab_sample_size.py``)."""
    app = AppTest.from_file(str(HOME), default_timeout=APP_TIMEOUT_S)
    for key, value in (query or {}).items():
        app.query_params[key] = value
    app.run()
    if page is not None:
        app.switch_page(page).run()
    return app


def metric_values(app: AppTest) -> dict[str, str]:
    """Return every ``st.metric`` value by label."""
    return {metric.label: metric.value for metric in app.metric}
