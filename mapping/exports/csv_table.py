"""The CSV export: the selected sites as a spreadsheet-safe table, with a metadata side file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping.credits import export_metadata
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
    """Return where a CSV's metadata side file goes: ``sites.csv`` -> ``sites.metadata.json``."""
    target = Path(path)
    return target.with_name(f"{target.stem}.metadata.json")


def write_csv(selection: Selection, path: str | Path) -> list[Path]:
    """Write the sites CSV (UTF-8 with a byte-order mark, for spreadsheets) and its side file.

    Returns the CSV's path and the metadata side file's path.
    """
    atomic_write_bytes(path, sites_csv(selection).encode("utf-8-sig"))
    side = csv_side_file(path)
    text = json.dumps(export_metadata(selection), ensure_ascii=False, indent=2)
    atomic_write_bytes(side, text.encode("utf-8"))
    return [Path(path), side]
