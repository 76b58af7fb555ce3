"""The A/B sizing inputs that every A/B page shares.

Baseline, MDE, power, alpha and daily traffic are the same on the sizing, peeking
and analysis pages. A value chosen on one page is the starting value on the next one
within a session, and all of them live in the URL. Rates are entered in percent and
converted to fractions here, so core functions always receive fractions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from core.ab.sample_size import MAX_TREATMENTS, SizingScenario
from ui.query import (
    BoolParam,
    ChoiceParam,
    NumberParam,
    choice_input,
    number_input,
    read_query_params,
    shared_store,
    toggle_input,
    widget_key,
    write_query_params,
)

BASELINE = NumberParam(
    "baseline", "Baseline CTR", 12.0, 0.01, 99.99, 0.5, format="%.2f",
    help="Conversion rate of the control, in percent.",
)
MDE = NumberParam(
    "mde", "Min detectable effect (MDE)", 2.0, 0.001, 1000.0, 0.5, format="%.3f",
    help="Smallest true difference the test should detect: in percentage points "
    "(absolute) or in percent of the baseline (relative), as chosen beside it.",
)
MDE_UNIT = ChoiceParam(
    "mde_unit", "MDE unit", "points", ("points", "relative"),
    help="Absolute percentage points (12% to 14% is 2 points) or percent of the baseline "
    "(12% to 14% is a 16.7% relative lift).",
)
POWER = NumberParam(
    "power", "Statistical power", 80.0, 1.0, 99.9, 1.0, format="%.1f",
    help="Chance, in percent, that the test detects an effect of exactly the MDE.",
)
ALPHA = NumberParam(
    "alpha", "Significance α", 0.05, 0.0001, 0.5, 0.01, format="%.4f",
    help="False-positive rate of the whole experiment (chance of a win when there is no effect).",
)
TRAFFIC = NumberParam(
    "traffic", "Daily traffic per variant", 5_000, 0, 100_000_000, 500, integer=True,
    help="Users who enter each variant per day.",
)
SIDES = ChoiceParam(
    "sides", "Test", "two-sided", ("two-sided", "one-sided"),
    help="A one-sided test only looks for an improvement, so it needs fewer users but "
    "cannot show that the treatment hurts.",
)
VARIANTS = NumberParam(
    "variants", "Treatment variants", 1, 1, MAX_TREATMENTS, 1, integer=True,
    help="Treatments compared against one control. α is split across them (Bonferroni).",
)
FULL_WEEKS = BoolParam(
    "weeks", "Run full weeks", True,
    help="Round the duration up to whole weeks, so every day of the week is measured equally.",
)

CORE_PARAMS = (BASELINE, MDE, MDE_UNIT, POWER, ALPHA, TRAFFIC)
DESIGN_PARAMS = (SIDES, VARIANTS, FULL_WEEKS)
ALL_PARAMS = CORE_PARAMS + DESIGN_PARAMS

_MDE_UNIT_LABELS = {"points": "percentage points", "relative": "% of baseline"}


def _convert_mde(page_id: str) -> None:
    """Keep the same treatment rate when the user switches the MDE unit."""
    unit_key = widget_key(page_id, MDE_UNIT)
    old_unit = shared_value(MDE_UNIT.key)
    new_unit = st.session_state[unit_key]
    if new_unit is None:
        # Clicking the selected segment deselects it, so restore the unit and leave the MDE alone.
        st.session_state[unit_key] = old_unit
        return
    if new_unit == old_unit:
        return

    baseline = st.session_state[widget_key(page_id, BASELINE)]
    mde_key = widget_key(page_id, MDE)
    mde = st.session_state[mde_key]
    if new_unit == "relative":
        converted = mde / baseline * 100.0
    else:
        converted = mde * baseline / 100.0
    st.session_state[mde_key] = min(max(round(converted, 3), MDE.min_value), MDE.max_value)


def sizing_inputs(page_id: str, *, design: bool = True) -> dict[str, Any]:
    """Draw the sizing inputs and return their values by URL key.

    With ``design`` false only the five shared inputs and the MDE unit are drawn.
    The test sides, the number of variants and full weeks then keep their last values.
    """
    params = ALL_PARAMS if design else CORE_PARAMS
    url_values = read_query_params(params)

    with st.container(border=True):
        first, second, third = st.columns(3)
        values: dict[str, Any] = {}
        values["baseline"] = number_input(page_id, BASELINE, url_values, first)
        with second:
            values["mde"] = number_input(page_id, MDE, url_values)
            mde_key = widget_key(page_id, MDE_UNIT)
            if mde_key not in st.session_state:
                st.session_state[mde_key] = url_values.get("mde_unit", shared_value("mde_unit"))
            values["mde_unit"] = st.segmented_control(
                MDE_UNIT.label,
                MDE_UNIT.options,
                format_func=_MDE_UNIT_LABELS.get,
                key=mde_key,
                help=MDE_UNIT.help,
                on_change=_convert_mde,
                args=(page_id,),
                label_visibility="collapsed",
            ) or MDE_UNIT.default
            shared_store()[MDE_UNIT.key] = values["mde_unit"]
        values["power"] = number_input(page_id, POWER, url_values, third)

        first, second, third = st.columns(3)
        values["alpha"] = number_input(page_id, ALPHA, url_values, first)
        values["traffic"] = number_input(page_id, TRAFFIC, url_values, second)
        if design:
            with third:
                values["sides"] = choice_input(page_id, SIDES, url_values)
            first, second, _ = st.columns(3)
            values["variants"] = number_input(page_id, VARIANTS, url_values, first)
            with second:
                st.write("")  # aligns the toggle with the number input beside it
                values["weeks"] = toggle_input(page_id, FULL_WEEKS, url_values)

    write_query_params(params, values)
    return values


def shared_value(key: str) -> Any:
    """Return the session's current value of a sizing input, or its default."""
    param = {p.key: p for p in ALL_PARAMS}[key]
    return shared_store().get(key, param.default)


def scenario_from_values(values: Mapping[str, Any]) -> SizingScenario:
    """Build a :class:`SizingScenario` from input values in page units (percent)."""
    relative = values.get("mde_unit", shared_value("mde_unit")) == "relative"
    return SizingScenario(
        baseline_rate=values["baseline"] / 100.0,
        mde=values["mde"] / 100.0,
        power=values["power"] / 100.0,
        alpha=values["alpha"],
        two_sided=values.get("sides", shared_value("sides")) == "two-sided",
        mde_relative=relative,
        n_treatments=int(values.get("variants", shared_value("variants"))),
        daily_traffic_per_variant=int(values["traffic"]),
        full_weeks=bool(values.get("weeks", shared_value("weeks"))),
    )
