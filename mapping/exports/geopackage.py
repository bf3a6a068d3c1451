"""The GeoPackage export: a table per layer and a ``metadata`` table of key, value rows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from layers._io import atomic_write
from layers.selection import Selection
from mapping.credits import flat_metadata, selection_caption
from mapping.exports.metadata import selection_metadata
from mapping.exports.tables import export_layers, rfc7946_geometries


def write_gpkg(selection: Selection, path: str | Path) -> Path:
    """Write the selection as one GeoPackage: a table per layer and a ``metadata`` table."""
    import pyogrio  # noqa: PLC0415 (GDAL is loaded only for this format)

    metadata = selection_metadata(selection)
    layers = export_layers(selection)
    table = metadata_table(metadata)
    caption = selection_caption(selection)

    def write(tmp: Path) -> None:
        for name, frame in layers.items():
            gis = frame.copy()
            gis.geometry = rfc7946_geometries(gis.geometry.to_numpy())
            pyogrio.write_dataframe(
                gis,
                tmp,
                layer=name,
                driver="GPKG",
                layer_options={"DESCRIPTION": f"{name}: {caption}"},
            )
        pyogrio.write_dataframe(table, tmp, layer="metadata", driver="GPKG")

    atomic_write(path, write)
    return Path(path)


def metadata_table(metadata: Mapping[str, Any]) -> pd.DataFrame:
    """Return metadata as a ``key``, ``value`` table (nested values as JSON text)."""
    rows = []
    for key, value in flat_metadata(metadata):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append({"key": key, "value": text})
    return pd.DataFrame(rows, columns=["key", "value"])
