"""The belt's spine: hubs joined by a minimum spanning tree, pruned of short spurs to light hubs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import shapely

import settings
from layers.corridor._hubs import Hub, StraightLinks, find_hubs
from layers.corridor.roads import RoadLinks, usable_road_graph


@dataclass
class SpinePlan:
    """The spine (EPSG:27700), the mode it was drawn in, its hubs' labels and any notes."""

    spine: shapely.Geometry
    mode: str
    hub_labels: list[str]
    notes: list[str]
    # One hub: the belt is drawn around it, but there is no line to show as the spine.
    spine_drawn: bool = True


def plan_spine(
    points: gpd.GeoDataFrame,
    shape: shapely.Geometry,
    *,
    mode: str,
    road_graph: nx.MultiDiGraph | nx.MultiGraph | None,
    road_graph_path: Path,
    hub_radius_km: float,
    hub_min_sites: int,
    min_spur_km: float,
) -> SpinePlan:
    """Find the hubs among the sites (EPSG:27700) in the Midlands ``shape`` and join them."""
    notes: list[str] = []
    empty = shapely.LineString()
    if points.empty:
        return SpinePlan(
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
        return SpinePlan(empty, "straight", [], notes)
    hubs = find_hubs(
        points[near], hub_radius_km=hub_radius_km, hub_min_sites=hub_min_sites, notes=notes
    )
    labels = [hub.label for hub in hubs]
    if len(hubs) == 1:
        notes.append(
            f"The sites form one hub ({hubs[0].name}), so the belt is a circle around it "
            "rather than a corridor."
        )
        return SpinePlan(hubs[0].point, "straight", labels, notes, spine_drawn=False)

    graph = None
    if mode == "roads":
        graph = usable_road_graph(road_graph, road_graph_path, notes)
    links = StraightLinks(hubs) if graph is None else RoadLinks(hubs, graph, notes)
    tree = _pruned_tree(hubs, links.lengths, min_spur_m=min_spur_km * 1000.0, notes=notes)
    pairs = [(a, b) if a < b else (b, a) for a, b in tree.edges]
    spine = shapely.line_merge(shapely.union_all(links.lines(sorted(pairs))))
    used_mode = "straight" if graph is None else "roads"
    return SpinePlan(spine, used_mode, [labels[i] for i in sorted(tree.nodes)], notes)


def _pruned_tree(
    hubs: list[Hub],
    lengths: dict[tuple[int, int], float],
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
    complete.add_weighted_edges_from(
        ((a, b, length) for (a, b), length in sorted(lengths.items())), weight="length"
    )
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


def _spur(tree: nx.Graph, leaf: int) -> tuple[list[int], float, Any]:
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
