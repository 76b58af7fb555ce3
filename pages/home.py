"""Home page: what each playground teaches, with links to its pages."""

from __future__ import annotations

import streamlit as st

from ui.router import ab_pages, ensure_routed, fraud_pages

ensure_routed()

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
    for page in ab_pages():
        st.page_link(page)
with fraud_column.container(border=True):
    st.subheader(":material/credit_card: Fraud detection ML system design")
    st.markdown(
        "Walk through an eight-step design, from framing to monitoring, with a real "
        "gradient-boosting model trained on a simulated transaction stream with 0.1% fraud: "
        "AUC-PR against AUC-ROC, the cost of a threshold, live scoring and drift."
    )
    for page in fraud_pages():
        st.page_link(page)
    if not fraud_pages():
        st.caption("The fraud pages are on their way.")
