"""Threshold & cost page: pick a fraud score threshold from the business cost of errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from ui.router import ensure_routed

ensure_routed()

from charts.fraud import (
    calibration_chart,
    cost_chart,
    impurity_importance_chart,
    permutation_importance_chart,
    pr_curve_chart,
    precision_recall_threshold_chart,
    roc_curve_chart,
)
from core.fraud.evaluation import (
    MAX_UPLOAD_BYTES,
    CostSettings,
    average_precision,
    brute_force_optimal_threshold,
    calibration_table,
    cost_at_threshold,
    cost_curve,
    daily_confusion_matrix,
    downsample_curve,
    metrics_at_threshold,
    optimal_threshold,
    parse_scores_csv,
    pr_curve,
    roc_auc,
    roc_curve,
    sweep_thresholds,
)
from core.fraud.model import MODEL_NAMES
from ui.fraud_inputs import (
    COST_PARAMS,
    DAILY_VOLUME,
    FN_COST_LABELS,
    FN_COST_MODE,
    FP_COST,
    MODEL_SEED,
    CostInputs,
    cached_fraud_models,
    cost_ratio_slider,
    load_fraud_models,
    threshold_slider,
)
from ui.narration import narrate
from ui.query import ChoiceParam, choice_input, number_input, read_query_params, write_query_params

PAGE_ID = "fraud_threshold"
SOURCE = ChoiceParam(
    "scores",
    "Scores to evaluate",
    default="gbm",
    options=(*MODEL_NAMES, "upload"),
    help="A model trained on the simulated stream (scored on its test period), or your own "
    "model's scores from a CSV file.",
)
SOURCE_LABELS = {**MODEL_NAMES, "upload": "Your own scores (CSV upload)"}
PARAMS = (*COST_PARAMS, SOURCE)
# Thresholds drawn in the threshold charts; the exact optimum is found over every score.
CHART_THRESHOLDS = np.linspace(0.0, 1.0, 501)
BRUTE_FORCE_THRESHOLDS = np.linspace(0.0, 1.0, 201)
MAX_CURVE_POINTS = 1500
SAMPLE_ROWS = 20_000


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def _parse_upload(content: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    parsed = parse_scores_csv(content)
    return parsed.labels, parsed.scores, parsed.amounts


def _arrays(source: str, upload: bytes | None) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    if source == "upload":
        return _parse_upload(upload)
    models = cached_fraud_models(MODEL_SEED)
    return models.y_test, models.models[source].test_scores, models.test["amount"].to_numpy()


@st.cache_data(max_entries=8, ttl=3600, show_spinner=False)
def _ranking(source: str, upload: bytes | None) -> dict[str, Any]:
    # Curves and ranking metrics do not depend on costs or volume, so moving those
    # inputs reuses this entry.
    labels, scores, _ = _arrays(source, upload)
    ap = average_precision(labels, scores)
    result: dict[str, Any] = {
        "n_distinct": int(np.unique(scores).size),
        "ap": ap,
        "auc": roc_auc(labels, scores),
        "n": int(labels.size),
        "n_fraud": int(labels.sum()),
    }
    if ap.is_defined:
        result["pr"] = downsample_curve(pr_curve(labels, scores), MAX_CURVE_POINTS)
        result["roc"] = downsample_curve(roc_curve(labels, scores).iloc[1:], MAX_CURVE_POINTS)
        result["calibration"] = calibration_table(labels, scores, n_bins=10)
    return result


@st.cache_data(max_entries=64, ttl=3600, show_spinner=False)
def _costs(
    source: str, upload: bytes | None, fp_cost: float, fn_cost: float, volume: float, by_amount: bool
) -> dict[str, Any]:
    labels, scores, amounts = _arrays(source, upload)
    settings = CostSettings(fp_cost, fn_cost, volume, fn_cost_is_amount=by_amount)
    optimum = optimal_threshold(cost_curve(labels, scores, settings, amounts))
    candidates = np.r_[BRUTE_FORCE_THRESHOLDS, min(optimum.threshold, np.nextafter(1.0, 2.0))]
    return {
        "sweep": sweep_thresholds(labels, scores, CHART_THRESHOLDS, settings, amounts),
        "optimum": optimum,
        "brute": brute_force_optimal_threshold(labels, scores, settings, candidates, amounts),
    }


def _analysis(
    source: str, upload: bytes | None, fp_cost: float, fn_cost: float, volume: float, by_amount: bool
) -> dict[str, Any]:
    return {**_ranking(source, upload), **_costs(source, upload, fp_cost, fn_cost, volume, by_amount)}


@st.cache_data(max_entries=2, ttl=3600, show_spinner=False)
def _sample_csv(seed: int) -> bytes:
    models = cached_fraud_models(seed)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(models.test), SAMPLE_ROWS, replace=False))
    sample = pd.DataFrame(
        {
            "label": models.y_test[rows],
            "score": np.round(models.test_scores[rows], 6),
            "amount": models.test["amount"].to_numpy()[rows],
        }
    )
    return sample.to_csv(index=False).encode()


def _percent(value: float | None, digits: int = 1) -> str:
    return "undefined" if value is None or np.isnan(value) else f"{value:.{digits}%}"


def _number(value: float | None, digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


st.title("Threshold & cost")
st.caption(
    "A fraud model outputs a score; the business needs a decision. Choose the threshold "
    "from what each kind of error costs, not from the default of 0.5."
)
# Filled once the metrics are computed, but shown above the inputs.
narration = st.container()

url_values = read_query_params(PARAMS)
models = load_fraud_models()

with st.container(border=True):
    left, right = st.columns(2)
    threshold = threshold_slider(PAGE_ID, url_values, left)
    cost_ratio = cost_ratio_slider(PAGE_ID, url_values, right)
    fp_column, fn_column, volume_column = st.columns(3)
    fp_cost = number_input(PAGE_ID, FP_COST, url_values, fp_column)
    fn_cost_mode = choice_input(PAGE_ID, FN_COST_MODE, url_values, fn_column, labels=FN_COST_LABELS)
    daily_volume = number_input(PAGE_ID, DAILY_VOLUME, url_values, volume_column)
    source = choice_input(PAGE_ID, SOURCE, url_values, labels=SOURCE_LABELS)

inputs = CostInputs(threshold, cost_ratio, float(fp_cost), fn_cost_mode, int(daily_volume))
write_query_params(PARAMS, {**inputs.url_values(), SOURCE.key: source})

upload: bytes | None = None
if source == "upload":
    st.markdown(
        "Upload a CSV with a header row and the columns `label` (1 for fraud, 0 for "
        "legitimate) and `score` (0 to 1, higher means more likely fraud), and optionally "
        f"`amount` in dollars. At most {MAX_UPLOAD_BYTES // 1024 // 1024} MB and 1,000,000 rows."
    )
    file = st.file_uploader(
        "Scores CSV", type=["csv"], max_upload_size=MAX_UPLOAD_BYTES // 1024 // 1024
    )
    st.download_button(
        "Download a sample file (20,000 scored transactions)",
        _sample_csv(MODEL_SEED),
        file_name="fraud_scores_sample.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    if file is None:
        st.info("Upload a file to see its curves, metrics and cost-minimising threshold.")
        st.stop()
    upload = file.getvalue()
    try:
        _parse_upload(upload)
    except ValueError as error:
        st.error(f"Cannot use this file: {error}", icon=":material/error:")
        st.stop()

labels, scores, amounts = _arrays(source, upload)
by_amount = inputs.fn_cost_mode == "amount"
if by_amount and amounts is None:
    st.warning(
        "The file has no `amount` column, so a missed fraud costs the fixed amount "
        "(false alarm cost × ratio) instead.",
        icon=":material/warning:",
    )
    by_amount = False
settings = inputs.settings(by_amount=by_amount)
analysis = _analysis(
    source, upload, settings.fp_cost, settings.fn_cost, settings.daily_volume, by_amount
)
metrics = metrics_at_threshold(labels, scores, inputs.threshold)
ap, auc = analysis["ap"], analysis["auc"]

if source == "upload":
    st.caption(f"Evaluating {analysis['n']:,} uploaded rows, {analysis['n_fraud']:,} of them fraud.")
else:
    split = models.split
    st.caption(
        f"Evaluating {SOURCE_LABELS[source]} on the test period: days {split.test_start_day}–"
        f"{split.n_days - 1} of the simulated stream ({analysis['n']:,} transactions, "
        f"{analysis['n_fraud']:,} fraud). It was trained on days 0–{split.train_end_day - 1}; "
        f"the {models.config.label_delay_days} days between are the label delay, when "
        "chargebacks for the last training days had not arrived yet."
    )

# Ranking quality -----------------------------------------------------------------
st.subheader("Ranking quality")
if not ap.is_defined:
    st.warning(f"AUC-PR and AUC-ROC are {ap.reason}.", icon=":material/warning:")
ap_column, ap_base_column, auc_column, auc_base_column = st.columns(4)
ap_column.metric(
    "AUC-PR (average precision)",
    _number(ap.value),
    help="Average precision: the step sum of precision over the recall gained at each "
    "threshold, as scikit-learn's average_precision_score.",
)
ap_base_column.metric(
    "No-skill AUC-PR",
    _number(ap.baseline, 4),
    help="A random ranking has an expected average precision equal to the fraud rate.",
)
auc_column.metric("AUC-ROC", _number(auc.value), help="Area under the ROC curve.")
auc_base_column.metric("No-skill AUC-ROC", _number(auc.baseline, 1))
st.info(
    "AUC-ROC flatters a model when fraud is rare: its false-positive rate divides false "
    "alarms by the huge number of legitimate transactions, so at 0.1% fraud a rate of 1% "
    "still means about ten false alarms per fraud, which precision and AUC-PR show.",
    icon=":material/lightbulb:",
)

# Decision at the threshold -------------------------------------------------------
st.subheader(f"At threshold {inputs.threshold:.2f}")
precision_column, recall_column, fpr_column, alerts_column = st.columns(4)
precision_column.metric(
    "Precision",
    _percent(metrics.precision),
    help="Share of alerts that are fraud. Undefined when nothing is flagged.",
)
recall_column.metric("Recall", _percent(metrics.recall), help="Share of frauds flagged.")
fpr_column.metric(
    "False-positive rate",
    _percent(metrics.false_positive_rate, 3),
    help="Share of legitimate transactions flagged.",
)
alerts_column.metric(
    "Alerts per day",
    f"{metrics.alert_rate * inputs.daily_volume:,.0f}",
    help=f"Alert rate {metrics.alert_rate:.4%} × {inputs.daily_volume:,} transactions per day.",
)

current = cost_at_threshold(labels, scores, inputs.threshold, settings, amounts if by_amount else None)
current_settings_note = (
    "a missed fraud costs its transaction amount"
    if by_amount
    else f"a missed fraud costs ${settings.fn_cost:,.2f}"
)
optimum = analysis["optimum"]
# A cost-minimising threshold above 1 means that raising no alerts at all is cheapest.
raises_alerts = optimum.threshold <= 1.0
with narration:
    narrate(PAGE_ID, {
        "average_precision": ap.value,
        "average_precision_baseline": ap.baseline,
        "average_precision_ratio": ap.value / ap.baseline if ap.is_defined and ap.baseline else None,
        "auc_roc": auc.value,
        "threshold": inputs.threshold,
        "alerts_per_day": round(metrics.alert_rate * inputs.daily_volume),
        "daily_volume": inputs.daily_volume,
        "precision": metrics.precision,
        "recall": metrics.recall,
        "fp_cost": settings.fp_cost,
        "fn_cost": None if by_amount else settings.fn_cost,
        "fn_cost_rule": "its transaction amount" if by_amount else None,
        "daily_cost": current.cost_per_day,
        "best_threshold": optimum.threshold if raises_alerts else None,
        "best_cost": optimum.cost_per_day if raises_alerts else None,
        "no_alert_cost": None if raises_alerts else optimum.cost_per_day,
    })
fp_cost_column, fn_cost_column, total_column, best_column = st.columns(4)
fp_cost_column.metric(
    "Daily FP cost",
    f"${current.fp_cost_per_day:,.0f}",
    help=f"False alarms per day × ${settings.fp_cost:,.2f}.",
)
fn_cost_column.metric(
    "Daily FN cost", f"${current.fn_cost_per_day:,.0f}", help=f"Here {current_settings_note}."
)
total_column.metric(
    "Total daily cost",
    f"${current.cost_per_day:,.0f}",
    delta=f"${current.cost_per_day - optimum.cost_per_day:,.0f} above the optimum",
    delta_color="inverse",
    delta_arrow="off",
    help="Expected cost of false alarms and missed frauds per day at this threshold.",
)
best_label = "no alerts" if optimum.threshold > 1.0 else f"{optimum.threshold:.4f}"
best_column.metric(
    "Cost-minimising threshold",
    best_label,
    help=f"Minimum expected cost ${optimum.cost_per_day:,.0f} per day, over every distinct score.",
)

brute = analysis["brute"]
agrees = brute.cost_per_day >= optimum.cost_per_day - 1e-6 * max(1.0, optimum.cost_per_day)
check_text = (
    f"Brute-force check: evaluating {BRUTE_FORCE_THRESHOLDS.size} evenly spaced thresholds and "
    f"the optimum one by one gives a minimum of ${brute.cost_per_day:,.2f} per day at "
    f"{min(brute.threshold, 1.0):.4f}; the sweep over all {analysis['n_distinct']:,} distinct "
    f"scores gives ${optimum.cost_per_day:,.2f}."
)
if agrees:
    st.caption(check_text + " They agree.")
else:
    st.error(check_text + " They disagree, which is a bug: please report it.")

st.markdown("**Confusion matrix per day** (transactions per day at this threshold)")
matrix = daily_confusion_matrix(metrics, inputs.daily_volume)
st.dataframe(matrix.style.format("{:,.0f}"), width="content")

# Trade-off charts ----------------------------------------------------------------
cost_column, pr_threshold_column = st.columns(2)
sweep = analysis["sweep"]
cost_column.altair_chart(
    cost_chart(sweep, optimum, inputs.threshold), theme="streamlit", width="stretch"
)
pr_threshold_column.altair_chart(
    precision_recall_threshold_chart(sweep, inputs.threshold), theme="streamlit", width="stretch"
)

if ap.is_defined:
    pr_column, roc_column = st.columns(2)
    pr_column.altair_chart(
        pr_curve_chart(analysis["pr"], ap.baseline, metrics), theme="streamlit", width="stretch"
    )
    roc_column.altair_chart(
        roc_curve_chart(analysis["roc"], metrics), theme="streamlit", width="stretch"
    )
    st.altair_chart(calibration_chart(analysis["calibration"]), theme="streamlit", width="stretch")
    st.caption(
        "Calibration: transactions are split into ten bins of equal count by score, and each "
        "bin's observed fraud rate is compared with its mean score. On the diagonal, a score "
        "of 2% means 2 frauds in 100, so expected costs computed from scores are right. Bins "
        "without any fraud cannot be drawn on the log scale."
    )

# Models ---------------------------------------------------------------------------
if source != "upload":
    st.subheader("Why this model")
    with st.spinner("Measuring permutation importance on the test period…"):
        permutation = models.permutation_importance()
    importance_column, impurity_column = st.columns(2)
    importance_column.altair_chart(
        permutation_importance_chart(permutation), theme="streamlit", width="stretch"
    )
    impurity_column.altair_chart(
        impurity_importance_chart(models.impurity_importance()), theme="streamlit", width="stretch"
    )
    st.caption(
        "Permutation importance shuffles one feature in the test period and measures how much "
        "the GBM's AUC-PR drops (all frauds and a weighted 10% sample of legitimate "
        "transactions). HistGradientBoostingClassifier has no impurity importance, so the "
        "right chart shows the impurity decrease of the GradientBoostingClassifier baseline, "
        "trained on the same rows. They differ because impurity importance is measured on "
        "training data and credits every split, including splits on noise and on "
        "many-valued features such as amount, while permutation importance measures what "
        "held-out ranking quality depends on."
    )

    table = models.comparison_table().rename(
        columns={
            "model": "Model",
            "average_precision": "AUC-PR",
            "average_precision_no_skill": "No-skill AUC-PR",
            "auc_roc": "AUC-ROC",
            "fit_seconds": "Fit time (s)",
            "latency_p50_ms": "Scoring p50 (ms)",
            "latency_p99_ms": "Scoring p99 (ms)",
        }
    )
    st.markdown("**Model comparison** (same training days, same test period)")
    st.dataframe(
        table.style.format(
            {
                "AUC-PR": "{:.3f}",
                "No-skill AUC-PR": "{:.4f}",
                "AUC-ROC": "{:.3f}",
                "Fit time (s)": "{:.2f}",
                "Scoring p50 (ms)": "{:.3f}",
                "Scoring p99 (ms)": "{:.3f}",
            }
        ),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "Scoring latency is the wall time of predict_proba on one transaction, measured "
        "when the model was trained, in this server process with one thread."
    )
