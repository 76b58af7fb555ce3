"""AppTest of the peeking simulator page: defaults, A/A, changed inputs, bad input."""

from __future__ import annotations

import pytest

from tests.app_utils import metric_values, run_page

PAGE = "pages/ab_peeking.py"


def _key(name: str) -> str:
    return f"ab_peeking__{name}"


def _errors(app) -> list[str]:
    return [error.value for error in app.error]


def _trade_off_table(app):
    return app.table[0].value.reset_index()


@pytest.fixture(scope="module")
def default_app():
    return run_page(PAGE)


def test_defaults_render_without_exception(default_app):
    assert not default_app.exception
    assert not _errors(default_app)
    assert len(default_app.get("vega_lite_chart")) == 2


def test_defaults_show_metrics(default_app):
    metrics = metric_values(default_app)
    assert set(metrics) >= {"Simulated p", "Result", "Peeking risk"}
    # 168 hourly looks: stopping at the first p < 0.05 is wrong far more often than 5%.
    assert float(metrics["Peeking risk"].rstrip("%")) > 30.0


def test_defaults_follow_sizing_plan(default_app):
    assert default_app.number_input(key=_key("days")).value == 7.0
    assert any("4,438 users per variant" in caption.value for caption in default_app.caption)


def test_defaults_table_lists_rules(default_app):
    table = _trade_off_table(default_app)
    assert table["Rule"].tolist() == ["Fixed horizon", "Naive peeking", "Pocock", "O'Brien-Fleming", "mSPRT"]
    assert all(value != "—" for value in table["Power"])


def test_defaults_boundaries_table(default_app):
    boundaries = default_app.dataframe[0].value
    assert len(boundaries) == 5
    # Jennison & Turnbull (2000) Table 2.3: O'Brien-Fleming C_B = 2.040 for K = 5.
    assert round(float(boundaries["O'Brien-Fleming |z| ≥"].iloc[-1]), 3) == 2.040


def test_defaults_write_url(default_app):
    assert default_app.query_params["lift"] == "2"
    assert default_app.query_params["looks"] == "24"
    assert default_app.query_params["seed"] == "1"


def test_aa_test_has_no_power():
    app = run_page(PAGE, {"lift": "0"})
    assert not app.exception
    assert not _errors(app)
    table = _trade_off_table(app)
    assert table["Power"].tolist() == ["—"] * 5
    assert any("true lift is 0" in caption.value for caption in app.caption)


def test_new_experiment_changes_trajectory():
    app = run_page(PAGE)
    before = metric_values(app)["Simulated p"]
    app.button[0].click().run()
    assert not app.exception
    assert app.number_input(key=_key("seed")).value == 2
    assert metric_values(app)["Simulated p"] != before


def test_same_seed_same_experiment():
    first = metric_values(run_page(PAGE, {"seed": "7"}))["Simulated p"]
    second = metric_values(run_page(PAGE, {"seed": "7"}))["Simulated p"]
    assert first == second


def test_plan_change_resets_length():
    app = run_page(PAGE)
    app.number_input(key="ab_peeking__traffic").set_value(500).run()
    assert not app.exception
    # 4,438 users at 500 per day take 9 days, rounded up to 14 for whole weeks.
    assert app.number_input(key=_key("days")).value == 14.0


def test_lift_beyond_hundred_percent():
    app = run_page(PAGE)
    app.number_input(key=_key("lift")).set_value(95.0).run()
    assert not app.exception
    errors = _errors(app)
    assert len(errors) == 1
    assert "true_lift=0.95" in errors[0]
    assert "outside 0 to 1" in errors[0]


def test_lift_below_zero_percent():
    app = run_page(PAGE, {"lift": "-15"})
    assert not app.exception
    assert "true_lift=-0.15" in _errors(app)[0]


def test_zero_looks_shows_error():
    app = run_page(PAGE)
    app.number_input(key=_key("looks")).set_value(0).run()
    assert not app.exception
    assert "looks_per_day=0" in _errors(app)[0]


def test_length_shorter_than_one_look():
    app = run_page(PAGE, {"looks": "1", "days": "0.5"})
    assert not app.exception
    assert "shorter than one look" in _errors(app)[0]


def test_more_analyses_than_looks():
    app = run_page(PAGE, {"looks": "1", "days": "3", "analyses": "5"})
    assert not app.exception
    assert "n_analyses=5" in _errors(app)[0]


def test_too_many_looks_shows_error():
    # 100 users per day need 45 days (49 in whole weeks); 98 days of hourly looks are 2,352.
    app = run_page(PAGE, {"traffic": "100", "days": "98", "looks": "24"})
    assert not app.exception
    assert "at most 2000" in _errors(app)[0]


@pytest.mark.parametrize(
    "query",
    [
        {"lift": "abc"},
        {"looks": "25"},
        {"days": "-3"},
        {"seed": "1.5"},
        {"analyses": "0"},
        {"log": "maybe"},
        {"lift": "nan"},
    ],
)
def test_bad_url_value_warns(query):
    app = run_page(PAGE, query)
    assert not app.exception
    assert not _errors(app)
    assert any("Ignored invalid values in the link" in warning.value for warning in app.warning)
    assert len(app.get("vega_lite_chart")) == 2


def test_bad_sizing_url_value_warns():
    app = run_page(PAGE, {"baseline": "150"})
    assert not app.exception
    assert any("baseline=150" in warning.value for warning in app.warning)


def test_url_sizing_values_carry_over():
    app = run_page(PAGE, {"baseline": "10", "mde": "1"})
    assert not app.exception
    # plan_experiment sizes 10% -> 11% at 80% power and two-sided alpha 0.05 at 14,751 per arm.
    assert any("14,751 users per variant" in caption.value for caption in app.caption)


def test_sizing_page_values_carry_over():
    app = run_page("pages/ab_sample_size.py")
    app.number_input(key="ab_sample_size__mde").set_value(1.0).run()
    app.switch_page(PAGE).run()
    assert not app.exception
    assert app.number_input(key=_key("mde")).value == 1.0
    # plan_experiment sizes 12% -> 13% at 80% power and two-sided alpha 0.05 at 17,169 per arm.
    assert any("17,169 users per variant" in caption.value for caption in app.caption)


def test_linear_scale_toggle():
    app = run_page(PAGE)
    app.toggle(key=_key("log")).set_value(False).run()
    assert not app.exception
    assert app.query_params["log"] == "false"


@pytest.mark.parametrize("alpha", ["0.05", "0.03", "0.1"])
def test_single_analysis_any_alpha(alpha):
    app = run_page(PAGE, {"analyses": "1", "alpha": alpha, "looks": "1"})
    assert not app.exception
    assert not _errors(app)
    assert len(app.dataframe[0].value) == 1


def test_underflowed_p_value_not_shown_as_zero():
    # 100 million users per day and a 2-point lift push the normal tail below 1e-308,
    # where float64 rounds the p-value to 0.
    app = run_page(PAGE, {"traffic": "100000000"})

    assert not app.exception
    assert metric_values(app)["Simulated p"] == "< 1e-300"
    assert all("p = 0)" not in info.value for info in app.info)
