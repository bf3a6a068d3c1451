"""Building an :class:`UploadTable` from a file's rows: the header, the records, the limits."""

from __future__ import annotations

import re
from collections.abc import Sequence

from layers.uploads import limits
from layers.uploads._problems import (
    EXTRA_COLUMN,
    WHOLE_FILE,
    UploadProblem,
    UploadTable,
    file_problem,
    shown,
    site_id,
)

#: Control characters (C0 and C1, but not tab, newline and carriage return).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

_HEADER_SEARCH_ROWS = 20


class Collector:
    """Take a file's rows in order: find the header, then collect the records.

    The header is the first row with two or more values, so a title row above the table (as
    council spreadsheets often have) is skipped with a note; a one-column file still works.
    """

    def __init__(self, table: UploadTable, *, delimiter: str, strict: bool) -> None:
        self.table = table
        self.delimiter = delimiter
        self.strict = strict
        self.pending: list[tuple[int, Sequence[str]]] = []

    def add(self, row: int, values: Sequence[str]) -> bool:
        """Take one row; False when the file is refused (the table says why)."""
        if not any(v.strip() for v in values):
            return True
        if self.table.header:
            return self.record(row, values)
        self.pending.append((row, values))
        if sum(1 for v in values if v.strip()) >= 2:
            above, self.pending = self.pending[:-1], []
            if above:
                titles = " / ".join(" ".join(v.strip() for v in vs if v.strip()) for _, vs in above)
                self.table.problems.append(
                    file_problem(
                        self.table.name,
                        f"has {len(above)} row(s) above its header (row {row}), read as a title "
                        f"and skipped: {shown(titles)!r}",
                        kept=True,
                    )
                )
            return take_header(self.table, values)
        if len(self.pending) > _HEADER_SEARCH_ROWS:
            return self.finish()
        return True

    def finish(self) -> bool:
        """Settle a one-column file's header; False when the file is refused."""
        if self.table.header or not self.pending:
            return True
        (_, first), rest = self.pending[0], self.pending[1:]
        self.pending = []
        if not take_header(self.table, first):
            return False
        return all(self.record(row, values) for row, values in rest)

    def record(self, row: int, values: Sequence[str]) -> bool:
        """Add one record below the header; False when the row limit is passed."""
        if len(self.table.records) >= limits.MAX_ROWS:
            too_many_rows(self.table)
            return False
        add_record(self.table, row, values, delimiter=self.delimiter, strict=self.strict)
        return True


def take_header(table: UploadTable, values: Sequence[object]) -> bool:
    """Set the table's header from ``values``; False when the file must be refused."""
    raw = [("" if v is None else str(v)) for v in values]
    while raw and not raw[-1].strip():
        raw.pop()  # a spreadsheet's empty trailing cells are not columns
    cells = [header_text(v) for v in raw]
    if len(cells) > limits.MAX_COLUMNS:
        table.problems.append(
            UploadProblem(
                WHOLE_FILE,
                "",
                "header",
                f"{len(cells)} columns",
                f"has {len(cells)} columns; the limit is {limits.MAX_COLUMNS}: keep only the "
                "columns about the sites (name, coordinates, kind, capabilities...) and upload "
                "again",
            )
        )
        return False
    header: list[str] = []
    repeated: list[str] = []
    for position, cell in enumerate(cells, start=1):
        base = cell or f"column {position}"
        unique, count = base, 1
        while unique in header:
            count += 1
            unique = f"{base} ({count})"
        if unique != base:
            repeated.append(base)
        header.append(unique)
    table.header = header
    if repeated:
        table.problems.append(
            UploadProblem(
                WHOLE_FILE,
                "",
                "header",
                ", ".join(dict.fromkeys(repeated)),
                "names a column more than once; the repeats are read as '<name> (2)' and so on",
                kept=True,
            )
        )
    return True


def header_text(value: object) -> str:
    """Return a header cell as a column name: no BOM, no control characters, single spaces."""
    text = "" if value is None else str(value)
    return single_spaced(text.replace("\ufeff", ""))


def single_spaced(text: str) -> str:
    """Return ``text`` with control characters as spaces and runs of spaces as one, trimmed."""
    return " ".join(CONTROL.sub(" ", text).split())


def add_record(
    table: UploadTable, row: int, values: Sequence[str], *, delimiter: str, strict: bool = True
) -> None:
    """Add a row's values under the header; cells beyond it are kept and reported."""
    width = len(table.header)
    record = dict(zip(table.header, values, strict=False))
    for column in table.header[len(values) :]:
        record[column] = ""
    extra = list(values[width:])
    if any(v.strip() for v in extra):
        record[EXTRA_COLUMN] = delimiter.join(extra)
        if strict:
            named = {",": "','", ";": "';'", "\t": "tab"}.get(delimiter, repr(delimiter))
            table.problems.append(
                UploadProblem(
                    row,
                    site_id(row),
                    "extra cells",
                    shown(delimiter.join(extra)),
                    f"do not fit: the row has {len(values)} cells but the header has {width} "
                    "columns, so its values may sit under the wrong columns; put quotes around "
                    f"any value that holds the delimiter ({named}) and upload the row again",
                )
            )
        else:
            table.problems.append(
                UploadProblem(
                    row,
                    site_id(row),
                    "extra cells",
                    shown(delimiter.join(extra)),
                    "sit in columns with no header; they were not used",
                    kept=True,
                )
            )
    table.records.append((row, record))


def too_many_rows(table: UploadTable) -> UploadTable:
    """Refuse a table over the row limit (its records are dropped, the file is given back)."""
    table.problems.append(
        file_problem(
            table.name,
            f"has more than {limits.MAX_ROWS:,} rows of sites, the upload limit; split it into "
            f"files of at most {limits.MAX_ROWS:,} rows, or keep only the sites to show",
        )
    )
    table.records = []
    return table


def no_rows(label: str) -> UploadProblem:
    """Return the problem of a file with a header and no rows."""
    return file_problem(
        label, "has a header but no rows of sites; add one row per site below the header"
    )
