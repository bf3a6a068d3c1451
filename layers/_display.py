"""The boundaries' display versions: simplified as coverages for the web map, and the basemap.

Coverage simplification moves each shared edge once for both neighbours, so no gaps or overlaps
open between them (a per-polygon simplify would); parents are dissolved from the simplified LADs
and inherit that. Coordinates are snapped to a grid of ``settings.DISPLAY_GRID_DEG`` degrees.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import shapely

import settings
from layers import areas
from layers._geometry import polygonal

_WARD_TOLERANCE_M = 50.0
#: The offline basemap's land: how far around the Midlands, and how coarse.
_BASEMAP_MARGIN_M = 250_000.0
_BASEMAP_TOLERANCE_M = 800.0


def display_layers(layers: dict[str, gpd.GeoDataFrame]) -> dict[str, gpd.GeoDataFrame]:
    """Return the display version of every built layer (EPSG:27700 in, EPSG:4326 out).

    LADs and wards are simplified as coverages; counties, combined authorities, regions and the
    Midlands outline are dissolved again from the simplified LADs, so they share their borders.
    """
    lads = layers["lads"].copy()
    lads["geometry"] = _coverage_for_web(lads.geometry.values, settings.DISPLAY_TOLERANCE_M)
    wards = layers["wards"].copy()
    wards["geometry"] = _coverage_for_web(wards.geometry.values, _WARD_TOLERANCE_M)
    display = {"wards": wards, "lads": lads}
    parents = [level for name, level in areas.AUTHORITY_LEVELS.items() if name != "lad"]
    for level in parents:
        frame = layers[level.layer].copy()
        unions = {
            code: shapely.union_all(group.geometry.values)
            for code, group in lads.groupby(level.code_column)
        }
        frame["geometry"] = [unions[code] for code in frame["code"]]
        display[level.layer] = frame
    outline = layers["midlands"].copy()
    outline["geometry"] = [shapely.union_all(lads.geometry.values)]
    display["midlands"] = outline
    return {
        name: gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.CRS_STORAGE)
        for name, frame in display.items()
    }


def basemap_land(countries: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the UK's countries around the Midlands, simplified: the offline basemap's land."""
    window = shapely.box(*midlands.total_bounds).buffer(_BASEMAP_MARGIN_M)
    land = countries[["CTRY22CD", "CTRY22NM", "geometry"]].rename(
        columns={"CTRY22CD": "code", "CTRY22NM": "name"}
    )
    land["geometry"] = shapely.intersection(land.geometry.values, window)
    land = land[~land.is_empty].reset_index(drop=True)
    land["geometry"] = _coverage_for_web(land.geometry.values, _BASEMAP_TOLERANCE_M)
    return gpd.GeoDataFrame(land, geometry="geometry", crs=settings.CRS_STORAGE)


def _coverage_for_web(geometries: Any, tolerance_m: float) -> list[shapely.Geometry]:
    simplified = shapely.coverage_simplify(geometries, tolerance_m)
    series = gpd.GeoSeries(simplified, crs=settings.CRS_METRIC).to_crs(settings.CRS_STORAGE)
    snapped = shapely.set_precision(series.values, settings.DISPLAY_GRID_DEG)
    return [polygonal(shapely.make_valid(g)) for g in snapped]
