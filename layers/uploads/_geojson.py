"""Reading GeoJSON uploads: a FeatureCollection of points, in WGS84 or British National Grid."""

from __future__ import annotations

import json
from typing import Any

from layers.uploads import limits
from layers.uploads._columns import GEOMETRY_COLUMNS
from layers.uploads._problems import UploadProblem, UploadTable, refusal, shown, site_id
from layers.uploads._table import header_text, no_rows, take_header, too_many_rows


def read_geojson(label: str, data: bytes) -> UploadTable:
    """Read a GeoJSON document's point features into a table (properties are the columns)."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = str(exc)[:200] if not isinstance(exc, RecursionError) else "nested too deeply"
        return refusal(
            label,
            f"is not valid GeoJSON ({detail}); export it again as GeoJSON, or as CSV "
            "with lat and lon columns",
        )
    features, bng = _geojson_features(document)
    if features is None:
        return refusal(
            label,
            "is JSON but not a GeoJSON FeatureCollection of points; export the sites as "
            "GeoJSON points, or as CSV with lat and lon columns",
        )
    table = UploadTable(name=label, format="geojson", header=[])
    if len(features) > limits.MAX_ROWS:
        return too_many_rows(table)
    x_column = GEOMETRY_COLUMNS["easting" if bng else "lon"]
    y_column = GEOMETRY_COLUMNS["northing" if bng else "lat"]
    keys: dict[str, None] = {x_column: None, y_column: None}
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(properties, dict):
            keys.update(dict.fromkeys(header_text(k) or "property" for k in properties))
            if len(keys) > limits.MAX_COLUMNS + 2:
                break
    if not take_header(table, [*keys]):
        return table
    for row, feature in enumerate(features, start=1):
        record = dict.fromkeys(table.header, "")
        properties = feature.get("properties") if isinstance(feature, dict) else None
        for key, value in properties.items() if isinstance(properties, dict) else ():
            column = header_text(key) or "property"
            if column in record and column not in (x_column, y_column):
                record[column] = _json_text(value)
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        problem = _point_cells(geometry, record, x_column, y_column)
        if problem:
            table.problems.append(
                UploadProblem(row, site_id(row), "geometry", problem[0], problem[1])
            )
        table.records.append((row, record))
    if not table.records:
        table.problems.append(no_rows(label))
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
        return shown(_json_text(geometry)), "is not a GeoJSON geometry object"
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind != "Point":
        return (
            str(kind)[:40],
            "is not a Point; only points can be shown as sites: give each site a point "
            "(or its lat and lon)",
        )
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return shown(_json_text(coordinates)), "is a Point without two coordinates"
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
