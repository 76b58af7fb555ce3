"""Shared pieces of the fraud pages: the cached models and the threshold and cost inputs.

Every fraud page loads the models through :func:`load_fraud_models`, so the app trains
them once per process. The threshold and cost inputs live in the URL (keys
``threshold``, ``cost_ratio``, ``fp_cost``, ``fn_cost`` and ``volume``) and carry over
between the fraud pages of a session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from core.fraud.evaluation import CostSettings
from core.fraud.model import FraudModels, build_default_models
from ui.query import ChoiceParam, NumberParam, shared_store, widget_key

MODEL_SEED = 0

THRESHOLD = NumberParam(
    "threshold",
    "Fraud score threshold",
    default=0.5,
    min_value=0.0,
    max_value=1.0,
    step=0.01,
    help="Transactions scoring at or above this are flagged for review.",
)
COST_RATIOS = ("1:1", "1:2", "1:5", "1:10", "1:20", "1:50", "1:100", "1:200")
COST_RATIO = ChoiceParam(
    "cost_ratio",
    "FP cost / FN cost ratio",
    default="1:10",
    options=COST_RATIOS,
    help="A missed fraud costs this many times a false alarm (used when the missed-fraud "
    "cost is fixed).",
)
FP_COST = NumberParam(
    "fp_cost",
    "False alarm cost ($)",
    default=5.0,
    min_value=0.0,
    max_value=10_000.0,
    step=1.0,
    format="%.2f",
    help="Cost of reviewing one legitimate transaction that was flagged, in dollars "
    "(analyst time and customer friction).",
)
FN_COST_MODE = ChoiceParam(
    "fn_cost",
    "Missed fraud cost",
    default="fixed",
    options=("fixed", "amount"),
    help="Fixed: the false alarm cost times the ratio. Amount: the transaction amount, "
    "the chargeback the business pays.",
)
FN_COST_LABELS = {"fixed": "Fixed (false alarm cost × ratio)", "amount": "Transaction amount"}
DAILY_VOLUME = NumberParam(
    "volume",
    "Daily transaction volume",
    default=1_000_000,
    min_value=1_000,
    max_value=1_000_000_000,
    step=100_000,
    integer=True,
    help="Transactions per day. Counts and costs are scaled from the evaluated period "
    "to this volume.",
)
COST_PARAMS = (THRESHOLD, COST_RATIO, FP_COST, FN_COST_MODE, DAILY_VOLUME)


@st.cache_resource(max_entries=2, show_spinner=False)
def cached_fraud_models(seed: int) -> FraudModels:
    """Return the models for ``seed``, trained once per server process."""
    return build_default_models(seed=seed)


def load_fraud_models(seed: int = MODEL_SEED) -> FraudModels:
    """Load the simulated stream and the three models, training them on first use.

    Shows a collapsed status box with the training data size, so the first, slow run
    (about 10 s) shows progress and later runs show what the model was trained on.
    """
    with st.status("Simulating the transaction stream and training the models…", expanded=False) as status:
        models = cached_fraud_models(seed)
        status.update(
            label=f"Models ready: {len(models.stream):,} simulated transactions over "
            f"{models.config.n_days} days, {int(models.stream['is_fraud'].sum()):,} of them fraud",
            state="complete",
        )
    return models


def _seed_widget(param: NumberParam | ChoiceParam, key: str, url_values: Mapping[str, Any]) -> None:
    if key in st.session_state:
        return
    shared = shared_store()
    if param.key in url_values:
        st.session_state[key] = url_values[param.key]
    elif param.key in shared:
        st.session_state[key] = shared[param.key]
    else:
        st.session_state[key] = param.default


def threshold_slider(page_id: str, url_values: Mapping[str, Any], container: Any = st) -> float:
    """Draw the "Fraud score threshold" slider and return its value."""
    key = widget_key(page_id, THRESHOLD)
    _seed_widget(THRESHOLD, key, url_values)
    value = container.slider(
        THRESHOLD.label,
        min_value=THRESHOLD.min_value,
        max_value=THRESHOLD.max_value,
        step=THRESHOLD.step,
        help=THRESHOLD.help,
        key=key,
    )
    shared_store()[THRESHOLD.key] = value
    return float(value)


def cost_ratio_slider(page_id: str, url_values: Mapping[str, Any], container: Any = st) -> str:
    """Draw the "FP cost / FN cost ratio" select slider and return the chosen ratio."""
    key = widget_key(page_id, COST_RATIO)
    _seed_widget(COST_RATIO, key, url_values)
    value = container.select_slider(
        COST_RATIO.label, options=COST_RATIO.options, help=COST_RATIO.help, key=key
    )
    shared_store()[COST_RATIO.key] = value
    return str(value)


def ratio_multiplier(ratio: str) -> float:
    """Return N for a ratio written "1:N"."""
    return float(ratio.split(":")[1])


@dataclass(frozen=True)
class CostInputs:
    """The threshold and cost inputs of a fraud page."""

    threshold: float
    cost_ratio: str
    fp_cost: float
    fn_cost_mode: str
    daily_volume: int

    def settings(self, by_amount: bool | None = None) -> CostSettings:
        """Return the core cost settings for these inputs.

        ``by_amount`` overrides the missed-fraud cost mode, for data without amounts.
        """
        if by_amount is None:
            by_amount = self.fn_cost_mode == "amount"
        return CostSettings(
            fp_cost=self.fp_cost,
            fn_cost=self.fp_cost * ratio_multiplier(self.cost_ratio),
            daily_volume=float(self.daily_volume),
            fn_cost_is_amount=by_amount,
        )

    def url_values(self) -> dict[str, Any]:
        """Return the values by URL key, for ``ui.query.write_query_params``."""
        return {
            THRESHOLD.key: self.threshold,
            COST_RATIO.key: self.cost_ratio,
            FP_COST.key: self.fp_cost,
            FN_COST_MODE.key: self.fn_cost_mode,
            DAILY_VOLUME.key: self.daily_volume,
        }
