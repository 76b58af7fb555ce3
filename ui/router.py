"""The app's pages, and a guard that makes every run go through the router.

Streamlit 1.67 notes at start-up that a ``pages/`` folder exists and, until some
script calls ``st.navigation``, runs a deep link such as ``/ab_analyze`` as a
stand-alone page: no router, no page config, an automatic sidebar. A freshly started
server (a Community Cloud app woken by a shared link) would show that to its first
visitors. :func:`ensure_routed` calls ``st.navigation`` with the real pages, which
turns that mode off for the whole server, and reruns so the same page is entered
through Home.py.

Pages keep the file stem as their URL path (``/ab_sample_size``): with a custom
``url_path`` the stand-alone mode above cannot find the page and shows "Page not found".
"""

from __future__ import annotations

import streamlit as st

_ROUTED = "_routed_by_home"


def ab_pages() -> list[st.Page]:
    """Return the pages of the "A/B testing" section, in menu order."""
    return [
        st.Page("pages/ab_sample_size.py", title="Sample size", icon=":material/calculate:"),
        st.Page("pages/ab_peeking.py", title="Peeking simulator", icon=":material/visibility:"),
        st.Page("pages/ab_analyze.py", title="Analyze results", icon=":material/fact_check:"),
    ]


def fraud_pages() -> list[st.Page]:
    """Return the pages of the "Fraud ML design" section, in menu order."""
    return [
        st.Page("pages/fraud_design_steps.py", title="Design steps", icon=":material/account_tree:"),
        st.Page("pages/fraud_threshold.py", title="Threshold & cost", icon=":material/tune:"),
        st.Page("pages/fraud_live_scoring.py", title="Live scoring", icon=":material/bolt:"),
    ]


def navigation_sections() -> dict[str, list[st.Page]]:
    """Return the menu: the home page, then one section per playground that has pages."""
    sections = {
        "": [st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)],
        "A/B testing": ab_pages(),
    }
    if fraud_pages():
        sections["Fraud ML design"] = fraud_pages()
    return sections


def mark_routed() -> None:
    """Record that this session's runs enter through Home.py; Home.py calls it."""
    st.session_state[_ROUTED] = True


def ensure_routed() -> None:
    """Rerun through Home.py if Streamlit started this page without the router."""
    if st.session_state.get(_ROUTED):
        return
    st.navigation(navigation_sections(), position="hidden")
    st.rerun()
