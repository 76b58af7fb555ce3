"""Tests for the full analysis of an experiment and the guardrail check."""

import pytest

from core.ab.analysis import compare_proportions
from core.ab.guardrails import check_guardrail
from core.ab.report import GuardrailSpec, analyze_experiment
from core.ab.results import build_counts


def _counts():
    return build_counts(
        ["control", "B", "C"],
        [10_000, 10_050, 9_980],
        {"conversions": [1000, 1150, 1010], "refund": [100, 160, 98]},
    )


def test_report_rows_per_metric_and_treatment():
    report = analyze_experiment(_counts())
    frame = report.comparisons_frame()

    assert list(frame["metric"]) == ["conversions", "conversions", "refund", "refund"]
    assert list(frame["variant"]) == ["B", "C", "B", "C"]
    assert list(frame["role"]) == ["primary", "primary", "secondary", "secondary"]


def test_report_primary_metric_comes_first():
    report = analyze_experiment(_counts(), primary_metric="refund")

    assert report.comparisons_frame()["metric"].iloc[0] == "refund"


def test_report_matches_single_comparison():
    report = analyze_experiment(_counts(), alpha=0.01)
    single = compare_proportions(10_000, 1000, 10_050, 1150, alpha=0.01)

    assert report.comparisons[0].test == single


def test_adjusted_table_has_every_method():
    frame = analyze_experiment(_counts()).adjusted_frame()

    assert len(frame) == 4
    for label in ("Bonferroni", "Holm", "Benjamini-Hochberg"):
        assert (frame[label] >= frame["raw p-value"] - 1e-12).all()
        assert f"{label} survives" in frame


def test_guardrail_on_lower_is_better_metric_is_flagged():
    guardrails = {"refund": GuardrailSpec(margin=0.002, higher_is_better=False)}
    report = analyze_experiment(_counts(), guardrails=guardrails)
    refund_b = report.comparisons[2]

    assert refund_b.role == "guardrail"
    assert refund_b.guardrail.flagged


def test_guardrail_passes_when_interval_clears_margin():
    test = compare_proportions(100_000, 10_000, 100_000, 10_050)

    check = check_guardrail(test, margin=0.01, higher_is_better=True)

    assert not check.flagged
    assert check.message.startswith("Passes")


def test_guardrail_flags_interval_crossing_margin():
    test = compare_proportions(1000, 100, 1000, 95)

    check = check_guardrail(test, margin=0.01, higher_is_better=True)

    assert test.absolute_ci[0] < -0.01
    assert check.flagged


def test_report_keeps_zero_user_arm():
    counts = build_counts(["control", "B", "C"], [1000, 1000, 0], {"conversions": [100, 110, 0]})
    report = analyze_experiment(counts)

    assert report.sample_ratio.mismatch
    assert report.sample_ratio.empty_arms == (2,)
    assert report.comparisons[1].test is None
    assert "'C' has 0 users" in report.comparisons[1].error
    assert len(report.adjusted_frame()) == 1


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"primary_metric": "revenue"}, "primary_metric='revenue' is unknown"),
        ({"guardrails": {"revenue": GuardrailSpec(0.01)}}, "guardrail metric 'revenue' is unknown"),
        ({"guardrails": {"conversions": GuardrailSpec(0.01)}}, "cannot also be a guardrail"),
        ({"guardrails": {"refund": GuardrailSpec(-0.01)}}, "margin=-0.01 is out of range"),
        ({"alpha": 0.0}, "alpha=0 is out of range"),
    ],
)
def test_report_rejects_invalid_options(arguments, message):
    with pytest.raises(ValueError, match=message):
        analyze_experiment(_counts(), **arguments)


def test_frame_without_tests_keeps_columns():
    counts = build_counts(["control", "B"], [1000, 0], {"conversions": [100, 0]})
    frame = analyze_experiment(counts).comparisons_frame()

    assert "absolute lift" in frame.columns
    assert frame["absolute lift"].isna().all()
