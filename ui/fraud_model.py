"""The app's fraud models, trained once per server process and shared by all sessions."""

from __future__ import annotations

import streamlit as st

from core.fraud.model import FraudModels, build_default_models


@st.cache_resource(max_entries=2, show_spinner="Simulating 30 days of transactions and training the fraud models…")
def load_fraud_models(seed: int = 0, fraud_rate: float = 0.001) -> FraudModels:
    """Return the default stream and its three trained models (see build_default_models).

    Sessions share the returned object, so callers must not modify it.
    """
    return build_default_models(seed=seed, fraud_rate=fraud_rate)
