"""Entry point: declares the pages of the playground and the home page."""

from __future__ import annotations

import logging

import streamlit as st

# Core modules log the duration of long work; show it in the server log.
logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("core").setLevel(logging.INFO)

st.set_page_config(page_title="Build Systems That Work", page_icon=":material/science:", layout="wide")

AB_PAGES = [
    st.Page("pages/ab_sample_size.py", title="Sample size", icon=":material/calculate:"),
]
FRAUD_PAGES: list[st.Page] = [
    st.Page("pages/fraud_live_scoring.py", title="Live scoring", icon=":material/bolt:"),
]


def home() -> None:
    st.title("Build Systems That Work")
    st.markdown(
        "An interactive playground for two topics that interviews ask about and that teams "
        "often get wrong in production. Every number is computed live and checked against "
        "published tables."
    )
    ab_column, fraud_column = st.columns(2)
    with ab_column.container(border=True):
        st.subheader(":material/science: A/B testing done right")
        st.markdown(
            "Size a test from the baseline rate, the minimum detectable effect, α and power; "
            "see why peeking at a running test inflates false positives and which sequential "
            "tests fix it; read a finished test without fooling yourself."
        )
        for page in AB_PAGES:
            st.page_link(page)
    with fraud_column.container(border=True):
        st.subheader(":material/credit_card: Fraud detection ML system design")
        st.markdown(
            "Walk through an eight-step design, from framing to monitoring, with a real "
            "gradient-boosting model trained on a simulated transaction stream with 0.1% fraud: "
            "AUC-PR against AUC-ROC, the cost of a threshold, live scoring and drift."
        )
        for page in FRAUD_PAGES:
            st.page_link(page)
        if not FRAUD_PAGES:
            st.caption("The fraud pages are on their way.")


sections: dict[str, list[st.Page]] = {
    "": [st.Page(home, title="Home", icon=":material/home:", default=True)],
    "A/B testing": AB_PAGES,
}
if FRAUD_PAGES:
    sections["Fraud ML design"] = FRAUD_PAGES
st.navigation(sections).run()
