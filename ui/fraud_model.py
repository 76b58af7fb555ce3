"""The trained fraud models, shared by every fraud page of the app.

Training takes several seconds, so the result is kept once per parameter set for the
whole server process (``st.cache_resource``) and shared between sessions. Pages must
treat the returned objects as read-only.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

from core.fraud.model import FraudModels, build_default_models
from core.fraud.monitoring import MonitoringReference, build_reference
from core.fraud.online import TreeEnsembleScorer, training_scores

logger = logging.getLogger(__name__)


@st.cache_resource(max_entries=4, show_spinner="Simulating the transaction stream and training the models…")
def load_fraud_models(seed: int = 0, fraud_rate: float = 0.001) -> FraudModels:
    """Return the default stream and its three trained models for (seed, fraud_rate)."""
    started = time.perf_counter()
    models = build_default_models(seed=seed, fraud_rate=fraud_rate)
    logger.info("Loaded the fraud models in %.2f s", time.perf_counter() - started)
    return models


@st.cache_resource(max_entries=4, show_spinner=False)
def load_online_scorer(seed: int = 0, fraud_rate: float = 0.001) -> TreeEnsembleScorer:
    """Return the GBM of ``load_fraud_models`` compiled for single-transaction scoring."""
    return TreeEnsembleScorer(load_fraud_models(seed, fraud_rate).gbm.estimator)


@st.cache_resource(max_entries=4, show_spinner="Binning the training period for drift monitoring…")
def load_monitoring_reference(seed: int = 0, fraud_rate: float = 0.001) -> MonitoringReference:
    """Return the training-period bins and shares that drift is measured against."""
    models = load_fraud_models(seed, fraud_rate)
    return build_reference(models.train_features, training_scores(models))
