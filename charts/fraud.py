"""Altair charts for the fraud pages.

Each function takes core results (DataFrames from ``core.fraud.evaluation``) and
returns a chart, so tests build charts without a browser. Scores and thresholds are
on [0, 1]. Rates are shown in percent and costs in dollars per day.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.fraud.evaluation import CostOptimum, ThresholdMetrics

CURRENT_COLOR = "#e4572e"
OPTIMUM_COLOR = "#2a9d8f"
BASELINE_COLOR = "#9e9e9e"
SERIES_COLORS = ["#29335c", "#f3a712", "#e4572e"]


def _threshold_rule(threshold: float, label: str, color: str) -> alt.Chart:
    data = pd.DataFrame({"threshold": [threshold], "label": [label]})
    return (
        alt.Chart(data)
        .mark_rule(color=color, strokeDash=[6, 3], strokeWidth=2)
        .encode(
            x="threshold:Q",
            tooltip=[
                alt.Tooltip("label:N", title="Marker"),
                alt.Tooltip("threshold:Q", title="Threshold", format=".4f"),
            ],
        )
    )


def cost_chart(sweep: pd.DataFrame, optimum: CostOptimum, threshold: float) -> alt.LayerChart:
    """Chart the expected daily cost against the threshold, split into FP and FN cost.

    The cost-minimising threshold and the chosen threshold are marked with rules. The
    y axis stops at 1.5 times the largest of three costs: with no alerts, at the chosen
    threshold and at the optimum. Flagging nearly everything costs orders of magnitude
    more, and a full axis would flatten the interesting part of the curve.
    """
    no_alert_cost = float(sweep["fn_cost_per_day"].max())
    chosen = sweep.iloc[(sweep["threshold"] - threshold).abs().argmin()]
    top = 1.5 * max(no_alert_cost, float(chosen["cost_per_day"]), optimum.cost_per_day, 1.0)
    long = sweep.melt(
        id_vars=["threshold"],
        value_vars=["cost_per_day", "fp_cost_per_day", "fn_cost_per_day"],
        var_name="series",
        value_name="dollars_per_day",
    )
    names = {
        "cost_per_day": "Total",
        "fp_cost_per_day": "False alarms (FP)",
        "fn_cost_per_day": "Missed fraud (FN)",
    }
    long["series"] = long["series"].map(names)
    lines = (
        alt.Chart(long)
        .mark_line(clip=True)
        .encode(
            x=alt.X("threshold:Q", title="Fraud score threshold", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(
                "dollars_per_day:Q",
                title="Expected cost ($ per day)",
                scale=alt.Scale(domain=[0, top], nice=False),
            ),
            color=alt.Color(
                "series:N",
                title=None,
                sort=list(names.values()),
                scale=alt.Scale(domain=list(names.values()), range=SERIES_COLORS),
                legend=alt.Legend(orient="top", labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("threshold:Q", title="Threshold", format=".3f"),
                alt.Tooltip("dollars_per_day:Q", title="$ per day", format=",.0f"),
            ],
        )
    )
    best = _threshold_rule(
        min(optimum.threshold, 1.0), f"Cost-minimising threshold (${optimum.cost_per_day:,.0f}/day)", OPTIMUM_COLOR
    )
    current = _threshold_rule(threshold, "Chosen threshold", CURRENT_COLOR)
    return (lines + best + current).properties(
        title="Expected daily cost vs threshold", height=320
    )


def precision_recall_threshold_chart(sweep: pd.DataFrame, threshold: float) -> alt.LayerChart:
    """Chart precision and recall (percent) against the threshold, marking the chosen one."""
    data = sweep.assign(
        precision_percent=sweep["precision"] * 100.0, recall_percent=sweep["recall"] * 100.0
    )
    long = data.melt(
        id_vars=["threshold"],
        value_vars=["precision_percent", "recall_percent"],
        var_name="metric",
        value_name="percent",
    ).dropna()
    long["metric"] = long["metric"].map(
        {"precision_percent": "Precision", "recall_percent": "Recall"}
    )
    lines = (
        alt.Chart(long)
        .mark_line(clip=True)
        .encode(
            x=alt.X("threshold:Q", title="Fraud score threshold", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("percent:Q", title="Percent", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "metric:N",
                title=None,
                scale=alt.Scale(domain=["Precision", "Recall"], range=SERIES_COLORS[:2]),
                legend=alt.Legend(orient="top", labelLimit=0),
            ),
            tooltip=[
                alt.Tooltip("metric:N", title="Metric"),
                alt.Tooltip("threshold:Q", title="Threshold", format=".3f"),
                alt.Tooltip("percent:Q", title="Percent", format=".1f"),
            ],
        )
    )
    current = _threshold_rule(threshold, "Chosen threshold", CURRENT_COLOR)
    return (lines + current).properties(title="Precision and recall vs threshold", height=320)


def _current_point(x: float | None, y: float | None, x_field: str, y_field: str) -> alt.Chart:
    data = pd.DataFrame({x_field: [x], y_field: [y], "label": ["Chosen threshold"]}).dropna()
    return (
        alt.Chart(data)
        .mark_point(size=160, filled=True, color=CURRENT_COLOR)
        .encode(
            x=f"{x_field}:Q",
            y=f"{y_field}:Q",
            tooltip=[
                alt.Tooltip("label:N", title="Marker"),
                alt.Tooltip(f"{x_field}:Q", format=".3f"),
                alt.Tooltip(f"{y_field}:Q", format=".3f"),
            ],
        )
    )


def pr_curve_chart(
    curve: pd.DataFrame, no_skill: float, metrics: ThresholdMetrics
) -> alt.LayerChart:
    """Chart the precision-recall curve with the no-skill line (precision = fraud rate)."""
    line = (
        alt.Chart(curve)
        .mark_line(interpolate="step-after", color=SERIES_COLORS[0])
        .encode(
            x=alt.X("recall:Q", title="Recall (share of frauds caught)", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("precision:Q", title="Precision (fraud share of alerts)", scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("threshold:Q", title="Threshold", format=".4f"),
                alt.Tooltip("recall:Q", title="Recall", format=".3f"),
                alt.Tooltip("precision:Q", title="Precision", format=".3f"),
            ],
        )
    )
    baseline = (
        alt.Chart(pd.DataFrame({"precision": [no_skill], "label": [f"No skill: {no_skill:.4%}"]}))
        .mark_rule(color=BASELINE_COLOR, strokeDash=[4, 4])
        .encode(y="precision:Q", tooltip=[alt.Tooltip("label:N", title="Baseline")])
    )
    point = _current_point(metrics.recall, metrics.precision, "recall", "precision")
    return (line + baseline + point).properties(title="Precision-recall curve", height=320)


def roc_curve_chart(curve: pd.DataFrame, metrics: ThresholdMetrics) -> alt.LayerChart:
    """Chart the ROC curve with the no-skill diagonal."""
    line = (
        alt.Chart(curve)
        .mark_line(color=SERIES_COLORS[0])
        .encode(
            x=alt.X(
                "false_positive_rate:Q",
                title="False-positive rate (share of legitimate flagged)",
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y(
                "true_positive_rate:Q",
                title="True-positive rate (recall)",
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("threshold:Q", title="Threshold", format=".4f"),
                alt.Tooltip("false_positive_rate:Q", title="False-positive rate", format=".4f"),
                alt.Tooltip("true_positive_rate:Q", title="True-positive rate", format=".3f"),
            ],
        )
    )
    diagonal = (
        alt.Chart(pd.DataFrame({"false_positive_rate": [0.0, 1.0], "true_positive_rate": [0.0, 1.0]}))
        .mark_line(color=BASELINE_COLOR, strokeDash=[4, 4])
        .encode(
            x="false_positive_rate:Q",
            y="true_positive_rate:Q",
            tooltip=[alt.Tooltip("false_positive_rate:Q", title="No skill (AUC 0.5)")],
        )
    )
    point = _current_point(
        metrics.false_positive_rate, metrics.recall, "false_positive_rate", "true_positive_rate"
    )
    return (line + diagonal + point).properties(title="ROC curve", height=320)


def _importance_bars(table: pd.DataFrame, title: str, x_title: str, color: str) -> alt.Chart:
    columns = ["feature", "importance"] + (["std"] if "std" in table.columns else [])
    tooltip = [
        alt.Tooltip("feature:N", title="Feature"),
        alt.Tooltip("importance:Q", title=x_title, format=".4f"),
    ]
    if "std" in table.columns:
        tooltip.append(alt.Tooltip("std:Q", title="Std over repeats", format=".4f"))
    return (
        alt.Chart(table.loc[:, columns])
        .mark_bar(color=color)
        .encode(
            x=alt.X("importance:Q", title=x_title),
            y=alt.Y("feature:N", title="Feature", sort="-x"),
            tooltip=tooltip,
        )
        .properties(title=title, height=220)
    )


def permutation_importance_chart(table: pd.DataFrame) -> alt.Chart:
    """Chart the GBM's permutation importance (drop in AUC-PR) on the test period."""
    return _importance_bars(
        table,
        "Feature importance (GBM model)",
        "Drop in AUC-PR when shuffled (test period)",
        SERIES_COLORS[0],
    )


def impurity_importance_chart(table: pd.DataFrame) -> alt.Chart:
    """Chart impurity importance (share of impurity decrease) from the baseline GBM."""
    return _importance_bars(
        table,
        "Impurity importance (GradientBoostingClassifier baseline)",
        "Share of impurity decrease (training data)",
        SERIES_COLORS[1],
    )


def calibration_chart(table: pd.DataFrame) -> alt.LayerChart:
    """Chart observed fraud rate against mean score per bin, both on log scales.

    Bins with no fraud cannot be drawn on a log scale and are left out. The tooltip of
    every drawn bin shows its count and binomial standard error.
    """
    data = table[(table["fraud_rate"] > 0) & (table["mean_score"] > 0)].assign(
        mean_score_percent=lambda frame: frame["mean_score"] * 100.0,
        fraud_rate_percent=lambda frame: frame["fraud_rate"] * 100.0,
        standard_error_percent=lambda frame: frame["standard_error"] * 100.0,
    )
    low = float(min(data["mean_score_percent"].min(), data["fraud_rate_percent"].min())) if len(data) else 1e-4
    high = float(max(data["mean_score_percent"].max(), data["fraud_rate_percent"].max())) if len(data) else 100.0
    scale = alt.Scale(type="log", domain=[max(low / 2, 1e-6), min(high * 2, 100.0)])
    diagonal = (
        alt.Chart(pd.DataFrame({"mean_score_percent": [low / 2, high * 2], "fraud_rate_percent": [low / 2, high * 2]}))
        .mark_line(color=BASELINE_COLOR, strokeDash=[4, 4], clip=True)
        .encode(
            x=alt.X("mean_score_percent:Q", scale=scale),
            y=alt.Y("fraud_rate_percent:Q", scale=scale),
            tooltip=[alt.Tooltip("mean_score_percent:Q", title="Perfect calibration (%)", format=".4f")],
        )
    )
    points = (
        alt.Chart(data)
        .mark_line(point=True, color=SERIES_COLORS[0])
        .encode(
            x=alt.X("mean_score_percent:Q", title="Mean fraud score in bin (%, log scale)", scale=scale),
            y=alt.Y("fraud_rate_percent:Q", title="Observed fraud rate (%, log scale)", scale=scale),
            tooltip=[
                alt.Tooltip("mean_score_percent:Q", title="Mean score (%)", format=".4f"),
                alt.Tooltip("fraud_rate_percent:Q", title="Observed fraud rate (%)", format=".4f"),
                alt.Tooltip("standard_error_percent:Q", title="Standard error (%)", format=".4f"),
                alt.Tooltip("count:Q", title="Transactions", format=","),
            ],
        )
    )
    return (diagonal + points).properties(title="Calibration (score vs observed fraud rate)", height=320)
