"""Sequential tests that keep the false-positive rate at alpha when a test is checked early.

Two families are implemented:

* Group sequential designs with K equally spaced analyses (Pocock, O'Brien-Fleming). The
  boundary constants are computed here by numerical integration of the joint normal
  distribution of the look statistics, not looked up.
* The mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis & Walsh,
  "Peeking at A/B Tests", KDD 2017, whose always-valid p-value may be checked after every look.

References
----------
Armitage, P., McPherson, C. K. & Rowe, B. C. (1969). Repeated significance tests on
accumulating data. J. R. Statist. Soc. A 132, 235-244.
Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to
Clinical Trials. Chapman & Hall/CRC. Tables 1.1, 2.1 and 2.3, chapter 19.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from core.validation import check_array, check_broadcastable, check_integer, check_number

GroupSequentialMethod = Literal["pocock", "obrien_fleming"]

# Simpson grid spacing on the score scale, whose increments have unit variance. Halving it
# changes the Pocock constant for K = 5 by less than 1e-7, far below the 3 decimals required.
_GRID_SPACING = 0.05

# Largest K the integration accepts. The grid grows as sqrt(K), so the work grows as K^2:
# K = 100 takes about 0.25 s and K = 200 about 0.9 s (measured on a 2-core machine).
MAX_INTEGRATION_LOOKS = 200
# 2 Phi(-40) is about 7e-350, below the smallest double, so larger boundaries change nothing.
MAX_Z_BOUNDARY = 40.0
# Smallest alpha: below about 1e-16, 1 - alpha / 2 rounds to 1 and the critical value
# is infinite.
MIN_ALPHA = 1e-10
# Bound of the mSPRT inputs, so that n^2 tau^2 d^2 and V (V + n tau^2) stay below the
# float maximum (about 1.8e308).
MAX_MSPRT_INPUT = 1e12


def _simpson_grid(bound: float) -> tuple[np.ndarray, np.ndarray]:
    """Return Simpson nodes and weights on [-bound, bound] with spacing at most the grid step."""
    intervals = max(2, 2 * math.ceil(bound / _GRID_SPACING))
    nodes = np.linspace(-bound, bound, intervals + 1)
    weights = np.ones(intervals + 1)
    weights[1:-1:2] = 4.0
    weights[2:-1:2] = 2.0
    weights *= (nodes[1] - nodes[0]) / 3.0
    return nodes, weights


def crossing_probabilities(z_boundaries: np.ndarray) -> np.ndarray:
    """Compute P(first |Z_k| >= c_k at look k) under no effect for equally spaced looks.

    Parameters
    ----------
    z_boundaries : array of float, shape (K,)
        Two-sided critical values c_1..c_K for the standardised statistics Z_1..Z_K.

    Returns
    -------
    numpy.ndarray, shape (K,)
        Probability that look k is the first to cross. Its sum is the overall two-sided
        type I error of the design and its cumulative sum the error after k looks.

    Notes
    -----
    With equal information per look the score S_k = sqrt(k) Z_k is a sum of k independent
    N(0, 1) increments, so the looks are correlated with corr(Z_j, Z_k) = sqrt(j / k). The
    sub-density of S_k on the continuation region |S_k| < c_k sqrt(k) follows the recursion
    f_k(x) = integral f_{k-1}(y) phi(x - y) dy, evaluated with Simpson's rule on a grid of
    spacing 0.05 (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, chapter 19).
    The result is deterministic and accurate to about 1e-7.
    """
    boundaries = np.asarray(z_boundaries, dtype=float)
    if boundaries.ndim != 1 or boundaries.size == 0:
        raise ValueError(f"z_boundaries must be a non-empty 1-D array, got shape {boundaries.shape}")
    if boundaries.size > MAX_INTEGRATION_LOOKS:
        raise ValueError(
            f"number of looks={boundaries.size} is out of range: expected at most "
            f"{MAX_INTEGRATION_LOOKS} for the numerical integration"
        )
    if not np.all(np.isfinite(boundaries)) or np.any(boundaries <= 0):
        raise ValueError("z_boundaries must be finite and positive")
    if np.any(boundaries > MAX_Z_BOUNDARY):
        raise ValueError(
            f"z_boundaries has a value of {boundaries.max():g}: expected at most {MAX_Z_BOUNDARY:g}, "
            "beyond which the crossing probability is 0 in double precision"
        )

    score_bounds = boundaries * np.sqrt(np.arange(1, boundaries.size + 1))
    first_crossing = np.empty(boundaries.size)
    first_crossing[0] = 2.0 * ndtr(-score_bounds[0])

    nodes, weights = _simpson_grid(score_bounds[0])
    density = np.exp(-0.5 * nodes**2) / math.sqrt(2.0 * math.pi)
    for look in range(1, boundaries.size):
        bound = score_bounds[look]
        weighted = density * weights
        # Mass still running at the previous look that jumps beyond +-bound at this one.
        first_crossing[look] = weighted @ (ndtr(-bound - nodes) + ndtr(nodes - bound))
        if look == boundaries.size - 1:
            break
        next_nodes, next_weights = _simpson_grid(bound)
        kernel = np.exp(-0.5 * (next_nodes[:, None] - nodes[None, :]) ** 2)
        density = kernel @ weighted / math.sqrt(2.0 * math.pi)
        nodes, weights = next_nodes, next_weights
    return first_crossing


def repeated_testing_error(n_looks: int, alpha: float = 0.05) -> np.ndarray:
    """Compute the false-positive rate of testing at nominal alpha after each of K looks.

    Parameters
    ----------
    n_looks : int
        Number of equally spaced looks K, from 1 to ``MAX_INTEGRATION_LOOKS``.
    alpha : float
        Nominal two-sided significance level used at every look, in (0, 1).

    Returns
    -------
    numpy.ndarray, shape (K,)
        Entry k - 1 is P(at least one |Z_j| >= z_{1 - alpha/2} for j <= k) under no effect,
        for large samples per look. For alpha = 0.05 this reproduces Armitage, McPherson &
        Rowe (1969), as tabulated in Jennison & Turnbull (2000) Table 1.1: K = 2 0.083,
        5 0.142, 10 0.193, 20 0.248, 100 0.374. It is larger than alpha but smaller than
        1 - (1 - alpha)^K because successive looks share most of their data.
    """
    looks = check_integer("n_looks", n_looks, 1, MAX_INTEGRATION_LOOKS)
    alpha = check_number("alpha", alpha, MIN_ALPHA, 1.0, high_inclusive=False)
    critical = float(ndtri(1.0 - alpha / 2.0))
    return np.cumsum(crossing_probabilities(np.full(looks, critical)))


def _shape_for(method: str, n_looks: int) -> np.ndarray:
    looks = np.arange(1, n_looks + 1)
    if method == "pocock":
        return np.ones(n_looks)
    if method == "obrien_fleming":
        return np.sqrt(n_looks / looks)
    raise ValueError(f"method={method!r} is invalid: expected 'pocock' or 'obrien_fleming'")


@lru_cache(maxsize=256)
def _constant(method: str, n_looks: int, alpha: float) -> float:
    shape = _shape_for(method, n_looks)

    def excess_error(constant: float) -> float:
        return float(crossing_probabilities(constant * shape).sum()) - alpha

    # Below z_{1-alpha/2} the first look alone spends more than alpha, and at 10 the error is
    # below 1e-20, so the root lies in between. Starting exactly at z_{1-alpha/2} fails for
    # K = 1, where rounding can put the error a hair below alpha and leave no sign change.
    lower = 0.9 * float(ndtri(1.0 - alpha / 2.0))
    return float(brentq(excess_error, lower, 10.0, xtol=1e-10))


def group_sequential_constant(
    n_looks: int, alpha: float = 0.05, method: GroupSequentialMethod = "pocock"
) -> float:
    """Compute the Pocock or O'Brien-Fleming constant for K equally spaced looks.

    Parameters
    ----------
    n_looks : int
        Number of planned, equally spaced analyses K, from 1 to ``MAX_INTEGRATION_LOOKS``.
    alpha : float
        Overall two-sided type I error, in (0, 1).
    method : {"pocock", "obrien_fleming"}
        Pocock rejects at look k when |Z_k| >= C_P. O'Brien-Fleming rejects when
        |Z_k| >= C_B sqrt(K / k), so it is strict early and close to the fixed test at the end.

    Returns
    -------
    float
        The constant C_P or C_B, found by a root search (Brent) on the exact crossing
        probability from ``crossing_probabilities``. For alpha = 0.05, Jennison & Turnbull
        (2000) Table 2.1 gives C_P = 2.178 (K = 2), 2.413 (K = 5) and Table 2.3 gives
        C_B = 1.977 (K = 2), 2.040 (K = 5).
    """
    looks = check_integer("n_looks", n_looks, 1, MAX_INTEGRATION_LOOKS)
    alpha = check_number("alpha", alpha, MIN_ALPHA, 1.0, high_inclusive=False)
    _shape_for(method, looks)
    return _constant(method, looks, alpha)


def group_sequential_boundaries(
    n_looks: int, alpha: float = 0.05, method: GroupSequentialMethod = "pocock"
) -> np.ndarray:
    """Return the two-sided critical values |Z_k| for looks k = 1..K of a group sequential design.

    See ``group_sequential_constant`` for the parameters. For O'Brien-Fleming with K = 5 and
    alpha = 0.05 the values are 4.562, 3.226, 2.634, 2.281, 2.040.
    """
    constant = group_sequential_constant(n_looks, alpha, method)
    return constant * _shape_for(method, int(n_looks))


def nominal_p_thresholds(z_boundaries: np.ndarray) -> np.ndarray:
    """Convert two-sided critical values |Z| >= c into nominal p-value thresholds 2 (1 - Phi(c))."""
    return 2.0 * ndtr(-check_array("z_boundaries", z_boundaries, 0.0, allow_infinite=True))


def msprt_mixing_variance(mde_absolute: float) -> float:
    """Return the mSPRT mixing variance tau^2 for a planned absolute minimum detectable effect.

    Parameters
    ----------
    mde_absolute : float
        The smallest difference in conversion rate the test is planned to detect, as a
        proportion (0.02 for 2 percentage points), in (0, 1).

    Returns
    -------
    float
        tau^2 = mde_absolute^2.

    Notes
    -----
    The mSPRT averages the likelihood ratio over a normal prior N(0, tau^2) on the true
    difference. A tau far below the effects that occur makes the test slow to react to real
    effects, and a tau far above them spends evidence on effects that never happen. Johari
    et al. (2017) recommend fitting tau to the effects seen in past experiments. Without that
    history, the planned MDE is the best statement of the effect size that matters, so a prior
    whose standard deviation equals the MDE puts most of its mass on effects of that size and
    smaller.
    """
    mde = check_number("mde_absolute", mde_absolute, 0.0, 1.0, low_inclusive=False)
    return mde * mde


def msprt_log_likelihood_ratio(
    difference: np.ndarray,
    variance: np.ndarray,
    n_per_variant: np.ndarray,
    mixing_variance: float,
) -> np.ndarray:
    """Compute log Lambda_n of the mSPRT for a difference of two means, elementwise.

    Parameters
    ----------
    difference : array of float
        Observed difference of the arm means, xbar_B - xbar_A.
    variance : array of float
        V, the variance of one pair's difference (for proportions 2 p (1 - p) with the
        pooled rate p). Entries equal to 0 give log Lambda = 0 (no evidence either way).
    n_per_variant : array of float
        Users per arm, n.
    mixing_variance : float
        tau^2 of the normal mixing distribution, see ``msprt_mixing_variance``.

    Returns
    -------
    numpy.ndarray
        log Lambda_n = 0.5 log(V / (V + n tau^2)) + n^2 tau^2 d^2 / (2 V (V + n tau^2)),
        from Johari, Koomen, Pekelis & Walsh (2017).
    """
    d = check_array("difference", difference, -MAX_MSPRT_INPUT, MAX_MSPRT_INPUT)
    v = check_array("variance", variance, 0.0, MAX_MSPRT_INPUT)
    if np.any((v > 0) & (v < 1.0 / MAX_MSPRT_INPUT)):
        raise ValueError(
            f"variance must be 0 or at least {1.0 / MAX_MSPRT_INPUT:g}: smaller values "
            "overflow the likelihood ratio"
        )
    n = check_array("n_per_variant", n_per_variant, 0.0, MAX_MSPRT_INPUT)
    check_broadcastable(difference=d, variance=v, n_per_variant=n)
    mixing_variance = check_number("mixing_variance", mixing_variance, 0.0, MAX_MSPRT_INPUT, low_inclusive=False)
    spread = v + n * mixing_variance
    with np.errstate(divide="ignore", invalid="ignore"):
        log_lambda = 0.5 * np.log(v / spread) + (n * n * mixing_variance * d * d) / (2.0 * v * spread)
    return np.where(v > 0, log_lambda, 0.0)


def msprt_p_values(
    conversions_a: np.ndarray,
    conversions_b: np.ndarray,
    n_per_variant: np.ndarray,
    mixing_variance: float,
) -> np.ndarray:
    """Compute always-valid mSPRT p-values for two proportions along the last axis (looks).

    Parameters
    ----------
    conversions_a, conversions_b : array of int, shape (..., K)
        Cumulative conversions per arm at each look.
    n_per_variant : array of int, shape (K,)
        Cumulative users per arm at each look.
    mixing_variance : float
        tau^2, see ``msprt_mixing_variance``.

    Returns
    -------
    numpy.ndarray, shape (..., K)
        p_n = min(p_{n-1}, 1 / Lambda_n) with p_0 = 1 (Johari et al. 2017). Under no effect
        P(p_n ever < alpha) <= alpha, so it may be checked after every look.

    Notes
    -----
    V is estimated by 2 p (1 - p) from the pooled rate at each look, the normal
    approximation of the two-proportion case. With an estimated V the guarantee is
    approximate in small samples; the Monte Carlo on the peeking page measures it.
    """
    # The pooled variance is at least about 1 / n unless it is 0, so this bound keeps it
    # above the variance floor of msprt_log_likelihood_ratio.
    n = check_array("n_per_variant", n_per_variant, 0.0, MAX_MSPRT_INPUT / 10.0, whole=True)
    if np.any(n <= 0):
        raise ValueError("n_per_variant must be positive at every look: a look needs users")
    a = check_array("conversions_a", conversions_a, 0.0, whole=True)
    b = check_array("conversions_b", conversions_b, 0.0, whole=True)
    check_broadcastable(conversions_a=a, conversions_b=b, n_per_variant=n)
    for name, conversions in (("conversions_a", a), ("conversions_b", b)):
        if np.any(conversions > n):
            raise ValueError(f"{name} exceeds n_per_variant at some look: a user converts at most once")
    pooled = (a + b) / (2.0 * n)
    variance = 2.0 * pooled * (1.0 - pooled)
    log_lambda = msprt_log_likelihood_ratio((b - a) / n, variance, n, mixing_variance)
    instantaneous = np.exp(-np.maximum(log_lambda, 0.0))
    return np.minimum.accumulate(instantaneous, axis=-1)
