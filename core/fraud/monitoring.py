"""Monitoring signals of the online path: drift (PSI), score distribution, delayed recall.

The population stability index (PSI) compares the share of transactions in fixed bins
with the share in the same bins during the training period:

    PSI = sum_i (a_i - e_i) * ln(a_i / e_i)

where ``e_i`` is the reference (expected) share of bin i and ``a_i`` the actual share.
Shares below EPSILON are raised to EPSILON, so an empty bin adds a large but finite
term. PSI is an effect size: it grows with how far the distribution moved, not with
the sample size, so a statistically significant but tiny shift in millions of rows
stays near zero. The usual reading is below 0.1 stable, 0.1 to 0.2 a moderate shift,
above 0.2 a shift worth acting on (PSI_ALERT).

Hourly windows are compared with the training rows of the same hour of day, because
the daily cycle alone (night traffic is smaller, more international and riskier)
would otherwise make every night hour look drifted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import beta

from core.fraud.stream import SECONDS_PER_HOUR
from core.validation import check_array, check_integer, check_number

PSI_ALERT = 0.2
EPSILON = 1e-4
MAX_BINS = 10
# Features watched hour by hour. hour_of_day is constant within an hour, so its PSI
# against the same hour of training is zero by construction and is left out.
MONITORED_FEATURES = ("amount", "velocity_1h", "is_international", "merchant_risk")
MONITORED_COLUMNS = ("score", *MONITORED_FEATURES)

# NOTE: with one or two frauds an hour, hourly recall is mostly noise. On the ten test
# days of the default stream without drift (review threshold 0.5, level 0.2) this rule
# fired in 1 of 240 hours, and it rarely confirms the simulator's fraud-pattern drift
# within the replayed day. A lower level or shorter window pages on noise.
RECALL_WINDOW_HOURS = 6
RECALL_MIN_FRAUDS = 8
RECALL_CONFIDENCE = 0.95
# Largest trial count for the Beta quantile; counts stay exact as floats up to 2**53.
MAX_TRIALS = 10**15


def _check_sample(name: str, values: object) -> np.ndarray:
    array = check_array(name, values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    return array


def bin_edges(reference: np.ndarray, max_bins: int = MAX_BINS) -> np.ndarray:
    """Compute fixed bin edges from reference values.

    A column with at most ``max_bins`` distinct values (a flag, a small count) gets one
    bin per value, with edges halfway between neighbours. Otherwise the edges are the
    distinct deciles (for ``max_bins=10``). Equal quantiles merge, so a column that is
    mostly zero gets fewer bins. Bin k contains ``edges[k-1] <= x < edges[k]``, with open
    ends below the first edge and above the last.
    """
    values = _check_sample("reference", reference)
    max_bins = check_integer("max_bins", max_bins, 2, 1000)
    if values.size == 0:
        raise ValueError("reference must contain at least one value")
    distinct = np.unique(values)
    if distinct.size <= max_bins:
        return (distinct[1:] + distinct[:-1]) / 2.0
    quantiles = np.quantile(values, np.arange(1, max_bins) / max_bins)
    return np.unique(quantiles)


def bin_shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Return the share of ``values`` in each of the ``len(edges) + 1`` bins."""
    values = _check_sample("values", values)
    if values.size == 0:
        raise ValueError("values must contain at least one value")
    edges = _check_sample("edges", edges)
    if np.any(np.diff(edges) < 0):
        raise ValueError("edges must be sorted in increasing order")
    counts = np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1)
    return counts / values.size


def psi(expected_shares: Sequence[float], actual_shares: Sequence[float], epsilon: float = EPSILON) -> float:
    """Compute the population stability index of two binned distributions.

    PSI = sum_i (a_i - e_i) ln(a_i / e_i), with every share raised to at least
    ``epsilon`` so that empty bins stay finite. Each input must sum to 1.

    Example: e = (0.5, 0.5), a = (0.25, 0.75) gives
    0.25 ln 2 + 0.25 ln 1.5 = 0.27465.
    """
    expected = check_array("expected_shares", expected_shares)
    actual = check_array("actual_shares", actual_shares)
    epsilon = check_number("epsilon", epsilon, 0.0, 0.01, low_inclusive=False)
    if expected.shape != actual.shape or expected.ndim != 1 or expected.size < 2:
        raise ValueError(
            f"expected_shares and actual_shares must be 1-D with the same number of bins (at "
            f"least 2), got shapes {expected.shape} and {actual.shape}"
        )
    for name, shares in (("expected_shares", expected), ("actual_shares", actual)):
        # Shares outside [0, 1] are rejected before summing, because their sum can overflow.
        if (shares < 0).any() or (shares > 1).any():
            raise ValueError(
                f"{name} must be non-negative and sum to 1, got values from {shares.min():g} "
                f"to {shares.max():g}"
            )
        if not np.isclose(shares.sum(), 1.0, atol=1e-6):
            raise ValueError(f"{name} must be non-negative and sum to 1, got sum {shares.sum():g}")
    expected = np.maximum(expected, epsilon)
    actual = np.maximum(actual, epsilon)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def psi_of_samples(reference: np.ndarray, actual: np.ndarray, max_bins: int = MAX_BINS) -> float:
    """Compute the PSI of ``actual`` against ``reference`` with bins fixed on ``reference``.

    A constant reference gives a single open-ended bin that holds every value of
    ``actual`` too, so the index is 0.
    """
    for name, sample in (("reference", reference), ("actual", actual)):
        if _check_sample(name, sample).size == 0:
            raise ValueError(f"{name} must contain at least one value")
    edges = bin_edges(reference, max_bins)
    if edges.size == 0:
        return 0.0
    return psi(bin_shares(reference, edges), bin_shares(actual, edges))


@dataclass(frozen=True, eq=False)
class MonitoringReference:
    """Bins and training-period shares that the hourly windows are compared with.

    ``edges`` maps each of MONITORED_COLUMNS to its bin edges (fixed on the whole
    training period); ``hourly_shares`` maps it to an array of shape (24, n_bins), the
    training share of each bin among transactions of that hour of day.
    """

    edges: dict[str, np.ndarray]
    hourly_shares: dict[str, np.ndarray]


def build_reference(train_features: pd.DataFrame, train_scores: np.ndarray) -> MonitoringReference:
    """Fix the bins on the training period and count its shares per hour of day.

    Parameters
    ----------
    train_features : pandas.DataFrame
        The training period's rows with MONITORED_FEATURES and ``hour_of_day``.
    train_scores : array of float, shape (n,)
        The model's scores of the same rows.
    """
    hours = train_features["hour_of_day"].to_numpy(np.int64)
    missing_hours = sorted(set(range(24)) - set(np.unique(hours)))
    if missing_hours:
        raise ValueError(f"the training period has no transactions at hours {missing_hours}")
    frame = train_features.loc[:, list(MONITORED_FEATURES)].assign(score=np.asarray(train_scores))
    edges, hourly = {}, {}
    for column in MONITORED_COLUMNS:
        values = frame[column].to_numpy(np.float64)
        edges[column] = bin_edges(values)
        hourly[column] = np.vstack([bin_shares(values[hours == hour], edges[column]) for hour in range(24)])
    return MonitoringReference(edges=edges, hourly_shares=hourly)


def hourly_psi(transactions: pd.DataFrame, reference: MonitoringReference) -> pd.DataFrame:
    """Compute the PSI of each monitored column in each hour against the same training hour.

    Parameters
    ----------
    transactions : pandas.DataFrame
        Replayed rows with ``hour`` and MONITORED_COLUMNS.

    Returns
    -------
    pandas.DataFrame
        Columns ``hour``, ``column``, ``psi`` and ``n`` (transactions in the hour).
    """
    for column in MONITORED_COLUMNS:
        check_array(column, transactions[column])
    records = []
    for hour, group in transactions.groupby("hour", sort=True):
        for column in MONITORED_COLUMNS:
            actual = bin_shares(group[column].to_numpy(np.float64), reference.edges[column])
            records.append(
                {
                    "hour": int(hour),
                    "column": column,
                    "psi": psi(reference.hourly_shares[column][int(hour)], actual),
                    "n": len(group),
                }
            )
    return pd.DataFrame(records, columns=["hour", "column", "psi", "n"])


def hourly_score_quantiles(transactions: pd.DataFrame, review_threshold: float) -> pd.DataFrame:
    """Summarise the score distribution per hour.

    Returns
    -------
    pandas.DataFrame
        Columns ``hour``, ``n``, ``p50``, ``p90``, ``p99`` (score quantiles) and
        ``flagged_share`` (share with score >= review_threshold).
    """
    review_threshold = check_number("review_threshold", review_threshold, 0.0, 1.0)
    if len(transactions) == 0:
        raise ValueError("transactions is empty: at least one scored transaction is needed")
    check_array("score", transactions["score"], 0.0, 1.0)
    grouped = transactions.groupby("hour", sort=True)["score"]
    table = grouped.quantile([0.5, 0.9, 0.99]).unstack()
    table.columns = ["p50", "p90", "p99"]
    table.insert(0, "n", grouped.size())
    table["flagged_share"] = grouped.apply(lambda scores: float((scores >= review_threshold).mean()))
    return table.reset_index()


def clopper_pearson_upper(successes: int, trials: int, confidence: float = RECALL_CONFIDENCE) -> float:
    """Return the one-sided upper confidence bound of a binomial proportion (Clopper-Pearson).

    upper = Beta quantile ``confidence`` of Beta(successes + 1, trials - successes), and
    1 when every trial succeeded.
    """
    trials = check_integer("trials", trials, 1, MAX_TRIALS)
    # Below 0.5 the "upper" bound falls under the observed share, which no caller wants.
    confidence = check_number("confidence", confidence, 0.5, 1.0, high_inclusive=False)
    successes = check_integer("successes", successes, 0, trials)
    if successes == trials:
        return 1.0
    return float(beta.ppf(confidence, successes + 1, trials - successes))


def hourly_label_metrics(
    transactions: pd.DataFrame,
    review_threshold: float,
    labels_as_of: float,
    window_hours: int = RECALL_WINDOW_HOURS,
) -> pd.DataFrame:
    """Compute precision and recall per hour from the labels that have arrived.

    A transaction counts only if ``label_available_at <= labels_as_of`` (seconds from
    the start of the replayed day); the others have no label yet. A transaction is
    flagged when its score is at least ``review_threshold``. Precision and recall are
    None where no flagged or no fraud label has arrived. ``window_recall`` and
    ``window_frauds`` cover the trailing ``window_hours`` hours up to and including the
    hour, the window of the recall alert.

    Returns
    -------
    pandas.DataFrame
        Columns ``hour``, ``labelled``, ``frauds``, ``flagged``, ``caught``,
        ``precision``, ``recall``, ``window_frauds``, ``window_caught``,
        ``window_recall`` and ``window_recall_upper`` (one-sided 95% upper bound).
    """
    review_threshold = check_number("review_threshold", review_threshold, 0.0, 1.0)
    labels_as_of = check_number("labels_as_of", labels_as_of)
    window_hours = check_integer("window_hours", window_hours, 1, 24)

    labelled = transactions["label_available_at"].to_numpy() <= labels_as_of
    fraud = transactions["is_fraud"].to_numpy() == 1
    flagged = transactions["score"].to_numpy() >= review_threshold
    counts = (
        pd.DataFrame(
            {
                "hour": transactions["hour"].to_numpy(),
                "labelled": labelled,
                "frauds": labelled & fraud,
                "flagged": labelled & flagged,
                "caught": labelled & fraud & flagged,
            }
        )
        .groupby("hour", sort=True)
        .sum()
        .reindex(range(24), fill_value=0)
        .astype(np.int64)
    )
    window = counts[["frauds", "caught"]].rolling(window_hours, min_periods=1).sum().astype(np.int64)
    table = counts.reset_index()
    table["precision"] = [c / f if f else None for c, f in zip(table["caught"], table["flagged"])]
    table["recall"] = [c / f if f else None for c, f in zip(table["caught"], table["frauds"])]
    table["window_frauds"] = window["frauds"].to_numpy()
    table["window_caught"] = window["caught"].to_numpy()
    table["window_recall"] = [c / f if f else None for c, f in zip(table["window_caught"], table["window_frauds"])]
    table["window_recall_upper"] = [
        clopper_pearson_upper(c, f) if f else None for c, f in zip(table["window_caught"], table["window_frauds"])
    ]
    return table


NEXT_STEPS = {
    "score": (
        "The score distribution moved: the review queue will grow or shrink. Find which "
        "feature moved in the same hour, and check the alert rate against the review team's "
        "capacity before changing the thresholds."
    ),
    "feature": (
        "Compare the raw {feature} values with the source system and look for a release, a "
        "schema or unit change at that hour. If it is a bug, roll it back or route the "
        "affected traffic to rules; if customers really changed, recalibrate the thresholds "
        "and plan a retrain."
    ),
    "recall": (
        "Recall fell: pull the missed frauds of the window and look for a new pattern "
        "(amount, merchant, time of day). Add a rule for it now, and retrain with the newest "
        "labels."
    ),
}


def drift_alerts(
    psi_table: pd.DataFrame,
    label_table: pd.DataFrame,
    recall_level: float,
    psi_threshold: float = PSI_ALERT,
    min_frauds: int = RECALL_MIN_FRAUDS,
) -> pd.DataFrame:
    """List the alerts of each hour, with a next step for the on-call engineer.

    Rules: a PSI alert when a monitored column's PSI is above ``psi_threshold``. A
    recall alert when the trailing window contains at least ``min_frauds`` labelled frauds
    and the one-sided 95% upper bound of its recall is below ``recall_level``, so a
    window with two missed frauds out of three (too few to tell) does not page anyone.

    Returns
    -------
    pandas.DataFrame
        Columns ``hour``, ``signal`` ("psi" or "recall"), ``column``, ``value`` (the
        PSI or the window recall), ``message`` and ``next_step``; sorted by hour.
    """
    recall_level = check_number("recall_level", recall_level, 0.0, 1.0)
    psi_threshold = check_number("psi_threshold", psi_threshold, 0.0, low_inclusive=False)
    min_frauds = check_integer("min_frauds", min_frauds, 1)

    records = []
    for row in psi_table.itertuples(index=False):
        if row.psi > psi_threshold:
            is_score = row.column == "score"
            records.append(
                {
                    "hour": int(row.hour),
                    "signal": "psi",
                    "column": row.column,
                    "value": float(row.psi),
                    "message": f"PSI of {row.column} is {row.psi:.2f} (alert above {psi_threshold:g})",
                    "next_step": NEXT_STEPS["score"] if is_score else NEXT_STEPS["feature"].format(feature=row.column),
                }
            )
    for row in label_table.itertuples(index=False):
        if row.window_frauds >= min_frauds and row.window_recall_upper < recall_level:
            records.append(
                {
                    "hour": int(row.hour),
                    "signal": "recall",
                    "column": "recall",
                    "value": float(row.window_recall),
                    "message": (
                        f"Recall {row.window_recall:.0%} on {row.window_frauds} labelled frauds of the "
                        f"last hours (95% upper bound {row.window_recall_upper:.0%}, level {recall_level:.0%})"
                    ),
                    "next_step": NEXT_STEPS["recall"],
                }
            )
    columns = ["hour", "signal", "column", "value", "message", "next_step"]
    return pd.DataFrame(records, columns=columns).sort_values(["hour", "signal"], kind="stable").reset_index(drop=True)


def labels_as_of_seconds(days_after_replay: float) -> float:
    """Return the label cut-off in seconds from the replayed day's start, N days after its end."""
    days_after_replay = check_number("days_after_replay", days_after_replay, 0.0, 365.0)
    return (1.0 + days_after_replay) * 24.0 * SECONDS_PER_HOUR


def hourly_operations(transactions: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    """Summarise each hour of the replay: volume, latency percentiles and alert count.

    Returns
    -------
    pandas.DataFrame
        Columns ``hour``, ``transactions``, ``latency_p50_ms``, ``latency_p99_ms``
        and ``alerts``.
    """
    grouped = transactions.groupby("hour", sort=True)["latency_ms"]
    table = pd.DataFrame(
        {
            "transactions": grouped.size(),
            "latency_p50_ms": grouped.quantile(0.5),
            "latency_p99_ms": grouped.quantile(0.99),
        }
    )
    table["alerts"] = alerts.groupby("hour").size().reindex(table.index, fill_value=0)
    return table.rename_axis("hour").reset_index()
