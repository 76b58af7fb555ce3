"""Tests for the two-proportion z-test, its intervals and the Bayesian comparison."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from core.ab.analysis import compare_proportions
from core.ab.bayesian import compare_posteriors

TABLES = [
    (1000, 100, 1000, 120),
    (5000, 250, 4800, 300),
    (200, 3, 150, 9),
    (50, 0, 60, 4),
    (10_000_000, 123_456, 9_999_000, 124_000),
    (12, 11, 15, 7),
]


@pytest.mark.parametrize("table", TABLES)
def test_z_squared_equals_chi_square(table):
    control_users, control_conversions, treatment_users, treatment_conversions = table
    result = compare_proportions(*table)
    contingency = [
        [control_conversions, control_users - control_conversions],
        [treatment_conversions, treatment_users - treatment_conversions],
    ]
    chi_square, chi_p, _, _ = stats.chi2_contingency(contingency, correction=False)

    assert result.z**2 == pytest.approx(chi_square, rel=1e-9)
    assert result.p_value == pytest.approx(chi_p, rel=1e-7, abs=1e-300)


def test_z_test_rates_and_lifts():
    result = compare_proportions(1000, 100, 1000, 120)

    assert result.control_rate == 0.1
    assert result.treatment_rate == 0.12
    assert result.absolute_lift == pytest.approx(0.02)
    assert result.relative_lift == pytest.approx(0.2)


def test_absolute_interval_is_unpooled_wald():
    result = compare_proportions(1000, 100, 1000, 120, alpha=0.05)
    half_width = 1.959963984540054 * math.sqrt(0.1 * 0.9 / 1000 + 0.12 * 0.88 / 1000)

    assert result.absolute_ci[0] == pytest.approx(0.02 - half_width)
    assert result.absolute_ci[1] == pytest.approx(0.02 + half_width)


def test_relative_interval_is_delta_method():
    result = compare_proportions(2000, 200, 2000, 260, alpha=0.1)
    variance_c = 0.1 * 0.9 / 2000
    variance_t = 0.13 * 0.87 / 2000
    variance = variance_t / 0.1**2 + 0.13**2 * variance_c / 0.1**4
    half_width = stats.norm.isf(0.05) * math.sqrt(variance)

    assert result.relative_ci[0] == pytest.approx(0.3 - half_width)
    assert result.relative_ci[1] == pytest.approx(0.3 + half_width)


def test_zero_control_rate_has_no_relative_lift():
    result = compare_proportions(100, 0, 100, 5)

    assert math.isnan(result.relative_lift)
    assert math.isnan(result.relative_ci[0])
    assert result.absolute_lift == pytest.approx(0.05)


@pytest.mark.parametrize("table", [(100, 0, 80, 0), (100, 100, 80, 80)])
def test_table_without_variation_matches_fisher(table):
    control_users, control_conversions, treatment_users, treatment_conversions = table
    result = compare_proportions(*table)
    contingency = [
        [control_conversions, control_users - control_conversions],
        [treatment_conversions, treatment_users - treatment_conversions],
    ]

    assert result.z == 0.0
    assert result.p_value == stats.fisher_exact(contingency).pvalue == 1.0
    assert not result.significant


def test_decision_for_improvement_drop_and_none():
    improvement = compare_proportions(10_000, 1000, 10_000, 1200)
    drop = compare_proportions(10_000, 1200, 10_000, 1000)
    unclear = compare_proportions(1000, 100, 1000, 105)

    assert improvement.decision.startswith("Significant improvement")
    assert drop.decision.startswith("Significant drop")
    assert unclear.decision.startswith("No significant difference")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((0, 0, 100, 5), "users of 'control'=0"),
        ((100, 5, 0, 0), "users of 'treatment'=0"),
        ((100, 101, 100, 5), "exceed users=100"),
        ((100, -1, 100, 5), "conversions of 'control'=-1 is out of range"),
        ((100.5, 1, 100, 5), "must be a whole number, got 100.5"),
        ((100, 1, "100", 5), "must be a whole number, got '100'"),
    ],
)
def test_z_test_rejects_invalid_counts(arguments, message):
    with pytest.raises(ValueError, match=message):
        compare_proportions(*arguments)


@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, math.nan])
def test_z_test_rejects_invalid_alpha(alpha):
    with pytest.raises(ValueError, match="alpha"):
        compare_proportions(100, 10, 100, 12, alpha=alpha)


def test_interval_coverage_monte_carlo():
    # 4,000 seeded experiments with a true lift of 1 point: the 95 % interval
    # should cover it in 95 % of them, within 4 binomial standard errors.
    rng = np.random.default_rng(20261204)
    runs, users = 4000, 5000
    control = rng.binomial(users, 0.10, runs)
    treatment = rng.binomial(users, 0.11, runs)
    covered = 0
    for c, t in zip(control, treatment):
        low, high = compare_proportions(users, int(c), users, int(t)).absolute_ci
        covered += low <= 0.01 <= high
    tolerance = 4 * math.sqrt(0.95 * 0.05 / runs)

    assert abs(covered / runs - 0.95) < tolerance


def test_type_one_error_monte_carlo():
    rng = np.random.default_rng(7)
    runs, users = 4000, 3000
    control = rng.binomial(users, 0.2, runs)
    treatment = rng.binomial(users, 0.2, runs)
    rejections = sum(
        compare_proportions(users, int(c), users, int(t)).significant
        for c, t in zip(control, treatment)
    )
    tolerance = 4 * math.sqrt(0.05 * 0.95 / runs)

    assert abs(rejections / runs - 0.05) < tolerance


@st.composite
def tables(draw):
    control_users = draw(st.integers(1, 10**7))
    treatment_users = draw(st.integers(1, 10**7))
    control_conversions = draw(st.integers(0, control_users))
    treatment_conversions = draw(st.integers(0, treatment_users))
    return control_users, control_conversions, treatment_users, treatment_conversions


@settings(max_examples=200, deadline=None)
@given(tables())
def test_swapping_arms_negates_z(table):
    control_users, control_conversions, treatment_users, treatment_conversions = table
    forward = compare_proportions(*table)
    backward = compare_proportions(
        treatment_users, treatment_conversions, control_users, control_conversions
    )

    assert backward.z == pytest.approx(-forward.z, abs=1e-9)
    assert backward.p_value == pytest.approx(forward.p_value, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_property_z_squared_is_chi_square(table):
    control_users, control_conversions, treatment_users, treatment_conversions = table
    converted = control_conversions + treatment_conversions
    total = control_users + treatment_users
    if converted in (0, total):
        return
    result = compare_proportions(*table)
    contingency = [
        [control_conversions, control_users - control_conversions],
        [treatment_conversions, treatment_users - treatment_conversions],
    ]
    chi_square = stats.chi2_contingency(contingency, correction=False)[0]

    assert result.z**2 == pytest.approx(chi_square, rel=1e-6, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(tables())
def test_interval_contains_estimate(table):
    result = compare_proportions(*table)

    assert result.absolute_ci[0] <= result.absolute_lift <= result.absolute_ci[1]
    assert 0.0 <= result.p_value <= 1.0


# Bayesian comparison


def _monte_carlo(table, draws, seed):
    control_users, control_conversions, treatment_users, treatment_conversions = table
    rng = np.random.default_rng(seed)
    control = rng.beta(1 + control_conversions, 1 + control_users - control_conversions, draws)
    treatment = rng.beta(
        1 + treatment_conversions, 1 + treatment_users - treatment_conversions, draws
    )
    return control, treatment


@pytest.mark.parametrize(
    "table",
    [(1000, 100, 1000, 120), (20_000, 2000, 20_000, 1900), (10, 0, 12, 3), (2_000_000, 40_000, 2_000_000, 40_500)],
)
def test_probability_to_beat_matches_monte_carlo(table):
    draws = 400_000
    control, treatment = _monte_carlo(table, draws, seed=11)
    estimate = float(np.mean(treatment > control))
    result = compare_posteriors(*table)
    # 5 binomial standard errors of the Monte Carlo proportion.
    tolerance = 5 * math.sqrt(max(estimate * (1 - estimate), 1e-4) / draws)

    assert result.probability_to_beat_control == pytest.approx(estimate, abs=tolerance)


@pytest.mark.parametrize("table", [(1000, 100, 1000, 120), (10, 0, 12, 3)])
def test_expected_loss_matches_monte_carlo(table):
    draws = 400_000
    control, treatment = _monte_carlo(table, draws, seed=12)
    losses = np.maximum(control - treatment, 0.0)
    result = compare_posteriors(*table)
    tolerance = 5 * float(np.std(losses)) / math.sqrt(draws)

    assert result.expected_loss_treatment == pytest.approx(float(np.mean(losses)), abs=tolerance)


@pytest.mark.parametrize(("users", "conversions"), [(10, 1), (10_000_000, 10), (1000, 990)])
def test_posteriors_with_empty_control_are_exact(users, conversions):
    # With 0 control users the control posterior is Uniform(0, 1), so for
    # T ~ Beta(a, b): P(T > C) = E[T] = a / (a + b) and
    # E[max(C - T, 0)] = E[(1 - T)^2] / 2 = b (b + 1) / ((a + b) (a + b + 1)) / 2.
    a, b = 1 + conversions, 1 + users - conversions
    result = compare_posteriors(0, 0, users, conversions)

    assert result.probability_to_beat_control == pytest.approx(a / (a + b), rel=1e-8, abs=1e-12)
    assert result.expected_loss_treatment == pytest.approx(
        b * (b + 1) / ((a + b) * (a + b + 1)) / 2, rel=1e-8
    )


def test_identical_arms_are_a_coin_flip():
    result = compare_posteriors(5000, 400, 5000, 400)

    assert result.probability_to_beat_control == pytest.approx(0.5, abs=1e-9)
    assert result.expected_loss_treatment == pytest.approx(result.expected_loss_control, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(tables())
def test_loss_difference_is_mean_difference(table):
    control_users, control_conversions, treatment_users, treatment_conversions = table
    result = compare_posteriors(*table)
    mean_c = (1 + control_conversions) / (2 + control_users)
    mean_t = (1 + treatment_conversions) / (2 + treatment_users)

    assert 0.0 <= result.probability_to_beat_control <= 1.0
    assert result.expected_loss_control - result.expected_loss_treatment == pytest.approx(
        mean_t - mean_c, abs=1e-8
    )


def test_posteriors_reject_invalid_prior():
    with pytest.raises(ValueError, match="prior_alpha"):
        compare_posteriors(10, 1, 10, 2, prior_alpha=0)
