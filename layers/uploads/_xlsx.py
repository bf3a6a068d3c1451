"""Reading Excel ``.xlsx`` uploads: the first sheet, with zip-bomb and XML-attack guards.

openpyxl parses the workbook's XML with ``defusedxml`` when it is installed (it is pinned in
``requirements.txt``), which refuses entity-expansion ("billion laughs") and external-entity
tricks; :data:`~layers.uploads.limits.MAX_UNPACKED_BYTES` refuses a zip that would unpack to
too much before any XML is read.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from defusedxml import DefusedXmlException

from layers.uploads import limits
from layers.uploads._problems import (
    UploadTable,
    file_problem,
    megabytes,
    refusal,
    refused,
    shown,
)
from layers.uploads._table import Collector, no_rows

logger = logging.getLogger(__name__)

_UNSAFE_XML = (
    "was refused: its XML declares entities or a document type ({}), which real Excel files "
    "never do and XML attacks rely on; open it in Excel and save it again, or save it as CSV"
)


def read_xlsx(label: str, data: bytes) -> UploadTable:
    """Read a workbook's first sheet into a table, with the problems found on the way."""
    import openpyxl  # noqa: PLC0415 (only Excel uploads need it)

    refusal_ = _xlsx_refusal(label, data)
    if refusal_ is not None:
        return refusal_
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        unsafe = _defused(exc)
        if unsafe is not None:
            logger.warning("refused XML in %s: %s", label, unsafe)
            return refusal(label, _UNSAFE_XML.format(unsafe))
        logger.info("could not open %s as a workbook", label, exc_info=True)
        return refusal(
            label,
            f"could not be opened as an Excel workbook ({type(exc).__name__}); open it in "
            "Excel and save it again as .xlsx, or save it as CSV",
        )
    table = UploadTable(name=label, format="xlsx", header=[])
    try:
        _read_first_sheet(table, workbook.worksheets)
    except Exception as exc:  # a damaged sheet fails while it is read
        unsafe = _defused(exc)
        logger.info("could not read %s", label, exc_info=True)
        table.problems.append(
            file_problem(
                label,
                _UNSAFE_XML.format(unsafe)
                if unsafe
                else f"could not be read to the end ({type(exc).__name__}); open it in Excel "
                "and save it again, or save it as CSV",
            )
        )
    finally:
        workbook.close()
    if refused(table.problems):
        return table
    if not table.header:
        return refusal(label, "has an empty first sheet; put the sites on the first sheet")
    if not table.records:
        table.problems.append(no_rows(label))
    return table


def _defused(exc: BaseException | None) -> str | None:
    """Return the name of the defusedxml refusal behind ``exc`` (openpyxl wraps it), or None."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return type(exc).__name__
        exc = exc.__cause__ or exc.__context__
    return None


def _xlsx_refusal(label: str, data: bytes) -> UploadTable | None:
    """Refuse a workbook that is not a zip, or that would unpack to too much."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile as exc:
        return refusal(label, f"is not a readable Excel workbook ({exc}); save it again")
    if unpacked > limits.MAX_UNPACKED_BYTES:
        return refusal(
            label,
            f"would unpack to {megabytes(unpacked)}, over the "
            f"{megabytes(limits.MAX_UNPACKED_BYTES)} limit; save only the sheet with the "
            "sites, or save it as CSV",
        )
    return None


def _read_first_sheet(table: UploadTable, sheets: Sequence[Any]) -> None:
    if not sheets:
        table.problems.append(file_problem(table.name, "has no sheet; add one with the sites"))
        return
    sheet = sheets[0]
    if len(sheets) > 1:
        others = ", ".join(repr(str(s.title)) for s in sheets[1:])
        table.problems.append(
            file_problem(
                table.name,
                f"has {len(sheets)} sheets; only the first, {sheet.title!r}, was read (not "
                f"{shown(others)}): move the sites to one sheet",
                kept=True,
            )
        )
    collector = Collector(table, delimiter=" | ", strict=False)
    rows = sheet.iter_rows(min_row=1, max_col=limits.MAX_COLUMNS + 1, values_only=True)
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
