"""Altair charts for the A/B sizing page.

Each function takes core results and returns a chart, so tests build charts without
a browser. Rates are shown in percent and differences in percentage points.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.ab.sample_size import SamplingDistributions, SizingPlan

CURRENT_COLOR = "#e4572e"
REGION_COLORS = {"alpha": "#e4572e", "beta": "#f3a712", "power": "#29335c"}


def mde_axis_title(plan: SizingPlan) -> str:
    """Return the MDE axis title in the unit the user chose."""
    if plan.scenario.mde_relative:
        return "Minimum detectable effect (% of baseline)"
    return "Minimum detectable effect (percentage points)"


def power_curve_chart(curve: pd.DataFrame, plan: SizingPlan) -> alt.LayerChart:
    """Chart the required n per variant against the MDE, on a log scale."""
    data = curve.assign(mde_percent=curve["mde"] * 100.0, treatment_percent=curve["treatment_rate"] * 100.0)
    current = pd.DataFrame({
        "mde_percent": [plan.scenario.mde * 100.0],
        "n_per_variant": [plan.n_per_variant],
        "days": [plan.days_exact],
        "treatment_percent": [plan.scenario.treatment_rate * 100.0],
    })
    x = alt.X("mde_percent:Q", title=mde_axis_title(plan), scale=alt.Scale(type="log"))
    y = alt.Y("n_per_variant:Q", title="Required users per variant (log scale)", scale=alt.Scale(type="log"))
    tooltip = [
        alt.Tooltip("mde_percent:Q", title="MDE", format=".3f"),
        alt.Tooltip("treatment_percent:Q", title="Treatment rate (%)", format=".2f"),
        alt.Tooltip("n_per_variant:Q", title="Users per variant", format=","),
        alt.Tooltip("days:Q", title="Days (before whole weeks)", format=","),
    ]
    line = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=12)).encode(x=x, y=y, tooltip=tooltip)
    marker = alt.Chart(current).mark_point(size=160, filled=True, color=CURRENT_COLOR).encode(
        x=x, y=y, tooltip=tooltip
    )
    return (line + marker).properties(
        title="Power curve — sample size vs detectable effect", height=320
    )


def power_vs_n_chart(curve: pd.DataFrame, plan: SizingPlan) -> alt.LayerChart:
    """Chart the power at the chosen MDE against n per variant, marking the required n."""
    data = curve.assign(power_percent=curve["power"] * 100.0)
    x = alt.X("n_per_variant:Q", title="Users per variant")
    line = alt.Chart(data).mark_line().encode(
        x=x,
        y=alt.Y("power_percent:Q", title="Power (%)", scale=alt.Scale(domain=[0, 100])),
        tooltip=[
            alt.Tooltip("n_per_variant:Q", title="Users per variant", format=","),
            alt.Tooltip("power_percent:Q", title="Power (%)", format=".1f"),
        ],
    )
    required = pd.DataFrame({
        "n_per_variant": [plan.n_per_variant],
        "label": [f"Required n = {plan.n_per_variant:,}"],
        "target": [plan.scenario.power * 100.0],
    })
    rule = alt.Chart(required).mark_rule(color=CURRENT_COLOR, strokeDash=[6, 3]).encode(
        x=x,
        tooltip=[alt.Tooltip("label:N", title="Marker"), alt.Tooltip("target:Q", title="Target power (%)")],
    )
    label = alt.Chart(required).mark_text(align="left", dx=6, dy=-6, color=CURRENT_COLOR).encode(
        x=x, y=alt.Y("target:Q"), text="label:N"
    )
    return (line + rule + label).properties(title="Power vs users per variant at the chosen MDE", height=320)


def sampling_distribution_chart(curves: pd.DataFrame, distributions: SamplingDistributions) -> alt.LayerChart:
    """Chart the H0 and H1 densities of the observed difference with α, β and power shaded."""
    data = curves.assign(difference_points=curves["difference"] * 100.0)
    x = alt.X("difference_points:Q", title="Observed difference in conversion rate (percentage points)")
    y = alt.Y("density:Q", title="Probability density", axis=alt.Axis(labels=False, ticks=False))
    region_names = {
        "alpha": f"α (false positive) = {distributions.alpha:.3g}",
        "beta": f"β (missed effect) = {1 - distributions.power:.3f}",
        "power": f"Power = {distributions.power:.3f}",
    }

    shaded = data[data["region"] != "none"].assign(area=lambda d: d["region"].map(region_names))
    # One area series per contiguous region, so the two α tails are not joined across zero.
    shaded = shaded.assign(
        segment=shaded["hypothesis"] + shaded["region"] + (shaded["difference"] > 0).astype(str)
    )
    areas = alt.Chart(shaded).mark_area(opacity=0.45).encode(
        x=x,
        y=y,
        detail="segment:N",
        color=alt.Color(
            "area:N",
            title="Shaded area",
            scale=alt.Scale(domain=list(region_names.values()), range=list(REGION_COLORS.values())),
        ),
        tooltip=[alt.Tooltip("area:N", title="Area")],
    )

    lines = alt.Chart(data).mark_line(color="#333333").encode(
        x=x,
        y=y,
        strokeDash=alt.StrokeDash("hypothesis:N", title="Distribution"),
        tooltip=[
            alt.Tooltip("hypothesis:N", title="Hypothesis"),
            alt.Tooltip("difference_points:Q", title="Difference (points)", format=".3f"),
        ],
    )

    critical = pd.DataFrame({
        "difference_points": [value * 100.0 for value in distributions.critical_values],
        "label": ["Critical value"] * len(distributions.critical_values),
    })
    rules = alt.Chart(critical).mark_rule(color=CURRENT_COLOR, strokeDash=[4, 4]).encode(
        x=x,
        tooltip=[
            alt.Tooltip("label:N", title="Rule"),
            alt.Tooltip("difference_points:Q", title="Difference (points)", format=".3f"),
        ],
    )
    return (areas + lines + rules).properties(
        title="Null vs alternative sampling distributions", height=320
    )
