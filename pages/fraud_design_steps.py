"""Fraud design steps page: an eight-step ML system design, each step tied to the live model."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui.router import ensure_routed

ensure_routed()

from charts.fraud_steps import (
    class_balance_chart,
    cost_curve_chart,
    drift_recall_chart,
    feature_importance_chart,
    label_timeline_chart,
    latency_budget_chart,
    latency_histogram_chart,
    precision_recall_chart,
)
from core.fraud.model import MODEL_NAMES, FraudModels
from core.fraud.step_artifacts import (
    ASSUMED_BUDGET_MS,
    DriftView,
    LatencyBudget,
    base_rates,
    daily_class_balance,
    decision_bands,
    drift_view,
    feature_table,
    latency_budget,
    model_comparison,
    threshold_tradeoff,
)
from core.fraud.steps import N_STEPS, DesignStep, default_steps
from ui.fraud_inputs import (
    COST_RATIO,
    THRESHOLD,
    cost_ratio_slider,
    load_fraud_models,
    ratio_multiplier,
    threshold_slider,
)
from ui.links import link_if_listed
from ui.messages import show_input_error
from ui.narration import narrate
from ui.query import NumberParam, read_query_params, shared_store, widget_key, write_query_params

PAGE_ID = "fraud_design_steps"
STEP = NumberParam("step", "Design step", 1, 1, N_STEPS, 1, integer=True)
# Example policy of step 2: review from the first threshold, block from the second.
REVIEW_THRESHOLD = 0.10
BLOCK_THRESHOLD = 0.50
# The drift view replays the test period with drift from this many days after its start.
DRIFT_OFFSET_DAYS = 5
DRIFT_THRESHOLD = 0.50
# PSI below this is usually read as a stable distribution.
PSI_STABLE = 0.1


@st.cache_data(max_entries=4, ttl=3600, show_spinner="Comparing the rule set and the three models…")
def _comparison(_models: FraudModels, seed: int, fraud_rate: float) -> pd.DataFrame:
    return model_comparison(_models)


@st.cache_data(max_entries=4, ttl=3600, show_spinner="Measuring permutation importance on the test period…")
def _importance(_models: FraudModels, seed: int, fraud_rate: float) -> pd.DataFrame:
    return _models.permutation_importance()


@st.cache_data(max_entries=8, ttl=600, show_spinner="Timing 200 scoring calls…")
def _latency(_models: FraudModels, seed: int, fraud_rate: float, run: int) -> LatencyBudget:
    return latency_budget(_models)


@st.cache_data(max_entries=4, ttl=3600, show_spinner="Replaying the test period with the drift scenario…")
def _drift(_models: FraudModels, seed: int, fraud_rate: float, drift_start_day: int, threshold: float) -> DriftView:
    return drift_view(_models, drift_start_day, threshold)


def _cache_key(models: FraudModels) -> tuple[int, float]:
    return models.config.seed, models.config.fraud_rate


def _step_label(step: DesignStep) -> str:
    return f"{step.number} {step.short}"


def _restore_step(key: str, last_key: str) -> None:
    """Keep the current step selected when the user clicks it again (which deselects it)."""
    if st.session_state[key] is None:
        st.session_state[key] = st.session_state.get(last_key, STEP.default)


def _move_step(key: str, number: int) -> None:
    st.session_state[key] = number


def choose_step(steps: tuple[DesignStep, ...]) -> int:
    """Draw the step diagram, the chosen step taken from the URL, and return the step number."""
    url_values = read_query_params([STEP])
    key = widget_key(PAGE_ID, STEP)
    last_key = f"{key}__last"
    if key not in st.session_state:
        st.session_state[key] = url_values.get("step", shared_store().get("step", STEP.default))
    labels = {step.number: _step_label(step) for step in steps}
    number = st.segmented_control(
        STEP.label,
        list(labels),
        format_func=labels.get,
        key=key,
        on_change=_restore_step,
        args=(key, last_key),
        label_visibility="collapsed",
        width="stretch",
    )
    if number is None:
        number = st.session_state.get(last_key, STEP.default)
    st.session_state[last_key] = number
    shared_store()["step"] = number
    write_query_params([STEP], {"step": number})
    return int(number)


def render_text(step: DesignStep) -> None:
    st.header(f"{step.number}. {step.title}")
    st.markdown(step.intro)
    left, right = st.columns(2)
    with left:
        st.subheader(":material/rule: Decisions")
        st.markdown(step.sections["Decisions"])
    with right:
        st.subheader(":material/balance: Trade-offs")
        st.markdown(step.sections["Trade-offs"])
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown("**:material/pin: Numbers worth remembering**")
        st.markdown(step.sections["Numbers worth remembering"])
    with right.container(border=True):
        st.markdown("**:orange[:material/report: Common interview mistake]**")
        st.markdown(step.sections["Common interview mistake"])


def render_clarify(models: FraudModels) -> dict[str, Any]:
    rates = base_rates(models.stream, models.config.n_days)
    columns = st.columns(5)
    columns[0].metric("Transactions per day", f"{rates.transactions_per_day:,.0f}")
    columns[1].metric("Frauds per day", f"{rates.frauds_per_day:,.1f}")
    columns[2].metric("Fraud rate", f"{rates.fraud_rate:.3%}")
    columns[3].metric("Fraud share of dollars", f"{rates.fraud_amount_share:.2%}",
                      help="Frauds are larger than typical purchases, so their dollar share exceeds their count share.")
    columns[4].metric("Accuracy of approving everything", f"{rates.accuracy_approve_all:.2%}",
                      help="This model catches no fraud, so accuracy cannot tell good models from useless ones here.")
    return {
        "transactions_per_day": round(rates.transactions_per_day),
        "frauds_per_day": rates.frauds_per_day,
        "fraud_rate": rates.fraud_rate,
        "fraud_amount_share": rates.fraud_amount_share,
        "accuracy_approve_all": rates.accuracy_approve_all,
    }


def render_frame(models: FraudModels) -> dict[str, Any]:
    bands = decision_bands(models.y_test, models.test_scores, REVIEW_THRESHOLD, BLOCK_THRESHOLD,
                           models.split.test_days)
    st.dataframe(
        bands,
        hide_index=True,
        width="stretch",
        column_config={
            "decision": "Decision",
            "transactions_per_day": st.column_config.NumberColumn("Transactions per day", format="%.1f"),
            "transaction_share": st.column_config.NumberColumn("Share of transactions", format="percent"),
            "frauds_per_day": st.column_config.NumberColumn("Frauds per day", format="%.1f"),
            "fraud_share": st.column_config.NumberColumn("Share of all frauds", format="percent"),
            "fraud_rate": st.column_config.NumberColumn("Fraud rate in the band", format="percent"),
        },
    )
    st.caption(
        f"Example policy on the GBM's test-period scores: review from a score of {REVIEW_THRESHOLD:.2f}, "
        f"block from {BLOCK_THRESHOLD:.2f}. The review band is where analyst time goes; the block band "
        "must be precise because every false block is a declined customer."
    )
    band = bands.set_index("decision")
    return {
        "review_threshold": REVIEW_THRESHOLD,
        "block_threshold": BLOCK_THRESHOLD,
        "approve_fraud_share": band.at["approve", "fraud_share"],
        "review_per_day": band.at["review", "transactions_per_day"],
        "review_fraud_share": band.at["review", "fraud_share"],
        "review_fraud_rate": band.at["review", "fraud_rate"],
        "block_per_day": band.at["block", "transactions_per_day"],
        "block_fraud_share": band.at["block", "fraud_share"],
        "block_fraud_rate": band.at["block", "fraud_rate"],
    }


def render_data(models: FraudModels) -> dict[str, Any]:
    daily = daily_class_balance(models)
    split = models.split
    training = daily[daily["period"].isin(["training", "early stopping"])]
    training_frauds = int(training["frauds"].sum())
    training_transactions = int(training["transactions"].sum())
    columns = st.columns(4)
    columns[0].metric("Frauds in training days", f"{training_frauds:,}")
    columns[1].metric("Legitimate in training days", f"{training_transactions - training_frauds:,}")
    columns[2].metric("Label delay", f"{models.config.label_delay_days} days")
    columns[3].metric("Legitimate rows kept for training", f"{models.negative_sample_rate:.0%}",
                      help="Negative downsampling: every fraud is kept, and the models correct their scores "
                      "for the legitimate rows left out.")
    st.altair_chart(class_balance_chart(daily), theme="streamlit", width="stretch")
    st.altair_chart(label_timeline_chart(daily, split.test_start_day), theme="streamlit", width="stretch")
    st.caption(
        f"The model is trained on day {split.test_start_day}. Labels of days {split.train_end_day} to "
        f"{split.test_start_day - 1} have not arrived yet, so those days are a gap between training "
        f"(days 0 to {split.train_end_day - 1}) and test (days {split.test_start_day} to {split.n_days - 1})."
    )

    return {
        "training_frauds": training_frauds,
        "training_legitimate": training_transactions - training_frauds,
        "training_fraud_rate": training_frauds / training_transactions if training_transactions else None,
        "label_delay_days": models.config.label_delay_days,
        "negative_sample_rate": models.negative_sample_rate,
        "train_end_day": split.train_end_day,
        "last_training_day": split.train_end_day - 1,
        "test_start_day": split.test_start_day,
        "last_gap_day": split.test_start_day - 1,
    }


def render_features(models: FraudModels) -> dict[str, Any]:
    table = feature_table(models)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "feature": "Feature",
            "kind": "Kind",
            "computed_in": "Computed in",
            "refreshed": "Refreshed",
            "point_in_time_rule": st.column_config.TextColumn("Point-in-time rule", width="large"),
            "median_legitimate": st.column_config.NumberColumn("Median, legitimate", format="%.4g"),
            "median_fraud": st.column_config.NumberColumn("Median, fraud", format="%.4g"),
        },
    )
    st.caption("Medians over the whole simulated stream. In this app one vectorised function computes "
               "each feature for training and for scoring, so the two cannot drift apart.")
    medians = table.set_index("feature")
    return {
        "velocity_median_fraud": medians.at["velocity_1h", "median_fraud"],
        "velocity_median_legitimate": medians.at["velocity_1h", "median_legitimate"],
        "amount_median_fraud": medians.at["amount", "median_fraud"],
        "amount_median_legitimate": medians.at["amount", "median_legitimate"],
        "merchant_risk_window_days": models.config.merchant_risk_window_days,
        "label_delay_days": models.config.label_delay_days,
    }


def render_model(models: FraudModels) -> dict[str, Any]:
    table = _comparison(models, *_cache_key(models))
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "model": "Model",
            "average_precision": st.column_config.NumberColumn("AUC-PR", format="%.3f"),
            "average_precision_no_skill": st.column_config.NumberColumn("AUC-PR, no skill", format="%.4f"),
            "auc_roc": st.column_config.NumberColumn("AUC-ROC", format="%.3f"),
            "fit_seconds": st.column_config.NumberColumn("Fit time (s)", format="%.2f"),
            "latency_p50_ms": st.column_config.NumberColumn("Scoring p50 (ms)", format="%.3f"),
            "latency_p99_ms": st.column_config.NumberColumn("Scoring p99 (ms)", format="%.3f"),
        },
    )
    st.caption(
        "Test period after the label-delay gap. AUC-PR's no-skill value is the test fraud rate, "
        "AUC-ROC's is 0.5. Latency is one transaction per call; fit and latency are wall times on "
        "this server and vary with its load."
    )
    rows = table.set_index("model")
    gbm = rows.loc[MODEL_NAMES["gbm"]]
    no_skill = gbm["average_precision_no_skill"]
    return {
        # Four decimals, so a fraud rate of 0.000999 is spoken as 0.001.
        "no_skill_ap": round(float(no_skill), 4),
        "rules_ap": table["average_precision"].iloc[0],
        "logistic_ap": rows.at[MODEL_NAMES["logistic"], "average_precision"],
        "baseline_gbm_ap": rows.at[MODEL_NAMES["baseline_gbm"], "average_precision"],
        "gbm_ap": gbm["average_precision"],
        "gbm_ap_ratio": gbm["average_precision"] / no_skill if no_skill else None,
        "gbm_auc_roc": gbm["auc_roc"],
        "gbm_fit_seconds": gbm["fit_seconds"],
        "gbm_latency_p99_ms": gbm["latency_p99_ms"],
    }


def render_evaluation(models: FraudModels) -> dict[str, Any]:
    params = [THRESHOLD, COST_RATIO]
    url_values = read_query_params(params)
    with st.container(border=True):
        st.markdown("**Decision threshold — business cost tradeoff**")
        left, right = st.columns(2)
        threshold = threshold_slider(PAGE_ID, url_values, left)
        ratio_label = cost_ratio_slider(PAGE_ID, url_values, right)
    write_query_params(params, {THRESHOLD.key: threshold, COST_RATIO.key: ratio_label})

    ratio = 1.0 / ratio_multiplier(ratio_label)
    daily_volume = len(models.test) / models.split.test_days
    try:
        tradeoff = threshold_tradeoff(models.y_test, models.test_scores, threshold, ratio, daily_volume)
    except ValueError as error:
        show_input_error(error, "the threshold trade-off")
        return {"threshold": threshold, "cost_ratio": ratio_multiplier(ratio_label)}

    metrics = tradeoff.metrics
    columns = st.columns(5)
    columns[0].metric("Precision", "undefined" if metrics.precision is None else f"{metrics.precision:.1%}",
                      help="Share of alerts that are fraud; undefined when nothing is flagged.")
    columns[1].metric("Recall", f"{metrics.recall:.1%}", help="Share of frauds that raise an alert.")
    columns[2].metric("Alerts per day", f"{metrics.alert_rate * daily_volume:,.1f}")
    columns[3].metric("Cost per day", f"{tradeoff.cost_per_day:,.1f}",
                      help="False alarms × ratio + missed frauds, per day, in units of one missed fraud's cost.")
    columns[4].metric("Optimal threshold", f"{min(tradeoff.optimum.threshold, 1.0):.3f}",
                      help=f"Minimum cost {tradeoff.optimum.cost_per_day:,.1f} per day, found over every distinct score.")
    left, right = st.columns(2)
    left.altair_chart(precision_recall_chart(tradeoff.curve, threshold), theme="streamlit", width="stretch")
    right.altair_chart(cost_curve_chart(tradeoff.curve, tradeoff.optimum, threshold), theme="streamlit",
                       width="stretch")
    calibrated = ratio / (1.0 + ratio)
    st.caption(
        f"With perfectly calibrated scores the cost-optimal threshold would be ratio / (1 + ratio) = "
        f"{calibrated:.3f}. The measured optimum is {min(tradeoff.optimum.threshold, 1.0):.3f}; the "
        "difference shows how far the model's scores are from calibrated on the test period."
    )
    st.altair_chart(feature_importance_chart(_importance(models, *_cache_key(models))), theme="streamlit",
                    width="stretch")
    st.caption("Permutation importance on the test period: the drop in AUC-PR when one feature's column is "
               "shuffled, with the mean and standard deviation over repeated shuffles.")
    link_if_listed("pages/fraud_threshold.py", "Full threshold and cost analysis, with dollar costs and your own scores",
                   ":material/tune:")
    # A cost-minimising threshold above 1 means that raising no alerts at all is cheapest.
    raises_alerts = tradeoff.optimum.threshold <= 1.0
    return {
        "threshold": threshold,
        "cost_ratio": ratio_multiplier(ratio_label),
        "precision": metrics.precision,
        "recall": metrics.recall,
        "alerts_per_day": metrics.alert_rate * daily_volume,
        "cost_per_day": tradeoff.cost_per_day,
        "optimal_threshold": tradeoff.optimum.threshold if raises_alerts else None,
        "optimal_cost_per_day": tradeoff.optimum.cost_per_day,
        "no_alert_cost_per_day": None if raises_alerts else tradeoff.optimum.cost_per_day,
        "optimal_recall": tradeoff.optimum_metrics.recall if raises_alerts else None,
        "calibrated_threshold": calibrated,
    }


def render_serving(models: FraudModels) -> dict[str, Any]:
    run_key = f"{PAGE_ID}__latency_run"
    if st.button("Measure again", icon=":material/timer:"):
        st.session_state[run_key] = st.session_state.get(run_key, 0) + 1
    budget = _latency(models, *_cache_key(models), st.session_state.get(run_key, 0))
    columns = st.columns(3)
    columns[0].metric("Scoring p50", f"{budget.p50_ms:.2f} ms")
    columns[1].metric("Scoring p99", f"{budget.p99_ms:.2f} ms")
    columns[2].metric("Share of the 100 ms SLA (p99)", f"{budget.p99_ms / budget.sla_ms:.1%}")
    st.altair_chart(latency_budget_chart(budget.budget, budget.sla_ms), theme="streamlit", width="stretch")
    st.altair_chart(latency_histogram_chart(budget.latencies_ms), theme="streamlit", width="stretch")
    verdict = "fits in" if budget.within_sla else "does not fit in"
    st.caption(
        f"200 calls of the app's scoring path on one transaction (input validation and predict_proba of "
        f"the GBM) on this server. With the assumed network, lookup and rules times, the measured p99 "
        f"{verdict} the {budget.sla_ms:g} ms budget."
    )
    return {
        "latency_p50_ms": budget.p50_ms,
        "latency_p99_ms": budget.p99_ms,
        "sla_ms": budget.sla_ms,
        "sla_share": budget.p99_ms / budget.sla_ms,
        "assumed_ms": sum(ASSUMED_BUDGET_MS.values()),
        "verdict": verdict,
    }


def render_monitoring(models: FraudModels) -> dict[str, Any]:
    drift_start_day = models.split.test_start_day + DRIFT_OFFSET_DAYS
    view = _drift(models, *_cache_key(models), drift_start_day, DRIFT_THRESHOLD)

    columns = st.columns(3)
    columns[0].metric("Recall before the drift", f"{view.recall_before:.1%}")
    columns[1].metric("Recall after the drift", f"{view.recall_after:.1%}",
                      delta=f"{(view.recall_after - view.recall_before) * 100:+.1f} points", delta_color="normal")
    columns[2].metric("Largest PSI, all transactions", f"{view.psi['psi_all_after'].max():.3f}",
                      help=f"Below {PSI_STABLE:g} is usually read as stable.")

    st.altair_chart(drift_recall_chart(view.daily, drift_start_day), theme="streamlit", width="stretch")
    st.dataframe(
        view.psi,
        hide_index=True,
        width="stretch",
        column_config={
            "signal": "Signal",
            "psi_all_before": st.column_config.NumberColumn("PSI all, before", format="%.4f"),
            "psi_all_after": st.column_config.NumberColumn("PSI all, after", format="%.4f"),
            "psi_fraud_before": st.column_config.NumberColumn("PSI frauds, before", format="%.3f"),
            "psi_fraud_after": st.column_config.NumberColumn("PSI frauds, after", format="%.3f"),
        },
    )
    st.caption(
        f"From day {drift_start_day} fraudsters switch to small domestic amounts at low-risk merchants. "
        f"Alerts at a score of {DRIFT_THRESHOLD:.2f}. PSI compares the test days before and after the "
        "drift start with the training days: over all transactions it barely moves, because frauds are "
        "0.1% of them; over frauds alone it is large, but fraud labels arrive only after the "
        f"{models.config.label_delay_days}-day label delay."
    )

    left, middle, right = st.columns(3)
    link_if_listed("pages/fraud_live_scoring.py", "Replay a drifting stream hour by hour", ":material/monitoring:",
                   left)
    link_if_listed("pages/ab_sample_size.py", "Size an A/B test of the new model", ":material/calculate:", middle)
    link_if_listed("pages/ab_analyze.py", "Analyze the old-versus-new model test", ":material/fact_check:", right)
    psi_all_max = float(view.psi["psi_all_after"].max())
    return {
        "drift_start_day": drift_start_day,
        "threshold": DRIFT_THRESHOLD,
        "recall_before": view.recall_before,
        "recall_after": view.recall_after,
        # Only one of these is set, so the narration speaks either the stable or the shifted PSI sentence.
        "psi_all_stable": psi_all_max if psi_all_max < PSI_STABLE else None,
        "psi_all_shifted": psi_all_max if psi_all_max >= PSI_STABLE else None,
        "psi_stable": PSI_STABLE,
        "psi_fraud_max": view.psi["psi_fraud_after"].max(),
        "label_delay_days": models.config.label_delay_days,
    }


# Each renderer draws a step's live artifact and returns the values that fill the
# step's narration script, data/narration/fraud_design_steps_<number>.md.
RENDERERS = {
    1: render_clarify,
    2: render_frame,
    3: render_data,
    4: render_features,
    5: render_model,
    6: render_evaluation,
    7: render_serving,
    8: render_monitoring,
}


st.title("Fraud ML system design in eight steps")
st.caption(
    "How a strong candidate walks an interviewer through a fraud detection system. Every step shows "
    "something real from this app's model, trained on a simulated stream with 0.1% fraud."
)

try:
    steps = default_steps()
except ValueError as error:
    # A broken step file is an editing mistake in data/fraud_steps/: name it instead of a traceback.
    st.error(f"The design step texts could not be loaded: {error}", icon=":material/error:")
    st.stop()
number = choose_step(steps)
step = steps[number - 1]
# Filled once the step's live artifact is computed, but shown under the step diagram.
narration = st.container()
if number != 6:
    # The threshold inputs belong to step 6; a link to another step should not carry them.
    for param in (THRESHOLD, COST_RATIO):
        if param.key in st.query_params:
            del st.query_params[param.key]

render_text(step)
st.subheader(":material/bolt: Live artifact")
st.caption(step.sections["Live artifact"])
models = load_fraud_models()
with st.container(key=f"{PAGE_ID}__artifact_{number}"):
    narration_values = RENDERERS[number](models)
with narration:
    narrate(f"{PAGE_ID}_{number}", narration_values)

st.divider()
previous_column, _, next_column = st.columns([1, 4, 1])
key = widget_key(PAGE_ID, STEP)
if number > 1:
    previous_column.button(f"← {_step_label(steps[number - 2])}", on_click=_move_step, args=(key, number - 1),
                           width="stretch")
if number < N_STEPS:
    next_column.button(f"{_step_label(steps[number])} →", on_click=_move_step, args=(key, number + 1),
                       width="stretch")
