"""The belt's shape: the spine buffered, smoothed and clipped to the Midlands outline."""

from __future__ import annotations

import geopandas as gpd
import shapely

import settings
from layers import boundaries
from layers._geometry import polygonal

# Buffers are drawn with this many segments per quarter circle: smooth at map scale, cheap.
_QUAD_SEGMENTS = 16


def outline_shape(outline: gpd.GeoDataFrame | None) -> shapely.Geometry:
    """Return the Midlands outline (default: the built ``midlands`` layer) in EPSG:27700."""
    frame = boundaries.load_layer("midlands") if outline is None else outline
    if frame.crs is None:
        raise ValueError("outline has no CRS; pass boundaries.load_layer('midlands', ...)")
    shape = shapely.union_all(frame.to_crs(settings.CRS_METRIC).geometry.to_numpy())
    if shape.is_empty:
        raise ValueError("outline is empty; pass boundaries.load_layer('midlands', ...)")
    return shape


def belt_around(
    spine: shapely.Geometry, shape: shapely.Geometry, width_m: float
) -> shapely.Geometry:
    """Return the belt ``width_m`` wide around ``spine``, clipped to ``shape`` (EPSG:27700)."""
    if spine.is_empty:
        return shapely.Polygon()
    half = width_m / 2.0
    belt = spine.buffer(half, quad_segs=_QUAD_SEGMENTS)
    # Closing (grow, then shrink by the same distance) rounds the notches where links meet and
    # never removes area, so a wider belt still holds every site a narrower one did.
    belt = belt.buffer(half, quad_segs=_QUAD_SEGMENTS).buffer(-half, quad_segs=_QUAD_SEGMENTS)
    return polygonal(shapely.make_valid(belt.intersection(shape)))


def clip_spine(spine: shapely.Geometry, shape: shapely.Geometry) -> shapely.Geometry:
    """Return the parts of the spine inside ``shape`` as one (multi)line."""
    if spine.is_empty:
        return shapely.LineString()
    clipped = spine.intersection(shape)
    # a spine wholly outside clips to an empty line, which is no part to draw
    lines = [
        g
        for g in shapely.get_parts(clipped)
        if isinstance(g, shapely.LineString) and not g.is_empty
    ]
    return shapely.line_merge(shapely.MultiLineString(lines)) if lines else shapely.LineString()
