"""AppTest of the fraud design steps page: every step, the step diagram, the threshold widget."""

from __future__ import annotations

import pytest

from core.fraud.steps import N_STEPS, default_steps

from tests.app_utils import metric_values, run_page
from tests.conftest import ROOT

PAGE = "pages/fraud_design_steps.py"
STEP_KEY = "fraud_design_steps__step"
THRESHOLD_KEY = "fraud_design_steps__threshold"
BAD_LINK_WARNING = "Ignored invalid values in the link"


def _chart_specs(app) -> list[str]:
    """Return the Vega-Lite JSON of every chart on the page."""
    return [chart.proto.spec for chart in app.get("vega_lite_chart")]


def _shown_step(app) -> int:
    return int(app.button_group(key=STEP_KEY).value)


def _check_artifact(app, number: int) -> None:
    """Assert that the live artifact of step ``number`` is on the page."""
    metrics = metric_values(app)
    specs = " ".join(_chart_specs(app))
    if number == 1:
        assert metrics["Fraud rate"].endswith("%")
        assert "Accuracy of approving everything" in metrics
    elif number == 2:
        assert list(app.dataframe[0].value["decision"]) == ["approve", "review", "block"]
    elif number == 3:
        assert "Class balance" in specs
        assert "Label-delay timeline" in specs
    elif number == 4:
        table = app.dataframe[0].value
        assert list(table["feature"]) == ["amount", "velocity_1h", "is_international", "merchant_risk", "hour_of_day"]
        assert table["computed_in"].str.len().gt(0).all()
    elif number == 5:
        table = app.dataframe[0].value
        assert len(table) == 4
        assert {"average_precision", "auc_roc", "fit_seconds", "latency_p50_ms"} <= set(table.columns)
    elif number == 6:
        assert app.slider(key=THRESHOLD_KEY).label == "Fraud score threshold"
        assert any(slider.label == "FP cost / FN cost ratio" for slider in app.select_slider)
        assert {"Precision", "Recall", "Optimal threshold"} <= set(metrics)
        assert "Decision threshold — business cost tradeoff" in " ".join(m.value for m in app.markdown)
        assert "Expected cost vs threshold" in specs
        assert "Feature importance (GBM model)" in specs
    elif number == 7:
        assert metrics["Scoring p99"].endswith(" ms")
        assert "Latency budget" in specs
    elif number == 8:
        assert "Recall after the drift" in metrics
        assert "Daily recall of the unchanged model" in specs
        assert list(app.dataframe[0].value["signal"])[-1] == "score"


@pytest.mark.parametrize("number", range(1, N_STEPS + 1))
def test_step_from_url_renders_artifact(number):
    app = run_page(PAGE, {"step": str(number)})
    assert not app.exception
    assert not app.warning
    assert _shown_step(app) == number
    step = default_steps()[number - 1]
    assert app.header[0].value == f"{number}. {step.title}"
    _check_artifact(app, number)


def test_default_is_first_step():
    app = run_page(PAGE)
    assert not app.exception
    assert _shown_step(app) == 1
    assert app.query_params["step"] == "1"


def test_diagram_lists_all_steps():
    app = run_page(PAGE)
    diagram = app.button_group(key=STEP_KEY)
    assert list(diagram.options) == [f"{step.number} {step.short}" for step in default_steps()]


def test_clicking_step_updates_url():
    app = run_page(PAGE)
    app.button_group(key=STEP_KEY).set_value(4).run()
    assert not app.exception
    assert app.query_params["step"] == "4"
    assert app.header[0].value.startswith("4. ")


def test_deselecting_keeps_step():
    app = run_page(PAGE, {"step": "3"})
    app.button_group(key=STEP_KEY).set_value(None).run()
    assert not app.exception
    assert _shown_step(app) == 3
    assert app.header[0].value.startswith("3. ")


def test_next_and_previous_buttons():
    app = run_page(PAGE, {"step": "2"})
    next_button = next(button for button in app.button if button.label.startswith("3 "))
    next_button.click().run()
    assert _shown_step(app) == 3
    previous_button = next(button for button in app.button if button.label.startswith("← 2 "))
    previous_button.click().run()
    assert _shown_step(app) == 2


@pytest.mark.parametrize("value", ["abc", "0", "9", "2.5", "-1", "nan", "<script>alert(1)</script>"])
def test_bad_step_value_warns(value):
    app = run_page(PAGE, {"step": value})
    assert not app.exception
    assert any(BAD_LINK_WARNING in warning.value for warning in app.warning)
    assert _shown_step(app) == 1


def _recall(app) -> float:
    return float(metric_values(app)["Recall"].rstrip("%"))


def test_higher_threshold_never_raises_recall():
    app = run_page(PAGE, {"step": "6"})
    recalls = []
    for threshold in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0):
        app.slider(key=THRESHOLD_KEY).set_value(threshold).run()
        assert not app.exception
        recalls.append(_recall(app))
    assert all(later <= earlier for earlier, later in zip(recalls, recalls[1:])), recalls
    assert recalls[0] > recalls[-1]


def test_threshold_and_ratio_in_url():
    app = run_page(PAGE, {"step": "6", "threshold": "0.3", "cost_ratio": "1:50"})
    assert not app.exception
    assert app.slider(key=THRESHOLD_KEY).value == pytest.approx(0.3)
    assert app.select_slider[0].value == "1:50"
    app.slider(key=THRESHOLD_KEY).set_value(0.4).run()
    assert app.query_params["threshold"] == "0.4"


@pytest.mark.parametrize(
    "query",
    [
        {"threshold": "2"},
        {"threshold": "abc"},
        {"threshold": "nan"},
        {"threshold": "-inf"},
        {"threshold": ""},
        {"cost_ratio": "1:3"},
        {"cost_ratio": "<script>alert(1)</script>"},
    ],
)
def test_bad_threshold_value_warns(query):
    app = run_page(PAGE, {"step": "6", **query})
    assert not app.exception
    assert any(BAD_LINK_WARNING in warning.value for warning in app.warning)
    assert "Recall" in metric_values(app)


def test_threshold_params_leave_other_steps():
    app = run_page(PAGE, {"step": "6", "threshold": "0.3"})
    app.button_group(key=STEP_KEY).set_value(7).run()
    assert "threshold" not in app.query_params
    assert app.query_params["step"] == "7"


def test_evaluation_links_to_threshold_page():
    app = run_page(PAGE, {"step": "6"})
    links = [link.proto.page for link in app.get("page_link")]
    assert any("fraud_threshold" in link for link in links), links


def test_monitoring_links_to_ab_page():
    app = run_page(PAGE, {"step": "8"})
    links = [link.proto.page for link in app.get("page_link")]
    assert any("ab_sample_size" in link for link in links), links


def test_live_scoring_link_only_if_listed():
    listed = "pages/fraud_live_scoring.py" in (ROOT / "ui" / "router.py").read_text(encoding="utf-8")
    app = run_page(PAGE, {"step": "8"})
    assert not app.exception
    links = [link.proto.page for link in app.get("page_link")]
    assert any("fraud_live_scoring" in link for link in links) == listed, links


def test_latency_can_be_measured_again():
    app = run_page(PAGE, {"step": "7"})
    next(button for button in app.button if button.label == "Measure again").click().run()
    assert not app.exception
    assert metric_values(app)["Scoring p50"].endswith(" ms")


def test_broken_step_file_shows_error(monkeypatch):
    import core.fraud.steps as steps_module

    def broken():
        raise ValueError("03_data.md: section 'Decisions' is empty")

    monkeypatch.setattr(steps_module, "default_steps", broken)
    app = run_page(PAGE)
    assert not app.exception
    assert "03_data.md: section 'Decisions' is empty" in app.error[0].value
