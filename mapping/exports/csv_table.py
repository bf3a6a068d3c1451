"""The CSV export: the selected sites as a spreadsheet-safe table, with CSVW metadata.

The W3C CSV on the Web metadata file beside it (``<name>.csv-metadata.json``, which CSVW
tools find by that name): its title, attribution, licences, sources, data version, the
year it counts for, the chosen areas and every column's type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping.credits import PRODUCT, credit_text
from mapping.exports.metadata import selection_metadata
from mapping.exports.tables import site_table

#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def sites_csv(selection: Selection) -> str:
    """Return the selected sites as CSV text: lat/lon, authority columns and capability flags.

    A text cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that a
    spreadsheet shows it rather than running it as a formula.
    """
    table = site_table(selection.sites)
    text_columns = [
        c
        for c in table.columns
        if not (pd.api.types.is_bool_dtype(table[c]) or pd.api.types.is_numeric_dtype(table[c]))
    ]
    for column in text_columns:
        table[column] = table[column].map(_spreadsheet_safe)
    return str(table.to_csv(index=False, lineterminator="\n"))


def _spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_side_file(path: str | Path) -> Path:
    """Return where a CSV's metadata file goes: ``x.csv`` -> ``x.csv-metadata.json`` (CSVW)."""
    target = Path(path)
    return target.with_name(f"{target.name}-metadata.json")


def _datatype(column: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(column):
        return "boolean"
    if pd.api.types.is_numeric_dtype(column):
        return "number"
    return "string"


def csvw_metadata(selection: Selection, csv_name: str) -> dict[str, Any]:
    """Return the W3C CSV on the Web metadata of the sites CSV called ``csv_name``.

    The table's common properties carry the provenance (``dc:`` and ``schema:`` terms of the
    CSVW context); ``mdm:export`` keeps every field of the export's metadata as it is.
    """
    metadata = selection_metadata(selection)
    table = site_table(selection.sites)
    columns = [
        {"name": name, "titles": name, "datatype": _datatype(table[name])} for name in table.columns
    ]
    return {
        "@context": ["http://www.w3.org/ns/csvw", {"@language": "en"}],
        "url": csv_name,
        "dc:title": metadata["title"],
        "dc:description": f"Sites selected by {metadata['filters']['description']}.",
        "dc:creator": PRODUCT,
        "dc:created": {"@value": metadata["created"], "@type": "xsd:dateTime"},
        "dc:license": metadata["licences"],
        "dc:rights": credit_text(list(metadata["attribution"])),
        "dc:source": metadata["sources"],
        "dc:spatial": [f"{a['name']} ({a['code']})" for a in metadata["areas"]],
        "dc:temporal": metadata["as_of"],
        "schema:version": metadata["data_version"],
        "prov:wasGeneratedBy": metadata["filters"]["command"],
        "dialect": {"encoding": "utf-8", "header": True},
        "tableSchema": {"columns": columns, "primaryKey": "site_id"},
        "notes": [{"mdm:export": metadata}],
    }


def write_csv(selection: Selection, path: str | Path) -> list[Path]:
    """Write the sites CSV (UTF-8 with a byte-order mark, for spreadsheets) and its CSVW file.

    Returns the CSV's path and the metadata file's path (``<name>.csv-metadata.json``).
    """
    atomic_write_bytes(path, sites_csv(selection).encode("utf-8-sig"))
    side = csv_side_file(path)
    atomic_write_bytes(side, csvw_json(selection, Path(path).name).encode("utf-8"))
    return [Path(path), side]


def csvw_json(selection: Selection, csv_name: str) -> str:
    """Return :func:`csvw_metadata` as JSON text."""
    return json.dumps(csvw_metadata(selection, csv_name), ensure_ascii=False, indent=2)
