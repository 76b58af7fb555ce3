"""Sample size for an A/B test on a conversion rate.

The page's number comes from :func:`n_per_variant_pooled`: the normal approximation
with the pooled variance under H0 and the unpooled variance under H1, no continuity
correction. That is the formula of R's ``power.prop.test`` (``stats/R/power.R``) and
of most textbooks; :func:`compare_formulas` shows the two other formulas that online
calculators use, so a user can see why they disagree by a few percent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from core.validation import check_integer, check_number

MAX_TREATMENTS = 10
DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class SizingScenario:
    """Inputs of a sample-size calculation.

    Rates are fractions (0.12 for 12%). ``mde`` is in absolute rate points
    (0.02 for 2 percentage points) unless ``mde_relative`` is true, in which case
    it is a fraction of the baseline (0.10 for a 10% lift).
    """

    baseline_rate: float = 0.12
    mde: float = 0.02
    power: float = 0.80
    alpha: float = 0.05
    two_sided: bool = True
    mde_relative: bool = False
    n_treatments: int = 1
    daily_traffic_per_variant: int = 5_000
    full_weeks: bool = True

    @property
    def treatment_rate(self) -> float:
        """Conversion rate of a treatment that has exactly the MDE."""
        if self.mde_relative:
            return self.baseline_rate * (1.0 + self.mde)
        return self.baseline_rate + self.mde

    @property
    def alpha_per_comparison(self) -> float:
        """Significance level of each treatment-vs-control test after Bonferroni."""
        return self.alpha / self.n_treatments


@dataclass(frozen=True)
class SizingPlan:
    """Result of :func:`plan_experiment`: users and days the test needs."""

    scenario: SizingScenario
    n_per_variant: int
    n_total: int
    days_exact: int
    days_full_weeks: int

    @property
    def days_to_run(self) -> int:
        """Days the page recommends: whole weeks when ``full_weeks`` is set."""
        return self.days_full_weeks if self.scenario.full_weeks else self.days_exact


def _check_rates(baseline_rate: float, treatment_rate: float) -> None:
    check_number("baseline_rate", baseline_rate, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    treatment_rate = check_number("treatment_rate", treatment_rate)
    if not 0.0 < treatment_rate < 1.0:
        raise ValueError(
            f"baseline_rate + mde = {treatment_rate:.6g} is out of range: the treatment rate "
            "must stay strictly between 0% and 100%. Lower the MDE or move the baseline."
        )
    if treatment_rate == baseline_rate:
        raise ValueError("mde=0 is invalid: the treatment rate must differ from the baseline rate")


def _check_error_rates(power: float, alpha: float) -> None:
    # Below about 1e-16 the normal quantile of 1 - alpha is infinite, and so is n.
    check_number("alpha", alpha, 1e-10, 0.5, high_inclusive=False)
    check_number("power", power, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    if power <= alpha:
        raise ValueError(
            f"power={power:g} is invalid: it must be above alpha={alpha:g}, because a test "
            "with power at or below its significance level detects nothing. Raise the power."
        )


def _pair_standard_deviations(baseline_rate: float, treatment_rate: float) -> tuple[float, float]:
    """Return the standard deviations of one pair's difference under H0 (pooled) and H1."""
    pooled = (baseline_rate + treatment_rate) / 2.0
    sd_null = math.sqrt(2.0 * pooled * (1.0 - pooled))
    sd_alternative = math.sqrt(
        baseline_rate * (1.0 - baseline_rate) + treatment_rate * (1.0 - treatment_rate)
    )
    return sd_null, sd_alternative


def _z_alpha(alpha: float, two_sided: bool) -> float:
    return float(stats.norm.isf(alpha / 2.0 if two_sided else alpha))


def n_per_variant_pooled(
    baseline_rate: float,
    treatment_rate: float,
    *,
    power: float = 0.80,
    alpha: float = 0.05,
    two_sided: bool = True,
) -> float:
    """Compute the unrounded sample size per variant for two proportions.

    Parameters
    ----------
    baseline_rate, treatment_rate : float
        Conversion rates of control and treatment, strictly between 0 and 1.
    power : float
        Probability of detecting the difference, strictly between ``alpha`` and 1.
    alpha : float
        Significance level of the test, in (0, 0.5).
    two_sided : bool
        Whether the test is two-sided.

    Returns
    -------
    float
        Users per variant, before rounding up.

    Notes
    -----
    With :math:`\\bar p = (p_1 + p_2)/2`,

    .. math::
        n = \\frac{\\left(z_{\\alpha} \\sqrt{2 \\bar p (1-\\bar p)}
            + z_{\\beta} \\sqrt{p_1(1-p_1) + p_2(1-p_2)}\\right)^2}{(p_2 - p_1)^2}

    where :math:`z_\\alpha` is the upper :math:`\\alpha/2` quantile (two-sided) or
    :math:`\\alpha` quantile (one-sided) and :math:`z_\\beta` the upper
    :math:`1 - \\text{power}` quantile of the standard normal.

    References
    ----------
    R Core Team, ``power.prop.test`` (package stats). Its help page example gives
    76.7 per group for 0.50 vs 0.75 at 90% power.
    """
    _check_rates(baseline_rate, treatment_rate)
    _check_error_rates(power, alpha)

    sd_null, sd_alternative = _pair_standard_deviations(baseline_rate, treatment_rate)
    z_beta = float(stats.norm.isf(1.0 - power))
    numerator = _z_alpha(alpha, two_sided) * sd_null + z_beta * sd_alternative
    return numerator**2 / (treatment_rate - baseline_rate) ** 2


def n_per_variant_cohens_h(
    baseline_rate: float,
    treatment_rate: float,
    *,
    power: float = 0.80,
    alpha: float = 0.05,
    two_sided: bool = True,
) -> float:
    """Compute the sample size per variant from Cohen's effect size h.

    Uses :math:`h = 2\\arcsin\\sqrt{p_2} - 2\\arcsin\\sqrt{p_1}` and
    :math:`n = 2((z_\\alpha + z_\\beta)/h)^2`, the method of R ``pwr.2p.test`` and of
    statsmodels ``NormalIndPower`` with ``proportion_effectsize``. It gives 4,432.5 for
    0.12 vs 0.14 at 80% power, where the pooled formula gives 4,437.3.
    """
    _check_rates(baseline_rate, treatment_rate)
    _check_error_rates(power, alpha)

    h = 2.0 * math.asin(math.sqrt(treatment_rate)) - 2.0 * math.asin(math.sqrt(baseline_rate))
    z_beta = float(stats.norm.isf(1.0 - power))
    return 2.0 * ((_z_alpha(alpha, two_sided) + z_beta) / h) ** 2


def n_per_variant_continuity_corrected(
    baseline_rate: float,
    treatment_rate: float,
    *,
    power: float = 0.80,
    alpha: float = 0.05,
    two_sided: bool = True,
) -> float:
    """Compute the sample size per variant with Fleiss' continuity correction.

    Applies :math:`n_{cc} = \\frac{n}{4}\\left(1 + \\sqrt{1 + \\frac{4}{n |p_2 - p_1|}}\\right)^2`
    to the pooled-formula ``n`` (Fleiss, Levin & Paik, *Statistical Methods for Rates
    and Proportions*, 3rd ed., 2003, eq. 4.14). It matches a test run with Yates'
    correction, so it is always larger than the uncorrected number.
    """
    n = n_per_variant_pooled(
        baseline_rate, treatment_rate, power=power, alpha=alpha, two_sided=two_sided
    )
    difference = abs(treatment_rate - baseline_rate)
    return n / 4.0 * (1.0 + math.sqrt(1.0 + 4.0 / (n * difference))) ** 2


def validate_scenario(scenario: SizingScenario) -> None:
    """Raise ``ValueError`` naming the first invalid field of ``scenario``."""
    check_number(
        "baseline_rate", scenario.baseline_rate, 0.0, 1.0, low_inclusive=False, high_inclusive=False
    )
    check_number("mde", scenario.mde, 0.0, low_inclusive=False)
    check_integer("n_treatments", scenario.n_treatments, 1, MAX_TREATMENTS)
    check_integer("daily_traffic_per_variant", scenario.daily_traffic_per_variant, 1)
    _check_rates(scenario.baseline_rate, scenario.treatment_rate)
    _check_error_rates(scenario.power, scenario.alpha)


def plan_experiment(scenario: SizingScenario) -> SizingPlan:
    """Compute the users per variant, the total users and the days a test needs.

    The per-variant n uses :func:`n_per_variant_pooled` at the Bonferroni-adjusted
    level ``alpha / n_treatments`` and is rounded up. Days are
    ``ceil(n / daily_traffic_per_variant)``, and then rounded up to whole weeks,
    because conversion often differs by day of week: a test that covers Monday to
    Wednesday only measures those users.
    """
    validate_scenario(scenario)
    n_exact = n_per_variant_pooled(
        scenario.baseline_rate,
        scenario.treatment_rate,
        power=scenario.power,
        alpha=scenario.alpha_per_comparison,
        two_sided=scenario.two_sided,
    )
    # Guard against a float such as 4438.000000000001 that would round up one too far.
    n_per_variant = max(1, math.ceil(round(n_exact, 6)))
    days_exact = math.ceil(n_per_variant / scenario.daily_traffic_per_variant)
    days_full_weeks = math.ceil(days_exact / DAYS_PER_WEEK) * DAYS_PER_WEEK
    return SizingPlan(
        scenario=scenario,
        n_per_variant=n_per_variant,
        n_total=n_per_variant * (scenario.n_treatments + 1),
        days_exact=days_exact,
        days_full_weeks=days_full_weeks,
    )


def power_at_n(
    baseline_rate: float,
    treatment_rate: float,
    n_per_variant: float,
    *,
    alpha: float = 0.05,
    two_sided: bool = True,
) -> float:
    """Compute the power of the two-proportion z-test with ``n_per_variant`` users per arm.

    The inverse of :func:`n_per_variant_pooled`: the same pooled and unpooled
    variances, counting only the rejection region on the side of the true effect,
    as ``power.prop.test`` does by default.
    """
    _check_rates(baseline_rate, treatment_rate)
    check_number("alpha", alpha, 0.0, 0.5, low_inclusive=False, high_inclusive=False)
    check_number("n_per_variant", n_per_variant, 0.0, low_inclusive=False)

    sd_null, sd_alternative = _pair_standard_deviations(baseline_rate, treatment_rate)
    difference = abs(treatment_rate - baseline_rate)
    z = (difference * math.sqrt(n_per_variant) - _z_alpha(alpha, two_sided) * sd_null) / sd_alternative
    return float(stats.norm.cdf(z))


@dataclass(frozen=True)
class SamplingDistributions:
    """Normal approximations of the observed difference in rates at a given n.

    All values are in rate units (0.02 for 2 percentage points).
    """

    difference: float
    sd_null: float
    sd_alternative: float
    critical_values: tuple[float, ...]
    alpha: float
    power: float


def sampling_distributions(plan: SizingPlan) -> SamplingDistributions:
    """Describe the distributions of the observed difference under H0 and H1.

    Under H0 the difference is centred on 0 with the pooled standard error
    :math:`\\sqrt{2\\bar p(1-\\bar p)/n}`; under H1 it is centred on the MDE with
    :math:`\\sqrt{(p_1 q_1 + p_2 q_2)/n}`. The critical values are
    :math:`\\pm z_\\alpha` null standard errors (one value for a one-sided test).
    """
    scenario = plan.scenario
    baseline, treatment = scenario.baseline_rate, scenario.treatment_rate
    n = plan.n_per_variant
    sd_null, sd_alternative = (sd / math.sqrt(n) for sd in _pair_standard_deviations(baseline, treatment))

    alpha = scenario.alpha_per_comparison
    critical = _z_alpha(alpha, scenario.two_sided) * sd_null
    critical_values = (-critical, critical) if scenario.two_sided else (critical,)
    power = power_at_n(baseline, treatment, n, alpha=alpha, two_sided=scenario.two_sided)
    return SamplingDistributions(
        difference=treatment - baseline,
        sd_null=sd_null,
        sd_alternative=sd_alternative,
        critical_values=critical_values,
        alpha=alpha,
        power=power,
    )


@dataclass(frozen=True)
class FormulaComparison:
    """One row of the "Why calculators disagree" table."""

    method: str
    n_per_variant: int
    n_exact: float
    used_by: str


def compare_formulas(scenario: SizingScenario) -> list[FormulaComparison]:
    """Compute n per variant for ``scenario`` with three common formulas."""
    validate_scenario(scenario)
    arguments = dict(
        power=scenario.power, alpha=scenario.alpha_per_comparison, two_sided=scenario.two_sided
    )
    rates = (scenario.baseline_rate, scenario.treatment_rate)
    rows = [
        ("Pooled H0, unpooled H1 (this page)", n_per_variant_pooled(*rates, **arguments),
         "R power.prop.test, most textbooks"),
        ("Cohen's h (arcsine transform)", n_per_variant_cohens_h(*rates, **arguments),
         "R pwr.2p.test, statsmodels NormalIndPower"),
        ("Continuity-corrected (Fleiss)", n_per_variant_continuity_corrected(*rates, **arguments),
         "Tests with Yates' correction, some online calculators"),
    ]
    return [
        FormulaComparison(method, max(1, math.ceil(round(n, 6))), n, used_by)
        for method, n, used_by in rows
    ]


def python_snippet(scenario: SizingScenario) -> str:
    """Return standalone Python (numpy and scipy only) that prints the page's n.

    The code repeats :func:`plan_experiment` for ``scenario`` so a reader can check
    the number outside the app.
    """
    validate_scenario(scenario)
    quantile = "alpha / 2" if scenario.two_sided else "alpha"
    if scenario.mde_relative:
        treatment = "baseline_rate * (1 + mde)  # relative MDE"
    else:
        treatment = "baseline_rate + mde  # absolute MDE"
    return f'''import numpy as np
from scipy.stats import norm

baseline_rate = {scenario.baseline_rate!r}
mde = {scenario.mde!r}
treatment_rate = {treatment}
power = {scenario.power!r}
alpha = {scenario.alpha!r} / {scenario.n_treatments}  # Bonferroni over {scenario.n_treatments} treatment(s)

pooled = (baseline_rate + treatment_rate) / 2
sd_null = np.sqrt(2 * pooled * (1 - pooled))
sd_alternative = np.sqrt(baseline_rate * (1 - baseline_rate) + treatment_rate * (1 - treatment_rate))
z_alpha = norm.isf({quantile})
z_beta = norm.isf(1 - power)

n = (z_alpha * sd_null + z_beta * sd_alternative) ** 2 / (treatment_rate - baseline_rate) ** 2
print(int(np.ceil(round(n, 6))))
'''


def n_over_mde_range(scenario: SizingScenario, n_points: int = 60) -> pd.DataFrame:
    """Tabulate the required n per variant for MDEs from a quarter to four times ``scenario.mde``.

    MDEs that would push the treatment rate to 0% or 100% or beyond are left out.
    Returns columns ``mde`` (in the scenario's unit, as a fraction), ``treatment_rate``,
    ``n_per_variant`` (rounded up) and ``days`` (unrounded to weeks).
    """
    validate_scenario(scenario)
    n_points = check_integer("n_points", n_points, 2, 10_000)
    rows = []
    for mde in np.geomspace(scenario.mde / 4.0, scenario.mde * 4.0, n_points):
        candidate = replace(scenario, mde=float(mde))
        if not 0.0 < candidate.treatment_rate < 1.0:
            continue
        plan = plan_experiment(candidate)
        rows.append((float(mde), candidate.treatment_rate, plan.n_per_variant, plan.days_exact))
    return pd.DataFrame(rows, columns=["mde", "treatment_rate", "n_per_variant", "days"])


def power_over_n(plan: SizingPlan, n_points: int = 60) -> pd.DataFrame:
    """Tabulate the power at the scenario's MDE for n from 2% to 300% of the required n.

    Returns columns ``n_per_variant`` and ``power``.
    """
    n_points = check_integer("n_points", n_points, 2, 10_000)
    scenario = plan.scenario
    n_values = np.unique(
        np.maximum(1, np.round(np.linspace(0.02, 3.0, n_points) * plan.n_per_variant))
    )
    powers = [
        power_at_n(
            scenario.baseline_rate,
            scenario.treatment_rate,
            float(n),
            alpha=scenario.alpha_per_comparison,
            two_sided=scenario.two_sided,
        )
        for n in n_values
    ]
    return pd.DataFrame({"n_per_variant": n_values.astype(int), "power": powers})


def distribution_curves(distributions: SamplingDistributions, n_points: int = 400) -> pd.DataFrame:
    """Tabulate both sampling densities and the region each point belongs to.

    Returns columns ``difference`` (rate units), ``hypothesis`` ("H0" or "H1"),
    ``density`` and ``region``: for H0 "alpha" in the rejection region, for H1
    "power" in the rejection region and "beta" outside it.
    """
    n_points = check_integer("n_points", n_points, 10, 100_000)
    d = distributions
    low = min(-4.0 * d.sd_null, d.difference - 4.0 * d.sd_alternative)
    high = max(4.0 * d.sd_null, d.difference + 4.0 * d.sd_alternative)
    # Add the critical values themselves so each shaded region ends exactly on its rule.
    grid = np.union1d(np.linspace(low, high, n_points), np.array(d.critical_values))

    if len(d.critical_values) == 2:
        rejected = (grid <= d.critical_values[0]) | (grid >= d.critical_values[1])
    else:
        rejected = grid >= d.critical_values[0]
    null = pd.DataFrame({
        "difference": grid,
        "hypothesis": "H0",
        "density": stats.norm.pdf(grid, 0.0, d.sd_null),
        "region": np.where(rejected, "alpha", "none"),
    })
    alternative = pd.DataFrame({
        "difference": grid,
        "hypothesis": "H1",
        "density": stats.norm.pdf(grid, d.difference, d.sd_alternative),
        "region": np.where(rejected, "power", "beta"),
    })
    return pd.concat([null, alternative], ignore_index=True)
