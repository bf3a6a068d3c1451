"""Validation of a CSV table against a Frictionless Table Schema, with every problem named.

It checks what the registry's schema uses (required, unique, enum, pattern, maxLength, minimum,
maximum; types string, number, date and ';'-separated lists) and collects every problem with its
row number, site id, field and value instead of stopping at the first.

The checks of one cell live here and are the only rules. There is one table validator,
:func:`layers._validate_columns.check_table`: it runs these rules column by column over a whole
table and comes back to :func:`check_record` only for the rows
that may fail, so every message is written by the code below. (``frictionless`` was measured
against it on the same 100,000 rows and is far slower: see ``benchmarks/README.md``.)
"""

from __future__ import annotations

import csv
import difflib
import gc
import io
import math
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@contextmanager
def paused_collection() -> Iterator[None]:
    """Pause Python's cycle collector while a large table is read and checked.

    Reading 100,000 rows makes millions of small objects that hold no cycles; the collector
    would walk all of them again and again (it doubles the time). Reference counting still
    frees everything; the collector resumes, as it was, on leaving.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


#: ``report(field, value, message)``: how a check hands over a problem it found.
Report = Callable[[str, str, str], None]


@dataclass(frozen=True)
class Problem:
    """One problem in one row: where it is, what the value was, and what is wrong."""

    row: int
    site_id: str
    field: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" ({self.site_id})" if self.site_id else "")
        shown = self.value if _looks_numeric(self.value) else repr(self.value)
        return f"{where}: {self.field} {shown} {self.message}".replace("  ", " ")


def _looks_numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@dataclass
class Table:
    """A CSV table as read: its header, and its non-blank rows as lists of the header's width.

    ``rows`` holds each row's number (the header is row 1, so they match the line a person
    sees in a spreadsheet; a quoted field spanning lines keeps its record's starting row),
    ``values`` the row's values (padded with '' or cut to the header's width) and ``extra``
    the values beyond the header, joined by commas, by position in ``rows``. A table read
    column by column (:mod:`layers._validate_arrow`) holds ``arrow`` instead of ``values``:
    each column as a pyarrow ``ChunkedArray`` of text, in the header's order, which
    :meth:`columns` turns into Python strings when asked.
    """

    header: list[str]
    rows: list[int] = field(default_factory=list)
    values: list[list[str]] = field(default_factory=list)
    extra: dict[int, str] = field(default_factory=dict)
    #: Positions of columns none of whose values has blanks to strip (known when read by column).
    trimmed: frozenset[int] = frozenset()
    #: Each column as pyarrow text, in the header's order (when read by column).
    arrow: list[Any] | None = field(default=None, repr=False)

    def trimmed_columns(self) -> set[str]:
        """Return the names whose column (as :meth:`columns` picks it) has no value to strip."""
        last = {name: position for position, name in enumerate(self.header)}
        return {name for name, position in last.items() if position in self.trimmed}

    def columns(self) -> dict[str, Sequence[str]]:
        """Return each named column's values (a repeated name: its last column, as a dict)."""
        by_position: Sequence[Sequence[str]] = []
        if self.arrow is not None:
            by_position = [c.to_pylist() for c in self.arrow] if self.rows else []
        elif self.values:
            by_position = list(zip(*self.values, strict=True))
        columns: dict[str, Sequence[str]] = {}
        for position, name in enumerate(self.header):
            columns[name] = by_position[position] if by_position else ()
        return columns

    def arrow_columns(self) -> dict[str, Any] | None:
        """Return each named column as pyarrow text (as :meth:`columns` picks it), if held so."""
        if self.arrow is None or not self.rows:
            return None
        return {name: self.arrow[position] for position, name in enumerate(self.header)}


def read_table(text: str) -> Table:
    """Parse CSV text into a :class:`Table`, leaving out rows with nothing but blanks."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records = list(reader)
    if not records:
        return Table(header=[])
    header = [h.strip() for h in records[0]]
    width = len(header)
    table = Table(header=header)
    for number, record in enumerate(records[1:], start=2):
        if not "".join(record).strip():
            continue
        values = record
        if len(record) != width:
            if len(record) > width:
                table.extra[len(table.rows)] = ",".join(record[width:])
            values = (record + [""] * (width - len(record)))[:width]
        table.rows.append(number)
        table.values.append(values)
    return table


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Parse CSV text into its header and (row number, record) pairs.

    Row numbers count the header as row 1 (see :class:`Table`); a row with more values than
    the header has its surplus under ``"__extra__"``.
    """
    table = read_table(text)
    records: list[tuple[int, dict[str, str]]] = []
    for position, (row, values) in enumerate(zip(table.rows, table.values, strict=True)):
        record = dict(zip(table.header, values, strict=True))
        if position in table.extra:
            record["__extra__"] = table.extra[position]
        records.append((row, record))
    return table.header, records


def header_problems(header: list[str], schema: dict[str, Any]) -> tuple[list[Problem], bool]:
    """Return the header's problems, and whether the rows can be checked at all."""
    fields = schema["fields"]
    names = [f["name"] for f in fields]
    missing = [
        f["name"]
        for f in fields
        if f.get("constraints", {}).get("required") and f["name"] not in header
    ]
    if missing:
        message = f"lacks column(s) {', '.join(missing)}; expected {','.join(names)}"
        return [Problem(1, "", "header", ",".join(header), message)], False
    unknown = [h for h in header if h not in names]
    if unknown:
        message = f"has unknown column(s); expected only {','.join(names)}"
        return [Problem(1, "", "header", ",".join(unknown), message)], True
    return [], True


def check_record(
    row: int,
    record: dict[str, str],
    schema: dict[str, Any],
    *,
    today: date,
    first_rows: dict[str, int],
    extra: str | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check one record; return its typed values and its problems.

    ``first_rows`` gives, for each unique field whose value this row repeats, the row that
    had it first; ``extra`` the values beyond the header's columns, if any.
    """
    fields = schema["fields"]
    key = schema.get("primaryKey", fields[0]["name"])
    row_id = (record.get(key) or "").strip()
    problems: list[Problem] = []

    def report(name: str, value: str, message: str) -> None:
        problems.append(Problem(row, row_id, name, value, message))

    if extra is not None:
        report("row", extra, "has more values than the header has columns")
    typed: dict[str, Any] = {}
    for spec in fields:
        name = spec["name"]
        raw = (record.get(name) or "").strip()
        typed[name] = check_cell(spec, raw, today=today, report=report)
        if name in first_rows and raw:
            report(name, raw, f"repeats the {name} of row {first_rows[name]}; ids must be unique")
    return typed, problems


def check_cell(spec: dict[str, Any], raw: str, *, today: date, report: Report) -> Any:
    """Check one stripped cell against its field; return its typed value (None when bad)."""
    name = spec["name"]
    constraints = spec.get("constraints", {})
    if "\x00" in raw:
        report(name, raw.replace("\x00", "\\0"), "contains a NUL byte")
        return None
    if not raw:
        if constraints.get("required"):
            report(name, raw, "is empty; it is required")
        return None
    kind = spec.get("type", "string")
    if kind == "number":
        return _check_number(name, raw, constraints, report)
    if kind == "date":
        return _check_date(name, raw, today, report)
    if kind == "list":
        return _check_list(name, raw, spec.get("delimiter", ";"), constraints, report)
    _check_string(name, raw, constraints, report)
    return raw


def _check_list(
    name: str, raw: str, delimiter: str, constraints: dict[str, Any], report: Report
) -> list[str]:
    items = [item.strip() for item in raw.split(delimiter)]
    items = [item for item in items if item]
    if not items:
        report(name, raw, "lists nothing; it is required")
    for item in items:
        _check_string(name, item, constraints, report)
    repeated = sorted({i for i in items if items.count(i) > 1})
    if repeated:
        report(name, raw, f"lists {', '.join(repeated)} more than once")
    return items


def _check_number(name: str, raw: str, constraints: dict[str, Any], report: Report) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        report(name, raw, "is not a number")
        return None
    if not math.isfinite(value):
        report(name, raw, "is not a finite number")
        return None
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        report(name, raw, f"is outside {low}..{high}")
        return None
    return value


def _check_date(name: str, raw: str, today: date, report: Report) -> date | None:
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        report(name, raw, "is not an ISO date (YYYY-MM-DD)")
        return None
    if len(raw) != 10:
        report(name, raw, "is not an ISO date (YYYY-MM-DD)")
        return None
    if value > today:
        report(name, raw, f"is in the future (today is {today.isoformat()})")
        return None
    return value


def _check_string(name: str, raw: str, constraints: dict[str, Any], report: Report) -> None:
    enum = constraints.get("enum")
    if enum is not None and raw not in enum:
        close = difflib.get_close_matches(raw.lower(), enum, n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]!r}?" if close else f"; choose from {', '.join(enum)}"
        report(name, raw, f"is not a known value{hint}")
    pattern = constraints.get("pattern")
    if pattern is not None and not re.fullmatch(pattern, raw):
        report(name, raw, f"does not match the expected form {pattern}")
    longest = constraints.get("maxLength")
    if longest is not None and len(raw) > longest:
        report(name, raw[:40] + "…", f"is {len(raw)} characters long; the limit is {longest}")
