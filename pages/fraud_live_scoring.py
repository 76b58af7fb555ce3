"""Live scoring page: score one transaction, explain it, and monitor a replayed day."""

from __future__ import annotations

import dataclasses
import logging
import time

import pandas as pd
import streamlit as st

from ui.router import ensure_routed

ensure_routed()

from charts.fraud_live import (
    FEATURE_LABELS,
    contribution_chart,
    label_metrics_chart,
    latency_chart,
    psi_chart,
    score_distribution_chart,
    sensitivity_chart,
)
from core.fraud.evaluation import CostSettings, cost_at_threshold
from core.fraud.monitoring import (
    PSI_ALERT,
    RECALL_MIN_FRAUDS,
    RECALL_WINDOW_HOURS,
    drift_alerts,
    hourly_label_metrics,
    hourly_operations,
    hourly_psi,
    hourly_score_quantiles,
    labels_as_of_seconds,
)
from core.fraud.online import (
    DRIFT_SCENARIOS,
    LATENCY_BUDGET_MS,
    ReplayResult,
    ReplayScenario,
    Transaction,
    check_thresholds,
    feature_contributions,
    prepare_replay,
    replay_day,
    replay_day_index,
    score_transaction,
    sensitivity_sweep,
    typical_values,
)
from core.fraud.stream import FEATURES
from ui.fraud_inputs import DAILY_VOLUME, FP_COST, MODEL_SEED, THRESHOLD, cached_fraud_models, load_fraud_models
from ui.fraud_model import load_monitoring_reference, load_online_scorer
from ui.messages import show_input_error
from ui.narration import narrate
from ui.query import (
    ChoiceParam,
    NumberParam,
    choice_input,
    number_input,
    read_query_params,
    select_input,
    write_query_params,
)

logger = logging.getLogger(__name__)

PAGE_ID = "fraud_live_scoring"
SEED = MODEL_SEED
# The replayed scenario as the narration speaks it.
SPOKEN_SCENARIOS = {
    "none": "no drift",
    "fraud_pattern": "the fraud pattern shift",
    "amount_in_cents": "the upstream bug that sends amounts in cents",
}
HOURS = tuple(f"{hour:02d}:00" for hour in range(24))

AMOUNT = NumberParam("amount", "Transaction amount ($)", 250.0, 0.0, 1_000_000.0, 10.0, format="%.2f")
VELOCITY = NumberParam(
    "velocity", "Velocity (txns last 1h)", 1, 0, 1_000, 1, integer=True,
    help="The card's transactions in the hour before this one.",
)
MERCHANT_RISK = NumberParam(
    "merchant_risk", "Merchant risk score", 0.20, 0.0, 1.0, 0.01, format="%.4f",
    help="The merchant's fraud share over its recent labelled transactions (0 to 1).",
)
INTERNATIONAL = ChoiceParam("international", "Is international?", "No", ("No", "Yes"))
HOUR = ChoiceParam("hour", "Hour of day", "14:00", HOURS)
# The review threshold is the threshold of the "Threshold & cost" page (URL key
# ``threshold``), and volume and false-alarm cost are shared with it too.
REVIEW = dataclasses.replace(
    THRESHOLD, label="Review threshold", help="Scores at or above this go to a human reviewer."
)
BLOCK = NumberParam(
    "block", "Block threshold", 0.90, 0.0, 1.0, 0.01, format="%.2f",
    help="Scores at or above this are declined at once.",
)
VOLUME = DAILY_VOLUME
SWEEP = ChoiceParam("sweep", "Feature to sweep", "amount", FEATURES)
DRIFT = ChoiceParam("drift", "Scenario", "none", tuple(DRIFT_SCENARIOS))
DRIFT_HOUR = ChoiceParam("drift_hour", "Drift starts at", "12:00", HOURS)
RECALL_LEVEL = NumberParam(
    "recall_level", "Recall alert level", 0.20, 0.0, 1.0, 0.05, format="%.2f",
    help=f"Alert when the recall over the last {RECALL_WINDOW_HOURS} hours is, with 95% confidence, "
    f"below this level (and at least {RECALL_MIN_FRAUDS} labelled frauds are in the window).",
)
LABEL_DAYS = NumberParam(
    "label_days", "Labels known as of (days after the replayed day)", 5, 0, 30, 1, integer=True,
    help="Chargebacks arrive five days after a transaction: before that, its label is unknown.",
)
PARAMS = (
    AMOUNT, VELOCITY, MERCHANT_RISK, INTERNATIONAL, HOUR, REVIEW, BLOCK, VOLUME, FP_COST,
    SWEEP, DRIFT, DRIFT_HOUR, RECALL_LEVEL, LABEL_DAYS,
)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def _replay(scenario: ReplayScenario, seed: int) -> ReplayResult:
    models = cached_fraud_models(seed)
    scorer = load_online_scorer(seed)
    started = time.perf_counter()
    replay_input = prepare_replay(models, scenario)
    bar = st.progress(0.0, text=f"Replaying {len(replay_input.events):,} transactions…")
    result = replay_day(scorer, replay_input, progress=lambda share: bar.progress(share, text=f"Replayed {share:.0%}"))
    bar.empty()
    logger.info("Replay for %s finished in %.2f s", scenario, time.perf_counter() - started)
    return result


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _monitoring(
    scenario: ReplayScenario, review_threshold: float, label_days: int, recall_level: float, seed: int
):
    transactions = _replay(scenario, seed).transactions
    reference = load_monitoring_reference(seed)
    psi_table = hourly_psi(transactions, reference)
    label_table = hourly_label_metrics(transactions, review_threshold, labels_as_of_seconds(label_days))
    alerts = drift_alerts(psi_table, label_table, recall_level)
    return (
        psi_table,
        label_table,
        alerts,
        hourly_operations(transactions, alerts),
        hourly_score_quantiles(transactions, review_threshold),
    )


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _daily_fp_cost(review_threshold: float, fp_cost: float, daily_volume: int, seed: int):
    models = cached_fraud_models(seed)
    settings = CostSettings(fp_cost=fp_cost, fn_cost=0.0, daily_volume=float(daily_volume))
    cost = cost_at_threshold(models.y_test, models.test_scores, review_threshold, settings)
    alerts_fp = cost.fp_cost_per_day / fp_cost if fp_cost > 0 else None
    return cost.fp_cost_per_day, alerts_fp


st.title("Live scoring")
st.caption(
    "What happens to one transaction in the few milliseconds before the card is approved, and "
    "what the on-call team watches across a whole day of them."
)
# Filled once the score and the replayed day are known, but shown above the inputs.
narration = st.container()

url_values = read_query_params(PARAMS)
models = load_fraud_models(SEED)
scorer = load_online_scorer(SEED)
typical = typical_values(models.train_features)

st.subheader("Score one transaction")
# The metrics are drawn above the inputs but computed after them.
metrics_row = st.container()
inputs, outputs = st.columns([1, 2], gap="large")
with inputs.container(border=True):
    amount = number_input(PAGE_ID, AMOUNT, url_values)
    velocity = number_input(PAGE_ID, VELOCITY, url_values)
    merchant_risk = number_input(PAGE_ID, MERCHANT_RISK, url_values)
    international = choice_input(PAGE_ID, INTERNATIONAL, url_values)
    hour = select_input(PAGE_ID, HOUR, url_values)
    review_column, block_column = st.columns(2)
    review_threshold = number_input(PAGE_ID, REVIEW, url_values, review_column)
    block_threshold = number_input(PAGE_ID, BLOCK, url_values, block_column)
    daily_volume = number_input(PAGE_ID, VOLUME, url_values)
    fp_cost = number_input(PAGE_ID, FP_COST, url_values)

sweep_feature = SWEEP.default
with outputs:
    try:
        check_thresholds(review_threshold, block_threshold)
        transaction = Transaction(
            amount=amount,
            velocity_1h=velocity,
            is_international=international == "Yes",
            merchant_risk=merchant_risk,
            hour_of_day=HOURS.index(hour),
        )
        scored = score_transaction(scorer, transaction, review_threshold, block_threshold)
    except ValueError as error:
        with metrics_row:
            show_input_error(error, "the fraud score")
        scored = None

    if scored is not None:
        fp_cost_per_day, false_alarms_per_day = _daily_fp_cost(
            review_threshold, fp_cost, daily_volume, SEED
        )
        score_column, decision_column, latency_column, cost_column = metrics_row.columns(4)
        score_column.metric(
            "Fraud score",
            f"{scored.score:.4f}",
            help="Probability of fraud from the gradient-boosting model (calibrated to the 0.1% fraud rate).",
        )
        decision_column.metric(
            "Decision",
            scored.decision.capitalize(),
            help=f"Block at {block_threshold:.2f} or above, review at {review_threshold:.2f} or above, else approve.",
        )
        within_budget = scored.latency_p99_ms <= LATENCY_BUDGET_MS
        latency_column.metric(
            "Latency SLA",
            f"{scored.latency_ms:.2f} ms",
            f"p50 {scored.latency_p50_ms:.2f} ms · p99 {scored.latency_p99_ms:.2f} ms of {LATENCY_BUDGET_MS:.0f} ms",
            delta_color="normal" if within_budget else "inverse",
            delta_arrow="off",
            help="This scoring call, then p50 and p99 over 200 repeated calls in this server process, "
            "against the 100 ms budget of a card authorisation.",
        )
        cost_column.metric(
            "Daily FP cost",
            f"${fp_cost_per_day:,.0f}",
            help=(
                f"Legitimate transactions at or above the review threshold in the test period, scaled to "
                f"{daily_volume:,} transactions per day"
                + (f" (about {false_alarms_per_day:,.0f} false alarms)" if false_alarms_per_day is not None else "")
                + f", times ${fp_cost:,.2f} each."
            ),
        )
        if merchant_risk > models.train_features["merchant_risk"].max() or amount > models.train_features["amount"].max():
            st.info(
                "This transaction is outside the range seen in training (merchant risk up to "
                f"{models.train_features['merchant_risk'].max():.4f}, amounts up to "
                f"${models.train_features['amount'].max():,.0f}). Trees score it like the largest "
                "training value, so the score stops rising past that point.",
                icon=":material/info:",
            )

        st.altair_chart(
            contribution_chart(feature_contributions(scorer, transaction, typical)),
            theme="streamlit",
            width="stretch",
        )
        sweep_feature = select_input(PAGE_ID, SWEEP, url_values)
        st.altair_chart(
            sensitivity_chart(
                sensitivity_sweep(scorer, transaction, sweep_feature),
                sweep_feature,
                transaction.to_row()[FEATURES.index(sweep_feature)],
                scored.score,
                review_threshold,
                block_threshold,
            ),
            theme="streamlit",
            width="stretch",
        )
        st.caption(
            "Contribution = this score minus the score with that one feature set to its training "
            "median, the others unchanged. The model may only raise the score as amount, velocity, "
            "merchant risk or the international flag rise (monotonic constraints)."
        )

st.divider()
st.subheader("System monitoring signals")
st.markdown(
    f"A held-out day (day {replay_day_index(models)} of the simulated stream) replayed through the "
    "online path: `velocity_1h` from an in-memory store of each card's last hour, merchant risk from "
    "the nightly batch table, then the model scores each transaction alone."
)
scenario_column, hour_column, recall_column, labels_column = st.columns(4)
drift = choice_input(
    PAGE_ID, DRIFT, url_values, scenario_column, labels=DRIFT_SCENARIOS, horizontal=False
)
drift_hour_label = select_input(PAGE_ID, DRIFT_HOUR, url_values, hour_column)
recall_level = number_input(PAGE_ID, RECALL_LEVEL, url_values, recall_column)
label_days = number_input(PAGE_ID, LABEL_DAYS, url_values, labels_column)
write_query_params(
    PARAMS,
    {
        "amount": amount, "velocity": velocity, "merchant_risk": merchant_risk,
        "international": international, "hour": hour, "threshold": review_threshold,
        "block": block_threshold, "volume": daily_volume, "fp_cost": fp_cost,
        "sweep": sweep_feature, "drift": drift, "drift_hour": drift_hour_label,
        "recall_level": recall_level, "label_days": label_days,
    },
)

drift_hour = HOURS.index(drift_hour_label)
scenario = ReplayScenario(drift=drift, drift_start_hour=drift_hour)
shown_drift_hour = None if drift == "none" else drift_hour
with st.status(f"Replaying day {replay_day_index(models)}: {DRIFT_SCENARIOS[drift]}", expanded=False) as status:
    started = time.perf_counter()
    result = _replay(scenario, SEED)
    status.update(
        label=f"Replayed {len(result.transactions):,} transactions ({DRIFT_SCENARIOS[drift]}) "
        f"in {result.seconds:.1f} s; page step took {time.perf_counter() - started:.1f} s",
        state="complete",
    )

transactions = result.transactions
# Invalid thresholds were reported above; the monitoring falls back to the default.
review_for_labels = review_threshold if scored is not None else REVIEW.default
psi_table, label_table, alerts, operations, score_quantiles = _monitoring(
    scenario, review_for_labels, label_days, recall_level, SEED
)
p50, p99, slowest = result.latency_percentiles_ms()
risk_skew = (transactions["merchant_risk"] - transactions["offline_merchant_risk"]).abs()

count_column, throughput_column, p50_column, p99_column, skew_column, alert_column = st.columns(6)
count_column.metric("Transactions replayed", f"{len(transactions):,}")
throughput_column.metric(
    "Throughput",
    f"{result.throughput_per_second:,.0f}/s",
    help="Transactions through the online path per second of wall time, one at a time on one core.",
)
latency_help = f"Per transaction: feature look-up and scoring. Slowest: {slowest:.2f} ms."
p50_column.metric("Latency p50", f"{p50:.3f} ms", help=latency_help)
p99_column.metric("Latency p99", f"{p99:.3f} ms", help=latency_help)
skew_column.metric(
    "Skew mismatches",
    f"{result.velocity_mismatches:,}",
    help="Transactions whose online velocity_1h differs from the offline value the model was trained on.",
)
alert_column.metric("Alerts", f"{len(alerts):,}", help="Hours × signals that crossed an alert rule.")
# Without a valid score the narration drops its sentences about the transaction.
score_values = {} if scored is None else {
    "score": scored.score,
    "decision": scored.decision,
    "review_threshold": review_threshold,
    "block_threshold": block_threshold,
    "latency_ms": scored.latency_ms,
    "latency_p99_ms": scored.latency_p99_ms,
    "latency_verdict": "within" if scored.latency_p99_ms <= LATENCY_BUDGET_MS else "over",
}
with narration:
    narrate(PAGE_ID, {
        **score_values,
        "latency_budget_ms": LATENCY_BUDGET_MS,
        "replay_day": replay_day_index(models),
        "scenario": SPOKEN_SCENARIOS[drift],
        "n_replayed": len(transactions),
        "skew_mismatches": result.velocity_mismatches,
        "n_alerts": len(alerts),
    })
st.caption(
    f"Training/serving skew: the online velocity_1h equals the offline one for "
    f"{len(transactions) - result.velocity_mismatches:,} of {len(transactions):,} transactions. Merchant risk "
    f"comes from a table refreshed at midnight while the training feature slides with each transaction: "
    f"mean difference {risk_skew.mean():.5f}, largest {risk_skew.max():.5f} (a fraud share)."
)

left, right = st.columns(2)
left.altair_chart(psi_chart(psi_table, shown_drift_hour), theme="streamlit", width="stretch")
right.altair_chart(
    score_distribution_chart(score_quantiles, shown_drift_hour), theme="streamlit", width="stretch"
)
left, right = st.columns(2)
if int(label_table["labelled"].sum()) == 0:
    left.info(
        f"No label of this day has arrived {label_days} days after it: chargebacks take "
        f"{models.config.label_delay_days} days, so precision and recall are unknown. Watch PSI meanwhile.",
        icon=":material/hourglass_top:",
    )
else:
    left.altair_chart(label_metrics_chart(label_table, shown_drift_hour), theme="streamlit", width="stretch")
right.altair_chart(latency_chart(operations), theme="streamlit", width="stretch")
with st.expander("Hour by hour: volume, latency and alerts"):
    st.dataframe(
        pd.DataFrame(
            {
                "Hour": [HOURS[int(hour)] for hour in operations["hour"]],
                "Transactions": operations["transactions"],
                "Latency p50 (ms)": operations["latency_p50_ms"].round(3),
                "Latency p99 (ms)": operations["latency_p99_ms"].round(3),
                "Alerts": operations["alerts"],
            }
        ),
        hide_index=True,
        width="stretch",
    )

if drift == "fraud_pattern":
    st.info(
        "Only fraudsters changed, and they are 0.1% of traffic, so the feature and score distributions "
        "barely move and PSI stays low. With one or two frauds an hour, recall confirms the change only "
        "once enough labels have arrived, days later: this kind of drift is found by recall, not PSI.",
        icon=":material/visibility_off:",
    )

st.markdown("**Alerts**")
if alerts.empty:
    st.success(
        f"No alert: every PSI is at most {PSI_ALERT:g} and no trailing recall is confidently below "
        f"{recall_level:.0%}.",
        icon=":material/check_circle:",
    )
else:
    first = alerts.iloc[0]
    st.error(
        f"First alert at {HOURS[int(first['hour'])]}: {first['message']}. Next step: {first['next_step']}",
        icon=":material/notifications_active:",
    )
    st.dataframe(
        pd.DataFrame(
            {
                "Hour": [HOURS[int(hour)] for hour in alerts["hour"]],
                "Signal": alerts["column"].map(lambda column: FEATURE_LABELS.get(column, "Recall")),
                "Alert": alerts["message"],
                "On-call next step": alerts["next_step"],
            }
        ),
        hide_index=True,
        width="stretch",
    )
