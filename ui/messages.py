"""Friendly messages for errors the pages expect."""

from __future__ import annotations

import streamlit as st


def show_input_error(error: ValueError, what: str = "these inputs") -> None:
    """Show a rejected input as an error box on the page instead of a traceback."""
    st.error(f"Cannot compute {what}: {error}", icon=":material/error:")
