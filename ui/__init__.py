"""Streamlit helpers shared by the pages: URL-bound inputs and messages."""
