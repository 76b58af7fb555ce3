"""AppTest of the Live scoring page."""

from __future__ import annotations

import pytest

from core.fraud.model import build_default_models
from tests.app_utils import metric_values, run_page

PAGE = "pages/fraud_live_scoring.py"
KEY = "fraud_live_scoring__"


@pytest.fixture(scope="module", autouse=True)
def trained_models():
    # Train once outside AppTest, so the page's first run stays within its timeout.
    return build_default_models(seed=0)


def _score(app) -> float:
    return float(metric_values(app)["Fraud score"])


def _alert_hours(app) -> list[int]:
    tables = [table.value for table in app.dataframe if "On-call next step" in table.value.columns]
    if not tables:
        return []
    return [int(hour.split(":")[0]) for hour in tables[0]["Hour"]]


def test_hourly_table_covers_day():
    app = run_page(PAGE)
    tables = [table.value for table in app.dataframe if "Latency p99 (ms)" in table.value.columns]
    assert len(tables) == 1
    assert tables[0]["Hour"].tolist() == [f"{hour:02d}:00" for hour in range(24)]
    assert int(tables[0]["Transactions"].sum()) == int(metric_values(app)["Transactions replayed"].replace(",", ""))


def test_defaults_render_metrics():
    app = run_page(PAGE)
    assert not app.exception
    metrics = metric_values(app)
    for label in ("Fraud score", "Decision", "Latency SLA", "Daily FP cost"):
        assert label in metrics
    assert 0.0 <= _score(app) <= 1.0
    assert metrics["Decision"] == "Approve"
    assert metrics["Latency SLA"].endswith(" ms")
    assert metrics["Daily FP cost"].startswith("$")


def test_default_inputs_match_labels():
    app = run_page(PAGE)
    assert app.number_input(key=KEY + "amount").label == "Transaction amount ($)"
    assert app.number_input(key=KEY + "amount").value == 250.0
    assert app.number_input(key=KEY + "velocity").label == "Velocity (txns last 1h)"
    assert app.number_input(key=KEY + "velocity").value == 1
    assert app.number_input(key=KEY + "merchant_risk").label == "Merchant risk score"
    assert app.number_input(key=KEY + "merchant_risk").value == pytest.approx(0.20)
    assert app.radio(key=KEY + "international").label == "Is international?"
    assert app.radio(key=KEY + "international").value == "No"
    assert app.selectbox(key=KEY + "hour").label == "Hour of day"
    assert app.selectbox(key=KEY + "hour").value == "14:00"


def test_default_replay_has_no_skew_and_no_alert():
    app = run_page(PAGE)
    metrics = metric_values(app)
    assert metrics["Skew mismatches"] == "0"
    assert int(metrics["Transactions replayed"].replace(",", "")) > 20_000
    assert metrics["Alerts"] == "0"
    assert any("No alert" in box.value for box in app.success)


@pytest.mark.parametrize(
    "query",
    [
        {"amount": "0", "velocity": "0", "merchant_risk": "0", "hour": "00:00"},
        {"amount": "1000000", "velocity": "50", "merchant_risk": "1", "international": "Yes", "hour": "03:00"},
        {"amount": "1000000", "velocity": "0", "hour": "23:00"},
        {"amount": "0", "velocity": "50", "international": "Yes", "hour": "12:00"},
    ],
)
def test_extreme_inputs_score_in_unit_interval(query):
    app = run_page(PAGE, query)
    assert not app.exception
    assert 0.0 <= _score(app) <= 1.0


def test_decision_rises_to_block():
    app = run_page(PAGE, {"international": "Yes", "hour": "03:00", "merchant_risk": "0.02"})
    decisions = []
    for amount, velocity in [(20.0, 0), (200.0, 1), (800.0, 3), (2_000.0, 10)]:
        app.number_input(key=KEY + "amount").set_value(amount)
        app.number_input(key=KEY + "velocity").set_value(velocity)
        app.run()
        assert not app.exception
        decisions.append(metric_values(app)["Decision"])
    assert decisions[0] == "Approve"
    assert decisions[-1] == "Block"
    order = ["Approve", "Review", "Block"]
    assert [order.index(d) for d in decisions] == sorted(order.index(d) for d in decisions)


def test_amount_change_changes_score():
    app = run_page(PAGE, {"international": "Yes", "hour": "03:00", "merchant_risk": "0.02"})
    before = _score(app)
    app.number_input(key=KEY + "amount").set_value(2_000.0).run()
    assert _score(app) > before


def test_drift_alert_after_drift_hour_only():
    app = run_page(PAGE, {"drift": "amount_in_cents", "drift_hour": "12:00"})
    assert not app.exception
    hours = _alert_hours(app)
    assert hours, "expected alerts after the drift hour"
    assert min(hours) == 12
    assert metric_values(app)["Skew mismatches"] == "0"
    assert any("First alert at 12:00" in box.value for box in app.error)


def test_fraud_pattern_drift_never_alerts_before_drift_hour():
    app = run_page(PAGE, {"drift": "fraud_pattern", "drift_hour": "06:00"})
    assert not app.exception
    assert all(hour >= 6 for hour in _alert_hours(app))
    assert metric_values(app)["Skew mismatches"] == "0"
    assert any("found by recall, not PSI" in box.value for box in app.info)


def test_no_labels_yet_explained():
    app = run_page(PAGE, {"label_days": "0"})
    assert not app.exception
    assert any("No label of this day has arrived" in box.value for box in app.info)


@pytest.mark.parametrize(
    ("key", "value"),
    [("amount", "abc"), ("velocity", "2.5"), ("hour", "25:00"), ("merchant_risk", "-1"), ("drift", "sideways")],
)
def test_bad_url_value_warns(key, value):
    app = run_page(PAGE, {key: value})
    assert not app.exception
    assert any(f"`{key}=" in box.value for box in app.warning)
    assert "Fraud score" in metric_values(app)


def test_review_above_block_shows_error():
    app = run_page(PAGE, {"threshold": "0.95", "block": "0.9"})
    assert not app.exception
    assert any("review_threshold=0.95 is above block_threshold=0.9" in box.value for box in app.error)
    assert "Transactions replayed" in metric_values(app)


def test_shared_inputs_carry_to_threshold_page():
    app = run_page(PAGE, {"threshold": "0.3", "volume": "5000", "fp_cost": "12"})
    assert not app.exception
    app.switch_page("pages/fraud_threshold.py").run()
    assert not app.exception
    assert app.slider(key="fraud_threshold__threshold").value == pytest.approx(0.3)
    assert app.number_input(key="fraud_threshold__volume").value == 5000
