"""Counts of a finished experiment, from a form or a CSV file, checked once.

CSV format (UTF-8, comma-separated, one header row, one row per variant, the
control first)::

    variant,users,conversions,checkout_conversions
    control,10000,1000,420
    new button,10050,1080,415

``variant``, ``users`` and ``conversions`` are required. Each optional extra
metric is a column named ``<metric>_conversions``, where ``<metric>`` is
letters, digits and underscores. It counts users who converted on that metric,
so the ``users`` column is its denominator too. ``conversions`` is the metric
named ``conversions``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.ab.analysis import check_counts

MAX_VARIANTS = 5
MAX_EXTRA_METRICS = 8
MAX_CSV_BYTES = 64 * 1024
MAX_VARIANT_NAME_LENGTH = 80
PRIMARY_COLUMN = "conversions"
METRIC_SUFFIX = "_conversions"

# Longer fields cannot be a valid count: MAX_USERS (10**12) has 13 digits, and 40 leaves
# room for leading zeros and forms such as "1.000000000000e+12".
_MAX_COUNT_CHARS = 40
_METRIC_NAME = re.compile(r"[a-z0-9_]{1,40}")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True)
class ExperimentCounts:
    """Users per variant and conversions per metric and variant; the control is first."""

    variants: tuple[str, ...]
    users: tuple[int, ...]
    conversions: dict[str, tuple[int, ...]]

    @property
    def metrics(self) -> tuple[str, ...]:
        """Metric names in column order, ``conversions`` first."""
        return tuple(self.conversions)


def build_counts(
    variants: Sequence[str],
    users: Sequence[object],
    conversions: Mapping[str, Sequence[object]],
) -> ExperimentCounts:
    """Check counts entered in a form or read from a file and store them.

    Parameters
    ----------
    variants : sequence of str
        Variant names, the control first; 2 to ``MAX_VARIANTS``, unique, each
        1 to ``MAX_VARIANT_NAME_LENGTH`` characters after trimming spaces.
    users : sequence of int
        Users per variant, each >= 0 (an arm with 0 users is reported by the
        sample ratio check, not dropped).
    conversions : mapping of str to sequence of int
        Converted users per variant for each metric; each count is at most the
        variant's users. Must contain ``"conversions"``.

    Returns
    -------
    ExperimentCounts

    Raises
    ------
    ValueError
        Naming the variant, metric and value for any invalid input.
    """
    names = tuple(str(name).strip() for name in variants)
    if not MAX_VARIANTS >= len(names) >= 2:
        raise ValueError(
            f"found {len(names)} variants: expected a control and 1 to "
            f"{MAX_VARIANTS - 1} treatments ({2} to {MAX_VARIANTS} variants)"
        )
    for name in names:
        if not name:
            raise ValueError("a variant name is empty: give every variant a name")
        if len(name) > MAX_VARIANT_NAME_LENGTH:
            raise ValueError(
                f"variant name {name[:20]!r}... has {len(name)} characters: "
                f"expected at most {MAX_VARIANT_NAME_LENGTH}"
            )
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"variant names must be unique, but {duplicates[0]!r} appears twice or more")
    if len(users) != len(names):
        raise ValueError(f"found {len(users)} user counts for {len(names)} variants")
    if PRIMARY_COLUMN not in conversions:
        raise ValueError(f"conversions has no {PRIMARY_COLUMN!r} metric: it is required")
    if len(conversions) > MAX_EXTRA_METRICS + 1:
        raise ValueError(
            f"found {len(conversions) - 1} extra metrics: expected at most {MAX_EXTRA_METRICS}"
        )

    checked_users: list[int] = []
    checked: dict[str, list[int]] = {metric: [] for metric in conversions}
    for metric, counts in conversions.items():
        if len(counts) != len(names):
            raise ValueError(
                f"metric {metric!r} has {len(counts)} counts for {len(names)} variants"
            )
    for index, name in enumerate(names):
        for metric, counts in conversions.items():
            label = name if metric == PRIMARY_COLUMN else f"{name}, {metric}"
            arm_users, arm_conversions = check_counts(label, users[index], counts[index])
            checked[metric].append(arm_conversions)
        checked_users.append(arm_users)

    return ExperimentCounts(
        variants=names,
        users=tuple(checked_users),
        conversions={metric: tuple(values) for metric, values in checked.items()},
    )


def _parse_count(text: str, column: str, line: int) -> object:
    """Convert a CSV field to a number and leave the range checks to ``build_counts``."""
    field = text.strip()
    shown = field if len(field) <= 20 else field[:20] + "..."
    if len(field) > _MAX_COUNT_CHARS:
        # int() rejects more than 4,300 digits with a message about Python settings.
        raise ValueError(
            f"line {line}: {column}={shown!r} has {len(field):,} characters: "
            f"a count has at most {_MAX_COUNT_CHARS}"
        )
    if _INTEGER.fullmatch(field):
        return int(field)
    if _DECIMAL.fullmatch(field):
        value = float(field)
        if math.isfinite(value):
            return value
    raise ValueError(f"line {line}: {column}={shown!r} is not a whole number")


def _metric_from_column(column: str) -> str:
    if column == PRIMARY_COLUMN:
        return PRIMARY_COLUMN
    metric = column[: -len(METRIC_SUFFIX)] if column.endswith(METRIC_SUFFIX) else ""
    if not _METRIC_NAME.fullmatch(metric):
        shown = column if len(column) <= 40 else column[:40] + "..."
        raise ValueError(
            f"unknown column {shown!r}: expected variant, users, conversions and "
            f"optional <metric>{METRIC_SUFFIX} columns, with <metric> made of "
            "letters, digits and underscores"
        )
    return metric


def parse_results_csv(data: bytes) -> ExperimentCounts:
    """Parse an uploaded results file in the format described in this module.

    Parameters
    ----------
    data : bytes
        The file content, at most ``MAX_CSV_BYTES`` bytes of UTF-8 text (a
        byte order mark is allowed).

    Returns
    -------
    ExperimentCounts

    Raises
    ------
    ValueError
        If the file is too large, empty, not UTF-8, not valid CSV, has a
        missing, duplicate or unknown column, a row of the wrong length, more
        than ``MAX_VARIANTS`` rows, or any count that ``build_counts`` rejects.
        Messages give the line number where one applies.
    """
    if len(data) > MAX_CSV_BYTES:
        raise ValueError(
            f"the file has {len(data):,} bytes: the limit is {MAX_CSV_BYTES:,} bytes "
            f"({MAX_VARIANTS} variants need far less)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"the file is not UTF-8 text (invalid byte at position {error.start}): "
            "save it as CSV UTF-8"
        ) from None
    if not text.strip():
        raise ValueError("the file is empty: expected a header row and one row per variant")

    try:
        rows = [
            (line, row)
            for line, row in _read_rows(text)
            if any(field.strip() for field in row)
        ]
    except csv.Error as error:
        raise ValueError(f"the file is not valid CSV: {error}") from None

    if not rows:
        raise ValueError("the file has no data: expected a header row and one row per variant")
    header_line, header = rows[0]
    columns = [column.strip().lower() for column in header]
    if len(set(columns)) != len(columns):
        duplicate = next(column for column in columns if columns.count(column) > 1)
        raise ValueError(f"line {header_line}: column {duplicate!r} appears more than once")
    metric_columns = [column for column in columns if column not in ("variant", "users")]
    metrics = {column: _metric_from_column(column) for column in metric_columns}
    for required in ("variant", "users", PRIMARY_COLUMN):
        if required not in columns:
            raise ValueError(
                f"line {header_line}: the required column {required!r} is missing; "
                f"the header must contain variant, users and {PRIMARY_COLUMN}"
            )

    body = rows[1:]
    if not body:
        raise ValueError("the file has a header but no data rows: add one row per variant")
    if len(body) > MAX_VARIANTS:
        raise ValueError(
            f"the file has {len(body)} data rows: expected at most {MAX_VARIANTS} "
            f"(a control and up to {MAX_VARIANTS - 1} treatments)"
        )

    variants: list[str] = []
    users: list[object] = []
    conversions: dict[str, list[object]] = {metric: [] for metric in metrics.values()}
    for line, row in body:
        if len(row) != len(columns):
            raise ValueError(
                f"line {line}: found {len(row)} fields, expected {len(columns)} "
                f"({', '.join(columns)})"
            )
        record = dict(zip(columns, row))
        variants.append(record["variant"])
        users.append(_parse_count(record["users"], "users", line))
        for column, metric in metrics.items():
            conversions[metric].append(_parse_count(record[column], column, line))

    return build_counts(variants, users, conversions)


def _read_rows(text: str):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    for row in reader:
        yield reader.line_num, row


# Example file offered on the analysis page: a control, two treatments, the
# primary metric and two extra metrics (a click-through and a refund rate).
EXAMPLE_CSV = """variant,users,conversions,add_to_cart_conversions,refund_conversions
control,20000,2400,6100,190
new checkout,20090,2630,6230,240
one-click buy,19940,2475,6020,196
"""
