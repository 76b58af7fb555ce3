"""Adjusted p-values for several metrics and variants tested at once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

from core.validation import check_number

METHODS = ("bonferroni", "holm", "bh")
METHOD_LABELS = {
    "bonferroni": "Bonferroni",
    "holm": "Holm",
    "bh": "Benjamini-Hochberg",
}


def adjust_p_values(p_values: Sequence[float], method: str) -> np.ndarray:
    """Adjust p-values for multiple testing.

    With ``m`` p-values sorted as ``p_(1) <= ... <= p_(m)``:

    - ``"bonferroni"``: ``min(1, m p_i)``; controls the family-wise error rate.
    - ``"holm"`` (Holm 1979, step-down): ``max over j <= i of
      min(1, (m - j + 1) p_(j))``; controls the family-wise error rate and
      rejects at least what Bonferroni rejects.
    - ``"bh"`` (Benjamini & Hochberg 1995, step-up):
      ``scipy.stats.false_discovery_control(method="bh")``, that is
      ``min over j >= i of min(1, m p_(j) / j)``; controls the false discovery
      rate for independent or positively dependent tests.

    A hypothesis is rejected at level alpha when its adjusted p-value is
    ``<= alpha``.

    Parameters
    ----------
    p_values : sequence of float
        Raw p-values, each in [0, 1]; at least one.
    method : {"bonferroni", "holm", "bh"}

    Returns
    -------
    numpy.ndarray
        Adjusted p-values in the input order.

    Raises
    ------
    ValueError
        If the list is empty, a p-value is outside [0, 1], or the method is unknown.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r} is unknown: expected one of {', '.join(METHODS)}")
    if len(p_values) == 0:
        raise ValueError("p_values is empty: give at least one p-value")
    values = np.array(
        [check_number(f"p_values[{i}]", p, 0.0, 1.0) for i, p in enumerate(p_values)],
        dtype=float,
    )
    m = len(values)

    if method == "bonferroni":
        return np.minimum(1.0, m * values)
    if method == "bh":
        return np.asarray(stats.false_discovery_control(values, method="bh"), dtype=float)

    order = np.argsort(values, kind="stable")
    multipliers = m - np.arange(m)
    stepped = np.maximum.accumulate(np.minimum(1.0, multipliers * values[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return adjusted
