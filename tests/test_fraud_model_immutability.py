"""The cached fraud models are shared by every session, so no page may mutate them.

The app caches ``build_default_models`` (``functools.lru_cache`` in core, and
``st.cache_resource`` in ``ui.fraud_inputs.cached_fraud_models``). AppTest runs the
pages in this process, so the pages receive the very object fingerprinted here.
"""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pandas as pd
import pytest

from core.fraud.model import FraudModels, build_default_models
from tests.app_utils import run_page
from ui.fraud_inputs import MODEL_SEED

PAGE_RUNS = [
    ("pages/fraud_threshold.py", {}),
    ("pages/fraud_threshold.py", {"threshold": "0.05", "cost_ratio": "1:200", "fn_cost": "amount", "volume": "5000"}),
    *[("pages/fraud_design_steps.py", {"step": str(step)}) for step in range(1, 9)],
    *[
        ("pages/fraud_design_steps.py", {"step": str(step), "threshold": "0.9", "cost_ratio": "1:1"})
        for step in range(1, 9)
    ],
    ("pages/fraud_live_scoring.py", {}),
    (
        "pages/fraud_live_scoring.py",
        {
            "amount": "9000",
            "velocity": "15",
            "international": "Yes",
            "threshold": "0.1",
            "block": "0.5",
            "sweep": "merchant_risk",
            "drift": "amount_in_cents",
            "drift_hour": "03:00",
        },
    ),
]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _frame_digest(frame: pd.DataFrame) -> str:
    hashed = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    return _digest(hashed.tobytes() + repr(list(frame.columns)).encode() + repr(frame.dtypes.tolist()).encode())


def fingerprint(models: FraudModels) -> dict[str, str]:
    """Hash every public part of the models: config, split, frames, estimators and scores.

    The private ``_metrics`` and ``_importance`` memo dicts are left out because
    filling them on first use is their purpose.
    """
    prints = {
        "config": repr(models.config),
        "split": repr(models.split),
        "negative_sample_rate": repr(models.negative_sample_rate),
        "stream": _frame_digest(models.stream),
        "train_features": _frame_digest(models.train_features),
        "test": _frame_digest(models.test),
        "model_keys": repr(sorted(models.models)),
    }
    for key, fitted in models.models.items():
        prints[f"{key}.estimator"] = _digest(pickle.dumps(fitted.estimator))
        prints[f"{key}.test_scores"] = _digest(np.ascontiguousarray(fitted.test_scores).tobytes())
        prints[f"{key}.test_scores.writeable"] = repr(fitted.test_scores.flags.writeable)
    return prints


@pytest.fixture(scope="module")
def app_models() -> FraudModels:
    return build_default_models(seed=MODEL_SEED)


@pytest.mark.parametrize(("page", "query"), PAGE_RUNS, ids=lambda value: str(value))
def test_fraud_page_keeps_cached_models(app_models: FraudModels, page: str, query: dict[str, str]) -> None:
    before = fingerprint(app_models)

    app = run_page(page, query)

    assert not app.exception, [item.value for item in app.exception]
    assert build_default_models(seed=MODEL_SEED) is app_models
    after = fingerprint(app_models)
    changed = sorted(key for key in before if before[key] != after[key])
    assert not changed, f"{page} with {query} changed the cached models: {changed}"
