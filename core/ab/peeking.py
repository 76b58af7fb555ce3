"""Simulate A/B tests that are checked at every look, and the stopping rules that fix peeking.

Conversions are drawn as binomial counts per arm and look, so a simulation costs the same for
100 or 100,000 users per look. Every statistic is vectorised over looks and Monte Carlo runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri

from core.ab.analysis import MAX_USERS
from core.ab.sequential import (
    MAX_INTEGRATION_LOOKS,
    group_sequential_boundaries,
    msprt_log_likelihood_ratio,
    msprt_p_values,
)
from core.validation import check_array, check_broadcastable, check_integer, check_number

MAX_LOOKS = 2_000
MAX_LOOKS_PER_DAY = 24
MAX_RUNS = 100_000

# Runs x looks per chunk of a Monte Carlo call. 1M cells keep the temporary arrays of a chunk
# below about 100 MB (an estimate from the array sizes) and give 10 progress steps for
# 10,000 runs x 100 looks.
_CHUNK_CELLS = 1_000_000

# Stream numbers mixed into the seed, so the single experiment and the Monte Carlo draw from
# independent random streams even when they are given the same seed.
_TRAJECTORY_STREAM = 0
_MONTE_CARLO_STREAM = 1

RULE_NAMES = {
    "fixed_horizon": "Fixed horizon",
    "naive_peeking": "Naive peeking",
    "pocock": "Pocock",
    "obrien_fleming": "O'Brien-Fleming",
    "msprt": "mSPRT",
}


@dataclass(frozen=True)
class LookSchedule:
    """Equally spaced looks at a running experiment.

    Attributes
    ----------
    n_per_variant : numpy.ndarray of int64, shape (K,)
        Cumulative users per arm at each look.
    days : numpy.ndarray of float, shape (K,)
        Time of each look in days since the start.
    looks_per_day : int
        Looks per day (1 = daily, 24 = hourly).
    """

    n_per_variant: np.ndarray
    days: np.ndarray
    looks_per_day: int

    @property
    def n_looks(self) -> int:
        return int(self.n_per_variant.size)


def build_look_schedule(
    daily_traffic_per_variant: float, looks_per_day: int, experiment_days: float
) -> LookSchedule:
    """Build the look schedule of an experiment with constant traffic.

    Parameters
    ----------
    daily_traffic_per_variant : float
        Users entering each arm per day, at least ``looks_per_day`` so that every look adds
        at least one user per arm.
    looks_per_day : int
        Looks per day, from 1 (daily) to 24 (hourly).
    experiment_days : float
        Length of the experiment in days. It must cover at least one look, and the number of
        looks, floor(experiment_days * looks_per_day), is at most ``MAX_LOOKS``.

    Returns
    -------
    LookSchedule
        Look k (k = 1..K) is at day k / looks_per_day with
        floor(k * daily_traffic_per_variant / looks_per_day) users per arm.
    """
    traffic = check_number(
        "daily_traffic_per_variant", daily_traffic_per_variant, 0.0, MAX_USERS, low_inclusive=False
    )
    per_day = check_integer("looks_per_day", looks_per_day, 1, MAX_LOOKS_PER_DAY)
    # Longer runs have more than MAX_LOOKS looks, which is rejected below anyway.
    days = check_number("experiment_days", experiment_days, 0.0, float(MAX_LOOKS))

    n_looks = math.floor(days * per_day + 1e-9)
    if n_looks < 1:
        raise ValueError(
            f"experiment_days={days:g} is shorter than one look: with looks_per_day={per_day} "
            f"the first look is at day {1 / per_day:g}. Run the experiment at least that long"
        )
    if n_looks > MAX_LOOKS:
        raise ValueError(
            f"experiment_days={days:g} with looks_per_day={per_day} gives {n_looks} looks, "
            f"out of range: expected at most {MAX_LOOKS}. Use fewer looks per day or fewer days"
        )
    if traffic < per_day:
        raise ValueError(
            f"daily_traffic_per_variant={traffic:g} is out of range for looks_per_day={per_day}: "
            f"expected at least {per_day} so that every look adds at least one user per arm"
        )

    looks = np.arange(1, n_looks + 1)
    n_per_variant = np.floor(looks * traffic / per_day + 1e-9).astype(np.int64)
    return LookSchedule(n_per_variant=n_per_variant, days=looks / per_day, looks_per_day=per_day)


def horizon_index(schedule: LookSchedule, n_per_variant: int) -> int:
    """Return the 0-based index of the first look with at least ``n_per_variant`` users per arm.

    If the schedule ends before that, the last look is returned, and ``reaches_planned_n``
    distinguishes the two cases.
    """
    planned = check_integer("n_per_variant", n_per_variant, 1)
    reached = np.flatnonzero(schedule.n_per_variant >= planned)
    return int(reached[0]) if reached.size else schedule.n_looks - 1


def reaches_planned_n(schedule: LookSchedule, n_per_variant: int) -> bool:
    """Return whether the schedule reaches ``n_per_variant`` users per arm by its last look."""
    planned = check_integer("n_per_variant", n_per_variant, 1)
    return bool(schedule.n_per_variant[-1] >= planned)


def check_rates(baseline_rate: float, true_lift: float) -> tuple[float, float]:
    """Validate the control rate and the absolute lift, and return (control, treatment) rates.

    Both rates must lie strictly between 0 and 1, so the lift is limited to
    (-baseline_rate, 1 - baseline_rate).
    """
    baseline = check_number("baseline_rate", baseline_rate, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    lift = check_number("true_lift", true_lift, -1.0, 1.0)
    treatment = baseline + lift
    if not 0.0 < treatment < 1.0:
        raise ValueError(
            f"true_lift={lift:g} pushes the treatment rate to {treatment:g}, outside 0 to 1: "
            f"expected a lift between {-baseline:g} and {1.0 - baseline:g} (exclusive) for "
            f"baseline_rate={baseline:g}"
        )
    return baseline, treatment


def two_proportion_z(
    conversions_a: np.ndarray, conversions_b: np.ndarray, n_per_variant: np.ndarray
) -> np.ndarray:
    """Compute the pooled two-proportion z statistic (B minus A), elementwise.

    z = (p_B - p_A) / sqrt(2 p (1 - p) / n) with the pooled rate p = (x_A + x_B) / (2 n),
    rewritten as (x_B - x_A) sqrt(2 n / ((x_A + x_B)(2 n - x_A - x_B))) to save operations.
    When no user or every user converted, the standard error is 0 and z is defined as 0.
    """
    a = check_array("conversions_a", conversions_a, 0.0, MAX_USERS, whole=True)
    b = check_array("conversions_b", conversions_b, 0.0, MAX_USERS, whole=True)
    n = check_array("n_per_variant", n_per_variant, 0.0, MAX_USERS, whole=True)
    check_broadcastable(conversions_a=a, conversions_b=b, n_per_variant=n)
    n2 = 2.0 * n
    total = a + b
    denominator = total * (n2 - total)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (b - a) * np.sqrt(n2 / denominator)
    return np.where(denominator > 0, z, 0.0)


def two_sided_p_values(z: np.ndarray) -> np.ndarray:
    """Return two-sided normal p-values 2 (1 - Phi(|z|))."""
    return 2.0 * ndtr(-np.abs(check_array("z", z, allow_infinite=True)))


def _cumulative_conversions(
    rng: np.random.Generator, rate: float, increments: np.ndarray, n_runs: int
) -> np.ndarray:
    draws = rng.binomial(increments, rate, size=(n_runs, increments.size))
    return np.cumsum(draws, axis=1)


def _increments(schedule: LookSchedule) -> np.ndarray:
    return np.diff(schedule.n_per_variant, prepend=0)


@dataclass(frozen=True)
class Trajectory:
    """One simulated experiment observed at every look of its schedule.

    Attributes
    ----------
    days, n_per_variant : numpy.ndarray, shape (K,)
        Copied from the schedule.
    conversions_a, conversions_b : numpy.ndarray of int64, shape (K,)
        Cumulative conversions in control (A) and treatment (B).
    z : numpy.ndarray, shape (K,)
        Pooled two-proportion z statistic at each look.
    p_value : numpy.ndarray, shape (K,)
        Two-sided p-value of the z-test at each look.
    msprt_p_value : numpy.ndarray, shape (K,)
        Always-valid mSPRT p-value at each look.
    """

    days: np.ndarray
    n_per_variant: np.ndarray
    conversions_a: np.ndarray
    conversions_b: np.ndarray
    z: np.ndarray
    p_value: np.ndarray
    msprt_p_value: np.ndarray


def simulate_experiment(
    baseline_rate: float,
    true_lift: float,
    schedule: LookSchedule,
    seed: int,
    mixing_variance: float,
) -> Trajectory:
    """Simulate one experiment and compute its test statistics at every look.

    Parameters
    ----------
    baseline_rate : float
        Conversion rate of control, in (0, 1).
    true_lift : float
        Absolute difference treatment minus control (0.02 for 2 percentage points). 0 gives an
        A/A test.
    schedule : LookSchedule
        When the experiment is looked at.
    seed : int
        Non-negative seed. The same seed and inputs always give the same trajectory.
    mixing_variance : float
        tau^2 of the mSPRT, see ``core.ab.sequential.msprt_mixing_variance``.

    Returns
    -------
    Trajectory
    """
    control, treatment = check_rates(baseline_rate, true_lift)
    seed = check_integer("seed", seed, 0)
    check_number("mixing_variance", mixing_variance, 0.0, low_inclusive=False)
    rng = np.random.default_rng([_TRAJECTORY_STREAM, seed])
    increments = _increments(schedule)
    conversions_a = _cumulative_conversions(rng, control, increments, 1)[0]
    conversions_b = _cumulative_conversions(rng, treatment, increments, 1)[0]
    z = two_proportion_z(conversions_a, conversions_b, schedule.n_per_variant)
    return Trajectory(
        days=schedule.days,
        n_per_variant=schedule.n_per_variant,
        conversions_a=conversions_a,
        conversions_b=conversions_b,
        z=z,
        p_value=two_sided_p_values(z),
        msprt_p_value=msprt_p_values(conversions_a, conversions_b, schedule.n_per_variant, mixing_variance),
    )


def first_significant_index(p_values: np.ndarray, alpha: float, before_index: int | None = None) -> int | None:
    """Return the 0-based index of the first look with p < alpha, or None if there is none.

    With ``before_index``, only looks strictly before that index count, which is where a
    peeker stops early.
    """
    values = check_array("p_values", p_values, 0.0, 1.0)
    alpha = check_number("alpha", alpha, 0.0, 1.0)
    if before_index is not None:
        values = values[: check_integer("before_index", before_index, 0)]
    hits = np.flatnonzero(values < alpha)
    return int(hits[0]) if hits.size else None


def analysis_indices(n_looks: int, n_analyses: int) -> np.ndarray:
    """Return the 0-based look indices of K analyses spread evenly over ``n_looks`` looks.

    Analysis k (k = 1..K) is at look ceil(k * n_looks / K), so the last analysis is the last
    look. The information fractions are k / K up to the rounding to whole looks.
    """
    looks = check_integer("n_looks", n_looks, 1, MAX_LOOKS)
    analyses = check_integer("n_analyses", n_analyses, 1, min(looks, MAX_INTEGRATION_LOOKS))
    k = np.arange(1, analyses + 1)
    return (-(-k * looks // analyses) - 1).astype(np.int64)


@dataclass(frozen=True)
class RuleOutcome:
    """Monte Carlo outcome of one stopping rule.

    Attributes
    ----------
    rule : str
        Key of ``RULE_NAMES``.
    rejections : int
        Runs in which the rule declared a significant difference.
    n_runs : int
        Number of simulated experiments.
    total_n_at_stop : float
        Sum over runs of the users per arm when the rule stopped (at its last look if it
        never rejected).
    """

    rule: str
    rejections: int
    n_runs: int
    total_n_at_stop: float

    @property
    def rejection_rate(self) -> float:
        return self.rejections / self.n_runs

    @property
    def standard_error(self) -> float:
        """Binomial standard error sqrt(r (1 - r) / runs) of the rejection rate."""
        rate = self.rejection_rate
        return math.sqrt(rate * (1.0 - rate) / self.n_runs)

    @property
    def expected_n_per_variant(self) -> float:
        """Mean users per arm at stopping, the expected sample size of the rule."""
        return self.total_n_at_stop / self.n_runs


@dataclass(frozen=True)
class MonteCarloResult:
    """Rejections per stopping rule over many simulated experiments.

    Attributes
    ----------
    outcomes : dict of str to RuleOutcome
        One entry per key of ``RULE_NAMES``.
    naive_first_rejections : numpy.ndarray of int64, shape (K,)
        Runs whose first p < alpha came at look k (entry k - 1).
    n_runs : int
    """

    outcomes: dict[str, RuleOutcome]
    naive_first_rejections: np.ndarray
    n_runs: int

    @property
    def naive_rejection_by_look(self) -> np.ndarray:
        """Share of runs with p < alpha at one of the first k looks (entry k - 1).

        Under no effect this is the false-positive rate of "stop at the first p < alpha"
        with k equally spaced looks.
        """
        return np.cumsum(self.naive_first_rejections) / self.n_runs


def merge_monte_carlo_results(results: Sequence[MonteCarloResult]) -> MonteCarloResult:
    """Pool Monte Carlo batches of the same scenario, run with different ``batch`` numbers."""
    if not results:
        raise ValueError("results must contain at least one Monte Carlo batch, got none")
    if len({result.naive_first_rejections.size for result in results}) != 1:
        raise ValueError("results must share one look schedule, got batches with different look counts")

    outcomes = {
        rule: RuleOutcome(
            rule,
            sum(result.outcomes[rule].rejections for result in results),
            sum(result.outcomes[rule].n_runs for result in results),
            sum(result.outcomes[rule].total_n_at_stop for result in results),
        )
        for rule in RULE_NAMES
    }
    return MonteCarloResult(
        outcomes=outcomes,
        naive_first_rejections=np.sum([result.naive_first_rejections for result in results], axis=0),
        n_runs=sum(result.n_runs for result in results),
    )


def _first_true(crossed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (any crossing, index of first crossing or last index) per row."""
    any_crossing = crossed.any(axis=1)
    first = np.where(any_crossing, crossed.argmax(axis=1), crossed.shape[1] - 1)
    return any_crossing, first


def simulate_stopping_rules(
    baseline_rate: float,
    true_lift: float,
    schedule: LookSchedule,
    *,
    alpha: float,
    horizon: int,
    n_analyses: int,
    mixing_variance: float,
    n_runs: int = 10_000,
    seed: int = 0,
    batch: int = 0,
    progress: Callable[[float], None] | None = None,
) -> MonteCarloResult:
    """Simulate many experiments and apply every stopping rule to each.

    Parameters
    ----------
    baseline_rate, true_lift : float
        Control rate and absolute lift, see ``simulate_experiment``. A lift of 0 measures
        false-positive rates, any other lift measures power.
    schedule : LookSchedule
        Looks of each experiment; the last look is the maximum sample size of the
        sequential rules.
    alpha : float
        Two-sided significance level in (0, 1).
    horizon : int
        0-based look index of the fixed-horizon test, usually ``horizon_index`` of the
        planned n per variant.
    n_analyses : int
        K, the number of equally spaced analyses of the Pocock and O'Brien-Fleming designs,
        placed by ``analysis_indices``.
    mixing_variance : float
        tau^2 of the mSPRT.
    n_runs : int
        Simulated experiments, 1 to ``MAX_RUNS``.
    seed : int
        Non-negative seed. The same inputs, seed and batch give the same result.
    batch : int
        Non-negative batch number. Batches with the same seed use independent random
        streams, so they can be run one by one and pooled by ``merge_monte_carlo_results``.
    progress : callable, optional
        Called with the finished fraction in (0, 1] after each chunk of runs, which the
        function sizes to bound its memory use.

    Returns
    -------
    MonteCarloResult

    Notes
    -----
    The rules, all at two-sided level alpha:

    * fixed horizon: one z-test at look ``horizon``;
    * naive peeking: a z-test at every look, stop at the first p < alpha;
    * Pocock and O'Brien-Fleming: |Z| against ``group_sequential_boundaries`` at K analyses;
    * mSPRT: stop at the first look whose always-valid p-value is below alpha.
    """
    control, treatment = check_rates(baseline_rate, true_lift)
    alpha = check_number("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    horizon = check_integer("horizon", horizon, 0, schedule.n_looks - 1)
    runs = check_integer("n_runs", n_runs, 1, MAX_RUNS)
    seed = check_integer("seed", seed, 0)
    batch = check_integer("batch", batch, 0)
    analyses = analysis_indices(schedule.n_looks, n_analyses)
    mixing_variance = check_number("mixing_variance", mixing_variance, 0.0, low_inclusive=False)

    critical = float(ndtri(1.0 - alpha / 2.0))
    pocock = group_sequential_boundaries(analyses.size, alpha, "pocock")
    obrien_fleming = group_sequential_boundaries(analyses.size, alpha, "obrien_fleming")
    msprt_threshold = math.log(1.0 / alpha)

    n = schedule.n_per_variant
    increments = _increments(schedule)
    rng = np.random.default_rng([_MONTE_CARLO_STREAM, seed, batch])

    rejections = dict.fromkeys(RULE_NAMES, 0)
    stopped_n = dict.fromkeys(RULE_NAMES, 0.0)
    first_naive = np.zeros(schedule.n_looks, dtype=np.int64)

    chunk_runs = max(1, _CHUNK_CELLS // schedule.n_looks)
    done = 0
    while done < runs:
        size = min(chunk_runs, runs - done)
        conversions_a = _cumulative_conversions(rng, control, increments, size)
        conversions_b = _cumulative_conversions(rng, treatment, increments, size)
        abs_z = np.abs(two_proportion_z(conversions_a, conversions_b, n))

        fixed = abs_z[:, horizon] >= critical
        rejections["fixed_horizon"] += int(fixed.sum())
        stopped_n["fixed_horizon"] += float(n[horizon]) * size

        crossed, first = _first_true(abs_z >= critical)
        rejections["naive_peeking"] += int(crossed.sum())
        stopped_n["naive_peeking"] += float(n[first].sum())
        first_naive += np.bincount(first[crossed], minlength=schedule.n_looks)

        at_analyses = abs_z[:, analyses]
        for rule, bounds in (("pocock", pocock), ("obrien_fleming", obrien_fleming)):
            crossed, first = _first_true(at_analyses >= bounds)
            rejections[rule] += int(crossed.sum())
            stopped_n[rule] += float(n[analyses[first]].sum())

        pooled = (conversions_a + conversions_b) / (2.0 * n)
        log_lambda = msprt_log_likelihood_ratio(
            (conversions_b - conversions_a) / n, 2.0 * pooled * (1.0 - pooled), n, mixing_variance
        )
        crossed, first = _first_true(log_lambda >= msprt_threshold)
        rejections["msprt"] += int(crossed.sum())
        stopped_n["msprt"] += float(n[first].sum())

        done += size
        if progress is not None:
            progress(done / runs)

    outcomes = {rule: RuleOutcome(rule, rejections[rule], runs, stopped_n[rule]) for rule in RULE_NAMES}
    return MonteCarloResult(outcomes=outcomes, naive_first_rejections=first_naive, n_runs=runs)



@dataclass(frozen=True)
class RuleTradeOff:
    """One row of the trade-off table of stopping rules.

    Attributes
    ----------
    rule : str
        Key of ``RULE_NAMES``.
    false_positive_rate, false_positive_se : float
        Rejection rate under no effect (A/A) and its binomial standard error.
    power, power_se : float or None
        Rejection rate under the true lift and its standard error, None for an A/A scenario.
    expected_n_null : float
        Mean users per arm at stopping under no effect.
    expected_n_lift : float or None
        Mean users per arm at stopping under the true lift, None for an A/A scenario.
    """

    rule: str
    false_positive_rate: float
    false_positive_se: float
    power: float | None
    power_se: float | None
    expected_n_null: float
    expected_n_lift: float | None


def summarize_trade_offs(null: MonteCarloResult, lift: MonteCarloResult | None) -> list[RuleTradeOff]:
    """Combine an A/A Monte Carlo and one under the true lift into a row per stopping rule.

    Pass ``lift=None`` when the true lift is 0, because power is undefined without an effect.
    """
    rows = []
    for rule in RULE_NAMES:
        under_null = null.outcomes[rule]
        under_lift = None if lift is None else lift.outcomes[rule]
        rows.append(
            RuleTradeOff(
                rule=rule,
                false_positive_rate=under_null.rejection_rate,
                false_positive_se=under_null.standard_error,
                power=None if under_lift is None else under_lift.rejection_rate,
                power_se=None if under_lift is None else under_lift.standard_error,
                expected_n_null=under_null.expected_n_per_variant,
                expected_n_lift=None if under_lift is None else under_lift.expected_n_per_variant,
            )
        )
    return rows
