"""Design choices that change the required sample size: clusters and CUPED."""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.ab.analysis import MAX_USERS
from core.validation import check_integer, check_number


def design_effect(mean_cluster_size: float, icc: float) -> float:
    """Compute the design effect of cluster randomization, ``1 + (m - 1) ICC``.

    When whole clusters (teams, cities, friend groups) are randomized, users in
    a cluster are correlated, so each user carries less information. The
    required number of users grows by this factor. For ``m = 30`` and
    ``ICC = 0.05`` it is 2.45.

    Parameters
    ----------
    mean_cluster_size : float
        Average number of users per cluster, ``m >= 1``.
    icc : float
        Intra-cluster correlation of the metric, in [0, 1].

    Returns
    -------
    float
        The variance inflation factor, >= 1.
    """
    m = check_number("mean_cluster_size", mean_cluster_size, 1.0)
    icc = check_number("icc", icc, 0.0, 1.0)
    return 1.0 + (m - 1.0) * icc


def cuped_variance_factor(correlation: float) -> float:
    """Compute the CUPED variance factor ``1 - rho**2``.

    CUPED (Deng, Xu, Kohavi & Walker, WSDM 2013) subtracts ``theta (X - E[X])``
    from the metric, with ``X`` the same user's pre-experiment value. With the
    optimal ``theta`` the variance, and so the required n, shrinks by
    ``1 - rho**2``, where ``rho`` is the correlation between the metric and ``X``.

    Parameters
    ----------
    correlation : float
        ``rho``, in (-1, 1); ``|rho| = 1`` would mean zero variance.

    Returns
    -------
    float
        The factor, in (0, 1].
    """
    rho = check_number("correlation", correlation, -1.0, 1.0, low_inclusive=False, high_inclusive=False)
    return 1.0 - rho**2


DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class ScaledSize:
    """Sample size and duration after applying a variance factor."""

    factor: float
    n_per_variant: int
    total_users: int
    days_exact: int
    days_full_weeks: int


def scale_sample_size(
    n_per_variant: int, factor: float, n_variants: int, daily_traffic_per_variant: float
) -> ScaledSize:
    """Scale a required n per variant by a variance factor and recompute the days to run.

    The required n is proportional to the variance of the metric, so
    ``n' = ceil(n * factor)`` (after rounding the product to 9 decimals, so
    that 100 * 2.45 gives 245 and not 246 from float error). The days follow
    the sizing page: ``ceil(n' / daily_traffic_per_variant)``, and that number
    rounded up to whole weeks.

    Parameters
    ----------
    n_per_variant : int
        Required users per variant without the design choice, >= 1.
    factor : float
        Variance factor, > 0: a design effect (>= 1) or a CUPED factor (<= 1).
    n_variants : int
        Number of variants including the control, >= 2.
    daily_traffic_per_variant : float
        Users entering each variant per day, > 0.

    Returns
    -------
    ScaledSize
    """
    n_per_variant = check_integer("n_per_variant", n_per_variant, 1, MAX_USERS)
    factor = check_number("factor", factor, 0.0, low_inclusive=False)
    n_variants = check_integer("n_variants", n_variants, 2)
    traffic = check_number(
        "daily_traffic_per_variant", daily_traffic_per_variant, 0.0, low_inclusive=False
    )

    scaled = n_per_variant * factor
    if scaled > MAX_USERS:
        raise ValueError(
            f"factor={factor:g} scales n_per_variant={n_per_variant} to {scaled:.3g} users, "
            f"above the maximum of {MAX_USERS:.0e}"
        )
    scaled = max(1, math.ceil(round(scaled, 9)))
    days = scaled / traffic
    if not math.isfinite(days):
        raise ValueError(
            f"daily_traffic_per_variant={traffic:g} is too low: {scaled} users per variant "
            "would take longer than any experiment can run"
        )
    days_exact = math.ceil(round(days, 9))
    days_full_weeks = math.ceil(days_exact / DAYS_PER_WEEK) * DAYS_PER_WEEK
    return ScaledSize(
        factor=factor,
        n_per_variant=scaled,
        total_users=scaled * n_variants,
        days_exact=days_exact,
        days_full_weeks=days_full_weeks,
    )
