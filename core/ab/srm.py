"""Sample ratio mismatch: do the users per arm match the planned split?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats

from core.ab.analysis import MAX_USERS
from core.validation import check_integer, check_number

# A p-value below this threshold is the usual sign of a broken assignment. It is
# strict because the check runs on every experiment, so false alarms add up.
SRM_P_THRESHOLD = 0.001

SRM_CAUSES = (
    "Common causes: a bug in the assignment or bucketing code, users dropped "
    "by a redirect or a slower page in one arm, bots or crawlers filtered "
    "differently per arm, an arm started or stopped at a different time, or "
    "events lost by logging in one arm only."
)


@dataclass(frozen=True)
class SampleRatioCheck:
    """Result of the chi-square goodness-of-fit test of users per arm."""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi_square: float
    p_value: float
    threshold: float
    empty_arms: tuple[int, ...]

    @property
    def mismatch(self) -> bool:
        """Whether the split is a mismatch: p below the threshold, or an arm with 0 users."""
        return self.p_value < self.threshold or bool(self.empty_arms)


def check_sample_ratio(
    users: Sequence[int],
    planned_split: Sequence[float] | None = None,
    threshold: float = SRM_P_THRESHOLD,
) -> SampleRatioCheck:
    """Test the users per arm against the planned split with a chi-square goodness of fit.

    The statistic is ``sum((observed - expected)**2 / expected)`` with
    ``k - 1`` degrees of freedom (``scipy.stats.chisquare``), where ``expected``
    is the total number of users times each arm's planned share.

    Parameters
    ----------
    users : sequence of int
        Users per arm, control first; at least 2 arms, each count >= 0, total > 0.
    planned_split : sequence of float, optional
        Planned relative weights per arm, each > 0 (for example ``(50, 50)`` or
        ``(0.2, 0.4, 0.4)``); they are normalised to sum to 1. Default: equal.
    threshold : float
        p-value below which the split is a mismatch, in (0, 1).

    Returns
    -------
    SampleRatioCheck
        An arm with 0 users is always a mismatch, whatever the p-value, and is
        listed in ``empty_arms`` by index.

    Raises
    ------
    ValueError
        If there are fewer than 2 arms, a count or weight is invalid, the
        lengths differ, or no arm has users.
    """
    if len(users) < 2:
        raise ValueError(f"users must list at least 2 arms, got {len(users)}")
    observed = tuple(check_integer(f"users[{i}]", value, 0, MAX_USERS) for i, value in enumerate(users))
    total = sum(observed)
    if total == 0:
        raise ValueError("users are 0 in every arm: the sample ratio needs at least 1 user")
    threshold = check_number("threshold", threshold, 0.0, 1.0, low_inclusive=False, high_inclusive=False)

    if planned_split is None:
        weights = [1.0] * len(observed)
    else:
        if len(planned_split) != len(observed):
            raise ValueError(
                f"planned_split has {len(planned_split)} weights but there are "
                f"{len(observed)} arms: give one weight per arm"
            )
        weights = [
            check_number(f"planned_split[{i}]", value, 0.0, low_inclusive=False)
            for i, value in enumerate(planned_split)
        ]
    # Dividing by the largest weight first keeps the sum finite for weights near 1e308.
    largest = max(weights)
    shares = [weight / largest for weight in weights]
    share_sum = sum(shares)
    expected = tuple(total * share / share_sum for share in shares)

    result = stats.chisquare(observed, expected)
    return SampleRatioCheck(
        observed=observed,
        expected=expected,
        chi_square=float(result.statistic),
        p_value=float(result.pvalue),
        threshold=threshold,
        empty_arms=tuple(i for i, value in enumerate(observed) if value == 0),
    )


def parse_planned_split(text: str, n_arms: int) -> tuple[float, ...] | None:
    """Parse a planned split such as ``"50/50"`` or ``"20, 40, 40"``.

    Parameters
    ----------
    text : str
        Weights separated by ``/``, ``,``, ``:`` or spaces, one per arm in
        variant order; an empty text means an equal split.
    n_arms : int
        Number of arms the split must cover.

    Returns
    -------
    tuple of float or None
        The weights, or None for an equal split.

    Raises
    ------
    ValueError
        If a weight is not a positive number or the count differs from ``n_arms``.
    """
    parts = [part for part in re.split(r"[/,:\s]+", text.strip()) if part]
    if not parts:
        return None
    weights = []
    for part in parts:
        try:
            weight = float(part.rstrip("%"))
        except ValueError:
            shown = part if len(part) <= 20 else part[:20] + "..."
            raise ValueError(f"planned split value {shown!r} is not a number") from None
        weights.append(check_number("planned split weight", weight, 0.0, low_inclusive=False))
    if len(weights) != n_arms:
        raise ValueError(
            f"planned split has {len(weights)} weights but there are {n_arms} variants: "
            "give one weight per variant, such as 50/50"
        )
    return tuple(weights)
