"""GeoJSON exports (RFC 7946): one FeatureCollection per layer, with a ``metadata`` member."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

import settings
from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping.credits import json_value
from mapping.exports.metadata import selection_metadata
from mapping.exports.tables import LAYER_NAMES, export_layers, rfc7946_geometries


def feature_collection(
    layer: gpd.GeoDataFrame,
    *,
    metadata: Mapping[str, Any],
    id_column: str | None = None,
) -> dict[str, Any]:
    """Return ``layer`` as an RFC 7946 FeatureCollection with a ``metadata`` foreign member.

    Longitude, latitude in WGS84, at most 6 decimals, exterior rings counter-clockwise, no
    ``crs`` member; an empty geometry becomes ``null``; NaN becomes ``null``.
    """
    wgs84 = layer.to_crs(settings.CRS_STORAGE)
    shapes = rfc7946_geometries(wgs84.geometry.to_numpy())
    records = pd.DataFrame(wgs84.drop(columns=wgs84.geometry.name)).to_dict("records")
    features = []
    for record, shape in zip(records, shapes, strict=True):
        feature: dict[str, Any] = {"type": "Feature"}
        if id_column is not None:
            feature["id"] = json_value(record[id_column])
        feature["geometry"] = None if shape is None else shape.__geo_interface__
        feature["properties"] = {str(k): json_value(v) for k, v in record.items()}
        features.append(feature)
    return {"type": "FeatureCollection", "metadata": dict(metadata), "features": features}


def geojson_collections(selection: Selection) -> dict[str, dict[str, Any]]:
    """Return each layer of the selection as a FeatureCollection (sites, corridor, areas).

    The corridor collection is present (and empty, with a note) when there is no belt, so a
    bid pack always has the same files.
    """
    metadata = selection_metadata(selection)
    layers = export_layers(selection)
    collections = {
        name: feature_collection(
            frame,
            metadata={**metadata, "layer": name},
            id_column="site_id" if name == "sites" else ("code" if name == "areas" else None),
        )
        for name, frame in layers.items()
    }
    if "corridor" not in collections:
        collections["corridor"] = {
            "type": "FeatureCollection",
            "metadata": {
                **metadata,
                "layer": "corridor",
                "note": "no Defence Belt was computed for this export",
            },
            "features": [],
        }
    return {name: collections[name] for name in LAYER_NAMES}


def geojson_text(collection: Mapping[str, Any]) -> str:
    """Return a FeatureCollection as UTF-8 GeoJSON text (compact, non-ASCII kept)."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def write_geojson(selection: Selection, path: str | Path, *, layer: str = "sites") -> Path:
    """Write one layer of the selection as GeoJSON; return the path."""
    if layer not in LAYER_NAMES:
        raise ValueError(f"unknown layer {layer!r}; choose one of {', '.join(LAYER_NAMES)}")
    text = geojson_text(geojson_collections(selection)[layer])
    atomic_write_bytes(path, text.encode("utf-8"))
    return Path(path)
