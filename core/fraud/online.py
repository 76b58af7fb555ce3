"""The online half of the fraud system: a feature store, fast scoring and a replay.

A transaction arrives with its card, merchant, amount, country flag and time. The
online path counts the card's transactions of the last hour in an in-memory store
(``velocity_1h``) and looks up the merchant's risk in a batch table computed from the
labels that have arrived. It then scores the five features with the trained GBM and
decides: approve, review or block. :func:`replay_day` pushes a held-out day of the simulated stream
through that path one transaction at a time and records every feature, score and
latency, so the monitoring functions in ``core.fraud.monitoring`` can watch it.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from core.fraud.model import MAX_AMOUNT, MAX_VELOCITY_1H, FraudModels, measure_latency_ms
from core.fraud.stream import (
    FEATURES,
    MAX_SECONDS,
    SECONDS_PER_DAY,
    SECONDS_PER_HOUR,
    compute_merchant_risk,
    simulate_stream,
)
from core.validation import check_integer, check_number

logger = logging.getLogger(__name__)

VELOCITY_WINDOW_SECONDS = SECONDS_PER_HOUR
LATENCY_BUDGET_MS = 100.0

DECISIONS = ("approve", "review", "block")

DRIFT_SCENARIOS = {
    "none": "No drift",
    "fraud_pattern": "Fraud pattern shift (simulator drift)",
    "amount_in_cents": "Upstream bug: amounts in cents",
}
# In the "amount_in_cents" scenario a payment-gateway release starts sending amounts in
# cents for the merchants it serves: those whose id is divisible by this number (about
# a third of the traffic).
CENTS_BUG_MERCHANT_MODULUS = 3


# --------------------------------------------------------------------------- scoring


class TreeEnsembleScorer:
    """Score one transaction with a fitted binary HistGradientBoostingClassifier.

    ``predict_proba`` on a single row costs about 0.5 ms, mostly input checks and
    thread set-up (``benchmarks/bench_live_scoring.py`` on a 2-core machine), which
    makes a replay of 20,000 transactions take about 10 s. This
    class copies the trees into flat NumPy arrays once and walks all trees at the same
    time, one level per step, so a transaction costs a few dozen array operations.

    Method: leaves point to themselves, so after ``max_depth`` steps every tree sits on
    a leaf. A node sends the row left when ``x[feature] <= threshold``, as scikit-learn
    does for numerical features. The raw score is the baseline log-odds plus the sum of
    the leaf values, and the fraud score is its logistic sigmoid.

    NOTE: this reads the private ``_predictors`` and ``_baseline_prediction`` of
    scikit-learn's estimator (checked against ``predict_proba`` with scikit-learn
    1.9.1 in the tests). It rejects missing values and categorical splits.
    """

    def __init__(self, estimator: object) -> None:
        predictors = getattr(estimator, "_predictors", None)
        baseline = getattr(estimator, "_baseline_prediction", None)
        if predictors is None or baseline is None:
            raise ValueError(
                f"estimator must be a fitted HistGradientBoostingClassifier, got "
                f"{type(estimator).__name__}"
            )
        if any(len(per_iteration) != 1 for per_iteration in predictors):
            raise ValueError("only binary classifiers (one tree per iteration) are supported")

        feature, threshold, left, right, value = [], [], [], [], []
        roots, max_depth, offset = [], 0, 0
        for (predictor,) in predictors:
            nodes = predictor.nodes
            if nodes["is_categorical"].any():
                raise ValueError("categorical splits are not supported")
            is_leaf = nodes["is_leaf"].astype(bool)
            own = np.arange(nodes.size, dtype=np.int64) + offset
            feature.append(np.where(is_leaf, 0, nodes["feature_idx"]))
            threshold.append(np.where(is_leaf, np.inf, nodes["num_threshold"]))
            left.append(np.where(is_leaf, own, nodes["left"].astype(np.int64) + offset))
            right.append(np.where(is_leaf, own, nodes["right"].astype(np.int64) + offset))
            value.append(np.where(is_leaf, nodes["value"], 0.0))
            roots.append(offset)
            max_depth = max(max_depth, int(nodes["depth"].max()))
            offset += nodes.size

        self._feature = np.concatenate(feature).astype(np.intp)
        self._threshold = np.concatenate(threshold)
        self._left = np.concatenate(left)
        self._right = np.concatenate(right)
        self._value = np.concatenate(value)
        self._roots = np.asarray(roots, dtype=np.int64)
        self._max_depth = max_depth
        self._baseline = float(np.ravel(baseline)[0])
        self.n_trees = len(roots)

    def raw_score(self, row: np.ndarray) -> float:
        """Return the log-odds of fraud for one row of FEATURES (a float array of 5)."""
        node = self._roots
        for _ in range(self._max_depth):
            goes_left = row[self._feature[node]] <= self._threshold[node]
            node = np.where(goes_left, self._left[node], self._right[node])
        return self._baseline + float(self._value[node].sum())

    def score(self, row: np.ndarray) -> float:
        """Return the fraud score in [0, 1] for one row of FEATURES."""
        raw = self.raw_score(row)
        # Written for both signs so that exp never overflows on extreme inputs.
        if raw >= 0:
            return 1.0 / (1.0 + math.exp(-raw))
        odds = math.exp(raw)
        return odds / (1.0 + odds)


@dataclass(frozen=True)
class Transaction:
    """One transaction's model inputs as an analyst types them.

    ``amount`` in dollars (0 to 1e9), ``velocity_1h`` the card's transactions in the
    previous hour (0 to 10,000), ``is_international`` a flag, ``merchant_risk`` the
    merchant's fraud share (0 to 1) and ``hour_of_day`` 0 to 23.
    """

    amount: float
    velocity_1h: float
    is_international: bool
    merchant_risk: float
    hour_of_day: int

    def __post_init__(self) -> None:
        check_number("amount", self.amount, 0.0, 1e9)
        check_number("velocity_1h", self.velocity_1h, 0.0, 10_000.0)
        if not isinstance(self.is_international, (bool, np.bool_)) and self.is_international not in (0, 1):
            raise ValueError(f"is_international must be True or False, got {self.is_international!r}")
        check_number("merchant_risk", self.merchant_risk, 0.0, 1.0)
        check_integer("hour_of_day", self.hour_of_day, 0, 23)

    def to_row(self) -> np.ndarray:
        """Return the FEATURES row, clipped as ``core.fraud.model.validate_features`` does."""
        return np.array(
            [
                min(float(self.amount), MAX_AMOUNT),
                min(float(self.velocity_1h), MAX_VELOCITY_1H),
                1.0 if self.is_international else 0.0,
                float(self.merchant_risk),
                float(self.hour_of_day),
            ]
        )


def decide(score: float, review_threshold: float, block_threshold: float) -> str:
    """Return "block" when score >= block_threshold, "review" when >= review_threshold, else "approve"."""
    check_number("score", score, 0.0, 1.0)
    review_threshold, block_threshold = check_thresholds(review_threshold, block_threshold)
    if score >= block_threshold:
        return "block"
    if score >= review_threshold:
        return "review"
    return "approve"


def check_thresholds(review_threshold: float, block_threshold: float) -> tuple[float, float]:
    """Check that 0 <= review_threshold <= block_threshold <= 1 and return both."""
    review_threshold = check_number("review_threshold", review_threshold, 0.0, 1.0)
    block_threshold = check_number("block_threshold", block_threshold, 0.0, 1.0)
    if review_threshold > block_threshold:
        raise ValueError(
            f"review_threshold={review_threshold:g} is above block_threshold="
            f"{block_threshold:g}: the review threshold must be at most the block threshold"
        )
    return review_threshold, block_threshold


def typical_values(train_features: pd.DataFrame) -> dict[str, float]:
    """Return the training-period median of each feature, the reference of explanations."""
    return {name: float(train_features[name].median()) for name in FEATURES}


def feature_contributions(
    scorer: TreeEnsembleScorer, transaction: Transaction, typical: Mapping[str, float]
) -> pd.DataFrame:
    """Measure how much each feature moves this transaction's score.

    Method: for each feature, the score is recomputed with that feature alone set to
    its typical training value (the median); the contribution is the score minus that
    score. A positive contribution means the feature's actual value raises the score.
    Contributions need not add up to the score, because the GBM's trees interact.

    Returns
    -------
    pandas.DataFrame
        Columns ``feature``, ``value``, ``typical_value``, ``score_with_typical``
        and ``contribution`` (score units, -1 to 1), in FEATURES order.
    """
    missing = [name for name in FEATURES if name not in typical]
    if missing:
        raise ValueError(f"typical is missing the features {missing}; expected {list(FEATURES)}")
    typical = {name: check_number(f"typical[{name!r}]", typical[name]) for name in FEATURES}
    row = transaction.to_row()
    score = scorer.score(row)
    records = []
    for index, name in enumerate(FEATURES):
        changed = row.copy()
        changed[index] = typical[name]
        with_typical = scorer.score(changed)
        records.append(
            {
                "feature": name,
                "value": float(row[index]),
                "typical_value": float(typical[name]),
                "score_with_typical": with_typical,
                "contribution": score - with_typical,
            }
        )
    return pd.DataFrame(records)


# Values each feature takes in the sensitivity sweep.
SWEEP_GRIDS: dict[str, np.ndarray] = {
    "amount": np.concatenate(([0.0], np.geomspace(1.0, 1_000_000.0, 61))),
    "velocity_1h": np.arange(0.0, 51.0),
    "is_international": np.array([0.0, 1.0]),
    "merchant_risk": np.concatenate(([0.0], np.geomspace(1e-5, 1.0, 51))),
    "hour_of_day": np.arange(0.0, 24.0),
}


def sensitivity_sweep(scorer: TreeEnsembleScorer, transaction: Transaction, feature: str) -> pd.DataFrame:
    """Score the transaction while ``feature`` sweeps its range and the others stay fixed.

    The grids are in SWEEP_GRIDS: amount $0 to $1,000,000 (log-spaced), velocity 0 to
    50, merchant risk 0 to 1 (log-spaced), every hour, and both country flags.

    Returns
    -------
    pandas.DataFrame
        Columns ``value`` and ``score``.
    """
    if feature not in SWEEP_GRIDS:
        raise ValueError(f"feature={feature!r} is not a model feature; expected one of {list(FEATURES)}")
    index = FEATURES.index(feature)
    row = transaction.to_row()
    scores = []
    for value in SWEEP_GRIDS[feature]:
        changed = row.copy()
        changed[index] = value
        scores.append(scorer.score(changed))
    return pd.DataFrame({"value": SWEEP_GRIDS[feature], "score": scores})


@dataclass(frozen=True)
class ScoredTransaction:
    """The score and decision of one transaction, with the latency of the call."""

    score: float
    decision: str
    latency_ms: float
    latency_p50_ms: float
    latency_p99_ms: float


def score_transaction(
    scorer: TreeEnsembleScorer,
    transaction: Transaction,
    review_threshold: float,
    block_threshold: float,
    latency_calls: int = 200,
) -> ScoredTransaction:
    """Score one transaction, decide, and time the call.

    ``latency_ms`` is the wall time of this call (building the row and scoring);
    ``latency_p50_ms`` and ``latency_p99_ms`` are percentiles over ``latency_calls``
    repeated calls after ten warm-up calls (``measure_latency_ms``).
    """
    latency_calls = check_integer("latency_calls", latency_calls, 1, 1_000_000)
    started = time.perf_counter()
    score = scorer.score(transaction.to_row())
    latency_ms = (time.perf_counter() - started) * 1000.0
    decision = decide(score, review_threshold, block_threshold)
    p50, p99 = measure_latency_ms(lambda: scorer.score(transaction.to_row()), latency_calls)
    return ScoredTransaction(score, decision, latency_ms, p50, p99)


# --------------------------------------------------------------------- feature store


class VelocityStore:
    """Timestamps of each card's transactions in the last hour, kept in memory.

    ``velocity`` counts the card's transactions with ``t - 3600 <= timestamp < t``,
    the same window as ``core.fraud.stream.compute_velocity_1h``. The arriving
    transaction and any at the same instant are not counted. Transactions must arrive
    in time order; older timestamps are dropped as the window moves on.
    """

    def __init__(self, window_seconds: float = VELOCITY_WINDOW_SECONDS) -> None:
        self.window_seconds = check_number("window_seconds", window_seconds, 0.0, low_inclusive=False)
        self._recent: dict[int, deque[float]] = {}
        self._last_timestamp = -math.inf

    def velocity(self, card_id: int, timestamp: float) -> int:
        """Return the card's transaction count in the hour before ``timestamp``."""
        recent = self._recent.get(card_id)
        if not recent:
            return 0
        cutoff = timestamp - self.window_seconds
        while recent and recent[0] < cutoff:
            recent.popleft()
        count = len(recent)
        # Ties at the same instant sit at the end of the deque and are not "before".
        while count and recent[count - 1] >= timestamp:
            count -= 1
        return count

    def add(self, card_id: int, timestamp: float) -> None:
        """Record a transaction; raises ValueError if it is older than the last one."""
        if timestamp < self._last_timestamp:
            raise ValueError(
                f"timestamp={timestamp:g} arrived after {self._last_timestamp:g}: the store "
                "needs transactions in time order"
            )
        self._last_timestamp = timestamp
        recent = self._recent.get(card_id)
        if recent is None:
            recent = self._recent[card_id] = deque()
        recent.append(timestamp)

    def n_cards(self) -> int:
        """Number of cards with at least one stored timestamp."""
        return sum(1 for recent in self._recent.values() if recent)


def merchant_risk_table(
    stream: pd.DataFrame,
    as_of: float,
    n_merchants: int,
    label_delay_seconds: float,
    window_seconds: float,
    prior_rate: float,
) -> np.ndarray:
    """Compute every merchant's risk as a nightly batch job at time ``as_of`` would.

    The value for merchant m is what ``compute_merchant_risk`` gives a transaction of m
    at ``as_of``: the smoothed fraud share of m's transactions in the window of
    ``window_seconds`` that ends one label delay before ``as_of``, using only labels
    that have arrived. Method: one zero-label query row per merchant is appended at
    ``as_of``; its own label arrives after ``as_of``, so it never enters any window.

    Returns
    -------
    numpy.ndarray of float64, shape (n_merchants,)
    """
    as_of = check_number("as_of", as_of, -MAX_SECONDS, MAX_SECONDS)
    n_merchants = check_integer("n_merchants", n_merchants, 1, 10_000_000)
    label_delay_seconds = check_number("label_delay_seconds", label_delay_seconds, 0.0, MAX_SECONDS)
    window_seconds = check_number("window_seconds", window_seconds, 0.0, MAX_SECONDS, low_inclusive=False)
    start = as_of - label_delay_seconds - window_seconds
    history = stream.loc[
        (stream["timestamp"] >= start) & (stream["timestamp"] < as_of),
        ["merchant_id", "timestamp", "is_fraud"],
    ]
    merchants = np.arange(n_merchants, dtype=np.int64)
    risk = compute_merchant_risk(
        np.concatenate((history["merchant_id"].to_numpy(np.int64), merchants)),
        np.concatenate((history["timestamp"].to_numpy(np.float64), np.full(n_merchants, as_of))),
        np.concatenate((history["is_fraud"].to_numpy(np.int64), np.zeros(n_merchants, np.int64))),
        label_delay_seconds=label_delay_seconds,
        window_seconds=window_seconds,
        prior_rate=prior_rate,
    )
    return risk[-n_merchants:]


# --------------------------------------------------------------------------- replay


@dataclass(frozen=True)
class ReplayScenario:
    """What the replay feeds the online path.

    ``drift`` is a key of DRIFT_SCENARIOS: "none"; "fraud_pattern", the simulator's
    drift (fraud bursts switch to small domestic amounts at low-risk merchants) from
    ``drift_start_hour`` of the replayed day; or "amount_in_cents", where from that hour
    the merchants with ``merchant_id % 3 == 0`` send amounts in cents (100 times too
    large). ``max_transactions`` cuts the day short (None replays all of it).
    """

    drift: str = "none"
    drift_start_hour: int = 12
    max_transactions: int | None = None

    def __post_init__(self) -> None:
        if self.drift not in DRIFT_SCENARIOS:
            raise ValueError(f"drift={self.drift!r} is not a scenario; expected one of {list(DRIFT_SCENARIOS)}")
        check_integer("drift_start_hour", self.drift_start_hour, 0, 23)
        if self.max_transactions is not None:
            check_integer("max_transactions", self.max_transactions, 1)


@dataclass(frozen=True, eq=False)
class ReplayInput:
    """A day of raw events to replay, with the state the online path starts from.

    ``events`` contains the day's transactions (timestamps in seconds from the start of
    the stream) with the offline features of the batch pipeline; ``warmup`` the hour
    before the day, which fills the velocity store; ``merchant_risk`` the batch table
    as of the start of the day.
    """

    day: int
    scenario: ReplayScenario
    events: pd.DataFrame
    warmup: pd.DataFrame
    merchant_risk: np.ndarray


def replay_day_index(models: FraudModels) -> int:
    """Return the held-out day that is replayed: the middle of the test period."""
    return models.split.test_start_day + models.split.test_days // 2


def prepare_replay(models: FraudModels, scenario: ReplayScenario) -> ReplayInput:
    """Select the replayed day's events for ``scenario`` and build the start state.

    For "fraud_pattern" the stream is simulated again with the same configuration and
    ``drift_start_day`` / ``drift_start_hour`` set, which takes several seconds; the
    simulator keeps every transaction before the drift start identical.
    """
    config = models.config
    day = replay_day_index(models)
    stream = models.stream
    if scenario.drift == "fraud_pattern":
        started = time.perf_counter()
        stream = simulate_stream(replace(config, drift_start_day=day, drift_start_hour=scenario.drift_start_hour))
        logger.info("Simulated the drifted stream in %.2f s", time.perf_counter() - started)

    day_start = day * SECONDS_PER_DAY
    timestamp = stream["timestamp"]
    events = stream.loc[(timestamp >= day_start) & (timestamp < day_start + SECONDS_PER_DAY)]
    if scenario.max_transactions is not None:
        events = events.iloc[: scenario.max_transactions]
    events = events.reset_index(drop=True)
    warmup = stream.loc[(timestamp >= day_start - VELOCITY_WINDOW_SECONDS) & (timestamp < day_start)]
    risk = merchant_risk_table(
        stream,
        as_of=day_start,
        n_merchants=config.n_merchants,
        label_delay_seconds=config.label_delay_seconds,
        window_seconds=config.merchant_risk_window_days * SECONDS_PER_DAY,
        prior_rate=config.fraud_rate,
    )
    return ReplayInput(
        day=day,
        scenario=scenario,
        events=events,
        warmup=warmup[["card_id", "timestamp"]].reset_index(drop=True),
        merchant_risk=risk,
    )


@dataclass(frozen=True, eq=False)
class ReplayResult:
    """Every replayed transaction as the online path saw and scored it.

    ``transactions`` has one row per transaction: ``timestamp`` and ``hour`` (0 to 23,
    of the replayed day), the online FEATURES, ``offline_velocity_1h`` and
    ``offline_merchant_risk`` from the batch pipeline, ``score``, ``latency_ms`` (the
    feature look-up and scoring of that transaction), ``is_fraud`` and
    ``label_available_at`` (seconds from the start of the replayed day).
    """

    day: int
    scenario: ReplayScenario
    transactions: pd.DataFrame
    seconds: float

    @property
    def velocity_mismatches(self) -> int:
        """Transactions whose online velocity_1h differs from the offline one."""
        frame = self.transactions
        return int((frame["velocity_1h"] != frame["offline_velocity_1h"]).sum())

    @property
    def throughput_per_second(self) -> float:
        """Transactions replayed per second of wall time."""
        return len(self.transactions) / self.seconds if self.seconds > 0 else math.inf

    def latency_percentiles_ms(self) -> tuple[float, float, float]:
        """Return the p50, p99 and maximum per-transaction latency in milliseconds."""
        latency = self.transactions["latency_ms"].to_numpy()
        p50, p99 = np.percentile(latency, [50, 99])
        return float(p50), float(p99), float(latency.max())


def replay_day(
    scorer: TreeEnsembleScorer,
    replay_input: ReplayInput,
    progress: Callable[[float], None] | None = None,
    progress_every: int = 2_000,
) -> ReplayResult:
    """Push the day's transactions through the online path, one at a time.

    For each transaction in time order: read ``velocity_1h`` from the VelocityStore,
    then record the transaction in it; look up ``merchant_risk`` in the batch table;
    build the FEATURES row; score it. The latency of each transaction covers those
    steps. ``progress`` is called with the finished share (0 to 1) every
    ``progress_every`` transactions, and with 1.0 at the end if that call was not
    already made.
    """
    progress_every = check_integer("progress_every", progress_every, 1)
    events = replay_input.events
    scenario = replay_input.scenario
    day_start = replay_input.day * SECONDS_PER_DAY
    drift_start = day_start + scenario.drift_start_hour * SECONDS_PER_HOUR

    store = VelocityStore()
    for card, stamp in zip(replay_input.warmup["card_id"].to_numpy(), replay_input.warmup["timestamp"].to_numpy()):
        store.add(int(card), float(stamp))

    timestamps = events["timestamp"].to_numpy(np.float64)
    cards = events["card_id"].to_numpy(np.int64)
    merchants = events["merchant_id"].to_numpy(np.int64)
    amounts = events["amount"].to_numpy(np.float64)
    if scenario.drift == "amount_in_cents":
        affected = (timestamps >= drift_start) & (merchants % CENTS_BUG_MERCHANT_MODULUS == 0)
        amounts = np.where(affected, amounts * 100.0, amounts)
    international = events["is_international"].to_numpy(np.float64)
    hours = np.floor((timestamps - day_start) / SECONDS_PER_HOUR).astype(np.int64)
    risk_table = replay_input.merchant_risk

    n = timestamps.size
    velocity = np.zeros(n, dtype=np.int64)
    merchant_risk = np.zeros(n)
    scores = np.zeros(n)
    latency_ms = np.zeros(n)
    row = np.zeros(len(FEATURES))
    clock = time.perf_counter
    started = clock()
    for index in range(n):
        tick = clock()
        stamp = timestamps[index]
        card = int(cards[index])
        count = store.velocity(card, stamp)
        store.add(card, stamp)
        risk = risk_table[merchants[index]]
        row[0] = min(amounts[index], MAX_AMOUNT)
        row[1] = count
        row[2] = international[index]
        row[3] = risk
        row[4] = hours[index]
        scores[index] = scorer.score(row)
        latency_ms[index] = (clock() - tick) * 1000.0
        velocity[index] = count
        merchant_risk[index] = risk
        if progress is not None and (index + 1) % progress_every == 0:
            progress((index + 1) / n)
    seconds = clock() - started
    if progress is not None and (n == 0 or n % progress_every != 0):
        progress(1.0)
    logger.info(
        "Replayed %d transactions of day %d (%s) in %.2f s",
        n,
        replay_input.day,
        scenario.drift,
        seconds,
    )

    transactions = pd.DataFrame(
        {
            "timestamp": timestamps - day_start,
            "hour": hours,
            "card_id": cards,
            "merchant_id": merchants,
            "amount": amounts,
            "velocity_1h": velocity,
            "is_international": international.astype(np.int8),
            "merchant_risk": merchant_risk,
            "hour_of_day": hours,
            "offline_velocity_1h": events["velocity_1h"].to_numpy(np.int64),
            "offline_merchant_risk": events["merchant_risk"].to_numpy(np.float64),
            "score": scores,
            "latency_ms": latency_ms,
            "is_fraud": events["is_fraud"].to_numpy(np.int8),
            "label_available_at": events["label_available_at"].to_numpy(np.float64) - day_start,
        }
    )
    return ReplayResult(replay_input.day, scenario, transactions, seconds)


def training_scores(models: FraudModels) -> np.ndarray:
    """Score the training period with the GBM (the reference of score drift)."""
    matrix = models.train_features.loc[:, list(FEATURES)].to_numpy(np.float64)
    return models.gbm.predict_matrix(matrix)
