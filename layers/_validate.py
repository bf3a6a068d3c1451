"""Row-by-row validation of a CSV table against a Frictionless Table Schema.

It checks what the registry's schema uses (required, unique, enum, pattern, maxLength, minimum,
maximum; types string, number, date and ';'-separated lists) and collects every problem with its
row number, site id, field and value instead of stopping at the first.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from dataclasses import dataclass
from datetime import date
from typing import Any


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


def read_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Parse CSV text into its header and (row number, record) pairs.

    Row numbers count the header as row 1, so they match the line a person sees in a
    spreadsheet; a quoted field spanning lines keeps its record's starting row.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    records: list[tuple[int, dict[str, str]]] = []
    row_number = 0
    for values in reader:
        row_number += 1
        if row_number == 1:
            header = [h.strip() for h in values]
            continue
        if not any(v.strip() for v in values):
            continue
        padded = values + [""] * (len(header) - len(values))
        record = dict(zip(header, padded, strict=False))
        if len(values) > len(header):
            record["__extra__"] = ",".join(values[len(header) :])
        records.append((row_number, record))
    return header, records


def validate_table(
    header: list[str],
    records: list[tuple[int, dict[str, str]]],
    schema: dict[str, Any],
    *,
    today: date | None = None,
) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """Check every record against ``schema``; return the typed good records and all problems.

    A record with any problem is left out of the good records but is never lost: each of its
    problems is in the returned list.
    """
    today = today or date.today()
    fields = schema["fields"]
    key = schema.get("primaryKey", fields[0]["name"])
    problems: list[Problem] = []
    names = [f["name"] for f in fields]
    missing = [
        f["name"]
        for f in fields
        if f.get("constraints", {}).get("required") and f["name"] not in header
    ]
    if missing:
        problems.append(
            Problem(
                1,
                "",
                "header",
                ",".join(header),
                f"lacks column(s) {', '.join(missing)}; expected {','.join(names)}",
            )
        )
        return [], problems
    unknown = [h for h in header if h not in names]
    if unknown:
        problems.append(
            Problem(
                1,
                "",
                "header",
                ",".join(unknown),
                f"has unknown column(s); expected only {','.join(names)}",
            )
        )
    seen: dict[str, dict[str, int]] = {
        f["name"]: {} for f in fields if f.get("constraints", {}).get("unique")
    }
    good: list[tuple[int, dict[str, Any]]] = []
    for row, record in records:
        row_id = (record.get(key) or "").strip()
        row_problems: list[Problem] = []

        def report(
            field: str,
            value: str,
            message: str,
            *,
            _row: int = row,
            _id: str = row_id,
            _into: list[Problem] = row_problems,
        ) -> None:
            _into.append(Problem(_row, _id, field, value, message))

        if "__extra__" in record:
            report("row", record["__extra__"], "has more values than the header has columns")
        typed: dict[str, Any] = {}
        for spec in fields:
            name = spec["name"]
            raw = (record.get(name) or "").strip()
            typed[name] = _check_field(spec, raw, today=today, report=report)
            if name in seen and raw:
                first = seen[name].setdefault(raw, row)
                if first != row:
                    report(name, raw, f"repeats the {name} of row {first}; ids must be unique")
        problems.extend(row_problems)
        if not row_problems:
            good.append((row, typed))
    return good, problems


def _check_field(spec: dict[str, Any], raw: str, *, today: date, report: Any) -> Any:
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
        items = [item.strip() for item in raw.split(spec.get("delimiter", ";"))]
        items = [item for item in items if item]
        if not items:
            report(name, raw, "lists nothing; it is required")
        for item in items:
            _check_string(name, item, constraints, report)
        repeated = sorted({i for i in items if items.count(i) > 1})
        if repeated:
            report(name, raw, f"lists {', '.join(repeated)} more than once")
        return items
    _check_string(name, raw, constraints, report)
    return raw


def _check_number(name: str, raw: str, constraints: dict[str, Any], report: Any) -> float | None:
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


def _check_date(name: str, raw: str, today: date, report: Any) -> date | None:
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


def _check_string(name: str, raw: str, constraints: dict[str, Any], report: Any) -> None:
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
