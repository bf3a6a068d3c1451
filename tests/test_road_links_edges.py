"""Roads mode at its edges: the 15 km snap limit, hubs on or next to a road node, and a graph
already on the National Grid.

The hand-drawn graph lies on the National Grid (EPSG:27700): a motorway from node 1 east to
node 2 and on to node 3, 10 km each. Every distance below is measured by hand from those nodes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import osmnx as ox
import pytest
import shapely

import settings
from layers import _osm
from layers.corridor._hubs import Hub
from layers.corridor.roads import RoadLinks, usable_road_graph

X0, Y0 = 430_000.0, 310_000.0
NODES = {1: (X0, Y0), 2: (X0 + 10_000, Y0), 3: (X0 + 20_000, Y0)}
ROADS_OSM = Path(__file__).parent / "data" / "roads.osm"


def motorway() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(crs=settings.CRS_METRIC)
    for node, (x, y) in NODES.items():
        graph.add_node(node, x=x, y=y)
    graph.add_edge(1, 2, length=10_000.0, highway="motorway")
    graph.add_edge(2, 3, length=10_000.0, highway="motorway")
    return graph


def road_links(hubs: list[Hub]) -> tuple[RoadLinks, list[str]]:
    notes: list[str] = []
    graph = usable_road_graph(motorway(), Path("unused.graphml"), notes)
    assert graph is not None
    return RoadLinks(hubs, graph, notes), notes


def hub(name: str, x: float, y: float) -> Hub:
    return Hub(name, 1, shapely.Point(x, y))


def test_a_hub_exactly_15_km_from_a_road_is_joined_by_road_and_one_just_beyond_is_not():
    hubs = [
        hub("West", X0 - 15_000, Y0),  # exactly 15 km west of node 1
        hub("East", X0 + 35_010, Y0),  # 15.01 km east of node 3
        hub("Middle", X0 + 10_000, Y0 + 300),  # 300 m north of node 2
    ]
    links, notes = road_links(hubs)
    assert notes == [
        "East is more than 15 km from a motorway or trunk road, so joined by straight links."
    ]
    assert links.lengths == pytest.approx(
        {
            (0, 2): 15_000 + 10_000 + 300,  # connector, motorway 1 to 2, connector
            (0, 1): 50_010,  # straight: East is off the network
            (1, 2): (25_010**2 + 300**2) ** 0.5,
        }
    )


def test_a_road_link_reaches_hubs_under_a_metre_from_their_nodes():
    links, _ = road_links([hub("P", X0, Y0 + 0.6), hub("Q", X0 + 10_000, Y0 - 0.8)])
    (line,) = links.lines([(0, 1)])
    expected = shapely.LineString([(X0, Y0 + 0.6), NODES[1], NODES[2], (X0 + 10_000, Y0 - 0.8)])
    assert shapely.normalize(line).equals_exact(shapely.normalize(expected), 1e-9)
    assert line.length == pytest.approx(10_001.4)


def test_two_hubs_on_the_same_road_node_are_joined_by_a_line_of_no_length():
    links, _ = road_links([hub("P", *NODES[2]), hub("Q", *NODES[2])])
    assert links.lengths == {(0, 1): 0.0}
    (line,) = links.lines([(0, 1)])
    assert line.geom_type == "LineString"
    assert not line.is_empty
    assert list(line.coords) == [NODES[2], NODES[2]]


@pytest.fixture
def projections(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record the CRS each call of osmnx's graph projection is asked for (then project)."""
    asked: list[object] = []
    project = _osm.ox.project_graph

    def recording(graph: nx.MultiDiGraph, *, to_crs: object = None) -> nx.MultiDiGraph:
        asked.append(to_crs)
        return project(graph, to_crs=to_crs)

    monkeypatch.setattr(_osm.ox, "project_graph", recording)
    return asked


def test_a_graph_already_on_the_national_grid_is_not_projected_again(projections):
    graph = usable_road_graph(motorway(), Path("unused.graphml"), [])
    assert graph is not None
    assert projections == []
    assert graph.nodes[3]["x"] == X0 + 20_000 and graph.nodes[3]["y"] == Y0


def test_a_graph_in_longitude_and_latitude_is_projected_to_the_national_grid(projections):
    osm = ox.graph_from_xml(ROADS_OSM, simplify=False, retain_all=True)
    assert osm.graph["crs"].upper() == settings.CRS_STORAGE
    graph = usable_road_graph(osm, Path("unused.graphml"), [])
    assert graph is not None
    assert projections == [settings.CRS_METRIC]
    # Birmingham's node (52.48 N, 1.90 W) lies about 406 900 E, 286 900 N
    assert graph.nodes[1]["x"] == pytest.approx(406_890, abs=100)
    assert graph.nodes[1]["y"] == pytest.approx(286_900, abs=100)
