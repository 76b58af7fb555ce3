"""Altair charts for the live-scoring page.

Each function takes core results (DataFrames from ``core.fraud.online`` and
``core.fraud.monitoring``) and returns a chart, so tests build them without a browser.
Scores are fraud probabilities from 0 to 1; hours are hours of the replayed day.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.fraud.monitoring import PSI_ALERT

FEATURE_LABELS = {
    "amount": "Amount ($)",
    "velocity_1h": "Velocity (txns last 1h)",
    "is_international": "International (0/1)",
    "merchant_risk": "Merchant risk (fraud share)",
    "hour_of_day": "Hour of day",
    "score": "Fraud score",
}
RAISES_COLOR = "#e4572e"
LOWERS_COLOR = "#29335c"
THRESHOLD_COLORS = {"review": "#f3a712", "block": "#e4572e"}
# Amounts and merchant risk span several orders of magnitude; symlog keeps zero.
SYMLOG_FEATURES = {"amount": 1.0, "merchant_risk": 1e-5}
SYMLOG_TICKS = {
    "amount": [0, 10, 100, 1_000, 10_000, 100_000, 1_000_000],
    "merchant_risk": [0, 0.0001, 0.001, 0.01, 0.1, 1],
}
# Streamlit 1.67 fits title, axes and legend into the spec's height, which squeezes the
# plot to a thin strip. With "fit-x" the height is the plot's own.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
HOUR_SCALE = alt.Scale(domain=[0, 23], nice=False)


def contribution_chart(contributions: pd.DataFrame) -> alt.Chart:
    """Chart each feature's contribution: score minus the score with that feature typical."""
    data = contributions.assign(
        label=contributions["feature"].map(FEATURE_LABELS),
        direction=["raises the score" if c > 0 else "lowers the score" for c in contributions["contribution"]],
    )
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("contribution:Q", title="Contribution (change in fraud score)"),
            y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=200, labelOverlap=False)),
            color=alt.Color(
                "direction:N",
                title=None,
                scale=alt.Scale(domain=["raises the score", "lowers the score"], range=[RAISES_COLOR, LOWERS_COLOR]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="Feature"),
                alt.Tooltip("value:Q", title="This transaction", format=",.4g"),
                alt.Tooltip("typical_value:Q", title="Typical (training median)", format=",.4g"),
                alt.Tooltip("score_with_typical:Q", title="Score with typical value", format=".4f"),
                alt.Tooltip("contribution:Q", title="Contribution", format="+.4f"),
            ],
        )
        .properties(
            autosize=FIT_WIDTH,
            title="Why this score: each feature set alone to its typical value",
            height=200,
        )
    )


def sensitivity_chart(
    sweep: pd.DataFrame,
    feature: str,
    current_value: float,
    current_score: float,
    review_threshold: float,
    block_threshold: float,
) -> alt.LayerChart:
    """Chart the score as ``feature`` sweeps its range, with the decision thresholds."""
    title = FEATURE_LABELS[feature]
    scale = (
        alt.Scale(type="symlog", constant=SYMLOG_FEATURES[feature]) if feature in SYMLOG_FEATURES else alt.Scale()
    )
    axis = alt.Axis(values=SYMLOG_TICKS[feature], format=",~g") if feature in SYMLOG_TICKS else alt.Axis()
    x = alt.X(
        "value:Q",
        title=title + (" (symlog scale)" if feature in SYMLOG_FEATURES else ""),
        scale=scale,
        axis=axis,
    )
    y = alt.Y("score:Q", title="Fraud score", scale=alt.Scale(domain=[0, 1]))
    tooltip = [
        alt.Tooltip("value:Q", title=title, format=",.4g"),
        alt.Tooltip("score:Q", title="Fraud score", format=".4f"),
    ]

    line = alt.Chart(sweep).mark_line(point=alt.OverlayMarkDef(size=14), interpolate="step-after").encode(
        x=x, y=y, tooltip=tooltip
    )
    thresholds = pd.DataFrame(
        {"threshold": [review_threshold, block_threshold], "decision": ["review", "block"]}
    )
    rules = (
        alt.Chart(thresholds)
        .mark_rule(strokeDash=[6, 4])
        .encode(
            y="threshold:Q",
            color=alt.Color(
                "decision:N",
                title="Threshold",
                scale=alt.Scale(domain=list(THRESHOLD_COLORS), range=list(THRESHOLD_COLORS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[alt.Tooltip("decision:N", title="Threshold"), alt.Tooltip("threshold:Q", format=".2f")],
        )
    )

    current = pd.DataFrame({"value": [current_value], "score": [current_score]})
    marker = alt.Chart(current).mark_point(size=160, filled=True, color=RAISES_COLOR).encode(x=x, y=y, tooltip=tooltip)
    return (line + rules + marker).properties(
        autosize=FIT_WIDTH, title=f"Sensitivity: score as {title.lower()} changes", height=240
    )


def _drift_rule(drift_hour: int | None) -> list[alt.Chart]:
    if drift_hour is None:
        return []
    frame = pd.DataFrame({"hour": [drift_hour], "label": ["drift starts"]})
    return [
        alt.Chart(frame)
        .mark_rule(color="#888888", strokeDash=[2, 2])
        .encode(x="hour:Q", tooltip=[alt.Tooltip("label:N", title="Event"), alt.Tooltip("hour:Q", title="Hour")])
    ]


def psi_chart(psi_table: pd.DataFrame, drift_hour: int | None = None) -> alt.LayerChart:
    """Chart the hourly PSI of the score and each feature, with the alert level."""
    data = psi_table.assign(label=psi_table["column"].map(FEATURE_LABELS))
    x = alt.X("hour:Q", title="Hour of the replayed day", scale=HOUR_SCALE)
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=x,
        y=alt.Y("psi:Q", title="PSI vs same training hour"),
        # Two legend columns fit a half-width page column, three cut the last label off.
        color=alt.Color("label:N", title="Signal", legend=alt.Legend(orient="bottom", columns=2, labelLimit=180)),
        tooltip=[
            alt.Tooltip("hour:Q", title="Hour"),
            alt.Tooltip("label:N", title="Signal"),
            alt.Tooltip("psi:Q", title="PSI", format=".3f"),
            alt.Tooltip("n:Q", title="Transactions", format=","),
        ],
    )
    level = alt.Chart(pd.DataFrame({"psi": [PSI_ALERT]})).mark_rule(color=RAISES_COLOR, strokeDash=[6, 4]).encode(
        y="psi:Q", tooltip=[alt.Tooltip("psi:Q", title="Alert above PSI")]
    )
    return alt.layer(lines, level, *_drift_rule(drift_hour)).properties(
        autosize=FIT_WIDTH,
        title="Drift per hour: PSI (alert above 0.2)", height=300
    )


def score_distribution_chart(quantiles: pd.DataFrame, drift_hour: int | None = None) -> alt.LayerChart:
    """Chart the hourly score quantiles (p50, p90, p99) on a log scale."""
    data = quantiles.melt(
        id_vars=["hour", "n", "flagged_share"], value_vars=["p50", "p90", "p99"], var_name="quantile", value_name="score"
    )
    # Scores of exactly 0 cannot sit on a log axis; 1e-6 is far below any decision.
    data["score"] = data["score"].clip(lower=1e-6)
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("hour:Q", title="Hour of the replayed day", scale=HOUR_SCALE),
        y=alt.Y("score:Q", title="Fraud score (log scale)", scale=alt.Scale(type="log")),
        color=alt.Color("quantile:N", title="Quantile", legend=alt.Legend(orient="bottom")),
        tooltip=[
            alt.Tooltip("hour:Q", title="Hour"),
            alt.Tooltip("quantile:N", title="Quantile"),
            alt.Tooltip("score:Q", title="Score", format=".5f"),
            alt.Tooltip("flagged_share:Q", title="Flagged for review", format=".2%"),
            alt.Tooltip("n:Q", title="Transactions", format=","),
        ],
    )
    return alt.layer(lines, *_drift_rule(drift_hour)).properties(
        autosize=FIT_WIDTH,
        title="Score distribution per hour", height=300
    )


def label_metrics_chart(label_table: pd.DataFrame, drift_hour: int | None = None) -> alt.LayerChart:
    """Chart hourly precision, recall and the trailing-window recall from arrived labels."""
    data = label_table.melt(
        id_vars=["hour", "labelled", "frauds", "flagged", "window_frauds"],
        value_vars=["precision", "recall", "window_recall"],
        var_name="metric",
        value_name="value",
    )
    names = {"precision": "Precision", "recall": "Recall", "window_recall": "Recall, trailing window"}
    data["metric"] = data["metric"].map(names)
    # Hours without labelled frauds (or alerts) have no recall (or precision): break the
    # line there instead of drawing a slope through hours with no value.
    lines = alt.Chart(data).mark_line(point=True, invalid="break-paths-filter-domains").encode(
        x=alt.X("hour:Q", title="Hour of the replayed day", scale=HOUR_SCALE),
        y=alt.Y("value:Q", title="Precision or recall (%)", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("metric:N", title="Metric", legend=alt.Legend(orient="bottom", columns=3, labelLimit=180)),
        tooltip=[
            alt.Tooltip("hour:Q", title="Hour"),
            alt.Tooltip("metric:N", title="Metric"),
            alt.Tooltip("value:Q", title="Value", format=".0%"),
            alt.Tooltip("frauds:Q", title="Labelled frauds in the hour"),
            alt.Tooltip("window_frauds:Q", title="Labelled frauds in the window"),
            alt.Tooltip("flagged:Q", title="Labelled and flagged"),
        ],
    )
    return alt.layer(lines, *_drift_rule(drift_hour)).properties(
        autosize=FIT_WIDTH,
        title="Precision and recall from arrived labels", height=300
    )


def latency_chart(operations: pd.DataFrame) -> alt.Chart:
    """Chart the per-transaction latency percentiles of each hour of the replay."""
    data = operations.melt(
        id_vars=["hour", "transactions", "alerts"],
        value_vars=["latency_p50_ms", "latency_p99_ms"],
        var_name="percentile",
        value_name="latency_ms",
    )
    data["percentile"] = data["percentile"].map({"latency_p50_ms": "p50", "latency_p99_ms": "p99"})
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("hour:Q", title="Hour of the replayed day", scale=HOUR_SCALE),
            y=alt.Y("latency_ms:Q", title="Latency per transaction (ms)"),
            color=alt.Color("percentile:N", title="Percentile", legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("hour:Q", title="Hour"),
                alt.Tooltip("percentile:N", title="Percentile"),
                alt.Tooltip("latency_ms:Q", title="Latency (ms)", format=".3f"),
                alt.Tooltip("transactions:Q", title="Transactions", format=","),
                alt.Tooltip("alerts:Q", title="Alerts"),
            ],
        )
        .properties(autosize=FIT_WIDTH, title="Online latency per hour (features and scoring)", height=300)
    )
