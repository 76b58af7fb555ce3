"""Bayesian comparison of two conversion rates with Beta-Binomial posteriors."""

from __future__ import annotations

from dataclasses import dataclass

import math

from scipy import integrate, special

from core.ab.analysis import check_counts
from core.validation import check_number

# Mass of the treatment posterior left outside the integration interval, per tail.
MIN_PRIOR = 1e-3
MAX_PRIOR = 1e6
_TAIL_MASS = 1e-13


@dataclass(frozen=True)
class BayesianComparison:
    """Posterior summary of a treatment against the control.

    Losses are in conversion-rate units (0.001 is 0.1 percentage points).
    """

    probability_to_beat_control: float
    expected_loss_treatment: float
    expected_loss_control: float


def compare_posteriors(
    control_users: int,
    control_conversions: int,
    treatment_users: int,
    treatment_conversions: int,
    prior_alpha: float = 1.0,
    prior_beta: float = 1.0,
) -> BayesianComparison:
    """Compute the probability that the treatment beats the control and the expected losses.

    Each arm's rate has the posterior ``Beta(prior_alpha + conversions,
    prior_beta + users - conversions)``; the default prior ``Beta(1, 1)`` is
    uniform. With ``T`` the treatment rate and ``C`` the control rate:

    - probability to beat control: ``P(T > C) = integral f_T(t) F_C(t) dt``;
    - expected loss of shipping the treatment: ``E[max(C - T, 0)]``;
    - expected loss of keeping the control: ``E[max(T - C, 0)]``.

    The inner expectation has a closed form, ``E[max(C - t, 0)] = E[C]
    S_{a+1,b}(t) - t S_{a,b}(t)`` with ``S`` the Beta survival function, so each
    quantity is one deterministic integral over the treatment posterior (adaptive
    quadrature, ``scipy.integrate.quad``). The tests find it within 1e-8 of
    closed-form cases, also with 10 million users, where the posteriors are
    very narrow.

    Parameters
    ----------
    control_users, control_conversions, treatment_users, treatment_conversions : int
        Counts per arm; 0 users is allowed (the posterior is then the prior).
    prior_alpha, prior_beta : float
        Parameters of the Beta prior shared by both arms, each from 0.001 to 1e6.

    Returns
    -------
    BayesianComparison

    Raises
    ------
    ValueError
        If a count or a prior parameter is invalid.
    """
    control_users, control_conversions = check_counts("control", control_users, control_conversions)
    treatment_users, treatment_conversions = check_counts(
        "treatment", treatment_users, treatment_conversions
    )
    # Outside these bounds the numerical integration returned NaN or divided by a zero
    # posterior mass. NOTE: priors below about 0.5 with extreme counts still make
    # scipy.integrate.quad warn about accuracy (IntegrationWarning).
    prior_alpha = check_number("prior_alpha", prior_alpha, MIN_PRIOR, MAX_PRIOR)
    prior_beta = check_number("prior_beta", prior_beta, MIN_PRIOR, MAX_PRIOR)

    a_c = prior_alpha + control_conversions
    b_c = prior_beta + control_users - control_conversions
    a_t = prior_alpha + treatment_conversions
    b_t = prior_beta + treatment_users - treatment_conversions
    mean_c = a_c / (a_c + b_c)
    mean_t = a_t / (a_t + b_t)
    low = float(special.betaincinv(a_t, b_t, _TAIL_MASS))
    high = float(special.betainccinv(a_t, b_t, _TAIL_MASS))
    # The breakpoints tell quad where the integrand changes fast, because both
    # posteriors can be far narrower than the interval.
    points = sorted({min(max(mean_t, low), high), min(max(mean_c, low), high)})

    # scipy.special instead of scipy.stats.beta, because quad calls these scalar
    # functions hundreds of times and the scipy.stats wrappers are far slower.
    log_norm_t = special.betaln(a_t, b_t)

    def treatment_pdf(t: float) -> float:
        if t <= 0.0 or t >= 1.0:
            return 0.0
        return math.exp((a_t - 1.0) * math.log(t) + (b_t - 1.0) * math.log1p(-t) - log_norm_t)

    def integrate_over_treatment(function) -> float:
        value, _ = integrate.quad(
            lambda t: treatment_pdf(t) * function(t),
            low,
            high,
            points=points,
            limit=200,
            epsabs=1e-12,
            epsrel=1e-10,
        )
        return float(value)

    def control_cdf(t: float) -> float:
        return float(special.betainc(a_c, b_c, t))

    def control_excess(t: float) -> float:
        return mean_c * float(special.betaincc(a_c + 1.0, b_c, t)) - t * float(
            special.betaincc(a_c, b_c, t)
        )

    # betaln loses about 1e-8 of relative precision when b is near 1e7, so the
    # density is renormalized over the interval instead of trusting the constant.
    mass = integrate_over_treatment(lambda t: 1.0)
    probability = integrate_over_treatment(control_cdf) / mass
    loss_treatment = integrate_over_treatment(control_excess) / mass
    # E[max(T - C, 0)] - E[max(C - T, 0)] = E[T] - E[C], so one integral gives both.
    loss_control = loss_treatment + mean_t - mean_c

    return BayesianComparison(
        probability_to_beat_control=min(max(probability, 0.0), 1.0),
        expected_loss_treatment=max(loss_treatment, 0.0),
        expected_loss_control=max(loss_control, 0.0),
    )
