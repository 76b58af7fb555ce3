"""Tests of the drift and delayed-label monitoring signals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import ks_2samp

from core.fraud.monitoring import (
    EPSILON,
    PSI_ALERT,
    bin_edges,
    bin_shares,
    clopper_pearson_upper,
    drift_alerts,
    hourly_label_metrics,
    labels_as_of_seconds,
    psi,
    psi_of_samples,
)

# PSI reference values below are computed by hand from the definition
# PSI = sum_i (a_i - e_i) ln(a_i / e_i).


def test_psi_two_bins_by_hand():
    # 0.25 ln(0.5 / 0.25) + 0.25 ln(0.75 / 0.5) = 0.25 ln 2 + 0.25 ln 1.5
    expected = 0.25 * math.log(2.0) + 0.25 * math.log(1.5)
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(expected, abs=1e-12)
    assert psi([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.274653, abs=1e-6)


def test_psi_four_bins_by_hand():
    # -0.15 ln 0.4 - 0.05 ln 0.8 + 0.05 ln 1.2 + 0.15 ln 1.6 = 0.228217
    value = psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4])
    assert value == pytest.approx(0.228217, abs=1e-6)


def test_psi_empty_bin_uses_epsilon():
    # The empty reference bin counts as EPSILON = 1e-4:
    # (0.1 - 1e-4) ln(0.1 / 1e-4) + (0.4 - 0.5) ln(0.8) = 0.712399
    assert EPSILON == 1e-4
    assert psi([0.5, 0.5, 0.0], [0.5, 0.4, 0.1]) == pytest.approx(0.712399, abs=1e-6)


def test_psi_both_bins_empty_adds_nothing():
    assert psi([0.5, 0.5, 0.0], [0.5, 0.5, 0.0]) == 0.0


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(0.01, 1.0), min_size=2, max_size=12).flatmap(
        lambda first: st.tuples(st.just(first), st.lists(st.floats(0.01, 1.0), min_size=len(first), max_size=len(first)))
    )
)
def test_psi_non_negative_and_symmetric(pair):
    expected = np.array(pair[0]) / np.sum(pair[0])
    actual = np.array(pair[1]) / np.sum(pair[1])
    forward = psi(expected, actual)
    assert forward >= -1e-12
    assert forward == pytest.approx(psi(actual, expected), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(
    ("expected", "actual", "message"),
    [
        ([0.5, 0.5], [1.0], "same number of bins"),
        ([1.0], [1.0], "same number of bins"),
        ([0.5, 0.6], [0.5, 0.5], "expected_shares must be non-negative and sum to 1"),
        ([0.5, 0.5], [1.5, -0.5], "actual_shares must be non-negative"),
    ],
)
def test_psi_rejects_bad_shares(expected, actual, message):
    with pytest.raises(ValueError, match=message):
        psi(expected, actual)


def test_bin_edges_one_bin_per_flag_value():
    edges = bin_edges(np.array([0, 0, 0, 1, 0, 1]))
    np.testing.assert_array_equal(edges, [0.5])
    np.testing.assert_allclose(bin_shares(np.array([0, 1, 1, 1]), edges), [0.25, 0.75])


def test_bin_edges_deciles_for_continuous_values():
    values = np.random.default_rng(0).normal(size=10_000)
    edges = bin_edges(values)
    assert edges.size == 9
    np.testing.assert_allclose(bin_shares(values, edges), 0.1, atol=1e-3)


def test_bin_edges_merge_equal_quantiles():
    # 80% zeros and 20 distinct larger counts: the first eight deciles are all 0.
    values = np.concatenate((np.zeros(800), np.arange(1, 201)))
    edges = bin_edges(values)
    assert edges[0] == 0.0
    assert np.all(np.diff(edges) > 0)
    assert edges.size < 9


def test_bin_edges_rejects_empty_reference():
    with pytest.raises(ValueError, match="reference must contain at least one value"):
        bin_edges(np.array([]))


def test_tiny_shift_in_large_sample_does_not_alert():
    # A 0.02 standard-deviation shift in a million rows: the KS test calls it
    # significant (p far below 0.001), but the effect size is negligible.
    rng = np.random.default_rng(1)
    reference = rng.normal(0.0, 1.0, 1_000_000)
    shifted = rng.normal(0.02, 1.0, 1_000_000)
    assert ks_2samp(reference, shifted).pvalue < 1e-6
    value = psi_of_samples(reference, shifted)
    assert value < 0.01

    table = pd.DataFrame({"hour": [0], "column": ["amount"], "psi": [value], "n": [1_000_000]})
    alerts = drift_alerts(table, _empty_label_table(), recall_level=0.2)
    assert alerts.empty


def test_large_shift_alerts():
    rng = np.random.default_rng(2)
    value = psi_of_samples(rng.normal(0.0, 1.0, 100_000), rng.normal(1.0, 1.0, 100_000))
    assert value > PSI_ALERT
    table = pd.DataFrame({"hour": [5], "column": ["amount"], "psi": [value], "n": [100_000]})
    alerts = drift_alerts(table, _empty_label_table(), recall_level=0.2)
    assert alerts["hour"].tolist() == [5]
    assert alerts["signal"].tolist() == ["psi"]
    assert "amount" in alerts["next_step"].iloc[0]


def test_psi_at_alert_level_does_not_alert():
    table = pd.DataFrame({"hour": [1], "column": ["score"], "psi": [PSI_ALERT], "n": [100]})
    assert drift_alerts(table, _empty_label_table(), recall_level=0.2).empty


def test_clopper_pearson_upper_no_successes():
    # With 0 successes in n trials the one-sided 95% bound is 1 - 0.05^(1/n);
    # for n = 8 that is 0.312344.
    assert clopper_pearson_upper(0, 8) == pytest.approx(1 - 0.05 ** (1 / 8), abs=1e-9)
    assert clopper_pearson_upper(0, 8) == pytest.approx(0.312344, abs=1e-6)


def test_clopper_pearson_upper_all_successes():
    assert clopper_pearson_upper(5, 5) == 1.0


def test_clopper_pearson_upper_above_estimate():
    assert clopper_pearson_upper(3, 10) > 0.3


def _transactions(hours, frauds, scores, label_times) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hour": hours,
            "is_fraud": frauds,
            "score": scores,
            "label_available_at": label_times,
        }
    )


def _empty_label_table() -> pd.DataFrame:
    frame = _transactions([0], [0], [0.0], [math.inf])
    return hourly_label_metrics(frame, 0.5, labels_as_of=0.0)


def test_label_metrics_count_only_arrived_labels():
    frame = _transactions(
        hours=[0, 0, 0, 1],
        frauds=[1, 1, 0, 1],
        scores=[0.9, 0.1, 0.8, 0.9],
        label_times=[10.0, 10.0, 10.0, 1_000.0],
    )
    table = hourly_label_metrics(frame, review_threshold=0.5, labels_as_of=100.0)
    hour0 = table.iloc[0]
    assert hour0["labelled"] == 3
    assert hour0["frauds"] == 2
    assert hour0["caught"] == 1
    assert hour0["recall"] == pytest.approx(0.5)
    assert hour0["precision"] == pytest.approx(0.5)
    hour1 = table.iloc[1]
    assert hour1["labelled"] == 0
    assert hour1["recall"] is None or pd.isna(hour1["recall"])


def test_label_metrics_before_any_label_are_unknown():
    frame = _transactions([3, 4], [1, 0], [0.9, 0.1], [500.0, 600.0])
    table = hourly_label_metrics(frame, 0.5, labels_as_of=100.0)
    assert int(table["labelled"].sum()) == 0
    assert table["recall"].isna().all()
    assert table["precision"].isna().all()


def test_recall_alert_needs_enough_frauds():
    # Seven missed frauds in one hour: recall 0, but fewer than the minimum of 8.
    few = _transactions([2] * 7, [1] * 7, [0.0] * 7, [0.0] * 7)
    table = hourly_label_metrics(few, 0.5, labels_as_of=1.0)
    assert drift_alerts(_no_psi(), table, recall_level=0.5).empty


def test_recall_alert_fires_on_many_missed_frauds():
    # Twelve missed frauds: the 95% upper bound 1 - 0.05^(1/12) = 0.221 < 0.5.
    many = _transactions([2] * 12, [1] * 12, [0.0] * 12, [0.0] * 12)
    table = hourly_label_metrics(many, 0.5, labels_as_of=1.0)
    alerts = drift_alerts(_no_psi(), table, recall_level=0.5)
    assert alerts["signal"].unique().tolist() == ["recall"]
    assert alerts["hour"].min() == 2


def test_recall_alert_ignores_uncertain_low_recall():
    # Recall 3/10 is below 0.4, but its 95% upper bound (0.61) is not.
    frame = _transactions([1] * 10, [1] * 10, [0.9] * 3 + [0.0] * 7, [0.0] * 10)
    table = hourly_label_metrics(frame, 0.5, labels_as_of=1.0)
    assert drift_alerts(_no_psi(), table, recall_level=0.4).empty


def _no_psi() -> pd.DataFrame:
    return pd.DataFrame({"hour": [0], "column": ["score"], "psi": [0.0], "n": [1]})


def test_labels_as_of_counts_from_day_start():
    assert labels_as_of_seconds(0) == 86_400.0
    assert labels_as_of_seconds(5) == 6 * 86_400.0


def test_labels_as_of_rejects_negative_days():
    with pytest.raises(ValueError, match="days_after_replay"):
        labels_as_of_seconds(-1)
