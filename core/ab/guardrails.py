"""Non-inferiority check of a guardrail metric against its margin."""

from __future__ import annotations

from dataclasses import dataclass

from core.ab.analysis import ProportionTest
from core.validation import check_number


@dataclass(frozen=True)
class GuardrailCheck:
    """Result of one guardrail check; ``flagged`` means harm beyond the margin is not ruled out."""

    margin: float
    higher_is_better: bool
    flagged: bool
    message: str


def check_guardrail(
    comparison: ProportionTest, margin: float, higher_is_better: bool = True
) -> GuardrailCheck:
    """Check that a treatment does not harm a guardrail metric by more than a margin.

    The guardrail passes when the whole ``1 - alpha`` interval of the absolute
    lift lies on the safe side of the margin. That side is above ``-margin``
    when higher values are better, and below ``+margin`` when lower values are
    better (for example an error or refund rate). An interval that crosses the margin is
    flagged, because the data cannot rule out harm larger than the margin.

    Parameters
    ----------
    comparison : ProportionTest
        The treatment-versus-control test of the guardrail metric.
    margin : float
        Non-inferiority margin as an absolute rate difference, >= 0 (0.005 is
        0.5 percentage points).
    higher_is_better : bool
        Direction in which the metric improves.

    Returns
    -------
    GuardrailCheck

    Raises
    ------
    ValueError
        If the margin is negative or not finite.
    """
    margin = check_number("margin", margin, 0.0, 1.0)
    low, high = comparison.absolute_ci
    points = f"{margin * 100:g} percentage points"
    interval = f"[{low * 100:+.3g}, {high * 100:+.3g}] percentage points"
    if higher_is_better:
        flagged = low < -margin
        harm = f"a drop larger than {points}"
    else:
        flagged = high > margin
        harm = f"a rise larger than {points}"

    if flagged:
        message = f"Flagged: the interval {interval} includes {harm}."
    else:
        message = f"Passes: the interval {interval} rules out {harm}."
    return GuardrailCheck(
        margin=margin, higher_is_better=higher_is_better, flagged=flagged, message=message
    )
