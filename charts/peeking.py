"""Altair charts for the peeking simulator: one p-value trajectory and the A/A Monte Carlo."""

from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from core.ab.peeking import Trajectory

# Log-scale charts cannot show p = 0, and p-values below this are indistinguishable anyway.
P_VALUE_FLOOR = 1e-12

CHART_HEIGHT = 380

SERIES_COLORS = {
    "z-test p-value": "#1f77b4",
    "mSPRT always-valid p-value": "#2ca02c",
    "Pocock threshold": "#9467bd",
    "O'Brien-Fleming threshold": "#8c564b",
}


@dataclass(frozen=True)
class BoundaryMarks:
    """Nominal p-value thresholds of one group sequential design at its analyses.

    Attributes
    ----------
    label : str
        Legend entry, a key of ``SERIES_COLORS``.
    days : numpy.ndarray
        Day of each analysis.
    p_thresholds : numpy.ndarray
        Nominal two-sided p-value below which the design stops at that analysis.
    """

    label: str
    days: np.ndarray
    p_thresholds: np.ndarray


def _y_lower_bound(log_scale: bool, smallest_p: float) -> float:
    if not log_scale:
        return 0.0
    # Start the axis at the power of ten below the smallest value drawn, so the region
    # around alpha keeps its height unless the data reach much lower.
    return 10.0 ** math.floor(math.log10(min(max(smallest_p, P_VALUE_FLOOR), 1e-3)))


def _y_scale(log_scale: bool, lower: float) -> alt.Scale:
    if log_scale:
        return alt.Scale(type="log", domain=[lower, 1.0], clamp=True)
    return alt.Scale(domain=[lower, 1.0])


def _y_axis_format(log_scale: bool) -> str:
    return ".0e" if log_scale else ".2f"


def trajectory_chart(
    trajectory: Trajectory,
    *,
    alpha: float,
    horizon_day: float | None,
    planned_n: int,
    peek_index: int | None,
    boundaries: list[BoundaryMarks],
    log_scale: bool = True,
) -> alt.LayerChart:
    """Draw the p-value of one experiment against time with the peeking danger zone.

    Parameters
    ----------
    trajectory : Trajectory
        The simulated experiment.
    alpha : float
        Significance level, drawn as a horizontal rule.
    horizon_day : float or None
        Day the planned n per variant is reached (vertical rule and end of the shaded
        danger zone), None when the experiment ends before it.
    planned_n : int
        Planned users per variant, shown in the tooltip of the boundary.
    peek_index : int or None
        Index of the look where a peeker stops (first p < alpha before the boundary).
    boundaries : list of BoundaryMarks
        Group sequential thresholds drawn as points at their analyses.
    log_scale : bool
        Log scale for the p-value axis; p-values below ``P_VALUE_FLOOR`` are drawn at it.
    """
    series = pd.DataFrame(
        {
            "day": np.concatenate([trajectory.days, trajectory.days]),
            "n_per_variant": np.concatenate([trajectory.n_per_variant, trajectory.n_per_variant]),
            "p_value": np.concatenate([trajectory.p_value, trajectory.msprt_p_value]),
            "series": ["z-test p-value"] * trajectory.days.size
            + ["mSPRT always-valid p-value"] * trajectory.days.size,
        }
    )
    series["p_drawn"] = series["p_value"].clip(lower=P_VALUE_FLOOR)
    smallest_p = min([float(series["p_value"].min()), alpha] + [float(mark.p_thresholds.min()) for mark in boundaries])
    y_lower = _y_lower_bound(log_scale, smallest_p)
    y_scale = _y_scale(log_scale, y_lower)
    x_axis = alt.X("day:Q", title="Day of experiment (days)", scale=alt.Scale(domainMin=0))
    y_axis = alt.Y(
        "p_drawn:Q",
        title="p-value (two-sided)",
        scale=y_scale,
        axis=alt.Axis(format=_y_axis_format(log_scale)),
    )
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=list(SERIES_COLORS), range=list(SERIES_COLORS.values())),
        legend=alt.Legend(orient="bottom", columns=2, labelLimit=0),
    )

    lines = (
        alt.Chart(series)
        .mark_line(interpolate="step-after")
        .encode(
            x=x_axis,
            y=y_axis,
            color=color,
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("day:Q", title="Day", format=".2f"),
                alt.Tooltip("n_per_variant:Q", title="Users per variant", format=","),
                alt.Tooltip("p_value:Q", title="p-value", format=".3g"),
            ],
        )
    )

    alpha_rule = (
        alt.Chart(pd.DataFrame({"alpha": [alpha], "label": [f"α = {alpha:g}"]}))
        .mark_rule(color="#d62728", strokeDash=[6, 4])
        .encode(y="alpha:Q", tooltip=[alt.Tooltip("label:N", title="Significance level")])
    )
    layers: list[alt.Chart] = []

    if horizon_day is not None:
        zone = pd.DataFrame(
            {
                "start": [0.0],
                "end": [horizon_day],
                "label": ["Peeking danger zone: before the planned n per variant"],
            }
        )
        layers.append(
            alt.Chart(zone)
            .mark_rect(color="#ff7f0e", opacity=0.12)
            .encode(x="start:Q", x2="end:Q", tooltip=[alt.Tooltip("label:N", title="Region")])
        )
        boundary = pd.DataFrame(
            {
                "day": [horizon_day],
                "top": [1.0],
                "label": [f"Required n boundary: {planned_n:,} users per variant"],
            }
        )
        layers.append(
            alt.Chart(boundary)
            .mark_rule(color="#333333", strokeWidth=2)
            .encode(x="day:Q", tooltip=[alt.Tooltip("label:N", title="Boundary")])
        )
        layers.append(
            alt.Chart(boundary)
            # Written upwards along the rule, so it crosses neither alpha nor the peeker's label.
            .mark_text(angle=270, align="right", baseline="bottom", dx=-6, dy=-3, color="#333333")
            .encode(x="day:Q", y=alt.Y("top:Q", scale=y_scale), text=alt.value("Required n boundary"))
        )

    layers.extend([lines, alpha_rule])

    if boundaries:
        marks = pd.concat(
            [
                pd.DataFrame(
                    {
                        "day": mark.days,
                        "p_value": mark.p_thresholds,
                        "p_drawn": np.clip(mark.p_thresholds, P_VALUE_FLOOR, None),
                        "series": mark.label,
                        "analysis": np.arange(1, mark.days.size + 1),
                    }
                )
                for mark in boundaries
            ],
            ignore_index=True,
        )
        layers.append(
            alt.Chart(marks)
            .mark_point(filled=True, size=60, shape="triangle-down")
            .encode(
                x="day:Q",
                y=alt.Y("p_drawn:Q", scale=y_scale),
                color=color,
                tooltip=[
                    alt.Tooltip("series:N", title="Boundary"),
                    alt.Tooltip("analysis:Q", title="Analysis"),
                    alt.Tooltip("day:Q", title="Day", format=".2f"),
                    alt.Tooltip("p_value:Q", title="Stop if p below", format=".3g"),
                ],
            )
        )

    if peek_index is not None:
        peek = pd.DataFrame(
            {
                "day": [float(trajectory.days[peek_index])],
                "p_value": [float(trajectory.p_value[peek_index])],
                "p_drawn": [max(float(trajectory.p_value[peek_index]), P_VALUE_FLOOR)],
                "label": ["A peeker would have stopped here"],
            }
        )
        base = alt.Chart(peek).encode(
            x="day:Q",
            y=alt.Y("p_drawn:Q", scale=y_scale),
            tooltip=[
                alt.Tooltip("label:N", title="Peeking"),
                alt.Tooltip("day:Q", title="Day", format=".2f"),
                alt.Tooltip("p_value:Q", title="p-value", format=".3g"),
            ],
        )
        layers.append(base.mark_point(color="#d62728", size=180, shape="diamond", filled=True))
        layers.append(base.mark_text(align="left", dx=10, dy=-10, color="#d62728").encode(text="label:N"))

    return alt.layer(*layers).properties(
        title="Simulated experiment — p-value trajectory over time", height=CHART_HEIGHT
    )


def false_positive_chart(
    rejection_by_look: np.ndarray,
    *,
    n_runs: int,
    alpha: float,
    exact_by_look: np.ndarray | None,
) -> alt.LayerChart:
    """Draw the false-positive rate of "stop at the first p < alpha" against the number of looks.

    Parameters
    ----------
    rejection_by_look : numpy.ndarray, shape (K,)
        Monte Carlo rate with k looks (entry k - 1), from A/A experiments.
    n_runs : int
        Number of A/A experiments, for the 95% band of +-1.96 binomial standard errors.
    alpha : float
        Nominal level of each test, drawn as a horizontal rule.
    exact_by_look : numpy.ndarray or None
        Large-sample rate from numerical integration for the first looks, drawn dashed.
    """
    monte_carlo_label = f"Monte Carlo, {n_runs:,} A/A tests"
    exact_label = "Exact, large samples (numerical integration)"
    looks = np.arange(1, rejection_by_look.size + 1)
    spread = 1.96 * np.sqrt(rejection_by_look * (1.0 - rejection_by_look) / n_runs)
    simulated = pd.DataFrame(
        {
            "looks": looks,
            "rate": rejection_by_look,
            "low": np.clip(rejection_by_look - spread, 0.0, 1.0),
            "high": np.clip(rejection_by_look + spread, 0.0, 1.0),
            "series": monte_carlo_label,
        }
    )
    x_axis = alt.X("looks:Q", title="Number of looks (peeks)", scale=alt.Scale(domainMin=1))
    y_title = "False-positive rate (share of A/A tests)"
    color = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=[monte_carlo_label, exact_label], range=["#1f77b4", "#444444"]),
        legend=alt.Legend(orient="bottom", columns=2, labelLimit=0),
    )
    tooltip = [
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("looks:Q", title="Looks"),
        alt.Tooltip("rate:Q", title="False-positive rate", format=".1%"),
    ]

    band = (
        alt.Chart(simulated)
        .mark_area(opacity=0.2)
        .encode(x=x_axis, y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format="%")), y2="high:Q", color=color)
    )
    line = alt.Chart(simulated).mark_line().encode(x=x_axis, y="rate:Q", color=color, tooltip=tooltip)
    alpha_rule = (
        alt.Chart(pd.DataFrame({"alpha": [alpha], "label": [f"α = {alpha:g}, the rate of one test"]}))
        .mark_rule(color="#d62728", strokeDash=[6, 4])
        .encode(y="alpha:Q", tooltip=[alt.Tooltip("label:N", title="Nominal level")])
    )
    layers = [band, line, alpha_rule]

    if exact_by_look is not None and exact_by_look.size:
        exact = pd.DataFrame(
            {
                "looks": np.arange(1, exact_by_look.size + 1),
                "rate": exact_by_look,
                "series": exact_label,
            }
        )
        layers.append(
            alt.Chart(exact).mark_line(strokeDash=[4, 3]).encode(x=x_axis, y="rate:Q", color=color, tooltip=tooltip)
        )

    return alt.layer(*layers).properties(
        title="Monte Carlo of A/A tests — false-positive rate of stopping at the first p < α", height=320
    )


def to_vega_lite_spec(chart: alt.TopLevelMixin) -> dict:
    """Return the chart's Vega-Lite spec with its data inline and without Altair's default theme.

    Pages cache this dict and draw it with ``st.vega_lite_chart``, because converting a layered
    Altair chart costs tens of milliseconds on every rerun. Altair's default theme only adds a
    300 x 300 default view size, which Streamlit replaces with its own.
    """
    spec = chart.to_dict()
    spec.pop("config", None)
    return spec
