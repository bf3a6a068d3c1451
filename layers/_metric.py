"""Sites in the British National Grid, where the clusters and the belt measure every distance."""

from __future__ import annotations

import geopandas as gpd

import settings


def check_positive_km(name: str, value: float) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``value`` is a positive number of km."""
    if not value > 0:
        raise ValueError(f"{name} must be a positive number of kilometres, got {value!r}")


def metric_points(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the sites with a position in EPSG:27700, in a fixed order (site id, then position).

    A stable order makes DBSCAN's border-point assignment, and so every cluster and belt built
    from it, the same however the sites were sorted.
    """
    if not isinstance(sites, gpd.GeoDataFrame):
        raise TypeError(
            f"sites must be a GeoDataFrame, got {type(sites).__name__}; load them with "
            "layers.sites.load_sites"
        )
    if sites.crs is None:
        raise ValueError(
            "sites have no CRS; set it first, e.g. sites.set_crs('EPSG:4326') for lat/lon"
        )
    points = sites[~sites.geometry.isna() & ~sites.geometry.is_empty].to_crs(settings.CRS_METRIC)
    points = points.assign(_x=points.geometry.x, _y=points.geometry.y)
    order = ["site_id", "_x", "_y"] if "site_id" in points.columns else ["_x", "_y"]
    points = points.sort_values(order, kind="mergesort")
    return points.drop(columns=["_x", "_y"])
