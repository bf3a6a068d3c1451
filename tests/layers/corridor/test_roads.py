"""Roads mode on a road graph drawn by hand, and the road graph's download and cache.

The graph lies on the National Grid (EPSG:27700): a motorway from node 1 east to node 2 and on
to node 3 (10 km each), a winding trunk road straight from 1 to 3 that is 30 km long, and a
separate stretch (4 to 5) nothing joins to the rest. Hubs sit at chosen offsets from the nodes,
so every road distance below is added up by hand.

Roads mode at its edges: the 15 km snap limit, hubs on or next to a road node, and a graph
already on the National Grid.

The hand-drawn graph lies on the National Grid (EPSG:27700): a motorway from node 1 east to
node 2 and on to node 3, 10 km each. Every distance below is measured by hand from those nodes.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import geopandas as gpd
import networkx as nx
import osmnx as ox
import pytest
import shapely

import settings
from layers import _osm, boundaries
from layers.corridor import download_road_graph, load_road_graph, main
from layers.corridor._hubs import Hub, StraightLinks
from layers.corridor.roads import RoadLinks, usable_road_graph

X0, Y0 = 440_000.0, 300_000.0
NODES = {
    1: (X0, Y0),
    2: (X0 + 10_000, Y0),
    3: (X0 + 20_000, Y0),
    4: (X0, Y0 + 40_000),
    5: (X0 + 5_000, Y0 + 40_000),
}
ROADS_OSM = Path(__file__).parents[2] / "data" / "roads.osm"


def hand_graph(*, directed: bool = True) -> nx.MultiDiGraph | nx.MultiGraph:
    graph = (nx.MultiDiGraph if directed else nx.MultiGraph)(crs=settings.CRS_METRIC)
    for node, (x, y) in NODES.items():
        graph.add_node(node, x=x, y=y)
    graph.add_edge(1, 2, length=10_000.0, highway="motorway")
    graph.add_edge(2, 3, length=10_000.0, highway="motorway")
    graph.add_edge(1, 3, length=30_000.0, highway="trunk")
    # osmnx lists the highway values of a way it merged: a list with a motorway is a motorway
    graph.add_edge(4, 5, length=5_000.0, highway=["motorway", "primary"])
    # a primary road is not strategic: dropped, so 3 and 5 stay apart
    graph.add_edge(3, 5, length=1_000.0, highway="primary")
    return graph


# A 500 m from node 1 (a 3-4-5 triangle), B 600 m south of node 3, C 30 km from every road,
# D 800 m north of node 5 (on the stretch nothing joins), E 200 m north of node 2.
HUBS = [
    Hub("A", 1, shapely.Point(X0 + 300, Y0 + 400)),
    Hub("B", 1, shapely.Point(X0 + 20_000, Y0 - 600)),
    Hub("C", 1, shapely.Point(X0 + 10_000, Y0 - 30_000)),
    Hub("D", 1, shapely.Point(X0 + 5_000, Y0 + 40_800)),
    Hub("E", 1, shapely.Point(X0 + 10_000, Y0 + 200)),
]


def straight(a: int, b: int) -> float:
    return HUBS[a].point.distance(HUBS[b].point)


@pytest.fixture
def links() -> tuple[RoadLinks, list[str]]:
    notes: list[str] = []
    graph = usable_road_graph(hand_graph(), Path("unused.graphml"), notes)
    assert graph is not None
    return RoadLinks(HUBS, graph, notes), notes


def test_each_link_is_its_road_distance_plus_the_connectors(links):
    road, _ = links
    assert road.lengths == pytest.approx(
        {
            (0, 1): 500 + 20_000 + 600,  # along the motorway, not the 30 km trunk road
            (0, 4): 500 + 10_000 + 200,
            (1, 4): 600 + 10_000 + 200,
            (3, 4): straight(3, 4),  # D is on a stretch nothing joins
            (0, 3): straight(0, 3),
            (1, 3): straight(1, 3),
            # C is off the network: straight to everyone
            (0, 2): straight(0, 2),
            (1, 2): straight(1, 2),
            (2, 3): straight(2, 3),
            (2, 4): straight(2, 4),
        }
    )
    assert set(road.lengths) == {(a, b) for a in range(5) for b in range(a + 1, 5)}


def test_the_notes_say_which_hubs_and_pairs_go_straight(links):
    _, notes = links
    assert notes == [
        "C is more than 15 km from a motorway or trunk road, so joined by straight links.",
        "3 pair(s) of hubs are not joined by the road graph, so joined by straight links.",
    ]


def test_several_hubs_off_the_network_are_named_together():
    notes: list[str] = []
    graph = usable_road_graph(hand_graph(), Path("unused.graphml"), notes)
    far = [
        HUBS[0],
        Hub("F", 1, shapely.Point(X0 - 40_000, Y0)),
        Hub("G", 1, shapely.Point(X0 + 60_000, Y0)),
    ]
    RoadLinks(far, graph, notes)
    assert notes == [
        "F, G are more than 15 km from a motorway or trunk road, so joined by straight links."
    ]


def test_a_routed_link_is_drawn_along_the_road(links):
    road, _ = links
    a_to_b, a_to_c, a_to_d = road.lines([(0, 1), (0, 2), (0, 3)])
    expected = shapely.LineString(
        [(X0 + 300, Y0 + 400), NODES[1], NODES[2], NODES[3], (X0 + 20_000, Y0 - 600)]
    )
    assert a_to_b.length == pytest.approx(21_100.0)
    assert shapely.normalize(a_to_b).equals_exact(shapely.normalize(expected), 1e-6)
    assert a_to_c.equals(shapely.LineString([HUBS[0].point, HUBS[2].point]))
    assert a_to_d.equals(shapely.LineString([HUBS[0].point, HUBS[3].point]))


def test_a_link_between_neighbouring_nodes_draws_its_one_road(links):
    road, _ = links
    (a_to_e,) = road.lines([(0, 4)])
    expected = shapely.LineString(
        [(X0 + 300, Y0 + 400), NODES[1], NODES[2], (X0 + 10_000, Y0 + 200)]
    )
    assert a_to_e.length == pytest.approx(10_700.0)
    assert shapely.normalize(a_to_e).equals_exact(shapely.normalize(expected), 1e-6)


def test_hubs_on_one_node_are_joined_by_their_connectors():
    notes: list[str] = []
    graph = usable_road_graph(hand_graph(), Path("unused.graphml"), notes)
    pair = [
        Hub("P", 1, shapely.Point(X0 + 300, Y0 + 400)),
        Hub("Q", 1, shapely.Point(X0, Y0 - 700)),
    ]
    road = RoadLinks(pair, graph, notes)
    assert road.lengths == {(0, 1): pytest.approx(500 + 0 + 700)}
    (line,) = road.lines([(0, 1)])
    assert line.length == pytest.approx(1_200.0)
    assert shapely.normalize(line).equals_exact(
        shapely.normalize(shapely.LineString([(X0 + 300, Y0 + 400), NODES[1], (X0, Y0 - 700)])),
        1e-6,
    )


def test_an_undirected_graph_gives_the_same_links():
    notes: list[str] = []
    graph = usable_road_graph(hand_graph(directed=False), Path("unused.graphml"), notes)
    assert isinstance(graph, nx.MultiDiGraph)
    assert RoadLinks(HUBS, graph, []).lengths[(0, 1)] == pytest.approx(21_100.0)


def test_straight_links_are_the_distances_between_hubs():
    lengths = StraightLinks(HUBS[:3]).lengths
    assert lengths == pytest.approx(
        {
            (0, 1): math.hypot(19_700, 1_000),
            (0, 2): math.hypot(9_700, 30_400),
            (1, 2): math.hypot(10_000, 29_400),
        }
    )


# --------------------------------------------------------------------------------------------
# Which graph roads mode uses, and what it says when there is none


def test_without_a_graph_roads_mode_says_how_to_get_one(tmp_path):
    notes: list[str] = []
    missing = tmp_path / "roads.graphml"
    assert usable_road_graph(None, missing, notes) is None
    assert notes == [
        f"Roads mode needs a road graph and none is at hand ({missing} is missing; run "
        "'python -m layers.corridor roads' where the network is allowed), so the spine uses "
        "straight links."
    ]


def test_a_graph_with_no_strategic_road_is_refused_with_a_note():
    graph = nx.MultiDiGraph(crs=settings.CRS_METRIC)
    graph.add_node(1, x=X0, y=Y0)
    graph.add_node(2, x=X0 + 1_000, y=Y0)
    graph.add_edge(1, 2, length=1_000.0, highway="primary")
    notes: list[str] = []
    assert usable_road_graph(graph, Path("unused.graphml"), notes) is None
    assert notes == [
        "The road graph has no motorway or trunk road, so the spine uses straight links."
    ]


def test_the_cached_graph_is_read_again_when_the_file_changes(tmp_path, monkeypatch):
    cache = tmp_path / "roads.graphml"
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", cache)
    assert load_road_graph() is None
    full = ox.graph_from_xml(ROADS_OSM, simplify=False, retain_all=True)
    ox.save_graphml(full, cache)
    first = load_road_graph()
    assert first is not None and first.number_of_edges() > 0
    assert first.graph["crs"] == settings.CRS_METRIC
    # a smaller graph written over it (one motorway edge, both ways) is read, not the old one
    u, v, k = next(
        (u, v, k) for u, v, k, h in full.edges(keys=True, data="highway") if h == "motorway"
    )
    ox.save_graphml(full.edge_subgraph([(u, v, k)]).copy(), cache)
    stamp = cache.stat().st_mtime_ns + 5_000_000_000
    os.utime(cache, ns=(stamp, stamp))
    assert load_road_graph(cache).number_of_edges() == 2


# --------------------------------------------------------------------------------------------
# Downloading the graph (osmnx stubbed: no network) and the command line


@pytest.fixture
def overpass(monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, dict]]:
    """Stand in for osmnx's download: record the request, answer with the fixture roads."""
    asked: list[tuple[object, dict]] = []

    def graph_from_polygon(polygon: object, **options: object) -> nx.MultiDiGraph:
        asked.append((polygon, options))
        return ox.graph_from_xml(ROADS_OSM, simplify=False, retain_all=True)

    monkeypatch.setattr(_osm.ox, "graph_from_polygon", graph_from_polygon)
    return asked


def test_the_download_asks_for_strategic_roads_around_the_midlands(
    overpass, boundaries_dir, tmp_path, monkeypatch
):
    target = tmp_path / "roads.graphml"
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", target)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert download_road_graph() == target
    ((polygon, options),) = overpass
    assert options == {
        "custom_filter": '["highway"~"^(motorway|motorway_link|trunk|trunk_link)$"]',
        "retain_all": True,
        "simplify": True,
    }
    # the Midlands grown by 5 km (simplified to 500 m), in longitude and latitude
    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    shape = outline.to_crs(settings.CRS_METRIC).geometry.iloc[0]
    asked = gpd.GeoSeries([polygon], crs=settings.CRS_STORAGE).to_crs(settings.CRS_METRIC)[0]
    assert asked.contains(shape.buffer(4_400))
    assert shape.buffer(5_600).contains(asked)
    written = load_road_graph(target)
    assert written is not None and written.number_of_edges() > 0


def test_the_download_writes_where_it_is_told(overpass, boundaries_dir, tmp_path, monkeypatch):
    default = tmp_path / "default" / "roads.graphml"
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", default)
    target = tmp_path / "elsewhere" / "roads.graphml"
    target.parent.mkdir()
    assert download_road_graph(target, boundaries_dir=boundaries_dir) == target
    assert target.is_file()
    assert not default.exists()


def test_a_failed_download_says_why(boundaries_dir, tmp_path, monkeypatch):
    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(_osm.ox, "graph_from_polygon", offline)
    with pytest.raises(RuntimeError) as raised:
        download_road_graph(tmp_path / "roads.graphml", boundaries_dir=boundaries_dir)
    assert str(raised.value) == (
        "the road graph could not be downloaded (ConnectionError: no network in tests); it "
        "needs the internet (Overpass); the cache is unchanged"
    )


def test_the_command_line_reports_the_links_it_wrote(
    overpass, boundaries_dir, tmp_path, monkeypatch, capsys
):
    target = tmp_path / "roads.graphml"
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", target)
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert main(["roads"]) == 0
    links = load_road_graph(target).number_of_edges() // 2
    assert links > 0
    assert capsys.readouterr().out == f"wrote {target} ({links} motorway and trunk road links)\n"


def test_the_command_line_needs_a_command(capsys):
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: python -m layers.corridor ")
    assert err.endswith("error: the following arguments are required: command\n")


def test_the_command_line_writes_where_it_is_told(
    overpass, boundaries_dir, tmp_path, monkeypatch, capsys
):
    default = tmp_path / "default" / "roads.graphml"
    monkeypatch.setattr(settings, "ROAD_GRAPH_PATH", default)
    target = tmp_path / "out" / "roads.graphml"
    target.parent.mkdir()
    assert main(["roads", "--out", str(target), "--boundaries", str(boundaries_dir)]) == 0
    links = load_road_graph(target).number_of_edges() // 2
    assert links > 0
    assert capsys.readouterr().out == f"wrote {target} ({links} motorway and trunk road links)\n"
    assert not default.exists()


def test_the_command_line_says_why_a_download_failed(boundaries_dir, tmp_path, monkeypatch, capsys):
    def offline(*args: object, **kwargs: object) -> None:
        raise ConnectionError("no network in tests")

    monkeypatch.setattr(_osm.ox, "graph_from_polygon", offline)
    args = ["roads", "--out", str(tmp_path / "r.graphml"), "--boundaries", str(boundaries_dir)]
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "error: the road graph could not be downloaded (ConnectionError: no network in tests); "
        "it needs the internet (Overpass); the cache is unchanged\n"
    )


def help_text(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """The help as one line, single-spaced and padded, so " words " match whole words only."""
    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    return " " + " ".join(capsys.readouterr().out.split()) + " "


def test_the_command_line_help_names_its_options(capsys):
    roads = help_text(capsys, "roads")
    assert " --out OUT GraphML file to write " in roads
    assert " the built boundaries folder (for the Midlands outline) " in roads
    top = help_text(capsys)
    assert " roads download the strategic road graph (needs network) " in top
    assert " python -m layers.corridor roads [--out PATH] # download the road graph (needs" in top


X0_ROAD_LINKS_EDGES, Y0_ROAD_LINKS_EDGES = 430_000.0, 310_000.0
NODES_ROAD_LINKS_EDGES = {
    1: (X0_ROAD_LINKS_EDGES, Y0_ROAD_LINKS_EDGES),
    2: (X0_ROAD_LINKS_EDGES + 10_000, Y0_ROAD_LINKS_EDGES),
    3: (X0_ROAD_LINKS_EDGES + 20_000, Y0_ROAD_LINKS_EDGES),
}


def motorway() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(crs=settings.CRS_METRIC)
    for node, (x, y) in NODES_ROAD_LINKS_EDGES.items():
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
        hub(
            "West", X0_ROAD_LINKS_EDGES - 15_000, Y0_ROAD_LINKS_EDGES
        ),  # exactly 15 km west of node 1
        hub("East", X0_ROAD_LINKS_EDGES + 35_010, Y0_ROAD_LINKS_EDGES),  # 15.01 km east of node 3
        hub(
            "Middle", X0_ROAD_LINKS_EDGES + 10_000, Y0_ROAD_LINKS_EDGES + 300
        ),  # 300 m north of node 2
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
    links, _ = road_links(
        [
            hub("P", X0_ROAD_LINKS_EDGES, Y0_ROAD_LINKS_EDGES + 0.6),
            hub("Q", X0_ROAD_LINKS_EDGES + 10_000, Y0_ROAD_LINKS_EDGES - 0.8),
        ]
    )
    (line,) = links.lines([(0, 1)])
    expected = shapely.LineString(
        [
            (X0_ROAD_LINKS_EDGES, Y0_ROAD_LINKS_EDGES + 0.6),
            NODES_ROAD_LINKS_EDGES[1],
            NODES_ROAD_LINKS_EDGES[2],
            (X0_ROAD_LINKS_EDGES + 10_000, Y0_ROAD_LINKS_EDGES - 0.8),
        ]
    )
    assert shapely.normalize(line).equals_exact(shapely.normalize(expected), 1e-9)
    assert line.length == pytest.approx(10_001.4)


def test_two_hubs_on_the_same_road_node_are_joined_by_a_line_of_no_length():
    links, _ = road_links(
        [hub("P", *NODES_ROAD_LINKS_EDGES[2]), hub("Q", *NODES_ROAD_LINKS_EDGES[2])]
    )
    assert links.lengths == {(0, 1): 0.0}
    (line,) = links.lines([(0, 1)])
    assert line.geom_type == "LineString"
    assert not line.is_empty
    assert list(line.coords) == [NODES_ROAD_LINKS_EDGES[2], NODES_ROAD_LINKS_EDGES[2]]


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
    assert (
        graph.nodes[3]["x"] == X0_ROAD_LINKS_EDGES + 20_000
        and graph.nodes[3]["y"] == Y0_ROAD_LINKS_EDGES
    )


def test_a_graph_in_longitude_and_latitude_is_projected_to_the_national_grid(projections):
    osm = ox.graph_from_xml(ROADS_OSM, simplify=False, retain_all=True)
    assert osm.graph["crs"].upper() == settings.CRS_STORAGE
    graph = usable_road_graph(osm, Path("unused.graphml"), [])
    assert graph is not None
    assert projections == [settings.CRS_METRIC]
    # Birmingham's node (52.48 N, 1.90 W) lies about 406 900 E, 286 900 N
    assert graph.nodes[1]["x"] == pytest.approx(406_890, abs=100)
    assert graph.nodes[1]["y"] == pytest.approx(286_900, abs=100)
