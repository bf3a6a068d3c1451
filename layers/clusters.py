"""Clusters of defence sites, and a density surface for a heat layer.

Clusters are found by density (DBSCAN's rule, computed by :mod:`layers._density_groups`, which
does not list every pair of neighbours) on the sites' British National Grid coordinates, so the
radius is in metres everywhere in the region. They are deterministic: the sites are put in a
fixed order first, and clusters are numbered by size, then name.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage

import settings
from layers import vocabulary
from layers._density_groups import density_labels
from layers._metric import check_positive_km, metric_points

logger = logging.getLogger(__name__)

#: Default heat-layer kernel width and grid cell (km).
DENSITY_BANDWIDTH_KM: float = 8.0
DENSITY_CELL_KM: float = 2.0

#: The columns of :func:`find_clusters`' result, in order.
CLUSTER_COLUMNS: tuple[str, ...] = (
    "cluster_id",
    "name",
    "size",
    "site_ids",
    "town",
    "authority",
    "capability_mix",
    "top_capability",
    "kind_mix",
    "centroid_lat",
    "centroid_lon",
    "area_km2",
    "geometry",
)
# A cluster's polygon is its sites' convex hull grown by this fraction of the radius, so a pair
# or a single town still reads as an area on the map without swallowing its neighbours.
_HULL_MARGIN_FRACTION = 0.25


def find_clusters(
    sites: gpd.GeoDataFrame,
    *,
    radius_km: float | None = None,
    min_sites: int | None = None,
) -> gpd.GeoDataFrame:
    """Group sites into density-based clusters and describe each one.

    Parameters
    ----------
    sites
        Sites with point geometries and a CRS (the registry from ``load_sites`` or any
        selection of it). ``town``, ``lad_name``, ``kind``, ``capabilities`` and ``site_id`` are
        used when present.
    radius_km
        DBSCAN's neighbourhood radius in kilometres, measured in EPSG:27700 (default
        ``settings.CLUSTER_RADIUS_KM``).
    min_sites
        The fewest sites (the site itself included) a core site needs within ``radius_km``
        (default ``settings.CLUSTER_MIN_SITES``). Sites that belong to no cluster are left out
        of the result.

    Returns
    -------
    gpd.GeoDataFrame
        One row per cluster in EPSG:4326 (columns :data:`CLUSTER_COLUMNS`), numbered from 1
        by size, largest first. ``capability_mix`` and ``kind_mix`` read like
        ``"combat_air:5;istar:2"`` (most common first); ``name`` is the cluster's dominant
        town, else its dominant authority, made unique with a number; the geometry is the
        sites' convex hull grown by a quarter of the radius; the centroid is the mean of the
        sites' positions. An empty selection gives an empty frame with the same columns.
    """
    radius_km = settings.CLUSTER_RADIUS_KM if radius_km is None else radius_km
    min_sites = settings.CLUSTER_MIN_SITES if min_sites is None else min_sites
    points = metric_points(sites)
    return clusters_of(points, point_labels(points, radius_km, min_sites), radius_km)


def point_labels(points: gpd.GeoDataFrame, radius_km: float, min_sites: int) -> np.ndarray:
    """Return each point's cluster number (from 0) or -1 for noise, by DBSCAN's rule.

    ``points`` are :func:`layers._metric.metric_points`' result (EPSG:27700, in a fixed order).
    """
    check_positive_km("radius_km", radius_km)
    if min_sites < 1:
        raise ValueError(f"min_sites must be at least 1, got {min_sites!r}")
    if points.empty:
        return np.empty(0, dtype=np.int64)
    coordinates = np.column_stack([points.geometry.x, points.geometry.y])
    return density_labels(coordinates, radius_km * 1000.0, min_sites)


def group_count(labels: np.ndarray) -> int:
    """Return how many clusters ``labels`` hold (noise, -1, is none)."""
    return int(np.unique(labels[labels >= 0]).size)


def every_group(labels: np.ndarray, min_sites: int) -> np.ndarray | None:
    """Return the labels of every group of sites within the radius (``min_sites`` 1), if cheap.

    With ``min_sites`` of 1 or 2 no site is a border site: a site with another within the
    radius is core. So the groups of ``min_sites`` 1 are the clusters already found plus each
    noise site on its own, and need no second clustering. Returns None for larger
    ``min_sites`` (cluster again with ``min_sites=1``).
    """
    if min_sites > 2:
        return None
    grouped = labels.copy()
    noise = np.flatnonzero(grouped < 0)
    grouped[noise] = (grouped.max(initial=-1) + 1) + np.arange(len(noise))
    return grouped


def clusters_of(points: gpd.GeoDataFrame, labels: np.ndarray, radius_km: float) -> gpd.GeoDataFrame:
    """Describe the clusters ``labels`` make of ``points`` (see :func:`find_clusters`)."""
    if points.empty:
        return _empty_clusters()
    grouped = labels >= 0
    groups = [group for _, group in points[grouped].groupby(labels[grouped], sort=True)]
    if not groups:
        return _empty_clusters()
    margin_m = radius_km * 1000.0 * _HULL_MARGIN_FRACTION
    described = [_describe(group, margin_m) for group in groups]
    # Number clusters by size, then by their first site, so ids do not depend on DBSCAN's labels.
    described.sort(key=lambda row: (-row["size"], row["site_ids"]))
    _name_uniquely(described)
    for number, row in enumerate(described, start=1):
        row["cluster_id"] = number
    frame = gpd.GeoDataFrame(described, geometry="geometry", crs=settings.CRS_METRIC)
    centroids = gpd.GeoSeries(
        gpd.points_from_xy(frame.pop("centroid_x"), frame.pop("centroid_y")),
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORAGE)
    frame["centroid_lat"] = centroids.y.to_numpy()
    frame["centroid_lon"] = centroids.x.to_numpy()
    return frame[list(CLUSTER_COLUMNS)].to_crs(settings.CRS_STORAGE)


def density_surface(
    sites: gpd.GeoDataFrame,
    *,
    bandwidth_km: float = DENSITY_BANDWIDTH_KM,
    cell_km: float = DENSITY_CELL_KM,
    min_weight: float = 0.05,
) -> pd.DataFrame:
    """Return a smoothed site-density grid for a heat layer.

    The sites are counted on a square grid in EPSG:27700 and smoothed with a Gaussian kernel, so
    the surface costs the same for ten sites or ten thousand.

    Parameters
    ----------
    sites
        Sites with point geometries and a CRS.
    bandwidth_km
        The kernel's standard deviation in kilometres: larger values blur towns together.
    cell_km
        The grid's cell size in kilometres.
    min_weight
        Cells weaker than this fraction of the peak are dropped to keep the layer small.

    Returns
    -------
    pd.DataFrame
        Columns ``lat``, ``lon`` (cell centres, EPSG:4326) and ``weight`` (0..1, the peak is
        1), ready for ``folium.plugins.HeatMap(frame.to_numpy().tolist())``. Empty (with those
        columns) when there are no sites.
    """
    check_positive_km("bandwidth_km", bandwidth_km)
    check_positive_km("cell_km", cell_km)
    if not 0.0 <= min_weight < 1.0:
        raise ValueError(f"min_weight must be in 0..1 (a fraction of the peak), got {min_weight!r}")
    points = metric_points(sites)
    if points.empty:
        return pd.DataFrame({"lat": [], "lon": [], "weight": []}, dtype=float)
    cell_m = cell_km * 1000.0
    # Pad the grid by three kernel widths so the surface fades out instead of being cut off.
    pad_m = 3.0 * bandwidth_km * 1000.0
    xmin, ymin, xmax, ymax = points.total_bounds
    x_edges = np.arange(xmin - pad_m, xmax + pad_m + cell_m, cell_m)
    y_edges = np.arange(ymin - pad_m, ymax + pad_m + cell_m, cell_m)
    counts, _, _ = np.histogram2d(points.geometry.y, points.geometry.x, bins=[y_edges, x_edges])
    smoothed = ndimage.gaussian_filter(counts, sigma=bandwidth_km / cell_km, mode="constant")
    smoothed /= smoothed.max()
    rows, columns = np.nonzero(smoothed >= max(min_weight, 1e-12))
    centres = gpd.GeoSeries(
        gpd.points_from_xy(x_edges[columns] + cell_m / 2, y_edges[rows] + cell_m / 2),
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORAGE)
    return pd.DataFrame(
        {
            "lat": centres.y.to_numpy(),
            "lon": centres.x.to_numpy(),
            "weight": smoothed[rows, columns],
        }
    )


# --------------------------------------------------------------------------------------------
# Helpers


def _mix(counts: Counter[str], known: dict[str, str]) -> str:
    """Format counts as ``"slug:count;..."``, most common first, ties in vocabulary order."""
    rank = {slug: position for position, slug in enumerate(known)}
    ordered = sorted(
        counts.items(), key=lambda item: (-item[1], rank.get(item[0], len(rank)), item[0])
    )
    return ";".join(f"{slug}:{count}" for slug, count in ordered)


def _dominant(values: Iterable[object]) -> tuple[str, int]:
    """Return the most common non-empty value (alphabetical on ties) and its count."""
    counts = _text_counts(values, skip_blank=True)
    if not counts:
        return "", 0
    value, count = min(counts.items(), key=lambda item: (-item[1], item[0]))
    return value, count


def _text_counts(values: Iterable[object], *, skip_blank: bool = False) -> Counter[str]:
    """Count the text values among ``values`` (anything else, such as NaN, is not counted)."""
    series = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    if not isinstance(series.dtype, pd.StringDtype):
        series = series[[isinstance(value, str) for value in series]]
    texts = series.dropna().astype(str)
    if skip_blank:
        texts = texts[texts.str.strip() != ""]
    return Counter({str(value): int(count) for value, count in texts.value_counts().items()})


def _describe(group: gpd.GeoDataFrame, margin_m: float) -> dict[str, Any]:
    size = len(group)
    town, town_count = _dominant(group["town"]) if "town" in group else ("", 0)
    authority, authority_count = _dominant(group["lad_name"]) if "lad_name" in group else ("", 0)
    # A town holding most of the cluster names it; a spread-out cluster takes its authority.
    if town and 2 * town_count >= size:
        name = town
    elif authority and 2 * authority_count >= size:
        name = authority
    else:
        name = town or authority
    capabilities = vocabulary.capability_counts(group.get("capabilities", []))
    kinds = _text_counts(group.get("kind", []))
    positions = shapely.get_coordinates(group.geometry.to_numpy())
    hull = shapely.multipoints(positions).convex_hull.buffer(margin_m)
    top = _mix(capabilities, vocabulary.CAPABILITIES).split(":")[0] if capabilities else ""
    site_ids = (
        ";".join(map(str, group["site_id"].to_numpy(dtype=object))) if "site_id" in group else ""
    )
    return {
        "name": name,
        "size": size,
        "site_ids": site_ids,
        "town": town,
        "authority": authority,
        "capability_mix": _mix(capabilities, vocabulary.CAPABILITIES),
        "top_capability": top,
        "kind_mix": _mix(kinds, vocabulary.KINDS),
        "centroid_x": float(group.geometry.x.mean()),
        "centroid_y": float(group.geometry.y.mean()),
        "area_km2": round(hull.area / 1e6, 3),
        "geometry": hull,
    }


def _name_uniquely(rows: list[dict[str, Any]]) -> None:
    """Give unnamed clusters a number and number repeated names: "Lincoln", "Lincoln (2)"."""
    seen: Counter[str] = Counter()
    for position, row in enumerate(rows, start=1):
        base = str(row["name"]) or f"Cluster {position}"
        seen[base] += 1
        row["name"] = base if seen[base] == 1 else f"{base} ({seen[base]})"


def _empty_clusters() -> gpd.GeoDataFrame:
    columns: dict[str, list[object]] = {name: [] for name in CLUSTER_COLUMNS if name != "geometry"}
    return gpd.GeoDataFrame(
        columns, geometry=gpd.GeoSeries([], crs=settings.CRS_STORAGE), crs=settings.CRS_STORAGE
    )
