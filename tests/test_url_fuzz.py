"""Hostile and random query strings on every page: at most a warning, never an exception."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.app_utils import run_page
from tests.conftest import ROOT

PAGES = sorted(f"pages/{path.name}" for path in (ROOT / "pages").glob("*.py"))


def _known_keys() -> list[str]:
    """Collect the URL keys the pages read, so the fuzzer hits real parameters."""
    pattern = re.compile(r'Param\(\s*"([A-Za-z_][A-Za-z0-9_]*)"|query_params(?:\.get)?[\[(]\s*"([A-Za-z_0-9]+)"')
    # Keys built per arm, such as f"users{index}", stand for users0 to users9.
    numbered = re.compile(r'Param\(\s*f"([A-Za-z_]+)\{[a-z_]+\}"')
    keys: set[str] = set()
    for folder in ("pages", "ui"):
        for path in (ROOT / folder).glob("*.py"):
            text = path.read_text()
            for match in pattern.finditer(text):
                keys.add(match.group(1) or match.group(2))
            for match in numbered.finditer(text):
                keys.update(f"{match.group(1)}{index}" for index in range(10))
    return sorted(keys)


KNOWN_KEYS = _known_keys()
HOSTILE_VALUES = [
    "", " ", "abc", "-1", "0", "1", "0.5", "99999999999999999999", "1e308", "1e400", "-1e400",
    "nan", "NaN", "inf", "-inf", "0x10", "1_000", "١٢", "true", "[1, 2]", "{}", "None",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "'; DROP TABLE users; --",
    "%00", "\u0000", "../../etc/passwd", "a" * 5000,
]

values = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=30))
keys = st.one_of(st.sampled_from(KNOWN_KEYS or ["x"]), st.text(min_size=1, max_size=12))
queries = st.dictionaries(keys, st.one_of(values, st.lists(values, min_size=2, max_size=3)), max_size=6)


def test_known_keys_found():
    # Guards the fuzzer itself: without real keys it would only test unknown ones.
    assert {"baseline", "mde", "alpha", "power"} <= set(KNOWN_KEYS)


@pytest.mark.parametrize("page", [None, *PAGES])
@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_every_key_with_hostile_value(page, value):
    app = run_page(page, {key: value for key in KNOWN_KEYS})
    assert not app.exception, app.exception[0].value if app.exception else ""


@pytest.mark.parametrize("page", [None, *PAGES])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=queries)
def test_random_query(page, query):
    app = run_page(page, query)
    assert not app.exception, app.exception[0].value if app.exception else ""
