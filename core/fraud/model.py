"""Fraud models trained on a time-ordered split of the simulated stream.

Three models share one split: the main model, a ``HistGradientBoostingClassifier``
with early stopping and monotonic constraints, and two baselines, logistic
regression and ``GradientBoostingClassifier(n_estimators=100)``. The split trains on
the earliest days, leaves a gap as long as the label delay (at the end of training
those labels have not arrived yet), and tests on the latest days.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from threadpoolctl import ThreadpoolController

from core.fraud.evaluation import (
    MetricResult,
    average_precision,
    impurity_importance_table,
    permutation_importance_table,
    roc_auc,
)
from core.fraud.stream import FEATURES, StreamConfig, simulate_stream
from core.validation import check_integer, check_number

logger = logging.getLogger(__name__)

MODEL_NAMES = {
    "gbm": "Gradient boosting (HistGradientBoosting)",
    "logistic": "Logistic regression",
    "baseline_gbm": "GradientBoostingClassifier (100 trees)",
}

# Direction in which each feature in FEATURES may move the GBM score. A higher amount,
# velocity or merchant risk, or an international card, never lowers it. The hour is free.
MONOTONIC_CONSTRAINTS = (1, 1, 1, 1, 0)

# Inputs above these values are clipped before scoring. Trees treat any value above
# the largest training value alike, so clipping changes no GBM score, and it keeps
# the logistic model's log-transformed inputs finite.
MAX_AMOUNT = 10_000_000.0
MAX_VELOCITY_1H = 1_000.0

LATENCY_CALLS = 200

# Models are fitted and scored with one OpenMP thread. On a shared 2-core machine
# with other jobs running, a second thread made single-row scoring p99 about 3.5 ms
# instead of 0.6 ms. It also made fitting the GBM on 50,000 rows 3 to 30 times
# slower, because every tree waits for the slower thread (scikit-learn 1.9.1).
_THREADPOOLS = ThreadpoolController()


def _single_thread() -> Any:
    return _THREADPOOLS.limit(limits=1, user_api="openmp")


@dataclass(frozen=True)
class TimeSplit:
    """Day boundaries of the time-ordered split.

    Training uses days ``[0, train_end_day)``, of which ``[validation_start_day,
    train_end_day)`` is held out for the GBM's early stopping. Days ``[train_end_day,
    test_start_day)`` are the gap (one label delay), and days ``[test_start_day,
    n_days)`` are the test period.
    """

    validation_start_day: int
    train_end_day: int
    test_start_day: int
    n_days: int

    @property
    def test_days(self) -> int:
        """Number of days in the test period."""
        return self.n_days - self.test_start_day


def make_time_split(config: StreamConfig, test_days: int) -> TimeSplit:
    """Split the stream's days into training, a gap of one label delay, and test.

    Parameters
    ----------
    config : StreamConfig
    test_days : int
        Days in the test period. At least 2 training days must remain after the gap.

    Returns
    -------
    TimeSplit
    """
    max_test_days = config.n_days - config.label_delay_days - 2
    if max_test_days < 1:
        raise ValueError(
            f"n_days={config.n_days} is too short for label_delay_days="
            f"{config.label_delay_days}: the split needs at least 2 training days, the "
            f"gap and 1 test day, so n_days must be at least {config.label_delay_days + 3}"
        )
    test_days = check_integer("test_days", test_days, 1, max_test_days)
    test_start_day = config.n_days - test_days
    train_end_day = test_start_day - config.label_delay_days
    validation_days = max(1, train_end_day // 5)
    return TimeSplit(
        validation_start_day=train_end_day - validation_days,
        train_end_day=train_end_day,
        test_start_day=test_start_day,
        n_days=config.n_days,
    )


def _logistic_inputs(features: np.ndarray) -> np.ndarray:
    """Transform FEATURES for the linear model: logs of skewed counts, a cyclic hour."""
    amount, velocity, international, merchant_risk, hour = features.T
    angle = 2 * np.pi * hour / 24.0
    return np.column_stack(
        (
            np.log1p(amount),
            np.log1p(velocity),
            international,
            np.log(merchant_risk + 1e-4),
            np.sin(angle),
            np.cos(angle),
        )
    )


class PriorCorrectedClassifier:
    """A classifier fitted on negative-downsampled rows, with scores corrected for it.

    Fitting on rows where legitimate transactions were kept at rate ``r`` multiplies
    the odds of fraud by ``1 / r``; ``predict_proba`` divides them back:
    ``p = q r / (q r + 1 - q)`` for the fitted model's probability ``q`` (the prior
    correction of King and Zeng, 2001, "Logistic Regression in Rare Events Data").
    """

    def __init__(self, estimator: Any, negative_sample_rate: float) -> None:
        self.estimator = estimator
        self.negative_sample_rate = negative_sample_rate

    def fit(self, features: np.ndarray, labels: np.ndarray) -> PriorCorrectedClassifier:
        """Fit the wrapped estimator without weights."""
        self.estimator.fit(features, labels)
        return self

    def predict_proba(self, features: np.ndarray) -> np.ndarray:
        """Return class probabilities corrected to the population's fraud rate."""
        fitted = self.estimator.predict_proba(features)[:, 1]
        odds = fitted * self.negative_sample_rate
        corrected = odds / (odds + 1.0 - fitted)
        return np.column_stack((1.0 - corrected, corrected))

    @property
    def feature_importances_(self) -> np.ndarray:
        """Impurity-based importances of the wrapped estimator."""
        return self.estimator.feature_importances_


def validate_features(features: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
    """Check and convert transactions to the model's input matrix.

    Parameters
    ----------
    features : pandas.DataFrame or mapping of column name to value(s)
        Must contain every name in FEATURES: ``amount`` (dollars, >= 0),
        ``velocity_1h`` (>= 0), ``is_international`` (0/1 or bool), ``merchant_risk``
        (fraud share, 0 to 1) and ``hour_of_day`` (0 to 23; fractions are floored).
        Other columns are ignored.

    Returns
    -------
    numpy.ndarray of float64, shape (n, 5)
        Columns in FEATURES order, with ``amount`` clipped at MAX_AMOUNT and
        ``velocity_1h`` at MAX_VELOCITY_1H.

    Raises
    ------
    ValueError
        For a missing column, a non-numeric, missing or infinite value, or a value
        outside the ranges above, naming the column and the first bad value.
    """
    if isinstance(features, Mapping):
        features = pd.DataFrame({name: np.atleast_1d(value) for name, value in features.items()})
    if not isinstance(features, pd.DataFrame):
        raise ValueError(
            f"features must be a DataFrame or a mapping of column names, got "
            f"{type(features).__name__}"
        )
    missing = [name for name in FEATURES if name not in features.columns]
    if missing:
        raise ValueError(f"features are missing the columns {missing}; expected {list(FEATURES)}")

    columns = []
    for name in FEATURES:
        try:
            column = pd.to_numeric(features[name], errors="raise").to_numpy(dtype=np.float64)
        except (ValueError, TypeError) as error:
            raise ValueError(f"{name} must be numeric: {error}") from None
        bad = ~np.isfinite(column)
        if bad.any():
            raise ValueError(f"{name} must be a finite number, got {column[bad][0]!r}")
        columns.append(column)
    amount, velocity, international, merchant_risk, hour = columns

    _check_range("amount", amount, 0.0, np.inf)
    _check_range("velocity_1h", velocity, 0.0, np.inf)
    _check_range("merchant_risk", merchant_risk, 0.0, 1.0)
    _check_range("hour_of_day", hour, 0.0, 23.999999)
    not_binary = (international != 0) & (international != 1)
    if not_binary.any():
        raise ValueError(f"is_international must be 0 or 1, got {international[not_binary][0]:g}")

    return np.column_stack(
        (
            np.minimum(amount, MAX_AMOUNT),
            np.minimum(velocity, MAX_VELOCITY_1H),
            international,
            merchant_risk,
            np.floor(hour),
        )
    )


def _check_range(name: str, values: np.ndarray, low: float, high: float) -> None:
    outside = (values < low) | (values > high)
    if outside.any():
        upper = "" if np.isinf(high) else f" and at most {high:g}"
        raise ValueError(f"{name} must be at least {low:g}{upper}, got {values[outside][0]:g}")


@dataclass(frozen=True, eq=False)
class FittedModel:
    """One trained model with its fit time, scoring latency and test-period scores.

    ``latency_p50_ms`` and ``latency_p99_ms`` are percentiles of the wall time of
    ``predict_proba`` on one transaction, over LATENCY_CALLS calls after a warm-up.
    """

    key: str
    name: str
    estimator: Any
    fit_seconds: float
    latency_p50_ms: float
    latency_p99_ms: float
    test_scores: np.ndarray
    n_iterations: int | None = None

    def predict_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Return fraud scores in [0, 1] for a validated matrix from validate_features."""
        with _single_thread():
            probabilities = self.estimator.predict_proba(matrix)
        return np.clip(probabilities[:, 1], 0.0, 1.0)

    def score(self, features: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """Validate transactions (see validate_features) and return their fraud scores."""
        return self.predict_matrix(validate_features(features))


@dataclass(frozen=True, eq=False)
class FraudModels:
    """The stream, its split and the three models trained on it.

    ``stream`` is the full simulated stream; ``train_features`` holds the FEATURES of
    the training days (the reference for drift statistics); ``test`` holds the test
    period rows. ``models`` maps "gbm", "logistic" and "baseline_gbm" to FittedModel.
    """

    config: StreamConfig
    split: TimeSplit
    stream: pd.DataFrame
    train_features: pd.DataFrame
    test: pd.DataFrame
    models: dict[str, FittedModel]
    negative_sample_rate: float
    _metrics: dict[str, tuple[MetricResult, MetricResult]] = field(default_factory=dict)
    _importance: dict[tuple[int, float, int], pd.DataFrame] = field(default_factory=dict)

    @property
    def gbm(self) -> FittedModel:
        """The main model, a HistGradientBoostingClassifier."""
        return self.models["gbm"]

    @property
    def y_test(self) -> np.ndarray:
        """Fraud labels (0/1) of the test period."""
        return self.test["is_fraud"].to_numpy()

    @property
    def test_scores(self) -> np.ndarray:
        """GBM scores of the test period."""
        return self.gbm.test_scores

    def score(self, features: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """Return GBM fraud scores in [0, 1]; inputs are checked by validate_features."""
        return self.gbm.score(features)

    def metrics(self, key: str) -> tuple[MetricResult, MetricResult]:
        """Return (average precision, AUC-ROC) of one model on the test period."""
        if key not in self._metrics:
            scores = self.models[key].test_scores
            self._metrics[key] = (average_precision(self.y_test, scores), roc_auc(self.y_test, scores))
        return self._metrics[key]

    def permutation_importance(
        self, n_repeats: int = 3, negative_sample_rate: float = 0.1, seed: int = 0
    ) -> pd.DataFrame:
        """Measure the GBM's permutation importance on the test period.

        Every test fraud is kept and legitimate rows are sampled at
        ``negative_sample_rate`` with weight ``1 / negative_sample_rate``, so the
        weighted average precision estimates the full test period's while scoring about
        a tenth of the rows. The result is cached on this object per argument set.

        Returns
        -------
        pandas.DataFrame
            Columns ``feature``, ``importance`` (mean drop in average precision) and
            ``std``, sorted by importance (see permutation_importance_table).
        """
        key = (n_repeats, negative_sample_rate, seed)
        if key not in self._importance:
            negative_sample_rate = check_number(
                "negative_sample_rate", negative_sample_rate, 0.01, 1.0
            )
            rng = np.random.default_rng(seed)
            rows, weights = _downsample_negatives(self.y_test, negative_sample_rate, rng)
            matrix = self.test.loc[:, list(FEATURES)].to_numpy(dtype=np.float64)[rows]
            started = time.perf_counter()
            with _single_thread():
                table = permutation_importance_table(
                    self.gbm.estimator,
                    matrix,
                    self.y_test[rows],
                    FEATURES,
                    n_repeats=n_repeats,
                    seed=seed,
                    sample_weight=weights,
                )
            logger.info(
                "Permutation importance on %d test rows in %.2f s",
                rows.size,
                time.perf_counter() - started,
            )
            self._importance[key] = table
        return self._importance[key]

    def impurity_importance(self) -> pd.DataFrame:
        """Return the impurity importance of the GradientBoostingClassifier baseline.

        HistGradientBoostingClassifier has no impurity importance, so this comes from
        the baseline trained on the same rows (see impurity_importance_table).
        """
        return impurity_importance_table(self.models["baseline_gbm"].estimator, FEATURES)

    def comparison_table(self) -> pd.DataFrame:
        """Compare the three models on the test period.

        Returns
        -------
        pandas.DataFrame
            One row per model with ``model``, ``average_precision``,
            ``average_precision_no_skill`` (the test fraud rate), ``auc_roc``,
            ``fit_seconds``, ``latency_p50_ms`` and ``latency_p99_ms``.
        """
        rows = []
        for key, model in self.models.items():
            ap, auc = self.metrics(key)
            rows.append(
                {
                    "model": model.name,
                    "average_precision": ap.value,
                    "average_precision_no_skill": ap.baseline,
                    "auc_roc": auc.value,
                    "fit_seconds": model.fit_seconds,
                    "latency_p50_ms": model.latency_p50_ms,
                    "latency_p99_ms": model.latency_p99_ms,
                }
            )
        return pd.DataFrame(rows)


def measure_latency_ms(
    score_one: Callable[[], object], n_calls: int = LATENCY_CALLS
) -> tuple[float, float]:
    """Time repeated calls of ``score_one`` and return (p50, p99) in milliseconds.

    Ten warm-up calls come first, so one-off costs (imports, caches) are not counted.
    """
    n_calls = check_integer("n_calls", n_calls, 1, 1_000_000)
    for _ in range(10):
        score_one()
    durations = np.empty(n_calls)
    for index in range(n_calls):
        started = time.perf_counter()
        score_one()
        durations[index] = time.perf_counter() - started
    p50, p99 = np.percentile(durations * 1000.0, [50, 99])
    return float(p50), float(p99)


def _downsample_negatives(
    labels: np.ndarray, rate: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Keep every fraud and a random share of legitimate rows, weighted 1 / rate.

    The weights keep the expected loss of the full data, so scores stay calibrated
    to the true fraud rate while the training set shrinks by about that rate.
    """
    keep = (labels == 1) | (rng.random(labels.size) < rate)
    weights = np.where(labels[keep] == 1, 1.0, 1.0 / rate)
    return np.flatnonzero(keep), weights


def train_fraud_models(
    stream: pd.DataFrame,
    config: StreamConfig,
    *,
    test_days: int = 10,
    negative_sample_rate: float = 0.05,
    seed: int = 0,
) -> FraudModels:
    """Train the GBM and the two baselines on a time-ordered split of the stream.

    Method: training rows are the days before ``train_end_day``. Every fraud is kept
    and legitimate rows are sampled at ``negative_sample_rate`` (negative
    downsampling). The GBM and the logistic regression weight those rows by
    ``1 / negative_sample_rate`` so their scores stay calibrated, and the
    GradientBoostingClassifier baseline is fitted unweighted with a prior correction
    instead (see PriorCorrectedClassifier). The GBM fits on the training days before
    ``validation_start_day`` and stops early when the log loss on the validation days
    has not improved for 20 iterations. The baselines fit on all training days. Each
    model then scores the test period, and the latency of scoring one transaction is
    measured.

    Parameters
    ----------
    stream : pandas.DataFrame
        Output of simulate_stream(config).
    config : StreamConfig
        Configuration that produced ``stream``.
    test_days : int
        Days in the test period (see make_time_split).
    negative_sample_rate : float
        Share of legitimate training rows kept, 0.01 to 1.
    seed : int
        Seed of the sampling and of the models.

    Returns
    -------
    FraudModels
    """
    negative_sample_rate = check_number("negative_sample_rate", negative_sample_rate, 0.01, 1.0)
    seed = check_integer("seed", seed, 0, 2**32 - 1)
    split = make_time_split(config, test_days)
    started = time.perf_counter()

    day = stream["day"].to_numpy()
    matrix = stream.loc[:, list(FEATURES)].to_numpy(dtype=np.float64)
    labels = stream["is_fraud"].to_numpy().astype(np.int64)

    train_mask = day < split.train_end_day
    test_mask = day >= split.test_start_day
    for name, mask in (("training", train_mask), ("test", test_mask)):
        n_positive = int(labels[mask].sum())
        if n_positive == 0 or n_positive == int(mask.sum()):
            raise ValueError(
                f"The {name} period has {n_positive} frauds in {int(mask.sum())} "
                f"transactions: both classes are needed. Increase n_cards, n_days or "
                f"fraud_rate."
            )

    rng = np.random.default_rng(seed)
    train_index = np.flatnonzero(train_mask)
    sample, weights = _downsample_negatives(labels[train_index], negative_sample_rate, rng)
    sample = train_index[sample]
    is_fit_day = day[sample] < split.validation_start_day

    x_test = matrix[test_mask]
    one_row = x_test[:1].copy()
    models: dict[str, FittedModel] = {}

    def fit(key: str, estimator: Any, fit_rows: np.ndarray, **fit_kwargs: Any) -> None:
        fit_started = time.perf_counter()
        with _single_thread():
            estimator.fit(matrix[sample[fit_rows]], labels[sample[fit_rows]], **fit_kwargs)
        fit_seconds = time.perf_counter() - fit_started

        def score_one_row() -> object:
            with _single_thread():
                return estimator.predict_proba(one_row)

        p50, p99 = measure_latency_ms(score_one_row)
        with _single_thread():
            test_scores = np.clip(estimator.predict_proba(x_test)[:, 1], 0.0, 1.0)
        n_iterations = getattr(estimator, "n_iter_", None)
        models[key] = FittedModel(
            key=key,
            name=MODEL_NAMES[key],
            estimator=estimator,
            fit_seconds=fit_seconds,
            latency_p50_ms=p50,
            latency_p99_ms=p99,
            test_scores=test_scores,
            n_iterations=None if n_iterations is None else int(n_iterations),
        )
        logger.info(
            "Fitted %s on %d rows in %.2f s; single-row latency p50 %.3f ms, p99 %.3f ms",
            key,
            int(fit_rows.sum()),
            fit_seconds,
            p50,
            p99,
        )

    gbm = HistGradientBoostingClassifier(
        learning_rate=0.1,
        max_iter=300,
        max_leaf_nodes=15,
        min_samples_leaf=40,
        l2_regularization=10.0,
        monotonic_cst=list(MONOTONIC_CONSTRAINTS),
        early_stopping=True,
        n_iter_no_change=20,
        random_state=seed,
    )
    validation_rows = ~is_fit_day
    fit(
        "gbm",
        gbm,
        is_fit_day,
        sample_weight=weights[is_fit_day],
        X_val=matrix[sample[validation_rows]],
        y_val=labels[sample[validation_rows]],
        sample_weight_val=weights[validation_rows],
    )

    all_rows = np.ones(sample.size, dtype=bool)
    logistic = make_pipeline(
        FunctionTransformer(_logistic_inputs),
        StandardScaler(),
        LogisticRegression(max_iter=1000),
    )
    fit("logistic", logistic, all_rows, logisticregression__sample_weight=weights)

    # The baseline is fitted without weights and its scores are corrected afterwards,
    # because with weights of 1 / 0.05 on legitimate rows its unregularised Newton
    # leaf values diverged (test AUC-PR 0.08 instead of 0.45 on the default stream).
    baseline = PriorCorrectedClassifier(
        GradientBoostingClassifier(n_estimators=100, random_state=seed), negative_sample_rate
    )
    fit("baseline_gbm", baseline, all_rows)

    train_features = stream.loc[train_mask, list(FEATURES)].reset_index(drop=True)
    test = stream.loc[test_mask].reset_index(drop=True)
    logger.info("Trained 3 fraud models in %.2f s", time.perf_counter() - started)
    return FraudModels(
        config=config,
        split=split,
        stream=stream,
        train_features=train_features,
        test=test,
        models=models,
        negative_sample_rate=negative_sample_rate,
    )


@functools.lru_cache(maxsize=2)
def build_default_models(seed: int = 0, fraud_rate: float = 0.001) -> FraudModels:
    """Simulate the default stream and train the three models on it.

    The result is cached per (seed, fraud_rate) in the process, so tests and pages
    that call this share one set of models. Pages also wrap it in
    ``st.cache_resource``.
    """
    config = StreamConfig(seed=seed, fraud_rate=fraud_rate)
    return train_fraud_models(simulate_stream(config), config, seed=seed)
