"""Cached objects the live-scoring page derives from the shared fraud models.

The models themselves come from ``ui.fraud_inputs.cached_fraud_models``, trained once
per server process and shared by every fraud page. The scorer and the drift reference
built from them are cached the same way (``st.cache_resource``). Pages must treat the
returned objects as read-only.
"""

from __future__ import annotations

import streamlit as st

from core.fraud.monitoring import MonitoringReference, build_reference
from core.fraud.online import TreeEnsembleScorer, training_scores
from ui.fraud_inputs import cached_fraud_models


@st.cache_resource(max_entries=2, show_spinner=False)
def load_online_scorer(seed: int) -> TreeEnsembleScorer:
    """Return the GBM of ``cached_fraud_models(seed)`` compiled for single-transaction scoring."""
    return TreeEnsembleScorer(cached_fraud_models(seed).gbm.estimator)


@st.cache_resource(max_entries=2, show_spinner="Binning the training period for drift monitoring…")
def load_monitoring_reference(seed: int) -> MonitoringReference:
    """Return the training-period bins and shares that drift is measured against."""
    models = cached_fraud_models(seed)
    return build_reference(models.train_features, training_scores(models))
