"""Problems in an upload, the table a file is read into, and the CSV of rows to fix."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from layers._validate import Problem, _looks_numeric

#: The row number of problems about the whole file.
WHOLE_FILE: int = 0
#: Column holding the cells a row has beyond the header (kept for the problems CSV).
EXTRA_COLUMN: str = "(extra cells)"

_SHOWN_VALUE = 120


@dataclass(frozen=True)
class UploadProblem(Problem):
    """A :class:`~layers._validate.Problem` in an upload, saying whether its row was kept.

    ``kept`` is False for an error: the row is left out (:func:`problems_csv` gives it back).
    It is True for a note: this problem alone does not leave the row out; the row is shown
    with the default or correction the message describes, unless an error of the same row left
    it out. Row 0 (:data:`WHOLE_FILE`) is about the whole file; an error there means no row
    was read into sites.
    """

    kept: bool = False

    def __str__(self) -> str:
        return what(self) if self.row == WHOLE_FILE else f"row {self.row}: {what(self)}"


@dataclass
class UploadTable:
    """An uploaded file read into rows of text, before any checking.

    ``records`` holds (row number, {column: text}) for every non-blank row; ``problems`` the
    problems found while reading (a whole-file error means ``records`` may be incomplete).
    """

    name: str
    format: str
    header: list[str]
    records: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    problems: list[UploadProblem] = field(default_factory=list)


def problems_csv(
    rows: UploadTable | Iterable[tuple[int, Mapping[str, str]]],
    problems: Iterable[Problem],
    *,
    include_kept: bool = False,
) -> bytes:
    """Return the rows that were left out as CSV (UTF-8 with BOM), with a ``problem`` column.

    The user can fix them in a spreadsheet and upload them again: every column of the file is
    written as read, after a ``row`` column (the source row) and before the ``problem`` column
    (every problem of the row, errors first). When a whole-file error left everything out, every
    row is written with that message (or, when no row was read, one line saying why).

    Parameters
    ----------
    rows
        The table :func:`~layers.uploads.read_table` returned, or its (row, record) pairs.
    problems
        The problems :func:`~layers.uploads.read_user_sites` returned.
    include_kept
        Also write the rows that were kept with a note.
    """
    if isinstance(rows, UploadTable):
        header, records = list(rows.header), list(rows.records)
    else:
        records = [(row, dict(record)) for row, record in rows]
        header = list(dict.fromkeys(column for _, record in records for column in record))
    problems = list(problems)
    whole_file = [p for p in problems if p.row == WHOLE_FILE and not kept(p)]
    by_row: dict[int, list[Problem]] = {}
    for problem in problems:
        if problem.row != WHOLE_FILE:
            by_row.setdefault(problem.row, []).append(problem)
    if any(EXTRA_COLUMN in record for _, record in records) and EXTRA_COLUMN not in header:
        header.append(EXTRA_COLUMN)
    row_column = "upload_row" if "row" in header else "row"
    problem_column = "upload_problem" if "problem" in header else "problem"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([row_column, *header, problem_column])
    for row, record in records:
        own = sorted(by_row.get(row, []), key=kept)
        errors = [p for p in own if not kept(p)]
        if not (whole_file or errors or (include_kept and own)):
            continue
        text = "; ".join(what(p) for p in [*whole_file, *own])
        writer.writerow([row, *(record.get(column, "") for column in header), text])
    if whole_file and not records:
        writer.writerow([WHOLE_FILE, *([""] * len(header)), "; ".join(what(p) for p in whole_file)])
    return out.getvalue().encode("utf-8-sig")


def file_problem(label: str, message: str, *, kept: bool = False) -> UploadProblem:
    """Return a problem about the whole file (row 0, field "file", value its name)."""
    return UploadProblem(WHOLE_FILE, "", "file", label, message, kept)


def refusal(label: str, message: str) -> UploadTable:
    """Return an empty table refused as a whole, saying why."""
    return UploadTable(name=label, format="", header=[], problems=[file_problem(label, message)])


def site_id(row: int) -> str:
    """Return the ``site_id`` an uploaded row gets: ``upload-<row>``."""
    return f"upload-{row}"


def refused(problems: Iterable[Problem]) -> bool:
    """Return whether a whole-file error means no row is read."""
    return any(p.row == WHOLE_FILE and not kept(p) for p in problems)


def kept(problem: Problem) -> bool:
    """Return whether the problem leaves its row in (a note), not out (an error)."""
    return bool(getattr(problem, "kept", False))


def what(problem: Problem) -> str:
    """Return a problem without its row: "lat 'abc' is not a number; ..."."""
    value = problem.value
    if not value:
        return f"{problem.field} {problem.message}"
    shown_value = value if _looks_numeric(value) else repr(value)
    return f"{problem.field} {shown_value} {problem.message}"


def shown(value: str) -> str:
    """Cut a value for a message (the problems CSV keeps the whole row)."""
    return value if len(value) <= _SHOWN_VALUE else value[: _SHOWN_VALUE - 1] + "…"


def megabytes(size: int) -> str:
    """Return a size in bytes as whole megabytes for a message: "25 MB"."""
    return f"{size / 1024 / 1024:,.0f} MB"
