"""Full analysis of a finished experiment: every metric and treatment against the control."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from core.ab.analysis import ProportionTest, compare_proportions
from core.ab.bayesian import BayesianComparison, compare_posteriors
from core.ab.guardrails import GuardrailCheck, check_guardrail
from core.ab.multiple_testing import METHOD_LABELS, METHODS, adjust_p_values
from core.ab.results import ExperimentCounts
from core.ab.srm import SampleRatioCheck, check_sample_ratio
from core.validation import check_number


_COMPARISON_COLUMNS = [
    "metric", "role", "variant", "control rate", "treatment rate", "absolute lift",
    "absolute CI low", "absolute CI high", "relative lift", "relative CI low",
    "relative CI high", "z", "p-value", "P(beats control)", "expected loss", "decision",
    "guardrail",
]


@dataclass(frozen=True)
class GuardrailSpec:
    """A guardrail metric with its non-inferiority margin (absolute rate difference)."""

    margin: float
    higher_is_better: bool = True


@dataclass(frozen=True)
class MetricComparison:
    """One treatment against the control on one metric.

    When an arm has no users, no rate exists for it, so ``test`` and
    ``bayesian`` are None and ``error`` explains why.
    """

    metric: str
    role: str
    variant: str
    test: ProportionTest | None
    bayesian: BayesianComparison | None
    guardrail: GuardrailCheck | None
    error: str | None


@dataclass(frozen=True)
class ExperimentReport:
    """Sample ratio check, per-metric comparisons and the multiple-testing table."""

    counts: ExperimentCounts
    alpha: float
    primary_metric: str
    sample_ratio: SampleRatioCheck
    comparisons: tuple[MetricComparison, ...]

    def comparisons_frame(self) -> pd.DataFrame:
        """Return one row per metric and treatment, with rates, lifts, p-value and decision."""
        rows = []
        for item in self.comparisons:
            row: dict[str, object] = {
                "metric": item.metric,
                "role": item.role,
                "variant": item.variant,
            }
            if item.test is None or item.bayesian is None:
                row["decision"] = item.error
                rows.append(row)
                continue
            test = item.test
            row |= {
                "control rate": test.control_rate,
                "treatment rate": test.treatment_rate,
                "absolute lift": test.absolute_lift,
                "absolute CI low": test.absolute_ci[0],
                "absolute CI high": test.absolute_ci[1],
                "relative lift": test.relative_lift,
                "relative CI low": test.relative_ci[0],
                "relative CI high": test.relative_ci[1],
                "z": test.z,
                "p-value": test.p_value,
                "P(beats control)": item.bayesian.probability_to_beat_control,
                "expected loss": item.bayesian.expected_loss_treatment,
                "decision": test.decision,
            }
            if item.guardrail is not None:
                row["guardrail"] = item.guardrail.message
            rows.append(row)
        return pd.DataFrame(rows, columns=_COMPARISON_COLUMNS)

    def adjusted_frame(self) -> pd.DataFrame:
        """Return raw and adjusted p-values of every tested metric and treatment.

        Columns ``<method>`` hold the adjusted p-values and ``<method> survives``
        whether the result stays significant (adjusted p <= alpha). Comparisons
        without a test (an arm with no users) are not in the family.
        """
        tested = [item for item in self.comparisons if item.test is not None]
        frame = pd.DataFrame(
            {
                "metric": [item.metric for item in tested],
                "variant": [item.variant for item in tested],
                "raw p-value": [item.test.p_value for item in tested],
            }
        )
        if not tested:
            return frame
        for method in METHODS:
            label = METHOD_LABELS[method]
            adjusted = adjust_p_values(frame["raw p-value"].tolist(), method)
            frame[label] = adjusted
            frame[f"{label} survives"] = adjusted <= self.alpha
        return frame


def analyze_experiment(
    counts: ExperimentCounts,
    alpha: float = 0.05,
    primary_metric: str = "conversions",
    guardrails: Mapping[str, GuardrailSpec] | None = None,
    planned_split: Sequence[float] | None = None,
) -> ExperimentReport:
    """Analyze every metric of every treatment against the control.

    Each pair gets the two-proportion z-test with intervals
    (:func:`core.ab.analysis.compare_proportions`), the Beta-Binomial posterior
    comparison (:func:`core.ab.bayesian.compare_posteriors`) and, for guardrail
    metrics, the non-inferiority check. The users per arm get the sample ratio
    mismatch test against ``planned_split`` (default equal).

    Parameters
    ----------
    counts : ExperimentCounts
        Checked counts, the control first.
    alpha : float
        Two-sided significance level, in (0, 1).
    primary_metric : str
        The metric that decides the test; must be one of ``counts.metrics``.
    guardrails : mapping of str to GuardrailSpec, optional
        Guardrail metrics and their margins; must not include the primary metric.
    planned_split : sequence of float, optional
        Planned relative weights per variant for the sample ratio test.

    Returns
    -------
    ExperimentReport

    Raises
    ------
    ValueError
        If alpha, a metric name or a margin is invalid.
    """
    alpha = check_number("alpha", alpha, 0.0, 1.0, low_inclusive=False, high_inclusive=False)
    guardrails = dict(guardrails or {})
    known = ", ".join(counts.metrics)
    if primary_metric not in counts.conversions:
        raise ValueError(f"primary_metric={primary_metric!r} is unknown: expected one of {known}")
    for metric in guardrails:
        if metric not in counts.conversions:
            raise ValueError(f"guardrail metric {metric!r} is unknown: expected one of {known}")
        if metric == primary_metric:
            raise ValueError(
                f"metric {metric!r} is the primary metric, so it cannot also be a guardrail"
            )

    sample_ratio = check_sample_ratio(counts.users, planned_split)

    ordered_metrics = [primary_metric] + [m for m in counts.metrics if m != primary_metric]
    comparisons = []
    for metric in ordered_metrics:
        if metric == primary_metric:
            role = "primary"
        elif metric in guardrails:
            role = "guardrail"
        else:
            role = "secondary"
        conversions = counts.conversions[metric]
        for index in range(1, len(counts.variants)):
            comparisons.append(
                _compare_arm(counts, metric, role, index, conversions, alpha, guardrails.get(metric))
            )

    return ExperimentReport(
        counts=counts,
        alpha=alpha,
        primary_metric=primary_metric,
        sample_ratio=sample_ratio,
        comparisons=tuple(comparisons),
    )


def _compare_arm(
    counts: ExperimentCounts,
    metric: str,
    role: str,
    index: int,
    conversions: tuple[int, ...],
    alpha: float,
    guardrail: GuardrailSpec | None,
) -> MetricComparison:
    variant = counts.variants[index]
    empty = [counts.variants[i] for i in (0, index) if counts.users[i] == 0]
    if empty:
        return MetricComparison(
            metric=metric,
            role=role,
            variant=variant,
            test=None,
            bayesian=None,
            guardrail=None,
            error=f"Not tested: {empty[0]!r} has 0 users, so it has no conversion rate.",
        )

    arguments = (counts.users[0], conversions[0], counts.users[index], conversions[index])
    test = compare_proportions(*arguments, alpha=alpha)
    guardrail_check = None
    if guardrail is not None:
        guardrail_check = check_guardrail(test, guardrail.margin, guardrail.higher_is_better)
    return MetricComparison(
        metric=metric,
        role=role,
        variant=variant,
        test=test,
        bayesian=compare_posteriors(*arguments),
        guardrail=guardrail_check,
        error=None,
    )
