"""Tests of the fraud evaluation metrics, cost thresholds and the scores upload."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_score,
    recall_score,
    roc_auc_score,
)

from core.fraud.evaluation import (
    CostSettings,
    average_precision,
    brute_force_optimal_threshold,
    calibration_table,
    cost_at_threshold,
    cost_curve,
    daily_confusion_matrix,
    downsample_curve,
    impurity_importance_table,
    metrics_at_threshold,
    optimal_threshold,
    parse_scores_csv,
    pr_curve,
    roc_auc,
    roc_curve,
    sweep_thresholds,
)


def random_scores(seed: int, n: int = 5000, rate: float = 0.02):
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < rate).astype(int)
    scores = np.clip(rng.normal(0.2 + 0.3 * labels, 0.15), 0, 1)
    amounts = rng.lognormal(4, 1, n)
    return labels, scores, amounts


def test_average_precision_step_sum_by_hand():
    # Ranked labels 1, 0, 1, 0: recall steps of 0.5 at precision 1 and 2/3, so
    # AP = 0.5 * 1 + 0.5 * 2/3 = 5/6 (the step sum of scikit-learn's definition).
    result = average_precision([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])
    assert result.value == pytest.approx(5 / 6)
    assert result.baseline == pytest.approx(0.5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_metrics_equal_scikit_learn(seed):
    labels, scores, _ = random_scores(seed)
    assert average_precision(labels, scores).value == pytest.approx(
        average_precision_score(labels, scores), abs=1e-15
    )
    assert roc_auc(labels, scores).value == pytest.approx(roc_auc_score(labels, scores), abs=1e-15)
    assert roc_auc(labels, scores).baseline == 0.5
    assert average_precision(labels, scores).baseline == pytest.approx(labels.mean())


@pytest.mark.parametrize("label", [0, 1])
def test_single_class_metrics_undefined(label):
    labels = np.full(10, label)
    scores = np.linspace(0, 1, 10)
    for result in (average_precision(labels, scores), roc_auc(labels, scores)):
        assert result.value is None
        assert result.baseline is None
        assert not result.is_defined
        assert "single class" in result.reason


def test_metric_inputs_rejected():
    with pytest.raises(ValueError, match="same length"):
        average_precision([0, 1], [0.5])
    with pytest.raises(ValueError, match="0 or 1"):
        roc_auc([0, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="empty"):
        roc_auc([], [])
    with pytest.raises(ValueError, match="finite"):
        roc_auc([0, 1], [0.1, float("nan")])


@pytest.mark.parametrize("threshold", [0.0, 0.25, 0.4, 0.5, 0.9, 1.0])
def test_threshold_metrics_equal_scikit_learn(threshold):
    labels, scores, _ = random_scores(3)
    metrics = metrics_at_threshold(labels, scores, threshold)
    predicted = (scores >= threshold).astype(int)
    tn, fp, fn, tp = confusion_matrix(labels, predicted, labels=[0, 1]).ravel()
    assert (metrics.true_negatives, metrics.false_positives) == (tn, fp)
    assert (metrics.false_negatives, metrics.true_positives) == (fn, tp)
    assert metrics.recall == pytest.approx(recall_score(labels, predicted))
    if tp + fp:
        assert metrics.precision == pytest.approx(precision_score(labels, predicted))
    else:
        assert metrics.precision is None
    assert metrics.false_positive_rate == pytest.approx(fp / (fp + tn))
    assert metrics.alert_rate == pytest.approx(predicted.mean())


def test_threshold_out_of_range_rejected():
    with pytest.raises(ValueError, match="threshold=1.5"):
        metrics_at_threshold([0, 1], [0.1, 0.9], 1.5)


def test_daily_confusion_sums_to_volume():
    labels, scores, _ = random_scores(4)
    metrics = metrics_at_threshold(labels, scores, 0.4)
    matrix = daily_confusion_matrix(metrics, 250_000)
    assert matrix.to_numpy().sum() == pytest.approx(250_000)
    assert matrix.loc["Legitimate", "Alert"] == pytest.approx(
        metrics.false_positives * 250_000 / labels.size
    )


def test_recall_never_rises_with_threshold():
    labels, scores, _ = random_scores(5)
    recalls = [metrics_at_threshold(labels, scores, t).recall for t in np.linspace(0, 1, 101)]
    assert all(later <= earlier for earlier, later in zip(recalls, recalls[1:]))


def test_curves_have_expected_columns():
    labels, scores, _ = random_scores(6)
    pr = pr_curve(labels, scores)
    roc = roc_curve(labels, scores)
    assert list(pr.columns) == ["threshold", "precision", "recall"]
    assert pr["threshold"].is_monotonic_increasing
    assert list(roc.columns) == ["false_positive_rate", "true_positive_rate", "threshold"]
    assert roc["false_positive_rate"].iloc[-1] == 1.0
    small = downsample_curve(pr, 100)
    assert len(small) <= 100
    assert small.iloc[0].equals(pr.iloc[0])
    assert small.iloc[-1].equals(pr.iloc[-1])


@pytest.mark.parametrize("by_amount", [False, True])
def test_optimal_threshold_equals_brute_force(by_amount):
    labels, scores, amounts = random_scores(7, n=3000)
    settings_ = CostSettings(fp_cost=5, fn_cost=50, daily_volume=100_000, fn_cost_is_amount=by_amount)
    curve = cost_curve(labels, scores, settings_, amounts)
    best = optimal_threshold(curve)
    candidates = np.r_[np.unique(scores), 1.0]
    brute = brute_force_optimal_threshold(labels, scores, settings_, candidates, amounts)
    assert best.threshold == brute.threshold
    assert best.cost_per_day == pytest.approx(brute.cost_per_day, rel=1e-12)


costs = st.floats(min_value=0.0, max_value=1000.0, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.integers(0, 20), st.floats(0, 500, allow_nan=False)),
        min_size=1,
        max_size=40,
    ),
    costs,
    costs,
)
def test_cost_curve_matches_direct_costs(rows, fp_cost, fn_cost):
    labels = np.array([r[0] for r in rows])
    # Scores on a grid of twentieths produce many ties.
    scores = np.array([r[1] / 20 for r in rows])
    amounts = np.array([r[2] for r in rows])
    for by_amount in (False, True):
        settings_ = CostSettings(fp_cost, fn_cost, 1000.0, fn_cost_is_amount=by_amount)
        curve = cost_curve(labels, scores, settings_, amounts)
        for row in curve.itertuples():
            direct = cost_at_threshold(labels, scores, row.threshold, settings_, amounts)
            assert row.cost_per_day == pytest.approx(direct.cost_per_day, rel=1e-9, abs=1e-9)
        best = optimal_threshold(curve)
        no_alerts = np.nextafter(1.0, 2.0) if scores.max() == 1.0 else 1.0
        brute = brute_force_optimal_threshold(
            labels, scores, settings_, np.r_[np.unique(scores), no_alerts], amounts
        )
        assert best.cost_per_day == pytest.approx(brute.cost_per_day, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("by_amount", [False, True])
def test_sweep_equals_pointwise_metrics(by_amount):
    labels, scores, amounts = random_scores(9, n=2000)
    settings_ = CostSettings(fp_cost=3, fn_cost=40, daily_volume=5_000, fn_cost_is_amount=by_amount)
    grid = np.r_[np.linspace(0, 1, 41), scores[:5]]
    sweep = sweep_thresholds(labels, scores, grid, settings_, amounts)
    for row in sweep.itertuples():
        metrics = metrics_at_threshold(labels, scores, row.threshold)
        cost = cost_at_threshold(labels, scores, row.threshold, settings_, amounts)
        assert row.recall == pytest.approx(metrics.recall)
        if metrics.precision is None:
            assert math.isnan(row.precision)
        else:
            assert row.precision == pytest.approx(metrics.precision)
        assert row.false_positive_rate == pytest.approx(metrics.false_positive_rate)
        assert row.alert_rate == pytest.approx(metrics.alert_rate)
        assert row.cost_per_day == pytest.approx(cost.cost_per_day)
        assert row.fp_cost_per_day == pytest.approx(cost.fp_cost_per_day)


def test_amount_cost_requires_amounts():
    with pytest.raises(ValueError, match="amounts are required"):
        cost_curve([0, 1], [0.2, 0.8], CostSettings(1, 10, 100, fn_cost_is_amount=True))


def test_cost_settings_reject_negative_cost():
    with pytest.raises(ValueError, match="fp_cost"):
        CostSettings(fp_cost=-1, fn_cost=10, daily_volume=100)


def test_calibration_of_calibrated_scores():
    rng = np.random.default_rng(8)
    scores = rng.beta(0.5, 20, 200_000)
    labels = (rng.random(scores.size) < scores).astype(int)
    table = calibration_table(labels, scores, n_bins=10)
    assert len(table) == 10
    assert table["count"].sum() == scores.size
    # Each bin's observed rate lies within 4 binomial standard errors of its mean score
    # (a 10-bin family at 3 SE would fail by chance about 3% of the time).
    gap = (table["fraud_rate"] - table["mean_score"]).abs()
    assert (gap <= 4 * table["standard_error"]).all()


def test_impurity_importance_needs_feature_importances():
    from sklearn.ensemble import HistGradientBoostingClassifier

    with pytest.raises(ValueError, match="no impurity-based"):
        impurity_importance_table(HistGradientBoostingClassifier(), ("a",))


# Uploads ------------------------------------------------------------------------


def test_upload_valid_file():
    parsed = parse_scores_csv(b"label,score,amount\n0,0.1,20\n1,0.9,300.5\n0,0.2,5\n")
    assert parsed.labels.tolist() == [0, 1, 0]
    assert parsed.scores.tolist() == [0.1, 0.9, 0.2]
    assert parsed.amounts.tolist() == [20, 300.5, 5]


def test_upload_tolerates_header_case_bom_and_extra_columns():
    parsed = parse_scores_csv("\ufeff Label , SCORE ,note\n1,1,x\n0,0.0,y\n".encode())
    assert parsed.labels.tolist() == [1, 0]
    assert parsed.amounts is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"label,amount\n0,1\n", r"missing the column\(s\) \['score'\]"),
        (b"score\n0.1\n", r"missing the column\(s\) \['label'\]"),
        (b"label,score\n", "no data rows"),
        (b"label,score\n0,abc\n", "score in data row 1 is not a finite number: 'abc'"),
        (b"label,score\n0,0.1\nyes,0.2\n", "label in data row 2 is not a finite number"),
        (b"label,score\n0,\n", "score in data row 1 is missing"),
        (b"label,score\n0,nan\n", "not a finite number"),
        (b"label,score\n2,0.5\n", "label must be 0 or 1, got '2'"),
        (b"label,score\n0.5,0.5\n", "label must be 0 or 1"),
        (b"label,score\n1,1.2\n", "score must be between 0 and 1, got '1.2'"),
        (b"label,score\n1,-0.1\n", "score must be between 0 and 1"),
        (b"label,score,amount\n1,0.5,-3\n", "amount must be at least 0"),
        # 1e308 dollars made the daily cost inf and broke the cost chart's JSON.
        (b"label,score,amount\n1,0.5,1e308\n", "amount must be at most 1,000,000,000 dollars, got '1e308'"),
        (b"label,score,label\n1,0.5,1\n", "duplicated columns"),
        # Counting each name with list.count took 19 s for 40,000 columns (quadratic).
        (",".join(f"c{i}" for i in range(40_000)).encode() + b"\n0\n", "has 40,000 columns; the maximum is 100"),
        (b"d" * 3000 + b"\n1\n", r"found \['d{30}\.\.\.'\]; expected"),
        (",".join(f"c{i}" for i in range(50)).encode() + b"\n0\n", r"'c9'\] and 40 more; expected"),
        (b"\xff\xfelabel,score\n", "not valid UTF-8"),
        (b'label,score\n"0,0.1\n', "could not be read as CSV"),
    ],
)
def test_upload_errors(content, message):
    with pytest.raises(ValueError, match=message):
        parse_scores_csv(content)


def test_upload_too_large():
    with pytest.raises(ValueError, match="too large"):
        parse_scores_csv(b"label,score\n" + b"0,0.5\n" * 100, max_bytes=100)


def test_upload_too_many_rows():
    with pytest.raises(ValueError, match="maximum is 3"):
        parse_scores_csv(b"label,score\n" + b"0,0.5\n" * 4, max_rows=3)


def test_upload_single_class_parses_but_metrics_undefined():
    parsed = parse_scores_csv(b"label,score\n0,0.1\n0,0.7\n")
    assert average_precision(parsed.labels, parsed.scores).value is None
    assert "single class" in roc_auc(parsed.labels, parsed.scores).reason
    metrics = metrics_at_threshold(parsed.labels, parsed.scores, 0.5)
    assert metrics.recall is None
    assert math.isclose(metrics.false_positive_rate, 0.5)


def test_calibration_counts_with_tied_scores() -> None:
    # Two of three scores tie at 0, so two quantile edges are equal.
    table = calibration_table(np.array([0, 0, 1]), np.array([0.0, 0.0, 1.0]), n_bins=2)

    assert table["count"].tolist() == [2, 1]
    assert table["fraud_rate"].tolist() == [0.0, 1.0]
    assert table["count"].sum() == 3
