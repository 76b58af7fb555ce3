"""AppTest of the A/B sample-size page: defaults, changed inputs, bad input."""

from __future__ import annotations

import pytest

from core.ab.sample_size import SizingScenario, plan_experiment

from tests.app_utils import metric_values, run_page

PAGE = "pages/ab_sample_size.py"


def _key(name: str) -> str:
    return f"ab_sample_size__{name}"


def test_defaults_show_reference_plan():
    app = run_page(PAGE)
    assert not app.exception
    metrics = metric_values(app)
    assert metrics["Required n/variant"] == "4,438"
    assert metrics["Total users"] == "8,876"
    assert metrics["Days to run"] == "7"


def test_default_charts_and_snippet():
    app = run_page(PAGE)
    assert len(app.get("vega_lite_chart")) == 3
    assert "norm.isf" in app.code[0].value


def test_changing_mde_changes_n():
    app = run_page(PAGE)
    app.number_input(key=_key("mde")).set_value(1.0).run()
    assert not app.exception
    assert metric_values(app)["Required n/variant"] == "17,169"


def test_more_power_needs_more_users():
    app = run_page(PAGE)
    app.number_input(key=_key("power")).set_value(90.0).run()
    assert metric_values(app)["Required n/variant"] == "5,940"


def test_three_variants_split_alpha():
    app = run_page(PAGE)
    app.number_input(key=_key("variants")).set_value(3).run()
    assert metric_values(app)["Required n/variant"] == "5,919"
    assert any("Bonferroni" in info.value for info in app.info)


def test_one_sided_test():
    app = run_page(PAGE)
    app.radio(key=_key("sides")).set_value("one-sided").run()
    assert metric_values(app)["Required n/variant"] == "3,496"


def test_relative_mde_converts_value():
    app = run_page(PAGE, {"baseline": "5", "mde": "0.5"})
    app.button_group(key=_key("mde_unit")).set_value("relative").run()
    assert not app.exception
    # 0.5 points on a 5% baseline is a 10% relative lift: the plan stays the same.
    assert app.number_input(key=_key("mde")).value == pytest.approx(10.0)
    assert metric_values(app)["Required n/variant"] == "31,234"


@pytest.mark.parametrize("unit", ["points", "relative"])
def test_deselecting_mde_unit_keeps_plan(unit):
    # Clicking the selected segment of st.segmented_control deselects it (value None).
    # The MDE must not be converted, because the unit has not changed.
    app = run_page(PAGE, {"mde_unit": unit, "mde": "2" if unit == "points" else "16.667"})
    before = metric_values(app)["Required n/variant"]
    app.button_group(key=_key("mde_unit")).set_value(None).run()
    assert not app.exception
    assert app.button_group(key=_key("mde_unit")).value == unit
    assert metric_values(app)["Required n/variant"] == before

    app.button_group(key=_key("mde_unit")).set_value(unit).run()
    assert metric_values(app)["Required n/variant"] == before


def test_weeks_toggle_off_shows_exact_days():
    app = run_page(PAGE, {"traffic": "1000"})
    assert metric_values(app)["Days to run"] == "7"
    app.toggle(key=_key("weeks")).set_value(False).run()
    assert metric_values(app)["Days to run"] == "5"


def test_url_restores_scenario():
    app = run_page(PAGE, {"baseline": "10", "mde": "1", "power": "80", "alpha": "0.05"})
    assert metric_values(app)["Required n/variant"] == "14,751"


@pytest.mark.parametrize(
    "query",
    [
        {"baseline": "abc"},
        {"alpha": "7"},
        {"power": "nan"},
        {"traffic": "1e400"},
        {"variants": "2.5"},
        {"sides": "<script>alert(1)</script>"},
        {"weeks": "maybe"},
    ],
)
def test_bad_url_value_warns(query):
    app = run_page(PAGE, query)
    assert not app.exception
    assert any("Ignored invalid values in the link" in warning.value for warning in app.warning)
    # The bad value is ignored, so the defaults still give the reference plan.
    assert metric_values(app)["Required n/variant"] == "4,438"


def test_script_in_url_is_escaped():
    app = run_page(PAGE, {"sides": "<script>alert(1)</script>"})
    warning = app.warning[0].value
    # Streamlit shows a code span literally, so the script appears as text, not as
    # "&lt;script&gt;".
    assert "`sides=<script>alert(1)</script>`" in warning
    assert "&lt;" not in warning


def test_backticks_in_url_stay_in_code_span():
    app = run_page(PAGE, {"sides": "``\n\n# heading"})
    warning = app.warning[0].value
    assert "``` sides=``  # heading ```" in warning
    assert "\n" not in warning


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"baseline": "99", "mde": "2"}, "between 0% and 100%"),
        ({"alpha": "0.5"}, "alpha=0.5"),
        ({"power": "4", "alpha": "0.05"}, "power=0.04"),
        ({"traffic": "0"}, "daily_traffic_per_variant=0"),
    ],
)
def test_bad_input_shows_error(query, expected):
    app = run_page(PAGE, query)
    assert not app.exception
    assert len(app.error) == 1
    assert expected in app.error[0].value


def test_impractical_plan_warns():
    app = run_page(PAGE, {"baseline": "1", "mde": "0.01"})
    assert not app.exception
    expected = plan_experiment(SizingScenario(baseline_rate=0.01, mde=0.0001)).n_per_variant
    assert expected > 10_000_000
    assert metric_values(app)["Required n/variant"] == f"{expected:,}"
    assert any("rarely practical" in warning.value for warning in app.warning)


def test_one_day_is_singular():
    app = run_page(PAGE)
    caption = next(caption.value for caption in app.caption if "Traffic alone needs" in caption.value)
    assert "**1 day**" in caption
    assert "1 days" not in caption
