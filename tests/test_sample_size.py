"""Sample size for two proportions against published values and invariants."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from core.ab.sample_size import (
    SizingScenario,
    compare_formulas,
    n_per_variant_cohens_h,
    n_per_variant_continuity_corrected,
    n_per_variant_pooled,
    plan_experiment,
    power_at_n,
    python_snippet,
    sampling_distributions,
)

# n per variant from the normal approximation with pooled variance under H0 and
# unpooled under H1, no continuity correction: the formula of R's power.prop.test
# (R Core Team, stats/R/power.R). Two-sided alpha 0.05 unless the case sets another.
REFERENCE_CASES = [
    # (baseline, mde, relative, power, two_sided, treatments, expected n)
    pytest.param(0.12, 0.02, False, 0.80, True, 1, 4_438, id="12%->14% power 80%"),
    pytest.param(0.12, 0.02, False, 0.90, True, 1, 5_940, id="12%->14% power 90%"),
    pytest.param(0.12, 0.02, False, 0.80, False, 1, 3_496, id="12%->14% one-sided"),
    pytest.param(0.12, 0.02, False, 0.80, True, 3, 5_919, id="12%->14% 3 treatments Bonferroni"),
    pytest.param(0.10, 0.01, False, 0.80, True, 1, 14_751, id="10%->11%"),
    pytest.param(0.05, 0.10, True, 0.80, True, 1, 31_234, id="5% with 10% relative MDE"),
    # R's help page example for power.prop.test: p1 = 0.50, p2 = 0.75, power 0.90 gives n = 76.7.
    pytest.param(0.50, 0.25, False, 0.90, True, 1, 77, id="R power.prop.test example"),
]


@pytest.mark.parametrize("baseline, mde, relative, power, two_sided, treatments, expected", REFERENCE_CASES)
def test_plan_matches_reference(baseline, mde, relative, power, two_sided, treatments, expected):
    scenario = SizingScenario(
        baseline_rate=baseline, mde=mde, mde_relative=relative, power=power,
        two_sided=two_sided, n_treatments=treatments,
    )
    assert plan_experiment(scenario).n_per_variant == expected


def test_power_prop_test_unrounded():
    # R: power.prop.test(p1 = .50, p2 = .75, power = .90) prints n = 76.7 (help page example).
    assert n_per_variant_pooled(0.50, 0.75, power=0.90) == pytest.approx(76.7, abs=0.05)


def test_default_plan_days():
    plan = plan_experiment(SizingScenario())
    assert plan.days_exact == 1
    assert plan.days_full_weeks == 7
    assert plan.days_to_run == 7
    assert plan.n_total == 2 * 4_438


def test_days_without_full_weeks():
    plan = plan_experiment(SizingScenario(daily_traffic_per_variant=1_000, full_weeks=False))
    assert plan.days_exact == math.ceil(4_438 / 1_000)
    assert plan.days_to_run == 5
    assert plan.days_full_weeks == 7


def test_cohens_h_matches_pwr():
    # Cohen's h with the arcsine transform (R pwr.2p.test, statsmodels NormalIndPower)
    # gives 4,432.5 for 0.12 vs 0.14 and 76.65 for 0.50 vs 0.75 at 90% power.
    assert n_per_variant_cohens_h(0.12, 0.14) == pytest.approx(4_432.5, abs=0.05)
    assert n_per_variant_cohens_h(0.50, 0.75, power=0.90) == pytest.approx(76.65, abs=0.01)


def test_continuity_correction_is_larger():
    pooled = n_per_variant_pooled(0.12, 0.14)
    corrected = n_per_variant_continuity_corrected(0.12, 0.14)
    # Fleiss' correction adds roughly 2 / |p2 - p1| users per arm for large n.
    assert corrected > pooled
    assert corrected - pooled == pytest.approx(2 / 0.02, rel=0.05)


def test_formula_table_rows():
    rows = compare_formulas(SizingScenario())
    assert [row.n_per_variant for row in rows] == [4_438, 4_433, 4_537]


def test_power_at_required_n():
    plan = plan_experiment(SizingScenario())
    assert power_at_n(0.12, 0.14, plan.n_per_variant) == pytest.approx(0.80, abs=0.001)


def test_distributions_critical_values():
    distributions = sampling_distributions(plan_experiment(SizingScenario()))
    assert len(distributions.critical_values) == 2
    assert distributions.critical_values[1] == pytest.approx(1.959964 * distributions.sd_null)
    one_sided = sampling_distributions(plan_experiment(SizingScenario(two_sided=False)))
    assert len(one_sided.critical_values) == 1


@pytest.mark.parametrize(
    "changes, parameter",
    [
        (dict(baseline_rate=0.99, mde=0.02), "baseline_rate + mde"),
        (dict(baseline_rate=0.0), "baseline_rate"),
        (dict(alpha=0.5), "alpha"),
        (dict(alpha=0.7), "alpha"),
        (dict(power=0.04), "power"),
        (dict(power=1.0), "power"),
        (dict(daily_traffic_per_variant=0), "daily_traffic_per_variant"),
        (dict(mde=0.0), "mde"),
        (dict(mde=float("nan")), "mde"),
        (dict(n_treatments=0), "n_treatments"),
        (dict(n_treatments=2.5), "n_treatments"),
    ],
)
def test_invalid_scenario_names_parameter(changes, parameter):
    with pytest.raises(ValueError, match=parameter.replace("+", r"\+")):
        plan_experiment(SizingScenario(**changes))


def test_impractical_scenario_stays_finite():
    # A 0.01-point MDE on a 1% baseline needs about 15.6 million users per variant.
    plan = plan_experiment(SizingScenario(baseline_rate=0.01, mde=0.0001, daily_traffic_per_variant=1))
    assert 15_000_000 < plan.n_per_variant < 17_000_000
    assert plan.days_exact == plan.n_per_variant


rates = st.floats(min_value=0.001, max_value=0.95)
mdes = st.floats(min_value=0.0005, max_value=0.3)
powers = st.floats(min_value=0.5, max_value=0.99)
alphas = st.floats(min_value=0.001, max_value=0.2)


def _n(baseline, mde, power=0.8, alpha=0.05):
    return plan_experiment(
        SizingScenario(baseline_rate=baseline, mde=mde, power=power, alpha=alpha)
    ).n_per_variant


@settings(max_examples=200, deadline=None)
@given(rates, mdes, mdes)
def test_n_falls_as_mde_grows(baseline, mde, other):
    small, large = sorted((mde, other))
    assume(baseline + large < 1.0)
    assert _n(baseline, large) <= _n(baseline, small)


@settings(max_examples=200, deadline=None)
@given(rates, mdes, powers, powers)
def test_n_rises_with_power(baseline, mde, power, other):
    low, high = sorted((power, other))
    assume(baseline + mde < 1.0)
    assert _n(baseline, mde, power=low) <= _n(baseline, mde, power=high)


@settings(max_examples=200, deadline=None)
@given(rates, mdes, alphas, alphas)
def test_n_rises_as_alpha_shrinks(baseline, mde, alpha, other):
    small, large = sorted((alpha, other))
    assume(baseline + mde < 1.0)
    assert _n(baseline, mde, alpha=small) >= _n(baseline, mde, alpha=large)


@settings(max_examples=300, deadline=None)
@given(rates, mdes, powers, alphas, st.booleans(), st.integers(1, 10))
def test_n_positive_and_finite(baseline, mde, power, alpha, two_sided, treatments):
    assume(baseline + mde < 1.0)
    plan = plan_experiment(SizingScenario(
        baseline_rate=baseline, mde=mde, power=power, alpha=alpha,
        two_sided=two_sided, n_treatments=treatments,
    ))
    assert plan.n_per_variant >= 1
    assert math.isfinite(plan.n_per_variant)
    assert plan.days_full_weeks % 7 == 0


SNIPPET_CASES = [
    SizingScenario(),
    SizingScenario(power=0.9, two_sided=False),
    SizingScenario(baseline_rate=0.05, mde=0.10, mde_relative=True, n_treatments=3),
    SizingScenario(baseline_rate=0.5, mde=0.25, power=0.9),
]


@pytest.mark.parametrize("scenario", SNIPPET_CASES)
def test_snippet_prints_page_number(scenario):
    result = subprocess.run(
        [sys.executable, "-c", python_snippet(scenario)], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == str(plan_experiment(scenario).n_per_variant)
