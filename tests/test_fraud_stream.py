"""Tests of the transaction stream simulator and its causal features."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.fraud.stream import (
    FEATURES,
    SECONDS_PER_DAY,
    StreamConfig,
    compute_merchant_risk,
    compute_velocity_1h,
    simulate_stream,
)

SMALL = StreamConfig(
    n_cards=400,
    n_merchants=40,
    n_days=8,
    fraud_rate=0.02,
    label_delay_days=2,
    merchant_risk_window_days=3,
    seed=7,
)


@pytest.fixture(scope="module")
def small_stream() -> pd.DataFrame:
    return simulate_stream(SMALL)


def brute_force_velocity(card_id: np.ndarray, timestamp: np.ndarray) -> np.ndarray:
    counts = np.zeros(card_id.size, dtype=np.int64)
    for i in range(card_id.size):
        same_card = card_id == card_id[i]
        in_window = (timestamp >= timestamp[i] - 3600.0) & (timestamp < timestamp[i])
        counts[i] = np.sum(same_card & in_window)
    return counts


def brute_force_merchant_risk(
    merchant_id, timestamp, is_fraud, delay, window, prior_rate
) -> np.ndarray:
    """Recompute merchant_risk from the labels that have arrived, one row at a time."""
    label_time = timestamp + delay
    risk = np.zeros(merchant_id.size)
    for i in range(merchant_id.size):
        arrived = label_time < timestamp[i]
        in_window = timestamp >= timestamp[i] - delay - window
        usable = arrived & in_window
        global_share = (is_fraud[usable].sum() + 10_000 * prior_rate) / (usable.sum() + 10_000)
        mine = usable & (merchant_id == merchant_id[i])
        risk[i] = (is_fraud[mine].sum() + 200 * global_share) / (mine.sum() + 200)
    return risk


def test_config_rejects_fraud_rate_outside_range():
    with pytest.raises(ValueError, match="fraud_rate=0.1 is out of range"):
        StreamConfig(fraud_rate=0.1)
    with pytest.raises(ValueError, match="fraud_rate"):
        StreamConfig(fraud_rate=0.0001)


def test_config_rejects_delay_longer_than_stream():
    with pytest.raises(ValueError, match="label_delay_days"):
        StreamConfig(n_days=5, label_delay_days=5)


def test_config_rejects_drift_after_end():
    with pytest.raises(ValueError, match="drift_start_day"):
        StreamConfig(n_days=10, drift_start_day=10)


def test_config_rejects_oversized_stream():
    with pytest.raises(ValueError, match="too large"):
        StreamConfig(n_cards=200_000, n_days=120, mean_transactions_per_card_day=1.0)


def test_stream_columns_and_order(small_stream):
    expected = {
        "transaction_id", "timestamp", "day", "hour_of_day", "card_id", "merchant_id",
        "amount", "is_international", "velocity_1h", "merchant_risk", "is_fraud",
        "label_available_at", "is_drifted",
    }
    assert expected <= set(small_stream.columns)
    assert set(FEATURES) <= set(small_stream.columns)
    assert small_stream["timestamp"].is_monotonic_increasing
    assert small_stream["timestamp"].min() >= 0
    assert small_stream["timestamp"].max() < SMALL.n_days * SECONDS_PER_DAY
    assert small_stream["hour_of_day"].between(0, 23).all()
    assert (small_stream["amount"] > 0).all()
    assert small_stream["merchant_risk"].between(0, 1).all()
    assert set(small_stream["is_fraud"].unique()) == {0, 1}
    assert set(small_stream["is_international"].unique()) <= {0, 1}


def test_label_available_after_delay(small_stream):
    delay = small_stream["label_available_at"] - small_stream["timestamp"]
    assert np.allclose(delay, SMALL.label_delay_days * SECONDS_PER_DAY)


def test_stream_deterministic_for_seed(small_stream):
    again = simulate_stream(SMALL)
    pd.testing.assert_frame_equal(small_stream, again)


def test_stream_changes_with_seed(small_stream):
    other = simulate_stream(dataclasses.replace(SMALL, seed=8))
    assert len(other) != len(small_stream) or not np.array_equal(
        other["amount"].to_numpy(), small_stream["amount"].to_numpy()
    )


@pytest.mark.parametrize("fraud_rate", [0.0005, 0.001, 0.01, 0.05])
def test_fraud_rate_within_three_standard_errors(fraud_rate):
    config = StreamConfig(n_cards=3_000, n_merchants=200, n_days=20, fraud_rate=fraud_rate, seed=3)
    stream = simulate_stream(config)
    n = len(stream)
    standard_error = math.sqrt(fraud_rate * (1 - fraud_rate) / n)
    observed = stream["is_fraud"].mean()
    assert abs(observed - fraud_rate) <= 3 * standard_error


def test_frauds_come_in_bursts(small_stream):
    # A compromised card makes several transactions minutes apart, so frauds see a
    # much higher velocity than legitimate transactions.
    fraud = small_stream["is_fraud"] == 1
    assert small_stream.loc[fraud, "velocity_1h"].mean() > 3 * small_stream.loc[
        ~fraud, "velocity_1h"
    ].mean()


def test_velocity_matches_brute_force_on_stream(small_stream):
    # Rows from the second hour on have their whole window inside the frame.
    rows = small_stream[small_stream["timestamp"] >= 3600].iloc[:3000]
    window = small_stream[small_stream["timestamp"] <= rows["timestamp"].max()]
    expected = brute_force_velocity(window["card_id"].to_numpy(), window["timestamp"].to_numpy())
    assert np.array_equal(rows["velocity_1h"].to_numpy(), expected[rows.index])


def test_merchant_risk_matches_brute_force_on_stream(small_stream):
    # The warm-up before the returned stream is not in the frame, so check the rows
    # whose window lies entirely inside it.
    window_start = (SMALL.label_delay_days + SMALL.merchant_risk_window_days) * SECONDS_PER_DAY
    rows = small_stream[small_stream["timestamp"] >= window_start].iloc[::40]
    full = small_stream
    delay = SMALL.label_delay_days * SECONDS_PER_DAY
    window = SMALL.merchant_risk_window_days * SECONDS_PER_DAY
    label_time = full["label_available_at"].to_numpy()
    timestamp = full["timestamp"].to_numpy()
    merchant = full["merchant_id"].to_numpy()
    fraud = full["is_fraud"].to_numpy()
    for _, row in rows.iterrows():
        usable = (label_time < row["timestamp"]) & (timestamp >= row["timestamp"] - delay - window)
        global_share = (fraud[usable].sum() + 10_000 * SMALL.fraud_rate) / (usable.sum() + 10_000)
        mine = usable & (merchant == row["merchant_id"])
        expected = (fraud[mine].sum() + 200 * global_share) / (mine.sum() + 200)
        assert row["merchant_risk"] == pytest.approx(expected, rel=1e-12)


transactions = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4),
        st.floats(min_value=0, max_value=5 * 3600, allow_nan=False),
        st.integers(min_value=0, max_value=1),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(transactions)
def test_velocity_equals_brute_force(rows):
    card = np.array([r[0] for r in rows])
    timestamp = np.array([r[1] for r in rows])
    assert np.array_equal(compute_velocity_1h(card, timestamp), brute_force_velocity(card, timestamp))


@settings(max_examples=150, deadline=None)
@given(transactions, st.floats(min_value=0, max_value=3600 * 5, allow_nan=False))
def test_velocity_ignores_later_transactions(rows, cutoff):
    card = np.array([r[0] for r in rows])
    timestamp = np.array([r[1] for r in rows])
    earlier = timestamp < cutoff
    full = compute_velocity_1h(card, timestamp)
    truncated = compute_velocity_1h(card[earlier], timestamp[earlier])
    assert np.array_equal(full[earlier], truncated)


@settings(max_examples=150, deadline=None)
@given(transactions, st.integers(min_value=0, max_value=3), st.integers(min_value=1, max_value=3))
def test_merchant_risk_equals_brute_force(rows, delay_hours, window_hours):
    merchant = np.array([r[0] for r in rows])
    timestamp = np.array([r[1] for r in rows])
    fraud = np.array([r[2] for r in rows])
    delay = delay_hours * 3600.0
    window = window_hours * 3600.0
    risk = compute_merchant_risk(merchant, timestamp, fraud, delay, window, prior_rate=0.01)
    expected = brute_force_merchant_risk(merchant, timestamp, fraud, delay, window, 0.01)
    assert np.allclose(risk, expected, rtol=1e-12, atol=0)


@settings(max_examples=150, deadline=None)
@given(transactions, st.integers(min_value=0, max_value=3), st.data())
def test_merchant_risk_ignores_unarrived_labels(rows, delay_hours, data):
    merchant = np.array([r[0] for r in rows])
    timestamp = np.array([r[1] for r in rows])
    fraud = np.array([r[2] for r in rows])
    delay = delay_hours * 3600.0
    i = data.draw(st.integers(min_value=0, max_value=len(rows) - 1))

    # Flip every label that has not arrived by transaction i's time: its risk must not move.
    not_arrived = timestamp + delay >= timestamp[i]
    flipped = np.where(not_arrived, 1 - fraud, fraud)
    before = compute_merchant_risk(merchant, timestamp, fraud, delay, 7200.0, 0.01)[i]
    after = compute_merchant_risk(merchant, timestamp, flipped, delay, 7200.0, 0.01)[i]
    assert before == after


def test_drift_keeps_stream_before_start():
    config = dataclasses.replace(SMALL, drift_start_day=5, drift_start_hour=6)
    drifted = simulate_stream(config)
    plain = simulate_stream(SMALL)
    start = config.drift_start_seconds
    # Bursts started before the drift may run past it, so compare up to the start.
    before_plain = plain[plain["timestamp"] < start].reset_index(drop=True)
    before_drift = drifted[drifted["timestamp"] < start].reset_index(drop=True)
    pd.testing.assert_frame_equal(before_plain, before_drift)
    assert not drifted.loc[drifted["timestamp"] < start, "is_drifted"].any()


def test_drift_changes_fraud_pattern():
    config = dataclasses.replace(SMALL, drift_start_day=4)
    stream = simulate_stream(config)
    fraud = stream[stream["is_fraud"] == 1]
    drifted = fraud[fraud["is_drifted"]]
    normal = fraud[~fraud["is_drifted"]]
    assert len(drifted) > 20
    assert drifted["amount"].median() < normal["amount"].median() / 3
    assert drifted["is_international"].mean() < normal["is_international"].mean()
    assert drifted["velocity_1h"].mean() < normal["velocity_1h"].mean()
    assert (drifted["timestamp"] >= config.drift_start_seconds).all()
