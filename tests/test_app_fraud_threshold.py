"""AppTest of the Threshold & cost page: defaults, inputs, URL values and uploads."""

from __future__ import annotations

import pytest

from tests.app_utils import metric_values, run_page

PAGE = "pages/fraud_threshold.py"


def percent(text: str) -> float:
    return float(text.rstrip("%"))


def dollars(text: str) -> float:
    return float(text.lstrip("$").replace(",", ""))


def upload_page(content: bytes):
    app = run_page(PAGE, {"scores": "upload"})
    app.file_uploader[0].set_value(("scores.csv", content, "text/csv")).run()
    return app


def test_defaults_render():
    app = run_page(PAGE)
    assert not app.exception
    metrics = metric_values(app)
    assert app.slider[0].value == 0.5
    assert app.select_slider[0].value == "1:10"
    assert float(metrics["AUC-PR (average precision)"]) > 10 * float(metrics["No-skill AUC-PR"])
    assert metrics["No-skill AUC-ROC"] == "0.5"
    assert 0 < percent(metrics["Recall"]) < 100
    assert dollars(metrics["Total daily cost"]) > 0
    assert float(metrics["Cost-minimising threshold"]) < 0.5
    assert "Brute-force check" in " ".join(caption.value for caption in app.caption)
    assert "They agree." in " ".join(caption.value for caption in app.caption)
    assert len(app.dataframe) == 2
    assert not app.error


def test_higher_threshold_never_raises_recall():
    app = run_page(PAGE)
    recalls = []
    for threshold in (0.05, 0.2, 0.4, 0.6, 0.8, 0.95):
        app.slider[0].set_value(threshold).run()
        assert not app.exception
        recalls.append(percent(metric_values(app)["Recall"]))
    assert all(later <= earlier for earlier, later in zip(recalls, recalls[1:]))
    assert recalls[-1] < recalls[0]


def test_threshold_goes_to_url():
    app = run_page(PAGE)
    app.slider[0].set_value(0.3).run()
    assert app.query_params["threshold"] == "0.3"


def test_cost_ratio_moves_optimum():
    app = run_page(PAGE)
    low = float(metric_values(app)["Cost-minimising threshold"])
    app.select_slider[0].set_value("1:200").run()
    high_fn_cost = float(metric_values(app)["Cost-minimising threshold"])
    # Missed frauds are dearer, so the optimum flags more: a lower threshold.
    assert high_fn_cost < low


def test_amount_cost_mode():
    app = run_page(PAGE, {"fn_cost": "amount"})
    assert not app.exception
    assert dollars(metric_values(app)["Daily FN cost"]) > 0


def test_url_restores_inputs():
    app = run_page(PAGE, {"threshold": "0.3", "cost_ratio": "1:50", "volume": "20000", "scores": "logistic"})
    assert not app.exception
    assert app.slider[0].value == 0.3
    assert app.select_slider[0].value == "1:50"
    assert app.number_input[1].value == 20_000
    assert "Logistic regression" in " ".join(caption.value for caption in app.caption)


@pytest.mark.parametrize(
    "query",
    [
        {"threshold": "abc"},
        {"threshold": "1.5"},
        {"cost_ratio": "1:3"},
        {"fp_cost": "-5"},
        {"volume": "0"},
        {"scores": "xgboost"},
        {"fn_cost": "nan"},
    ],
)
def test_bad_url_value_warns(query):
    app = run_page(PAGE, query)
    assert not app.exception
    assert any("Ignored invalid values in the link" in warning.value for warning in app.warning)
    assert app.slider[0].value == 0.5 or "threshold" not in query


def test_upload_prompt_without_file():
    app = run_page(PAGE, {"scores": "upload"})
    assert not app.exception
    assert any("Upload a file" in info.value for info in app.info)
    assert len(app.download_button) == 1


def test_upload_valid_file():
    rows = "\n".join(f"{int(i % 10 == 0)},{(i % 10 == 0) * 0.5 + (i % 7) / 20:.3f},{10 + i}" for i in range(400))
    app = upload_page(f"label,score,amount\n{rows}\n".encode())
    assert not app.exception
    assert not app.error
    metrics = metric_values(app)
    assert float(metrics["AUC-PR (average precision)"]) > 0.1
    assert "Evaluating 400 uploaded rows, 40 of them fraud." in " ".join(c.value for c in app.caption)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"label,amount\n0,1\n", "missing the column"),
        (b"label,score\n0,abc\n", "not a finite number"),
        (b"label,score\n3,0.5\n", "label must be 0 or 1"),
        (b"label,score\n1,1.5\n", "score must be between 0 and 1"),
        (b"label,score\n", "no data rows"),
        (b"\xff\xfe\x00", "not valid UTF-8"),
    ],
)
def test_upload_bad_file_shows_error(content, message):
    app = upload_page(content)
    assert not app.exception
    assert any(message in error.value for error in app.error)
    assert not app.metric


def test_upload_single_class_says_undefined():
    app = upload_page(b"label,score\n0,0.1\n0,0.9\n0,0.4\n")
    assert not app.exception
    metrics = metric_values(app)
    assert metrics["AUC-PR (average precision)"] == "undefined"
    assert metrics["AUC-ROC"] == "undefined"
    assert metrics["Recall"] == "undefined"
    assert any("single class" in warning.value for warning in app.warning)
