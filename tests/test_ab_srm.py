"""Tests for the sample ratio mismatch check."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ab.srm import check_sample_ratio, parse_planned_split


def test_balanced_split_is_no_mismatch():
    result = check_sample_ratio([5000, 5000])

    assert result.chi_square == 0.0
    assert result.p_value == pytest.approx(1.0)
    assert not result.mismatch


def test_slightly_unbalanced_split_is_no_mismatch():
    # chi-square = 2 * 50^2 / 5050 = 0.990 with 1 degree of freedom, p = 0.320.
    result = check_sample_ratio([5000, 5100])

    assert result.chi_square == pytest.approx(2 * 50**2 / 5050)
    assert result.p_value == pytest.approx(0.31975, abs=1e-4)
    assert not result.mismatch


def test_wikipedia_600_400_example():
    # Wikipedia, "Sample ratio mismatch", Example: 600 and 400 users on a
    # 50/50 split give p = 2.54e-10.
    result = check_sample_ratio([600, 400])

    assert result.p_value == pytest.approx(2.54e-10, rel=5e-3)
    assert result.mismatch


def test_44000_45000_example_is_mismatch():
    # srm.osc.garden (SRM calculator), Context section: 44,000 and 45,000 users
    # on a 50/50 split give p = 0.0008, below the 0.001 threshold.
    result = check_sample_ratio([44_000, 45_000])

    assert round(result.p_value, 4) == 0.0008
    assert result.mismatch


def test_empty_arm_is_mismatch():
    result = check_sample_ratio([1000, 0, 980])

    assert result.empty_arms == (1,)
    assert result.mismatch


def test_empty_arm_is_mismatch_even_with_high_p():
    # 1 user against 0: chi-square = 1, p = 0.32, but an empty arm is never fine.
    result = check_sample_ratio([1, 0])

    assert result.p_value > 0.3
    assert result.empty_arms == (1,)
    assert result.mismatch


def test_planned_split_changes_expected_counts():
    result = check_sample_ratio([2000, 8000], planned_split=[20, 80])

    assert result.expected == pytest.approx((2000.0, 8000.0))
    assert result.p_value == pytest.approx(1.0)
    assert not result.mismatch


def test_equal_split_flags_planned_uneven_split():
    result = check_sample_ratio([2000, 8000])

    assert result.mismatch


@pytest.mark.parametrize(
    ("users", "split", "message"),
    [
        ([100], None, "at least 2 arms"),
        ([0, 0], None, "0 in every arm"),
        ([100, -1], None, r"users\[1\]=-1 is out of range"),
        ([100, 1.5], None, r"users\[1\] must be a whole number"),
        ([100, 100], [1, 1, 1], "planned_split has 3 weights but there are 2 arms"),
        ([100, 100], [1, 0], r"planned_split\[1\]=0 is out of range"),
    ],
)
def test_sample_ratio_rejects_invalid_input(users, split, message):
    with pytest.raises(ValueError, match=message):
        check_sample_ratio(users, split)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**9), min_size=2, max_size=5).filter(lambda u: sum(u) > 0))
def test_sample_ratio_p_value_is_probability(users):
    result = check_sample_ratio(users)

    assert 0.0 <= result.p_value <= 1.0
    assert math.isclose(sum(result.expected), sum(users), rel_tol=1e-12)
    assert result.mismatch == (result.p_value < 0.001 or 0 in users)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", None), ("  ", None), ("50/50", (50.0, 50.0)), ("20, 40, 40", (20.0, 40.0, 40.0)), ("10%:90%", (10.0, 90.0))],
)
def test_parse_planned_split(text, expected):
    assert parse_planned_split(text, len(expected) if expected else 2) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("50/abc", "'abc' is not a number"),
        ("50/0", "planned split weight=0 is out of range"),
        ("50/inf", "planned split weight must be a finite number"),
        ("30/30/40", "has 3 weights but there are 2 variants"),
    ],
)
def test_parse_planned_split_rejects_bad_text(text, message):
    with pytest.raises(ValueError, match=message):
        parse_planned_split(text, 2)


def test_sample_ratio_huge_weights_stay_finite():
    # 1e308 + 1e308 overflows to inf, which made every expected count nan.
    result = check_sample_ratio([10_000, 10_000], (1e308, 1e308))

    assert result.expected == (10_000.0, 10_000.0)
    assert result.p_value == 1.0
    assert not result.mismatch
