"""The Midlands Defence Belt: a corridor computed from the selected sites, never hand-drawn.

Hubs are clusters of the selected sites (:func:`layers.clusters.find_clusters`), each placed at
the mean position of its sites and weighted by how many it holds. The spine joins the hubs by a
minimum spanning tree, pruned of short spurs to light hubs so it reads as a corridor; in roads
mode each link follows the shortest path on a graph of motorways and trunk roads from osmnx. The
belt is the spine buffered by the chosen width, smoothed (a closing: grown, then shrunk, which
fills the notches where links meet) and clipped to the Midlands outline. Every distance is in
metres in EPSG:27700; results are stored in EPSG:4326.

Command line::

    python -m layers.corridor roads [--out PATH]    # download the road graph (needs network)
"""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

import settings
from layers import boundaries, vocabulary
from layers._geometry import polygonal
from layers._io import atomic_write
from layers.clusters import (
    AUTHORITY_LEVELS,
    AuthorityLevel,
    _capability_lists,
    _check_positive,
    _metric_points,
    _vocabulary_order,
    find_clusters,
)

if TYPE_CHECKING:
    from collections.abc import Hashable

logger = logging.getLogger(__name__)

CorridorMode = Literal["straight", "roads"]
MODES: tuple[str, ...] = ("straight", "roads")

#: Default hub clustering (km, sites): tighter than the map's clusters so the spine passes
#: through each town rather than a region's middle. (set in settings).
HUB_RADIUS_KM: float = settings.CORRIDOR_HUB_RADIUS_KM
HUB_MIN_SITES: int = settings.CORRIDOR_HUB_MIN_SITES
#: Default spur length (km) under which a side branch to a light hub is pruned. (set in settings).
MIN_SPUR_KM: float = settings.CORRIDOR_MIN_SPUR_KM
#: The strategic road network's GraphML cache (see settings).
ROAD_GRAPH_PATH: Path = settings.ROAD_GRAPH_PATH
#: OSM ``highway`` values of the strategic road network (motorways and trunk roads).
STRATEGIC_HIGHWAYS: frozenset[str] = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
#: osmnx's Overpass filter for the same roads, used when downloading the graph.
STRATEGIC_ROADS_FILTER: str = '["highway"~"^(motorway|motorway_link|trunk|trunk_link)$"]'
#: A hub farther than this (km) from the road graph joins its neighbours by straight links.
MAX_ROAD_SNAP_KM: float = 15.0

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

# Buffers are drawn with this many segments per quarter circle: smooth at map scale, cheap.
_QUAD_SEGMENTS = 16


def build_corridor(
    sites: gpd.GeoDataFrame,
    *,
    width_km: float = settings.CORRIDOR_WIDTH_KM,
    mode: CorridorMode = "straight",
    road_graph: nx.MultiDiGraph | nx.MultiGraph | None = None,
    outline: gpd.GeoDataFrame | None = None,
    hub_radius_km: float = HUB_RADIUS_KM,
    hub_min_sites: int = HUB_MIN_SITES,
    min_spur_km: float = MIN_SPUR_KM,
    road_graph_path: str | Path = ROAD_GRAPH_PATH,
) -> gpd.GeoDataFrame:
    """Compute the Defence Belt for a selection of sites.

    Parameters
    ----------
    sites
        The selected sites (point geometries with a CRS; ``site_id``, ``town`` and
        ``lad_name`` name the hubs when present).
    width_km
        The belt's full width in kilometres (the spine is buffered by half of it).
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
        How hubs are clustered (see :func:`layers.clusters.find_clusters`). When the sites form
        no cluster, every site is a hub.
    min_spur_km
        Side branches shorter than this, leading to hubs lighter than the one they branch
        from, are pruned from the spine.
    road_graph_path
        The GraphML cache read in roads mode when ``road_graph`` is not given.

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
    _check_positive("width_km", width_km)
    _check_positive("hub_radius_km", hub_radius_km)
    if min_spur_km < 0:
        raise ValueError(f"min_spur_km must be zero or more kilometres, got {min_spur_km!r}")
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} is not a corridor mode; choose 'straight' or 'roads'")
    shape = _outline_shape(outline)
    points = _metric_points(sites)
    plan = _plan_spine(
        points,
        shape,
        mode=mode,
        road_graph=road_graph,
        road_graph_path=Path(road_graph_path),
        hub_radius_km=hub_radius_km,
        hub_min_sites=hub_min_sites,
        min_spur_km=min_spur_km,
    )
    belt = _belt(plan.spine, shape, width_km * 1000.0)
    spine = _clip_spine(plan.spine, shape) if plan.spine_drawn else shapely.LineString()
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


@dataclass(frozen=True)
class CorridorSummary:
    """What the belt holds: overall, by capability and by authority.

    Attributes
    ----------
    sites, inside, share
        The given sites, those inside the belt, and their share (NaN for no sites).
    by_capability
        Columns ``capability``, ``capability_label``, ``sites``, ``inside``, ``share``,
        ``top_area_name`` and ``top_area_inside`` (the authority holding most of the
        capability's belt sites), in the vocabulary's order.
    by_authority
        Columns ``area_code``, ``area_name``, ``sites``, ``inside``, ``share``, most sites
        inside first; sites in no authority of the level are grouped under an empty code.
    level
        The authority level of ``by_authority``.
    """

    sites: int
    inside: int
    share: float
    by_capability: pd.DataFrame = field(repr=False)
    by_authority: pd.DataFrame = field(repr=False)
    level: str = "ca"

    def headlines(self) -> list[str]:
        """Return the sentences a bid quotes, one overall and one per capability."""
        if self.sites == 0:
            return ["No sites are selected, so the belt holds none."]
        lines = [
            f"The belt holds {self.share:.0%} of the selected sites "
            f"({self.inside} of {self.sites})."
        ]
        for row in self.by_capability.to_dict("records"):
            line = (
                f"The belt holds {row['share']:.0%} of {row['capability_label']!s} sites "
                f"({row['inside']} of {row['sites']})"
            )
            if row["top_area_inside"]:
                line += f", {row['top_area_inside']} in {row['top_area_name']!s}"
            lines.append(line + ".")
        return lines


def corridor_summary(
    sites: gpd.GeoDataFrame,
    corridor: gpd.GeoDataFrame,
    *,
    level: AuthorityLevel = "ca",
) -> CorridorSummary:
    """Summarise the share of sites inside the belt, by capability and by authority.

    Parameters
    ----------
    sites
        The sites the corridor was built from (or any other selection to measure against it),
        with ``capabilities`` and the area columns from ``load_sites``.
    corridor
        The result of :func:`build_corridor`.
    level
        The authority level for ``by_authority``: ``"lad"``, ``"county"``, ``"ca"`` or
        ``"region"``.

    Returns
    -------
    CorridorSummary
        The counts and shares; ``headlines()`` words them, e.g. "The belt holds 72% of Combat
        air and military aerospace sites (13 of 18), 9 in West Midlands Combined Authority."
    """
    if level not in AUTHORITY_LEVELS:
        raise ValueError(
            f"level {level!r} is not an authority level; choose one of "
            f"{', '.join(repr(name) for name in AUTHORITY_LEVELS)}"
        )
    code_column, name_column = AUTHORITY_LEVELS[level]
    inside = sites_in_corridor(sites, corridor).to_numpy()
    capability_lists = _capability_lists(sites.get("capabilities", pd.Series(dtype=object)))
    if len(capability_lists) != len(sites):
        capability_lists = [[] for _ in range(len(sites))]
    codes = _text_column(sites, code_column)
    names = _text_column(sites, name_column)

    authority_records = []
    for code in sorted(set(codes)):
        in_area = codes == code
        count = int(in_area.sum())
        held = int((in_area & inside).sum())
        authority_records.append(
            {
                "area_code": code,
                "area_name": names[in_area][0] if code else _unplaced_name(level),
                "sites": count,
                "inside": held,
                "share": held / count,
            }
        )
    by_authority = (
        pd.DataFrame(
            authority_records, columns=["area_code", "area_name", "sites", "inside", "share"]
        )
        .sort_values(
            ["inside", "sites", "area_code"], ascending=[False, False, True], kind="mergesort"
        )
        .reset_index(drop=True)
    )

    capability_records = []
    slugs = _vocabulary_order({s for c in capability_lists for s in c}, vocabulary.CAPABILITIES)
    for slug in slugs:
        holds = np.array([slug in c for c in capability_lists], dtype=bool)
        held = holds & inside
        top_name, top_count = _top_area(codes[held], names[held], level)
        capability_records.append(
            {
                "capability": slug,
                "capability_label": vocabulary.capability_label(slug),
                "sites": int(holds.sum()),
                "inside": int(held.sum()),
                "share": float(held.sum() / holds.sum()),
                "top_area_name": top_name,
                "top_area_inside": top_count,
            }
        )
    by_capability = pd.DataFrame(
        capability_records,
        columns=[
            "capability",
            "capability_label",
            "sites",
            "inside",
            "share",
            "top_area_name",
            "top_area_inside",
        ],
    )
    total = len(sites)
    held_total = int(inside.sum())
    return CorridorSummary(
        sites=total,
        inside=held_total,
        share=held_total / total if total else float("nan"),
        by_capability=by_capability,
        by_authority=by_authority,
        level=level,
    )


def load_road_graph(path: str | Path = ROAD_GRAPH_PATH) -> nx.MultiGraph | None:
    """Return the cached strategic road graph, ready for roads mode, or None when missing.

    The graph is read once per file version (path and modification time), kept to motorways
    and trunk roads, made undirected and projected to EPSG:27700. Do not modify it: it is
    shared between callers.
    """
    source = Path(path)
    if not source.is_file():
        return None
    return _read_road_graph(str(source.resolve()), source.stat().st_mtime_ns)


def download_road_graph(
    path: str | Path = ROAD_GRAPH_PATH,
    *,
    boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
) -> Path:
    """Download the Midlands' motorways and trunk roads with osmnx and cache them as GraphML.

    Needs the network (Overpass). The file is written only after a complete download, so a
    failed run leaves any earlier cache in place.
    """
    from layers import _osm  # noqa: PLC0415 (configures osmnx, slow to import; only here)

    ox = _osm.ox
    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    # A slightly grown, simplified outline keeps the Overpass query short and keeps the roads
    # that cross the boundary between two Midlands hubs.
    area = outline.to_crs(settings.CRS_METRIC).geometry.iloc[0].buffer(5000).simplify(500)
    polygon = gpd.GeoSeries([area], crs=settings.CRS_METRIC).to_crs(settings.CRS_STORAGE).iloc[0]
    try:
        graph = ox.graph_from_polygon(
            polygon, custom_filter=STRATEGIC_ROADS_FILTER, retain_all=True, simplify=True
        )
    except Exception as exc:  # osmnx surfaces many network error types
        raise RuntimeError(
            f"the road graph could not be downloaded ({exc.__class__.__name__}: {exc}); it "
            "needs the internet (Overpass); the cache is unchanged"
        ) from exc
    target = Path(path)
    atomic_write(target, lambda tmp: ox.save_graphml(graph, tmp))
    _read_road_graph.cache_clear()
    return target


# --------------------------------------------------------------------------------------------
# Spine planning


@dataclass
class _SpinePlan:
    spine: shapely.Geometry
    mode: str
    hub_labels: list[str]
    notes: list[str]
    # One hub: the belt is drawn around it, but there is no line to show as the spine.
    spine_drawn: bool = True


@dataclass
class _Hub:
    name: str
    size: int
    point: shapely.Point


def _plan_spine(
    points: gpd.GeoDataFrame,
    shape: shapely.Geometry,
    *,
    mode: str,
    road_graph: nx.MultiDiGraph | nx.MultiGraph | None,
    road_graph_path: Path,
    hub_radius_km: float,
    hub_min_sites: int,
    min_spur_km: float,
) -> _SpinePlan:
    notes: list[str] = []
    empty = shapely.LineString()
    if points.empty:
        return _SpinePlan(
            empty,
            "straight",
            [],
            ["No sites are selected, so there is no corridor; widen the filters."],
        )
    distances = shapely.distance(points.geometry.to_numpy(), shape)
    near = distances <= settings.OUTLINE_TOLERANCE_M
    outside = int((~near).sum())
    if outside:
        notes.append(
            f"{outside} of {len(points)} sites lie outside the Midlands; they are not hubs and "
            "count as outside the belt."
        )
    if not near.any():
        notes.insert(0, "No selected site lies in the Midlands, so there is no corridor.")
        return _SpinePlan(empty, "straight", [], notes)
    hubs = _hubs(
        points[near], hub_radius_km=hub_radius_km, hub_min_sites=hub_min_sites, notes=notes
    )
    labels = [f"{hub.name} ({hub.size} site{'s' if hub.size != 1 else ''})" for hub in hubs]
    if len(hubs) == 1:
        notes.append(
            f"The sites form one hub ({hubs[0].name}), so the belt is a circle around it "
            "rather than a corridor."
        )
        return _SpinePlan(hubs[0].point, "straight", labels, notes, spine_drawn=False)

    graph = None
    used_mode = "straight"
    if mode == "roads":
        graph = _usable_road_graph(road_graph, road_graph_path, notes)
        used_mode = "roads" if graph is not None else "straight"
    if graph is None:
        links = _straight_links(hubs)
    else:
        links = _road_links(hubs, graph, notes)
    tree = _pruned_tree(hubs, links, min_spur_m=min_spur_km * 1000.0, notes=notes)
    parts = [links[(a, b) if a < b else (b, a)][1] for a, b in sorted(tree.edges)]
    spine = shapely.line_merge(shapely.union_all(parts))
    kept = sorted(tree.nodes)
    return _SpinePlan(spine, used_mode, [labels[i] for i in kept], notes)


def _hubs(
    points: gpd.GeoDataFrame, *, hub_radius_km: float, hub_min_sites: int, notes: list[str]
) -> list[_Hub]:
    clusters = find_clusters(points, radius_km=hub_radius_km, min_sites=hub_min_sites)
    if len(clusters) < 2:
        # A corridor needs two ends: with too few clusters, the selection is sparse, and the
        # belt is better drawn through its sites than around a single cluster.
        clusters = find_clusters(points, radius_km=hub_radius_km, min_sites=1)
        if len(clusters) > 1:
            notes.append(
                f"The sites form fewer than two clusters of {hub_min_sites} within "
                f"{hub_radius_km:g} km, so every group of sites within {hub_radius_km:g} km "
                "is a hub."
            )
    centroids = gpd.GeoSeries(
        gpd.points_from_xy(clusters["centroid_lon"], clusters["centroid_lat"]),
        crs=settings.CRS_STORAGE,
    ).to_crs(settings.CRS_METRIC)
    return [
        _Hub(str(name), int(size), point)
        for name, size, point in zip(clusters["name"], clusters["size"], centroids, strict=True)
    ]


def _straight_links(hubs: list[_Hub]) -> dict[tuple[int, int], tuple[float, shapely.Geometry]]:
    links = {}
    for i, a in enumerate(hubs):
        for j in range(i + 1, len(hubs)):
            segment = shapely.LineString([a.point, hubs[j].point])
            links[(i, j)] = (segment.length, segment)
    return links


def _pruned_tree(
    hubs: list[_Hub],
    links: dict[tuple[int, int], tuple[float, shapely.Geometry]],
    *,
    min_spur_m: float,
    notes: list[str],
) -> nx.Graph:
    """Join the hubs by a minimum spanning tree and prune short spurs to light hubs.

    A spur is the chain from a leaf hub to the nearest junction (a hub with three or more
    links). It is pruned when shorter than ``min_spur_m`` and its hubs hold fewer sites than
    the junction, and only while the junction keeps two links, so the trunk survives.
    """
    complete = nx.Graph()
    complete.add_nodes_from(range(len(hubs)))
    for (a, b), (length, _) in sorted(links.items()):
        complete.add_edge(a, b, length=length)
    tree = nx.minimum_spanning_tree(complete, weight="length", algorithm="kruskal")
    spurs = []
    for leaf in sorted(n for n in tree.nodes if tree.degree(n) == 1):
        chain, length, junction = _spur(tree, leaf)
        if junction is None:
            continue
        weight = sum(hubs[n].size for n in chain)
        if length < min_spur_m and weight < hubs[junction].size:
            spurs.append((length, weight, leaf, chain, junction))
    pruned: list[str] = []
    for _, _, _, chain, junction in sorted(spurs, key=lambda s: (s[0], s[1], s[2])):
        if tree.degree(junction) <= 2:
            continue
        tree.remove_nodes_from(chain)
        pruned.extend(hubs[n].name for n in chain)
    if pruned:
        notes.append(f"Short spurs to {', '.join(sorted(pruned))} were pruned from the spine.")
    return tree


def _spur(tree: nx.Graph, leaf: Hashable) -> tuple[list[Any], float, Any]:
    """Walk from a leaf to the first junction; return the chain, its length and the junction."""
    chain = [leaf]
    length = 0.0
    previous, current = None, leaf
    while True:
        onward = [n for n in tree.neighbors(current) if n != previous]
        if len(onward) != 1:
            return chain, length, None  # the tree is a path: no junction, no spur
        following = onward[0]
        length += tree.edges[current, following]["length"]
        if tree.degree(following) >= 3:
            return chain, length, following
        chain.append(following)
        previous, current = current, following


# --------------------------------------------------------------------------------------------
# Roads


def _usable_road_graph(
    road_graph: nx.MultiDiGraph | nx.MultiGraph | None, path: Path, notes: list[str]
) -> nx.MultiGraph | None:
    if road_graph is None:
        prepared = load_road_graph(path)
        if prepared is None:
            notes.append(
                f"Roads mode needs a road graph and none is at hand ({path} is missing; run "
                "'python -m layers.corridor roads' where the network is allowed), so the "
                "spine uses straight links."
            )
            return None
    else:
        prepared = _prepare_road_graph(road_graph)
    if prepared.number_of_edges() == 0:
        notes.append(
            "The road graph has no motorway or trunk road, so the spine uses straight links."
        )
        return None
    return prepared


@cache
def _read_road_graph(path: str, mtime_ns: int) -> nx.MultiGraph:
    from layers import _osm  # noqa: PLC0415 (osmnx is slow to import; only roads mode)

    logger.info("reading the road graph %s (version %d)", path, mtime_ns)
    return _prepare_road_graph(_osm.ox.load_graphml(path))


def _prepare_road_graph(graph: nx.MultiDiGraph | nx.MultiGraph) -> nx.MultiGraph:
    """Keep motorways and trunk roads, drop direction and project to EPSG:27700."""
    from layers import _osm  # noqa: PLC0415 (osmnx is slow to import; only roads mode)

    ox = _osm.ox
    strategic = [
        (u, v, k)
        for u, v, k, highway in graph.edges(keys=True, data="highway")
        if _is_strategic(highway)
    ]
    if not strategic:
        return nx.MultiGraph()
    roads = graph.edge_subgraph(strategic).copy()
    if not isinstance(roads, nx.MultiDiGraph):
        roads = nx.MultiDiGraph(roads)
    roads.graph = dict(graph.graph)
    if roads.number_of_nodes() and roads.graph.get("crs") != settings.CRS_METRIC:
        roads = ox.project_graph(roads, to_crs=settings.CRS_METRIC)
    # A corridor has no direction, and one-way carriageways would otherwise split the network.
    return ox.convert.to_undirected(roads)


def _is_strategic(highway: object) -> bool:
    values = highway if isinstance(highway, list) else [highway]
    return any(str(value) in STRATEGIC_HIGHWAYS for value in values)


def _road_links(
    hubs: list[_Hub], graph: nx.MultiGraph, notes: list[str]
) -> dict[tuple[int, int], tuple[float, shapely.Geometry]]:
    """Link every pair of hubs by its shortest road path, with straight links as a fallback."""
    node_ids = list(graph.nodes)
    node_xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in node_ids])
    snapped: list[Any] = []
    off_network = []
    for hub in hubs:
        gaps = np.hypot(node_xy[:, 0] - hub.point.x, node_xy[:, 1] - hub.point.y)
        nearest = int(np.argmin(gaps))
        if gaps[nearest] > MAX_ROAD_SNAP_KM * 1000.0:
            snapped.append(None)
            off_network.append(hub.name)
        else:
            snapped.append(node_ids[nearest])
    if off_network:
        notes.append(
            f"{', '.join(off_network)} {'is' if len(off_network) == 1 else 'are'} more than "
            f"{MAX_ROAD_SNAP_KM:g} km from a motorway or trunk road, so joined by straight links."
        )
    straight = _straight_links(hubs)
    links = {}
    unreachable = 0
    for i, start in enumerate(snapped):
        if start is None:
            continue
        # One Dijkstra search per hub reaches every other hub: far cheaper than one per pair.
        predecessors, _ = nx.dijkstra_predecessor_and_distance(graph, start, weight="length")
        for j in range(i + 1, len(hubs)):
            end = snapped[j]
            if end is None:
                continue
            if end not in predecessors:
                unreachable += 1
                continue
            route = _route_line(graph, _walk_back(predecessors, end), hubs[i].point, hubs[j].point)
            links[(i, j)] = (route.length, route)
    for pair, fallback in straight.items():
        links.setdefault(pair, fallback)
    if unreachable:
        notes.append(
            f"{unreachable} pair(s) of hubs are not joined by the road graph, so joined by "
            "straight links."
        )
    return links


def _walk_back(predecessors: dict[Any, list[Any]], end: Any) -> list[Any]:
    """Rebuild the path to ``end`` from a Dijkstra predecessor map (first predecessor on ties)."""
    path = [end]
    while predecessors[path[-1]]:
        path.append(predecessors[path[-1]][0])
    return path[::-1]


def _route_line(
    graph: nx.MultiGraph, path: list[Any], start: shapely.Point, end: shapely.Point
) -> shapely.Geometry:
    """Draw a road path with short straight connectors from each hub to its nearest node."""
    first, last = graph.nodes[path[0]], graph.nodes[path[-1]]
    pieces = [
        shapely.LineString([start, (first["x"], first["y"])]),
        shapely.LineString([end, (last["x"], last["y"])]),
    ]
    for u, v in itertools.pairwise(path):
        # Parallel edges (two carriageways) are alternatives: draw the shortest.
        data = min(graph.get_edge_data(u, v).values(), key=lambda d: d.get("length", 0.0))
        geometry = data.get("geometry")
        if geometry is None:
            geometry = shapely.LineString(
                [
                    (graph.nodes[u]["x"], graph.nodes[u]["y"]),
                    (graph.nodes[v]["x"], graph.nodes[v]["y"]),
                ]
            )
        pieces.append(geometry)
    drawn = [p for p in pieces if p.length > 0]
    if not drawn:
        return shapely.LineString([start, end])
    return shapely.line_merge(shapely.union_all(drawn))


# --------------------------------------------------------------------------------------------
# Geometry


def _outline_shape(outline: gpd.GeoDataFrame | None) -> shapely.Geometry:
    frame = boundaries.load_layer("midlands") if outline is None else outline
    if frame.crs is None:
        raise ValueError("outline has no CRS; pass boundaries.load_layer('midlands', ...)")
    shape = shapely.union_all(frame.to_crs(settings.CRS_METRIC).geometry.to_numpy())
    if shape.is_empty:
        raise ValueError("outline is empty; pass boundaries.load_layer('midlands', ...)")
    return shape


def _belt(spine: shapely.Geometry, shape: shapely.Geometry, width_m: float) -> shapely.Geometry:
    if spine.is_empty:
        return shapely.Polygon()
    half = width_m / 2.0
    belt = spine.buffer(half, quad_segs=_QUAD_SEGMENTS)
    # Closing (grow, then shrink by the same distance) rounds the notches where links meet and
    # never removes area, so a wider belt still holds every site a narrower one did.
    belt = belt.buffer(half, quad_segs=_QUAD_SEGMENTS).buffer(-half, quad_segs=_QUAD_SEGMENTS)
    return polygonal(shapely.make_valid(belt.intersection(shape)))


def _clip_spine(spine: shapely.Geometry, shape: shapely.Geometry) -> shapely.Geometry:
    if spine.is_empty:
        return shapely.LineString()
    clipped = spine.intersection(shape)
    lines = [g for g in shapely.get_parts(clipped) if isinstance(g, shapely.LineString)]
    return shapely.line_merge(shapely.MultiLineString(lines)) if lines else shapely.LineString()


def _text_column(sites: pd.DataFrame, column: str) -> np.ndarray:
    if column not in sites.columns:
        return np.array([""] * len(sites), dtype=object)
    return sites[column].fillna("").astype(str).to_numpy(dtype=object)


def _unplaced_name(level: str) -> str:
    return {
        "ca": "Not in a combined authority",
        "lad": "Outside the Midlands",
        "county": "Outside the Midlands",
        "region": "Outside the Midlands",
    }[level]


def _top_area(codes: np.ndarray, names: np.ndarray, level: str) -> tuple[str, int]:
    """Return the authority holding most of the given sites (by code on ties) and its count."""
    placed = codes != ""
    if not placed.any():
        return "", 0
    values, counts = np.unique(codes[placed], return_counts=True)
    best = int(np.argmax(counts))  # np.unique sorts codes, so ties go to the first code
    name = names[placed][codes[placed] == values[best]][0]
    return str(name or _unplaced_name(level)), int(counts[best])


# --------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    """Run the corridor command line."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.corridor",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    roads = commands.add_parser("roads", help="download the strategic road graph (needs network)")
    roads.add_argument("--out", default=str(ROAD_GRAPH_PATH), help="GraphML file to write")
    roads.add_argument(
        "--boundaries",
        default=str(settings.BOUNDARIES_DIR),
        help="the built boundaries folder (for the Midlands outline)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        written = download_road_graph(args.out, boundaries_dir=args.boundaries)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    graph = load_road_graph(written)
    edges = graph.number_of_edges() if graph is not None else 0
    print(f"wrote {written} ({edges} motorway and trunk road links)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
