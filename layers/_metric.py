"""Sites in the British National Grid, where the clusters and the belt measure every distance.

:func:`transformer` is the one place a ``pyproj.Transformer`` is built: one per pair of CRSs,
made once and shared.
"""

from __future__ import annotations

import functools

import geopandas as gpd
from pyproj import CRS, Transformer

import settings


@functools.cache
def transformer(
    source: str | int = settings.CRS_STORAGE, target: str | int = settings.CRS_METRIC
) -> Transformer:
    """Return the transformer from ``source`` to ``target`` (lon/lat order for EPSG:4326).

    One transformer is built per pair of CRSs, the first time it is asked for, and shared by
    every caller after that (pyproj's transformers are safe to share between threads). The
    default pair is storage to metric: EPSG:4326 to EPSG:27700.
    """
    return _by_name(
        CRS.from_user_input(source).to_string(), CRS.from_user_input(target).to_string()
    )


@functools.cache
def _by_name(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


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
