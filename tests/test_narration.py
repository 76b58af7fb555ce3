"""Tests for the narration scripts, their rendering and the speech clean-up."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.narration import (
    SCRIPT_DIR,
    format_number,
    list_placeholders,
    load_script,
    number_words,
    render_script,
    speech_chunks,
    speech_text,
    spoken_seconds,
)
from tests.app_utils import metric_values, run_page
from tests.conftest import ROOT
from ui.narration import control_html, script_json

# Values each page passes to narrate(), for its default inputs and for changed inputs,
# with the spoken form of the page's key number that the text must contain.
SAMPLE_SIZE_DEFAULT = {
    "baseline_rate": 0.12,
    "treatment_rate": 0.14,
    "n_per_variant": 4438,
    "n_total": 8876,
    "n_treatments": 1,
    "daily_traffic_per_variant": 5000,
    "days_to_run": 7,
    "days_exact": 1,
    "power": 0.8,
    "alpha": 0.05,
    "alpha_per_comparison": None,
    "sides": "two-sided",
}
SAMPLE_SIZE_CHANGED = {
    "baseline_rate": 0.05,
    "treatment_rate": 0.055,
    "n_per_variant": 52_221,
    "n_total": 156_663,
    "n_treatments": 2,
    "daily_traffic_per_variant": 2000,
    "days_to_run": 27,
    "days_exact": None,
    "power": 0.9,
    "alpha": 0.05,
    "alpha_per_comparison": 0.025,
    "sides": "one-sided",
}
ANALYZE_DEFAULT = {
    "alpha": 0.05,
    "srm_p_ok": 1.0,
    "treatment_name": "treatment B",
    "control_rate": 0.12,
    "treatment_rate": 0.132,
    "absolute_lift": 0.012,
    "confidence": 0.95,
    "ci_low": 0.0028,
    "ci_high": 0.0212,
    "p_value": 0.0106,
    "significance": "significant",
    "prob_beat": 0.995,
    "expected_loss": 1e-6,
}
ANALYZE_CHANGED = {
    "alpha": 0.01,
    "srm_p_mismatch": 0.0002,
    "treatment_name": "new checkout",
    "control_rate": 0.08,
    "treatment_rate": 0.0785,
    "absolute_lift": -0.0015,
    "confidence": 0.99,
    "ci_low": -0.0061,
    "ci_high": 0.0031,
    "p_value": 0.41,
    "significance": "not significant",
    "prob_beat": 0.21,
    "expected_loss": 0.0021,
    "n_tests": 6,
    "holm_survivors": 0,
}
PEEKING_DEFAULT = {
    "experiment_days": 7.0,
    "looks_per_day": 24,
    "n_looks": 168,
    "true_lift": 0.02,
    "final_p": 0.0004,
    "final_p_short": None,
    "peek_stop_hours": 8,
    "peek_stop_day": None,
    "n_runs": 10_000,
    "alpha": 0.05,
    "naive_fpr": 0.41,
    "n_analyses": 5,
    "pocock_fpr": 0.0496,
    "obf_fpr": 0.0468,
    "msprt_fpr": 0.0257,
}
PEEKING_CHANGED = {
    "experiment_days": 10.5,
    "looks_per_day": 1,
    "n_looks": 10,
    "true_lift": 0.0,
    "final_p": None,
    "final_p_short": 0.31,
    "peek_stop_hours": None,
    "peek_stop_day": 3.0,
    "n_runs": 10_000,
    "alpha": 0.01,
    "naive_fpr": 0.043,
    "n_analyses": 2,
    "pocock_fpr": 0.0102,
    "obf_fpr": 0.0099,
    "msprt_fpr": 0.004,
}
FRAUD_DEFAULT = {
    "average_precision": 0.477,
    "average_precision_baseline": 0.001,
    "average_precision_ratio": 477.0,
    "auc_roc": 0.989,
    "threshold": 0.5,
    "alerts_per_day": 632,
    "daily_volume": 1_000_000,
    "precision": 0.632,
    "recall": 0.4,
    "fp_cost": 5.0,
    "fn_cost": 50.0,
    "fn_cost_rule": None,
    "daily_cost": 31_146.2,
    "best_threshold": 0.2184,
    "best_cost": 27_136.0,
    "no_alert_cost": None,
}
FRAUD_CHANGED = {
    "average_precision": None,
    "average_precision_baseline": None,
    "average_precision_ratio": None,
    "auc_roc": None,
    "threshold": 0.9,
    "alerts_per_day": 0,
    "daily_volume": 50_000,
    "precision": None,
    "recall": 0.0,
    "fp_cost": 12.5,
    "fn_cost": None,
    "fn_cost_rule": "its transaction amount",
    "daily_cost": 4_120.0,
    "best_threshold": None,
    "best_cost": None,
    "no_alert_cost": 4_120.0,
}
# Values for each of the eight design step scripts, one per step, at default and changed inputs.
DESIGN_STEP_CASES = {
    1: [
        ({"transactions_per_day": 40_024, "frauds_per_day": 40.03, "fraud_rate": 0.001,
          "fraud_amount_share": 0.00463, "accuracy_approve_all": 0.999},
         "a fraud rate of 0.1 percent"),
        ({"transactions_per_day": 2_000, "frauds_per_day": 10.0, "fraud_rate": 0.005,
          "fraud_amount_share": None, "accuracy_approve_all": 0.995},
         "a fraud rate of 0.5 percent"),
    ],
    2: [
        ({"review_threshold": 0.1, "block_threshold": 0.5, "approve_fraud_share": 0.412,
          "review_per_day": 63.6, "review_fraud_share": 0.188, "review_fraud_rate": 0.118,
          "block_per_day": 25.3, "block_fraud_share": 0.4, "block_fraud_rate": 0.632},
         "Of the blocked transactions, 63.2 percent are fraud"),
        ({"review_threshold": 0.2, "block_threshold": 0.8, "approve_fraud_share": 0.6,
          "review_per_day": 0.0, "review_fraud_share": 0.0, "review_fraud_rate": None,
          "block_per_day": 5.5, "block_fraud_share": 0.1, "block_fraud_rate": 0.9},
         "Of the blocked transactions, 90 percent are fraud"),
    ],
    3: [
        ({"training_frauds": 600, "training_legitimate": 599_100, "training_fraud_rate": 0.001,
          "label_delay_days": 5, "negative_sample_rate": 0.05, "train_end_day": 15,
          "last_training_day": 14, "test_start_day": 20, "last_gap_day": 19},
         "A chargeback arrives five days after its transaction"),
        ({"training_frauds": 1, "training_legitimate": 999, "training_fraud_rate": None,
          "label_delay_days": 1, "negative_sample_rate": 1.0, "train_end_day": 8,
          "last_training_day": 7, "test_start_day": 9, "last_gap_day": 8},
         "A chargeback arrives one day after its transaction"),
    ],
    4: [
        ({"velocity_median_fraud": 1.0, "velocity_median_legitimate": 0.0, "amount_median_fraud": 195.0,
          "amount_median_legitimate": 40.4, "merchant_risk_window_days": 7, "label_delay_days": 5},
         "The median fraud amount is 195 dollars"),
        ({"velocity_median_fraud": 3.0, "velocity_median_legitimate": 1.0, "amount_median_fraud": 12.5,
          "amount_median_legitimate": None, "merchant_risk_window_days": 30, "label_delay_days": 10},
         "over a window of thirty days"),
    ],
    5: [
        ({"no_skill_ap": 0.001, "rules_ap": 0.103, "logistic_ap": 0.424, "baseline_gbm_ap": 0.455,
          "gbm_ap": 0.477, "gbm_ap_ratio": 477.0, "gbm_auc_roc": 0.989, "gbm_fit_seconds": 2.33,
          "gbm_latency_p99_ms": 10.2},
         "histogram gradient boosting, reaches 0.477"),
        ({"no_skill_ap": 0.002, "rules_ap": None, "logistic_ap": 0.3, "baseline_gbm_ap": 0.31,
          "gbm_ap": 0.25, "gbm_ap_ratio": None, "gbm_auc_roc": None, "gbm_fit_seconds": 0.6,
          "gbm_latency_p99_ms": 0.8},
         "histogram gradient boosting, reaches 0.25"),
    ],
    6: [
        ({"threshold": 0.5, "cost_ratio": 10.0, "precision": 0.632, "recall": 0.4, "alerts_per_day": 25.3,
          "cost_per_day": 24.9, "optimal_threshold": 0.218, "optimal_cost_per_day": 21.7,
          "no_alert_cost_per_day": None, "optimal_recall": 0.5275, "calibrated_threshold": 0.0909},
         "precision is 63.2 percent"),
        ({"threshold": 1.0, "cost_ratio": 1.0, "precision": None, "recall": 0.0, "alerts_per_day": 0.0,
          "cost_per_day": 40.0, "optimal_threshold": None, "optimal_cost_per_day": 40.0,
          "no_alert_cost_per_day": 40.0, "optimal_recall": None, "calibrated_threshold": 0.5},
         "Recall is 0 percent"),
    ],
    7: [
        ({"latency_p50_ms": 3.52, "latency_p99_ms": 14.4, "sla_ms": 100.0, "sla_share": 0.144,
          "assumed_ms": 50.0, "verdict": "fits in"},
         "is 14.4 milliseconds"),
        ({"latency_p50_ms": 40.0, "latency_p99_ms": 80.0, "sla_ms": 100.0, "sla_share": 0.8,
          "assumed_ms": 50.0, "verdict": "does not fit in"},
         "the measured p99 does not fit in the 100 millisecond budget"),
    ],
    8: [
        ({"drift_start_day": 25, "threshold": 0.5, "recall_before": 0.424, "recall_after": 0.0335,
          "psi_all_stable": 0.0207, "psi_all_shifted": None, "psi_stable": 0.1, "psi_fraud_max": 5.45,
          "label_delay_days": 5},
         "After the drift, it catches only 3.35 percent"),
        ({"drift_start_day": 22, "threshold": 0.5, "recall_before": 0.5, "recall_after": 0.1,
          "psi_all_stable": None, "psi_all_shifted": 0.31, "psi_stable": 0.1, "psi_fraud_max": None,
          "label_delay_days": 5},
         "After the drift, it catches only 10 percent"),
    ],
}
LIVE_SCORING_DEFAULT = {
    "score": 0.0777,
    "decision": "approve",
    "review_threshold": 0.5,
    "block_threshold": 0.9,
    "latency_ms": 0.117,
    "latency_p99_ms": 0.0293,
    "latency_verdict": "within",
    "latency_budget_ms": 100.0,
    "replay_day": 25,
    "scenario": "no drift",
    "n_replayed": 40_186,
    "skew_mismatches": 0,
    "n_alerts": 0,
}
LIVE_SCORING_CHANGED = {
    "score": 0.5331,
    "decision": "review",
    "review_threshold": 0.5,
    "block_threshold": 0.9,
    "latency_ms": 150.0,
    "latency_p99_ms": 120.0,
    "latency_verdict": "over",
    "latency_budget_ms": 100.0,
    "replay_day": 25,
    "scenario": "the upstream bug that sends amounts in cents",
    "n_replayed": 40_186,
    "skew_mismatches": 12,
    "n_alerts": 24,
}
# Invalid thresholds leave no score: only the sentences about the replayed day remain.
LIVE_SCORING_NO_SCORE = {
    "latency_budget_ms": 100.0,
    "replay_day": 25,
    "scenario": "no drift",
    "n_replayed": 40_186,
    "skew_mismatches": 0,
    "n_alerts": 1,
}
SCRIPT_CASES = {
    "home": [
        ({"n_pages": 1, "n_ab_pages": 1, "n_fraud_pages": 0}, "one page besides this one"),
        ({"n_pages": 6, "n_ab_pages": 3, "n_fraud_pages": 3}, "six pages besides this one"),
    ],
    "ab_sample_size": [
        (SAMPLE_SIZE_DEFAULT, "4,438 users per variant"),
        (SAMPLE_SIZE_CHANGED, "52,221 users per variant"),
    ],
    "ab_peeking": [
        (PEEKING_DEFAULT, "41 percent of those tests end with a false winner"),
        (PEEKING_CHANGED, "4.3 percent of those tests end with a false winner"),
    ],
    "fraud_threshold": [
        (FRAUD_DEFAULT, "the model flags 632 transactions a day"),
        (FRAUD_CHANGED, "the model flags 0 transactions a day"),
    ],
    "ab_analyze": [
        (ANALYZE_DEFAULT, "treatment B at 13.2 percent"),
        (ANALYZE_CHANGED, "a lift of minus 0.15 percentage points"),
        ({"alpha": 0.05, "empty_arm": "treatment C", "n_tests": 2, "holm_survivors": 1},
         "The arm called treatment C has no users at all"),
    ],
    **{f"fraud_design_steps_{step}": cases for step, cases in DESIGN_STEP_CASES.items()},
    "fraud_live_scoring": [
        (LIVE_SCORING_DEFAULT, "a fraud score of 0.0777, that is a 7.77 percent chance of fraud"),
        (LIVE_SCORING_CHANGED, "a fraud score of 0.533, that is a 53.3 percent chance of fraud"),
        (LIVE_SCORING_NO_SCORE, "they raised 1 alert."),
    ],
}

MIN_SECONDS = 45
MAX_SECONDS = 120
SCRIPT_IDS = sorted(path.stem for path in SCRIPT_DIR.glob("*.md"))
RENDER_CASES = [
    pytest.param(page_id, values, key_phrase, id=f"{page_id}-{index}")
    for page_id, cases in SCRIPT_CASES.items()
    for index, (values, key_phrase) in enumerate(cases)
]


@pytest.mark.parametrize("page_id", SCRIPT_IDS)
def test_every_script_has_cases(page_id):
    assert page_id in SCRIPT_CASES, f"add default and changed values for {page_id} to SCRIPT_CASES"


@pytest.mark.parametrize("page_id", SCRIPT_IDS)
def test_script_placeholders_match_cases(page_id):
    names = {name for name, _ in list_placeholders(load_script(page_id))}
    covered = set()
    for values, _ in SCRIPT_CASES.get(page_id, []):
        assert set(values) <= names, f"no placeholder for {sorted(set(values) - names)}"
        covered |= set(values)
    assert names <= covered, f"no case fills {sorted(names - covered)}"


@pytest.mark.parametrize(("page_id", "values", "key_phrase"), RENDER_CASES)
def test_script_renders_completely(page_id, values, key_phrase):
    text = render_script(load_script(page_id), values)
    assert "{" not in text
    assert "}" not in text
    assert key_phrase in text
    assert key_phrase in speech_text(text)


@pytest.mark.parametrize(("page_id", "values", "key_phrase"), RENDER_CASES)
def test_script_length_fits_spoken_range(page_id, values, key_phrase):
    seconds = spoken_seconds(speech_text(render_script(load_script(page_id), values)))
    assert seconds >= MIN_SECONDS
    assert seconds <= MAX_SECONDS


@pytest.mark.parametrize("page_id", SCRIPT_IDS)
def test_script_speaks_without_symbols(page_id):
    values, _ = SCRIPT_CASES[page_id][0]
    spoken = speech_text(render_script(load_script(page_id), values))
    assert re.search(r"[^\w\s.,;:?!'\"()-]", spoken) is None


@pytest.mark.parametrize("page_id", SCRIPT_IDS)
def test_script_with_no_values_drops_sentences(page_id):
    text = render_script(load_script(page_id), {})
    assert "{" not in text
    assert "}" not in text
    assert text.strip()


def test_analyze_optional_sentences():
    default = render_script(load_script("ab_analyze"), ANALYZE_DEFAULT)
    changed = render_script(load_script("ab_analyze"), ANALYZE_CHANGED)
    assert "match the planned split, with a sample ratio p-value of 1." in default
    assert "do not match" not in default
    assert "do not match the planned split, with a sample ratio p-value of less than 0.001" in changed
    assert "Holm" not in default
    assert "You test six comparisons at once" in changed
    assert "leaves no significant results" in changed
    assert "the result is not significant" in changed
    assert "\n\n\n" not in default


def test_peeking_optional_sentences():
    default = render_script(load_script("ab_peeking"), PEEKING_DEFAULT)
    changed = render_script(load_script("ab_peeking"), PEEKING_CHANGED)
    assert "stopped after 8 hours" in default
    assert "on day" not in default
    assert "stopped on day 3," in changed
    assert "At the planned sample size, its p-value is less than 0.001." in default
    assert "ends before the planned sample size, with a p-value of 0.31" in changed
    assert "runs for 10.5 days, with one look a day" in changed
    assert "With two planned analyses" in changed


def test_fraud_optional_sentences():
    default = render_script(load_script("fraud_threshold"), FRAUD_DEFAULT)
    changed = render_script(load_script("fraud_threshold"), FRAUD_CHANGED)
    assert "The cheapest threshold is 0.218, at 27,136 dollars a day." in default
    assert "no alerts at all" not in default
    assert "A missed fraud costs 50 dollars." in default
    assert "A missed fraud costs its transaction amount." in changed
    assert "raise no alerts at all, which costs 4,120 dollars a day" in changed
    assert "precision-recall curve is" not in changed
    assert "Precision is" not in changed


def test_design_step_optional_sentences():
    evaluation = render_script(load_script("fraud_design_steps_6"), DESIGN_STEP_CASES[6][0][0])
    no_alerts = render_script(load_script("fraud_design_steps_6"), DESIGN_STEP_CASES[6][1][0])
    assert "The cost-optimal threshold is 0.218" in evaluation
    assert "no alerts at all" not in evaluation
    assert "a missed fraud costs as much as 10 false alarms." in evaluation
    assert "a missed fraud costs as much as 1 false alarm." in no_alerts
    assert "raise no alerts at all, at a cost of 40 missed frauds a day" in no_alerts
    assert "precision is" not in no_alerts
    stable = render_script(load_script("fraud_design_steps_8"), DESIGN_STEP_CASES[8][0][0])
    shifted = render_script(load_script("fraud_design_steps_8"), DESIGN_STEP_CASES[8][1][0])
    assert "is only 0.0207, below the 0.1" in stable
    assert "above the 0.1" not in stable
    assert "is 0.31, above the 0.1" in shifted
    assert "alarm stays silent" not in shifted


def test_live_scoring_optional_sentences():
    default = render_script(load_script("fraud_live_scoring"), LIVE_SCORING_DEFAULT)
    changed = render_script(load_script("fraud_live_scoring"), LIVE_SCORING_CHANGED)
    no_score = render_script(load_script("fraud_live_scoring"), LIVE_SCORING_NO_SCORE)
    assert "So the decision is approve." in default
    assert "is 0.0293 milliseconds, within the budget" in default
    assert "is 120 milliseconds, over the budget" in changed
    assert "with the upstream bug that sends amounts in cents" in changed
    assert "in 12 transactions" in changed
    assert "they raised 24 alerts" in changed
    assert "fraud score" not in no_score
    assert "The bars below" not in no_score
    assert "This scoring call" not in no_score


def test_sample_size_optional_sentences():
    default = render_script(load_script("ab_sample_size"), SAMPLE_SIZE_DEFAULT)
    changed = render_script(load_script("ab_sample_size"), SAMPLE_SIZE_CHANGED)
    assert "rounded up from one day" in default
    assert "rounded up" not in changed
    assert "an alpha of 0.025" in changed
    assert "split between them" not in default
    assert "seven days" in default
    assert "two treatments" in changed


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{n}", {"n": 4438}, "4,438"),
        ("{n}", {"n": 4438.0}, "4,438"),
        ("{n}", {"n": 1_234_567}, "1,234,567"),
        ("{n}", {"n": 0.05}, "0.05"),
        ("{n}", {"n": -3}, "minus 3"),
        ("{n}", {"n": 1e-9}, "less than 0.001"),
        ("{n}", {"n": True}, "yes"),
        ("{n}", {"n": "two-sided"}, "two-sided"),
        ("{p:percent}", {"p": 0.12}, "12 percent"),
        ("{p:percent}", {"p": 0.025}, "2.5 percent"),
        ("{p:percent}", {"p": 0.1}, "10 percent"),
        ("{d:points}", {"d": 0.02}, "2 percentage points"),
        ("{d:points}", {"d": 0.01}, "1 percentage point"),
        ("{d:words}", {"d": 7}, "seven"),
        ("{d:words}", {"d": 438}, "four hundred thirty-eight"),
        ("{d:words}", {"d": 4438}, "4,438"),
        ("{d:count:day}", {"d": 1}, "1 day"),
        ("{d:count:day}", {"d": 14}, "14 days"),
        ("{d:count_words:day}", {"d": 7}, "seven days"),
        ("{d:count_words:day}", {"d": 1}, "one day"),
        ("{d:count_words:day}", {"d": 0}, "no days"),
        ("{n:count:analysis:analyses}", {"n": 2}, "2 analyses"),
    ],
)
def test_render_formats_values(template, values, expected):
    assert render_script(template, values) == expected + "\n"


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, [1, 2], "text for a number"])
def test_render_drops_sentence_with_missing_value(missing):
    template = "You need {n:count:user}. Power is {p:percent}. Done."
    assert render_script(template, {"n": 4438, "p": missing}) == "You need 4,438 users. Done.\n"


def test_render_drops_emptied_list_item():
    template = "Facts:\n- first {a}\n- second {b}\n"
    assert render_script(template, {"a": 1}) == "Facts:\n- first 1\n"


@pytest.mark.parametrize("template", ["a { b", "a } b", "{n:unknown}", "{n:count}", "{ n }"])
def test_render_rejects_bad_template(template):
    with pytest.raises(ValueError, match="template|placeholder"):
        render_script(template, {"n": 1})


def test_render_removes_braces_from_strings():
    assert render_script("Name {x}.", {"x": "{evil}"}) == "Name evil.\n"


def test_list_placeholders_in_order():
    template = "{a} and {b:percent}, {c:count:day:days}"
    assert list_placeholders(template) == [("a", ""), ("b", "percent"), ("c", "count:day:days")]


@pytest.mark.parametrize("page_id", ["../secret", "Home", "", "a/b", "home.md"])
def test_load_script_rejects_bad_page_id(page_id):
    with pytest.raises(ValueError, match="page_id"):
        load_script(page_id)


def test_load_script_missing_file():
    with pytest.raises(FileNotFoundError, match="no_such_page"):
        load_script("no_such_page")


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Significance α is 5%.", "Significance alpha is 5 percent."),
        ("From 12% → 14%", "From 12 percent to 14 percent."),
        ("**Bold** and _italic_ and `code`", "Bold and italic and code."),
        ("# Title\n\nText", "Title. Text."),
        ("Read [the docs](https://example.org).", "Read the docs."),
        ("An A/B test", "An A B test."),
        ("Run A/A tests and/or checks", "Run A A tests and or checks."),
        ("n ≥ 30 and p < 0.05", "n at least 30 and p less than 0.05."),
        ("Lift of -0.3 points", "Lift of minus 0.3 points."),
        ("Weeks 2-4 — then stop", "Weeks 2 to 4, then stop."),
        ("▶ Play 😀 now", "Play now."),
        ("- one\n- two", "one. two."),
    ],
)
def test_speech_text_replaces_symbols(markdown, expected):
    assert speech_text(markdown) == expected


@settings(deadline=None)
@given(st.text())
def test_speech_text_leaves_no_symbols(markdown):
    spoken = speech_text(markdown)
    assert re.search(r"[^\w\s.,;:?!'\"()-]", spoken) is None


_PLACEHOLDER_SPECS = ["", ":percent", ":points", ":words", ":count:day", ":count_words:user:users"]
_NAMES = ["a", "b", "c"]
_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.lists(st.integers(), max_size=2),
)
_template_pieces = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=20),
    st.builds(lambda name, spec: "{" + name + spec + "}", st.sampled_from(_NAMES), st.sampled_from(_PLACEHOLDER_SPECS)),
    st.sampled_from([". ", "\n", "\n\n", "- ", "! "]),
)


@settings(deadline=None)
@given(st.lists(_template_pieces, max_size=12), st.dictionaries(st.sampled_from(_NAMES), _values))
def test_render_never_leaves_braces(pieces, values):
    text = render_script("".join(pieces), values)
    assert "{" not in text
    assert "}" not in text


@settings(deadline=None)
@given(st.integers(min_value=0, max_value=999))
def test_number_words_are_words(number):
    assert re.fullmatch(r"[a-z]+(?:[ -][a-z]+)*", number_words(number))


@settings(deadline=None)
@given(st.floats(min_value=-1e12, max_value=1e12))
def test_format_number_has_no_exponent(value):
    assert "e" not in format_number(value).replace("less", "").replace("between", "").replace("zero", "")


@settings(deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_speech_chunks_are_short(text):
    chunks = speech_chunks(text, max_chars=50)
    assert all(len(chunk) <= 50 for chunk in chunks)
    assert all(chunk.strip() == chunk and chunk for chunk in chunks)


def test_speech_chunks_split_sentences():
    text = "First sentence. Second one? Third, with a comma!"
    assert speech_chunks(text) == ["First sentence.", "Second one?", "Third, with a comma!"]
    assert " ".join(speech_chunks(text)) == text


def test_script_json_cannot_close_script():
    encoded = script_json({"chunks": ["</script><script>alert(1)</script> & \u2028"]})
    assert "<" not in encoded
    assert ">" not in encoded
    assert "&" not in encoded
    assert "\u2028" not in encoded
    assert json.loads(encoded) == {"chunks": ["</script><script>alert(1)</script> & \u2028"]}


def test_control_html_survives_sanitizer():
    # DOMPurify (the sanitizer of st.html) removes a script whose text contains "<"
    # followed by a letter, "/" or "!", so such a sequence would silently disable the player.
    page = control_html("home", "Text with </script> and <b>tags</b>.")
    script = page[page.index("<script>") + len("<script>") : page.rindex("</script>")]
    assert re.search(r"<[/\w!]", script) is None
    assert page.count("</script>") == 1


def test_control_html_carries_chunks():
    page = control_html("ab_sample_size", "You need 4,438 users per variant. That is all.")
    config_text = page[page.rindex("})(") + 3 : page.rindex(");</script>")]
    config = json.loads(config_text)
    assert config["pageId"] == "ab_sample_size"
    assert config["rootId"] == "narration-ab_sample_size"
    assert config["chunks"] == ["You need 4,438 users per variant.", "That is all."]
    assert 'id="narration-ab_sample_size"' in page


# Each page that calls narrate(): its path for AppTest (None is the home page), URL query
# parameters, and the phrase with the key number its transcript must contain.
PAGE_TRANSCRIPT_CASES = [
    pytest.param(None, {}, "besides this one", id="home"),
    pytest.param("pages/ab_sample_size.py", {}, "4,438 users per variant", id="sample_size-default"),
    pytest.param(
        "pages/ab_sample_size.py", {"mde": "1"}, "17,169 users per variant", id="sample_size-mde"
    ),
    pytest.param("pages/ab_peeking.py", {}, "That is 168 looks at the p-value", id="peeking-default"),
    pytest.param(
        "pages/ab_peeking.py", {"looks": "1"}, "That is 7 looks at the p-value", id="peeking-daily"
    ),
    pytest.param("pages/ab_analyze.py", {}, "treatment B at 13.2 percent", id="analyze-default"),
    pytest.param(
        "pages/fraud_threshold.py", {}, "At your threshold of 0.5, the model flags", id="fraud-default"
    ),
    pytest.param(
        "pages/fraud_threshold.py",
        {"threshold": "0.9", "fn_cost": "amount"},
        "A missed fraud costs its transaction amount.",
        id="fraud-amount",
    ),
    pytest.param(
        "pages/ab_analyze.py",
        {"users1": "9000", "conv1": "1000"},
        "do not match the planned split",
        id="analyze-mismatch",
    ),
    pytest.param(
        "pages/ab_analyze.py",
        {"treatments": "3"},
        "You test three comparisons at once",
        id="analyze-treatments",
    ),
    pytest.param(
        "pages/ab_sample_size.py",
        {"variants": "3", "weeks": "false"},
        "each comparison uses an alpha of 0.0167",
        id="sample_size-variants",
    ),
]


# The design steps and live scoring: URL query and the phrase with the key number that
# the transcript must contain. Step 7 measures latency anew on every run, so its number
# is compared with the page's metric in its own test.
FRAUD_TRANSCRIPT_CASES = [
    pytest.param({"step": "1"}, "It carries about 40,024 transactions a day", id="step1"),
    pytest.param({"step": "2"}, "Of the blocked transactions, 63.2 percent are fraud", id="step2"),
    pytest.param({"step": "3"}, "The training days hold 600 frauds against 599,100 legitimate", id="step3"),
    pytest.param({"step": "4"}, "The median fraud amount is 195 dollars", id="step4"),
    pytest.param({"step": "5"}, "histogram gradient boosting, reaches 0.477", id="step5"),
    pytest.param({"step": "6"}, "At that threshold, precision is 63.2 percent", id="step6-default"),
    pytest.param(
        {"step": "6", "threshold": "0.3"}, "At that threshold, precision is 48.2 percent", id="step6-threshold"
    ),
    pytest.param(
        {"step": "6", "cost_ratio": "1:1"}, "The cost-optimal threshold is 0.734", id="step6-ratio"
    ),
    pytest.param({"step": "8"}, "After the drift, it catches only 3.35 percent", id="step8"),
]
LIVE_TRANSCRIPT_CASES = [
    pytest.param({}, "a fraud score of 0.0777, that is a 7.77 percent chance", id="default"),
    pytest.param(
        {"amount": "20", "international": "Yes", "hour": "03:00"},
        "a fraud score of 0.533, that is a 53.3 percent chance",
        id="small-international-night",
    ),
    pytest.param({"drift": "amount_in_cents"}, "they raised 24 alerts", id="drift"),
    pytest.param({"threshold": "0.9", "block": "0.5"}, "they raised 0 alerts", id="bad-thresholds"),
]


def _transcript(app) -> str:
    expanders = [expander for expander in app.expander if expander.label == "Transcript"]
    assert len(expanders) == 1
    return "\n".join(element.value for element in expanders[0].markdown)


@pytest.mark.parametrize(("page", "query", "key_phrase"), PAGE_TRANSCRIPT_CASES)
def test_page_transcript_has_key_number(page, query, key_phrase):
    app = run_page(page, query)
    assert not app.exception
    transcript = _transcript(app)
    assert key_phrase in transcript
    assert "{" not in transcript


def _sample_size_app_with_markdown_name(root):
    import sys

    sys.path.insert(0, root)
    from ui.narration import narrate

    values = {
        "baseline_rate": 0.12, "treatment_rate": 0.14, "n_per_variant": 4438, "n_total": 8876,
        "n_treatments": 1, "daily_traffic_per_variant": 5000, "days_to_run": 7, "days_exact": 1,
        "power": 0.8, "alpha": 0.05, "alpha_per_comparison": None, "sides": "**bold** $x$",
    }
    narrate("ab_sample_size", values)


def test_narrate_escapes_user_markdown():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_function(_sample_size_app_with_markdown_name, args=(str(ROOT),)).run()
    assert not app.exception
    transcript = _transcript(app)
    assert r"This is a \*\*bold\*\* \$x\$ test." in transcript
    control = app.get("html")[0].proto.body
    assert "This is a bold x test." in control


@pytest.mark.parametrize(("query", "key_phrase"), FRAUD_TRANSCRIPT_CASES)
def test_design_step_transcript_has_key_number(query, key_phrase):
    app = run_page("pages/fraud_design_steps.py", query)
    assert not app.exception
    transcript = _transcript(app)
    assert transcript.startswith(f"Step {number_words(int(query['step']))} ")
    assert key_phrase in transcript
    assert "{" not in transcript


def test_design_step_transcript_speaks_measured_latency():
    app = run_page("pages/fraud_design_steps.py", {"step": "7"})
    assert not app.exception
    shown_p99 = float(metric_values(app)["Scoring p99"].removesuffix(" ms"))
    match = re.search(r"the p99, is ([\d.,]+) milliseconds", _transcript(app))
    assert match is not None
    spoken_p99 = float(match.group(1).replace(",", ""))
    # The metric shows two decimals and the narration three significant digits.
    assert spoken_p99 == pytest.approx(shown_p99, rel=0.01, abs=0.006)


@pytest.mark.parametrize(("query", "key_phrase"), LIVE_TRANSCRIPT_CASES)
def test_live_scoring_transcript_has_key_number(query, key_phrase):
    app = run_page("pages/fraud_live_scoring.py", query)
    assert not app.exception
    transcript = _transcript(app)
    assert key_phrase in transcript
    assert "{" not in transcript
    shown = metric_values(app).get("Fraud score")
    match = re.search(r"a fraud score of ([\d.]+),", transcript)
    if shown is None:
        assert match is None
    else:
        assert match is not None
        # The metric shows four decimals and the narration three significant digits.
        assert float(match.group(1)) == pytest.approx(float(shown), rel=0.005, abs=0.00006)
