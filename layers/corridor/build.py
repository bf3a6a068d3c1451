"""Build the Defence Belt from a selection of sites, and say which sites it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

import settings
from layers._metric import check_positive_km, metric_points
from layers.corridor._belt import belt_around, clip_spine, outline_shape
from layers.corridor._spine import plan_spine

CorridorMode = Literal["straight", "roads"]
MODES: tuple[str, ...] = ("straight", "roads")

#: The columns of :func:`build_corridor`'s result, in order.
CORRIDOR_COLUMNS: tuple[str, ...] = (
    "part",
    "mode",
    "width_km",
    "hub_count",
    "hubs",
    "sites_total",
    "sites_inside",
    "share_inside",
    "length_km",
    "area_km2",
    "note",
    "geometry",
)


def build_corridor(
    sites: gpd.GeoDataFrame,
    *,
    width_km: float | None = None,
    mode: CorridorMode = "straight",
    road_graph: nx.MultiDiGraph | nx.MultiGraph | None = None,
    outline: gpd.GeoDataFrame | None = None,
    hub_radius_km: float | None = None,
    hub_min_sites: int | None = None,
    min_spur_km: float | None = None,
    road_graph_path: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Compute the Defence Belt for a selection of sites.

    Defaults marked "settings" are read from :mod:`settings` when the function is called.

    Parameters
    ----------
    sites
        The selected sites (point geometries with a CRS; ``site_id``, ``town`` and
        ``lad_name`` name the hubs when present).
    width_km
        The belt's full width in kilometres (the spine is buffered by half of it); settings
        ``CORRIDOR_WIDTH_KM``.
    mode
        ``"straight"`` joins hubs by straight links; ``"roads"`` follows motorways and trunk
        roads. Without a road graph, roads mode falls back to straight links and says so in
        ``note``.
    road_graph
        An osmnx road graph (any CRS) for roads mode; when omitted, the GraphML cache at
        ``road_graph_path`` is used if it exists.
    outline
        The Midlands outline to clip to (default: the built ``midlands`` boundary layer).
    hub_radius_km, hub_min_sites
        How hubs are clustered (see :func:`layers.clusters.find_clusters`); settings
        ``CORRIDOR_HUB_RADIUS_KM`` and ``CORRIDOR_HUB_MIN_SITES``. When the sites form no
        cluster, every site is a hub.
    min_spur_km
        Side branches shorter than this, leading to hubs lighter than the one they branch
        from, are pruned from the spine; settings ``CORRIDOR_MIN_SPUR_KM``.
    road_graph_path
        The GraphML cache read in roads mode when ``road_graph`` is not given; settings
        ``ROAD_GRAPH_PATH``.

    Returns
    -------
    gpd.GeoDataFrame
        Two rows in EPSG:4326, ``part`` ``"belt"`` (polygon or multipolygon) and ``"spine"``
        (line or multiline), with columns :data:`CORRIDOR_COLUMNS`: ``mode`` is the mode used,
        ``hubs`` lists the hubs kept on the spine and their sizes, ``share_inside`` is the
        share of the given sites inside the belt, and ``note`` explains any fallback or edge
        case ("" when there is none). Either geometry may be empty (check ``is_empty`` before
        drawing): both with no usable site, the spine when there is one hub (the belt is then
        a circle around it).
    """
    width_km = settings.CORRIDOR_WIDTH_KM if width_km is None else width_km
    hub_radius_km = settings.CORRIDOR_HUB_RADIUS_KM if hub_radius_km is None else hub_radius_km
    hub_min_sites = settings.CORRIDOR_HUB_MIN_SITES if hub_min_sites is None else hub_min_sites
    min_spur_km = settings.CORRIDOR_MIN_SPUR_KM if min_spur_km is None else min_spur_km
    check_positive_km("width_km", width_km)
    check_positive_km("hub_radius_km", hub_radius_km)
    if min_spur_km < 0:
        raise ValueError(f"min_spur_km must be zero or more kilometres, got {min_spur_km!r}")
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not a corridor mode; choose 'straight' or 'roads'")
    if road_graph_path is None:
        road_graph_path = settings.ROAD_GRAPH_PATH
    shape = outline_shape(outline)
    plan = plan_spine(
        metric_points(sites),
        shape,
        mode=mode,
        road_graph=road_graph,
        road_graph_path=Path(road_graph_path),
        hub_radius_km=hub_radius_km,
        hub_min_sites=hub_min_sites,
        min_spur_km=min_spur_km,
    )
    belt = belt_around(plan.spine, shape, width_km * 1000.0)
    spine = clip_spine(plan.spine, shape) if plan.spine_drawn else shapely.LineString()
    corridor = gpd.GeoDataFrame(
        {
            "part": ["belt", "spine"],
            "mode": plan.mode,
            "width_km": float(width_km),
            "hub_count": len(plan.hub_labels),
            "hubs": "; ".join(plan.hub_labels),
            "sites_total": len(sites),
            "sites_inside": 0,
            "share_inside": float("nan"),
            "length_km": [float("nan"), round(spine.length / 1000.0, 3)],
            "area_km2": [round(belt.area / 1e6, 3), float("nan")],
            "note": " ".join(plan.notes),
        },
        geometry=[belt, spine],
        crs=settings.CRS_METRIC,
    ).to_crs(settings.CRS_STORAGE)
    inside = int(sites_in_corridor(sites, corridor).sum())
    corridor["sites_inside"] = inside
    corridor["share_inside"] = inside / len(sites) if len(sites) else float("nan")
    return corridor[list(CORRIDOR_COLUMNS)]


def sites_in_corridor(sites: gpd.GeoDataFrame, corridor: gpd.GeoDataFrame) -> pd.Series:
    """Say which sites lie inside the belt (on its edge counts as inside).

    Parameters
    ----------
    sites
        Sites with point geometries and a CRS.
    corridor
        The result of :func:`build_corridor`.

    Returns
    -------
    pd.Series
        Booleans named ``in_corridor`` on the sites' index; ``sites[sites_in_corridor(sites,
        corridor)]`` selects the sites inside.
    """
    if "part" not in corridor.columns or not (corridor["part"] == "belt").any():
        raise ValueError("corridor has no 'belt' row; pass the result of build_corridor")
    if sites.crs is None:
        raise ValueError("sites have no CRS; set it first, e.g. sites.set_crs('EPSG:4326')")
    belt = corridor.loc[corridor["part"] == "belt"].to_crs(settings.CRS_METRIC).geometry.iloc[0]
    if belt is None or belt.is_empty or sites.empty:
        return pd.Series(False, index=sites.index, name="in_corridor", dtype=bool)
    points = sites.geometry.to_crs(settings.CRS_METRIC)
    shapely.prepare(belt)
    inside = shapely.intersects(belt, points.to_numpy())
    return pd.Series(inside, index=sites.index, name="in_corridor", dtype=bool)
