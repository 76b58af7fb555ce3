"""Tests for the shared input checks in core.validation."""

from __future__ import annotations

import pytest

from core.validation import check_integer, check_number


def test_check_integer_rejects_huge_integer():
    # float(10**400) raises OverflowError, which used to escape as a traceback.
    with pytest.raises(ValueError, match="about 401 digits is out of range"):
        check_integer("users", 10**400, 0, 10**12)


def test_check_integer_huge_integer_without_upper_bound():
    assert check_integer("users", 10**400, 0) == 10**400


def test_check_integer_message_of_5000_digit_integer():
    # Python refuses to print integers of more than 4,300 digits.
    with pytest.raises(ValueError, match="about 5,000 digits"):
        check_integer("users", -(10**4999), 0)


def test_check_number_rejects_huge_integer():
    with pytest.raises(ValueError, match="must be a finite number, got an integer of about 401 digits"):
        check_number("weight", 10**400)


def test_check_integer_still_rejects_fraction():
    with pytest.raises(ValueError, match="must be a whole number, got 5.5"):
        check_integer("users", 5.5, 0)
