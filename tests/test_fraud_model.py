"""Tests of the fraud models trained on the default simulated stream."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.fraud.evaluation import (
    CostSettings,
    brute_force_optimal_threshold,
    cost_curve,
    impurity_importance_table,
    optimal_threshold,
    permutation_importance_table,
)
from core.fraud.model import (
    FraudModels,
    build_default_models,
    make_time_split,
    measure_latency_ms,
    validate_features,
)
from core.fraud.stream import FEATURES, SECONDS_PER_DAY, StreamConfig


@pytest.fixture(scope="module")
def models() -> FraudModels:
    return build_default_models(seed=0)


def typical_row(**changes) -> pd.DataFrame:
    row = {
        "amount": 250.0,
        "velocity_1h": 1,
        "is_international": 0,
        "merchant_risk": 0.002,
        "hour_of_day": 14,
    }
    row.update(changes)
    return pd.DataFrame([row])


def test_default_test_period_has_300_frauds(models):
    assert models.y_test.sum() >= 300


def test_split_leaves_label_delay_gap(models):
    split = models.split
    delay = models.config.label_delay_days
    assert split.test_start_day - split.train_end_day == delay
    train = models.stream[models.stream["day"] < split.train_end_day]
    # Every training label has arrived by the start of the test period.
    assert train["label_available_at"].max() <= split.test_start_day * SECONDS_PER_DAY
    assert models.test["day"].min() == split.test_start_day
    assert len(models.train_features) == len(train)


def test_split_rejects_too_many_test_days():
    with pytest.raises(ValueError, match="test_days=30"):
        make_time_split(StreamConfig(), 30)


def test_gbm_average_precision_ten_times_fraud_rate(models):
    ap, _ = models.metrics("gbm")
    assert ap.value >= 10 * models.y_test.mean()


def test_comparison_table_has_three_models(models):
    table = models.comparison_table()
    assert len(table) == 3
    assert list(table.columns) == [
        "model",
        "average_precision",
        "average_precision_no_skill",
        "auc_roc",
        "fit_seconds",
        "latency_p50_ms",
        "latency_p99_ms",
    ]
    assert (table["average_precision"] > table["average_precision_no_skill"]).all()
    assert (table["fit_seconds"] > 0).all()
    assert (table["latency_p99_ms"] >= table["latency_p50_ms"]).all()


def test_gbm_stopped_early(models):
    assert models.gbm.n_iterations < 300


@pytest.mark.parametrize("key", ["gbm", "logistic", "baseline_gbm"])
def test_scores_track_fraud_rate(models, key):
    # Weights or the prior correction undo the negative downsampling, so the mean
    # score is near the fraud rate. Without them it would be about 20 times higher.
    # The factor 1.5 allows for the shift from the training to the test days.
    mean_score = models.models[key].test_scores.mean()
    rate = models.y_test.mean()
    assert mean_score < 1.5 * rate
    assert mean_score > rate / 1.5


@pytest.mark.parametrize(
    "feature, values",
    [
        ("amount", [0, 10, 100, 1_000, 10_000, 1_000_000]),
        ("velocity_1h", [0, 1, 2, 5, 10, 50]),
        ("merchant_risk", [0, 0.001, 0.01, 0.05, 0.2, 1.0]),
        ("is_international", [0, 1]),
    ],
)
def test_gbm_score_monotonic(models, feature, values):
    rows = pd.concat([typical_row(**{feature: value}) for value in values], ignore_index=True)
    scores = models.score(rows)
    assert np.all(np.diff(scores) >= 0)


def test_extreme_inputs_score_in_unit_interval(models):
    rows = pd.DataFrame(
        {
            "amount": [0.0, 1e6, 1e12, 0.01] * 6,
            "velocity_1h": [0, 50, 1e9, 3] * 6,
            "is_international": [0, 1, 1, 0] * 6,
            "merchant_risk": [0.0, 1.0, 0.5, 0.2] * 6,
            "hour_of_day": list(range(24)),
        }
    )
    for model in models.models.values():
        scores = model.score(rows)
        assert scores.shape == (24,)
        assert np.all((scores >= 0) & (scores <= 1))


def test_score_accepts_mapping_and_bool(models):
    scores = models.score(
        {"amount": 50, "velocity_1h": 0, "is_international": True, "merchant_risk": 0.001,
         "hour_of_day": 3.5}
    )
    assert scores.shape == (1,)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"amount": -1}, "amount must be at least 0"),
        ({"amount": float("nan")}, "amount must be a finite number"),
        ({"velocity_1h": float("inf")}, "velocity_1h must be a finite number"),
        ({"velocity_1h": -2}, "velocity_1h must be at least 0"),
        ({"merchant_risk": 1.5}, "merchant_risk must be at least 0 and at most 1"),
        ({"is_international": 2}, "is_international must be 0 or 1"),
        ({"hour_of_day": 24}, "hour_of_day must be at least 0"),
        ({"amount": "lots"}, "amount must be numeric"),
    ],
)
def test_bad_inputs_rejected(models, changes, message):
    with pytest.raises(ValueError, match=message):
        models.score(typical_row(**changes))


def test_missing_feature_rejected(models):
    with pytest.raises(ValueError, match="missing the columns \\['hour_of_day'\\]"):
        models.score(typical_row().drop(columns="hour_of_day"))


def test_validate_features_clips_extremes():
    matrix = validate_features(typical_row(amount=1e15, velocity_1h=1e9, hour_of_day=23.7))
    assert matrix[0, 0] == 1e7
    assert matrix[0, 1] == 1e3
    assert matrix[0, 4] == 23


def test_cost_optimum_on_model_scores_equals_brute_force(models):
    settings = CostSettings(fp_cost=5, fn_cost=50, daily_volume=1_000_000)
    labels, scores = models.y_test, models.test_scores
    best = optimal_threshold(cost_curve(labels, scores, settings))
    # Brute force over every distinct score near the optimum and a coarse grid.
    distinct = np.unique(scores)
    near = distinct[np.abs(distinct - best.threshold) < 0.02]
    candidates = np.r_[near, np.linspace(0, 1, 101)]
    brute = brute_force_optimal_threshold(labels, scores, settings, candidates)
    assert brute.threshold == best.threshold
    assert brute.cost_per_day == pytest.approx(best.cost_per_day)


def test_importance_tables(models):
    permutation = models.permutation_importance(n_repeats=2)
    assert sorted(permutation["feature"]) == sorted(FEATURES)
    assert permutation["importance"].max() > 0.05
    assert models.permutation_importance(n_repeats=2) is permutation
    impurity = models.impurity_importance()
    assert sorted(impurity["feature"]) == sorted(FEATURES)
    assert impurity["importance"].sum() == pytest.approx(1.0)


def test_weighted_sample_estimates_full_importance(models):
    # The weighted sample must rank the top feature as the full test period does.
    test = models.test.iloc[:150_000]
    full = permutation_importance_table(
        models.gbm.estimator,
        test.loc[:, list(FEATURES)].to_numpy(dtype=float),
        test["is_fraud"].to_numpy(),
        FEATURES,
        n_repeats=1,
    )
    sampled = models.permutation_importance(n_repeats=2)
    assert full["feature"].iloc[0] == sampled["feature"].iloc[0]


def test_measure_latency_returns_ordered_percentiles():
    p50, p99 = measure_latency_ms(lambda: sum(range(100)), n_calls=50)
    assert 0 < p50 <= p99
