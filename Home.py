"""Entry point and router: page config, logging and the page menu."""

from __future__ import annotations

import logging

import streamlit as st

from ui.router import mark_routed, navigation_sections

# Core modules log the duration of long work; show it in the server log.
logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("core").setLevel(logging.INFO)

st.set_page_config(page_title="Build Systems That Work", page_icon=":material/science:", layout="wide")
mark_routed()
st.navigation(navigation_sections()).run()
