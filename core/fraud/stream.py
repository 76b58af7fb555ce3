"""Simulated card-payment stream with bursts of fraud, label delay and optional drift.

A table of independent rows with a logistic fraud probability cannot show real-time
features, late labels or drift, and a naive choice of weights gives a fraud rate of
tens of percent. This simulator instead generates cards with their own spending
habits, merchants with their own risk, and fraud as events: a compromised card makes
a burst of fraudulent transactions. The fraud count is set exactly from the target
rate, so the generated rate differs from the target only by rounding.

The five model features are computed causally from the stream: ``velocity_1h`` counts
only earlier transactions of the card, and ``merchant_risk`` uses only labels that
have arrived, that is, transactions at least ``label_delay_days`` old.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.validation import check_array, check_integer, check_number

logger = logging.getLogger(__name__)

FEATURES = ("amount", "velocity_1h", "is_international", "merchant_risk", "hour_of_day")

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
# Bound of timestamps, label delays and windows (about 31,700 years), so their sums
# cannot overflow.
MAX_SECONDS = 1e12

FRAUD_RATE_MIN = 0.0005
FRAUD_RATE_MAX = 0.05

# Larger streams do not fit the memory of a small app server (about 100 bytes per row
# in the DataFrame, more while the features are computed).
MAX_EXPECTED_TRANSACTIONS = 5_000_000

# Relative hourly weights of the daily cycle. Card holders shop mostly from late
# morning to evening; fraud bursts start mostly at night, when the holder is asleep.
_LEGIT_HOUR_WEIGHTS = np.array(
    [2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 10, 11, 12, 12, 11, 10, 10, 11, 12, 12, 10, 8, 5, 3],
    dtype=float,
)
_FRAUD_HOUR_WEIGHTS = np.array(
    [10, 11, 12, 12, 11, 9, 6, 4, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 5, 6, 7, 8, 9],
    dtype=float,
)

# Merchant risk tiers: share of merchants and how strongly fraud is drawn to them.
_TIER_SHARES = np.array([0.85, 0.12, 0.03])
_TIER_FRAUD_WEIGHTS = np.array([1.0, 10.0, 100.0])

_BUSINESS_CARD_SHARE = 0.03
_MEAN_BURST_SIZE = 4.0
_BURST_GAP_MINUTES = 10.0
_DRIFT_BURST_GAP_MINUTES = 90.0

# Pseudo-counts that shrink the merchant fraud share towards the overall share when a
# merchant has little history, and the overall share towards the target rate when the
# window is still nearly empty (the first label delay of the stream).
_MERCHANT_PRIOR_COUNT = 200.0
_GLOBAL_PRIOR_COUNT = 10_000.0


@dataclass(frozen=True)
class StreamConfig:
    """Parameters of the simulated transaction stream.

    Parameters
    ----------
    n_cards : int
        Number of cards (card holders), 100 to 200,000.
    n_merchants : int
        Number of merchants, 10 to 20,000.
    n_days : int
        Length of the stream in days, 3 to 120.
    fraud_rate : float
        Target share of fraudulent transactions, 0.0005 to 0.05 (0.05% to 5%).
    label_delay_days : int
        Days from a transaction until its label (a chargeback, or its absence) is
        known, 0 to 60 and less than ``n_days``.
    merchant_risk_window_days : int
        Length in days of the trailing window of labelled transactions behind
        ``merchant_risk``, 1 to 90.
    mean_transactions_per_card_day : float
        Average legitimate transactions per card per day, 0.1 to 20.
    drift_start_day, drift_start_hour : int or None, int
        If ``drift_start_day`` is set, fraud bursts that start at or after that day and
        hour follow the drifted pattern. They have small domestic amounts at low-risk
        merchants and are spread out over hours, so the card's velocity stays low.
        Transactions before the drift start are identical to the stream without drift
        for the same seed.
    seed : int
        Seed of the random generator, 0 to 2**32 - 1. The stream is a deterministic
        function of the configuration.
    """

    n_cards: int = 20_000
    n_merchants: int = 1_000
    n_days: int = 30
    fraud_rate: float = 0.001
    label_delay_days: int = 5
    merchant_risk_window_days: int = 7
    mean_transactions_per_card_day: float = 2.0
    drift_start_day: int | None = None
    drift_start_hour: int = 0
    seed: int = 0

    def __post_init__(self) -> None:
        check_integer("n_cards", self.n_cards, 100, 200_000)
        check_integer("n_merchants", self.n_merchants, 10, 20_000)
        check_integer("n_days", self.n_days, 3, 120)
        check_number("fraud_rate", self.fraud_rate, FRAUD_RATE_MIN, FRAUD_RATE_MAX)
        check_integer("label_delay_days", self.label_delay_days, 0, min(60, self.n_days - 1))
        check_integer("merchant_risk_window_days", self.merchant_risk_window_days, 1, 90)
        check_number(
            "mean_transactions_per_card_day", self.mean_transactions_per_card_day, 0.1, 20.0
        )
        if self.drift_start_day is not None:
            check_integer("drift_start_day", self.drift_start_day, 0, self.n_days - 1)
        check_integer("drift_start_hour", self.drift_start_hour, 0, 23)
        check_integer("seed", self.seed, 0, 2**32 - 1)

        expected = self.n_cards * self.mean_transactions_per_card_day * self.n_days
        if expected > MAX_EXPECTED_TRANSACTIONS:
            raise ValueError(
                f"n_cards * mean_transactions_per_card_day * n_days = {expected:,.0f} "
                f"expected transactions is too large: the maximum is "
                f"{MAX_EXPECTED_TRANSACTIONS:,}. Reduce the number of cards or days."
            )

    @property
    def label_delay_seconds(self) -> float:
        """Label delay in seconds."""
        return self.label_delay_days * SECONDS_PER_DAY

    @property
    def warmup_days(self) -> int:
        """Days simulated before the returned stream so that its features start warm."""
        return self.label_delay_days + self.merchant_risk_window_days

    @property
    def drift_start_seconds(self) -> float | None:
        """Start of the drift in seconds from the start of the stream, or None."""
        if self.drift_start_day is None:
            return None
        return self.drift_start_day * SECONDS_PER_DAY + self.drift_start_hour * SECONDS_PER_HOUR


def _window_sums(
    group: np.ndarray,
    rank: np.ndarray,
    window_start_rank: np.ndarray,
    window_end_rank: np.ndarray,
    values: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Count rows and sum ``values`` per window within each row's group.

    Row j is in row i's window when ``group[j] == group[i]`` and
    ``window_start_rank[i] <= rank[j] < window_end_rank[i]``. Ranks are integers, so
    the combined key ``group * (n + 1) + rank`` is exact (a float key of group and
    timestamp would round away sub-millisecond differences). Queries are made in the
    sorted order, which keeps the binary searches cache-friendly.
    """
    n = group.size
    stride = np.int64(n + 1)
    key = group * stride + rank
    order = np.argsort(key)
    sorted_key = key[order]
    sorted_group = group[order] * stride
    lo = np.searchsorted(sorted_key, sorted_group + window_start_rank[order], side="left")
    hi = np.searchsorted(sorted_key, sorted_group + window_end_rank[order], side="left")
    value_cumsum = np.concatenate(([0], np.cumsum(values[order])))
    counts = np.empty(n, dtype=np.int64)
    sums = np.empty(n, dtype=value_cumsum.dtype)
    counts[order] = hi - lo
    sums[order] = value_cumsum[hi] - value_cumsum[lo]
    return counts, sums


def _check_same_shape(**arrays: np.ndarray) -> None:
    shapes = {name: array.shape for name, array in arrays.items()}
    if len(set(shapes.values())) > 1 or any(len(shape) != 1 for shape in shapes.values()):
        raise ValueError(f"{', '.join(shapes)} must be 1-D arrays of the same length, got shapes {shapes}")


def compute_velocity_1h(card_id: np.ndarray, timestamp: np.ndarray) -> np.ndarray:
    """Count each transaction's card transactions in the hour before it.

    The window is ``[t - 3600, t)`` in seconds, so the transaction itself and any later
    transaction are never counted (nor one at exactly the same time). Vectorised:
    timestamps become ranks in the sorted stream, and both window ends are found with
    ``searchsorted`` on an integer key of card and rank.

    Parameters
    ----------
    card_id : array of int, shape (n,)
        Card of each transaction, non-negative.
    timestamp : array of float, shape (n,)
        Seconds from the start of the stream.

    Returns
    -------
    numpy.ndarray of int32, shape (n,)
    """
    card_id = check_array("card_id", card_id).astype(np.int64)
    timestamp = check_array("timestamp", timestamp)
    _check_same_shape(card_id=card_id, timestamp=timestamp)
    if card_id.size == 0:
        return np.zeros(0, dtype=np.int32)

    # rank(x) = number of timestamps < x, so t_j >= x exactly when rank(t_j) >= rank(x).
    sorted_time = np.sort(timestamp)
    rank = np.searchsorted(sorted_time, timestamp, side="left")
    start_rank = np.searchsorted(sorted_time, timestamp - SECONDS_PER_HOUR, side="left")
    counts, _ = _window_sums(card_id, rank, start_rank, rank, np.zeros(card_id.size, np.int64))
    return counts.astype(np.int32)


def compute_merchant_risk(
    merchant_id: np.ndarray,
    timestamp: np.ndarray,
    is_fraud: np.ndarray,
    label_delay_seconds: float,
    window_seconds: float,
    prior_rate: float,
) -> np.ndarray:
    """Compute each transaction's merchant fraud share from labels that have arrived.

    For a transaction at time ``t`` the window contains the merchant's transactions with
    ``timestamp >= t - delay - window`` whose label time ``timestamp + delay`` is
    before ``t``, so no label younger than the delay is used. The share is smoothed
    with 200 pseudo-transactions at the overall labelled share of the same window,
    which in turn is smoothed towards ``prior_rate`` with 10,000 pseudo-transactions:

        global = (F_all + 10000 * prior_rate) / (N_all + 10000)
        merchant_risk = (F_m + 200 * global) / (N_m + 200)

    Parameters
    ----------
    merchant_id : array of int, shape (n,)
    timestamp : array of float, shape (n,)
        Seconds from the start of the stream.
    is_fraud : array of {0, 1}, shape (n,)
    label_delay_seconds : float
        Time from a transaction to its label, seconds.
    window_seconds : float
        Length of the trailing window of labelled transactions, seconds.
    prior_rate : float
        Fraud share assumed before any label has arrived.

    Returns
    -------
    numpy.ndarray of float64, shape (n,), values in [0, 1]
    """
    merchant_id = check_array("merchant_id", merchant_id, 0.0).astype(np.int64)
    timestamp = check_array("timestamp", timestamp, -MAX_SECONDS, MAX_SECONDS)
    is_fraud = check_array("is_fraud", is_fraud, 0.0, 1.0).astype(np.int64)
    _check_same_shape(merchant_id=merchant_id, timestamp=timestamp, is_fraud=is_fraud)
    label_delay_seconds = check_number("label_delay_seconds", label_delay_seconds, 0.0, MAX_SECONDS)
    window_seconds = check_number("window_seconds", window_seconds, 0.0, MAX_SECONDS, low_inclusive=False)
    prior_rate = check_number("prior_rate", prior_rate, 0.0, 1.0)
    if merchant_id.size == 0:
        return np.zeros(0, dtype=np.float64)

    sorted_time = np.sort(timestamp)
    rank = np.searchsorted(sorted_time, timestamp, side="left")
    start_rank = np.searchsorted(
        sorted_time, timestamp - label_delay_seconds - window_seconds, side="left"
    )
    # Label times are sorted like the timestamps; counting those before t gives the
    # end of the window in ranks, with ties of timestamp never split.
    end_rank = np.searchsorted(sorted_time + label_delay_seconds, timestamp, side="left")
    end_rank = np.maximum(end_rank, start_rank)

    everyone = np.zeros(merchant_id.size, dtype=np.int64)
    all_counts, all_frauds = _window_sums(everyone, rank, start_rank, end_rank, is_fraud)
    global_share = (all_frauds + _GLOBAL_PRIOR_COUNT * prior_rate) / (
        all_counts + _GLOBAL_PRIOR_COUNT
    )
    counts, frauds = _window_sums(merchant_id, rank, start_rank, end_rank, is_fraud)
    return (frauds + _MERCHANT_PRIOR_COUNT * global_share) / (counts + _MERCHANT_PRIOR_COUNT)


def _hour_probabilities(weights: np.ndarray) -> np.ndarray:
    return weights / weights.sum()


def _burst_sizes(rng: np.random.Generator, split_points: np.ndarray) -> np.ndarray:
    """Draw burst sizes (1 + geometric, mean ``_MEAN_BURST_SIZE``) that add up exactly.

    ``split_points`` are increasing cumulative fraud counts, the last being the total.
    A burst that crosses a split point is cut in two there, so the bursts before each
    point sum to exactly that point.
    """
    n_fraud = int(split_points[-1])
    if n_fraud == 0:
        return np.zeros(0, dtype=np.int64)
    n_drawn = int(np.ceil(2 * n_fraud / _MEAN_BURST_SIZE)) + 10
    sizes = 1 + rng.geometric(1.0 / (_MEAN_BURST_SIZE - 1), n_drawn)
    ends = np.cumsum(sizes)
    while ends[-1] < n_fraud:
        sizes = np.concatenate((sizes, 1 + rng.geometric(1.0 / (_MEAN_BURST_SIZE - 1), n_drawn)))
        ends = np.cumsum(sizes)
    cut_points = np.unique(np.concatenate((ends[ends < n_fraud], split_points)))
    cut_points = cut_points[cut_points > 0]
    return np.diff(np.concatenate(([0], cut_points)))


def simulate_stream(config: StreamConfig) -> pd.DataFrame:
    """Simulate a card-payment stream with fraud bursts and compute the model features.

    Method: each card draws a daily transaction rate (lognormal around
    ``mean_transactions_per_card_day``, with 3% business cards eight times as active),
    a typical amount (lognormal, median $40), a travel propensity and a home time zone
    offset. Merchants draw a popularity (Zipf-like) and a risk tier. Legitimate
    transactions are Poisson per card, placed uniformly over the days with a daily
    cycle; international ones are 2.5 times larger and happen in local daytime, often
    night at home. Each day gets ``round(rate / (1 - rate) * N_legit)`` frauds
    (cumulative rounding), so the fraud share of every day and of the whole stream
    equals the target up to rounding. Frauds come in bursts (1 + geometric size, mean
    4) on random cards, starting mostly at night, minutes apart. They have larger
    amounts (median $180), a 55% chance of being international, and merchants drawn
    towards the risky tiers. In the drifted pattern bursts are hours apart, with small
    domestic amounts (median $25) at low-risk merchants. The simulation starts
    ``config.warmup_days`` early and that warm-up is dropped, so features are warm
    from the first returned transaction.

    NOTE: in the first hour of day 0, ``velocity_1h`` counts warm-up transactions
    that are not in the returned frame, so a replay that rebuilds velocity from the
    frame alone matches it only from timestamp 3600 on.

    Parameters
    ----------
    config : StreamConfig

    Returns
    -------
    pandas.DataFrame
        One row per transaction sorted by time, with columns ``transaction_id``,
        ``timestamp`` (seconds from the start, float), ``day``, ``hour_of_day``,
        ``card_id``, ``merchant_id``, ``amount`` (dollars), ``is_international``
        (0/1), ``velocity_1h``, ``merchant_risk``, ``is_fraud`` (0/1),
        ``label_available_at`` (timestamp when the label arrives, seconds) and
        ``is_drifted`` (the transaction is a fraud of the drifted pattern).
    """
    started = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    # The simulation starts warmup_days before the returned stream, so velocity_1h and
    # merchant_risk are computed from a full history from the first returned day on,
    # as in a feature store that has been running for a while.
    total_days = config.warmup_days + config.n_days
    warmup_end = config.warmup_days * SECONDS_PER_DAY
    horizon = total_days * SECONDS_PER_DAY

    # Cards: mean-preserving lognormal activity, typical amount and travel propensity.
    activity_sigma = 0.8
    card_daily_rate = rng.lognormal(-activity_sigma**2 / 2, activity_sigma, config.n_cards)
    # Business cards transact far more often, so a high velocity alone is not fraud.
    card_daily_rate *= np.where(rng.random(config.n_cards) < _BUSINESS_CARD_SHARE, 8.0, 1.0)
    card_daily_rate *= config.mean_transactions_per_card_day / card_daily_rate.mean()
    card_typical_amount = rng.lognormal(np.log(40.0), 0.7, config.n_cards)
    card_travel_probability = np.where(rng.random(config.n_cards) < 0.1, 0.15, 0.01)
    # Hours are the card holder's home time, and abroad the holder shops in local
    # daytime, which is often night at home: international and night together are
    # normal for travellers, so the model needs the interaction with other features.
    card_time_shift_hours = rng.integers(5, 11, config.n_cards)

    # Merchants: Zipf-like popularity in random order, and a risk tier.
    ranks = rng.permutation(config.n_merchants) + 1
    popularity = ranks**-0.8
    popularity /= popularity.sum()
    tier = rng.choice(len(_TIER_SHARES), config.n_merchants, p=_TIER_SHARES)
    fraud_merchant_p = popularity * _TIER_FRAUD_WEIGHTS[tier]
    fraud_merchant_p /= fraud_merchant_p.sum()
    drift_merchant_p = popularity * (tier == 0)
    drift_merchant_p /= drift_merchant_p.sum()

    # Legitimate transactions.
    counts = rng.poisson(card_daily_rate * total_days)
    legit_card = np.repeat(np.arange(config.n_cards, dtype=np.int64), counts)
    n_legit = legit_card.size
    if n_legit == 0:
        raise ValueError(
            "The configuration produced no transactions: increase n_cards, n_days or "
            "mean_transactions_per_card_day."
        )
    legit_day = rng.integers(0, total_days, n_legit)
    legit_hour = rng.choice(24, n_legit, p=_hour_probabilities(_LEGIT_HOUR_WEIGHTS))
    legit_international = rng.random(n_legit) < card_travel_probability[legit_card]
    legit_hour = np.where(
        legit_international, (legit_hour + card_time_shift_hours[legit_card]) % 24, legit_hour
    )
    legit_time = (
        legit_day * SECONDS_PER_DAY
        + legit_hour * SECONDS_PER_HOUR
        + rng.uniform(0, SECONDS_PER_HOUR, n_legit)
    )
    legit_merchant = rng.choice(config.n_merchants, n_legit, p=popularity)
    legit_amount = card_typical_amount[legit_card] * rng.lognormal(0.0, 0.5, n_legit)
    # Travel purchases (hotels, flights) are larger than everyday ones.
    legit_amount *= np.where(legit_international, 2.5, 1.0)

    # Fraud counts per day from the target rate and that day's legitimate volume, so
    # every day's fraud share, and the returned period's, equals the target up to
    # rounding. Cumulative rounding keeps the total exact.
    legit_per_day = np.bincount(legit_day, minlength=total_days)
    odds = config.fraud_rate / (1.0 - config.fraud_rate)
    fraud_cumulative = np.round(odds * np.cumsum(legit_per_day)).astype(np.int64)
    n_fraud = int(fraud_cumulative[-1])
    if n_fraud == 0:
        raise ValueError(
            f"fraud_rate={config.fraud_rate:g} of {int(legit_per_day.sum()):,} legitimate "
            f"transactions rounds to 0 frauds: increase n_cards, n_days or fraud_rate"
        )
    burst_sizes = _burst_sizes(rng, fraud_cumulative)
    n_bursts = burst_sizes.size
    burst_day = np.searchsorted(fraud_cumulative, np.cumsum(burst_sizes), side="left")
    burst_in_warmup = burst_day < config.warmup_days
    segment_end = np.where(burst_in_warmup, warmup_end, horizon)

    burst_card = rng.integers(0, config.n_cards, n_bursts)
    burst_start = (
        burst_day * SECONDS_PER_DAY
        + rng.choice(24, n_bursts, p=_hour_probabilities(_FRAUD_HOUR_WEIGHTS)) * SECONDS_PER_HOUR
        + rng.uniform(0, SECONDS_PER_HOUR, n_bursts)
    )
    drift_start = config.drift_start_seconds
    if drift_start is not None:
        drift_start += warmup_end
    burst_drifted = (
        np.zeros(n_bursts, dtype=bool) if drift_start is None else burst_start >= drift_start
    )
    # Drifted bursts start on the same day when card holders are usually active, to
    # blend in, but never before the drift start.
    drifted_start = (
        np.floor(burst_start / SECONDS_PER_DAY) * SECONDS_PER_DAY
        + rng.choice(24, n_bursts, p=_hour_probabilities(_LEGIT_HOUR_WEIGHTS)) * SECONDS_PER_HOUR
        + rng.uniform(0, SECONDS_PER_HOUR, n_bursts)
    )
    if drift_start is not None:
        drifted_start = np.maximum(drifted_start, drift_start)

    # Every draw below is made for both patterns, so the random sequence and hence the
    # transactions before the drift start do not depend on whether drift is on.
    burst_index = np.repeat(np.arange(n_bursts), burst_sizes)
    first_in_burst = np.concatenate(([0], np.cumsum(burst_sizes)[:-1]))
    unit_gaps = rng.exponential(1.0, n_fraud)
    unit_gaps[first_in_burst] = 0.0
    gap_cumsum = np.cumsum(unit_gaps)
    unit_offset = gap_cumsum - gap_cumsum[first_in_burst][burst_index]

    fraud_drifted = burst_drifted[burst_index]
    gap_seconds = np.where(fraud_drifted, _DRIFT_BURST_GAP_MINUTES, _BURST_GAP_MINUTES) * 60.0
    start = np.where(burst_drifted, drifted_start, burst_start)
    offset = unit_offset * gap_seconds
    # A burst that would run past the end of its period is compressed to fit, so every
    # fraud stays after its burst's start (and after the drift start if drifted).
    burst_span = np.zeros(n_bursts)
    np.maximum.at(burst_span, burst_index, offset)
    room = np.maximum(segment_end - 1.0 - start, 0.0)
    squeeze = np.minimum(1.0, room / np.maximum(burst_span, 1e-9))
    fraud_time = start[burst_index] + offset * squeeze[burst_index]

    normal_amount = rng.lognormal(np.log(180.0), 0.9, n_fraud)
    drifted_amount = rng.lognormal(np.log(25.0), 0.5, n_fraud)
    fraud_amount = np.where(fraud_drifted, drifted_amount, normal_amount)

    uniform = rng.random(n_fraud)
    fraud_international = np.where(fraud_drifted, uniform < 0.03, uniform < 0.55)

    normal_merchant = rng.choice(config.n_merchants, n_fraud, p=fraud_merchant_p)
    drifted_merchant = rng.choice(config.n_merchants, n_fraud, p=drift_merchant_p)
    fraud_merchant = np.where(fraud_drifted, drifted_merchant, normal_merchant)

    # Combine and sort by time.
    timestamp = np.concatenate((legit_time, fraud_time))
    order = np.argsort(timestamp)
    timestamp = timestamp[order]
    card_id = np.concatenate((legit_card, burst_card[burst_index]))[order]
    merchant_id = np.concatenate((legit_merchant, fraud_merchant))[order]
    amount = np.concatenate((legit_amount, fraud_amount))[order]
    amount = np.maximum(np.round(amount, 2), 0.5)
    is_international = np.concatenate((legit_international, fraud_international))[order]
    is_fraud = np.concatenate((np.zeros(n_legit, dtype=np.int8), np.ones(n_fraud, dtype=np.int8)))[
        order
    ]
    is_drifted = np.concatenate((np.zeros(n_legit, dtype=bool), fraud_drifted))[order]

    velocity_1h = compute_velocity_1h(card_id, timestamp)
    merchant_risk = compute_merchant_risk(
        merchant_id,
        timestamp,
        is_fraud,
        label_delay_seconds=config.label_delay_seconds,
        window_seconds=config.merchant_risk_window_days * SECONDS_PER_DAY,
        prior_rate=config.fraud_rate,
    )

    returned = timestamp >= warmup_end
    timestamp = timestamp[returned] - warmup_end
    stream = pd.DataFrame(
        {
            "transaction_id": np.arange(timestamp.size, dtype=np.int64),
            "timestamp": timestamp,
            "day": (timestamp // SECONDS_PER_DAY).astype(np.int16),
            "hour_of_day": ((timestamp % SECONDS_PER_DAY) // SECONDS_PER_HOUR).astype(np.int8),
            "card_id": card_id[returned].astype(np.int32),
            "merchant_id": merchant_id[returned].astype(np.int32),
            "amount": amount[returned],
            "is_international": is_international[returned].astype(np.int8),
            "velocity_1h": velocity_1h[returned],
            "merchant_risk": merchant_risk[returned],
            "is_fraud": is_fraud[returned],
            "label_available_at": timestamp + config.label_delay_seconds,
            "is_drifted": is_drifted[returned],
        }
    )
    n_fraud_returned = int(stream["is_fraud"].sum())
    logger.info(
        "Simulated %d transactions (%d frauds, rate %.5f) over %d days in %.2f s",
        len(stream),
        n_fraud_returned,
        n_fraud_returned / len(stream),
        config.n_days,
        time.perf_counter() - started,
    )
    return stream
