"""Peeking simulator: why stopping at the first p < alpha inflates false positives, and the fixes."""

from __future__ import annotations

import dataclasses
import logging
import time

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.router import ensure_routed

ensure_routed()

from charts.peeking import BoundaryMarks, false_positive_chart, to_vega_lite_spec, trajectory_chart
from core.ab.peeking import (
    MAX_LOOKS_PER_DAY,
    RULE_NAMES,
    MonteCarloResult,
    Trajectory,
    analysis_indices,
    build_look_schedule,
    check_rates,
    first_significant_index,
    horizon_index,
    merge_monte_carlo_results,
    reaches_planned_n,
    simulate_experiment,
    simulate_stopping_rules,
    summarize_trade_offs,
)
from core.ab.sequential import (
    MAX_INTEGRATION_LOOKS,
    group_sequential_boundaries,
    msprt_mixing_variance,
    nominal_p_thresholds,
    repeated_testing_error,
)
from core.ab.sample_size import plan_experiment
from ui.ab_inputs import scenario_from_values, sizing_inputs
from ui.messages import show_input_error
from ui.narration import narrate
from ui.query import BoolParam, NumberParam, number_input, read_query_params, toggle_input, widget_key, write_query_params

logger = logging.getLogger(__name__)

MONTE_CARLO_RUNS = 10_000
MONTE_CARLO_BATCHES = 10
# A fixed Monte Carlo seed keeps the table and the risk metric stable when "New experiment"
# draws another single trajectory.
MONTE_CARLO_SEED = 20_260_101
MAX_ANALYSES = 20
# The experiment length may go up to twice the plan, and never less than two weeks.
DAYS_LIMIT_FLOOR = 14
PAGE_ID = "ab_peeking"

# When each stopping rule checks the test, for the trade-off table; {k} is the number of analyses.
RULE_LOOKS = {
    "fixed_horizon": "once, at the planned n",
    "naive_peeking": "every look, at nominal α",
    "pocock": "{k} analyses, same threshold",
    "obrien_fleming": "{k} analyses, strict early",
    "msprt": "every look, always-valid p",
}

LIFT = NumberParam(
    "lift", "True lift (simulate)", 2.0, -100.0, 100.0, 0.5, format="%.2f",
    help="Difference treatment minus control, in percentage points, that the simulation "
    "draws from. 0 is an A/A test with no effect at all.",
)
LOOKS_PER_DAY = NumberParam(
    "looks", "Looks per day", 24, 0, MAX_LOOKS_PER_DAY, 1, integer=True,
    help=f"How often someone checks the p-value: 1 is daily, {MAX_LOOKS_PER_DAY} is hourly.",
)
SEED = NumberParam(
    "seed", "Random seed", 1, 0, 2**31 - 1, 1, integer=True,
    help="The same seed and inputs always give the same simulated experiment.",
)
ANALYSES = NumberParam(
    "analyses", "Analyses (Pocock, O'Brien-Fleming)", 5, 1, MAX_ANALYSES, 1, integer=True,
    help="Number K of equally spaced analyses of the group sequential designs, planned before the start.",
)
LOG_SCALE = BoolParam("log", "Log scale for p-values", True, help="Show the p-value axis on a log scale.")


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_trajectory(
    baseline_rate: float,
    true_lift: float,
    daily_traffic: float,
    looks_per_day: int,
    experiment_days: float,
    seed: int,
    mixing_variance: float,
) -> Trajectory:
    schedule = build_look_schedule(daily_traffic, looks_per_day, experiment_days)
    return simulate_experiment(baseline_rate, true_lift, schedule, seed, mixing_variance)


@st.cache_data(max_entries=640, ttl=3600, show_spinner=False)
def cached_monte_carlo_batch(
    baseline_rate: float,
    true_lift: float,
    daily_traffic: float,
    looks_per_day: int,
    experiment_days: float,
    alpha: float,
    horizon: int,
    n_analyses: int,
    mixing_variance: float,
    batch: int,
) -> MonteCarloResult:
    schedule = build_look_schedule(daily_traffic, looks_per_day, experiment_days)
    return simulate_stopping_rules(
        baseline_rate,
        true_lift,
        schedule,
        alpha=alpha,
        horizon=horizon,
        n_analyses=n_analyses,
        mixing_variance=mixing_variance,
        n_runs=MONTE_CARLO_RUNS // MONTE_CARLO_BATCHES,
        seed=MONTE_CARLO_SEED,
        batch=batch,
    )


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_boundaries(n_analyses: int, alpha: float, method: str) -> np.ndarray:
    return group_sequential_boundaries(n_analyses, alpha, method)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_repeated_testing_error(n_looks: int, alpha: float) -> np.ndarray:
    return repeated_testing_error(n_looks, alpha)


# Charts are cached as Vega-Lite dicts: converting the layered Altair charts on every rerun
# took most of the page's 200 ms budget for a warm rerun.
@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_trajectory_spec(
    baseline_rate: float,
    true_lift: float,
    daily_traffic: float,
    looks_per_day: int,
    experiment_days: float,
    seed: int,
    mixing_variance: float,
    alpha: float,
    planned_n: int,
    n_analyses: int,
    log_scale: bool,
) -> dict:
    schedule = build_look_schedule(daily_traffic, looks_per_day, experiment_days)
    trajectory = cached_trajectory(
        baseline_rate, true_lift, daily_traffic, looks_per_day, experiment_days, seed, mixing_variance
    )
    horizon = horizon_index(schedule, planned_n)
    analyses = analysis_indices(schedule.n_looks, n_analyses)
    boundaries = []
    for label, method in (("Pocock threshold", "pocock"), ("O'Brien-Fleming threshold", "obrien_fleming")):
        thresholds = nominal_p_thresholds(cached_boundaries(analyses.size, alpha, method))
        boundaries.append(BoundaryMarks(label, schedule.days[analyses], thresholds))
    chart = trajectory_chart(
        trajectory,
        alpha=alpha,
        horizon_day=float(schedule.days[horizon]) if reaches_planned_n(schedule, planned_n) else None,
        planned_n=planned_n,
        peek_index=first_significant_index(trajectory.p_value, alpha, before_index=horizon),
        boundaries=boundaries,
        log_scale=log_scale,
    )
    return to_vega_lite_spec(chart)


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def cached_false_positive_spec(rejection_by_look: np.ndarray, n_runs: int, alpha: float, exact_looks: int) -> dict:
    chart = false_positive_chart(
        rejection_by_look,
        n_runs=n_runs,
        alpha=alpha,
        exact_by_look=cached_repeated_testing_error(exact_looks, alpha),
    )
    return to_vega_lite_spec(chart)


def run_monte_carlo(label: str, progress_text: str, **scenario) -> MonteCarloResult:
    """Run the cached Monte Carlo batches of one scenario behind a progress bar."""
    start = time.perf_counter()
    bar = st.progress(0.0, text=progress_text)
    batches = []
    for batch in range(MONTE_CARLO_BATCHES):
        batches.append(cached_monte_carlo_batch(batch=batch, **scenario))
        bar.progress((batch + 1) / MONTE_CARLO_BATCHES, text=progress_text)
    bar.empty()
    logger.info("Monte Carlo %s: %d runs in %.3f s", label, MONTE_CARLO_RUNS, time.perf_counter() - start)
    return merge_monte_carlo_results(batches)


def format_rate(rate: float | None, standard_error: float | None) -> str:
    if rate is None or standard_error is None:
        return "—"
    return f"{rate:.1%} ± {1.96 * standard_error:.1%}"


def format_day(day: float) -> str:
    """Format a look time in days with at most two decimals (0.33 for hour 8)."""
    return f"{day:.2f}".rstrip("0").rstrip(".")


def format_n(n_per_variant: float | None) -> str:
    return "—" if n_per_variant is None else f"{n_per_variant:,.0f}"


def narration_values(
    *,
    trajectory: Trajectory,
    null: MonteCarloResult,
    n_looks: int,
    horizon: int,
    reached: bool,
    peek_index: int | None,
    alpha: float,
    true_lift: float,
    looks_per_day: int,
    experiment_days: float,
    n_analyses: int,
) -> dict[str, object]:
    """Return the numbers the narration speaks; None drops a sentence that does not apply."""
    horizon_p = float(trajectory.p_value[horizon])
    peek_day = None if peek_index is None else float(trajectory.days[peek_index])
    # An early stop reads better in hours within the first two days, and in days after.
    early = peek_day is not None and peek_day < 2
    return {
        "experiment_days": experiment_days,
        "looks_per_day": looks_per_day,
        "n_looks": n_looks,
        "true_lift": true_lift,
        "final_p": horizon_p if reached else None,
        "final_p_short": None if reached else horizon_p,
        "peek_stop_hours": round(peek_day * 24) if early else None,
        "peek_stop_day": round(peek_day, 1) if peek_day is not None and not early else None,
        "n_runs": null.n_runs,
        "alpha": alpha,
        "naive_fpr": null.outcomes["naive_peeking"].rejection_rate,
        "n_analyses": n_analyses,
        "pocock_fpr": null.outcomes["pocock"].rejection_rate,
        "obf_fpr": null.outcomes["obrien_fleming"].rejection_rate,
        "msprt_fpr": null.outcomes["msprt"].rejection_rate,
    }


def render_page(
    *,
    narration: DeltaGenerator,
    baseline_rate: float,
    mde_absolute: float,
    alpha: float,
    daily_traffic: float,
    planned_n: int,
    true_lift: float,
    looks_per_day: int,
    experiment_days: float,
    seed: int,
    n_analyses: int,
    log_scale: bool,
) -> None:
    """Simulate and draw everything below the inputs, or show why the inputs are invalid."""
    try:
        check_rates(baseline_rate, true_lift)
        schedule = build_look_schedule(daily_traffic, looks_per_day, experiment_days)
        analyses = analysis_indices(schedule.n_looks, n_analyses)
    except ValueError as error:
        show_input_error(error, "the simulation")
        return

    mixing_variance = msprt_mixing_variance(mde_absolute)
    horizon = horizon_index(schedule, planned_n)
    if not reaches_planned_n(schedule, planned_n):
        st.warning(
            f"The experiment ends on day {experiment_days:g} with {schedule.n_per_variant[-1]:,} users per "
            f"variant, before the planned {planned_n:,}. It is underpowered, and the fixed-horizon test "
            "runs at the last look instead."
        )

    scenario = dict(
        daily_traffic=daily_traffic,
        looks_per_day=looks_per_day,
        experiment_days=experiment_days,
        mixing_variance=mixing_variance,
    )
    trajectory = cached_trajectory(baseline_rate, true_lift, seed=seed, **scenario)
    peek_index = first_significant_index(trajectory.p_value, alpha, before_index=horizon)

    pocock = cached_boundaries(analyses.size, alpha, "pocock")
    obrien_fleming = cached_boundaries(analyses.size, alpha, "obrien_fleming")

    st.header("One simulated experiment")
    metric_slots = [*st.columns(3), st.empty()]
    st.vega_lite_chart(
        cached_trajectory_spec(
            baseline_rate,
            true_lift,
            seed=seed,
            alpha=alpha,
            planned_n=planned_n,
            n_analyses=n_analyses,
            log_scale=log_scale,
            **scenario,
        ),
        theme="streamlit",
        width="stretch",
    )
    st.caption(
        f"The blue line is the p-value a dashboard shows after each look. The shaded region before "
        "the required n boundary is the danger zone: the test has not reached its planned sample "
        f"size, and a p-value below α there is noise far more often than the {alpha:g} a single "
        "test promises. Triangles are the Pocock and O'Brien-Fleming thresholds at their analyses, and "
        "the green line is the mSPRT p-value, which may be checked at every look."
    )

    scenario_mc = dict(
        scenario,
        baseline_rate=baseline_rate,
        alpha=alpha,
        horizon=horizon,
        n_analyses=int(analyses.size),
    )
    null = run_monte_carlo(
        "A/A",
        f"Simulating {MONTE_CARLO_RUNS:,} A/A experiments with {schedule.n_looks:,} looks each",
        true_lift=0.0,
        **scenario_mc,
    )
    lift = None
    if true_lift != 0.0:
        lift = run_monte_carlo(
            "true lift",
            f"Simulating {MONTE_CARLO_RUNS:,} experiments with a true lift of {true_lift * 100:g} points",
            true_lift=true_lift,
            **scenario_mc,
        )

    render_metrics(
        metric_slots,
        trajectory,
        null,
        alpha=alpha,
        horizon=horizon,
        peek_index=peek_index,
        true_lift=true_lift,
        n_looks=schedule.n_looks,
    )
    with narration:
        narrate(PAGE_ID, narration_values(
            trajectory=trajectory,
            null=null,
            n_looks=schedule.n_looks,
            horizon=horizon,
            reached=reaches_planned_n(schedule, planned_n),
            peek_index=peek_index,
            alpha=alpha,
            true_lift=true_lift,
            looks_per_day=looks_per_day,
            experiment_days=experiment_days,
            n_analyses=int(analyses.size),
        ))

    st.header("Monte Carlo of A/A tests")
    exact_looks = min(schedule.n_looks, MAX_INTEGRATION_LOOKS // 2)
    st.vega_lite_chart(
        cached_false_positive_spec(null.naive_rejection_by_look, null.n_runs, alpha, exact_looks),
        theme="streamlit",
        width="stretch",
    )
    st.markdown(
        f"""
Each of the {MONTE_CARLO_RUNS:,} simulated experiments has **no effect at all**, yet the share
that shows p < α at some look climbs with every extra look. The looks are **correlated**: the
data at look 10 contain all the data of look 9, so the tests are not independent and
1 − (1 − α)^K overstates the rate. But they are not the same test either, so every look adds
a new chance for noise to cross the line. With large samples per look the exact rates
(Armitage, McPherson & Rowe 1969) are 8.3% for 2 looks, 14.2% for 5, 19.3% for 10, 24.8% for
20 and 37.4% for 100, at α = 0.05. The dashed line is that exact curve, computed by numerical
integration here for up to {MAX_INTEGRATION_LOOKS // 2} looks, and the shaded band is the
95% Monte Carlo interval.
"""
    )

    render_fixes(
        null,
        lift,
        schedule_days=schedule.days,
        analyses=analyses,
        pocock=pocock,
        obrien_fleming=obrien_fleming,
        mde_absolute=mde_absolute,
        alpha=alpha,
        planned_n=planned_n,
    )
    render_guidance()


# Below this the normal tail underflows to 0 in float64, and a p-value of exactly 0
# would claim certainty.
_SMALLEST_SHOWN_P = 1e-300


def _format_p(p_value: float, *, with_sign: bool = False) -> str:
    """Format a p-value with three significant digits, or as "< 1e-300" when it underflows."""
    if p_value < _SMALLEST_SHOWN_P:
        return f"< {_SMALLEST_SHOWN_P:.0e}"
    text = f"{p_value:.3g}"
    return f"= {text}" if with_sign else text


def render_metrics(
    slots,
    trajectory: Trajectory,
    null: MonteCarloResult,
    *,
    alpha: float,
    horizon: int,
    peek_index: int | None,
    true_lift: float,
    n_looks: int,
) -> None:
    horizon_p = float(trajectory.p_value[horizon])
    significant = horizon_p < alpha
    slots[0].metric(
        "Simulated p",
        _format_p(horizon_p),
        help=f"Two-sided z-test p-value at the planned horizon, day {format_day(trajectory.days[horizon])}.",
    )

    verdict = "Significant" if significant else "Not significant"
    if true_lift == 0.0 and significant:
        verdict = "Significant (a false positive: this is an A/A test)"
    if peek_index is None:
        peeker_short = "Peeker: no early stop"
        peeker = "A peeker who stops at the first p < α would not have stopped before the planned n."
    else:
        peek_day = format_day(trajectory.days[peek_index])
        direction = "winner" if trajectory.z[peek_index] > 0 else "loser"
        peeker_short = f"Peeker: stopped on day {peek_day}"
        peek_p = _format_p(float(trajectory.p_value[peek_index]), with_sign=True)
        peeker = (
            f"A peeker who stops at the first p < α would have stopped on day {peek_day} "
            f"(p {peek_p}) and declared the treatment a {direction}"
        )
        peeker += ", which is a false positive here because the true lift is 0." if true_lift == 0.0 else "."
    slots[1].metric(
        "Result",
        verdict,
        delta=peeker_short,
        delta_color="off",
        delta_arrow="off",
        help="Decision of one test at the planned horizon, and what stopping at the first p < α would have concluded.",
    )
    slots[3].info(peeker)

    risk = null.outcomes["naive_peeking"].rejection_rate
    slots[2].metric(
        "Peeking risk",
        f"{risk:.1%}",
        delta=f"planned α {alpha:.1%}",
        delta_color="off",
        delta_arrow="off",
        help=(
            f"Share of {null.n_runs:,} simulated A/A tests with p < α at one of the {n_looks:,} looks, "
            "the false-positive rate of stopping at the first p < α."
        ),
    )


def render_fixes(
    null: MonteCarloResult,
    lift: MonteCarloResult | None,
    *,
    schedule_days: np.ndarray,
    analyses: np.ndarray,
    pocock: np.ndarray,
    obrien_fleming: np.ndarray,
    mde_absolute: float,
    alpha: float,
    planned_n: int,
) -> None:
    st.header("The fix: sequential tests")
    k = analyses.size
    st.markdown(
        f"""
**Group sequential designs** fix the number of analyses in advance (here K = {k}, equally
spaced up to the end of the experiment) and raise the bar at each of them, so that the chance
of crossing at any analysis under no effect is exactly α. The constants below are computed by
numerical integration of the joint normal distribution of the look statistics. For α = 0.05
they reproduce Jennison & Turnbull (2000): Pocock 2.178 (K = 2) and 2.413 (K = 5),
O'Brien-Fleming 1.977 (K = 2) and 2.040 (K = 5).
"""
    )
    boundaries = pd.DataFrame(
        {
            "Analysis": np.arange(1, k + 1),
            "Day": schedule_days[analyses],
            "Pocock |z| ≥": pocock,
            "Pocock p <": nominal_p_thresholds(pocock),
            "O'Brien-Fleming |z| ≥": obrien_fleming,
            "O'Brien-Fleming p <": nominal_p_thresholds(obrien_fleming),
        }
    )
    st.dataframe(
        boundaries,
        hide_index=True,
        column_config={
            "Day": st.column_config.NumberColumn(format="%.2f"),
            "Pocock |z| ≥": st.column_config.NumberColumn(format="%.3f"),
            "O'Brien-Fleming |z| ≥": st.column_config.NumberColumn(format="%.3f"),
            "Pocock p <": st.column_config.NumberColumn(format="%.2e"),
            "O'Brien-Fleming p <": st.column_config.NumberColumn(format="%.2e"),
        },
    )

    st.markdown(
        f"""
**The mixture sequential probability ratio test** (mSPRT; Johari, Koomen, Pekelis & Walsh,
"Peeking at A/B Tests", KDD 2017) turns the evidence into an always-valid p-value that may be
checked after every look: under no effect, the chance that it *ever* drops below α is at most
α. It averages the likelihood ratio over a normal prior N(0, τ²) on the true difference. Here
τ equals the planned minimum detectable effect, {mde_absolute * 100:g} percentage points
(τ² = {mde_absolute ** 2:.2e}): the MDE is the effect size the test was planned for, so the
prior puts most of its weight on effects of that size and smaller. A much smaller τ reacts
slowly to real effects, and a much larger one wastes evidence on effects that never happen.
The variance uses the pooled conversion rate at each look, so the guarantee is approximate in
small samples. The table below measures it.
"""
    )

    st.subheader("Trade-offs per rule")
    rows = summarize_trade_offs(null, lift)
    table = pd.DataFrame(
        {
            "Rule": [RULE_NAMES[row.rule] for row in rows],
            "Checks": [RULE_LOOKS[row.rule].format(k=k) for row in rows],
            "False-positive rate (A/A)": [format_rate(row.false_positive_rate, row.false_positive_se) for row in rows],
            "Power": [format_rate(row.power, row.power_se) for row in rows],
            "Expected n (A/A)": [format_n(row.expected_n_null) for row in rows],
            "Expected n (true lift)": [format_n(row.expected_n_lift) for row in rows],
        }
    )
    # A static table wraps its headers, so all six columns fit the page without scrolling.
    st.table(table.set_index("Rule"))
    no_power = " Power is blank because the true lift is 0 (an A/A test)." if lift is None else ""
    st.caption(
        f"{null.n_runs:,} simulated experiments per scenario, and ± is the 95% Monte Carlo interval. "
        f"Power is the share of experiments with the true lift that the rule declares significant. "
        f"Expected n is the mean number of users per variant when the rule stops (planned n: "
        f"{planned_n:,}). A corrected rule above α = {alpha:g} by less than its interval is within "
        f"Monte Carlo noise or the discreteness of small samples per look.{no_power}"
    )


def render_guidance() -> None:
    st.header("What to do instead of peeking")
    st.markdown(
        """
- **Decide the sample size up front and test once** (fixed horizon) when nobody needs an early
  decision: it has the most power for its sample size.
- **Pick O'Brien-Fleming** when you want the option to stop early for a large effect. It barely
  spends α at the first analyses, so the final test is almost the fixed one.
- **Pick Pocock** when an early stop matters more than the final analysis: it stops earlier on
  average but needs a larger maximum sample for the same power.
- **Pick the mSPRT** when dashboards are watched continuously and nobody can promise a fixed
  schedule of analyses. The price is less power at the planned n.
- **Run full weeks.** Users behave differently on weekdays and weekends, so stop only on a
  whole number of weeks, even when a sequential rule allows an earlier stop.
- **One primary metric, plus guardrails.** Decide on one metric before the start, and watch
  guardrail metrics (errors, latency, revenue) only to catch harm. Testing many metrics at
  every look multiplies the false positives again.
"""
    )


def days_param(planned_days: int) -> NumberParam:
    """Return the experiment-length input, whose default and range follow the plan."""
    return NumberParam(
        "days", "Experiment length (days)", float(planned_days), 0.0, float(max(2 * planned_days, DAYS_LIMIT_FLOOR)),
        1.0, format="%.1f",
        help=f"Days the simulated experiment runs. The plan needs {planned_days} days, and "
        "up to twice that shows what happens when a test runs on.",
    )


def follow_plan(days_key: str, planned_days: int) -> None:
    """Reset the experiment length to the planned duration when the plan changes."""
    plan_key = f"{PAGE_ID}__planned_days"
    previous = st.session_state.get(plan_key)
    if previous is not None and previous != planned_days:
        st.session_state[days_key] = float(planned_days)
    st.session_state[plan_key] = planned_days


def next_seed(seed_key: str) -> None:
    st.session_state[seed_key] = int(st.session_state[seed_key]) % SEED.max_value + 1


run_start = time.perf_counter()
st.title("Peeking simulator")
st.caption(
    "Why stopping an A/B test the first time p < α inflates false positives, "
    "and which sequential tests let you look early without paying for it."
)
# Filled once the simulation has run, but shown above the inputs.
narration = st.container()

values = sizing_inputs(PAGE_ID, design=False)
# The simulation compares one treatment with control in two-sided tests, whatever the
# sizing page chose for sides and variants.
scenario = dataclasses.replace(scenario_from_values(values), two_sided=True, n_treatments=1)
try:
    plan = plan_experiment(scenario)
except ValueError as error:
    show_input_error(error, "the planned sample size")
    st.stop()

planned_days = plan.days_to_run
days = days_param(planned_days)
simulation_params = (LIFT, LOOKS_PER_DAY, days, SEED, ANALYSES, LOG_SCALE)
url_values = read_query_params(simulation_params)
follow_plan(widget_key(PAGE_ID, days), planned_days)

with st.container(border=True):
    first, second, third = st.columns(3)
    simulation = {
        "lift": number_input(PAGE_ID, LIFT, url_values, first),
        "looks": number_input(PAGE_ID, LOOKS_PER_DAY, url_values, second),
        "days": number_input(PAGE_ID, days, url_values, third),
    }
    first, second, third = st.columns(3)
    seed_key = widget_key(PAGE_ID, SEED)
    simulation["seed"] = number_input(PAGE_ID, SEED, url_values, first)
    with second:
        simulation["analyses"] = number_input(PAGE_ID, ANALYSES, url_values)
    with third:
        st.button(
            "New experiment",
            icon=":material/casino:",
            on_click=next_seed,
            args=(seed_key,),
            help="Draw another experiment with the next seed.",
        )
        simulation["log"] = toggle_input(PAGE_ID, LOG_SCALE, url_values)
write_query_params(simulation_params, simulation)

st.caption(
    f"Plan: {plan.n_per_variant:,} users per variant, reached on day {plan.days_exact} at "
    f"{scenario.daily_traffic_per_variant:,} users per variant per day (two-sided α = {scenario.alpha:g}, "
    f"power {scenario.power:.0%}, one treatment)."
)

render_page(
    narration=narration,
    baseline_rate=scenario.baseline_rate,
    mde_absolute=scenario.treatment_rate - scenario.baseline_rate,
    alpha=scenario.alpha,
    daily_traffic=float(scenario.daily_traffic_per_variant),
    planned_n=plan.n_per_variant,
    true_lift=simulation["lift"] / 100.0,
    looks_per_day=simulation["looks"],
    experiment_days=simulation["days"],
    seed=simulation["seed"],
    n_analyses=simulation["analyses"],
    log_scale=simulation["log"],
)
logger.info("Peeking page ran in %.3f s", time.perf_counter() - run_start)
