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
from dataclasses import dataclass, field
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
from layers._validate_arrow import WHITESPACE


def check_table(
    table: Table,
    schema: dict[str, Any],
    *,
    today: date | None = None,
    text_as_arrow: bool = False,
) -> tuple[list[int], dict[str, Any], list[Problem]]:
    """Check every row of ``table`` against ``schema``.

    Every column is checked as Arrow text (a table read row by row is turned into it). With
    ``text_as_arrow``, the typed values of the text fields stay in Arrow (a
    ``pyarrow.ChunkedArray`` each, null for an empty cell) instead of Python lists.

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
    found = _by_column(table, fields, today)
    failed = _by_row(table, schema, today, found, problems)
    typed = found.typed
    if not text_as_arrow:
        typed = {name: _as_list(column) for name, column in typed.items()}
    if not failed.any():
        return list(table.rows), typed, problems
    good = (~failed).tolist()
    rows = list(compress(table.rows, good))
    keep = pa.array(good)
    return (
        rows,
        {
            name: list(compress(column, good)) if isinstance(column, list) else column.filter(keep)
            for name, column in typed.items()
        },
        problems,
    )


@dataclass
class _ColumnPass:
    """What the column-wise pass found: rows that may fail, typed values, first rows."""

    suspect: np.ndarray
    typed: dict[str, Any] = field(default_factory=dict)
    first_rows: dict[str, np.ndarray] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def _by_column(table: Table, fields: list[dict[str, Any]], today: date) -> _ColumnPass:
    """Check each column at once; return the rows that may have a problem and typed values."""
    count = len(table.rows)
    present = table.arrow_columns() or table.columns()
    trimmed = table.trimmed_columns()  # nothing to strip there: the values are the raw ones
    found = _ColumnPass(suspect=np.zeros(count, dtype=bool))
    found.suspect[list(table.extra)] = True
    for spec in fields:
        name = spec["name"]
        raw = _as_arrow(present.get(name, [""] * count))
        found.raw[name] = raw
        text = raw if name in trimmed else pc.utf8_trim(raw, characters=WHITESPACE)
        bad, found.typed[name] = _check_column(spec, text, today)
        if bad is not None:
            found.suspect |= bad
        if spec.get("constraints", {}).get("unique"):
            repeats, first = _repeats(text, table.rows)
            found.suspect |= repeats
            found.first_rows[name] = np.where(repeats, first, 0)
    return found


def _as_arrow(values: Any) -> pa.ChunkedArray:
    """Return a column as Arrow text (a table read row by row holds Python strings)."""
    if isinstance(values, pa.ChunkedArray):
        return values
    return pa.chunked_array([pa.array(list(values), type=pa.string())])


def _by_row(
    table: Table,
    schema: dict[str, Any],
    today: date,
    found: _ColumnPass,
    problems: list[Problem],
) -> np.ndarray:
    """Check the suspect rows one by one; add their problems; return which rows failed.

    A suspect row that passes takes the typed values :func:`check_record` gives it.
    """
    failed = np.zeros(len(table.rows), dtype=bool)
    positions = np.flatnonzero(found.suspect)
    # the suspect rows' cells only, by their order among the suspects
    cells = {name: raw.take(positions).to_pylist() for name, raw in found.raw.items()}
    later: dict[str, list[tuple[int, Any]]] = {}
    for at, position in enumerate(positions.tolist()):
        record = {name: values[at] for name, values in cells.items()}
        repeated = {
            name: int(first[position])
            for name, first in found.first_rows.items()
            if first[position]
        }
        checked, row_problems = check_record(
            table.rows[position],
            record,
            schema,
            today=today,
            first_rows=repeated,
            extra=table.extra.get(position),
        )
        if row_problems:
            problems.extend(row_problems)
            failed[position] = True
            continue
        for name, value in checked.items():
            column = found.typed[name]
            if isinstance(column, list):
                column[position] = value
            elif column[position].as_py() != value:
                later.setdefault(name, []).append((position, value))
    for name, changes in later.items():
        column = found.typed[name].to_pylist()  # a suspect row that passed: as checked
        for position, value in changes:
            column[position] = value
        found.typed[name] = column
    return failed


def _as_list(column: Any) -> list[Any]:
    return column if isinstance(column, list) else column.to_pylist()


def _check_column(
    spec: dict[str, Any], text: pa.ChunkedArray, today: date
) -> tuple[np.ndarray | None, Any]:
    """Return which cells may have a problem (None: none), and every cell's typed value.

    ``text`` is the column's stripped text. A text field's typed values stay in Arrow (null for
    an empty cell); other fields' are Python values (None for an empty cell).
    """
    constraints = spec.get("constraints", {})
    kind = spec.get("type", "string")
    if kind not in ("number", "string") or constraints.get("enum") is not None:
        return _by_distinct_value(spec, text, today)
    if kind == "number":
        return _check_numbers(spec, text.to_pylist())
    count = len(text)
    empty = _validate_text.bools(pc.equal(text, ""))
    bad = empty.copy() if constraints.get("required") else np.zeros(count, dtype=bool)
    if _may_hold_nul(text):
        bad |= _validate_text.bools(pc.match_substring(text, "\x00"))
    pattern = constraints.get("pattern")
    if pattern is not None:
        bad |= _mismatches(pattern, text, empty)
    longest = constraints.get("maxLength")
    if longest is not None and count:
        bad |= _validate_text.bools(pc.greater(pc.utf8_length(text), longest))
    if empty.any():
        text = pc.if_else(pa.array(empty), pa.scalar(None, pa.string()), text)
    return bad, text


def _may_hold_nul(text: pa.ChunkedArray) -> bool:
    """Say whether a byte of ``text``'s data is NUL (the data holds every value's bytes)."""
    for chunk in text.chunks:
        data = chunk.buffers()[2]
        if data is not None and data.size and not np.frombuffer(data, dtype=np.uint8).all():
            return True
    return False


def _mismatches(pattern: str, text: pa.ChunkedArray, empty: np.ndarray) -> np.ndarray:
    """Return which cells are not empty and not matched in full by ``pattern`` (``re``).

    Printable-ASCII values are matched by Arrow (RE2) when it reads the pattern as Python does
    (:func:`layers._validate_text.re2_safe`); every other value by Python's ``re``.
    ``empty`` says which cells are empty.
    """
    if _validate_text.re2_safe(pattern):
        plain = _validate_text.bools(pc.ascii_is_printable(text))
        matched = _validate_text.bools(pc.match_substring_regex(text, f"^(?:{pattern})$"))
        bad = plain & ~empty & ~matched
        others = np.flatnonzero(~plain)
    else:
        bad = np.zeros(len(text), dtype=bool)
        others = np.arange(len(text))
    matches = re.compile(pattern).fullmatch
    for position, value in zip(others.tolist(), text.take(others).to_pylist(), strict=True):
        bad[position] = bool(value) and matches(value) is None
    return bad


def _by_distinct_value(
    spec: dict[str, Any], text: pa.ChunkedArray, today: date
) -> tuple[np.ndarray | None, Any]:
    """Run the cell rule once per distinct value; spread its verdict and typed value.

    An enum's typed values stay in Arrow.
    """
    encoded = text.combine_chunks().dictionary_encode()
    index = encoded.indices.to_numpy(zero_copy_only=False)
    faulty: list[bool] = []
    outcome: list[Any] = []
    for value in encoded.dictionary.to_pylist():
        found: list[tuple[str, str, str]] = []
        outcome.append(check_cell(spec, value, today=today, report=_collect(found)))
        faulty.append(bool(found))
    bad = np.asarray(faulty, dtype=bool)[index] if any(faulty) else None
    if spec.get("type") == "list":
        # each row gets its own list, so changing one site's list never changes another's
        return bad, [None if (i := outcome[k]) is None else list(i) for k in index.tolist()]
    if spec.get("type", "string") == "string":
        return bad, pa.chunked_array([pa.array(outcome, type=pa.string()).take(encoded.indices)])
    every = np.empty(len(outcome), dtype=object)
    every[:] = outcome
    return bad, every[index].tolist()


def _repeats(text: pa.ChunkedArray, rows: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Return which non-empty values repeat an earlier row's, and the row that had it first."""
    encoded = text.combine_chunks().dictionary_encode()
    count = len(text)
    if len(encoded.dictionary) == count:
        return np.zeros(count, dtype=bool), np.zeros(count, dtype=np.int64)
    index = encoded.indices.to_numpy(zero_copy_only=False)
    # the dictionary lists values in the order they first appear
    _, first = np.unique(index, return_index=True)
    earliest = first[index]
    filled = _validate_text.bools(pc.not_equal(text, ""))
    repeats = (earliest != np.arange(count)) & filled
    return repeats, np.asarray(rows, dtype=np.int64)[earliest]


def _check_numbers(spec: dict[str, Any], values: list[str]) -> tuple[np.ndarray, list[Any]]:
    """Return which number cells may have a problem, and each cell's number (None if empty)."""
    constraints = spec.get("constraints", {})
    count = len(values)
    bad = np.zeros(count, dtype=bool)
    empty = _empty(values)
    if empty is not None and constraints.get("required"):
        bad |= empty
    if "\x00" in "".join(values):
        bad |= np.fromiter(("\x00" in value for value in values), dtype=bool, count=count)
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


def _empty(values: list[str]) -> np.ndarray | None:
    """Return which values are empty, or None when none is."""
    if "" not in values:
        return None
    return np.fromiter((not value for value in values), dtype=bool, count=len(values))


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
