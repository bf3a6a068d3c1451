"""Placing an upload's rows: degrees from grid metres, swapped pairs, the UK check, the areas."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import settings
from layers._metric import transformer
from layers.placement import AREA_COLUMNS, REGISTRY_COLUMNS, assign_areas
from layers.uploads import limits
from layers.uploads._coordinates import BNG, pair
from layers.uploads._problems import WHOLE_FILE, UploadProblem, site_id
from layers.uploads._rows import ParsedRow

#: The columns of every uploaded site table, in order.
SITE_COLUMNS: tuple[str, ...] = (*REGISTRY_COLUMNS, "geometry", *AREA_COLUMNS)


def place(
    rows: list[ParsedRow],
    mapping: Mapping[str, str],
    problems: list[UploadProblem],
    *,
    boundaries_dir: str | Path,
) -> list[ParsedRow]:
    """Convert to lon/lat, swap back swapped pairs, and leave out points outside the UK."""
    if not rows:
        return []
    to_metric = transformer(settings.CRS_STORAGE, settings.CRS_METRIC)
    to_degrees = transformer(settings.CRS_METRIC, settings.CRS_STORAGE)
    outline = _uk_outline(boundaries_dir)
    inside = _in_uk_test(outline, to_metric)
    xs = np.array([r.x for r in rows], dtype=float)
    ys = np.array([r.y for r in rows], dtype=float)
    grid = np.array([r.system == BNG for r in rows])
    lon, lat = xs.copy(), ys.copy()
    if grid.any():
        lon[grid], lat[grid] = to_degrees.transform(xs[grid], ys[grid])
    ok = inside(lon, lat)
    swapped_lon, swapped_lat = ys.copy(), xs.copy()
    if grid.any():
        swapped_lon[grid], swapped_lat[grid] = to_degrees.transform(ys[grid], xs[grid])
    plausible = (np.abs(swapped_lat) <= 90) & (np.abs(swapped_lon) <= 180)
    swap = ~ok & plausible
    if swap.any():
        swap[swap] = inside(swapped_lon[swap], swapped_lat[swap])
    kept: list[ParsedRow] = []
    for index, row in enumerate(rows):
        columns = pair(mapping, row.system)
        names = ("easting", "northing") if row.system == BNG else ("lat", "lon")
        given = f"{row.x:g}, {row.y:g}" if row.system == BNG else f"{row.y:g}, {row.x:g}"
        if swap[index]:
            problems.append(
                UploadProblem(
                    row.row,
                    site_id(row.row),
                    columns,
                    given,
                    f"look swapped: as given the point is outside the UK, swapped it is inside; "
                    f"{names[0]} and {names[1]} were swapped back (check the columns)",
                    kept=True,
                )
            )
            lon[index], lat[index] = swapped_lon[index], swapped_lat[index]
        elif not ok[index]:
            problems.append(
                UploadProblem(
                    row.row,
                    site_id(row.row),
                    columns,
                    given,
                    f"put the site outside the United Kingdom (lat {lat[index]:.4f}, lon "
                    f"{lon[index]:.4f}); check the coordinates and that the columns are the "
                    "right ones",
                )
            )
            continue
        row.values["lat"] = round(float(lat[index]), 6)
        row.values["lon"] = round(float(lon[index]), 6)
        kept.append(row)
    if outline is None:
        problems.insert(
            0,
            UploadProblem(
                WHOLE_FILE,
                "",
                "boundaries",
                str(boundaries_dir),
                "have no UK outline (raw/countries.geojson), so points were checked against "
                "the UK's bounding box only; rebuild the boundaries to check the coastline",
                kept=True,
            ),
        )
    return kept


def to_sites(rows: list[ParsedRow], *, boundaries_dir: str | Path) -> gpd.GeoDataFrame:
    """Return placed rows as sites: the registry's columns (blank when not given), areas."""
    if not rows:
        return empty_sites()
    blank = dict.fromkeys(REGISTRY_COLUMNS, "")
    frame = pd.DataFrame(
        [{**blank, **r.values, "site_id": site_id(r.row)} for r in rows],
        columns=list(REGISTRY_COLUMNS),
    )
    sites = gpd.GeoDataFrame(
        frame,
        geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
        crs=settings.CRS_STORAGE,
    )
    placed = assign_areas(sites, boundaries_dir=boundaries_dir)
    return placed[list(SITE_COLUMNS)]


def empty_sites() -> gpd.GeoDataFrame:
    """Return an upload with no sites, with every column and its type."""
    columns = {c: pd.Series(dtype="str") for c in (*REGISTRY_COLUMNS, *AREA_COLUMNS)}
    columns["lat"] = pd.Series(dtype=float)
    columns["lon"] = pd.Series(dtype=float)
    columns["capabilities"] = pd.Series(dtype=object)
    frame = pd.DataFrame(columns)
    sites = gpd.GeoDataFrame(
        frame, geometry=gpd.GeoSeries([], crs=settings.CRS_STORAGE), crs=settings.CRS_STORAGE
    )
    return sites[list(SITE_COLUMNS)]


def note_outside_midlands(sites: gpd.GeoDataFrame, problems: list[UploadProblem]) -> None:
    """Note the sites the area join left without a Midlands authority (they are still shown)."""
    if sites.empty:
        return
    outside = sites[sites["lad_code"] == ""]
    for name, lat, lon in zip(outside["site_id"], outside["lat"], outside["lon"], strict=True):
        problems.append(
            UploadProblem(
                int(str(name).removeprefix("upload-")),
                str(name),
                "lat/lon",
                f"{lat:g}, {lon:g}",
                f"place the site outside the Midlands (over "
                f"{settings.OUTLINE_TOLERANCE_M / 1000:.0f} km beyond its boundary), so it has "
                "no Midlands authority; it is still shown",
                kept=True,
            )
        )


def _in_uk_test(
    outline: shapely.Geometry | None, to_metric: Transformer
) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def inside(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        finite = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) <= 90) & (np.abs(lon) <= 180)
        result = np.zeros(len(lon), dtype=bool)
        if outline is None:
            west, south, east, north = limits.UK_BOUNDS
            result[finite] = (
                (lon[finite] >= west)
                & (lon[finite] <= east)
                & (lat[finite] >= south)
                & (lat[finite] <= north)
            )
            return result
        x, y = to_metric.transform(lon[finite], lat[finite])
        result[finite] = shapely.contains_xy(outline, x, y)
        return result

    return inside


def _uk_outline(boundaries_dir: str | Path) -> shapely.Geometry | None:
    """Return the UK's land buffered by ``UK_TOLERANCE_M`` (EPSG:27700), or None."""
    path = Path(boundaries_dir) / settings.RAW_DIR_NAME / "countries.geojson"
    if not path.is_file():
        return None
    return _read_uk_outline(str(path), path.stat().st_mtime, limits.UK_TOLERANCE_M)


@cache
def _read_uk_outline(path: str, modified: float, tolerance_m: float) -> shapely.Geometry:
    # ``modified`` and ``tolerance_m`` are part of the cache key so a rebuilt layer is read again
    countries = gpd.read_file(path)
    if countries.crs is None:
        countries = countries.set_crs(settings.CRS_STORAGE)
    land = shapely.union_all(shapely.make_valid(countries.to_crs(settings.CRS_METRIC).geometry))
    outline = shapely.buffer(land, tolerance_m)
    shapely.prepare(outline)
    return outline
