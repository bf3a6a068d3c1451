"""Sites a user brings: read a CSV, Excel or GeoJSON list and place it beside the registry.

Files from the real world are messy, so the reader never stops at the first problem and never
drops a row in silence. Every problem is an :class:`UploadProblem` naming its row, field
(the column as the user's file names it) and value, and saying whether the row was kept.

What is read
    CSV (UTF-8 with or without a byte-order mark, UTF-16 with one, Windows-1252 when a line is
    not UTF-8; delimiter ``,``, ``;`` or tab, sniffed; quoted fields may hold line breaks), Excel
    ``.xlsx`` (the first sheet; its first non-empty row is the header) and GeoJSON (Point
    features; a ``crs`` naming EPSG:27700 means the coordinates are eastings and northings).
    Row numbers are what a person sees: the spreadsheet row (the CSV header is row 1 and a cell
    spanning lines is one row), or the feature's position (1 = first) in GeoJSON.

Columns
    Mapped by name with common aliases (:data:`ALIASES`; case, spaces and punctuation ignored):
    ``latitude``/``lat``, ``longitude``/``lon``/``lng``, ``Easting``/``Northing``, ``site name``,
    ``organisation``/``organization``/``company``, ``type``, ``city`` and so on.
    :func:`suggest_column_map` gives the mapping, :func:`ambiguous_columns` the fields that more
    than one column could fill, and ``column_map`` lets the user choose. A row with both lat/lon
    and eastings/northings is placed by lat/lon. A ``Postcode`` column is recognised but not
    used: postcode lookup is not supported yet.

When a row is left out (``kept=False``)
    Only when it cannot be shown truthfully: it has no usable coordinates (missing, not a
    number, out of range, or a postcode only), lies outside the UK, has no name (nor an
    organisation to name it by), or holds more cells than the header has columns (a field with
    an unquoted delimiter shifts every column after it). :func:`problems_csv` gives these rows
    back, with a ``problem`` column, so nothing is lost.

When a row is kept with a note (``kept=True``)
    Everything else gets a documented default and a note: a missing or unknown kind becomes
    ``supplier`` (the plain circle marker); unknown capabilities are left out, with the nearest
    known slug suggested; a missing precision is ``site`` (the file's coordinates are taken as
    the site's own); a source that is not an http(s) address is blank (never a link); text over
    the registry's length limits is cut; NUL and control characters are removed; lat and lon
    that are swapped (the UK's latitudes and longitudes never overlap) are swapped back; a site
    outside the Midlands is shown without a Midlands authority; a site with the same name as a
    registry site within 250 m (measured in EPSG:27700) is flagged, never merged.

Whole-file problems
    Problems about the file itself have row 0: empty, unreadable, over a limit
    (:data:`MAX_FILE_BYTES`, :data:`MAX_ROWS`, :data:`MAX_COLUMNS`), no coordinate columns.
    When one of them is an error, no row is read into sites.

Each uploaded site gets ``site_id`` ``upload-<row>``, the registry's columns (``location_source``
and, unless given, ``last_checked`` blank) and the same area columns
(:func:`layers.placement.assign_areas`).

Command line::

    python -m layers.uploads FILE [--problems OUT.csv] [--map FIELD=COLUMN ...]
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import json
import logging
import math
import re
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import IO, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import settings
from layers import vocabulary
from layers._validate import Problem, _check_date, _check_string, _looks_numeric
from layers.placement import AREA_COLUMNS, REGISTRY_COLUMNS, assign_areas

logger = logging.getLogger(__name__)

#: Upload limits: larger files are refused as a whole, with a message saying what to do.
MAX_FILE_BYTES: int = 25 * 1024 * 1024
MAX_ROWS: int = 200_000
MAX_COLUMNS: int = 200
#: An .xlsx is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES: int = 400 * 1024 * 1024
#: A site with a registry site's name closer than this (metres, EPSG:27700) is flagged.
DUPLICATE_DISTANCE_M: float = 250.0
#: How far outside the UK's (generalised) coast a point may lie and still count as in the UK.
UK_TOLERANCE_M: float = 5000.0
#: The UK's bounding box (lon/lat), used only when the UK outline is not built.
UK_BOUNDS: tuple[float, float, float, float] = (-8.75, 49.8, 1.8, 60.9)
#: British National Grid extent (metres).
BNG_BOUNDS: tuple[float, float, float, float] = (0.0, 0.0, 700_000.0, 1_300_000.0)
#: Defaults for fields a row leaves empty (each use is noted).
DEFAULT_KIND: str = "supplier"
DEFAULT_PRECISION: str = "site"
#: The row number of problems about the whole file.
WHOLE_FILE: int = 0
#: Column holding the cells a row has beyond the header (kept for the problems CSV).
EXTRA_COLUMN: str = "(extra cells)"

#: Fields an upload can fill, with the label the mapping step shows.
UPLOAD_FIELDS: dict[str, str] = {
    "name": "Site name",
    "organisation": "Organisation",
    "kind": "Kind of site",
    "capabilities": "Capabilities",
    "lat": "Latitude (WGS84)",
    "lon": "Longitude (WGS84)",
    "easting": "Easting (British National Grid)",
    "northing": "Northing (British National Grid)",
    "town": "Town",
    "description": "Description",
    "source_url": "Source (http or https address)",
    "location_precision": "Location precision",
    "last_checked": "Last checked (YYYY-MM-DD)",
    "postcode": "Postcode (not supported yet)",
}

#: Column names a GeoJSON file's point coordinates are given under.
GEOMETRY_COLUMNS: dict[str, str] = {
    "lon": "geometry longitude",
    "lat": "geometry latitude",
    "easting": "geometry easting",
    "northing": "geometry northing",
}

#: Recognised column names per field, best first (compared after :func:`_normalise_name`).
ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "site name", "site", "location name", "facility", "facility name"),
    "organisation": (
        "organisation",
        "organization",
        "company",
        "company name",
        "organisation name",
        "organization name",
        "org",
        "business",
        "business name",
        "operator",
        "owner",
        "member",
        "member name",
        "supplier",
        "supplier name",
    ),
    "kind": ("kind", "kind of site", "site kind", "type", "site type", "category"),
    "capabilities": (
        "capabilities",
        "capability",
        "capability slugs",
        "capability areas",
        "capability area",
    ),
    "lat": (GEOMETRY_COLUMNS["lat"], "lat", "latitude", "latitude wgs84", "lat wgs84", "wgs84 lat"),
    "lon": (
        GEOMETRY_COLUMNS["lon"],
        "lon",
        "longitude",
        "lng",
        "long",
        "longitude wgs84",
        "lon wgs84",
        "wgs84 lon",
    ),
    "easting": (
        GEOMETRY_COLUMNS["easting"],
        "easting",
        "eastings",
        "bng e",
        "bng easting",
        "os easting",
        "grid easting",
        "x easting",
    ),
    "northing": (
        GEOMETRY_COLUMNS["northing"],
        "northing",
        "northings",
        "bng n",
        "bng northing",
        "os northing",
        "grid northing",
        "y northing",
    ),
    "town": ("town", "city", "town city", "town or city", "locality", "place", "post town"),
    "description": ("description", "notes", "summary", "details", "about", "comments"),
    "source_url": (
        "source url",
        "source",
        "url",
        "website",
        "web site",
        "website url",
        "web",
        "link",
        "web address",
        "homepage",
    ),
    "location_precision": ("location precision", "precision", "location accuracy", "accuracy"),
    "last_checked": ("last checked", "checked", "date checked", "last updated", "checked on"),
    "postcode": ("postcode", "post code", "postal code", "zip", "zip code"),
}

_TEXT_LIMITS: dict[str, int] = {
    spec["name"]: int(spec["constraints"]["maxLength"])
    for spec in vocabulary.schema()["fields"]
    if "maxLength" in spec.get("constraints", {})
}
_HTTP_URL = re.compile(r"^https?://[^\s]+$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DELIMITERS: tuple[str, ...] = (",", ";", "\t")
_SNIFF_BYTES = 64 * 1024
_HEADER_SEARCH_ROWS = 20
_SHOWN_VALUE = 120
_UNSUPPORTED = (
    ".xls",
    ".ods",
    ".numbers",
    ".shp",
    ".kml",
    ".kmz",
    ".gpkg",
    ".zip",
    ".pdf",
    ".docx",
)


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
        return _what(self) if self.row == WHOLE_FILE else f"row {self.row}: {_what(self)}"


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


# --------------------------------------------------------------------------------------------
# Public API


def read_user_sites(
    file: str | Path | bytes | IO[bytes] | UploadTable,
    *,
    name: str | None = None,
    column_map: Mapping[str, str | None] | None = None,
    registry: gpd.GeoDataFrame | None = None,
    boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
) -> tuple[gpd.GeoDataFrame, list[UploadProblem]]:
    """Read a user's list of sites; return the sites that can be shown and every problem.

    Parameters
    ----------
    file
        A path, the file's bytes, a binary file object (such as Streamlit's ``UploadedFile``),
        or a table already read by :func:`read_table`.
    name
        The file's name when ``file`` is bytes or has none; its extension picks the format
        (content decides when it is missing).
    column_map
        Field -> column choices that override :func:`suggest_column_map`; ``None`` or ``""``
        leaves a field unmapped. Fields are the keys of :data:`UPLOAD_FIELDS`.
    registry
        The registry sites; an upload with a registry site's name within
        :data:`DUPLICATE_DISTANCE_M` is flagged. None skips the check.
    boundaries_dir
        The built boundaries (wards for the areas, the UK outline for the UK check).

    Returns
    -------
    sites, problems
        The kept rows as a GeoDataFrame (EPSG:4326) with the registry's columns, area columns
        and geometry, ``site_id`` ``upload-<row>``; and every problem, file-level ones first.

    Raises
    ------
    FileNotFoundError
        When ``file`` is a path that does not exist.
    BoundaryDataMissingError
        When the boundaries are not built (run ``make data``).
    """
    table = file if isinstance(file, UploadTable) else read_table(file, name=name)
    problems = list(table.problems)
    if _refused(problems):
        return _empty_sites(), problems
    mapping, map_problems = _resolve_columns(table, column_map)
    problems.extend(map_problems)
    if _refused(map_problems):
        return _empty_sites(), problems
    left_out = {p.row for p in table.problems if not p.kept}
    parsed: list[_Row] = []
    row_problems: list[UploadProblem] = []
    parser = _RowParser(mapping)
    for row, record in table.records:
        if row in left_out:
            continue
        candidate = parser.parse(row, record, row_problems)
        if candidate is not None:
            parsed.append(candidate)
    placed = _place(parsed, mapping, row_problems, boundaries_dir=boundaries_dir)
    if registry is not None and placed:
        _flag_registry_duplicates(
            placed, registry, row_problems, column=mapping.get("name", "name")
        )
    sites = _to_sites(placed, boundaries_dir=boundaries_dir)
    _note_outside_midlands(sites, row_problems)
    return sites, sorted(problems + row_problems, key=lambda p: p.row)


def read_table(file: str | Path | bytes | IO[bytes], *, name: str | None = None) -> UploadTable:
    """Read an uploaded file into rows of text, with the problems found while reading.

    Nothing is checked against the registry's vocabulary here: this is the step before the
    column mapping. Bad content never raises; it comes back as problems.

    Parameters
    ----------
    file
        A path, the file's bytes, or a binary file object.
    name
        The file's name when ``file`` is bytes or has none.
    """
    label, data = _read_bytes(file, name)
    if data is None:
        return _refusal(
            label,
            f"is larger than {_megabytes(MAX_FILE_BYTES)}, the upload limit; split it into "
            "smaller files, or keep only the columns and rows of the sites to show",
        )
    if not data.strip():
        return _refusal(
            label, "is empty: it has no header and no rows; choose the file with the sites"
        )
    kind = _detect_format(label, data)
    if kind == "xlsx":
        return _read_xlsx(label, data)
    if kind == "geojson":
        return _read_geojson(label, data)
    if kind == "csv":
        return _read_csv(label, data)
    return _refusal(
        label,
        f"is a kind of file that cannot be read ({kind}); save it as CSV (UTF-8), Excel .xlsx "
        "or GeoJSON and upload that",
    )


def suggest_column_map(header: Sequence[str]) -> dict[str, str]:
    """Return field -> column for every field a column's name matches (best alias first).

    Parameters
    ----------
    header
        The file's column names.
    """
    suggested: dict[str, str] = {}
    for field_name, candidates in _candidates(header).items():
        if candidates:
            suggested[field_name] = candidates[0]
    return suggested


def ambiguous_columns(header: Sequence[str]) -> dict[str, list[str]]:
    """Return field -> columns for the fields that more than one column could fill.

    These are the choices a person should confirm in the mapping step; the first column is
    the one :func:`suggest_column_map` picks.

    Parameters
    ----------
    header
        The file's column names.
    """
    return {f: columns for f, columns in _candidates(header).items() if len(columns) > 1}


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
        The table :func:`read_table` returned, or its (row, record) pairs.
    problems
        The problems :func:`read_user_sites` returned.
    include_kept
        Also write the rows that were kept with a note.
    """
    if isinstance(rows, UploadTable):
        header, records = list(rows.header), list(rows.records)
    else:
        records = [(row, dict(record)) for row, record in rows]
        header = list(dict.fromkeys(column for _, record in records for column in record))
    problems = list(problems)
    whole_file = [p for p in problems if p.row == WHOLE_FILE and not _kept(p)]
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
        own = sorted(by_row.get(row, []), key=_kept)
        errors = [p for p in own if not _kept(p)]
        if not (whole_file or errors or (include_kept and own)):
            continue
        text = "; ".join(_what(p) for p in [*whole_file, *own])
        writer.writerow([row, *(record.get(column, "") for column in header), text])
    if whole_file and not records:
        writer.writerow(
            [WHOLE_FILE, *([""] * len(header)), "; ".join(_what(p) for p in whole_file)]
        )
    return out.getvalue().encode("utf-8-sig")


# --------------------------------------------------------------------------------------------
# Reading files


def _read_bytes(file: str | Path | bytes | IO[bytes], name: str | None) -> tuple[str, bytes | None]:
    """Return the file's name and bytes (None when it is over the size limit)."""
    if isinstance(file, str | Path):
        path = Path(file)
        label = Path(name or path.name).name
        if path.stat().st_size > MAX_FILE_BYTES:
            return label, None
        return label, path.read_bytes()
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        label = Path(name or "upload").name
    elif hasattr(file, "read"):
        if getattr(file, "seekable", lambda: False)():
            file.seek(0)
        content: Any = file.read(MAX_FILE_BYTES + 1)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        label = Path(name or str(getattr(file, "name", "") or "upload")).name
    else:
        raise TypeError(
            f"read_user_sites takes a path, bytes or a binary file, not {type(file).__name__}"
        )
    return label, (None if len(data) > MAX_FILE_BYTES else data)


def _detect_format(label: str, data: bytes) -> str:
    """Return "csv", "xlsx", "geojson", or the name of a format that cannot be read."""
    suffix = Path(label).suffix.lower()
    if suffix in _UNSUPPORTED:
        return suffix
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "old Excel (.xls)"
    if suffix in (".geojson", ".json"):
        return "geojson"
    head = data.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    return "geojson" if suffix == "" and head in (b"{", b"[") else "csv"


def _refusal(label: str, message: str) -> UploadTable:
    return UploadTable(name=label, format="", header=[], problems=[_file_problem(label, message)])


def _file_problem(label: str, message: str, *, kept: bool = False) -> UploadProblem:
    """Return a problem about the whole file (row 0, field "file", value its name)."""
    return UploadProblem(WHOLE_FILE, "", "file", label, message, kept)


def _read_csv(label: str, data: bytes) -> UploadTable:
    text, foreign_lines, problems = _decode(label, data)
    table = UploadTable(name=label, format="csv", header=[], problems=problems)
    delimiter = "\t" if label.lower().endswith(".tsv") else _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    collector = _Collector(table, delimiter=delimiter, strict=True)
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
            _file_problem(
                label,
                f"could not be read as CSV at row {row + 1} ({exc}); open it in a spreadsheet "
                "and save it again as CSV (UTF-8)",
            )
        )
        return table
    if not collector.finish():
        return table
    if not table.header:
        return _refusal(label, "holds no values; choose the file with the sites")
    if not table.records:
        table.problems.append(_no_rows(label))
        return table
    _check_unclosed_quote(table, text, spans, delimiter)
    _note_foreign_lines(table, foreign_lines, spans)
    return table


class _Collector:
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
                    _file_problem(
                        self.table.name,
                        f"has {len(above)} row(s) above its header (row {row}), read as a title "
                        f"and skipped: {_shown(titles)!r}",
                        kept=True,
                    )
                )
            return _take_header(self.table, values)
        if len(self.pending) > _HEADER_SEARCH_ROWS:
            return self.finish()
        return True

    def finish(self) -> bool:
        """Settle a one-column file's header; False when the file is refused."""
        if self.table.header or not self.pending:
            return True
        (_, first), rest = self.pending[0], self.pending[1:]
        self.pending = []
        if not _take_header(self.table, first):
            return False
        return all(self.record(row, values) for row, values in rest)

    def record(self, row: int, values: Sequence[str]) -> bool:
        if len(self.table.records) >= MAX_ROWS:
            _too_many_rows(self.table)
            return False
        _add_record(self.table, row, values, delimiter=self.delimiter, strict=self.strict)
        return True


def _decode(label: str, data: bytes) -> tuple[str, set[int], list[UploadProblem]]:
    """Decode CSV bytes; return the text, the lines read as Windows-1252, and notes."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
        problems = []
        if "\ufffd" in text:
            problems.append(
                _file_problem(
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
    note = _file_problem(
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


def _take_header(table: UploadTable, values: Sequence[object]) -> bool:
    """Set the table's header from ``values``; False when the file must be refused."""
    raw = [("" if v is None else str(v)) for v in values]
    while raw and not raw[-1].strip():
        raw.pop()  # a spreadsheet's empty trailing cells are not columns
    cells = [_header_text(v) for v in raw]
    if len(cells) > MAX_COLUMNS:
        table.problems.append(
            UploadProblem(
                WHOLE_FILE,
                "",
                "header",
                f"{len(cells)} columns",
                f"has {len(cells)} columns; the limit is {MAX_COLUMNS}: keep only the columns "
                "about the sites (name, coordinates, kind, capabilities...) and upload again",
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


def _header_text(value: object) -> str:
    text = "" if value is None else str(value)
    return " ".join(_CONTROL.sub(" ", text.replace("\ufeff", "")).split())


def _add_record(
    table: UploadTable, row: int, values: Sequence[str], *, delimiter: str, strict: bool = True
) -> None:
    width = len(table.header)
    record = dict(zip(table.header, values, strict=False))
    for column in table.header[len(values) :]:
        record[column] = ""
    extra = list(values[width:])
    if any(v.strip() for v in extra):
        record[EXTRA_COLUMN] = delimiter.join(extra)
        if strict:
            shown = {",": "','", ";": "';'", "\t": "tab"}.get(delimiter, repr(delimiter))
            table.problems.append(
                UploadProblem(
                    row,
                    _site_id(row),
                    "extra cells",
                    _shown(delimiter.join(extra)),
                    f"do not fit: the row has {len(values)} cells but the header has {width} "
                    "columns, so its values may sit under the wrong columns; put quotes around "
                    f"any value that holds the delimiter ({shown}) and upload the row again",
                )
            )
        else:
            table.problems.append(
                UploadProblem(
                    row,
                    _site_id(row),
                    "extra cells",
                    _shown(delimiter.join(extra)),
                    "sit in columns with no header; they were not used",
                    kept=True,
                )
            )
    table.records.append((row, record))


def _too_many_rows(table: UploadTable) -> UploadTable:
    table.problems.append(
        _file_problem(
            table.name,
            f"has more than {MAX_ROWS:,} rows of sites, the upload limit; split it into files "
            f"of at most {MAX_ROWS:,} rows, or keep only the sites to show",
        )
    )
    table.records = []
    return table


def _no_rows(label: str) -> UploadProblem:
    return _file_problem(
        label, "has a header but no rows of sites; add one row per site below the header"
    )


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
                _site_id(row),
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
                    _site_id(row),
                    "encoding",
                    "",
                    "is not UTF-8 while other rows are; the row was read as Windows-1252 "
                    "(cp1252): check its accented letters",
                    kept=True,
                )
            )


def _read_xlsx(label: str, data: bytes) -> UploadTable:
    import openpyxl  # noqa: PLC0415 (only Excel uploads need it)

    refused = _xlsx_refusal(label, data)
    if refused is not None:
        return refused
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        logger.info("could not open %s as a workbook", label, exc_info=True)
        return _refusal(
            label,
            f"could not be opened as an Excel workbook ({type(exc).__name__}); open it in "
            "Excel and save it again as .xlsx, or save it as CSV",
        )
    table = UploadTable(name=label, format="xlsx", header=[])
    try:
        _read_first_sheet(table, workbook.worksheets)
    except Exception as exc:  # a damaged sheet fails while it is read
        logger.info("could not read %s", label, exc_info=True)
        table.problems.append(
            _file_problem(
                label,
                f"could not be read to the end ({type(exc).__name__}); open it in Excel and "
                "save it again, or save it as CSV",
            )
        )
    finally:
        workbook.close()
    if _refused(table.problems):
        return table
    if not table.header:
        return _refusal(label, "has an empty first sheet; put the sites on the first sheet")
    if not table.records:
        table.problems.append(_no_rows(label))
    return table


def _xlsx_refusal(label: str, data: bytes) -> UploadTable | None:
    """Refuse a workbook that is not a zip, or that would unpack to too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        return _refusal(label, f"is not a readable Excel workbook ({exc}); save it again")
    if unpacked > MAX_UNPACKED_BYTES:
        return _refusal(
            label,
            f"would unpack to {_megabytes(unpacked)}, over the {_megabytes(MAX_UNPACKED_BYTES)} "
            "limit; save only the sheet with the sites, or save it as CSV",
        )
    return None


def _read_first_sheet(table: UploadTable, sheets: Sequence[Any]) -> None:
    if not sheets:
        table.problems.append(_file_problem(table.name, "has no sheet; add one with the sites"))
        return
    sheet = sheets[0]
    if len(sheets) > 1:
        others = ", ".join(repr(str(s.title)) for s in sheets[1:])
        table.problems.append(
            _file_problem(
                table.name,
                f"has {len(sheets)} sheets; only the first, {sheet.title!r}, was read (not "
                f"{_shown(others)}): move the sites to one sheet",
                kept=True,
            )
        )
    collector = _Collector(table, delimiter=" | ", strict=False)
    rows = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True)
    for row, cells in enumerate(rows, start=1):
        if not collector.add(row, [_cell_text(value) for value in cells]):
            return
    collector.finish()


def _cell_text(value: object) -> str:
    """Return an Excel cell's value as the text a person sees."""
    text: str
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == time(0) else value.isoformat()
    elif isinstance(value, date):
        text = value.isoformat()
    else:
        text = str(value)
    return text


def _read_geojson(label: str, data: bytes) -> UploadTable:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = str(exc)[:200] if not isinstance(exc, RecursionError) else "nested too deeply"
        return _refusal(
            label,
            f"is not valid GeoJSON ({detail}); export it again as GeoJSON, or as CSV "
            "with lat and lon columns",
        )
    features, bng = _geojson_features(document)
    if features is None:
        return _refusal(
            label,
            "is JSON but not a GeoJSON FeatureCollection of points; export the sites as "
            "GeoJSON points, or as CSV with lat and lon columns",
        )
    table = UploadTable(name=label, format="geojson", header=[])
    if len(features) > MAX_ROWS:
        return _too_many_rows(table)
    x_column = GEOMETRY_COLUMNS["easting" if bng else "lon"]
    y_column = GEOMETRY_COLUMNS["northing" if bng else "lat"]
    keys: dict[str, None] = {x_column: None, y_column: None}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            keys.update(dict.fromkeys(_header_text(k) or "property" for k in properties))
            if len(keys) > MAX_COLUMNS + 2:
                break
    if not _take_header(table, [*keys]):
        return table
    for row, feature in enumerate(features, start=1):
        record = dict.fromkeys(table.header, "")
        properties = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in properties.items() if isinstance(properties, dict) else ():
            column = _header_text(key) or "property"
            if column in record and column not in (x_column, y_column):
                record[column] = _json_text(value)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problem = _point_cells(geometry, record, x_column, y_column)
        if problem:
            table.problems.append(
                UploadProblem(row, _site_id(row), "geometry", problem[0], problem[1])
            )
        table.records.append((row, record))
    if not table.records:
        table.problems.append(_no_rows(label))
    return table


def _geojson_features(document: object) -> tuple[list[Any] | None, bool]:
    """Return a GeoJSON document's features (None when it has none) and whether it is BNG."""
    if not isinstance(document, dict):
        return None, False
    features: Any = None
    if document.get("type") == "FeatureCollection":
        features = document.get("features")
    elif document.get("type") == "Feature":
        features = [document]
    crs = document.get("crs")
    properties = crs.get("properties") if isinstance(crs, dict) else None
    bng = isinstance(properties, dict) and "27700" in str(properties.get("name", ""))
    return (features if isinstance(features, list) else None), bng


def _point_cells(
    geometry: object, record: dict[str, str], x_column: str, y_column: str
) -> tuple[str, str] | None:
    """Put a Point's coordinates into ``record``; return (value, message) when it is not one."""
    if geometry is None:
        return None  # no coordinates: reported with the other rows that lack them
    if not isinstance(geometry, dict):
        return _shown(_json_text(geometry)), "is not a GeoJSON geometry object"
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind != "Point":
        return (
            str(kind)[:40],
            "is not a Point; only points can be shown as sites: give each site a point "
            "(or its lat and lon)",
        )
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return _shown(_json_text(coordinates)), "is a Point without two coordinates"
    record[x_column] = _json_text(coordinates[0])
    record[y_column] = _json_text(coordinates[1])
    return None


def _json_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, list):
        return "; ".join(_json_text(item) for item in value)
    return json.dumps(value, ensure_ascii=False)[:10_000]


# --------------------------------------------------------------------------------------------
# Columns


def _normalise_name(column: str) -> str:
    return " ".join(_NOT_ALPHANUMERIC.sub(" ", column.casefold()).split())


def _candidates(header: Sequence[str]) -> dict[str, list[str]]:
    """Return field -> matching columns, best alias first, for every field."""
    normalised = [(_normalise_name(column), column) for column in header]
    found: dict[str, list[str]] = {}
    for field_name, aliases in ALIASES.items():
        ranked = [
            column for alias in aliases for norm, column in normalised if norm == alias and column
        ]
        found[field_name] = list(dict.fromkeys(ranked))
    return found


def _resolve_columns(
    table: UploadTable, column_map: Mapping[str, str | None] | None
) -> tuple[dict[str, str], list[UploadProblem]]:
    """Return field -> column (suggestions overridden by the user) and whole-file notes."""
    header = table.header
    problems: list[UploadProblem] = []
    mapping: dict[str, str] = dict(suggest_column_map(header))
    for field_name, column in (column_map or {}).items():
        if field_name not in UPLOAD_FIELDS:
            problems.append(
                UploadProblem(
                    WHOLE_FILE,
                    "",
                    "column map",
                    str(field_name),
                    f"is not a field that can be mapped; choose from {', '.join(UPLOAD_FIELDS)}",
                )
            )
        elif not column:
            mapping.pop(field_name, None)
        elif column not in header:
            problems.append(
                UploadProblem(
                    WHOLE_FILE,
                    "",
                    "column map",
                    f"{field_name}={column}",
                    f"names a column that is not in the file; its columns are "
                    f"{_shown(', '.join(header))}",
                )
            )
        else:
            mapping[field_name] = column
    if problems:
        return mapping, problems
    has_wgs84 = "lat" in mapping and "lon" in mapping
    has_bng = "easting" in mapping and "northing" in mapping
    if not (has_wgs84 or has_bng):
        if "postcode" in mapping:
            message = (
                "has a postcode column but no coordinates; postcode lookup is not supported "
                "yet: add lat and lon (WGS84) or easting and northing (British National Grid) "
                "columns"
            )
        else:
            half = [UPLOAD_FIELDS[f] for f in ("lat", "lon", "easting", "northing") if f in mapping]
            found = f" (it has only {', '.join(half)})" if half else ""
            message = (
                f"has no coordinate columns{found}; add lat and lon (WGS84) or easting and "
                "northing (British National Grid), or choose the columns that hold them in "
                "the column mapping"
            )
        problems.append(UploadProblem(WHOLE_FILE, "", "header", _shown(", ".join(header)), message))
        return mapping, problems
    problems.extend(_header_notes(header, mapping))
    return mapping, problems


def _header_notes(header: Sequence[str], mapping: Mapping[str, str]) -> list[UploadProblem]:
    notes = []

    def note(value: str, message: str) -> None:
        notes.append(UploadProblem(WHOLE_FILE, "", "header", value, message, kept=True))

    if "name" not in mapping and "organisation" in mapping:
        note(
            mapping["organisation"],
            "is used as each site's name: the file has no name column",
        )
    if "kind" not in mapping:
        note("", f"has no kind column; every site is shown as {DEFAULT_KIND!r} (a circle)")
    if "capabilities" not in mapping:
        note("", "has no capabilities column; the sites are shown in grey, with none")
    if "location_precision" not in mapping:
        note(
            "",
            f"has no location precision column; each site's coordinates are taken as the "
            f"site itself ({DEFAULT_PRECISION!r})",
        )
    if "postcode" in mapping:
        note(
            mapping["postcode"],
            "is not used: postcode lookup is not supported yet (the coordinates are used)",
        )
    used = set(mapping.values())
    unused = [c for c in header if c not in used and not re.fullmatch(r"column \d+( \(\d+\))?", c)]
    if unused:
        note(_shown(", ".join(unused)), "names columns that no field matches; they are not used")
    return notes


# --------------------------------------------------------------------------------------------
# Rows


@dataclass
class _Row:
    row: int
    values: dict[str, Any]
    system: str  # "wgs84" (x = lon, y = lat) or "bng" (x = easting, y = northing)
    x: float
    y: float


class _RowParser:
    """Turn one record into a site's values, reporting every problem of the row."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self.mapping = mapping
        self.today = date.today()
        self.kinds = _lookup(vocabulary.KINDS)
        self.capabilities = _lookup(vocabulary.CAPABILITIES)
        self.precisions = _lookup(vocabulary.PRECISIONS)
        self.memo: dict[tuple[str, str], tuple[Any, list[tuple[str, str]]]] = {}

    def column(self, field_name: str) -> str:
        return self.mapping.get(field_name, field_name)

    def parse(
        self, row: int, record: Mapping[str, str], problems: list[UploadProblem]
    ) -> _Row | None:
        """Return the row's site values, or None when the row is left out."""
        found: list[UploadProblem] = []

        def report(field_name: str, value: str, message: str, *, kept: bool = True) -> None:
            found.append(
                UploadProblem(
                    row, _site_id(row), self.column(field_name), _shown(value), message, kept
                )
            )

        def cell(field_name: str) -> str:
            column = self.mapping.get(field_name)
            return (record.get(column) or "") if column else ""

        values: dict[str, Any] = {}
        for field_name in ("name", "organisation", "town", "description"):
            values[field_name] = self.text(field_name, cell(field_name), report)
        if not values["name"]:
            if values["organisation"]:
                values["name"] = values["organisation"]
                if "name" in self.mapping:
                    report("name", "", "is empty; the organisation is used as the name")
            else:
                report(
                    "name",
                    "",
                    "is empty, and so is the organisation; give the site a name",
                    kept=False,
                )
        for field_name in ("kind", "capabilities", "location_precision"):
            values[field_name] = self.vocabulary_value(field_name, cell(field_name), report)
        values["source_url"] = self.source(cell("source_url"), report)
        values["last_checked"] = self.checked(cell("last_checked"), report)
        values["location_source"] = ""
        position = self.coordinates(cell, report)
        problems.extend(found)
        if position is None or any(not p.kept for p in found):
            return None
        system, x, y = position
        return _Row(row=row, values=values, system=system, x=x, y=y)

    def text(self, field_name: str, raw: str, report: _Report) -> str:
        cleaned = raw.strip()
        if cleaned and not cleaned.isprintable():
            if "\x00" in cleaned or _CONTROL.search(cleaned):
                report(
                    field_name,
                    cleaned.replace("\x00", "\\0"),
                    "contains NUL or control characters; they were removed",
                )
            cleaned = _CONTROL.sub(" ", cleaned)
        cleaned = " ".join(cleaned.split())
        limit = _TEXT_LIMITS.get(field_name)
        if limit and len(cleaned) > limit:
            report(
                field_name,
                cleaned,
                f"is {len(cleaned):,} characters long; it was cut to the registry's limit "
                f"of {limit}",
            )
            cleaned = cleaned[: limit - 1] + "…"
        return cleaned

    def vocabulary_value(self, field_name: str, raw: str, report: _Report) -> Any:
        """Resolve a kind, capabilities or precision cell (memoised: files repeat them)."""
        key = (field_name, raw)
        if key not in self.memo:
            resolve = {
                "kind": self.resolve_kind,
                "capabilities": self.resolve_capabilities,
                "location_precision": self.resolve_precision,
            }[field_name]
            self.memo[key] = resolve(raw)
        value, notes = self.memo[key]
        for shown, message in notes:
            report(field_name, shown, message)
        return list(value) if isinstance(value, list) else value

    def resolve_kind(self, raw: str) -> tuple[str, list[tuple[str, str]]]:
        cleaned = " ".join(raw.split())
        if not cleaned:
            empty = "kind" in self.mapping
            return DEFAULT_KIND, (
                [("", f"is empty; the site is shown as {DEFAULT_KIND!r}")] if empty else []
            )
        slug = self.kinds.get(_token(cleaned))
        if slug:
            return slug, []
        hint = _vocabulary_hint("kind", _token(cleaned), vocabulary.KINDS)
        return DEFAULT_KIND, [(cleaned, f"{hint}; the site is shown as {DEFAULT_KIND!r}")]

    def resolve_capabilities(self, raw: str) -> tuple[list[str], list[tuple[str, str]]]:
        found: list[str] = []
        unknown: list[str] = []
        pieces = (" ".join(p.split()) for p in re.split(r"[;|\n]", raw))
        for piece in filter(None, pieces):
            slug = self.capabilities.get(_token(piece))
            if slug:
                found.append(slug)
                continue
            for part in filter(None, (p.strip() for p in piece.split(","))):
                slug = self.capabilities.get(_token(part))
                if slug:
                    found.append(slug)
                else:
                    unknown.append(part)
        notes = [
            (
                item,
                f"{_vocabulary_hint('capabilities', _token(item), vocabulary.CAPABILITIES)}; "
                "it was left out of this site's capabilities",
            )
            for item in dict.fromkeys(unknown)
        ]
        if not found and raw.strip() and not unknown:
            notes.append((raw, "lists no capability"))
        return list(dict.fromkeys(found)), notes

    def resolve_precision(self, raw: str) -> tuple[str, list[tuple[str, str]]]:
        cleaned = " ".join(raw.split())
        if not cleaned:
            empty = "location_precision" in self.mapping
            message = (
                f"is empty; the coordinates are taken as the site itself ({DEFAULT_PRECISION!r})"
            )
            return DEFAULT_PRECISION, ([("", message)] if empty else [])
        slug = self.precisions.get(_token(cleaned))
        if slug:
            return slug, []
        hint = _vocabulary_hint("location_precision", _token(cleaned), vocabulary.PRECISIONS)
        return DEFAULT_PRECISION, [(cleaned, f"{hint}; taken as {DEFAULT_PRECISION!r}")]

    def source(self, raw: str, report: _Report) -> str:
        cleaned = raw.strip()
        if not cleaned:
            return ""
        if _HTTP_URL.match(cleaned) and len(cleaned) <= _TEXT_LIMITS.get("source_url", 500):
            return cleaned
        report(
            "source_url",
            cleaned,
            "is not an http(s) address (of at most 500 characters), so it is not linked; "
            "it was left blank",
        )
        return ""

    def checked(self, raw: str, report: _Report) -> str:
        cleaned = raw.strip()
        if not cleaned:
            return ""
        messages: list[tuple[str, str, str]] = []
        value = _check_date(
            "last_checked",
            cleaned[:10] if re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:.]+", cleaned) else cleaned,
            self.today,
            lambda f, v, m: messages.append((f, v, m)),
        )
        if value is None:
            for _, shown, message in messages:
                report("last_checked", shown, f"{message}; it was left blank")
            return ""
        return value.isoformat()

    def coordinates(
        self, cell: Callable[[str], str], report: _Report
    ) -> tuple[str, float, float] | None:
        """Return ("wgs84", lon, lat) or ("bng", easting, northing), or None (reported)."""
        wgs84 = "lat" in self.mapping and "lon" in self.mapping
        grid = "easting" in self.mapping and "northing" in self.mapping
        lat_raw, lon_raw = (cell("lat").strip(), cell("lon").strip()) if wgs84 else ("", "")
        east_raw, north_raw = (
            (cell("easting").strip(), cell("northing").strip()) if grid else ("", "")
        )
        if lat_raw or lon_raw:
            return self.degrees(lat_raw, lon_raw, report)
        if east_raw or north_raw:
            return self.grid(east_raw, north_raw, report)
        postcode = cell("postcode").strip()
        if postcode:
            report(
                "postcode",
                postcode,
                "is the only location given; postcode lookup is not supported yet: add lat "
                "and lon (WGS84) or easting and northing (British National Grid)",
                kept=False,
            )
        else:
            report(
                _pair(self.mapping, "wgs84" if wgs84 else "bng"),
                "",
                "are empty; give the site's lat and lon (WGS84) or easting and northing",
                kept=False,
            )
        return None

    def degrees(
        self, lat_raw: str, lon_raw: str, report: _Report
    ) -> tuple[str, float, float] | None:
        lat = self.number("lat", lat_raw, report, kind="lat")
        lon = self.number("lon", lon_raw, report, kind="lon")
        if lat is None or lon is None:
            return None
        if abs(lat) <= 90 and abs(lon) <= 180:
            return "wgs84", lon, lat
        if _in_bng(lon, lat) or _in_bng(lat, lon):
            message = (
                "look like British National Grid eastings and northings, not degrees; "
                "map these columns to easting and northing"
            )
        else:
            message = "are outside -90..90 (lat) and -180..180 (lon)"
        report(_pair(self.mapping, "wgs84"), f"{lat_raw}, {lon_raw}", message, kept=False)
        return None

    def grid(
        self, east_raw: str, north_raw: str, report: _Report
    ) -> tuple[str, float, float] | None:
        easting = self.number("easting", east_raw, report, kind="grid")
        northing = self.number("northing", north_raw, report, kind="grid")
        if easting is None or northing is None:
            return None
        if _in_bng(easting, northing) or _in_bng(northing, easting):
            return "bng", easting, northing
        report(
            _pair(self.mapping, "bng"),
            f"{east_raw}, {north_raw}",
            "are outside the British National Grid (0..700,000 m east, 0..1,300,000 m "
            "north); check the values are metres",
            kept=False,
        )
        return None

    def number(self, field_name: str, raw: str, report: _Report, *, kind: str) -> float | None:
        if not raw:
            report(field_name, "", "is empty; both coordinates are needed", kept=False)
            return None
        value = _parse_number(raw, kind=kind)
        if value is None:
            example = {"lat": "52.4862", "lon": "-1.8904", "grid": "406789"}[kind]
            report(
                field_name,
                raw,
                f"is not a number; give decimal {'metres' if kind == 'grid' else 'degrees'} "
                f"(e.g. {example})",
                kept=False,
            )
            return None
        if not math.isfinite(value):
            report(field_name, raw, "is not a finite number", kept=False)
            return None
        return value


_Report = Callable[..., None]


def _lookup(labels: Mapping[str, str]) -> dict[str, str]:
    """Return token -> slug for every slug and label of a vocabulary."""
    table = {_token(label): slug for slug, label in labels.items()}
    table.update({_token(slug): slug for slug in labels})
    return table


def _token(text: str) -> str:
    return "_".join(_NOT_ALPHANUMERIC.sub(" ", text.casefold()).split())


def _vocabulary_hint(field_name: str, token: str, labels: Mapping[str, str]) -> str:
    """Return "is not a known value; did you mean 'x'?" (the registry validator's wording)."""
    messages: list[str] = []
    _check_string(
        field_name, token, {"enum": list(labels)}, lambda f, v, m: messages.append(str(m))
    )
    return messages[0] if messages else "is not a known value"


def _parse_number(raw: str, *, kind: str) -> float | None:
    """Parse a coordinate as written in the wild; None when it is not a number.

    Degrees may carry a degree sign, a hemisphere letter (S and W are negative) or a decimal
    comma; grid metres may group thousands with commas or spaces.
    """
    text = raw.strip().replace("\u2212", "-").replace("°", "").strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    if kind == "grid":
        if _THOUSANDS.fullmatch(text):
            return float(text.replace(",", "").replace(" ", ""))
        return None
    letters = "NS" if kind == "lat" else "EW"
    sign = 1.0
    match = re.fullmatch(rf"([{letters}]?)\s*([^A-Za-z]*?)\s*([{letters}]?)", text, re.IGNORECASE)
    if match and bool(match.group(1)) != bool(match.group(3)):
        text = match.group(2)
        sign = -1.0 if (match.group(1) or match.group(3)).upper() in "SW" else 1.0
        if text.startswith(("-", "+")):
            return None  # "-1.5W" gives the sign twice; refuse rather than guess
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    return sign * float(text)


def _in_bng(easting: float, northing: float) -> bool:
    west, south, east, north = BNG_BOUNDS
    return west <= easting <= east and south <= northing <= north and max(easting, northing) > 180


# --------------------------------------------------------------------------------------------
# Placing


def _place(
    rows: list[_Row],
    mapping: Mapping[str, str],
    problems: list[UploadProblem],
    *,
    boundaries_dir: str | Path,
) -> list[_Row]:
    """Convert to lon/lat, swap back swapped pairs, and leave out points outside the UK."""
    if not rows:
        return []
    to_metric = Transformer.from_crs(settings.CRS_STORAGE, settings.CRS_METRIC, always_xy=True)
    to_degrees = Transformer.from_crs(settings.CRS_METRIC, settings.CRS_STORAGE, always_xy=True)
    outline = _uk_outline(boundaries_dir)
    inside = _in_uk_test(outline, to_metric)
    xs = np.array([r.x for r in rows], dtype=float)
    ys = np.array([r.y for r in rows], dtype=float)
    grid = np.array([r.system == "bng" for r in rows])
    lon, lat = xs.copy(), ys.copy()
    if grid.any():
        lon[grid], lat[grid] = to_degrees.transform(xs[grid], ys[grid])
    ok = inside(lon, lat)
    swapped_lon, swapped_lat = ys.copy(), xs.copy()
    if grid.any():
        swapped_lon[grid], swapped_lat[grid] = to_degrees.transform(ys[grid], xs[grid])
    plausible = (np.abs(swapped_lat) <= 90) & (np.abs(swapped_lon) <= 180)
    swap = ~ok & plausible
    if swap.any():
        swap[swap] = inside(swapped_lon[swap], swapped_lat[swap])
    kept: list[_Row] = []
    for index, row in enumerate(rows):
        pair = _pair(mapping, row.system)
        names = ("easting", "northing") if row.system == "bng" else ("lat", "lon")
        given = f"{row.x:g}, {row.y:g}" if row.system == "bng" else f"{row.y:g}, {row.x:g}"
        if swap[index]:
            problems.append(
                UploadProblem(
                    row.row,
                    _site_id(row.row),
                    pair,
                    given,
                    f"look swapped: as given the point is outside the UK, swapped it is inside; "
                    f"{names[0]} and {names[1]} were swapped back (check the columns)",
                    kept=True,
                )
            )
            lon[index], lat[index] = swapped_lon[index], swapped_lat[index]
        elif not ok[index]:
            problems.append(
                UploadProblem(
                    row.row,
                    _site_id(row.row),
                    pair,
                    given,
                    f"put the site outside the United Kingdom (lat {lat[index]:.4f}, lon "
                    f"{lon[index]:.4f}); check the coordinates and that the columns are the "
                    "right ones",
                )
            )
            continue
        row.values["lat"] = round(float(lat[index]), 6)
        row.values["lon"] = round(float(lon[index]), 6)
        kept.append(row)
    if outline is None:
        problems.insert(
            0,
            UploadProblem(
                WHOLE_FILE,
                "",
                "boundaries",
                str(boundaries_dir),
                "have no UK outline (raw/countries.geojson), so points were checked against "
                "the UK's bounding box only; rebuild the boundaries to check the coastline",
                kept=True,
            ),
        )
    return kept


def _in_uk_test(
    outline: shapely.Geometry | None, to_metric: Transformer
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        finite = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        result = np.zeros(len(lon), dtype=bool)
        if outline is None:
            west, south, east, north = UK_BOUNDS
            result[finite] = (
                (lon[finite] >= west)
                & (lon[finite] <= east)
                & (lat[finite] >= south)
                & (lat[finite] <= north)
            )
            return result
        x, y = to_metric.transform(lon[finite], lat[finite])
        result[finite] = shapely.contains_xy(outline, x, y)
        return result

    return inside


def _uk_outline(boundaries_dir: str | Path) -> shapely.Geometry | None:
    """Return the UK's land buffered by :data:`UK_TOLERANCE_M` (EPSG:27700), or None."""
    path = Path(boundaries_dir) / settings.RAW_DIR_NAME / "countries.geojson"
    if not path.is_file():
        return None
    return _read_uk_outline(str(path), path.stat().st_mtime)


@cache
def _read_uk_outline(path: str, modified: float) -> shapely.Geometry:
    # ``modified`` is part of the cache key so a rebuilt layer is read again
    countries = gpd.read_file(path)
    if countries.crs is None:
        countries = countries.set_crs(settings.CRS_STORAGE)
    land = shapely.union_all(shapely.make_valid(countries.to_crs(settings.CRS_METRIC).geometry))
    outline = shapely.buffer(land, UK_TOLERANCE_M)
    shapely.prepare(outline)
    return outline


def _flag_registry_duplicates(
    rows: list[_Row], registry: gpd.GeoDataFrame, problems: list[UploadProblem], *, column: str
) -> None:
    """Note every upload with a registry site's name within DUPLICATE_DISTANCE_M."""
    if registry.empty:
        return
    metric = registry.to_crs(settings.CRS_METRIC)
    known: dict[str, list[tuple[str, float, float]]] = {}
    for site_id, site_name, point in zip(
        metric["site_id"], metric["name"], metric.geometry, strict=True
    ):
        known.setdefault(_name_key(str(site_name)), []).append((str(site_id), point.x, point.y))
    matches = [r for r in rows if _name_key(r.values["name"]) in known]
    if not matches:
        return
    to_metric = Transformer.from_crs(settings.CRS_STORAGE, settings.CRS_METRIC, always_xy=True)
    xs, ys = to_metric.transform(
        [r.values["lon"] for r in matches], [r.values["lat"] for r in matches]
    )
    for row, x, y in zip(matches, xs, ys, strict=True):
        candidates = known[_name_key(row.values["name"])]
        nearest = min((math.hypot(x - kx, y - ky), site_id) for site_id, kx, ky in candidates)
        if nearest[0] <= DUPLICATE_DISTANCE_M:
            problems.append(
                UploadProblem(
                    row.row,
                    _site_id(row.row),
                    column,
                    row.values["name"],
                    f"is also the name of registry site {nearest[1]!r}, {nearest[0]:.0f} m away: "
                    "probably the same site; it is shown as an upload, not merged",
                    kept=True,
                )
            )


def _name_key(text: str) -> str:
    return " ".join(text.casefold().split())


def _to_sites(rows: list[_Row], *, boundaries_dir: str | Path) -> gpd.GeoDataFrame:
    if not rows:
        return _empty_sites()
    frame = pd.DataFrame(
        [{"site_id": _site_id(r.row), **r.values} for r in rows],
        columns=list(REGISTRY_COLUMNS),
    )
    sites = gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=settings.CRS_STORAGE,
    )
    placed = assign_areas(sites, boundaries_dir=boundaries_dir)
    return placed[[*REGISTRY_COLUMNS, "geometry", *AREA_COLUMNS]]


def _empty_sites() -> gpd.GeoDataFrame:
    columns = {c: pd.Series(dtype="str") for c in (*REGISTRY_COLUMNS, *AREA_COLUMNS)}
    columns["lat"] = pd.Series(dtype=float)
    columns["lon"] = pd.Series(dtype=float)
    columns["capabilities"] = pd.Series(dtype=object)
    frame = pd.DataFrame(columns)
    sites = gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries([], crs=settings.CRS_STORAGE), crs=settings.CRS_STORAGE
    )
    return sites[[*REGISTRY_COLUMNS, "geometry", *AREA_COLUMNS]]


def _note_outside_midlands(sites: gpd.GeoDataFrame, problems: list[UploadProblem]) -> None:
    if sites.empty:
        return
    outside = sites[sites["lad_code"] == ""]
    for site_id, lat, lon in zip(outside["site_id"], outside["lat"], outside["lon"], strict=True):
        problems.append(
            UploadProblem(
                int(str(site_id).removeprefix("upload-")),
                str(site_id),
                "lat/lon",
                f"{lat:g}, {lon:g}",
                f"place the site outside the Midlands (over "
                f"{settings.OUTLINE_TOLERANCE_M / 1000:.0f} km beyond its boundary), so it has "
                "no Midlands authority; it is still shown",
                kept=True,
            )
        )


# --------------------------------------------------------------------------------------------
# Small helpers


def _pair(mapping: Mapping[str, str], system: str) -> str:
    """Return the coordinate columns' names as the file has them, e.g. "Latitude/Longitude"."""
    first, second = ("easting", "northing") if system == "bng" else ("lat", "lon")
    return f"{mapping.get(first, first)}/{mapping.get(second, second)}"


def _site_id(row: int) -> str:
    return f"upload-{row}"


def _refused(problems: Iterable[Problem]) -> bool:
    return any(p.row == WHOLE_FILE and not _kept(p) for p in problems)


def _kept(problem: Problem) -> bool:
    return bool(getattr(problem, "kept", False))


def _what(problem: Problem) -> str:
    """Return a problem without its row: "lat 'abc' is not a number; ..."."""
    value = problem.value
    if not value:
        return f"{problem.field} {problem.message}"
    shown = value if _looks_numeric(value) else repr(value)
    return f"{problem.field} {shown} {problem.message}"


def _shown(value: str) -> str:
    """Cut a value for a message (the problems CSV keeps the whole row)."""
    return value if len(value) <= _SHOWN_VALUE else value[: _SHOWN_VALUE - 1] + "…"


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


# --------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    """Check an upload from the command line: list its problems, optionally write the CSV."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.uploads",
        description="Read a CSV, .xlsx or GeoJSON list of sites and list every problem.",
    )
    parser.add_argument("file", help="the file to check")
    parser.add_argument("--problems", help="write the rows left out to this CSV")
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"choose the column of a field ({', '.join(UPLOAD_FIELDS)})",
    )
    parser.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    column_map: dict[str, str | None] = {}
    for item in args.map:
        field_name, _, column = item.partition("=")
        column_map[field_name.strip()] = column
    table = read_table(args.file)
    sites, problems = read_user_sites(table, column_map=column_map, boundaries_dir=args.boundaries)
    for problem in problems:
        print(("note  " if _kept(problem) else "error ") + str(problem))
    left_out = {p.row for p in problems if not _kept(p) and p.row != WHOLE_FILE}
    print(f"{args.file}: {len(sites)} site(s) kept, {len(left_out)} row(s) left out")
    if args.problems:
        Path(args.problems).write_bytes(problems_csv(table, problems))
        print(f"rows left out written to {args.problems}")
    return 1 if _refused(problems) or left_out else 0


if __name__ == "__main__":
    sys.exit(main())
