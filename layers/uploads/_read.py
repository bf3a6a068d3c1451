"""Reading an uploaded file: its bytes, its size, its format, then the format's own reader."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import IO, Any

from layers.uploads import limits
from layers.uploads._csv import read_csv
from layers.uploads._geojson import read_geojson
from layers.uploads._problems import UploadTable, megabytes, refusal
from layers.uploads._xlsx import read_xlsx

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
        return refusal(
            label,
            f"is larger than {megabytes(limits.MAX_FILE_BYTES)}, the upload limit; split it "
            "into smaller files, or keep only the columns and rows of the sites to show",
        )
    if not data.strip():
        return refusal(
            label, "is empty: it has no header and no rows; choose the file with the sites"
        )
    kind = _detect_format(label, data)
    if kind == "xlsx":
        return read_xlsx(label, data)
    if kind == "geojson":
        return read_geojson(label, data)
    if kind == "csv":
        return read_csv(label, data)
    return refusal(
        label,
        f"is a kind of file that cannot be read ({kind}); save it as CSV (UTF-8), Excel .xlsx "
        "or GeoJSON and upload that",
    )


def _read_bytes(file: str | Path | bytes | IO[bytes], name: str | None) -> tuple[str, bytes | None]:
    """Return the file's name and bytes (None when it is over the size limit)."""
    most = limits.MAX_FILE_BYTES
    if isinstance(file, str | Path):
        path = Path(file)
        label = Path(name or path.name).name
        if path.stat().st_size > most:
            return label, None
        return label, path.read_bytes()
    if isinstance(file, bytes | bytearray | memoryview):
        data = bytes(file)
        label = Path(name or "upload").name
    elif hasattr(file, "read"):
        if getattr(file, "seekable", lambda: False)():
            file.seek(0)
        content: Any = file.read(most + 1)
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        label = Path(name or str(getattr(file, "name", "") or "upload")).name
    else:
        raise TypeError(
            f"read_user_sites takes a path, bytes or a binary file, not {type(file).__name__}"
        )
    return label, (None if len(data) > most else data)


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
