"""Tests for Bonferroni, Holm and Benjamini-Hochberg adjusted p-values."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ab.multiple_testing import adjust_p_values

# Benjamini & Hochberg (1995), "Controlling the false discovery rate", J. R.
# Statist. Soc. B 57, 289-300, worked example: the 15 ordered p-values of a
# multiple-endpoint trial. At level 0.05 Bonferroni rejects 3 hypotheses and
# the step-up procedure rejects 4 (the largest rejected p-value is 0.0095).
BH_1995 = [
    0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344,
    0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000,
]

# Wikipedia, "Holm-Bonferroni method", Example: four hypotheses with
# p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05; Holm rejects H1 and H4 only.
HOLM_EXAMPLE = [0.01, 0.04, 0.03, 0.005]


def test_bh_1995_rejects_four():
    adjusted = adjust_p_values(BH_1995, "bh")

    assert list(adjusted <= 0.05) == [True] * 4 + [False] * 11


def test_bh_1995_adjusted_values():
    # min over j >= i of 15 p_(j) / j, worked out from the formula.
    expected = [min(15 * BH_1995[j] / (j + 1) for j in range(i, 15)) for i in range(15)]

    assert adjust_p_values(BH_1995, "bh") == pytest.approx(np.minimum(expected, 1.0))
    assert adjust_p_values(BH_1995, "bh")[3] == pytest.approx(15 * 0.0095 / 4)


def test_bonferroni_on_bh_1995_rejects_three():
    adjusted = adjust_p_values(BH_1995, "bonferroni")

    assert list(adjusted <= 0.05) == [True] * 3 + [False] * 12
    assert adjusted[2] == pytest.approx(15 * 0.0019)


def test_holm_example_rejects_h1_and_h4():
    adjusted = adjust_p_values(HOLM_EXAMPLE, "holm")

    assert list(adjusted <= 0.05) == [True, False, False, True]


def test_holm_example_adjusted_values():
    # Sorted p: 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives 0.02, 0.03,
    # 0.06, 0.04, and the running maximum turns the last into 0.06.
    adjusted = adjust_p_values(HOLM_EXAMPLE, "holm")

    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_bonferroni_example_adjusted_values():
    adjusted = adjust_p_values(HOLM_EXAMPLE, "bonferroni")

    assert adjusted == pytest.approx([0.04, 0.16, 0.12, 0.02])


def test_single_p_value_is_unchanged():
    for method in ("bonferroni", "holm", "bh"):
        assert adjust_p_values([0.03], method) == pytest.approx([0.03])


@pytest.mark.parametrize(
    ("p_values", "method", "message"),
    [
        ([], "holm", "p_values is empty"),
        ([0.1, 1.2], "holm", r"p_values\[1\]=1.2 is out of range"),
        ([0.1, float("nan")], "bh", r"p_values\[1\] must be a finite number"),
        ([0.1], "sidak", "method='sidak' is unknown"),
    ],
)
def test_adjust_rejects_invalid_input(p_values, method, message):
    with pytest.raises(ValueError, match=message):
        adjust_p_values(p_values, method)


p_value_lists = st.lists(st.floats(0.0, 1.0), min_size=1, max_size=30)


@settings(max_examples=300, deadline=None)
@given(p_value_lists)
def test_adjusted_values_are_ordered(p_values):
    raw = np.array(p_values)
    bonferroni = adjust_p_values(p_values, "bonferroni")
    holm = adjust_p_values(p_values, "holm")
    bh = adjust_p_values(p_values, "bh")
    slack = 1e-12

    # raw <= BH <= Holm <= Bonferroni <= 1 for every hypothesis.
    assert np.all(raw <= bh + slack)
    assert np.all(bh <= holm + slack)
    assert np.all(holm <= bonferroni + slack)
    assert np.all(bonferroni <= 1.0)


@settings(max_examples=300, deadline=None)
@given(p_value_lists)
def test_adjustment_preserves_order(p_values):
    order = np.argsort(p_values, kind="stable")
    for method in ("bonferroni", "holm", "bh"):
        adjusted = adjust_p_values(p_values, method)[order]
        assert np.all(np.diff(adjusted) >= -1e-12)
