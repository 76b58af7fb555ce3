"""Tests for the cluster design effect and the CUPED variance factor."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.ab.design import cuped_variance_factor, design_effect, scale_sample_size


def test_design_effect_reference_example():
    # 1 + (m - 1) ICC with m = 30 and ICC = 0.05: 1 + 29 * 0.05 = 2.45.
    assert design_effect(30, 0.05) == pytest.approx(2.45)


def test_design_effect_without_clustering_is_one():
    assert design_effect(1, 0.3) == 1.0
    assert design_effect(50, 0.0) == 1.0


def test_cuped_factor():
    # Deng, Xu, Kohavi & Walker (WSDM 2013): variance shrinks by 1 - rho^2.
    assert cuped_variance_factor(0.5) == pytest.approx(0.75)
    assert cuped_variance_factor(-0.7) == pytest.approx(0.51)
    assert cuped_variance_factor(0.0) == 1.0


def test_scale_sample_size_with_design_effect():
    # 4,438 per variant (0.12 -> 0.14, 80 % power, R power.prop.test) times
    # 2.45 is 10,873.1, rounded up to 10,874; at 1,000 users per variant a day.
    scaled = scale_sample_size(4438, design_effect(30, 0.05), 2, 1000)

    assert scaled.n_per_variant == 10_874
    assert scaled.total_users == 21_748
    assert scaled.days_exact == 11
    assert scaled.days_full_weeks == 14


def test_scale_sample_size_with_cuped():
    scaled = scale_sample_size(4438, cuped_variance_factor(0.5), 2, 1000)

    assert scaled.n_per_variant == 3329
    assert scaled.days_exact == 4
    assert scaled.days_full_weeks == 7


def test_scale_sample_size_ignores_float_error():
    # 100 * 2.45 is 245.00000000000003 in floating point.
    scaled = scale_sample_size(100, 2.45, 2, 245)

    assert scaled.n_per_variant == 245
    assert scaled.days_exact == 1


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: design_effect(0.5, 0.1), "mean_cluster_size=0.5 is out of range"),
        (lambda: design_effect(10, 1.5), "icc=1.5 is out of range"),
        (lambda: cuped_variance_factor(1.0), "correlation=1 is out of range"),
        (lambda: scale_sample_size(0, 1.0, 2, 100), "n_per_variant=0 is out of range"),
        (lambda: scale_sample_size(10, 0.0, 2, 100), "factor=0 is out of range"),
        (lambda: scale_sample_size(10, 1.0, 1, 100), "n_variants=1 is out of range"),
        (lambda: scale_sample_size(10, 1.0, 2, 0), "daily_traffic_per_variant=0 is out of range"),
    ],
)
def test_design_rejects_invalid_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@given(st.integers(1, 10**7), st.floats(1.0, 500.0), st.floats(0.0, 1.0))
def test_design_effect_never_shrinks_n(n, m, icc):
    scaled = scale_sample_size(n, design_effect(m, icc), 2, 1000)

    assert scaled.n_per_variant >= n


@given(st.integers(1, 10**7), st.floats(-0.99, 0.99))
def test_cuped_never_grows_n(n, rho):
    scaled = scale_sample_size(n, cuped_variance_factor(rho), 2, 1000)

    assert scaled.n_per_variant <= n
