"""Reading a registry CSV with pyarrow's reader, for the files it reads as :func:`read_table` does.

Every value is read as text, so the validator checks each cell exactly as before. pyarrow is
used only when the file cannot be read differently: any file with a byte-order mark is read
without it (as ``utf-8-sig`` does); a file with a line that is not one record (a quoted field
spanning lines, a blank line, a lone carriage return), a row of another width than the header,
text that is not UTF-8, or a field over Python's csv field limit goes to the exact reader
(:func:`layers._validate.read_table`), which reports it as before.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from layers._validate import Table, read_table

_BOM = b"\xef\xbb\xbf"


def read_registry_table(path: str | Path) -> Table:
    """Return the registry file at ``path`` as a :class:`~layers._validate.Table`.

    pyarrow reads the file when :func:`read_table_fast` can; otherwise the exact reader does.
    """
    data = Path(path).read_bytes()
    fast = read_table_fast(data)
    if fast is not None:
        return fast
    return read_table(data.decode("utf-8-sig"))


def read_table_fast(data: bytes) -> Table | None:
    """Read CSV bytes column by column with pyarrow; None when it might read them differently.

    The table is the one :func:`~layers._validate.read_table` returns for the same file (same
    header, row numbers, values and blank rows left out), held by column.
    """
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    end = data.find(b"\n")
    first_line = data if end < 0 else data[:end]
    # a lone carriage return ends a record for Python's csv; only CRLF line ends are read here
    if not first_line.strip() or (b"\r" in data and data.count(b"\r") != data.count(b"\r\n")):
        return None
    try:
        header = next(csv.reader([first_line.decode("utf-8").rstrip("\r")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        parsed = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=True),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if parsed.num_rows != lines or parsed.num_rows < 1:
        return None  # a line that is not one record: the exact reader numbers rows then
    if not _same_start(parsed, names, header):
        return None
    body = parsed.slice(1)
    keep = _not_blank([body.column(name) for name in names])
    if not keep.all():
        body = body.filter(pa.array(keep))
    rows = (keep.nonzero()[0] + 2).tolist()
    columns = [body.column(name) for name in names]
    trimmed = frozenset(i for i, column in enumerate(columns) if _trimmed(column))
    return Table(header=[h.strip() for h in header], rows=rows, arrow=columns, trimmed=trimmed)


def _trimmed(column: pa.ChunkedArray) -> bool:
    """Say whether no value of ``column`` has a character ``str.strip`` removes at either end."""
    unchanged = pc.equal(column, pc.utf8_trim(column, characters=WHITESPACE))
    return bool(pc.all(unchanged).as_py() in (True, None))


def _same_start(parsed: pa.Table, names: list[str], header: list[str]) -> bool:
    """Say whether pyarrow read the header as Python did and no field is over csv's limit."""
    columns = [parsed.column(name) for name in names]
    limit = csv.field_size_limit()
    if any((pc.max(pc.binary_length(c)).as_py() or 0) > limit for c in columns):
        return False
    return [c[0].as_py() for c in columns] == header


def _not_blank(columns: list[pa.ChunkedArray]) -> np.ndarray:
    """Return which rows hold a character Python's ``str.strip`` keeps."""
    keep = np.zeros(len(columns[0]) if columns else 0, dtype=bool)
    for column in columns:
        found = pc.match_substring_regex(column, _HAS_TEXT)
        keep |= found.to_numpy(zero_copy_only=False).astype(bool)
        if keep.all():
            break
    return keep


#: Every character Python's ``str.strip`` removes (``str.isspace``; a test holds them equal).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
#: A character that is not whitespace, for pyarrow's (RE2) regular expressions.
_HAS_TEXT = "[^" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
