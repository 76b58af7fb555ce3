"""Input checks shared by the core functions.

Every check raises ``ValueError`` whose message names the parameter, the value it
received and the valid range, so a page can show the message to the user as it is.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


# Integers above this many bits are described by their digit count, because Python
# refuses to print integers of more than 4,300 digits and long ones flood a message.
_MAX_SHOWN_INTEGER_BITS = 64


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, numbers.Integral) and abs(int(value)).bit_length() > _MAX_SHOWN_INTEGER_BITS:
        digits = int(abs(int(value)).bit_length() * math.log10(2)) + 1
        return f"an integer of about {digits:,} digits"
    return repr(value)


def check_number(
    name: str,
    value: object,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> float:
    """Check that ``value`` is a finite real number in the given interval.

    Returns the value as a float. Booleans are rejected because ``True`` passing
    as 1 hides a caller's mistake.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {_format(value)}")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {_format(value)}")

    below = number < low if low_inclusive else number <= low
    above = number > high if high_inclusive else number >= high
    if below or above:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        raise ValueError(
            f"{name}={_format(number)} is out of range: expected a value in "
            f"{left}{_format(float(low))}, {_format(float(high))}{right}"
        )
    return number


def check_integer(name: str, value: object, low: int, high: int | None = None) -> int:
    """Check that ``value`` is a whole number from ``low`` to ``high`` (inclusive).

    Floats with an integral value (``5.0``) are accepted, so values read from a
    form or a CSV file work; ``5.5`` is rejected.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number, got {_format(value)}")
    # Integers skip the float test, because a huge one overflows float().
    if not isinstance(value, numbers.Integral):
        if not math.isfinite(float(value)) or float(value) != int(value):
            raise ValueError(f"{name} must be a whole number, got {_format(value)}")
    integer = int(value)

    upper = "" if high is None else f" and at most {high}"
    if integer < low or (high is not None and integer > high):
        raise ValueError(f"{name}={_format(integer)} is out of range: expected at least {low}{upper}")
    return integer


def check_array(
    name: str,
    values: object,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    allow_infinite: bool = False,
    whole: bool = False,
) -> np.ndarray:
    """Convert ``values`` to a float array and check every element is in [low, high].

    NaN is always rejected, infinities unless ``allow_infinite`` is set, and fractions
    when ``whole`` is set (for counts).
    """
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{name} must be an array of numbers, got {type(values).__name__}") from None
    if np.isnan(array).any():
        raise ValueError(f"{name} contains NaN: every value must be a number")
    if not allow_infinite and np.isinf(array).any():
        raise ValueError(f"{name} contains an infinite value: every value must be finite")
    if whole and np.any(array != np.floor(array)):
        raise ValueError(f"{name} must contain whole numbers (counts), got a fraction")
    if array.size and (array.min() < low or array.max() > high):
        raise ValueError(
            f"{name} has values from {_format(float(array.min()))} to {_format(float(array.max()))}: "
            f"expected values in [{_format(float(low))}, {_format(float(high))}]"
        )
    return array


def check_broadcastable(**arrays: np.ndarray) -> None:
    """Check that the arrays broadcast together, naming them if they do not."""
    try:
        np.broadcast_shapes(*(array.shape for array in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {array.shape}" for name, array in arrays.items())
        raise ValueError(f"array shapes do not match: {shapes}") from None
