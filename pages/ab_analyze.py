"""A/B analysis page: read a finished test, and see the design choices that change n."""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import pandas as pd
import streamlit as st

from ui.router import ensure_routed

ensure_routed()

from charts.ab_analysis import lift_interval_chart
from core.ab.design import cuped_variance_factor, design_effect, scale_sample_size
from core.ab.multiple_testing import METHOD_LABELS, METHODS
from core.ab.report import ExperimentReport, GuardrailSpec, analyze_experiment
from core.ab.results import (
    EXAMPLE_CSV,
    MAX_CSV_BYTES,
    MAX_VARIANTS,
    ExperimentCounts,
    build_counts,
    parse_results_csv,
)
from core.ab.sample_size import plan_experiment
from core.ab.srm import SRM_CAUSES, parse_planned_split
from ui.ab_inputs import ALL_PARAMS, ALPHA, scenario_from_values, shared_value
from ui.messages import show_input_error
from ui.query import (
    ChoiceParam,
    NumberParam,
    choice_input,
    number_input,
    read_query_params,
    write_query_params,
)
from ui.text import escape_markdown

logger = logging.getLogger(__name__)

PAGE_ID = "ab_analyze"
DEFAULT_NAMES = ("control", "treatment B", "treatment C", "treatment D", "treatment E")
DEFAULT_USERS = (10_000, 10_000, 10_000, 10_000, 10_000)
DEFAULT_CONVERSIONS = (1_200, 1_320, 1_250, 1_180, 1_230)

MODE = ChoiceParam(
    "input", "Data", "form", ("form", "csv"),
    help="Type the counts of each variant, or upload or paste a CSV file with more metrics.",
)
TREATMENTS = NumberParam(
    "treatments", "Treatments", 1, 1, MAX_VARIANTS - 1, 1, integer=True,
    help="Treatment variants compared with the control.",
)
USERS = tuple(
    NumberParam(
        f"users{index}", "Users", DEFAULT_USERS[index], 0, 10**12, 100, integer=True,
        help="Users assigned to this variant.",
    )
    for index in range(MAX_VARIANTS)
)
CONVERSIONS = tuple(
    NumberParam(
        f"conv{index}", "Conversions", DEFAULT_CONVERSIONS[index], 0, 10**12, 10, integer=True,
        help="Users of this variant who converted, at most its users.",
    )
    for index in range(MAX_VARIANTS)
)
CLUSTER_SIZE = NumberParam(
    "cluster_size", "Average cluster size m", 30.0, 1.0, 100_000.0, 1.0, format="%.1f",
    help="Average number of users per randomized cluster (team, city, friend group).",
)
ICC = NumberParam(
    "icc", "Intra-cluster correlation (ICC)", 0.05, 0.0, 1.0, 0.01, format="%.3f",
    help="Correlation of the metric between two users of the same cluster, from 0 to 1.",
)
RHO = NumberParam(
    "rho", "Correlation ρ with the pre-period", 0.5, -0.99, 0.99, 0.05, format="%.2f",
    help="Correlation between a user's metric during the test and the same metric "
    "before it, from -0.99 to 0.99.",
)
PAGE_PARAMS = (MODE, TREATMENTS, *USERS, *CONVERSIONS, CLUSTER_SIZE, ICC, RHO)
MODE_LABELS = {"form": "Enter counts", "csv": "Upload or paste a CSV"}
DEFAULT_MARGIN_POINTS = 0.3


@st.cache_data(max_entries=128, ttl=3600, show_spinner=False)
def _analyze(
    counts: ExperimentCounts,
    alpha: float,
    primary_metric: str,
    guardrails: tuple[tuple[str, float, bool], ...],
    planned_split: tuple[float, ...] | None,
) -> ExperimentReport:
    start = time.perf_counter()
    report = analyze_experiment(
        counts,
        alpha=alpha,
        primary_metric=primary_metric,
        guardrails={name: GuardrailSpec(margin, higher) for name, margin, higher in guardrails},
        planned_split=planned_split,
    )
    logger.info(
        "analyzed %d variants and %d metrics in %.3f s",
        len(counts.variants),
        len(counts.metrics),
        time.perf_counter() - start,
    )
    return report


def _form_counts(url_values: dict[str, Any]) -> ExperimentCounts:
    """Draw the per-variant inputs and return the checked counts."""
    treatments = number_input(PAGE_ID, TREATMENTS, url_values)
    names, users, conversions = [], [], []
    for index in range(treatments + 1):
        name_column, users_column, conversions_column = st.columns([2, 1, 1])
        names.append(
            name_column.text_input(
                "Control name" if index == 0 else f"Treatment {index} name",
                DEFAULT_NAMES[index],
                max_chars=80,
                key=f"{PAGE_ID}__name{index}",
            )
        )
        users.append(number_input(PAGE_ID, USERS[index], url_values, users_column))
        conversions.append(number_input(PAGE_ID, CONVERSIONS[index], url_values, conversions_column))
    return build_counts(names, users, {"conversions": conversions})


def _csv_counts() -> ExperimentCounts:
    """Draw the upload and paste inputs and return the parsed counts."""
    with st.expander("CSV format", icon=":material/description:"):
        st.markdown(
            "UTF-8, comma-separated, one header row, then one row per variant with the "
            f"**control first** (2 to {MAX_VARIANTS} rows, at most {MAX_CSV_BYTES // 1024} KB).\n\n"
            "- `variant`: the variant name.\n"
            "- `users`: users assigned to the variant (a whole number ≥ 0).\n"
            "- `conversions`: users who converted on the primary metric (≤ users).\n"
            "- Optional `<metric>_conversions` columns, such as `refund_conversions`: users "
            "who converted on another metric, with the same `users` as denominator. "
            "`<metric>` uses letters, digits and underscores."
        )
        st.download_button(
            "Download the example file", EXAMPLE_CSV, "ab_results_example.csv", "text/csv"
        )
    uploaded = st.file_uploader("Upload a results CSV", type=["csv"], key=f"{PAGE_ID}__upload")
    pasted = st.text_area(
        "…or paste the CSV text (used when no file is uploaded)",
        EXAMPLE_CSV,
        height=140,
        key=f"{PAGE_ID}__pasted",
    )
    if uploaded is not None:
        # Read one byte past the limit, so an oversized file is rejected without loading it all.
        return parse_results_csv(uploaded.read(MAX_CSV_BYTES + 1))
    return parse_results_csv(pasted.encode("utf-8"))


def _metric_roles(counts: ExperimentCounts) -> tuple[str, tuple[tuple[str, float, bool], ...]]:
    """Draw the primary metric and guardrail inputs; return the primary and the guardrails."""
    if len(counts.metrics) == 1:
        return counts.metrics[0], ()
    primary_column, guardrail_column = st.columns(2)
    primary = primary_column.selectbox(
        "Primary metric",
        counts.metrics,
        key=f"{PAGE_ID}__primary",
        help="The one metric that decides whether to ship. The others are guardrails or "
        "secondary metrics.",
    )
    others = [metric for metric in counts.metrics if metric != primary]
    default_guardrails = [metric for metric in others if "refund" in metric or "error" in metric]
    chosen = guardrail_column.multiselect(
        "Guardrail metrics",
        others,
        default=default_guardrails,
        key=f"{PAGE_ID}__guardrails",
        help="Metrics that must not get worse by more than a margin (non-inferiority).",
    )
    guardrails = []
    for metric in chosen:
        margin_column, direction_column = st.columns(2)
        margin = margin_column.number_input(
            f"Margin for {metric} (percentage points)",
            min_value=0.0,
            max_value=100.0,
            value=DEFAULT_MARGIN_POINTS,
            step=0.05,
            format="%.2f",
            key=f"{PAGE_ID}__margin_{metric}",
            help="The largest harm you accept, as an absolute change of the rate.",
        )
        lower_is_better = direction_column.toggle(
            f"Lower {metric} is better",
            value="refund" in metric or "error" in metric,
            key=f"{PAGE_ID}__lower_{metric}",
        )
        guardrails.append((metric, margin / 100.0, not lower_is_better))
    return primary, tuple(guardrails)


def _percent(value: float, digits: int = 2, sign: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value * 100:{'+' if sign else ''}.{digits}f}%"


def _interval(low: float, high: float, points: bool) -> str:
    if math.isnan(low):
        return "n/a (control rate is 0)"
    unit = " pp" if points else "%"
    return f"[{low * 100:+.2f}, {high * 100:+.2f}]{unit}"


def _results_table(report: ExperimentReport) -> pd.DataFrame:
    level = f"{1 - report.alpha:.0%}"
    rows = []
    for item in report.comparisons:
        # st.table renders Markdown in cells, so names from a file are escaped.
        row = {
            "Metric": escape_markdown(item.metric),
            "Role": item.role,
            "Treatment": escape_markdown(item.variant),
        }
        if item.test is None or item.bayesian is None:
            row["Decision"] = escape_markdown(item.error or "Not tested.")
            rows.append(row)
            continue
        test, bayesian = item.test, item.bayesian
        row |= {
            "Control rate": _percent(test.control_rate),
            "Treatment rate": _percent(test.treatment_rate),
            "Absolute lift": f"{test.absolute_lift * 100:+.2f} pp",
            f"{level} CI (absolute)": _interval(*test.absolute_ci, points=True),
            "Relative lift": _percent(test.relative_lift, 1, sign=True),
            f"{level} CI (relative)": _interval(*test.relative_ci, points=False),
            "p-value": f"{test.p_value:.4g}",
            "P(beats control)": _percent(bayesian.probability_to_beat_control, 1),
            "Expected loss": f"{bayesian.expected_loss_treatment * 100:.3f} pp",
            "Decision": test.decision.split(":")[0],
        }
        if item.guardrail is not None:
            row["Guardrail"] = "flagged" if item.guardrail.flagged else "passes"
        rows.append(row)
    return pd.DataFrame(rows).fillna("")


def _adjusted_table(report: ExperimentReport) -> pd.DataFrame:
    frame = report.adjusted_frame()
    shown = pd.DataFrame(
        {
            "Metric": frame["metric"].map(escape_markdown),
            "Treatment": frame["variant"].map(escape_markdown),
            "Raw p-value": frame["raw p-value"].map("{:.4g}".format),
        }
    )
    for method in METHODS:
        label = METHOD_LABELS[method]
        if label not in frame:
            continue
        survives = frame[f"{label} survives"].map({True: "survives", False: "—"})
        shown[label] = frame[label].map("{:.4g}".format) + " (" + survives + ")"
    return shown


def _show_sample_ratio(report: ExperimentReport) -> None:
    check = report.sample_ratio
    users = ", ".join(
        f"{escape_markdown(name)}: {count:,}"
        for name, count in zip(report.counts.variants, check.observed)
    )
    if check.empty_arms:
        empty = ", ".join(escape_markdown(report.counts.variants[i]) for i in check.empty_arms)
        st.error(
            f"**Sample ratio mismatch: {empty} has 0 users.** An arm without users means the "
            f"assignment or the logging is broken, so no result of this test can be trusted. "
            f"Users per arm: {users}. {SRM_CAUSES}",
            icon=":material/error:",
        )
    elif check.mismatch:
        st.error(
            f"**Sample ratio mismatch (χ² = {check.chi_square:.2f}, p = {check.p_value:.2g} < "
            f"{check.threshold:g}).** The users per arm do not match the planned split, so the "
            f"arms are not comparable and the results below cannot be trusted. Users per arm: "
            f"{users}. {SRM_CAUSES}",
            icon=":material/error:",
        )
    else:
        st.success(
            f"No sample ratio mismatch: χ² = {check.chi_square:.2f}, p = {check.p_value:.3g} "
            f"(a mismatch needs p < {check.threshold:g}). Users per arm: {users}.",
            icon=":material/check_circle:",
        )


def _show_primary_decisions(report: ExperimentReport) -> None:
    primary = [item for item in report.comparisons if item.role == "primary"]
    for item in primary:
        with st.container(border=True):
            st.markdown(f"**{escape_markdown(item.variant)}** against the control")
            if item.test is None or item.bayesian is None:
                st.warning(escape_markdown(item.error or "Not tested."), icon=":material/block:")
                continue
            lift, p_value, beats, loss = st.columns(4)
            lift.metric("Absolute lift", f"{item.test.absolute_lift * 100:+.2f} pp")
            p_value.metric("p-value", f"{item.test.p_value:.4g}")
            beats.metric("P(beats control)", _percent(item.bayesian.probability_to_beat_control, 1))
            loss.metric(
                "Expected loss",
                f"{item.bayesian.expected_loss_treatment * 100:.3f} pp",
                help="Average conversion-rate points lost by shipping this treatment, over "
                "the posterior; 0 when it surely beats the control.",
            )
            st.markdown(escape_markdown(item.test.decision))


def _show_guardrails(report: ExperimentReport) -> None:
    for item in report.comparisons:
        if item.guardrail is None:
            continue
        text = f"**{escape_markdown(item.metric)}**, {escape_markdown(item.variant)}: "
        text += escape_markdown(item.guardrail.message)
        if item.guardrail.flagged:
            st.warning(text, icon=":material/flag:")
        else:
            st.success(text, icon=":material/verified:")


def _analysis_section(url_values: dict[str, Any], alpha: float) -> None:
    mode = choice_input(PAGE_ID, MODE, url_values, labels=MODE_LABELS)
    try:
        counts = _form_counts(url_values) if mode == "form" else _csv_counts()
    except ValueError as error:
        show_input_error(ValueError(escape_markdown(str(error))), "the results")
        return

    split_text = st.text_input(
        "Planned split",
        "",
        placeholder="equal, or for example " + "/".join(["50"] * len(counts.variants)),
        key=f"{PAGE_ID}__split",
        help="Planned share of users per variant, in variant order, such as 20/80. Empty "
        "means equal.",
    )
    try:
        planned_split = parse_planned_split(split_text, len(counts.variants))
        primary, guardrails = _metric_roles(counts)
        report = _analyze(counts, alpha, primary, guardrails, planned_split)
    except ValueError as error:
        show_input_error(ValueError(escape_markdown(str(error))), "the results")
        return

    st.subheader("Sample ratio")
    _show_sample_ratio(report)

    st.subheader(f"Primary metric: {escape_markdown(report.primary_metric)}")
    _show_primary_decisions(report)
    st.caption(
        "The p-value is the two-proportion z-test (pooled variance; z² equals the χ² of the "
        "2×2 table without continuity correction). The intervals use the unpooled variance, "
        "and the relative one the delta method. P(beats control) and the expected loss are the "
        "Bayesian summaries that GrowthBook shows by default; here they come from "
        "Beta(1 + conversions, 1 + non-conversions) posteriors."
    )

    st.subheader("All results")
    st.table(_results_table(report))
    if any(item.test is not None for item in report.comparisons):
        chart = lift_interval_chart(report.comparisons_frame(), report.alpha)
        st.altair_chart(chart, theme="streamlit", width="stretch")

    if any(item.guardrail is not None for item in report.comparisons):
        st.subheader("Guardrails")
        _show_guardrails(report)

    st.subheader("Several metrics and variants")
    st.table(_adjusted_table(report))
    st.caption(
        f"Each test alone has a {alpha:g} chance of a false positive, so with many tests "
        "some win by chance. Bonferroni and Holm keep the chance of any false positive at "
        f"α = {alpha:g}; Benjamini-Hochberg keeps the expected share of false positives among "
        "the wins at α, so it rejects more. A result survives when its adjusted p-value is "
        "at most α."
    )


def _change_metric(label: str, value: int, baseline: int) -> None:
    """Show ``value`` with its change from the sizing plan; more users or days show in red."""
    change = value - baseline
    delta = f"{change:+,} vs. the plan" if change else "same as the plan"
    st.metric(label, f"{value:,}", delta=delta, delta_color="inverse" if change else "off")


def _design_section(url_values: dict[str, Any], alpha: float) -> None:
    sizing_values = {param.key: url_values.get(param.key, shared_value(param.key)) for param in ALL_PARAMS}
    sizing_values["alpha"] = alpha
    write_query_params(ALL_PARAMS, sizing_values)
    scenario = scenario_from_values(sizing_values)
    try:
        plan = plan_experiment(scenario)
    except ValueError as error:
        show_input_error(error, "the sizing scenario")
        return

    unit = "pp" if not scenario.mde_relative else "% of the baseline"
    mde_shown = f"{scenario.mde * 100:g} {unit}"
    st.markdown(
        f"Scenario of the sample-size page: baseline {scenario.baseline_rate * 100:g}%, MDE "
        f"{mde_shown}, power {scenario.power * 100:g}%, α = {scenario.alpha:g}, "
        f"{scenario.n_treatments} treatment(s), {scenario.daily_traffic_per_variant:,} users per "
        f"variant per day. It needs **{plan.n_per_variant:,} users per variant** and "
        f"**{plan.days_to_run:,} days**."
    )
    st.page_link("pages/ab_sample_size.py", label="Change the scenario on the sample-size page",
                 icon=":material/calculate:")

    cluster_column, cuped_column = st.columns(2)
    with cluster_column.container(border=True):
        st.markdown("**Network effects: randomize clusters**")
        size = number_input(PAGE_ID, CLUSTER_SIZE, url_values)
        icc = number_input(PAGE_ID, ICC, url_values)
        effect = design_effect(size, icc)
        inflated = scale_sample_size(
            plan.n_per_variant, effect, scenario.n_treatments + 1, scenario.daily_traffic_per_variant
        )
        days = inflated.days_full_weeks if scenario.full_weeks else inflated.days_exact
        st.metric("Design effect 1 + (m − 1)·ICC", f"{effect:.4g}")
        _change_metric("Users per variant", inflated.n_per_variant, plan.n_per_variant)
        _change_metric("Days to run", days, plan.days_to_run)
        st.caption(
            f"When users influence each other (shared feeds, marketplaces, teams), randomize whole "
            f"clusters. Users in one cluster are alike, so each carries less information: n grows "
            f"by the design effect, here to about {math.ceil(inflated.n_per_variant / size):,} "
            "clusters per variant."
        )
    with cuped_column.container(border=True):
        st.markdown("**CUPED: adjust for the pre-experiment metric**")
        rho = number_input(PAGE_ID, RHO, url_values)
        factor = cuped_variance_factor(rho)
        reduced = scale_sample_size(
            plan.n_per_variant, factor, scenario.n_treatments + 1, scenario.daily_traffic_per_variant
        )
        days = reduced.days_full_weeks if scenario.full_weeks else reduced.days_exact
        st.metric("Variance factor 1 − ρ²", f"{factor:.4g}")
        _change_metric("Users per variant", reduced.n_per_variant, plan.n_per_variant)
        _change_metric("Days to run", days, plan.days_to_run)
        st.caption(
            "CUPED (Deng, Xu, Kohavi & Walker, 2013) subtracts the part of the metric that the "
            "same user's pre-experiment value predicts. The variance, and so the required n, "
            "shrinks by 1 − ρ²; new users without history gain nothing."
        )


st.title("Analyze results")
st.caption(
    "Read a finished A/B test: significance and intervals, the Bayesian view, sample ratio "
    "mismatch, several metrics and guardrails. Then see the design choices that change n."
)

url_values = read_query_params((*PAGE_PARAMS, *ALL_PARAMS))
alpha = number_input(PAGE_ID, ALPHA, url_values)
analysis_tab, design_tab = st.tabs(["Analyze a finished test", "Design choices that change n"])
with analysis_tab:
    _analysis_section(url_values, alpha)
with design_tab:
    _design_section(url_values, alpha)
write_query_params(PAGE_PARAMS, {
    key: st.session_state[f"{PAGE_ID}__{key}"]
    for key in (param.key for param in PAGE_PARAMS)
    if f"{PAGE_ID}__{key}" in st.session_state
})
