"""Links between pages that may or may not be part of the navigation yet."""

from __future__ import annotations

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError


def link_if_listed(page: str, label: str, icon: str | None = None, container=st) -> bool:
    """Draw ``st.page_link`` to ``page`` if Home.py lists it, and return whether it did.

    ``page`` is a path such as ``pages/fraud_threshold.py``. A page that is not in
    the navigation draws nothing, so a page can link to one that lands later.
    """
    try:
        container.page_link(page, label=label, icon=icon)
    except StreamlitPageNotFoundError:
        return False
    return True
