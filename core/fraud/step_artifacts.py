"""Live results behind the eight design steps, computed from the app's fraud models.

Every function takes the trained FraudModels (or arrays from it) and returns plain
data for a page or a chart. The results are base rates, decision bands, the daily
class balance and label timeline, the feature table, the model comparison with a rule
baseline, the threshold trade-off, scoring latency against a budget, and a drift
before/after view.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from core.fraud.evaluation import (
    CostOptimum,
    CostSettings,
    ThresholdMetrics,
    _labels_and_scores,
    average_precision,
    cost_curve,
    metrics_at_threshold,
    optimal_threshold,
    roc_auc,
    sweep_thresholds,
)
from core.fraud.model import FraudModels, validate_features
from core.fraud.monitoring import psi_of_samples
from core.fraud.stream import FEATURES, SECONDS_PER_DAY, simulate_stream
from core.validation import check_array, check_integer, check_number

logger = logging.getLogger(__name__)

SLA_MS = 100.0
# Longest period base_rates accepts; the simulator itself stops at 120 days.
MAX_DAYS = 100_000


# Step 1 -------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseRates:
    """Volume and fraud share of the simulated stream.

    ``accuracy_approve_all`` is the accuracy of a model that never flags fraud, which
    equals ``1 - fraud_rate``.
    """

    n_days: int
    transactions_per_day: float
    frauds_per_day: float
    fraud_rate: float
    fraud_amount_share: float
    accuracy_approve_all: float


def base_rates(stream: pd.DataFrame, n_days: int) -> BaseRates:
    """Compute transactions and frauds per day, the fraud rate and the fraud share of dollars.

    Parameters
    ----------
    stream : pandas.DataFrame
        Columns ``is_fraud`` (0/1) and ``amount`` (dollars), as from simulate_stream.
    n_days : int
        Days the stream covers.
    """
    n_days = check_integer("n_days", n_days, 1, MAX_DAYS)
    if len(stream) == 0:
        raise ValueError("stream is empty: at least one transaction is needed")
    is_fraud = stream["is_fraud"].to_numpy() == 1
    amount = check_array("amount", stream["amount"], 0.0)
    fraud_rate = float(is_fraud.mean())
    return BaseRates(
        n_days=n_days,
        transactions_per_day=len(stream) / n_days,
        frauds_per_day=float(is_fraud.sum()) / n_days,
        fraud_rate=fraud_rate,
        fraud_amount_share=float(amount[is_fraud].sum() / amount.sum()),
        accuracy_approve_all=1.0 - fraud_rate,
    )


# Step 2 -------------------------------------------------------------------------

DECISIONS = ("approve", "review", "block")


def decision_bands(
    labels: Any, scores: Any, review_threshold: float, block_threshold: float, n_days: float
) -> pd.DataFrame:
    """Split scored transactions into approve, review and block bands.

    A transaction is blocked when ``score >= block_threshold``, reviewed when
    ``review_threshold <= score < block_threshold`` and approved otherwise.

    Returns
    -------
    pandas.DataFrame
        One row per decision with ``decision``, ``transactions_per_day``,
        ``transaction_share``, ``frauds_per_day``, ``fraud_share`` (share of all frauds
        that land in the band) and ``fraud_rate`` (frauds among the band's
        transactions; NaN for an empty band).
    """
    # The evaluation check rejects labels other than 0/1 and NaN or infinite scores.
    y, s = _labels_and_scores(labels, scores)
    review_threshold = check_number("review_threshold", review_threshold, 0.0, 1.0)
    block_threshold = check_number("block_threshold", block_threshold, review_threshold, 1.0)
    n_days = check_number("n_days", n_days, 0.0, np.inf, low_inclusive=False)
    if y.size == 0 or y.size != s.size:
        raise ValueError(f"labels and scores must be non-empty and equally long, got {y.size} and {s.size}")

    band = np.where(s >= block_threshold, 2, np.where(s >= review_threshold, 1, 0))
    n_fraud = max(int(y.sum()), 1)
    rows = []
    for index, decision in enumerate(DECISIONS):
        in_band = band == index
        count = int(in_band.sum())
        frauds = int(y[in_band].sum())
        rows.append(
            {
                "decision": decision,
                "transactions_per_day": count / n_days,
                "transaction_share": count / y.size,
                "frauds_per_day": frauds / n_days,
                "fraud_share": frauds / n_fraud,
                "fraud_rate": frauds / count if count else np.nan,
            }
        )
    return pd.DataFrame(rows)


# Step 3 -------------------------------------------------------------------------


def period_of_day(day: int, models: FraudModels) -> str:
    """Return the split period of a day: training, early stopping, gap or test."""
    day = check_integer("day", day, 0)
    split = models.split
    if day < split.validation_start_day:
        return "training"
    if day < split.train_end_day:
        return "early stopping"
    if day < split.test_start_day:
        return "gap"
    return "test"


def daily_class_balance(models: FraudModels) -> pd.DataFrame:
    """Count transactions and frauds per day and place each day on the label timeline.

    The model is trained at the start of the test period (``test_start_day``). A
    label arrives ``label_delay_days`` after its transaction, so on that day only the
    labels of transactions with ``label_available_at <= test_start_day * 86400`` are
    known. The labels of the gap days are still pending.

    Returns
    -------
    pandas.DataFrame
        One row per day with ``day``, ``transactions``, ``frauds``, ``fraud_rate``,
        ``period``, ``label_day`` (all labels of the day have arrived by the start
        of this day),
        ``frauds_labelled_at_training`` and ``label_status`` ("labelled", "pending"
        or "test").
    """
    stream = models.stream
    training_time = models.split.test_start_day * SECONDS_PER_DAY
    labelled = stream["label_available_at"].to_numpy() <= training_time
    frame = pd.DataFrame(
        {
            "day": stream["day"].to_numpy(),
            "is_fraud": stream["is_fraud"].to_numpy().astype(np.int64),
            "fraud_labelled": (stream["is_fraud"].to_numpy() == 1) & labelled,
        }
    )
    daily = frame.groupby("day").agg(
        transactions=("is_fraud", "size"),
        frauds=("is_fraud", "sum"),
        frauds_labelled_at_training=("fraud_labelled", "sum"),
    )
    daily = daily.reindex(range(models.config.n_days), fill_value=0).reset_index()
    daily["fraud_rate"] = daily["frauds"] / daily["transactions"].where(daily["transactions"] > 0)
    daily["period"] = [period_of_day(int(day), models) for day in daily["day"]]
    daily["label_day"] = daily["day"] + 1 + models.config.label_delay_days
    daily["label_status"] = np.where(
        daily["period"] == "test",
        "test",
        np.where(daily["label_day"] <= models.split.test_start_day, "labelled", "pending"),
    )
    return daily


# Step 4 -------------------------------------------------------------------------


def feature_table(models: FraudModels) -> pd.DataFrame:
    """Describe where and how often each model feature is computed, with its medians.

    The descriptions follow how simulate_stream computes each feature; the medians
    are over the whole stream for legitimate and fraudulent transactions.

    Returns
    -------
    pandas.DataFrame
        One row per name in FEATURES with ``feature``, ``kind``, ``computed_in``,
        ``refreshed``, ``point_in_time_rule``, ``median_legitimate`` and
        ``median_fraud``.
    """
    config = models.config
    descriptions = {
        "amount": (
            "request", "authorization message", "every transaction",
            "Value of the transaction itself, in dollars.",
        ),
        "velocity_1h": (
            "real-time", "stream processor, online store keyed by card", "every transaction",
            "Counts the card's transactions in [t − 1 h, t), never this one or a later one.",
        ),
        "is_international": (
            "request", "authorization message and card profile", "every transaction",
            "Merchant country differs from the card's home country.",
        ),
        "merchant_risk": (
            "batch", "daily batch job, pushed to the online store", "daily",
            f"Merchant's smoothed fraud share over a {config.merchant_risk_window_days}-day "
            f"window ending {config.label_delay_days} days (one label delay) before t.",
        ),
        "hour_of_day": (
            "request", "authorization timestamp", "every transaction",
            "Hour of the transaction, 0 to 23.",
        ),
    }
    is_fraud = models.stream["is_fraud"].to_numpy() == 1
    rows = []
    for name in FEATURES:
        kind, computed_in, refreshed, rule = descriptions[name]
        values = models.stream[name].to_numpy(dtype=np.float64)
        rows.append(
            {
                "feature": name,
                "kind": kind,
                "computed_in": computed_in,
                "refreshed": refreshed,
                "point_in_time_rule": rule,
                "median_legitimate": float(np.median(values[~is_fraud])),
                "median_fraud": float(np.median(values[is_fraud])),
            }
        )
    return pd.DataFrame(rows)


# Step 5 -------------------------------------------------------------------------

# A rule set of the kind an analyst writes before any model exists. Each rule adds one
# point; the score is the share of rules that fire, so it ranks transactions coarsely.
RULES = (
    "velocity_1h >= 3",
    "is_international == 1 and amount >= 300",
    "merchant_risk >= 0.01",
    "hour_of_day < 6 and amount >= 200",
)


def rule_scores(features: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
    """Score transactions with the hand-written RULES: the share of rules that fire.

    Parameters
    ----------
    features : pandas.DataFrame or mapping
        Columns ``amount``, ``velocity_1h``, ``is_international``, ``merchant_risk`` and
        ``hour_of_day``.

    Returns
    -------
    numpy.ndarray of float64, values in {0, 0.25, 0.5, 0.75, 1}
    """
    # The model's checks reject missing columns and NaN; its clipping and flooring
    # change no rule, because every rule threshold is below the clipping limits.
    amount, velocity, international, merchant_risk, hour = validate_features(features).T
    fired = (
        (velocity >= 3).astype(int)
        + ((international == 1) & (amount >= 300)).astype(int)
        + (merchant_risk >= 0.01).astype(int)
        + ((hour < 6) & (amount >= 200)).astype(int)
    )
    return fired / len(RULES)


def _latency_percentiles_ms(score_one: Any, n_calls: int) -> tuple[float, float]:
    durations = measure_latencies_ms(score_one, n_calls)
    p50, p99 = np.percentile(durations, [50, 99])
    return float(p50), float(p99)


def model_comparison(models: FraudModels) -> pd.DataFrame:
    """Compare the rule set and the three trained models on the test period.

    Returns
    -------
    pandas.DataFrame
        The columns of FraudModels.comparison_table, with the rule set as the first
        row (fit time 0, its latency measured here over 200 single-row calls).
    """
    test = models.test
    scores = rule_scores(test)
    ap = average_precision(models.y_test, scores)
    auc = roc_auc(models.y_test, scores)
    one_row = {name: test[name].iloc[:1].to_numpy() for name in FEATURES}
    p50, p99 = _latency_percentiles_ms(lambda: rule_scores(one_row), 200)
    rules_row = pd.DataFrame(
        [
            {
                "model": "Hand-written rules (4 rules)",
                "average_precision": ap.value,
                "average_precision_no_skill": ap.baseline,
                "auc_roc": auc.value,
                "fit_seconds": 0.0,
                "latency_p50_ms": p50,
                "latency_p99_ms": p99,
            }
        ]
    )
    return pd.concat([rules_row, models.comparison_table()], ignore_index=True)


# Step 6 -------------------------------------------------------------------------


@dataclass(frozen=True)
class ThresholdTradeoff:
    """Metrics at the chosen threshold, the cost optimum and curves for charts.

    Costs are per day in units of one missed fraud's cost (``fn_cost = 1``), so a
    false alarm costs ``fp_to_fn_ratio``. ``curve`` is the sweep_thresholds table on
    201 thresholds from 0 to 1, with ``precision`` (NaN without alerts), ``recall``,
    ``alerts_per_day`` and ``cost_per_day`` among its columns.
    """

    metrics: ThresholdMetrics
    cost_per_day: float
    optimum: CostOptimum
    optimum_metrics: ThresholdMetrics
    fp_to_fn_ratio: float
    curve: pd.DataFrame


def threshold_tradeoff(
    labels: Any, scores: Any, threshold: float, fp_to_fn_ratio: float, daily_volume: float
) -> ThresholdTradeoff:
    """Evaluate a fraud score threshold against the business cost of both errors.

    Method: a false alarm costs ``fp_to_fn_ratio`` and a missed fraud costs 1. The
    exact cost-minimising threshold comes from cost_curve and optimal_threshold over
    every distinct score; the chart curve is evaluated on 201 thresholds from 0 to 1.

    Parameters
    ----------
    labels, scores : arrays
        Test-period labels (0/1) and fraud scores in [0, 1].
    threshold : float
        Fraud score threshold, 0 to 1.
    fp_to_fn_ratio : float
        Cost of a false alarm divided by the cost of a missed fraud, above 0 up to 1000.
    daily_volume : float
        Transactions per day that the counts are scaled to.
    """
    threshold = check_number("threshold", threshold, 0.0, 1.0)
    fp_to_fn_ratio = check_number("fp_to_fn_ratio", fp_to_fn_ratio, 0.0, 1000.0, low_inclusive=False)
    settings = CostSettings(fp_cost=fp_to_fn_ratio, fn_cost=1.0, daily_volume=daily_volume)
    metrics = metrics_at_threshold(labels, scores, threshold)
    optimum = optimal_threshold(cost_curve(labels, scores, settings))
    optimum_metrics = metrics_at_threshold(labels, scores, min(optimum.threshold, 1.0))
    curve = sweep_thresholds(labels, scores, np.linspace(0.0, 1.0, 201), settings)
    per_row = daily_volume / metrics.n
    cost = (metrics.false_positives * fp_to_fn_ratio + metrics.false_negatives) * per_row
    return ThresholdTradeoff(metrics, cost, optimum, optimum_metrics, fp_to_fn_ratio, curve)


# Step 7 -------------------------------------------------------------------------

# An example split of the rest of the 100 ms budget. These are assumptions for the
# chart, not measurements; only the model's share is measured.
ASSUMED_BUDGET_MS = {
    "network (in and out)": 30.0,
    "feature lookups": 15.0,
    "rules and decision": 5.0,
}


def measure_latencies_ms(score_one: Any, n_calls: int = 200, warmup_calls: int = 10) -> np.ndarray:
    """Time ``n_calls`` calls of ``score_one`` after ``warmup_calls`` untimed ones.

    Returns
    -------
    numpy.ndarray of float64, shape (n_calls,)
        Wall time of each call in milliseconds (``time.perf_counter``).
    """
    n_calls = check_integer("n_calls", n_calls, 1, 100_000)
    warmup_calls = check_integer("warmup_calls", warmup_calls, 0, 10_000)
    for _ in range(warmup_calls):
        score_one()
    durations = np.empty(n_calls)
    for index in range(n_calls):
        started = time.perf_counter()
        score_one()
        durations[index] = time.perf_counter() - started
    return durations * 1000.0


@dataclass(frozen=True)
class LatencyBudget:
    """Measured scoring latency and the budget it sits in, in milliseconds.

    ``budget`` has one row per component with ``component``, ``milliseconds`` and
    ``source`` ("measured p99", "assumed" or "headroom"). The rows sum to the SLA
    when they fit in it. Otherwise there is no headroom row and they sum to more.
    """

    latencies_ms: np.ndarray
    p50_ms: float
    p99_ms: float
    sla_ms: float
    budget: pd.DataFrame

    @property
    def within_sla(self) -> bool:
        """Whether the measured p99 plus the assumed components fit in the SLA."""
        return self.p99_ms + sum(ASSUMED_BUDGET_MS.values()) <= self.sla_ms


def latency_budget(models: FraudModels, n_calls: int = 200, sla_ms: float = SLA_MS) -> LatencyBudget:
    """Measure the GBM's single-transaction scoring latency and place it in the budget.

    Each timed call is ``models.score`` on one test transaction as a mapping, the
    full scoring path of the app: input validation, then ``predict_proba``.
    """
    sla_ms = check_number("sla_ms", sla_ms, 1.0, 10_000.0)
    row = {name: models.test[name].iloc[:1].to_numpy() for name in FEATURES}
    latencies = measure_latencies_ms(lambda: models.score(row), n_calls)
    p50, p99 = np.percentile(latencies, [50, 99])
    components = [{"component": "model scoring", "milliseconds": float(p99), "source": "measured p99"}]
    components += [
        {"component": name, "milliseconds": value, "source": "assumed"}
        for name, value in ASSUMED_BUDGET_MS.items()
    ]
    used = sum(component["milliseconds"] for component in components)
    if used < sla_ms:
        components.append({"component": "headroom", "milliseconds": sla_ms - used, "source": "headroom"})
    logger.info("Measured scoring latency over %d calls: p50 %.3f ms, p99 %.3f ms", n_calls, p50, p99)
    return LatencyBudget(latencies, float(p50), float(p99), sla_ms, pd.DataFrame(components))


# Step 8 -------------------------------------------------------------------------

@dataclass(frozen=True)
class DriftView:
    """Before/after comparison of the drift scenario for the unchanged model.

    ``daily`` has one row per test day and scenario ("no drift", "drift") with
    ``day``, ``scenario``, ``recall``, ``frauds``, ``caught``, ``alerts`` and
    ``label_day`` (the day by whose start every label of the day, and so its recall,
    is known). ``psi`` has one row per feature and for the score
    with ``signal``, ``psi_all_before``, ``psi_all_after`` (all transactions against
    the training period) and ``psi_fraud_before``, ``psi_fraud_after`` (frauds only
    against training frauds).
    """

    drift_start_day: int
    threshold: float
    daily: pd.DataFrame
    psi: pd.DataFrame
    recall_before: float
    recall_after: float


def _pooled_recall(daily: pd.DataFrame) -> float:
    """Return caught frauds over all frauds of the rows, or NaN without frauds."""
    frauds = int(daily["frauds"].sum())
    return float(daily["caught"].sum() / frauds) if frauds else float("nan")


def drift_view(models: FraudModels, drift_start_day: int, threshold: float) -> DriftView:
    """Replay the test period with the simulator's drift scenario and compare it.

    Method: simulate the same stream configuration with ``drift_start_day`` set (the
    transactions before it are identical), score its test period with the trained
    GBM, and compare recall per day with the stream without drift. PSI compares the
    test days before and from the drift start with the training period, once over all
    transactions and once over frauds only.

    Parameters
    ----------
    models : FraudModels
    drift_start_day : int
        First drifted day; must lie in the test period after its first day.
    threshold : float
        Fraud score threshold for the alerts, 0 to 1.
    """
    split = models.split
    drift_start_day = check_integer(
        "drift_start_day", drift_start_day, split.test_start_day + 1, split.n_days - 1
    )
    threshold = check_number("threshold", threshold, 0.0, 1.0)
    started = time.perf_counter()

    config = dataclasses.replace(models.config, drift_start_day=drift_start_day, drift_start_hour=0)
    drifted_stream = simulate_stream(config)
    drifted_test = drifted_stream.loc[drifted_stream["day"] >= split.test_start_day].reset_index(drop=True)
    drifted_scores = models.gbm.predict_matrix(drifted_test.loc[:, list(FEATURES)].to_numpy(dtype=np.float64))

    daily_frames = []
    for scenario, test, scores in (
        ("no drift", models.test, models.test_scores),
        ("drift", drifted_test, drifted_scores),
    ):
        frame = pd.DataFrame(
            {
                "day": test["day"].to_numpy(),
                "fraud": test["is_fraud"].to_numpy() == 1,
                "caught": (test["is_fraud"].to_numpy() == 1) & (scores >= threshold),
                "alert": scores >= threshold,
            }
        )
        daily = frame.groupby("day").agg(
            frauds=("fraud", "sum"), caught=("caught", "sum"), alerts=("alert", "sum")
        ).reset_index()
        daily["recall"] = daily["caught"] / daily["frauds"].where(daily["frauds"] > 0)
        daily["scenario"] = scenario
        daily_frames.append(daily)
    daily = pd.concat(daily_frames, ignore_index=True)
    daily["label_day"] = daily["day"] + 1 + models.config.label_delay_days

    train = models.stream.loc[models.stream["day"] < split.train_end_day]
    train_scores = models.gbm.predict_matrix(train.loc[:, list(FEATURES)].to_numpy(dtype=np.float64))
    train_fraud = train["is_fraud"].to_numpy() == 1
    after = drifted_test["day"].to_numpy() >= drift_start_day
    test_fraud = drifted_test["is_fraud"].to_numpy() == 1

    rows = []
    for signal in (*FEATURES, "score"):
        if signal == "score":
            reference, current = train_scores, drifted_scores
        else:
            reference = train[signal].to_numpy(dtype=np.float64)
            current = drifted_test[signal].to_numpy(dtype=np.float64)
        rows.append(
            {
                "signal": signal,
                "psi_all_before": psi_of_samples(reference, current[~after]),
                "psi_all_after": psi_of_samples(reference, current[after]),
                "psi_fraud_before": psi_of_samples(
                    reference[train_fraud], current[~after & test_fraud]
                ),
                "psi_fraud_after": psi_of_samples(
                    reference[train_fraud], current[after & test_fraud]
                ),
            }
        )

    drifted_daily = daily[daily["scenario"] == "drift"]
    before_days = drifted_daily["day"] < drift_start_day
    recall_before = _pooled_recall(drifted_daily[before_days])
    recall_after = _pooled_recall(drifted_daily[~before_days])
    logger.info(
        "Drift view from day %d in %.2f s: recall %.3f before, %.3f after",
        drift_start_day,
        time.perf_counter() - started,
        recall_before,
        recall_after,
    )
    return DriftView(
        drift_start_day=drift_start_day,
        threshold=threshold,
        daily=daily[["day", "scenario", "recall", "frauds", "caught", "alerts", "label_day"]],
        psi=pd.DataFrame(rows),
        recall_before=recall_before,
        recall_after=recall_after,
    )
