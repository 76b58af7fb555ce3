"""Altair charts for the fraud design steps page.

Each function takes results from ``core.fraud.step_artifacts`` and returns a chart, so
tests build charts without a browser. Rates are shown in percent.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.fraud.evaluation import CostOptimum

CURRENT_COLOR = "#e4572e"
OPTIMUM_COLOR = "#2a9d8f"
PERIOD_ORDER = ["training", "early stopping", "gap", "test"]
PERIOD_COLORS = ["#29335c", "#5c6bc0", "#f3a712", "#e4572e"]
LABEL_STATUS_ORDER = ["labelled", "pending", "test"]
LABEL_STATUS_COLORS = ["#29335c", "#f3a712", "#bdbdbd"]


def class_balance_chart(daily: pd.DataFrame) -> alt.Chart:
    """Chart frauds per day, coloured by the period of the time-ordered split."""
    data = daily.assign(fraud_rate_percent=daily["fraud_rate"] * 100.0)
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("day:O", title="Day of the stream"),
            y=alt.Y("frauds:Q", title="Frauds per day (transactions)"),
            color=alt.Color(
                "period:N",
                title="Period",
                scale=alt.Scale(domain=PERIOD_ORDER, range=PERIOD_COLORS),
            ),
            tooltip=[
                alt.Tooltip("day:O", title="Day"),
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("transactions:Q", title="Transactions", format=","),
                alt.Tooltip("frauds:Q", title="Frauds", format=","),
                alt.Tooltip("fraud_rate_percent:Q", title="Fraud rate (%)", format=".3f"),
            ],
        )
        .properties(title="Class balance — frauds per day and the time-ordered split", height=260)
    )


def label_timeline_chart(daily: pd.DataFrame, training_day: int) -> alt.LayerChart:
    """Chart each day's transactions as a bar from the day to the arrival of its labels.

    A vertical rule marks ``training_day``, when the model is trained: bars that end
    after it are days whose labels are still pending.
    """
    data = daily.assign(label_end=daily["label_day"])
    y = alt.Y("day:O", title="Transaction day", sort="descending")
    bars = (
        alt.Chart(data)
        .mark_bar(height=7)
        .encode(
            x=alt.X("day:Q", title="Day (labels arrive at the right end of each bar)"),
            x2="label_end:Q",
            y=y,
            color=alt.Color(
                "label_status:N",
                title="Labels at training time",
                scale=alt.Scale(domain=LABEL_STATUS_ORDER, range=LABEL_STATUS_COLORS),
            ),
            tooltip=[
                alt.Tooltip("day:O", title="Transaction day"),
                alt.Tooltip("label_day:Q", title="All labels known by day"),
                alt.Tooltip("label_status:N", title="Status on the training day"),
                alt.Tooltip("frauds:Q", title="Frauds", format=","),
                alt.Tooltip("frauds_labelled_at_training:Q", title="Frauds known at training", format=","),
            ],
        )
    )
    marker = pd.DataFrame({"day": [training_day], "label": [f"Model trained (day {training_day})"]})
    rule = alt.Chart(marker).mark_rule(color=CURRENT_COLOR, strokeDash=[6, 3], size=2).encode(
        x="day:Q", tooltip=[alt.Tooltip("label:N", title="Marker")]
    )
    return (bars + rule).properties(title="Label-delay timeline — what is known on the training day", height=320)


def precision_recall_chart(curve: pd.DataFrame, threshold: float) -> alt.LayerChart:
    """Chart precision and recall (percent) against the threshold, marking ``threshold``."""
    long = curve.melt(id_vars=["threshold", "alerts_per_day"], value_vars=["precision", "recall"],
                      var_name="metric", value_name="value").dropna(subset=["value"])
    long = long.assign(percent=long["value"] * 100.0)
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("threshold:Q", title="Fraud score threshold", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("percent:Q", title="Percent of alerts (precision) or of frauds (recall)",
                    scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("metric:N", title="Metric"),
            tooltip=[
                alt.Tooltip("threshold:Q", title="Threshold", format=".3f"),
                alt.Tooltip("metric:N", title="Metric"),
                alt.Tooltip("percent:Q", title="Value (%)", format=".1f"),
                alt.Tooltip("alerts_per_day:Q", title="Alerts per day", format=",.1f"),
            ],
        )
    )
    return (lines + _threshold_rule(threshold)).properties(
        title="Precision and recall vs threshold", height=300
    )


def cost_curve_chart(curve: pd.DataFrame, optimum: CostOptimum, threshold: float) -> alt.LayerChart:
    """Chart the expected daily cost against the threshold, marking the optimum.

    The y axis stops at 1.5 times the cost of raising no alerts (the cost at the
    highest threshold), because at thresholds near 0 every transaction is an alert and
    that cost would flatten the rest of the curve.
    """
    no_alert_cost = float(curve["cost_per_day"].iloc[-1])
    upper = max(1.5 * no_alert_cost, 2.0 * optimum.cost_per_day, 1e-9)
    line = (
        alt.Chart(curve)
        .mark_line(clip=True)
        .encode(
            x=alt.X("threshold:Q", title="Fraud score threshold", scale=alt.Scale(domain=[0, 1])),
            y=alt.Y(
                "cost_per_day:Q",
                title="Expected cost per day (missed-fraud units)",
                scale=alt.Scale(domain=[0, upper]),
            ),
            tooltip=[
                alt.Tooltip("threshold:Q", title="Threshold", format=".3f"),
                alt.Tooltip("cost_per_day:Q", title="Cost per day (missed-fraud units)", format=",.2f"),
                alt.Tooltip("alerts_per_day:Q", title="Alerts per day", format=",.1f"),
            ],
        )
    )
    best = pd.DataFrame(
        {
            "threshold": [min(optimum.threshold, 1.0)],
            "cost_per_day": [optimum.cost_per_day],
            "label": [f"Minimum at {optimum.threshold:.3f}"],
        }
    )
    point = alt.Chart(best).mark_point(size=160, filled=True, color=OPTIMUM_COLOR).encode(
        x="threshold:Q",
        y="cost_per_day:Q",
        tooltip=[
            alt.Tooltip("label:N", title="Optimum"),
            alt.Tooltip("cost_per_day:Q", title="Cost per day (missed-fraud units)", format=",.2f"),
        ],
    )
    text = alt.Chart(best).mark_text(align="left", dx=8, dy=-8, color=OPTIMUM_COLOR).encode(
        x="threshold:Q", y="cost_per_day:Q", text="label:N"
    )
    return (line + point + text + _threshold_rule(threshold)).properties(
        title="Expected cost vs threshold", height=300
    )


def _threshold_rule(threshold: float) -> alt.Chart:
    marker = pd.DataFrame({"threshold": [threshold], "label": [f"Chosen threshold {threshold:.2f}"]})
    return alt.Chart(marker).mark_rule(color=CURRENT_COLOR, strokeDash=[6, 3]).encode(
        x="threshold:Q", tooltip=[alt.Tooltip("label:N", title="Marker")]
    )


def feature_importance_chart(importance: pd.DataFrame) -> alt.LayerChart:
    """Chart permutation importance (drop in AUC-PR) per feature with ± one std."""
    data = importance.assign(low=importance["importance"] - importance["std"],
                             high=importance["importance"] + importance["std"])
    y = alt.Y("feature:N", title="Feature", sort="-x")
    tooltip = [
        alt.Tooltip("feature:N", title="Feature"),
        alt.Tooltip("importance:Q", title="Mean drop in AUC-PR", format=".4f"),
        alt.Tooltip("std:Q", title="Std over repeats", format=".4f"),
    ]
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("importance:Q", title="Drop in AUC-PR when the feature is shuffled"), y=y, tooltip=tooltip
    )
    errors = alt.Chart(data).mark_rule(color="#333333").encode(x="low:Q", x2="high:Q", y=y, tooltip=tooltip)
    return (bars + errors).properties(title="Feature importance (GBM model)", height=220)


def latency_budget_chart(budget: pd.DataFrame, sla_ms: float) -> alt.LayerChart:
    """Chart the latency budget as one stacked bar against the SLA."""
    data = budget.assign(row="decision path", order=range(len(budget)))
    bars = (
        alt.Chart(data)
        .mark_bar(height=40)
        .encode(
            x=alt.X("milliseconds:Q", title="Milliseconds", stack="zero",
                    scale=alt.Scale(domain=[0, max(sla_ms, float(budget["milliseconds"].sum())) * 1.05])),
            y=alt.Y("row:N", title=None),
            color=alt.Color(
                "component:N",
                title="Component",
                sort=list(budget["component"]),
                legend=alt.Legend(orient="bottom", columns=3),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("component:N", title="Component"),
                alt.Tooltip("milliseconds:Q", title="Milliseconds", format=".2f"),
                alt.Tooltip("source:N", title="Source"),
            ],
        )
    )
    marker = pd.DataFrame({"milliseconds": [sla_ms], "label": [f"SLA {sla_ms:g} ms"]})
    rule = alt.Chart(marker).mark_rule(color=CURRENT_COLOR, size=3).encode(
        x="milliseconds:Q", tooltip=[alt.Tooltip("label:N", title="Marker")]
    )
    text = alt.Chart(marker).mark_text(align="left", dx=6, color=CURRENT_COLOR).encode(
        x="milliseconds:Q", y=alt.value(10), text="label:N"
    )
    return (bars + rule + text).properties(title="Latency budget of one decision (p99)", height=200)


def latency_histogram_chart(latencies_ms: pd.Series | list[float]) -> alt.Chart:
    """Chart the distribution of measured single-transaction scoring latencies."""
    data = pd.DataFrame({"milliseconds": list(latencies_ms)})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("milliseconds:Q", bin=alt.Bin(maxbins=40), title="Scoring latency (ms)"),
            y=alt.Y("count():Q", title="Calls"),
            tooltip=[
                alt.Tooltip("milliseconds:Q", bin=alt.Bin(maxbins=40), title="Latency (ms)"),
                alt.Tooltip("count():Q", title="Calls"),
            ],
        )
        .properties(title="Measured scoring latency per call", height=220)
    )


def drift_recall_chart(daily: pd.DataFrame, drift_start_day: int) -> alt.LayerChart:
    """Chart daily recall with and without drift, marking the drift start."""
    data = daily.assign(recall_percent=daily["recall"] * 100.0)
    lines = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:Q", title="Day of the stream", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("recall_percent:Q", title="Recall (% of frauds caught)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color("scenario:N", title="Scenario", sort=["no drift", "drift"]),
            tooltip=[
                alt.Tooltip("day:Q", title="Day"),
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("recall_percent:Q", title="Recall (%)", format=".1f"),
                alt.Tooltip("caught:Q", title="Frauds caught"),
                alt.Tooltip("frauds:Q", title="Frauds"),
                alt.Tooltip("label_day:Q", title="Labels known on day"),
            ],
        )
    )
    marker = pd.DataFrame({"day": [drift_start_day], "label": [f"Drift starts (day {drift_start_day})"]})
    rule = alt.Chart(marker).mark_rule(color=CURRENT_COLOR, strokeDash=[6, 3]).encode(
        x="day:Q", tooltip=[alt.Tooltip("label:N", title="Marker")]
    )
    return (lines + rule).properties(title="Daily recall of the unchanged model, with and without drift", height=300)
