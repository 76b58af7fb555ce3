"""Tests for the group sequential boundaries and the mSPRT in core.ab.sequential."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import ndtri

from core.ab.sequential import (
    crossing_probabilities,
    group_sequential_boundaries,
    group_sequential_constant,
    msprt_log_likelihood_ratio,
    msprt_mixing_variance,
    msprt_p_values,
    nominal_p_thresholds,
    repeated_testing_error,
)

# Armitage, McPherson & Rowe (1969), J. R. Statist. Soc. A 132, 235-244, as reproduced in
# Jennison & Turnbull (2000), Table 1.1: P(|Z_k| > 1.96 at some look k <= K) under no effect.
REPEATED_TESTING_TABLE = {1: 0.050, 2: 0.083, 5: 0.142, 10: 0.193, 20: 0.248, 100: 0.374}


@pytest.mark.parametrize(("n_looks", "expected"), sorted(REPEATED_TESTING_TABLE.items()))
def test_repeated_testing_matches_armitage(n_looks: int, expected: float) -> None:
    error = repeated_testing_error(n_looks, 0.05)
    assert round(float(error[-1]), 3) == expected


def test_repeated_testing_is_cumulative() -> None:
    # One 100-look recursion contains the error rate of every smaller K.
    error = repeated_testing_error(100, 0.05)
    for n_looks, expected in REPEATED_TESTING_TABLE.items():
        assert round(float(error[n_looks - 1]), 3) == expected


def test_repeated_testing_below_independent_bound() -> None:
    # 1 - 0.95^K would hold for independent looks. Shared data makes the true rate smaller.
    error = repeated_testing_error(20, 0.05)
    independent = 1.0 - 0.95 ** np.arange(1, 21)
    assert np.all(error[1:] < independent[1:])
    assert np.all(np.diff(error) > 0)


# Jennison & Turnbull (2000), Table 2.1 (Pocock C_P) and Table 2.3 (O'Brien-Fleming C_B),
# two-sided alpha = 0.05, K equally spaced looks.
@pytest.mark.parametrize(
    ("method", "n_looks", "expected"),
    [
        ("pocock", 2, 2.178),
        ("pocock", 5, 2.413),
        ("obrien_fleming", 2, 1.977),
        ("obrien_fleming", 5, 2.040),
    ],
)
def test_constant_matches_jennison_turnbull(method: str, n_looks: int, expected: float) -> None:
    constant = group_sequential_constant(n_looks, 0.05, method)
    assert round(constant, 3) == expected


def test_obrien_fleming_boundaries_five_looks() -> None:
    # C_B sqrt(K / k) with C_B = 2.040 for K = 5 (Jennison & Turnbull 2000, Table 2.3).
    boundaries = group_sequential_boundaries(5, 0.05, "obrien_fleming")
    assert np.round(boundaries, 3).tolist() == [4.562, 3.226, 2.634, 2.281, 2.040]


def test_pocock_boundaries_are_flat() -> None:
    boundaries = group_sequential_boundaries(5, 0.05, "pocock")
    assert np.allclose(boundaries, boundaries[0])


@pytest.mark.parametrize("method", ["pocock", "obrien_fleming"])
@pytest.mark.parametrize("n_looks", [1, 3, 8])
def test_boundaries_spend_exactly_alpha(method: str, n_looks: int) -> None:
    boundaries = group_sequential_boundaries(n_looks, 0.05, method)
    assert crossing_probabilities(boundaries).sum() == pytest.approx(0.05, abs=1e-8)


def test_single_look_is_fixed_test() -> None:
    assert group_sequential_constant(1, 0.05, "pocock") == pytest.approx(1.959964, abs=1e-6)


@given(st.floats(1e-4, 0.5), st.sampled_from(["pocock", "obrien_fleming"]))
@settings(max_examples=40, deadline=None)
def test_single_look_constant_any_alpha(alpha: float, method: str) -> None:
    constant = group_sequential_constant(1, alpha, method)
    assert constant == pytest.approx(float(ndtri(1 - alpha / 2)), abs=1e-8)


@given(st.floats(1e-3, 0.3), st.integers(2, 6))
@settings(max_examples=20, deadline=None)
def test_pocock_above_fixed_critical_value(alpha: float, n_looks: int) -> None:
    assert group_sequential_constant(n_looks, alpha, "pocock") > float(ndtri(1 - alpha / 2))


def test_constant_is_deterministic() -> None:
    first = group_sequential_constant(4, 0.01, "obrien_fleming")
    second = group_sequential_constant(4, 0.01, "obrien_fleming")
    assert first == second


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: group_sequential_constant(0), "n_looks"),
        (lambda: group_sequential_constant(5, 1.5), "alpha"),
        (lambda: group_sequential_constant(5, 0.05, "haybittle"), "method"),
        (lambda: repeated_testing_error(0), "n_looks"),
        (lambda: crossing_probabilities(np.array([])), "z_boundaries"),
        (lambda: crossing_probabilities(np.array([1.0, -1.0])), "z_boundaries"),
    ],
)
def test_invalid_input_names_parameter(call, name: str) -> None:
    with pytest.raises(ValueError, match=name):
        call()


@given(st.floats(1.0, 4.0), st.floats(0.01, 1.0), st.integers(1, 8))
@settings(max_examples=25, deadline=None)
def test_higher_boundary_lower_crossing(boundary: float, step: float, n_looks: int) -> None:
    low = crossing_probabilities(np.full(n_looks, boundary)).sum()
    high = crossing_probabilities(np.full(n_looks, boundary + step)).sum()
    assert high < low


def test_nominal_thresholds() -> None:
    assert nominal_p_thresholds(np.array([1.959964]))[0] == pytest.approx(0.05, abs=1e-6)


def test_mixing_variance_is_mde_squared() -> None:
    assert msprt_mixing_variance(0.02) == pytest.approx(0.0004)


@pytest.mark.parametrize("mde", [0.0, -0.01, 1.5, float("nan")])
def test_mixing_variance_rejects_bad_mde(mde: float) -> None:
    with pytest.raises(ValueError, match="mde_absolute"):
        msprt_mixing_variance(mde)


def test_msprt_ratio_matches_formula() -> None:
    # Lambda_n = sqrt(V / (V + n tau^2)) exp(n^2 tau^2 d^2 / (2 V (V + n tau^2))),
    # Johari, Koomen, Pekelis & Walsh (2017), evaluated by hand for one point.
    d, v, n, tau2 = 0.015, 2 * 0.13 * 0.87, 3000.0, 0.0004
    expected = math.sqrt(v / (v + n * tau2)) * math.exp(n * n * tau2 * d * d / (2 * v * (v + n * tau2)))
    log_lambda = msprt_log_likelihood_ratio(np.array(d), np.array(v), np.array(n), tau2)
    assert float(np.exp(log_lambda)) == pytest.approx(expected, rel=1e-12)


def test_msprt_zero_variance_is_no_evidence() -> None:
    p_values = msprt_p_values(np.array([0, 0]), np.array([0, 0]), np.array([10, 20]), 0.0004)
    assert p_values.tolist() == [1.0, 1.0]


@given(
    st.lists(st.integers(0, 50), min_size=2, max_size=30),
    st.lists(st.integers(0, 50), min_size=2, max_size=30),
)
@settings(max_examples=50, deadline=None)
def test_msprt_p_never_increases(increments_a: list[int], increments_b: list[int]) -> None:
    size = min(len(increments_a), len(increments_b))
    n = np.arange(1, size + 1) * 50
    p_values = msprt_p_values(np.cumsum(increments_a[:size]), np.cumsum(increments_b[:size]), n, 0.0004)
    assert np.all(np.diff(p_values) <= 0)
    assert np.all((p_values > 0) & (p_values <= 1))


def test_msprt_always_valid_under_no_effect() -> None:
    # Normal-model check of the guarantee P(p_n ever < alpha) <= alpha, 4,000 runs of 200
    # looks with the variance known, so only Monte Carlo error remains.
    rng = np.random.default_rng(7)
    runs, looks, per_look, alpha = 4000, 200, 100, 0.05
    v = 2 * 0.1 * 0.9
    pair_differences = rng.normal(0.0, math.sqrt(v / per_look), size=(runs, looks))
    n = per_look * np.arange(1, looks + 1)
    means = np.cumsum(pair_differences, axis=1) * per_look / n
    log_lambda = msprt_log_likelihood_ratio(means, np.full_like(means, v), n, 0.0004)
    rate = float((log_lambda >= math.log(1 / alpha)).any(axis=1).mean())
    standard_error = math.sqrt(alpha * (1 - alpha) / runs)
    assert rate <= alpha + 3.5 * standard_error
