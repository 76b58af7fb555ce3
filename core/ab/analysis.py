"""Frequentist comparison of two conversion rates: z-test, lifts and their intervals."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from core.validation import check_integer, check_number

# NOTE: a guessed bound, far below float64's exact-integer limit of 2**53. No
# real experiment has more users, so larger counts are treated as typing mistakes.
MAX_USERS = 10**12


@dataclass(frozen=True)
class ProportionTest:
    """Result of comparing a treatment's conversion rate with the control's.

    Rates and absolute lifts are fractions (0.012 is 1.2 percentage points).
    Relative lifts are fractions of the control rate (0.05 is +5 %). Relative
    values are NaN when the control rate is 0, because the ratio is undefined.
    """

    control_rate: float
    treatment_rate: float
    absolute_lift: float
    absolute_ci: tuple[float, float]
    relative_lift: float
    relative_ci: tuple[float, float]
    z: float
    p_value: float
    alpha: float

    @property
    def significant(self) -> bool:
        """Whether the two-sided p-value is below alpha."""
        return self.p_value < self.alpha

    @property
    def decision(self) -> str:
        """One plain sentence that states what the test shows at level alpha."""
        confidence = f"{1 - self.alpha:.0%}"
        if not self.significant:
            return (
                f"No significant difference at alpha = {self.alpha:g}: the {confidence} "
                "interval for the lift includes effects of either sign, so keep collecting "
                "data or accept that any effect is small."
            )
        if self.absolute_lift > 0:
            return (
                f"Significant improvement at alpha = {self.alpha:g}: the treatment converts "
                "better than the control."
            )
        return (
            f"Significant drop at alpha = {self.alpha:g}: the treatment converts worse "
            "than the control, so do not ship it."
        )


def check_counts(name: str, users: object, conversions: object) -> tuple[int, int]:
    """Check that one arm's counts are whole numbers with conversions <= users.

    Parameters
    ----------
    name : str
        Arm name used in the error message.
    users, conversions : int
        Counts of users and of users who converted; 0 users is allowed here
        because the sample ratio check reports it, but :func:`compare_proportions`
        rejects it.

    Returns
    -------
    tuple of int
        ``(users, conversions)``.

    Raises
    ------
    ValueError
        If a count is negative, not a whole number, above ``MAX_USERS``, or if
        conversions exceed users.
    """
    users = check_integer(f"users of {name!r}", users, 0, MAX_USERS)
    conversions = check_integer(f"conversions of {name!r}", conversions, 0, MAX_USERS)
    if conversions > users:
        raise ValueError(
            f"conversions of {name!r}={conversions} exceed users={users}: "
            "a user converts at most once, so conversions must be at most users"
        )
    return users, conversions


def compare_proportions(
    control_users: int,
    control_conversions: int,
    treatment_users: int,
    treatment_conversions: int,
    alpha: float = 0.05,
) -> ProportionTest:
    """Compare two conversion rates with the two-proportion z-test.

    The test statistic uses the pooled rate under H0,
    ``z = (p_t - p_c) / sqrt(p (1 - p) (1/n_c + 1/n_t))``, and the p-value is
    two-sided. ``z**2`` equals the Pearson chi-square statistic of the 2x2 table
    without continuity correction (``scipy.stats.chi2_contingency(...,
    correction=False)``), so both tests give the same p-value.

    The interval for the absolute lift ``p_t - p_c`` is the Wald interval with
    the unpooled variance ``p_c (1 - p_c)/n_c + p_t (1 - p_t)/n_t``. The interval
    for the relative lift ``p_t/p_c - 1`` uses the delta method, with variance
    ``var_t/p_c**2 + p_t**2 var_c/p_c**4``.

    Parameters
    ----------
    control_users, control_conversions : int
        Users in the control arm (at least 1) and how many of them converted.
    treatment_users, treatment_conversions : int
        The same counts for the treatment arm.
    alpha : float
        Two-sided significance level, in (0, 1). Intervals have level ``1 - alpha``.

    Returns
    -------
    ProportionTest

    Raises
    ------
    ValueError
        If an arm has no users, a count is invalid, or alpha is out of range.

    Notes
    -----
    When both arms have a rate of 0, or both a rate of 1, the table has no
    variation. The function then returns ``z = 0`` and ``p_value = 1``, which is
    also what Fisher's exact test returns for such a table.
    """
    control_users, control_conversions = check_counts("control", control_users, control_conversions)
    treatment_users, treatment_conversions = check_counts(
        "treatment", treatment_users, treatment_conversions
    )
    alpha = check_number("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    for name, users in (("control", control_users), ("treatment", treatment_users)):
        if users == 0:
            raise ValueError(
                f"users of {name!r}=0: a conversion rate needs at least 1 user in the arm"
            )

    rate_c = control_conversions / control_users
    rate_t = treatment_conversions / treatment_users
    difference = rate_t - rate_c

    pooled = (control_conversions + treatment_conversions) / (control_users + treatment_users)
    pooled_variance = pooled * (1.0 - pooled) * (1.0 / control_users + 1.0 / treatment_users)
    if pooled_variance > 0.0:
        z = difference / math.sqrt(pooled_variance)
        p_value = float(2.0 * stats.norm.sf(abs(z)))
    else:
        z, p_value = 0.0, 1.0

    # NOTE: the decision uses the pooled z-test and the interval the unpooled
    # variance, so near alpha the p-value and the interval can disagree on 0.
    z_critical = float(stats.norm.isf(alpha / 2.0))
    variance_c = rate_c * (1.0 - rate_c) / control_users
    variance_t = rate_t * (1.0 - rate_t) / treatment_users
    half_width = z_critical * math.sqrt(variance_c + variance_t)
    absolute_ci = (difference - half_width, difference + half_width)

    if rate_c > 0.0:
        relative = rate_t / rate_c - 1.0
        relative_variance = variance_t / rate_c**2 + rate_t**2 * variance_c / rate_c**4
        relative_half_width = z_critical * math.sqrt(relative_variance)
        relative_ci = (relative - relative_half_width, relative + relative_half_width)
    else:
        relative = math.nan
        relative_ci = (math.nan, math.nan)

    return ProportionTest(
        control_rate=rate_c,
        treatment_rate=rate_t,
        absolute_lift=difference,
        absolute_ci=absolute_ci,
        relative_lift=relative,
        relative_ci=relative_ci,
        z=float(z),
        p_value=p_value,
        alpha=alpha,
    )
