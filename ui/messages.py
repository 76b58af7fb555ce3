"""Friendly messages for errors the pages expect."""

from __future__ import annotations

import streamlit as st


def show_input_error(error: ValueError, result_name: str = "these inputs") -> None:
    """Show a rejected input as an error box on the page instead of a traceback."""
    st.error(f"Cannot compute {result_name}: {error}", icon=":material/error:")
