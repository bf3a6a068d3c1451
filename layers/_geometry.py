"""Small geometry helpers shared by the boundary builder and the Defence Belt."""

from __future__ import annotations

import shapely


def polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of a (repaired) geometry.

    ``shapely.make_valid`` and overlays can return a GeometryCollection holding lines and
    points beside the polygons (and MultiPolygons inside it); this returns the polygons alone,
    dissolved, as a Polygon or MultiPolygon (an empty Polygon when there are none).
    """
    if isinstance(geometry, shapely.Polygon | shapely.MultiPolygon):
        return geometry
    parts = [
        part
        for part in shapely.get_parts(shapely.get_parts(geometry))
        if isinstance(part, shapely.Polygon) and not part.is_empty
    ]
    if not parts:
        return shapely.Polygon()
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)
