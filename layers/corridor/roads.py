"""The strategic road network (motorways and trunk roads) and the belt's links along it.

The graph comes from osmnx: downloaded once from Overpass (:func:`download_road_graph`, where
the network is allowed) and cached as GraphML, or passed in. Hubs are snapped to their nearest
road node and joined by shortest paths weighted by road length, both through osmnx's routing
helpers; a hub far from every road, or a pair the roads do not join, keeps its straight link.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

import settings
from layers import boundaries
from layers._io import atomic_write
from layers.corridor._hubs import Hub, StraightLinks

logger = logging.getLogger(__name__)

#: OSM ``highway`` values of the strategic road network (motorways and trunk roads).
STRATEGIC_HIGHWAYS: frozenset[str] = frozenset({"motorway", "motorway_link", "trunk", "trunk_link"})
#: osmnx's Overpass filter for the same roads, used when downloading the graph.
STRATEGIC_ROADS_FILTER: str = '["highway"~"^(motorway|motorway_link|trunk|trunk_link)$"]'
#: A hub farther than this (km) from the road graph joins its neighbours by straight links.
MAX_ROAD_SNAP_KM: float = 15.0


def load_road_graph(path: str | Path | None = None) -> nx.MultiDiGraph | None:
    """Return the cached strategic road graph, ready for roads mode, or None when missing.

    ``path`` defaults to ``settings.ROAD_GRAPH_PATH``. The graph is read once per file version
    (path and modification time), kept to motorways and trunk roads, given every road in both
    directions and projected to EPSG:27700. Do not modify it: it is shared between callers.
    """
    source = Path(settings.ROAD_GRAPH_PATH if path is None else path)
    if not source.is_file():
        return None
    return _read_road_graph(str(source.resolve()), source.stat().st_mtime_ns)


def download_road_graph(
    path: str | Path | None = None,
    *,
    boundaries_dir: str | Path | None = None,
) -> Path:
    """Download the Midlands' motorways and trunk roads with osmnx and cache them as GraphML.

    ``path`` defaults to ``settings.ROAD_GRAPH_PATH`` and ``boundaries_dir`` (where the
    Midlands outline is built) to ``settings.BOUNDARIES_DIR``. Needs the network (Overpass).
    The file is written only after a complete download, so a failed run leaves any earlier
    cache in place.
    """
    from layers import _osm  # noqa: PLC0415 (configures osmnx, slow to import; only here)

    ox = _osm.ox
    directory = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    outline = boundaries.load_layer("midlands", directory=directory)
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
    target = Path(settings.ROAD_GRAPH_PATH if path is None else path)
    atomic_write(target, lambda tmp: ox.save_graphml(graph, tmp))
    _read_road_graph.cache_clear()
    return target


def usable_road_graph(
    road_graph: nx.MultiDiGraph | nx.MultiGraph | None, path: Path, notes: list[str]
) -> nx.MultiDiGraph | None:
    """Return the graph to route on (given, else the cache at ``path``), or None, said in notes."""
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


class RoadLinks(StraightLinks):
    """Every pair of hubs joined by its shortest road path; straight where the roads cannot.

    A link's length is the road distance between the hubs' nearest road nodes plus the straight
    connectors from each hub to its node. Paths are drawn only for the links the spine keeps.
    """

    def __init__(self, hubs: list[Hub], graph: nx.MultiDiGraph, notes: list[str]) -> None:
        super().__init__(hubs)
        from layers import _osm  # noqa: PLC0415 (osmnx is slow to import; only roads mode)

        self._ox = _osm.ox
        self.graph = graph
        nodes, gaps = self._ox.distance.nearest_nodes(
            graph,
            [hub.point.x for hub in hubs],
            [hub.point.y for hub in hubs],
            return_dist=True,
        )
        near = np.asarray(gaps) <= MAX_ROAD_SNAP_KM * 1000.0
        # A hub's nearest road node (an osmnx node id), or None when it is too far from roads.
        self._snapped: list[Any] = [
            node if ok else None for node, ok in zip(np.asarray(nodes).tolist(), near, strict=True)
        ]
        self._gaps = [float(gap) for gap in gaps]
        self._on_roads: set[tuple[int, int]] = set()
        off_network = [hub.name for hub, ok in zip(hubs, near, strict=True) if not ok]
        if off_network:
            notes.append(
                f"{', '.join(off_network)} {'is' if len(off_network) == 1 else 'are'} more than "
                f"{MAX_ROAD_SNAP_KM:g} km from a motorway or trunk road, so joined by straight "
                "links."
            )
        unreachable = 0
        for a, start in enumerate(self._snapped):
            if start is None:
                continue
            # One search from each hub reaches every other hub: far cheaper than one per pair.
            distances = nx.single_source_dijkstra_path_length(graph, start, weight="length")
            for b in range(a + 1, len(hubs)):
                end = self._snapped[b]
                if end is None:
                    continue
                if end not in distances:
                    unreachable += 1
                    continue
                self.lengths[(a, b)] = self._gaps[a] + float(distances[end]) + self._gaps[b]
                self._on_roads.add((a, b))
        if unreachable:
            notes.append(
                f"{unreachable} pair(s) of hubs are not joined by the road graph, so joined by "
                "straight links."
            )

    def lines(self, pairs: list[tuple[int, int]]) -> list[shapely.Geometry]:
        """Return each link's road path with its connectors, or its straight line."""
        routed = [pair for pair in pairs if pair in self._on_roads]
        drawn = {}
        if routed:
            paths = self._ox.routing.shortest_path(
                self.graph,
                [self._snapped[a] for a, _ in routed],
                [self._snapped[b] for _, b in routed],
                weight="length",
            )
            drawn = dict(zip(routed, paths, strict=True))
        lines = []
        for pair, straight in zip(pairs, super().lines(pairs), strict=True):
            path = drawn.get(pair)
            lines.append(straight if path is None else self._route_line(pair, path))
        return lines

    def _route_line(self, pair: tuple[int, int], path: list[int]) -> shapely.Geometry:
        """Draw a road path with short straight connectors from each hub to its road node."""
        start, end = (self.hubs[hub].point for hub in pair)
        first, last = self.graph.nodes[path[0]], self.graph.nodes[path[-1]]
        pieces = [
            shapely.LineString([start, (first["x"], first["y"])]),
            shapely.LineString([end, (last["x"], last["y"])]),
        ]
        if len(path) > 1:
            # Parallel edges (two carriageways) are alternatives: osmnx draws the shortest.
            edges = self._ox.routing.route_to_gdf(self.graph, path, weight="length")
            pieces.extend(edges.geometry)
        drawn = [piece for piece in pieces if piece.length > 0]
        if not drawn:
            return shapely.LineString([start, end])
        return shapely.line_merge(shapely.union_all(drawn))


@cache
def _read_road_graph(path: str, mtime_ns: int) -> nx.MultiDiGraph:
    from layers import _osm  # noqa: PLC0415 (osmnx is slow to import; only roads mode)

    logger.info("reading the road graph %s (version %d)", path, mtime_ns)
    return _prepare_road_graph(_osm.ox.load_graphml(path))


def _prepare_road_graph(graph: nx.MultiDiGraph | nx.MultiGraph) -> nx.MultiDiGraph:
    """Keep motorways and trunk roads, give each road both directions, project to EPSG:27700."""
    from layers import _osm  # noqa: PLC0415 (osmnx is slow to import; only roads mode)

    ox = _osm.ox
    strategic = [
        (u, v, k)
        for u, v, k, highway in graph.edges(keys=True, data="highway")
        if _is_strategic(highway)
    ]
    if not strategic:
        return nx.MultiDiGraph()
    roads = graph.edge_subgraph(strategic).copy()
    if not isinstance(roads, nx.MultiDiGraph):
        roads = nx.MultiDiGraph(roads)
    roads.graph = dict(graph.graph)
    if roads.number_of_nodes() and roads.graph.get("crs") != settings.CRS_METRIC:
        roads = ox.project_graph(roads, to_crs=settings.CRS_METRIC)
    # A corridor has no direction, and one-way carriageways would otherwise split the network:
    # osmnx merges each road's two directions into one edge, then every edge runs both ways.
    both_ways: nx.MultiDiGraph = ox.convert.to_undirected(roads).to_directed()
    return both_ways


def _is_strategic(highway: object) -> bool:
    values = highway if isinstance(highway, list) else [highway]
    return any(str(value) in STRATEGIC_HIGHWAYS for value in values)
