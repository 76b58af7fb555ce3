"""Evaluation of fraud scores under heavy class imbalance, and cost-based thresholds.

Conventions: a transaction raises an alert when ``score >= threshold`` (as in
scikit-learn's ``precision_recall_curve``); label 1 is fraud. Costs are in dollars.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.inspection import permutation_importance
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.metrics import roc_curve as sklearn_roc_curve

from core.validation import check_array, check_integer, check_number

# An uploaded scores file is read whole into memory, so its size is capped.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_UPLOAD_ROWS = 1_000_000
# The file needs at most label, score and amount, so a few extra columns are plenty.
# Checking the header first keeps a one-line file with a million columns cheap.
MAX_UPLOAD_COLUMNS = 100
# Larger amounts are data errors, and amounts near 1e308 overflow the daily cost to inf.
MAX_AMOUNT = 1e9

SINGLE_CLASS_REASON = (
    "undefined: the labels contain a single class ({count} {rows}, all {label}), and "
    "both AUC-PR and AUC-ROC need at least one fraud and one legitimate transaction"
)


@dataclass(frozen=True)
class MetricResult:
    """A ranking metric, its no-skill baseline, and why it is undefined if it is.

    ``value`` and ``baseline`` are None exactly when ``reason`` is set.
    """

    value: float | None
    baseline: float | None
    reason: str | None = None

    @property
    def is_defined(self) -> bool:
        """Whether the metric has a value."""
        return self.value is not None


def _labels_and_scores(labels: Any, scores: Any) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError(f"labels and scores must be 1-D, got shapes {y.shape} and {s.shape}")
    if y.size != s.size:
        raise ValueError(f"labels and scores must have the same length, got {y.size} and {s.size}")
    if y.size == 0:
        raise ValueError("labels and scores are empty: at least one row is needed")
    y = y.astype(np.float64)
    not_binary = (y != 0) & (y != 1)
    if not_binary.any():
        raise ValueError(f"labels must be 0 or 1, got {y[not_binary][0]:g}")
    if not np.isfinite(s).all():
        raise ValueError("scores must be finite numbers, got NaN or infinity")
    return y.astype(np.int64), s


def _single_class_reason(y: np.ndarray) -> str | None:
    if y.min() == y.max():
        rows = "row" if y.size == 1 else "rows"
        return SINGLE_CLASS_REASON.format(count=y.size, rows=rows, label=int(y[0]))
    return None


def average_precision(labels: Any, scores: Any) -> MetricResult:
    """Compute average precision (AUC-PR) and its no-skill baseline.

    AP is the step sum ``sum_n (R_n - R_{n-1}) P_n`` over the thresholds, the
    definition of scikit-learn's ``average_precision_score`` (no interpolation). A
    model that ranks at random has an expected AP of about the positive rate, which is
    the baseline returned.

    Returns
    -------
    MetricResult
        ``value`` and ``baseline`` are None with a ``reason`` when the labels contain
        a single class.
    """
    y, s = _labels_and_scores(labels, scores)
    reason = _single_class_reason(y)
    if reason:
        return MetricResult(None, None, reason)
    return MetricResult(float(average_precision_score(y, s)), float(y.mean()))


def roc_auc(labels: Any, scores: Any) -> MetricResult:
    """Compute the area under the ROC curve and its no-skill baseline, 0.5.

    Returns
    -------
    MetricResult
        ``value`` and ``baseline`` are None with a ``reason`` when the labels contain
        a single class.
    """
    y, s = _labels_and_scores(labels, scores)
    reason = _single_class_reason(y)
    if reason:
        return MetricResult(None, None, reason)
    return MetricResult(float(roc_auc_score(y, s)), 0.5)


def pr_curve(labels: Any, scores: Any) -> pd.DataFrame:
    """Compute the precision-recall curve.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold``, ``precision`` and ``recall`` from scikit-learn's
        ``precision_recall_curve``, one row per distinct score, ordered by increasing
        threshold. The final point (recall 0, precision 1) has no threshold and is
        left out.
    """
    y, s = _labels_and_scores(labels, scores)
    precision, recall, thresholds = precision_recall_curve(y, s)
    return pd.DataFrame(
        {"threshold": thresholds, "precision": precision[:-1], "recall": recall[:-1]}
    )


def roc_curve(labels: Any, scores: Any) -> pd.DataFrame:
    """Compute the ROC curve.

    Returns
    -------
    pandas.DataFrame
        Columns ``false_positive_rate``, ``true_positive_rate`` and ``threshold``
        from scikit-learn's ``roc_curve`` (the first threshold is infinite).
    """
    y, s = _labels_and_scores(labels, scores)
    fpr, tpr, thresholds = sklearn_roc_curve(y, s)
    return pd.DataFrame(
        {"false_positive_rate": fpr, "true_positive_rate": tpr, "threshold": thresholds}
    )


def downsample_curve(curve: pd.DataFrame, max_points: int = 2000) -> pd.DataFrame:
    """Keep at most ``max_points`` evenly spaced rows of a curve, with both ends.

    Curves of a large test period have a point per distinct score, more than a chart
    needs or a browser draws quickly.
    """
    max_points = check_integer("max_points", max_points, 2)
    if len(curve) <= max_points:
        return curve.reset_index(drop=True)
    positions = np.unique(np.linspace(0, len(curve) - 1, max_points).round().astype(int))
    return curve.iloc[positions].reset_index(drop=True)


@dataclass(frozen=True)
class ThresholdMetrics:
    """Counts and rates of the alerts at one threshold.

    ``precision`` is None when there are no alerts; ``recall`` is None when there are
    no frauds; ``false_positive_rate`` is None when there are no legitimate rows.
    """

    threshold: float
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int
    precision: float | None
    recall: float | None
    false_positive_rate: float | None
    alert_rate: float

    @property
    def n(self) -> int:
        """Number of transactions."""
        return self.true_positives + self.false_positives + self.false_negatives + self.true_negatives


def metrics_at_threshold(labels: Any, scores: Any, threshold: float) -> ThresholdMetrics:
    """Compute the confusion counts, precision, recall, false-positive rate and alert rate.

    A transaction is an alert when ``score >= threshold``.

    Parameters
    ----------
    labels : array of {0, 1}
    scores : array of float
    threshold : float
        In [0, 1].
    """
    y, s = _labels_and_scores(labels, scores)
    threshold = check_number("threshold", threshold, 0.0, 1.0)
    alert = s >= threshold
    fraud = y == 1
    tp = int(np.sum(alert & fraud))
    fp = int(np.sum(alert & ~fraud))
    fn = int(np.sum(~alert & fraud))
    tn = int(np.sum(~alert & ~fraud))
    return ThresholdMetrics(
        threshold=threshold,
        true_positives=tp,
        false_positives=fp,
        false_negatives=fn,
        true_negatives=tn,
        precision=tp / (tp + fp) if tp + fp else None,
        recall=tp / (tp + fn) if tp + fn else None,
        false_positive_rate=fp / (fp + tn) if fp + tn else None,
        alert_rate=(tp + fp) / y.size,
    )


def daily_confusion_matrix(metrics: ThresholdMetrics, daily_volume: float) -> pd.DataFrame:
    """Scale the confusion counts to a daily transaction volume.

    Each count is multiplied by ``daily_volume / n``: the expected number of
    transactions per day in that cell if the evaluated period is representative.

    Returns
    -------
    pandas.DataFrame
        Index ``["Fraud", "Legitimate"]`` (actual), columns ``["Alert", "No alert"]``
        (predicted), values in transactions per day.
    """
    daily_volume = check_number("daily_volume", daily_volume, 1.0, 1e10)
    factor = daily_volume / metrics.n
    return pd.DataFrame(
        [
            [metrics.true_positives * factor, metrics.false_negatives * factor],
            [metrics.false_positives * factor, metrics.true_negatives * factor],
        ],
        index=pd.Index(["Fraud", "Legitimate"], name="actual"),
        columns=pd.Index(["Alert", "No alert"], name="predicted"),
    )


@dataclass(frozen=True)
class CostSettings:
    """Dollar costs of the two errors and the volume they are scaled to.

    ``fn_cost`` is the cost of a missed fraud when ``fn_cost_is_amount`` is False;
    when it is True, a missed fraud costs its transaction amount instead.
    """

    fp_cost: float
    fn_cost: float
    daily_volume: float
    fn_cost_is_amount: bool = False

    def __post_init__(self) -> None:
        check_number("fp_cost", self.fp_cost, 0.0, 1e9)
        check_number("fn_cost", self.fn_cost, 0.0, 1e9)
        check_number("daily_volume", self.daily_volume, 1.0, 1e10)


def _missed_fraud_costs(
    y: np.ndarray, amounts: Any, settings: CostSettings
) -> np.ndarray:
    if not settings.fn_cost_is_amount:
        return np.where(y == 1, settings.fn_cost, 0.0)
    if amounts is None:
        raise ValueError("amounts are required when a missed fraud costs its transaction amount")
    amount = np.asarray(amounts, dtype=np.float64)
    if amount.shape != y.shape:
        raise ValueError(f"amounts must have the same length as labels, got {amount.size} and {y.size}")
    if not np.isfinite(amount).all() or (amount < 0).any():
        raise ValueError("amounts must be finite and non-negative")
    return np.where(y == 1, amount, 0.0)


def cost_curve(
    labels: Any, scores: Any, settings: CostSettings, amounts: Any = None
) -> pd.DataFrame:
    """Compute the expected daily cost at every candidate threshold.

    Method: sort by score, descending. At threshold ``t`` the alerts are the rows with
    ``score >= t``; false positives cost ``fp_cost`` each and missed frauds cost
    ``fn_cost`` (or their amount). Cumulative sums give the cost at every distinct
    score in O(n log n). The candidates are every distinct score plus one threshold
    above the largest (no alerts), which is 1 when all scores are below 1. Between
    neighbouring candidates the cost is constant, so the minimum over the candidates is
    the minimum over all thresholds. Daily cost = cost per transaction * daily_volume.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold`` (increasing), ``false_positives``, ``false_negatives``,
        ``fp_cost_per_day``, ``fn_cost_per_day`` and ``cost_per_day``; counts are
        for the evaluated rows, costs are dollars per day.
    """
    y, s = _labels_and_scores(labels, scores)
    miss_cost = _missed_fraud_costs(y, amounts, settings)

    order = np.argsort(-s, kind="stable")
    sorted_scores = s[order]
    sorted_fraud = y[order]
    sorted_miss_cost = miss_cost[order]

    # Last position of each distinct score in descending order: alerting at that score
    # flags every row up to and including it.
    last_of_value = np.flatnonzero(np.r_[sorted_scores[1:] != sorted_scores[:-1], True])
    alert_fp = np.cumsum(1 - sorted_fraud)[last_of_value]
    alert_caught = np.cumsum(sorted_fraud)[last_of_value]
    alert_caught_cost = np.cumsum(sorted_miss_cost)[last_of_value]

    n_fraud = int(y.sum())
    total_miss_cost = float(miss_cost.sum())
    thresholds = sorted_scores[last_of_value]
    false_positives = alert_fp
    false_negatives = n_fraud - alert_caught
    miss_costs = total_miss_cost - alert_caught_cost

    # No alerts at all: a threshold above every score.
    top = float(sorted_scores[0])
    above = 1.0 if top < 1.0 else np.nextafter(top, np.inf)
    thresholds = np.r_[above, thresholds][::-1]
    false_positives = np.r_[0, false_positives][::-1]
    false_negatives = np.r_[n_fraud, false_negatives][::-1]
    miss_costs = np.r_[total_miss_cost, miss_costs][::-1]

    per_row = settings.daily_volume / y.size
    fp_cost_per_day = false_positives * settings.fp_cost * per_row
    fn_cost_per_day = np.maximum(miss_costs, 0.0) * per_row
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "false_positives": false_positives.astype(np.int64),
            "false_negatives": false_negatives.astype(np.int64),
            "fp_cost_per_day": fp_cost_per_day,
            "fn_cost_per_day": fn_cost_per_day,
            "cost_per_day": fp_cost_per_day + fn_cost_per_day,
        }
    )


def sweep_thresholds(
    labels: Any,
    scores: Any,
    thresholds: Any,
    settings: CostSettings | None = None,
    amounts: Any = None,
) -> pd.DataFrame:
    """Compute precision, recall, false-positive rate, alerts and costs at many thresholds.

    Method: the scores are sorted once, and for each threshold ``t`` the rows with
    ``score >= t`` are found with ``searchsorted``, so k thresholds cost
    O(n log n + k log n). Each row equals metrics_at_threshold (and cost_at_threshold
    when ``settings`` is given) at that threshold.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold``, ``precision`` (NaN without alerts), ``recall`` (NaN
        without frauds), ``false_positive_rate`` (NaN without legitimate rows),
        ``alert_rate`` and, with ``settings``, ``alerts_per_day``,
        ``fp_cost_per_day``, ``fn_cost_per_day`` and ``cost_per_day`` (dollars).
    """
    y, s = _labels_and_scores(labels, scores)
    grid = np.asarray(thresholds, dtype=np.float64)
    if grid.ndim != 1 or grid.size == 0 or not np.isfinite(grid).all():
        raise ValueError("thresholds must be a non-empty 1-D array of finite numbers")

    order = np.argsort(s, kind="stable")
    sorted_scores = s[order]
    fraud_before = np.concatenate(([0], np.cumsum(y[order])))
    first_alert = np.searchsorted(sorted_scores, grid, side="left")
    n = y.size
    n_fraud = int(y.sum())
    alerts = n - first_alert
    true_positives = n_fraud - fraud_before[first_alert]
    false_positives = alerts - true_positives
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "threshold": grid,
                "precision": np.where(alerts > 0, true_positives / np.maximum(alerts, 1), np.nan),
                "recall": true_positives / n_fraud if n_fraud else np.full(grid.size, np.nan),
                "false_positive_rate": (
                    false_positives / (n - n_fraud) if n > n_fraud else np.full(grid.size, np.nan)
                ),
                "alert_rate": alerts / n,
            }
        )
    if settings is not None:
        miss_cost = _missed_fraud_costs(y, amounts, settings)
        missed_before = np.concatenate(([0.0], np.cumsum(miss_cost[order])))
        per_row = settings.daily_volume / n
        table["alerts_per_day"] = alerts * per_row
        table["fp_cost_per_day"] = false_positives * settings.fp_cost * per_row
        table["fn_cost_per_day"] = missed_before[first_alert] * per_row
        table["cost_per_day"] = table["fp_cost_per_day"] + table["fn_cost_per_day"]
    return table


@dataclass(frozen=True)
class CostOptimum:
    """The cost-minimising threshold and its daily cost, in dollars."""

    threshold: float
    cost_per_day: float
    fp_cost_per_day: float
    fn_cost_per_day: float


def optimal_threshold(curve: pd.DataFrame) -> CostOptimum:
    """Return the threshold of minimum daily cost on a cost_curve.

    Ties go to the highest threshold (the fewest alerts for the same cost).
    """
    if len(curve) == 0:
        raise ValueError("curve is empty: a cost curve needs at least one threshold")
    costs = curve["cost_per_day"].to_numpy()
    minimum = costs.min()
    # Equal costs can differ in the last bits after the cumulative sums.
    best = np.flatnonzero(costs <= minimum + 1e-9 * max(1.0, abs(minimum)))[-1]
    row = curve.iloc[best]
    return CostOptimum(
        threshold=float(row["threshold"]),
        cost_per_day=float(row["cost_per_day"]),
        fp_cost_per_day=float(row["fp_cost_per_day"]),
        fn_cost_per_day=float(row["fn_cost_per_day"]),
    )


def cost_at_threshold(
    labels: Any, scores: Any, threshold: float, settings: CostSettings, amounts: Any = None
) -> CostOptimum:
    """Compute the daily cost at one threshold directly from the alert mask.

    Returns a CostOptimum record (threshold and daily costs) for that threshold.
    """
    y, s = _labels_and_scores(labels, scores)
    threshold = check_number("threshold", threshold, 0.0, np.nextafter(1.0, 2.0))
    return _cost_of_mask(y, s >= threshold, threshold, settings, _missed_fraud_costs(y, amounts, settings))


def _cost_of_mask(
    y: np.ndarray, alert: np.ndarray, threshold: float, settings: CostSettings, miss_cost: np.ndarray
) -> CostOptimum:
    per_row = settings.daily_volume / y.size
    fp_cost = float(np.sum(alert & (y == 0))) * settings.fp_cost * per_row
    fn_cost = float(miss_cost[~alert].sum()) * per_row
    return CostOptimum(threshold, fp_cost + fn_cost, fp_cost, fn_cost)


def brute_force_optimal_threshold(
    labels: Any,
    scores: Any,
    settings: CostSettings,
    thresholds: Any,
    amounts: Any = None,
) -> CostOptimum:
    """Find the cheapest of the given thresholds by evaluating each one separately.

    An independent check of cost_curve and optimal_threshold: it recomputes the alert
    mask and both costs for every threshold, O(n * len(thresholds)).
    """
    candidates = check_array("thresholds", thresholds, 0.0, np.nextafter(1.0, 2.0))
    if candidates.ndim != 1 or candidates.size == 0:
        raise ValueError("thresholds must be a non-empty 1-D array")
    y, s = _labels_and_scores(labels, scores)
    miss_cost = _missed_fraud_costs(y, amounts, settings)
    # Validated once; each threshold still gets its own alert mask and sums.
    checked = [check_number("threshold", t, 0.0, np.nextafter(1.0, 2.0)) for t in candidates]
    results = [_cost_of_mask(y, s >= t, t, settings, miss_cost) for t in checked]
    costs = np.array([result.cost_per_day for result in results])
    minimum = costs.min()
    best = np.flatnonzero(costs <= minimum + 1e-9 * max(1.0, abs(minimum)))[-1]
    return results[best]


def calibration_table(labels: Any, scores: Any, n_bins: int = 10) -> pd.DataFrame:
    """Compare mean predicted score with the observed fraud rate in score bins.

    Bins are quantiles of the scores (scikit-learn ``calibration_curve`` with
    ``strategy="quantile"``), because with rare fraud nearly all scores sit near zero
    and equal-width bins would leave the upper bins nearly empty.

    Returns
    -------
    pandas.DataFrame
        Columns ``mean_score``, ``fraud_rate``, ``count`` and ``standard_error`` (the
        binomial standard error of the observed rate), one row per non-empty bin.
    """
    y, s = _labels_and_scores(labels, scores)
    n_bins = check_integer("n_bins", n_bins, 2, 100)
    if s.min() < 0.0 or s.max() > 1.0:
        raise ValueError(
            f"scores range from {s.min():g} to {s.max():g}: calibration needs probabilities in [0, 1]"
        )
    fraud_rate, mean_score = calibration_curve(y, s, n_bins=n_bins, strategy="quantile")
    # The same bins as calibration_curve (scikit-learn 1.9.1): percentile edges, not
    # deduplicated, searched from the left, so the counts line up with its rates even
    # when tied scores make several edges equal.
    edges = np.percentile(s, np.linspace(0, 1, n_bins + 1) * 100)
    counts = np.bincount(np.searchsorted(edges[1:-1], s), minlength=n_bins)
    counts = counts[counts > 0]
    standard_error = np.sqrt(fraud_rate * (1 - fraud_rate) / counts)
    return pd.DataFrame(
        {
            "mean_score": mean_score,
            "fraud_rate": fraud_rate,
            "count": counts,
            "standard_error": standard_error,
        }
    )


def permutation_importance_table(
    estimator: Any,
    matrix: np.ndarray,
    labels: Any,
    feature_names: tuple[str, ...],
    n_repeats: int = 3,
    seed: int = 0,
    sample_weight: Any = None,
) -> pd.DataFrame:
    """Measure each feature's drop in average precision when its column is shuffled.

    Uses scikit-learn's ``permutation_importance`` with ``scoring="average_precision"``
    on held-out rows, so it measures what the model relies on for unseen data.
    ``sample_weight`` (optional) weights the rows in the average precision, for rows
    sampled with unequal probabilities.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature``, ``importance`` (mean drop in AP) and ``std`` (over the
        repeats), sorted by importance, descending.
    """
    y, _ = _labels_and_scores(labels, np.zeros(len(labels)))
    n_repeats = check_integer("n_repeats", n_repeats, 1, 50)
    seed = check_integer("seed", seed, 0, 2**32 - 1)
    _check_feature_names(feature_names, np.shape(matrix)[-1])
    result = permutation_importance(
        estimator,
        matrix,
        y,
        scoring="average_precision",
        n_repeats=n_repeats,
        random_state=seed,
        sample_weight=sample_weight,
    )
    table = pd.DataFrame(
        {
            "feature": list(feature_names),
            "importance": result.importances_mean,
            "std": result.importances_std,
        }
    )
    return table.sort_values("importance", ascending=False, ignore_index=True)


def _check_feature_names(feature_names: tuple[str, ...], n_features: int) -> None:
    if len(feature_names) != n_features:
        raise ValueError(
            f"feature_names has {len(feature_names)} names but the model has {n_features} features"
        )


def impurity_importance_table(estimator: Any, feature_names: tuple[str, ...]) -> pd.DataFrame:
    """Return a tree ensemble's impurity-based importance (mean decrease in impurity).

    ``HistGradientBoostingClassifier`` has no ``feature_importances_``, so the pages
    take this from the ``GradientBoostingClassifier`` baseline trained on the same
    rows. The values sum to 1 and are measured on the training data.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature`` and ``importance``, sorted by importance, descending.
    """
    importances = getattr(estimator, "feature_importances_", None)
    if importances is None:
        raise ValueError(
            f"{type(estimator).__name__} has no impurity-based feature_importances_"
        )
    _check_feature_names(feature_names, len(importances))
    table = pd.DataFrame({"feature": list(feature_names), "importance": importances})
    return table.sort_values("importance", ascending=False, ignore_index=True)


@dataclass(frozen=True)
class UploadedScores:
    """Labels, scores and optional amounts parsed from an uploaded CSV file."""

    labels: np.ndarray
    scores: np.ndarray
    amounts: np.ndarray | None


def parse_scores_csv(
    data: bytes | str,
    max_bytes: int = MAX_UPLOAD_BYTES,
    max_rows: int = MAX_UPLOAD_ROWS,
) -> UploadedScores:
    """Parse and validate a CSV of model scores with columns ``label`` and ``score``.

    Column names are matched case-insensitively after stripping spaces. An optional
    ``amount`` column (dollars, 0 to ``MAX_AMOUNT``) enables the amount-based cost of
    a missed fraud.
    Other columns are ignored. A file with a single class is accepted, because the
    threshold metrics still exist, but AUC-PR and AUC-ROC are then undefined.

    Parameters
    ----------
    data : bytes or str
        File content; bytes are decoded as UTF-8 (a byte-order mark is allowed).
    max_bytes, max_rows : int
        Caps on the file size and the number of data rows.

    Raises
    ------
    ValueError
        For an empty, oversized or undecodable file, a file that is not CSV, missing or
        duplicated columns, too many rows, missing or non-numeric values, labels other
        than 0/1, scores outside [0, 1] and amounts outside [0, ``MAX_AMOUNT``]. The
        message names the column and the first bad data row (the row after the header is 1).
    """
    max_bytes = check_integer("max_bytes", max_bytes, 1)
    max_rows = check_integer("max_rows", max_rows, 1)
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size == 0:
        raise ValueError("The file is empty: upload a CSV with a header row and columns label, score")
    if size > max_bytes:
        raise ValueError(
            f"The file is too large: {size / 1024 / 1024:.1f} MB, the maximum is "
            f"{max_bytes / 1024 / 1024:.0f} MB. Upload a sample of the rows."
        )
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValueError(
                f"The file is not valid UTF-8 text (byte {error.start}): save it as a UTF-8 CSV"
            ) from None
    else:
        text = data.lstrip("\ufeff")
    if not text.strip():
        raise ValueError("The file is empty: upload a CSV with a header row and columns label, score")

    header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    if len(header) > MAX_UPLOAD_COLUMNS:
        raise ValueError(
            f"The file has {len(header):,} columns; the maximum is {MAX_UPLOAD_COLUMNS}. "
            "Keep label, score and optionally amount."
        )

    try:
        # header=None keeps duplicated names as they are (pandas would rename them).
        frame = pd.read_csv(
            io.StringIO(text), header=None, dtype=str, keep_default_na=False, skipinitialspace=True
        )
    except (pd.errors.ParserError, csv.Error, UnicodeError) as error:
        raise ValueError(f"The file could not be read as CSV: {error}") from None
    except pd.errors.EmptyDataError:
        raise ValueError("The file has no header row: expected columns label, score") from None

    names = [str(column).strip().lower() for column in frame.iloc[0]]
    frame = frame.iloc[1:].reset_index(drop=True)
    duplicated = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicated:
        raise ValueError(f"The file has duplicated columns: {_shown_names(duplicated)}")
    frame.columns = names
    missing = [name for name in ("label", "score") if name not in names]
    if missing:
        raise ValueError(
            f"The file is missing the column(s) {missing}: found {_shown_names(names)}; "
            "expected label (0 or 1), score (0 to 1) and optionally amount"
        )
    if len(frame) == 0:
        raise ValueError("The file has a header but no data rows")
    if len(frame) > max_rows:
        raise ValueError(
            f"The file has {len(frame):,} rows; the maximum is {max_rows:,}. Upload a sample."
        )

    labels = _numeric_column(frame, "label")
    not_binary = (labels != 0) & (labels != 1)
    if not_binary.any():
        row = int(np.flatnonzero(not_binary)[0])
        raise ValueError(
            f"label must be 0 or 1, got {frame['label'].iloc[row]!r} in data row {row + 1}"
        )
    scores = _numeric_column(frame, "score")
    outside = (scores < 0) | (scores > 1)
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise ValueError(
            f"score must be between 0 and 1, got {frame['score'].iloc[row]!r} in data row "
            f"{row + 1}. Convert raw model outputs to probabilities first."
        )
    amounts = None
    if "amount" in names:
        amounts = _numeric_column(frame, "amount")
        negative = amounts < 0
        if negative.any():
            row = int(np.flatnonzero(negative)[0])
            raise ValueError(
                f"amount must be at least 0, got {frame['amount'].iloc[row]!r} in data row {row + 1}"
            )
        too_large = amounts > MAX_AMOUNT
        if too_large.any():
            row = int(np.flatnonzero(too_large)[0])
            raise ValueError(
                f"amount must be at most {MAX_AMOUNT:,.0f} dollars, got "
                f"{frame['amount'].iloc[row]!r} in data row {row + 1}"
            )
    return UploadedScores(labels=labels.astype(np.int64), scores=scores, amounts=amounts)


def _shown_names(names: list[str], limit: int = 10, max_chars: int = 30) -> str:
    """Return the first ``limit`` column names, each cut to ``max_chars``, for a message."""
    shown = [name if len(name) <= max_chars else name[:max_chars] + "..." for name in names[:limit]]
    more = f" and {len(names) - limit:,} more" if len(names) > limit else ""
    return f"{shown}{more}"


def _numeric_column(frame: pd.DataFrame, name: str) -> np.ndarray:
    raw = frame[name].astype(str).str.strip()
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        shown = raw.iloc[row]
        what = "is missing" if shown == "" else f"is not a finite number: {shown!r}"
        raise ValueError(f"{name} in data row {row + 1} {what}")
    return values
