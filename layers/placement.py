"""Placing sites in the Midlands' areas: the area columns and the ward join that fills them.

The registry (:mod:`layers.sites`) and user uploads (:mod:`layers.uploads`) both give their
sites the same columns, so this is their shared home: neither has to import the other for it.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

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
    sites: gpd.GeoDataFrame, *, boundaries_dir: str | Path = settings.BOUNDARIES_DIR
) -> gpd.GeoDataFrame:
    """Add each site's ward-derived areas (:data:`AREA_COLUMNS`) by spatial join.

    The join uses the 200 m wards, the finest layer at hand; a site just outside every ward
    (on a coast the generalised boundary clips) takes the nearest ward within the outline
    tolerance; a site farther out gets empty area columns.
    """
    wards = boundaries.load_layer("wards", directory=boundaries_dir).to_crs(settings.CRS_METRIC)
    wards = wards.rename(columns={"code": "ward_code", "name": "ward_name"})
    wards = wards[["geometry", *AREA_COLUMNS]]
    points = sites.drop(columns=[c for c in AREA_COLUMNS if c in sites.columns]).to_crs(
        settings.CRS_METRIC
    )
    points = points.reset_index(drop=True)
    inside = gpd.sjoin(points, wards, how="left", predicate="within")
    inside = inside[~inside.index.duplicated(keep="first")]
    unplaced = inside["lad_code"].isna()
    if unplaced.any():
        nearest = gpd.sjoin_nearest(
            points[unplaced.to_numpy()],
            wards,
            how="left",
            max_distance=settings.OUTLINE_TOLERANCE_M,
        )
        nearest = nearest[~nearest.index.duplicated(keep="first")]
        inside.loc[nearest.index, list(AREA_COLUMNS)] = nearest[list(AREA_COLUMNS)]
    placed = inside.drop(columns=["index_right"], errors="ignore")
    placed[list(AREA_COLUMNS)] = placed[list(AREA_COLUMNS)].fillna("").astype(str)
    return gpd.GeoDataFrame(placed, geometry="geometry", crs=settings.CRS_METRIC).to_crs(
        settings.CRS_STORAGE
    )
