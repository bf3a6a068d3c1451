"""Reading CSV uploads: encodings, delimiters, quoted line breaks and rows that do not fit."""

from __future__ import annotations

import codecs
import csv
import io

from layers.uploads._problems import UploadProblem, UploadTable, file_problem, refusal, site_id
from layers.uploads._table import Collector, no_rows

_DELIMITERS: tuple[str, ...] = (",", ";", "\t")
_SNIFF_BYTES = 64 * 1024


def read_csv(label: str, data: bytes) -> UploadTable:
    """Read CSV (or tab-separated) bytes into a table, with the problems found on the way."""
    text, foreign_lines, problems = _decode(label, data)
    table = UploadTable(name=label, format="csv", header=[], problems=problems)
    delimiter = "\t" if label.lower().endswith(".tsv") else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    collector = Collector(table, delimiter=delimiter, strict=True)
    row = 0
    last_line = 0
    spans: dict[int, tuple[int, int]] = {}
    try:
        for values in reader:
            row += 1
            first_line, last_line = last_line + 1, reader.line_num
            spans[row] = (first_line, last_line)
            if not collector.add(row, values):
                return table
    except csv.Error as exc:
        table.problems.append(
            file_problem(
                label,
                f"could not be read as CSV at row {row + 1} ({exc}); open it in a spreadsheet "
                "and save it again as CSV (UTF-8)",
            )
        )
        return table
    if not collector.finish():
        return table
    if not table.header:
        return refusal(label, "holds no values; choose the file with the sites")
    if not table.records:
        table.problems.append(no_rows(label))
        return table
    _check_unclosed_quote(table, text, spans, delimiter)
    _note_foreign_lines(table, foreign_lines, spans)
    return table


def _decode(label: str, data: bytes) -> tuple[str, set[int], list[UploadProblem]]:
    """Decode CSV bytes; return the text, the lines read as Windows-1252, and notes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        problems = []
        if "\ufffd" in text:
            problems.append(
                file_problem(
                    label, "has bytes that are not valid UTF-16; they show as '\ufffd'", kept=True
                )
            )
        return text, set(), problems
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        return body.decode("utf-8"), set(), []
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    decoded: list[str] = []
    foreign: set[int] = set()
    utf8_non_ascii = 0
    for number, line in enumerate(lines, start=1):
        try:
            decoded.append(line.decode("utf-8"))
            utf8_non_ascii += not line.isascii()
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="replace"))
            foreign.add(number)
    text = "\n".join(decoded)
    if utf8_non_ascii:
        return text, foreign, []  # mixed: each row read as Windows-1252 is noted on its own
    note = file_problem(
        label,
        "is not UTF-8, so it was read as Windows-1252 (cp1252); if accented letters look "
        "wrong, save it as 'CSV UTF-8' and upload again",
        kept=True,
    )
    return text, set(), [note]


def _sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first rows into the same number (>= 2) of columns."""
    sample = text[:_SNIFF_BYTES]
    complete = len(text) <= _SNIFF_BYTES
    best, best_score = ",", (-1.0, 0)
    for rank, delimiter in enumerate(_DELIMITERS):
        try:
            rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)]
        except csv.Error:
            continue
        if not complete and len(rows) > 1:
            rows = rows[:-1]  # the sample may end inside a record
        counts = [len(r) for r in rows if any(v.strip() for v in r)][:50]
        if not counts:
            continue
        usual = max(set(counts), key=lambda c: (counts.count(c), c))
        if usual < 2:
            continue
        consistent = counts.count(usual) / len(counts)
        score = (consistent, -rank)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _check_unclosed_quote(
    table: UploadTable, text: str, spans: dict[int, tuple[int, int]], delimiter: str
) -> None:
    """Flag the last row when a quote it opens never closes (it then swallowed the rest)."""
    row = table.records[-1][0]
    first_line, last_line = spans[row]
    if last_line == first_line:
        return
    tail = "\n".join(text.split("\n")[first_line - 1 :])
    try:
        for _ in csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return
        table.problems.append(
            UploadProblem(
                row,
                site_id(row),
                "quote",
                '"',
                f"opens and never closes, so lines {first_line} to {last_line} were read as "
                "this one row; close the quote and upload these rows again",
            )
        )


def _note_foreign_lines(
    table: UploadTable, foreign: set[int], spans: dict[int, tuple[int, int]]
) -> None:
    if not foreign:
        return
    for row, _ in table.records:
        first, last = spans[row]
        if any(line in foreign for line in range(first, last + 1)):
            table.problems.append(
                UploadProblem(
                    row,
                    site_id(row),
                    "encoding",
                    "",
                    "is not UTF-8 while other rows are; the row was read as Windows-1252 "
                    "(cp1252): check its accented letters",
                    kept=True,
                )
            )
