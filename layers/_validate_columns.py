"""Column-wise validation of a whole table: the cell rules of :mod:`layers._validate`, at speed.

A registry of 100,000 rows has almost no bad cells, so each column is checked at once (empty,
NUL, pattern, length, enum, number and range, date, list, unique) to find the rows that *may*
have a problem. Only those rows go through :func:`layers._validate.check_record`, which writes
every message; the others take their typed values from the column-wise pass. Columns of few
distinct values (vocabularies, lists, dates) run the cell rule itself once per distinct value,
so they cannot disagree with the row-by-row check; the other column checks (numbers and free
text) may flag a row that turns out good (it is then checked row by row and kept), never miss
one that is bad.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from itertools import compress
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from layers import _validate_text
from layers._validate import (
    Problem,
    Report,
    Table,
    check_cell,
    check_record,
    header_problems,
)


def check_table(
    table: Table, schema: dict[str, Any], *, today: date | None = None
) -> tuple[list[int], dict[str, list[Any]], list[Problem]]:
    """Check every row of ``table`` against ``schema``.

    Returns
    -------
    rows, typed, problems
        The numbers of the rows with no problem; each field's typed values for those rows
        (None for an empty optional cell; lists for list fields); and every problem, in row
        order and, within a row, in the order of the checks.
    """
    today = today or date.today()
    fields = schema["fields"]
    problems, checkable = header_problems(table.header, schema)
    if not checkable:
        return [], {f["name"]: [] for f in fields}, problems
    count = len(table.rows)
    present = table.columns()
    trimmed = table.trimmed_columns()  # nothing to strip there: the values are the raw ones
    suspect = np.zeros(count, dtype=bool)
    suspect[list(table.extra)] = True
    typed: dict[str, list[Any]] = {}
    first_rows: dict[str, np.ndarray] = {}
    raw_columns: dict[str, Sequence[str]] = {}
    for spec in fields:
        name = spec["name"]
        raw = present.get(name)
        if raw is None:
            raw = [""] * count
        raw_columns[name] = raw
        values = list(raw) if name in trimmed else [value.strip() for value in raw]
        bad, typed[name] = _check_column(spec, values, today)
        if bad is not None:
            suspect |= bad
        if spec.get("constraints", {}).get("unique"):
            repeats, first = _repeats(values, table.rows)
            suspect |= repeats
            first_rows[name] = np.where(repeats, first, 0)
    failed = np.zeros(count, dtype=bool)
    for position in np.flatnonzero(suspect).tolist():
        record = {name: raw[position] for name, raw in raw_columns.items()}
        repeated = {
            name: int(first[position]) for name, first in first_rows.items() if first[position]
        }
        checked, found = check_record(
            table.rows[position],
            record,
            schema,
            today=today,
            first_rows=repeated,
            extra=table.extra.get(position),
        )
        if found:
            problems.extend(found)
            failed[position] = True
        else:
            for name, value in checked.items():
                typed[name][position] = value
    if not failed.any():
        return list(table.rows), typed, problems
    good = (~failed).tolist()
    rows = list(compress(table.rows, good))
    return rows, {name: list(compress(column, good)) for name, column in typed.items()}, problems


def _check_column(
    spec: dict[str, Any], values: list[str], today: date
) -> tuple[np.ndarray | None, list[Any]]:
    """Return which cells may have a problem (None: none), and every cell's typed value."""
    constraints = spec.get("constraints", {})
    kind = spec.get("type", "string")
    if kind not in ("number", "string") or constraints.get("enum") is not None:
        return _by_distinct_value(spec, values, today)
    count = len(values)
    bad = np.zeros(count, dtype=bool)
    empty = _empty(values)
    if empty is not None and constraints.get("required"):
        bad |= empty
    if "\x00" in "".join(values):
        bad |= np.fromiter(("\x00" in value for value in values), dtype=bool, count=count)
    if kind == "number":
        numbers = _floats(values)
        parsed = np.array(numbers, dtype=np.float64)  # None (empty or unparsable) is NaN
        with np.errstate(invalid="ignore"):
            bad |= ~np.isfinite(parsed) & (True if empty is None else ~empty)
            low, high = constraints.get("minimum"), constraints.get("maximum")
            if low is not None:
                bad |= parsed < low
            if high is not None:
                bad |= parsed > high
        return bad, numbers
    pattern = constraints.get("pattern")
    if pattern is not None:
        bad |= _mismatches(pattern, values)
    longest = constraints.get("maxLength")
    if longest is not None and count and max(map(len, values)) > longest:
        bad |= np.fromiter(map(len, values), dtype=np.int64, count=count) > longest
    return bad, (values if empty is None else [value or None for value in values])


def _mismatches(pattern: str, values: list[str]) -> np.ndarray:
    """Return which values are not empty and not matched in full by ``pattern`` (``re``).

    Printable-ASCII values are matched by Arrow (RE2) when it reads the pattern as Python does
    (:func:`layers._validate_text.re2_safe`); every other value by Python's ``re``.
    """
    matches = re.compile(pattern).fullmatch
    count = len(values)
    texts = pa.array(values, type=pa.large_string()) if _validate_text.re2_safe(pattern) else None
    if texts is None:
        others = np.arange(count)
        bad = np.zeros(count, dtype=bool)
    else:
        plain = _validate_text.bools(pc.ascii_is_printable(texts))
        matched = _validate_text.bools(pc.match_substring_regex(texts, f"^(?:{pattern})$"))
        filled = _validate_text.bools(pc.not_equal(texts, ""))
        bad = plain & filled & ~matched
        others = np.flatnonzero(~plain)
    for position in others.tolist():
        value = values[position]
        bad[position] = bool(value) and matches(value) is None
    return bad


def _empty(values: list[str]) -> np.ndarray | None:
    """Return which values are empty, or None when none is."""
    if "" not in values:
        return None
    return np.fromiter((not value for value in values), dtype=bool, count=len(values))


def _by_distinct_value(
    spec: dict[str, Any], values: list[str], today: date
) -> tuple[np.ndarray | None, list[Any]]:
    """Run the cell rule once per distinct value; spread its verdict and typed value."""
    faulty: dict[str, bool] = {}
    outcome: dict[str, Any] = {}
    for value in dict.fromkeys(values):
        found: list[tuple[str, str, str]] = []
        outcome[value] = check_cell(spec, value, today=today, report=_collect(found))
        faulty[value] = bool(found)
    bad = None
    if any(faulty.values()):
        bad = np.fromiter(map(faulty.__getitem__, values), dtype=bool, count=len(values))
    if spec.get("type") == "list":
        # each row gets its own list, so changing one site's list never changes another's
        return bad, [None if (i := outcome[v]) is None else list(i) for v in values]
    return bad, list(map(outcome.__getitem__, values))


def _collect(found: list[tuple[str, str, str]]) -> Report:
    """Return a ``report`` that keeps what it is given in ``found``."""

    def report(field: str, value: str, message: str) -> None:
        found.append((field, value, message))

    return report


def _floats(values: list[str]) -> list[float | None]:
    """Parse values as Python's ``float`` does (None for an empty or unparsable value)."""
    if "" not in values:
        try:
            return list(map(float, values))
        except ValueError:
            pass
    numbers: list[float | None] = []
    for value in values:
        try:
            numbers.append(float(value) if value else None)
        except ValueError:
            numbers.append(None)
    return numbers


def _repeats(values: list[str], rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return which non-empty values repeat an earlier row's, and the row that had it first."""
    first: dict[str, int] = {}
    for position, value in enumerate(values):
        first.setdefault(value, position)
    count = len(values)
    if len(first) == count:
        return np.zeros(count, dtype=bool), np.zeros(count, dtype=np.int64)
    earliest = np.fromiter(map(first.__getitem__, values), dtype=np.int64, count=count)
    repeats = (earliest != np.arange(count)) & np.array([bool(v) for v in values], dtype=bool)
    return repeats, np.asarray(rows, dtype=np.int64)[earliest]
