"""Placing sites in the Midlands' areas: the area columns and the ward join that fills them.

The registry (:mod:`layers.sites`) and user uploads (:mod:`layers.uploads`) both give their
sites the same columns, so this is their shared home: neither has to import the other for it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

import settings
from layers import boundaries, vocabulary

#: Area columns added to every site by the spatial join (empty where none applies).
AREA_COLUMNS: tuple[str, ...] = (
    "ward_code",
    "ward_name",
    "lad_code",
    "lad_name",
    "county_code",
    "county_name",
    "ca_code",
    "ca_name",
    "region_code",
    "region_name",
)
#: The registry's own columns, in file order (an uploaded site has the same ones).
REGISTRY_COLUMNS: tuple[str, ...] = tuple(f["name"] for f in vocabulary.schema()["fields"])


def assign_areas(
    sites: gpd.GeoDataFrame, *, boundaries_dir: str | Path | None = None
) -> gpd.GeoDataFrame:
    """Add each site's ward-derived areas (:data:`AREA_COLUMNS`) by spatial join.

    The join uses the 200 m wards, the finest layer at hand; a site just outside every ward
    (on a coast the generalised boundary clips) takes the nearest ward within the outline
    tolerance; a site farther out gets empty area columns. A point inside two wards (where
    generalised boundaries overlap) takes the first in the layer. The sites come back in
    EPSG:4326 with a fresh index, their own columns first and the area columns last.
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    wards = boundaries.load_layer("wards", directory=boundaries_dir).to_crs(settings.CRS_METRIC)
    wards = wards.rename(columns={"code": "ward_code", "name": "ward_name"})
    wards = wards[["geometry", *AREA_COLUMNS]].reset_index(drop=True)
    placed = sites.drop(columns=[c for c in AREA_COLUMNS if c in sites.columns])
    placed = placed.to_crs(settings.CRS_STORAGE).reset_index(drop=True)
    # only the points take part in the join: the sites' other columns are never copied
    points = gpd.GeoDataFrame(geometry=placed.geometry.to_crs(settings.CRS_METRIC))
    shapes = wards[["geometry"]]
    ward = _first_ward(gpd.sjoin(points, shapes, how="left", predicate="within"), len(points))
    unplaced = ward < 0
    if unplaced.any():
        nearest = gpd.sjoin_nearest(
            points[unplaced], shapes, how="left", max_distance=settings.OUTLINE_TOLERANCE_M
        )
        ward[unplaced] = _first_ward(nearest, len(points))[unplaced]
    for column in AREA_COLUMNS:
        names = np.append(wards[column].to_numpy(dtype=object), "")
        placed[column] = pd.Series(names[ward], index=placed.index).fillna("").astype(str)
    return placed


def _first_ward(joined: pd.DataFrame, count: int) -> np.ndarray:
    """Return, per point (by position), the first ward a join matched, or -1 for none."""
    first = joined[~joined.index.duplicated(keep="first")]["index_right"].dropna()
    ward = np.full(count, -1, dtype=np.int64)
    ward[first.index.to_numpy()] = first.to_numpy(dtype=np.int64)
    return ward
