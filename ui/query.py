"""Widgets whose values live in the URL query string and in the session.

Each input is described by a parameter spec. On every run the page calls
:func:`read_query_params` once, which validates the URL's values and shows one
warning per bad value, so a hand-edited link never raises. The widget helpers then
take their first value from, in order: the widget's own state, the URL, the value the
user chose on another page of this session, and the default. After the widgets,
:func:`write_query_params` puts the current values back into the URL so the scenario
can be shared by link.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st

_SHARED_STORE = "_shared_inputs"
# Longer URL values are cut in warnings, so a hostile link cannot flood the page.
_MAX_SHOWN_CHARS = 40


@dataclass(frozen=True)
class NumberParam:
    """A numeric input: its URL key, label, default and the valid closed range."""

    key: str
    label: str
    default: float
    min_value: float
    max_value: float
    step: float
    integer: bool = False
    format: str | None = None
    help: str | None = None

    def parse(self, raw: str) -> float | int:
        try:
            number = float(raw)
        except ValueError:
            raise ValueError("expected a number") from None
        if not math.isfinite(number):
            raise ValueError("expected a finite number")
        if self.integer and number != int(number):
            raise ValueError("expected a whole number")
        if not self.min_value <= number <= self.max_value:
            raise ValueError(f"expected a value from {self.min_value:g} to {self.max_value:g}")
        return int(number) if self.integer else number

    def to_url(self, value: float | int) -> str:
        return str(int(value)) if self.integer else f"{value:g}"


@dataclass(frozen=True)
class ChoiceParam:
    """An input with a fixed set of options, stored in the URL by option name."""

    key: str
    label: str
    default: str
    options: tuple[str, ...]
    help: str | None = None

    def parse(self, raw: str) -> str:
        if raw not in self.options:
            raise ValueError(f"expected one of {', '.join(self.options)}")
        return raw

    def to_url(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class BoolParam:
    """An on/off input, stored in the URL as ``true`` or ``false``."""

    key: str
    label: str
    default: bool
    help: str | None = None

    def parse(self, raw: str) -> bool:
        lowered = raw.strip().lower()
        if lowered in {"true", "1", "yes", "on"}:
            return True
        if lowered in {"false", "0", "no", "off"}:
            return False
        raise ValueError("expected true or false")

    def to_url(self, value: bool) -> str:
        return "true" if value else "false"


Param = NumberParam | ChoiceParam | BoolParam


def _code_span(raw: str) -> str:
    """Return ``raw``, shortened, as a Markdown code span that shows it literally.

    Streamlit shows a code span's text as it is, so HTML needs no escaping there (an
    escaped ``&lt;`` would show as those four characters). Line breaks and other
    unprintable characters become spaces because a blank line would end the span,
    and the fence is one backtick longer than the longest run of backticks inside.
    """
    text = raw if len(raw) <= _MAX_SHOWN_CHARS else raw[:_MAX_SHOWN_CHARS] + "…"
    text = "".join(char if char.isprintable() else " " for char in text)
    longest_run = max((len(run) for run in re.findall("`+", text)), default=0)
    fence = "`" * (longest_run + 1)
    return f"{fence} {text} {fence}" if longest_run else f"{fence}{text}{fence}"


def read_query_params(params: Sequence[Param]) -> dict[str, Any]:
    """Validate the URL values for ``params`` and return the valid ones by key.

    A bad value is dropped from the URL and reported once with ``st.warning``,
    naming the key, the value received and the valid range. Keys not in ``params``
    are left alone, because another widget of the page may own them.
    """
    valid: dict[str, Any] = {}
    problems: list[str] = []
    for param in params:
        if param.key not in st.query_params:
            continue
        # A repeated key (?alpha=0.05&alpha=0.1) counts as its last value, as browsers show it.
        raw = st.query_params.get_all(param.key)[-1]
        try:
            valid[param.key] = param.parse(raw)
        except ValueError as error:
            problems.append(f"{_code_span(f'{param.key}={raw}')} ({error})")
            del st.query_params[param.key]

    if problems:
        st.warning(
            "Ignored invalid values in the link, using defaults instead: "
            + "; ".join(problems)
            + ".",
            icon=":material/link_off:",
        )
    return valid


def shared_store() -> dict[str, Any]:
    """Return the session's last value of every URL-bound input, by URL key."""
    return st.session_state.setdefault(_SHARED_STORE, {})


def _first_value(param: Param, widget_key: str, url_values: Mapping[str, Any]) -> None:
    """Seed the widget's state before it is created, unless it already has one."""
    if widget_key in st.session_state:
        # Assigning the value again makes Streamlit send it to the browser. Without it,
        # a widget that the previous run did not draw (after st.stop()) comes back
        # showing its default, which is min_value for a number input.
        st.session_state[widget_key] = st.session_state[widget_key]
        return
    shared = shared_store()
    if param.key in url_values:
        value = url_values[param.key]
    elif param.key in shared:
        value = shared[param.key]
    else:
        value = param.default
    st.session_state[widget_key] = value


def _remember(param: Param, value: Any) -> Any:
    shared_store()[param.key] = value
    return value


def widget_key(page_id: str, param: Param) -> str:
    """Return the session-state key of ``param``'s widget on page ``page_id``."""
    # Widget keys are per page because Streamlit drops a widget's state when a run
    # does not draw it. The shared store carries the value from page to page.
    return f"{page_id}__{param.key}"


def number_input(page_id: str, param: NumberParam, url_values: Mapping[str, Any], container=st) -> float | int:
    """Draw ``st.number_input`` for ``param`` and return its value."""
    key = widget_key(page_id, param)
    _first_value(param, key, url_values)
    value = container.number_input(
        param.label,
        min_value=int(param.min_value) if param.integer else float(param.min_value),
        max_value=int(param.max_value) if param.integer else float(param.max_value),
        step=int(param.step) if param.integer else float(param.step),
        format=param.format,
        help=param.help,
        key=key,
    )
    return _remember(param, value)


def choice_input(
    page_id: str,
    param: ChoiceParam,
    url_values: Mapping[str, Any],
    container=st,
    *,
    labels: Mapping[str, str] | None = None,
    horizontal: bool = True,
) -> str:
    """Draw ``st.radio`` for ``param`` and return the chosen option."""
    key = widget_key(page_id, param)
    _first_value(param, key, url_values)
    names = dict(labels or {})
    value = container.radio(
        param.label,
        param.options,
        format_func=lambda option: names.get(option, option),
        horizontal=horizontal,
        help=param.help,
        key=key,
    )
    return _remember(param, value)


def toggle_input(page_id: str, param: BoolParam, url_values: Mapping[str, Any], container=st) -> bool:
    """Draw ``st.toggle`` for ``param`` and return its state."""
    key = widget_key(page_id, param)
    _first_value(param, key, url_values)
    value = container.toggle(param.label, help=param.help, key=key)
    return _remember(param, value)


def write_query_params(params: Sequence[Param], values: Mapping[str, Any]) -> None:
    """Put the current input values into the URL, so the link restores the scenario."""
    for param in params:
        if param.key not in values:
            continue
        text = param.to_url(values[param.key])
        if st.query_params.get(param.key) != text:
            st.query_params[param.key] = text


def select_input(page_id: str, param: ChoiceParam, url_values: Mapping[str, Any], container=st) -> str:
    """Draw ``st.selectbox`` for ``param`` (for long option lists) and return the choice."""
    key = widget_key(page_id, param)
    _first_value(param, key, url_values)
    value = container.selectbox(param.label, param.options, help=param.help, key=key)
    return _remember(param, value)
