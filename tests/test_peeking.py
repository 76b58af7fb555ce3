"""Tests for the peeking simulation in core.ab.peeking."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

from core.ab.peeking import (
    RULE_NAMES,
    MAX_LOOKS,
    analysis_indices,
    build_look_schedule,
    check_rates,
    first_significant_index,
    horizon_index,
    merge_monte_carlo_results,
    reaches_planned_n,
    simulate_experiment,
    simulate_stopping_rules,
    summarize_trade_offs,
    two_proportion_z,
    two_sided_p_values,
)
from core.ab.sequential import msprt_mixing_variance, repeated_testing_error

# Armitage, McPherson & Rowe (1969), J. R. Statist. Soc. A 132, 235-244, as reproduced in
# Jennison & Turnbull (2000), Table 1.1 (two-sided alpha = 0.05, K equally spaced looks).
REPEATED_TESTING_TABLE = {2: 0.083, 5: 0.142, 10: 0.193, 20: 0.248, 100: 0.374}

# Two-sided 99.95% normal quantile: a correct simulation fails a check about once in 2,000.
Z_TOLERANCE = 3.5

TAU2 = msprt_mixing_variance(0.02)


def binomial_tolerance(rate: float, runs: int) -> float:
    return Z_TOLERANCE * math.sqrt(rate * (1.0 - rate) / runs)


@pytest.fixture(scope="module")
def large_sample_aa():
    """10,000 A/A experiments of 100 looks with 10,000 users per arm and look."""
    schedule = build_look_schedule(10_000, 1, 100)
    return simulate_stopping_rules(
        0.5,
        0.0,
        schedule,
        alpha=0.05,
        horizon=99,
        n_analyses=5,
        mixing_variance=TAU2,
        n_runs=10_000,
        seed=2024,
    )


def test_schedule_counts_and_days() -> None:
    schedule = build_look_schedule(1000, 4, 2)
    assert schedule.n_looks == 8
    assert schedule.n_per_variant.tolist() == [250, 500, 750, 1000, 1250, 1500, 1750, 2000]
    assert schedule.days.tolist() == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]


def test_schedule_rounds_users_down() -> None:
    schedule = build_look_schedule(100, 24, 1)
    assert schedule.n_per_variant[0] == 4
    assert schedule.n_per_variant[-1] == 100


@pytest.mark.parametrize(
    ("traffic", "looks_per_day", "days", "name"),
    [
        (1000, 0, 14, "looks_per_day"),
        (1000, 25, 14, "looks_per_day"),
        (1000, 1, 0.5, "shorter than one look"),
        (1000, 1, 0, "shorter than one look"),
        (1000, 1, -1, "experiment_days"),
        (1000, 24, MAX_LOOKS, "at most"),
        (10, 24, 14, "daily_traffic_per_variant"),
        (0, 1, 14, "daily_traffic_per_variant"),
        (1000, 1.5, 14, "looks_per_day"),
    ],
)
def test_schedule_rejects_bad_input(traffic, looks_per_day, days, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        build_look_schedule(traffic, looks_per_day, days)


def test_horizon_is_first_look_with_planned_n() -> None:
    schedule = build_look_schedule(1000, 1, 10)
    assert horizon_index(schedule, 4438) == 4
    assert horizon_index(schedule, 4000) == 3
    assert reaches_planned_n(schedule, 10_000)


def test_horizon_beyond_schedule_is_last_look() -> None:
    schedule = build_look_schedule(1000, 1, 3)
    assert horizon_index(schedule, 4438) == 2
    assert not reaches_planned_n(schedule, 4438)


@pytest.mark.parametrize(("baseline", "lift"), [(0.12, 0.9), (0.12, -0.12), (0.5, 0.5), (0.0, 0.01), (1.0, 0.0)])
def test_rates_outside_unit_interval_rejected(baseline: float, lift: float) -> None:
    with pytest.raises(ValueError, match="true_lift|baseline_rate"):
        check_rates(baseline, lift)


def test_rate_error_names_valid_range() -> None:
    with pytest.raises(ValueError, match=r"between -0\.12 and 0\.88"):
        check_rates(0.12, 0.9)


def test_z_squared_equals_chi_square() -> None:
    # The pooled z-test and Pearson's chi-square test without continuity correction agree.
    a, b, n = 120, 145, 1000
    table = [[a, n - a], [b, n - b]]
    chi_square = chi2_contingency(table, correction=False)[0]
    z = float(two_proportion_z(np.array(a), np.array(b), np.array(n)))
    assert z > 0
    assert z * z == pytest.approx(chi_square, rel=1e-12)


def test_z_is_zero_without_variation() -> None:
    z = two_proportion_z(np.array([0, 10]), np.array([0, 10]), np.array([10, 10]))
    assert z.tolist() == [0.0, 0.0]


@given(st.integers(1, 10_000), st.data())
@settings(max_examples=50, deadline=None)
def test_z_antisymmetric(n: int, data) -> None:
    a = data.draw(st.integers(0, n))
    b = data.draw(st.integers(0, n))
    forward = float(two_proportion_z(np.array(a), np.array(b), np.array(n)))
    backward = float(two_proportion_z(np.array(b), np.array(a), np.array(n)))
    assert forward == -backward
    p_value = float(two_sided_p_values(np.array(forward)))
    assert 0.0 <= p_value <= 1.0


def test_same_seed_same_trajectory() -> None:
    schedule = build_look_schedule(1000, 24, 5)
    first = simulate_experiment(0.12, 0.02, schedule, 42, TAU2)
    second = simulate_experiment(0.12, 0.02, schedule, 42, TAU2)
    assert np.array_equal(first.conversions_a, second.conversions_a)
    assert np.array_equal(first.conversions_b, second.conversions_b)
    assert np.array_equal(first.p_value, second.p_value)


def test_new_seed_new_trajectory() -> None:
    schedule = build_look_schedule(1000, 24, 5)
    first = simulate_experiment(0.12, 0.02, schedule, 42, TAU2)
    second = simulate_experiment(0.12, 0.02, schedule, 43, TAU2)
    assert not np.array_equal(first.p_value, second.p_value)


def test_trajectory_counts_are_cumulative() -> None:
    schedule = build_look_schedule(1000, 2, 10)
    trajectory = simulate_experiment(0.3, 0.0, schedule, 1, TAU2)
    assert np.all(np.diff(trajectory.conversions_a) >= 0)
    assert np.all(trajectory.conversions_b <= schedule.n_per_variant)
    assert np.all(np.diff(trajectory.msprt_p_value) <= 0)


def test_trajectory_rejects_negative_seed() -> None:
    schedule = build_look_schedule(1000, 1, 5)
    with pytest.raises(ValueError, match="seed"):
        simulate_experiment(0.12, 0.02, schedule, -1, TAU2)


def test_first_significant_index() -> None:
    p_values = np.array([0.5, 0.2, 0.03, 0.01, 0.2])
    assert first_significant_index(p_values, 0.05) == 2
    assert first_significant_index(p_values, 0.05, before_index=2) is None
    assert first_significant_index(p_values, 0.001) is None


def test_analysis_indices_end_at_last_look() -> None:
    assert analysis_indices(10, 5).tolist() == [1, 3, 5, 7, 9]
    assert analysis_indices(7, 3).tolist() == [2, 4, 6]
    assert analysis_indices(3, 1).tolist() == [2]


def test_analysis_indices_reject_more_analyses_than_looks() -> None:
    with pytest.raises(ValueError, match="n_analyses"):
        analysis_indices(3, 4)


@pytest.mark.parametrize(("n_looks", "published"), sorted(REPEATED_TESTING_TABLE.items()))
def test_monte_carlo_matches_armitage(large_sample_aa, n_looks: int, published: float) -> None:
    simulated = float(large_sample_aa.naive_rejection_by_look[n_looks - 1])
    exact = float(repeated_testing_error(n_looks, 0.05)[-1])
    tolerance = binomial_tolerance(exact, large_sample_aa.n_runs)
    assert abs(simulated - exact) <= tolerance
    # The published values are rounded to 3 decimals.
    assert abs(simulated - published) <= tolerance + 0.0005


def test_naive_rule_is_last_cumulative_rate(large_sample_aa) -> None:
    outcome = large_sample_aa.outcomes["naive_peeking"]
    assert outcome.rejection_rate == large_sample_aa.naive_rejection_by_look[-1]


@pytest.mark.parametrize("rule", ["fixed_horizon", "pocock", "obrien_fleming", "msprt"])
def test_corrected_rules_keep_alpha(large_sample_aa, rule: str) -> None:
    rate = large_sample_aa.outcomes[rule].rejection_rate
    assert rate <= 0.05 + binomial_tolerance(0.05, large_sample_aa.n_runs)


@pytest.mark.parametrize("rule", ["fixed_horizon", "pocock", "obrien_fleming"])
def test_exact_level_rules_reach_alpha(large_sample_aa, rule: str) -> None:
    rate = large_sample_aa.outcomes[rule].rejection_rate
    assert abs(rate - 0.05) <= binomial_tolerance(0.05, large_sample_aa.n_runs)


def test_fixed_horizon_power_at_planned_n() -> None:
    # R power.prop.test: 4,438 per variant detect 0.12 -> 0.14 with 80% power at two-sided
    # alpha 0.05 (pooled variance under H0, unpooled under H1, no continuity correction).
    schedule = build_look_schedule(4438, 1, 1)
    result = simulate_stopping_rules(
        0.12,
        0.02,
        schedule,
        alpha=0.05,
        horizon=0,
        n_analyses=1,
        mixing_variance=TAU2,
        n_runs=20_000,
        seed=5,
    )
    power = result.outcomes["fixed_horizon"].rejection_rate
    assert abs(power - 0.80) <= binomial_tolerance(0.80, 20_000)


def test_sequential_rules_stop_early_under_lift() -> None:
    schedule = build_look_schedule(1000, 24, 10)
    result = simulate_stopping_rules(
        0.12,
        0.02,
        schedule,
        alpha=0.05,
        horizon=horizon_index(schedule, 4438),
        n_analyses=5,
        mixing_variance=TAU2,
        n_runs=2000,
        seed=3,
    )
    maximum = float(schedule.n_per_variant[-1])
    for rule in ("pocock", "obrien_fleming", "msprt"):
        outcome = result.outcomes[rule]
        assert outcome.expected_n_per_variant < maximum
        assert outcome.rejection_rate > 0.5
    assert result.outcomes["fixed_horizon"].expected_n_per_variant == 4458


def test_monte_carlo_same_seed_same_result() -> None:
    schedule = build_look_schedule(500, 2, 6)
    arguments = dict(alpha=0.05, horizon=5, n_analyses=3, mixing_variance=TAU2, n_runs=3000, seed=11)
    first = simulate_stopping_rules(0.2, 0.0, schedule, **arguments)
    second = simulate_stopping_rules(0.2, 0.0, schedule, **arguments)
    assert first.outcomes == second.outcomes
    assert np.array_equal(first.naive_rejection_by_look, second.naive_rejection_by_look)


def test_monte_carlo_reports_progress() -> None:
    schedule = build_look_schedule(500, 24, 50)
    fractions: list[float] = []
    simulate_stopping_rules(
        0.2,
        0.0,
        schedule,
        alpha=0.05,
        horizon=10,
        n_analyses=3,
        mixing_variance=TAU2,
        n_runs=2000,
        progress=fractions.append,
    )
    assert len(fractions) > 1
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({"horizon": 6}, "horizon"),
        ({"n_analyses": 0}, "n_analyses"),
        ({"n_runs": 0}, "n_runs"),
        ({"alpha": 0.0}, "alpha"),
        ({"mixing_variance": 0.0}, "mixing_variance"),
    ],
)
def test_monte_carlo_rejects_bad_input(changes: dict, name: str) -> None:
    schedule = build_look_schedule(500, 1, 6)
    arguments = dict(alpha=0.05, horizon=5, n_analyses=3, mixing_variance=TAU2, n_runs=100, seed=1)
    arguments.update(changes)
    with pytest.raises(ValueError, match=name):
        simulate_stopping_rules(0.2, 0.0, schedule, **arguments)


def test_batches_merge_into_one_result() -> None:
    schedule = build_look_schedule(500, 2, 6)
    arguments = dict(alpha=0.05, horizon=5, n_analyses=3, mixing_variance=TAU2, n_runs=1500, seed=11)
    batches = [simulate_stopping_rules(0.2, 0.0, schedule, batch=batch, **arguments) for batch in range(3)]
    merged = merge_monte_carlo_results(batches)
    assert merged.n_runs == 4500
    for rule, outcome in merged.outcomes.items():
        assert outcome.rejections == sum(batch.outcomes[rule].rejections for batch in batches)
        assert outcome.n_runs == 4500
    assert merged.naive_rejection_by_look[-1] == merged.outcomes["naive_peeking"].rejection_rate


def test_batches_draw_independent_streams() -> None:
    schedule = build_look_schedule(500, 2, 6)
    arguments = dict(alpha=0.05, horizon=5, n_analyses=3, mixing_variance=TAU2, n_runs=1500, seed=11)
    first = simulate_stopping_rules(0.2, 0.0, schedule, batch=0, **arguments)
    second = simulate_stopping_rules(0.2, 0.0, schedule, batch=1, **arguments)
    assert not np.array_equal(first.naive_first_rejections, second.naive_first_rejections)


def test_merge_rejects_empty_and_mixed_batches() -> None:
    with pytest.raises(ValueError, match="results"):
        merge_monte_carlo_results([])
    arguments = dict(alpha=0.05, horizon=0, n_analyses=1, mixing_variance=TAU2, n_runs=10)
    short = simulate_stopping_rules(0.2, 0.0, build_look_schedule(500, 1, 2), **arguments)
    long = simulate_stopping_rules(0.2, 0.0, build_look_schedule(500, 1, 3), **arguments)
    with pytest.raises(ValueError, match="look"):
        merge_monte_carlo_results([short, long])


def test_trade_offs_without_lift_have_no_power(large_sample_aa) -> None:
    rows = summarize_trade_offs(large_sample_aa, None)
    assert [row.rule for row in rows] == list(RULE_NAMES)
    for row in rows:
        assert row.power is None
        assert row.expected_n_lift is None
        assert row.false_positive_rate == large_sample_aa.outcomes[row.rule].rejection_rate


def test_trade_offs_with_lift_report_power(large_sample_aa) -> None:
    rows = summarize_trade_offs(large_sample_aa, large_sample_aa)
    naive = rows[1]
    assert naive.rule == "naive_peeking"
    assert naive.power == naive.false_positive_rate
    assert naive.expected_n_lift == naive.expected_n_null
