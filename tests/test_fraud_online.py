"""Tests of the online path: feature store, fast scorer, explanations and replay."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from core.fraud.model import FraudModels, build_default_models
from core.fraud.monitoring import (
    PSI_ALERT,
    build_reference,
    drift_alerts,
    hourly_label_metrics,
    hourly_psi,
    labels_as_of_seconds,
)
from core.fraud.online import (
    CENTS_BUG_MERCHANT_MODULUS,
    ReplayScenario,
    TreeEnsembleScorer,
    Transaction,
    VelocityStore,
    check_thresholds,
    decide,
    feature_contributions,
    merchant_risk_table,
    prepare_replay,
    replay_day,
    score_transaction,
    sensitivity_sweep,
    training_scores,
    typical_values,
)
from core.fraud.stream import FEATURES, SECONDS_PER_DAY, SECONDS_PER_HOUR, compute_velocity_1h

REPLAY_ROWS = 20_000


@pytest.fixture(scope="module")
def models() -> FraudModels:
    return build_default_models(seed=0)


@pytest.fixture(scope="module")
def scorer(models) -> TreeEnsembleScorer:
    return TreeEnsembleScorer(models.gbm.estimator)


@pytest.fixture(scope="module")
def reference(models):
    return build_reference(models.train_features, training_scores(models))


@pytest.fixture(scope="module")
def replay_none(models, scorer):
    return replay_day(scorer, prepare_replay(models, ReplayScenario(max_transactions=REPLAY_ROWS)))


# ------------------------------------------------------------------- scorer


def test_scorer_equals_predict_proba(models, scorer):
    matrix = models.test.loc[:, list(FEATURES)].to_numpy(np.float64)[:5_000]
    expected = models.gbm.estimator.predict_proba(matrix)[:, 1]
    actual = np.array([scorer.score(row) for row in matrix])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


def test_scorer_equals_predict_proba_on_extremes(models, scorer):
    rows = np.array(
        [
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [1_000_000.0, 50.0, 1.0, 1.0, 3.0],
            [1e7, 1000.0, 1.0, 1.0, 23.0],
            [250.0, 1.0, 0.0, 0.2, 14.0],
        ]
    )
    expected = models.gbm.estimator.predict_proba(rows)[:, 1]
    actual = np.array([scorer.score(row) for row in rows])
    np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12)


def test_scorer_rejects_other_estimators():
    estimator = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    with pytest.raises(ValueError, match="HistGradientBoostingClassifier"):
        TreeEnsembleScorer(estimator)


# ----------------------------------------------------------- feature store


def test_velocity_store_window_by_hand():
    store = VelocityStore()
    stamps = [0.0, 1_000.0, 3_599.0, 3_600.0, 3_600.0, 7_300.0]
    velocities = []
    for stamp in stamps:
        velocities.append(store.velocity(7, stamp))
        store.add(7, stamp)
    # At 3600 the window [0, 3600) contains 0, 1000 and 3599; the second 3600 does not
    # count the first (same instant); at 7300 the window [3700, 7300) is empty.
    assert velocities == [0, 1, 2, 3, 3, 0]


def test_velocity_store_ignores_later_transactions():
    store = VelocityStore()
    store.add(1, 100.0)
    before = store.velocity(1, 200.0)
    store.add(1, 200.0)
    store.add(1, 300.0)
    assert before == 1
    assert store.velocity(1, 200.0) == 1


def test_velocity_store_keeps_cards_apart():
    store = VelocityStore()
    store.add(1, 10.0)
    assert store.velocity(2, 20.0) == 0
    assert store.velocity(1, 20.0) == 1


def test_velocity_store_rejects_out_of_order():
    store = VelocityStore()
    store.add(1, 500.0)
    with pytest.raises(ValueError, match="time order"):
        store.add(2, 400.0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 4 * 3600).map(float)),
        min_size=1,
        max_size=120,
    )
)
def test_velocity_store_matches_offline(events):
    # Integer seconds make ties and exact window edges (t - 3600) frequent.
    events = sorted(events, key=lambda event: event[1])
    cards = np.array([card for card, _ in events])
    stamps = np.array([stamp for _, stamp in events])
    store = VelocityStore()
    online = []
    for card, stamp in events:
        online.append(store.velocity(card, stamp))
        store.add(card, stamp)
    np.testing.assert_array_equal(online, compute_velocity_1h(cards, stamps))


def test_merchant_risk_table_equals_offline_feature(models):
    config = models.config
    stream = models.stream
    rows = stream.loc[stream["day"] == 22].iloc[[0, 5_000, 20_000]]
    for row in rows.itertuples(index=False):
        table = merchant_risk_table(
            stream,
            as_of=row.timestamp,
            n_merchants=config.n_merchants,
            label_delay_seconds=config.label_delay_seconds,
            window_seconds=config.merchant_risk_window_days * SECONDS_PER_DAY,
            prior_rate=config.fraud_rate,
        )
        assert table[row.merchant_id] == pytest.approx(row.merchant_risk, rel=1e-12)


# ------------------------------------------------------- single transaction


EXTREMES = [
    Transaction(0.0, 0, False, 0.0, 0),
    Transaction(1_000_000.0, 50, True, 1.0, 3),
    Transaction(1_000_000.0, 0, False, 0.0, 12),
    Transaction(0.0, 50, True, 0.2, 23),
    *[Transaction(250.0, 1, False, 0.2, hour) for hour in range(24)],
]


@pytest.mark.parametrize("transaction", EXTREMES)
def test_extreme_inputs_score_in_unit_interval(scorer, transaction):
    scored = score_transaction(scorer, transaction, 0.5, 0.9, latency_calls=5)
    assert 0.0 <= scored.score <= 1.0
    assert scored.decision in {"approve", "review", "block"}
    assert scored.latency_p50_ms <= scored.latency_p99_ms


def test_extreme_inputs_explanations_finite(models, scorer):
    typical = typical_values(models.train_features)
    for transaction in EXTREMES[:4]:
        contributions = feature_contributions(scorer, transaction, typical)
        assert contributions["contribution"].between(-1.0, 1.0).all()
        for feature in FEATURES:
            sweep = sensitivity_sweep(scorer, transaction, feature)
            assert sweep["score"].between(0.0, 1.0).all()


def test_decision_rises_with_amount_and_velocity(scorer):
    # International, 3 a.m., at a merchant with a 2% fraud share.
    steps = [(20.0, 0), (200.0, 1), (800.0, 3), (2_000.0, 10)]
    decisions = [
        decide(scorer.score(Transaction(amount, velocity, True, 0.02, 3).to_row()), 0.5, 0.9)
        for amount, velocity in steps
    ]
    order = ["approve", "review", "block"]
    assert decisions[0] == "approve"
    assert decisions[-1] == "block"
    assert [order.index(d) for d in decisions] == sorted(order.index(d) for d in decisions)


def test_contribution_of_typical_feature_is_zero(models, scorer):
    typical = typical_values(models.train_features)
    transaction = Transaction(250.0, typical["velocity_1h"], False, 0.2, 14)
    contributions = feature_contributions(scorer, transaction, typical).set_index("feature")
    assert contributions.loc["velocity_1h", "contribution"] == 0.0
    assert contributions.loc["merchant_risk", "contribution"] > 0.0


def test_sweep_changes_only_one_feature(scorer):
    transaction = Transaction(250.0, 1, False, 0.2, 14)
    sweep = sensitivity_sweep(scorer, transaction, "velocity_1h")
    assert sweep["value"].tolist() == list(range(51))
    at_current = sweep.loc[sweep["value"] == 1, "score"].iloc[0]
    assert at_current == pytest.approx(scorer.score(transaction.to_row()), abs=1e-15)


def test_sweep_rejects_unknown_feature(scorer):
    with pytest.raises(ValueError, match="not a model feature"):
        sensitivity_sweep(scorer, Transaction(1.0, 0, False, 0.0, 0), "card_id")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": -1.0}, "amount"),
        ({"amount": float("nan")}, "amount"),
        ({"velocity_1h": -1}, "velocity_1h"),
        ({"merchant_risk": 1.5}, "merchant_risk"),
        ({"hour_of_day": 24}, "hour_of_day"),
        ({"hour_of_day": 2.5}, "hour_of_day"),
        ({"is_international": 2}, "is_international"),
    ],
)
def test_transaction_rejects_bad_inputs(changes, message):
    values = dataclasses.asdict(Transaction(250.0, 1, False, 0.2, 14)) | changes
    with pytest.raises(ValueError, match=message):
        Transaction(**values)


def test_thresholds_must_be_ordered():
    with pytest.raises(ValueError, match="review_threshold=0.95 is above block_threshold=0.9"):
        check_thresholds(0.95, 0.9)


def test_decide_at_threshold_boundaries():
    assert decide(0.9, 0.5, 0.9) == "block"
    assert decide(0.5, 0.5, 0.9) == "review"
    assert decide(0.4999, 0.5, 0.9) == "approve"


# ------------------------------------------------------------------- replay


def test_replay_has_no_velocity_skew(replay_none):
    assert len(replay_none.transactions) == REPLAY_ROWS
    assert replay_none.velocity_mismatches == 0


def test_replay_scores_and_latencies(replay_none):
    frame = replay_none.transactions
    assert frame["score"].between(0.0, 1.0).all()
    assert (frame["latency_ms"] > 0).all()
    p50, p99, slowest = replay_none.latency_percentiles_ms()
    assert 0 < p50 <= p99 <= slowest
    assert frame["timestamp"].is_monotonic_increasing
    assert frame["hour"].between(0, 23).all()


def test_replay_without_drift_does_not_alert(models, scorer, reference):
    result = replay_day(scorer, prepare_replay(models, ReplayScenario()))
    psi_table = hourly_psi(result.transactions, reference)
    assert psi_table["psi"].max() <= PSI_ALERT
    labels = hourly_label_metrics(result.transactions, 0.5, labels_as_of_seconds(5))
    assert drift_alerts(psi_table, labels, recall_level=0.2).empty


def test_amount_bug_alerts_after_drift_hour_only(models, scorer, reference):
    scenario = ReplayScenario(drift="amount_in_cents", drift_start_hour=12)
    replay_input = prepare_replay(models, scenario)
    result = replay_day(scorer, replay_input)
    frame = result.transactions

    affected = (frame["hour"] >= 12) & (frame["merchant_id"] % CENTS_BUG_MERCHANT_MODULUS == 0)
    np.testing.assert_allclose(frame.loc[affected, "amount"], replay_input.events.loc[affected, "amount"] * 100)
    np.testing.assert_array_equal(frame.loc[~affected, "amount"], replay_input.events.loc[~affected, "amount"])

    psi_table = hourly_psi(frame, reference)
    labels = hourly_label_metrics(frame, 0.5, labels_as_of_seconds(5))
    alerts = drift_alerts(psi_table, labels, recall_level=0.2)
    assert alerts["hour"].min() == 12
    assert set(alerts.loc[alerts["signal"] == "psi", "column"]) >= {"amount", "score"}
    assert result.velocity_mismatches == 0


def test_fraud_pattern_drift_keeps_earlier_hours(models, scorer, reference):
    drift_hour = 6
    drifted = prepare_replay(models, ReplayScenario(drift="fraud_pattern", drift_start_hour=drift_hour))
    plain = prepare_replay(models, ReplayScenario())
    cutoff = drifted.day * SECONDS_PER_DAY + drift_hour * SECONDS_PER_HOUR
    columns = ["timestamp", "card_id", "merchant_id", "amount", "is_fraud"]
    before_drifted = drifted.events.loc[drifted.events["timestamp"] < cutoff, columns].reset_index(drop=True)
    before_plain = plain.events.loc[plain.events["timestamp"] < cutoff, columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(before_drifted, before_plain)
    assert drifted.events.loc[drifted.events["timestamp"] >= cutoff, "is_drifted"].any()

    result = replay_day(scorer, drifted)
    assert result.velocity_mismatches == 0
    psi_table = hourly_psi(result.transactions, reference)
    labels = hourly_label_metrics(result.transactions, 0.5, labels_as_of_seconds(5))
    alerts = drift_alerts(psi_table, labels, recall_level=0.2)
    assert (alerts["hour"] >= drift_hour).all()


def test_replay_reports_progress(models, scorer):
    shares = []
    replay_day(
        scorer,
        prepare_replay(models, ReplayScenario(max_transactions=5_000)),
        progress=shares.append,
        progress_every=1_000,
    )
    assert shares == [0.2, 0.4, 0.6, 0.8, 1.0]


def test_scenario_rejects_unknown_drift():
    with pytest.raises(ValueError, match="drift='sideways' is not a scenario"):
        ReplayScenario(drift="sideways")


def test_zero_review_threshold_reviews_everything():
    assert check_thresholds(0.0, 0.9) == (0.0, 0.9)
    assert decide(0.0, 0.0, 0.9) == "review"
