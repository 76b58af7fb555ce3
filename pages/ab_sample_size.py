"""A/B sample-size page: users and days a conversion-rate test needs."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.router import ensure_routed

ensure_routed()

from charts.ab import power_curve_chart, power_vs_n_chart, sampling_distribution_chart
from core.ab.sample_size import (
    SizingScenario,
    compare_formulas,
    distribution_curves,
    n_over_mde_range,
    plan_experiment,
    power_over_n,
    python_snippet,
    sampling_distributions,
)
from ui.ab_inputs import scenario_from_values, sizing_inputs
from ui.messages import show_input_error
from ui.narration import narrate

PAGE_ID = "ab_sample_size"
# Beyond these a plan is still shown, with a warning that it is impractical.
IMPRACTICAL_DAYS = 90
IMPRACTICAL_USERS = 10_000_000


def _days(count: int) -> str:
    return f"{count:,} day" if count == 1 else f"{count:,} days"


@st.cache_data(max_entries=256, ttl=3600, show_spinner=False)
def _curves(scenario: SizingScenario):
    plan = plan_experiment(scenario)
    distributions = sampling_distributions(plan)
    return (
        n_over_mde_range(scenario),
        power_over_n(plan),
        distribution_curves(distributions),
        distributions,
    )


st.title("A/B test sample size")
st.caption(
    "How many users each variant needs to detect a given lift in a conversion rate, "
    "and how many days that takes."
)

# Filled once the plan is known, but shown above the inputs.
narration = st.container()
values = sizing_inputs(PAGE_ID)
scenario = scenario_from_values(values)
try:
    plan = plan_experiment(scenario)
except ValueError as error:
    show_input_error(error, "the sample size")
    st.stop()

with narration:
    narrate(PAGE_ID, {
        "baseline_rate": scenario.baseline_rate,
        "treatment_rate": scenario.treatment_rate,
        "n_per_variant": plan.n_per_variant,
        "n_total": plan.n_total,
        "n_treatments": scenario.n_treatments,
        "daily_traffic_per_variant": scenario.daily_traffic_per_variant,
        "days_to_run": plan.days_to_run,
        # None drops the sentences that do not apply to this scenario.
        "days_exact": plan.days_exact if plan.days_exact != plan.days_to_run else None,
        "power": scenario.power,
        "alpha": scenario.alpha,
        "alpha_per_comparison": scenario.alpha_per_comparison if scenario.n_treatments > 1 else None,
        "sides": "two-sided" if scenario.two_sided else "one-sided",
    })

if scenario.n_treatments > 1:
    st.info(
        f"With {scenario.n_treatments} treatments against one control, α = {scenario.alpha:g} "
        f"is split across the {scenario.n_treatments} comparisons (Bonferroni): each comparison "
        f"is tested at α = {scenario.alpha_per_comparison:.4g}, which raises n per variant.",
        icon=":material/call_split:",
    )

n_column, total_column, days_column = st.columns(3)
n_column.metric(
    "Required n/variant",
    f"{plan.n_per_variant:,}",
    help="Normal approximation, pooled variance under H0 and unpooled under H1, "
    "no continuity correction, rounded up (as R's power.prop.test).",
)
total_column.metric(
    "Total users",
    f"{plan.n_total:,}",
    help=f"{plan.n_per_variant:,} users × {scenario.n_treatments + 1} variants (control included).",
)
days_column.metric(
    "Days to run",
    f"{plan.days_to_run:,}",
    help=f"{plan.days_exact:,} days at {scenario.daily_traffic_per_variant:,} users per variant "
    f"per day; {plan.days_full_weeks:,} when rounded up to whole weeks.",
)
st.caption(
    f"Traffic alone needs **{_days(plan.days_exact)}**; rounded up to whole weeks that is "
    f"**{_days(plan.days_full_weeks)}**. Whole weeks matter because users behave differently "
    "on weekdays and weekends: a test that stops on a Wednesday over-weights the days it saw."
)

if plan.days_exact > IMPRACTICAL_DAYS or plan.n_per_variant > IMPRACTICAL_USERS:
    st.warning(
        f"This plan needs {plan.n_per_variant:,} users per variant and {plan.days_exact:,} days. "
        "That is rarely practical: test a larger MDE, a metric with a higher baseline, or "
        "pool more traffic into the test.",
        icon=":material/hourglass_top:",
    )
st.page_link(
    "pages/ab_analyze.py",
    label="Cluster randomization raises this n and CUPED lowers it: see the design choices",
    icon=":material/tune:",
)

mde_curve, power_curve, density_curves, distributions = _curves(scenario)
left, right = st.columns(2)
left.altair_chart(power_curve_chart(mde_curve, plan), theme="streamlit", width="stretch")
right.altair_chart(power_vs_n_chart(power_curve, plan), theme="streamlit", width="stretch")
st.caption(
    "Halving the MDE roughly quadruples n: the sample size grows with 1 / MDE². "
    "The red point is your scenario."
)

st.altair_chart(
    sampling_distribution_chart(density_curves, distributions), theme="streamlit", width="stretch"
)
st.caption(
    "At the required n the observed difference is spread around 0 if there is no effect (H0) and "
    "around the MDE if there is one (H1). Results beyond the dashed critical values are called "
    "significant: the red tail under H0 is α, the part of H1 inside them is β, the rest is power."
)

st.subheader("Why calculators disagree")
rows = compare_formulas(scenario)
st.dataframe(
    pd.DataFrame({
        "Formula": [row.method for row in rows],
        "n per variant": [f"{row.n_per_variant:,}" for row in rows],
        "Unrounded": [f"{row.n_exact:,.1f}" for row in rows],
        "Used by": [row.used_by for row in rows],
    }),
    hide_index=True,
    width="stretch",
)
st.caption(
    "All three are normal approximations. They differ in the variance they assume under H0 "
    "and in whether they correct for the discreteness of counts, so results differ by a few "
    "percent, more for small samples."
)

st.subheader("Python snippet")
st.caption("Reproduces the number above with numpy and scipy only.")
st.code(python_snippet(scenario), language="python")
