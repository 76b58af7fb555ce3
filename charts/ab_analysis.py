"""Altair charts for the analysis of a finished A/B test."""

from __future__ import annotations

import altair as alt
import pandas as pd


def lift_interval_chart(comparisons: pd.DataFrame, alpha: float) -> alt.Chart:
    """Plot each treatment's absolute lift with its confidence interval, per metric.

    Parameters
    ----------
    comparisons : pandas.DataFrame
        ``ExperimentReport.comparisons_frame()``; rows without a test (an arm
        with 0 users) are left out because they have no interval.
    alpha : float
        Significance level, used for the interval's label.
    """
    tested = comparisons.dropna(subset=["absolute lift"]).copy()
    for column in ("absolute lift", "absolute CI low", "absolute CI high"):
        tested[column + " (pp)"] = tested[column] * 100
    tested["label"] = tested["metric"] + " · " + tested["variant"]
    level = f"{1 - alpha:.0%}"

    base = alt.Chart(tested).encode(
        y=alt.Y("label:N", title="Metric · treatment", sort=None),
        tooltip=[
            alt.Tooltip("metric:N", title="Metric"),
            alt.Tooltip("variant:N", title="Treatment"),
            alt.Tooltip("absolute lift (pp):Q", title="Lift (percentage points)", format="+.3f"),
            alt.Tooltip("absolute CI low (pp):Q", title=f"{level} CI low (pp)", format="+.3f"),
            alt.Tooltip("absolute CI high (pp):Q", title=f"{level} CI high (pp)", format="+.3f"),
            alt.Tooltip("p-value:Q", title="p-value", format=".4g"),
        ],
    )
    intervals = base.mark_rule(strokeWidth=3).encode(
        x=alt.X(
            "absolute CI low (pp):Q",
            title=f"Absolute lift versus control (percentage points, {level} CI)",
        ),
        x2="absolute CI high (pp):Q",
    )
    points = base.mark_point(filled=True, size=80).encode(x="absolute lift (pp):Q")
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    return (intervals + points + zero).properties(
        title=f"Lift and {level} confidence interval per treatment"
    )
