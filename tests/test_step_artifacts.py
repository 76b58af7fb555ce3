"""Live results of the fraud design steps, checked against direct computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charts import fraud_steps as charts
from core.fraud.evaluation import metrics_at_threshold
from core.fraud.model import build_default_models
from core.fraud.monitoring import psi_of_samples
from core.fraud.step_artifacts import (
    ASSUMED_BUDGET_MS,
    RULES,
    base_rates,
    daily_class_balance,
    decision_bands,
    drift_view,
    feature_table,
    latency_budget,
    measure_latencies_ms,
    model_comparison,
    rule_scores,
    threshold_tradeoff,
)
from core.fraud.stream import FEATURES


@pytest.fixture(scope="module")
def models():
    # Same arguments as ui.fraud_inputs, so the lru_cache returns the models the pages use.
    return build_default_models(seed=0)


def _toy_scores(seed: int = 1, n: int = 20_000) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < 0.01).astype(int)
    scores = np.clip(rng.beta(1, 20, n) + 0.3 * labels * rng.random(n), 0, 1)
    return labels, scores


def test_base_rates_match_counts(models):
    rates = base_rates(models.stream, models.config.n_days)
    fraud = models.stream["is_fraud"] == 1
    assert rates.fraud_rate == pytest.approx(fraud.mean())
    assert rates.frauds_per_day == pytest.approx(fraud.sum() / 30)
    assert rates.accuracy_approve_all == pytest.approx(1 - fraud.mean())
    assert 0 < rates.fraud_amount_share < 1


def test_base_rates_reject_empty_stream():
    with pytest.raises(ValueError, match="stream is empty"):
        base_rates(pd.DataFrame({"is_fraud": [], "amount": []}), 1)


def test_decision_bands_partition_rows():
    labels, scores = _toy_scores()
    bands = decision_bands(labels, scores, 0.05, 0.2, n_days=10)
    assert list(bands["decision"]) == ["approve", "review", "block"]
    assert bands["transaction_share"].sum() == pytest.approx(1.0)
    assert bands["fraud_share"].sum() == pytest.approx(1.0)
    blocked = scores >= 0.2
    assert blocked.any()
    assert bands.loc[2, "transactions_per_day"] == pytest.approx(blocked.sum() / 10)
    assert bands.loc[2, "fraud_rate"] == pytest.approx(labels[blocked].mean())


def test_decision_bands_reject_crossed_thresholds():
    labels, scores = _toy_scores()
    with pytest.raises(ValueError, match="block_threshold=0.05"):
        decision_bands(labels, scores, 0.1, 0.05, n_days=10)


def test_label_timeline_follows_delay(models):
    daily = daily_class_balance(models)
    split = models.split
    assert len(daily) == models.config.n_days
    assert daily["transactions"].sum() == len(models.stream)
    training = daily["day"] < split.train_end_day
    gap = (daily["day"] >= split.train_end_day) & (daily["day"] < split.test_start_day)
    assert (daily.loc[training, "label_status"] == "labelled").all()
    assert (daily.loc[gap, "label_status"] == "pending").all()
    assert (daily.loc[training, "frauds_labelled_at_training"] == daily.loc[training, "frauds"]).all()
    assert (daily.loc[~training, "frauds_labelled_at_training"] == 0).all()
    assert set(daily.loc[gap, "period"]) == {"gap"}


def test_feature_table_covers_features(models):
    table = feature_table(models)
    assert list(table["feature"]) == list(FEATURES)
    assert table.notna().all().all()
    row = table.set_index("feature").loc["amount"]
    # Frauds in the simulator are larger than typical purchases.
    assert row["median_fraud"] > row["median_legitimate"]


def test_rule_scores_count_fired_rules():
    features = {
        "amount": np.array([10.0, 500.0, 500.0]),
        "velocity_1h": np.array([0, 5, 5]),
        "is_international": np.array([0, 1, 1]),
        "merchant_risk": np.array([0.0, 0.05, 0.05]),
        "hour_of_day": np.array([12, 3, 12]),
    }
    scores = rule_scores(features)
    assert scores.tolist() == [0.0, 1.0, 0.75]
    assert len(RULES) == 4


def test_model_comparison_has_rules_row(models):
    table = model_comparison(models)
    assert len(table) == 4
    assert table.loc[0, "model"].startswith("Hand-written rules")
    assert table["average_precision"].notna().all()
    # The trained GBM must beat a random ranking by a wide margin.
    gbm = table[table["model"].str.startswith("Gradient boosting")].iloc[0]
    assert gbm["average_precision"] > 10 * gbm["average_precision_no_skill"]


def test_tradeoff_matches_direct_metrics():
    labels, scores = _toy_scores()
    tradeoff = threshold_tradeoff(labels, scores, 0.15, 0.1, 1000)
    direct = metrics_at_threshold(labels, scores, 0.15)
    assert tradeoff.metrics == direct
    expected_cost = (direct.false_positives * 0.1 + direct.false_negatives) * 1000 / labels.size
    assert tradeoff.cost_per_day == pytest.approx(expected_cost)
    row = tradeoff.curve[np.isclose(tradeoff.curve["threshold"], 0.15)].iloc[0]
    assert row["recall"] == pytest.approx(direct.recall)
    assert row["cost_per_day"] == pytest.approx(expected_cost)


@settings(max_examples=40, deadline=None)
@given(low=st.floats(0, 1), high=st.floats(0, 1), ratio=st.sampled_from([1.0, 0.1, 0.01]))
def test_higher_threshold_never_raises_recall(low, high, ratio):
    labels, scores = _toy_scores(seed=3, n=3_000)
    low, high = sorted((low, high))
    at_low = threshold_tradeoff(labels, scores, low, ratio, 1000)
    at_high = threshold_tradeoff(labels, scores, high, ratio, 1000)
    assert at_high.metrics.recall <= at_low.metrics.recall


def test_tradeoff_optimum_is_grid_minimum_or_lower():
    labels, scores = _toy_scores()
    tradeoff = threshold_tradeoff(labels, scores, 0.5, 0.1, 1000)
    # The exact optimum searches every distinct score, so no grid point is cheaper.
    assert tradeoff.optimum.cost_per_day <= tradeoff.curve["cost_per_day"].min() + 1e-9


@pytest.mark.parametrize("ratio", [0.0, -1.0, 2000.0])
def test_tradeoff_rejects_bad_ratio(ratio):
    labels, scores = _toy_scores()
    with pytest.raises(ValueError, match="fp_to_fn_ratio"):
        threshold_tradeoff(labels, scores, 0.5, ratio, 1000)


def test_measure_latencies_counts_calls():
    calls = []
    durations = measure_latencies_ms(lambda: calls.append(1), n_calls=30, warmup_calls=5)
    assert durations.shape == (30,)
    assert len(calls) == 35
    assert (durations >= 0).all()


def test_latency_budget_sums_to_sla(models):
    budget = latency_budget(models, n_calls=20)
    assert budget.p50_ms <= budget.p99_ms
    assert budget.budget.loc[0, "source"] == "measured p99"
    assert budget.budget.loc[0, "milliseconds"] == pytest.approx(budget.p99_ms)
    if budget.within_sla:
        assert budget.budget["milliseconds"].sum() == pytest.approx(100.0)
    assert sum(ASSUMED_BUDGET_MS.values()) < 100.0


def test_psi_of_identical_samples_is_zero():
    values = np.random.default_rng(0).normal(size=5_000)
    assert psi_of_samples(values, values) == pytest.approx(0.0)


def test_psi_of_binary_feature_matches_formula():
    reference = np.array([0] * 900 + [1] * 100)
    current = np.array([0] * 800 + [1] * 200)
    expected = (0.8 - 0.9) * np.log(0.8 / 0.9) + (0.2 - 0.1) * np.log(0.2 / 0.1)
    assert psi_of_samples(reference, current) == pytest.approx(expected)


@settings(max_examples=30, deadline=None)
@given(shift=st.floats(0.0, 3.0), seed=st.integers(0, 1000))
def test_psi_is_nonnegative_and_grows(shift, seed):
    rng = np.random.default_rng(seed)
    reference = rng.normal(size=2_000)
    current = rng.normal(size=2_000)
    small = psi_of_samples(reference, current + shift / 2)
    large = psi_of_samples(reference, current + shift + 1.0)
    assert small >= 0
    assert large >= small


def test_psi_rejects_empty_sample():
    with pytest.raises(ValueError, match="at least one value"):
        psi_of_samples([], [1.0])


@pytest.fixture(scope="module")
def drift(models):
    return drift_view(models, models.split.test_start_day + 5, 0.5)


def test_drift_lowers_recall_only_after_start(drift):
    daily = drift.daily.pivot(index="day", columns="scenario", values="recall")
    before = daily.index < drift.drift_start_day
    # Transactions before the drift start are identical with and without drift.
    assert np.allclose(daily.loc[before, "drift"], daily.loc[before, "no drift"])
    assert drift.recall_after < drift.recall_before / 2


def test_drift_hides_in_population_psi(drift):
    psi = drift.psi.set_index("signal")
    assert (psi["psi_all_after"] < 0.1).all()
    assert psi.loc["amount", "psi_fraud_after"] > 0.2


def test_drift_rejects_start_outside_test(models):
    with pytest.raises(ValueError, match="drift_start_day"):
        drift_view(models, models.split.test_start_day - 1, 0.5)


def test_charts_build_with_titles(models, drift):
    daily = daily_class_balance(models)
    labels, scores = models.y_test, models.test_scores
    tradeoff = threshold_tradeoff(labels, scores, 0.5, 0.1, 40_000)
    budget = latency_budget(models, n_calls=20)
    built = [
        charts.class_balance_chart(daily),
        charts.label_timeline_chart(daily, models.split.test_start_day),
        charts.precision_recall_chart(tradeoff.curve, 0.5),
        charts.cost_curve_chart(tradeoff.curve, tradeoff.optimum, 0.5),
        charts.feature_importance_chart(pd.DataFrame({"feature": ["a"], "importance": [0.1], "std": [0.01]})),
        charts.latency_budget_chart(budget.budget, budget.sla_ms),
        charts.latency_histogram_chart(budget.latencies_ms),
        charts.drift_recall_chart(drift.daily, drift.drift_start_day),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert spec.get("title"), spec
