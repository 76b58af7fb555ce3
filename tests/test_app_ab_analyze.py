"""AppTest of the Analyze results page: defaults, changed inputs and every kind of bad input."""

from __future__ import annotations

import re

import pytest

from core.ab.results import MAX_CSV_BYTES
from tests.app_utils import metric_values, run_page

PAGE = "pages/ab_analyze.py"
ZERO_WIDTH_SPACE = "\u200b"


def _key(name: str) -> str:
    return f"ab_analyze__{name}"


def _csv_page():
    return run_page(PAGE, {"input": "csv"})


def _messages(elements) -> str:
    """Join message texts and undo the page's Markdown escaping of names."""
    text = " ".join(element.value for element in elements).replace(ZERO_WIDTH_SPACE, "")
    return re.sub(r"\\(.)", r"\1", text).replace("**", "")


def _metrics(app) -> list[tuple[str, str]]:
    return [(metric.label, metric.value) for metric in app.metric]


def test_defaults_show_analysis():
    app = run_page(PAGE)

    assert not app.exception
    assert not app.error
    metrics = metric_values(app)
    assert metrics["Absolute lift"] == "+1.20 pp"
    assert metrics["p-value"] == "0.01056"
    assert metrics["P(beats control)"] == "99.5%"
    assert "No sample ratio mismatch" in _messages(app.success)
    assert len(app.table) == 2
    assert len(app.get("vega_lite_chart")) == 1


def test_defaults_show_design_choices():
    app = run_page(PAGE)
    metrics = _metrics(app)

    assert ("Design effect 1 + (m − 1)·ICC", "2.45") in metrics
    assert ("Variance factor 1 − ρ²", "0.75") in metrics
    # 4,438 per variant from the default sizing scenario, times 2.45 and 0.75.
    assert ("Users per variant", "10,874") in metrics
    assert ("Users per variant", "3,329") in metrics


def test_results_table_has_rates_and_intervals():
    app = run_page(PAGE)
    table = app.table[0].value

    assert table.loc[0, "Control rate"] == "12.00%"
    assert table.loc[0, "Treatment rate"] == "13.20%"
    assert table.loc[0, "95% CI (absolute)"] == "[+0.28, +2.12] pp"
    assert table.loc[0, "Decision"] == "Significant improvement at alpha = 0.05"


def test_changed_conversions_change_result():
    app = run_page(PAGE)
    app.number_input(key=_key("conv1")).set_value(1200).run()

    assert not app.exception
    assert metric_values(app)["Absolute lift"] == "+0.00 pp"
    assert metric_values(app)["p-value"] == "1"
    assert app.query_params["conv1"] == "1200"


def test_more_treatments_add_rows():
    app = run_page(PAGE)
    app.number_input(key=_key("treatments")).set_value(4).run()

    assert not app.exception
    assert len(app.table[0].value) == 4
    assert len(app.table[1].value) == 4


def test_alpha_change_changes_interval_level():
    app = run_page(PAGE)
    app.number_input(key=_key("alpha")).set_value(0.01).run()

    assert not app.exception
    assert "99% CI (absolute)" in app.table[0].value.columns


def test_cuped_correlation_changes_n():
    app = run_page(PAGE)
    app.number_input(key=_key("rho")).set_value(0.8).run()

    assert not app.exception
    assert ("Users per variant", "1,598") in _metrics(app)


def test_url_restores_counts():
    app = run_page(PAGE, {"users1": "10000", "conv1": "1000"})

    assert metric_values(app)["Absolute lift"] == "-2.00 pp"


def test_bad_url_values_warn():
    app = run_page(PAGE, {"alpha": "7", "users0": "abc", "input": "xml", "icc": "-1"})

    assert not app.exception
    warning = _messages(app.warning)
    assert "Ignored invalid values in the link" in warning
    assert "alpha=7" in warning
    assert "users0=abc" in warning
    assert "input=xml" in warning
    assert "icc=-1" in warning
    assert metric_values(app)["p-value"] == "0.01056"


def test_conversions_above_users_show_error():
    app = run_page(PAGE)
    app.number_input(key=_key("conv1")).set_value(20_000).run()

    assert not app.exception
    assert "conversions of 'treatment B'=20000 exceed users=10000" in _messages(app.error)
    assert not app.table


def test_empty_arm_is_sample_ratio_mismatch():
    app = run_page(PAGE)
    app.number_input(key=_key("conv1")).set_value(0).run()
    app.number_input(key=_key("users1")).set_value(0).run()

    assert not app.exception
    error = _messages(app.error)
    assert "Sample ratio mismatch: treatment B has 0 users" in error
    assert "Not tested: 'treatment B' has 0 users" in _messages(app.warning)


def test_unbalanced_split_is_sample_ratio_mismatch():
    app = run_page(PAGE)
    app.number_input(key=_key("users1")).set_value(10_600).run()

    assert not app.exception
    assert "Sample ratio mismatch (χ² = 17.48" in _messages(app.error)


def test_planned_split_removes_mismatch():
    app = run_page(PAGE)
    app.number_input(key=_key("users1")).set_value(20_000).run()
    app.number_input(key=_key("conv1")).set_value(2_600).run()
    app.text_input(key=_key("split")).set_value("1/2").run()

    assert not app.exception
    assert not app.error
    assert "No sample ratio mismatch" in _messages(app.success)


def test_huge_planned_split_weights_give_p_value():
    app = run_page(PAGE)
    app.text_input(key=_key("split")).set_value("1e308/1e308").run()

    assert not app.exception
    messages = _messages(app.success)
    assert "No sample ratio mismatch" in messages
    assert "nan" not in messages


def test_bad_planned_split_shows_error():
    app = run_page(PAGE)
    app.text_input(key=_key("split")).set_value("50/abc").run()

    assert not app.exception
    assert "planned split value 'abc' is not a number" in _messages(app.error)


def test_markup_in_name_is_escaped():
    app = run_page(PAGE)
    app.text_input(key=_key("name1")).set_value("<script>alert(1)</script>").run()

    assert not app.exception
    assert app.table[0].value.loc[0, "Treatment"] == r"\<script\>alert\(1\)\</script\>"


def test_csv_example_shows_guardrails_and_adjustments():
    app = _csv_page()

    assert not app.exception
    assert not app.error
    assert len(app.table[0].value) == 6
    assert list(app.table[1].value.columns) == [
        "Metric", "Treatment", "Raw p-value", "Bonferroni", "Holm", "Benjamini-Hochberg",
    ]
    warnings = _messages(app.warning)
    assert "refund, new checkout: Flagged" in warnings
    assert "refund, one-click buy: Passes" in _messages(app.success)


def test_csv_primary_metric_choice():
    app = _csv_page()
    app.selectbox(key=_key("primary")).set_value("add_to_cart").run()

    assert not app.exception
    assert app.table[0].value.loc[0, "Metric"] == r"add\_to\_cart"


HEADER = "variant,users,conversions\n"
BAD_CSV = [
    ("", "the file is empty"),
    (HEADER, "header but no data rows"),
    (HEADER + "control,100,10\n", "found 1 variants"),
    (HEADER + "control,100,10\nB,100,120\n", "conversions of 'B'=120 exceed users=100"),
    (HEADER + "control,-5,0\nB,100,12\n", "users of 'control'=-5 is out of range"),
    (HEADER + "control,100,10\nB,100,12.5\n", "conversions of 'B' must be a whole number, got 12.5"),
    (HEADER + "control,100,ten\nB,100,12\n", "line 2: conversions='ten' is not a whole number"),
    ('variant,users,conversions\ncontrol,"100,10\nB,100,12\n', "the file is not valid CSV"),
    (HEADER + "control,100\nB,100,12\n", "line 2: found 2 fields, expected 3"),
    ("variant,users,conversions,revenue\ncontrol,100,10,5\nB,100,12,6\n", "unknown column 'revenue'"),
    ("variant,users\ncontrol,100\nB,100\n", "required column 'conversions' is missing"),
    (HEADER + "x" * MAX_CSV_BYTES, "the limit is 65,536 bytes"),
    (HEADER + "control,100,10\nB," + "9" * 4000 + ",12\n", "users='99999999999999999999...' has 4,000 characters"),
]


@pytest.mark.parametrize(("text", "message"), BAD_CSV)
def test_bad_csv_shows_error(text, message):
    app = _csv_page()
    app.text_area(key=_key("pasted")).set_value(text).run()

    assert not app.exception
    assert message in _messages(app.error)
    assert not app.table
