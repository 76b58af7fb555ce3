"""Input checks shared by the core functions.

Every check raises ``ValueError`` whose message names the parameter, the value it
received and the valid range, so a page can show the message to the user as it is.
"""

from __future__ import annotations

import math
import numbers


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
