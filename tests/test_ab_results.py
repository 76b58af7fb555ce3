"""Tests for the results CSV parser and the checks on entered counts."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ab.results import MAX_CSV_BYTES, build_counts, parse_results_csv

VALID = b"variant,users,conversions,checkout_conversions\ncontrol,10000,1000,420\nnew button,10050,1080,415\n"


def test_parse_valid_file_with_extra_metric():
    counts = parse_results_csv(VALID)

    assert counts.variants == ("control", "new button")
    assert counts.users == (10000, 10050)
    assert counts.conversions == {"conversions": (1000, 1080), "checkout": (420, 415)}
    assert counts.metrics == ("conversions", "checkout")


def test_parse_tolerates_bom_spaces_case_and_blank_lines():
    data = "\ufeff Variant , USERS,Conversions\r\n\r\n control , 100 ,10\r\nB,120,12.0\r\n\r\n".encode()
    counts = parse_results_csv(data)

    assert counts.variants == ("control", "B")
    assert counts.users == (100, 120)
    assert counts.conversions["conversions"] == (10, 12)


def test_parse_keeps_markup_in_names_as_text():
    data = b'variant,users,conversions\ncontrol,100,10\n"<script>alert(1)</script>",100,12\n'

    assert parse_results_csv(data).variants[1] == "<script>alert(1)</script>"


def test_zero_user_arm_is_kept():
    counts = parse_results_csv(b"variant,users,conversions\ncontrol,100,10\nB,0,0\n")

    assert counts.users == (100, 0)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"variant,users,conversions\n", "header but no data rows"),
        (b"variant,users,conversions\ncontrol,100,10\n", "found 1 variants"),
        (b"variant,users,conversions\na,10,11\nb,10,1\n", "conversions of 'a'=11 exceed users=10"),
        (b"variant,users,conversions\na,-1,0\nb,1,1\n", "users of 'a'=-1 is out of range"),
        (b"variant,users,conversions\na,10,-2\nb,1,1\n", "conversions of 'a'=-2 is out of range"),
        (b"variant,users,conversions\na,1.5,0\nb,1,1\n", "users of 'a' must be a whole number, got 1.5"),
        (b"variant,users,conversions\na,abc,0\nb,1,1\n", "line 2: users='abc' is not a whole number"),
        (b"variant,users,conversions\na,,0\nb,1,1\n", "line 2: users='' is not a whole number"),
        (b"variant,users,conversions\na,1e400,0\nb,1,1\n", "is not a whole number"),
        (b"variant,users,conversions\na,nan,0\nb,1,1\n", "is not a whole number"),
        (b"variant,users,conversions\na,1_000,0\nb,1,1\n", "is not a whole number"),
        # 4,000 digits fit int() but overflowed float() in the range check.
        (b"variant,users,conversions\na," + b"9" * 4000 + b",0\nb,1,1\n", "has 4,000 characters"),
        (b"variant,users,conversions\na," + b"9" * 5000 + b",0\nb,1,1\n", "has 5,000 characters"),
        (b"variant,users,conversions\na,10,1\nb,1," + b"9" * 41 + b"\n", "has 41 characters"),
        (b"variant,users,conversions,foo\na,1,0,1\nb,1,1,1\n", "unknown column 'foo'"),
        (b"variant,users,conversions,x-y_conversions\na,1,0,1\nb,1,1,1\n", "unknown column 'x-y_conversions'"),
        (b"variant;users;conversions\na;1;0\nb;1;1\n", "unknown column 'variant;users;conversions'"),
        (b"variant,users\na,1\nb,1\n", "required column 'conversions' is missing"),
        (b"users,conversions\n1,0\n1,1\n", "required column 'variant' is missing"),
        (b"variant,users,users,conversions\na,1,1,0\nb,1,1,1\n", "column 'users' appears more than once"),
        (b"variant,users,conversions\na,1\nb,1,1\n", "line 2: found 2 fields, expected 3"),
        (b'variant,users,conversions\na,"1,0\nb,1,1\n', "the file is not valid CSV"),
        (b"variant,users,conversions\na,1,0\x00\nb,1,1\n", "is not a whole number"),
        (b"\xff\xfevariant", "the file is not UTF-8 text"),
        (b"variant,users,conversions\na,1,0\na,1,1\n", "'a' appears twice or more"),
        (b"variant,users,conversions\n ,1,0\nb,1,1\n", "a variant name is empty"),
        (b"variant,users,conversions\n" + b"a" * 81 + b",1,0\nb,1,1\n", "has 81 characters"),
        (b"variant,users,conversions\n" + b"".join(b"v%d,10,1\n" % i for i in range(6)), "6 data rows"),
        (b"variant,users,conversions\na,10000000000000,0\nb,1,1\n", "users of 'a'=10000000000000 is out of range"),
        (b"x" * (MAX_CSV_BYTES + 1), "the limit is 65,536 bytes"),
    ],
)
def test_parse_rejects_bad_file(data, message):
    with pytest.raises(ValueError, match=message):
        parse_results_csv(data)


def test_extra_metric_error_names_metric():
    data = b"variant,users,conversions,refund_conversions\na,10,1,11\nb,10,1,1\n"

    with pytest.raises(ValueError, match="conversions of 'a, refund'=11 exceed users=10"):
        parse_results_csv(data)


def test_build_counts_from_form():
    counts = build_counts(["control", "B", "C"], [100, 110, 90], {"conversions": [10, 12, 8]})

    assert counts.users == (100, 110, 90)
    assert counts.metrics == ("conversions",)


@pytest.mark.parametrize(
    ("variants", "users", "conversions", "message"),
    [
        (["a", "b"], [100, 100], {"clicks": [1, 1]}, "no 'conversions' metric"),
        (["a", "b"], [100], {"conversions": [1, 1]}, "found 1 user counts for 2 variants"),
        (["a", "b"], [100, 100], {"conversions": [1]}, "'conversions' has 1 counts for 2 variants"),
        (["a", "b", "c", "d", "e", "f"], [1] * 6, {"conversions": [0] * 6}, "found 6 variants"),
    ],
)
def test_build_counts_rejects_bad_input(variants, users, conversions, message):
    with pytest.raises(ValueError, match=message):
        build_counts(variants, users, conversions)


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda name: name.strip() == name and name)


@st.composite
def experiments(draw):
    variants = draw(st.lists(names, min_size=2, max_size=5, unique=True))
    users = [draw(st.integers(0, 10**9)) for _ in variants]
    conversions = [draw(st.integers(0, u)) for u in users]
    return variants, users, conversions


@settings(max_examples=150, deadline=None)
@given(experiments())
def test_csv_round_trip(experiment):
    variants, users, conversions = experiment
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["variant", "users", "conversions"])
    writer.writerows(zip(variants, users, conversions))

    counts = parse_results_csv(buffer.getvalue().encode())

    assert counts.variants == tuple(variants)
    assert counts.users == tuple(users)
    assert counts.conversions["conversions"] == tuple(conversions)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_value_error(data):
    try:
        parse_results_csv(b"variant,users,conversions\n" + data)
    except ValueError:
        pass
