"""The Free Company Data Product file as Companies House publishes it, and its streaming reader.

The reading half of :mod:`layers.companies`. ``BasicCompanyDataAsOneFile`` is one CSV (inside
a ZIP) of every live company, with the published column names and their quirks (a leading
space in `` CompanyNumber``, dotted names such as ``RegAddress.PostCode``); each SIC cell reads
"25400 - Manufacture of weapons and ammunition". The CSV is streamed out of the ZIP in blocks:
only the lines naming a code of the definition reach pyarrow's incremental CSV reader (every
kept column typed as text), each block is filtered to active companies with a code of the
definition in a SIC column, and the file is never held whole.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from layers import registers
from layers.registers import RegisterSourceError

DOWNLOAD_PAGE = "https://download.companieshouse.gov.uk/en_output.html"
ACTIVE = "Active"

#: The published columns this layer reads, by the name as printed (leading space included).
NUMBER = " CompanyNumber"
NAME = "CompanyName"
POSTCODE = "RegAddress.PostCode"
STATUS = "CompanyStatus"
INCORPORATED = "IncorporationDate"
ACCOUNTS = "Accounts.AccountCategory"
SIC_COLUMNS: tuple[str, ...] = tuple(f"SICCode.SicText_{n}" for n in range(1, 5))
REQUIRED: tuple[str, ...] = (NAME, NUMBER, POSTCODE, STATUS, INCORPORATED, ACCOUNTS, *SIC_COLUMNS)
#: The whole header line of BasicCompanyDataAsOneFile as published (55 columns, leading spaces
#: kept), for writers of files in that layout: the test fixtures and the benchmark.
PUBLISHED_HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1,"
    " RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,"
    "LimitedPartnerships.NumLimPartners,URI,"
    + ",".join(f"PreviousName_{n}.CONDATE, PreviousName_{n}.CompanyName" for n in range(1, 11))
    + ",ConfStmtNextDueDate, ConfStmtLastMadeUpDate"
)

_BLOCK_BYTES = 8 << 20


@dataclass
class _Tally:
    rows: int = 0
    candidates: int = 0
    meeting_definition: int = 0
    batches: list[pa.Table] = field(default_factory=list)


def _header(stream: IO[bytes], source: str) -> list[str]:
    first = stream.readline(1 << 16)
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegisterSourceError(f"{source}: the header line is not UTF-8 text ({exc})") from exc
    return next(csv.reader([text]), [])


def check_header(names: list[str], source: str) -> dict[str, str]:
    """Map each required published column to its name in ``names``; name every missing one.

    Spaces around a name are not significant (the file pads some), the rest of it is.

    Raises
    ------
    RegisterSourceError
        Naming each missing column as published.
    """
    by_bare = {name.strip(): name for name in names}
    missing = [column for column in REQUIRED if column.strip() not in by_bare]
    if missing:
        raise RegisterSourceError(
            f"{source}: the header has no column {', '.join(repr(m) for m in missing)}; this is "
            "not the Free Company Data Product layout the reader knows (see "
            f"{DOWNLOAD_PAGE}). Nothing was written."
        )
    return {column: by_bare[column.strip()] for column in REQUIRED}


def _open_source(path: Path, max_unzipped_bytes: int) -> tuple[Any, IO[bytes]]:
    if path.suffix.lower() == ".zip":
        archive, stream, _ = registers.open_zip_member(path, max_unzipped_bytes=max_unzipped_bytes)
        return archive, stream
    return None, open(path, "rb")


class _CandidateLines(io.RawIOBase):
    """The header line, then only the lines where a wanted SIC code opens a cell.

    Every row is still counted, but the CSV parser sees about one line in a hundred: a line
    is kept when ``"25400 - `` (or ``,25400 - ``) appears in it for a code of the definition.
    A code's text inside another cell (a company name) only adds a line that the exact
    column test then drops, so no matching row is lost. The lines of each block are viewed
    as one Arrow binary array (no copy) and matched with Arrow's regular expressions.
    """

    def __init__(self, inner: IO[bytes], codes: list[str], tally: _Tally) -> None:
        self._inner = inner
        self._pattern = '[,"](?:' + "|".join(re.escape(code) for code in codes) + ") - "
        self._tally = tally
        self._pending = b""
        self._out = b""
        self._header_done = False
        self._eof = False

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        while not self._out and not self._eof:
            data = self._inner.read(_BLOCK_BYTES)
            if not data:
                self._eof = True
                chunk, self._pending = self._pending, b""
                if chunk and not chunk.endswith(b"\n"):
                    chunk += b"\n"
            else:
                data = self._pending + data
                cut = data.rfind(b"\n") + 1
                chunk, self._pending = data[:cut], data[cut:]
            if not chunk:
                continue
            if not self._header_done:
                chunk = chunk.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark
                end = chunk.find(b"\n") + 1
                self._out = chunk[:end]
                chunk = chunk[end:]
                self._header_done = True
            self._out += self._candidates(chunk)

    def _candidates(self, chunk: bytes) -> bytes:
        if not chunk:
            return b""
        ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10) + 1
        self._tally.rows += len(ends)
        offsets = np.concatenate([[0], ends]).astype(np.int64)
        lines = pa.LargeBinaryArray.from_buffers(
            pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(chunk)]
        )
        kept = lines.filter(pc.match_substring_regex(lines, self._pattern))
        self._tally.candidates += len(kept)
        # bytes that are not UTF-8 become U+FFFD here, so one odd name cannot stop the read
        return b"".join(kept.to_pylist()).decode("utf-8", "replace").encode("utf-8")

    def readinto(self, buffer: Any) -> int:
        self._fill()
        size = min(len(buffer), len(self._out))
        buffer[:size] = self._out[:size]
        self._out = self._out[size:]
        return size


def _batches(
    path: Path,
    *,
    codes: list[str],
    tally: _Tally,
    max_unzipped_bytes: int,
    block_bytes: int = _BLOCK_BYTES,
) -> Iterator[pa.RecordBatch]:
    archive, stream = _open_source(path, max_unzipped_bytes)
    try:
        names = check_header(_header(stream, str(path)), str(path))
    except BaseException:
        stream.close()
        if archive is not None:
            archive.close()
        raise
    stream.close()
    archive, stream = _open_source(path, max_unzipped_bytes)
    wanted = list(names.values())
    candidates = io.BufferedReader(_CandidateLines(stream, codes, tally), buffer_size=1 << 20)
    reader = pacsv.open_csv(
        candidates,
        read_options=pacsv.ReadOptions(block_size=block_bytes, use_threads=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=wanted,
            column_types=dict.fromkeys(wanted, pa.string()),
            strings_can_be_null=False,
        ),
    )
    rename = {actual: published for published, actual in names.items()}
    try:
        for batch in reader:
            yield batch.rename_columns([rename[n] for n in batch.schema.names])
    finally:
        stream.close()
        if archive is not None:
            archive.close()


def _select(batch: pa.RecordBatch, codes: pa.Array, tally: _Tally) -> None:
    active = pc.equal(batch.column(STATUS), ACTIVE)
    meets = None
    for column in SIC_COLUMNS:
        code = pc.utf8_slice_codeunits(batch.column(column), 0, 5)
        hit = pc.is_in(code, value_set=codes)
        meets = hit if meets is None else pc.or_(meets, hit)
    keep = pc.and_(active, meets)
    kept = batch.filter(keep)
    tally.meeting_definition += kept.num_rows
    if kept.num_rows:
        tally.batches.append(pa.Table.from_batches([kept]))


def read_candidates(
    source: str | Path,
    *,
    definition: dict[str, registers.SicLine],
    max_unzipped_bytes: int = registers.MAX_UNZIPPED_BYTES,
    block_bytes: int = _BLOCK_BYTES,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Stream the file and return the active companies with a SIC code in the definition.

    Returns
    -------
    tuple
        The matching rows (published column names, all text) and the counts ``rows``,
        ``lines_naming_a_code`` (lines the parser read) and ``meeting_definition`` (active,
        with a code of the definition in a SIC column).

    Raises
    ------
    RegisterSourceError
        A changed header, a truncated or corrupt ZIP, a ZIP bomb, or a malformed CSV.
    """
    path = Path(source)
    if not path.is_file():
        raise RegisterSourceError(
            f"{path} does not exist; give the downloaded BasicCompanyDataAsOneFile ZIP with "
            "--source, or use --download"
        )
    codes = pa.array(sorted(definition), type=pa.string())
    tally = _Tally()
    try:
        for batch in _batches(
            path,
            codes=sorted(definition),
            tally=tally,
            max_unzipped_bytes=max_unzipped_bytes,
            block_bytes=block_bytes,
        ):
            _select(batch, codes, tally)
    except RegisterSourceError:
        raise
    except (pa.ArrowInvalid, EOFError, OSError, zlib.error, zipfile.BadZipFile) as exc:
        raise RegisterSourceError(
            f"{path} could not be read to the end after {tally.rows:,} rows ({exc}); the file "
            "is truncated or corrupt: download it again. Nothing was written."
        ) from exc
    table = (
        pa.concat_tables(tally.batches)
        if tally.batches
        else pa.table({c: pa.array([], pa.string()) for c in REQUIRED})
    )
    counts = {
        "rows": tally.rows,
        "lines_naming_a_code": tally.candidates,
        "meeting_definition": tally.meeting_definition,
    }
    return table.to_pandas(), counts
