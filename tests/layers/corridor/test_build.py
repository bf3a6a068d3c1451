"""The Defence Belt: on the real registry, on synthetic edge cases, and in roads mode.

build_corridor and sites_in_corridor on sites placed by hand on the National Grid.

Every site sits at a chosen EPSG:27700 position inside a square outline (380 to 480 km east,
250 to 350 km north), so each spine length, hub and count below is read off the coordinates:
two lone sites 30,456.2 m apart give a spine 30.456 km long; a belt 10 km wide along the line
from Aston to Brant holds nothing 30 km north of it.

The belt's width measured on the ground, in EPSG:27700, from hubs placed by hand.

``width_km`` is the belt's full width: the spine is buffered by half of it on each side (see
``layers.corridor.build_corridor``). The hubs below are National Grid points chosen by hand
well inside the Midlands (over 15 km from its edge, checked), so no clipping touches the belt
and every expected distance is plain geometry: half the width across the spine, half the width
beyond each end, a stadium's area.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import osmnx as ox
import pandas as pd
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from streamlit.testing.v1 import AppTest

import settings
from layers import boundaries
from layers.corridor import (
    CORRIDOR_COLUMNS,
    build_corridor,
    corridor_summary,
    sites_in_corridor,
)

ROADS_OSM = Path(__file__).parents[2] / "data" / "roads.osm"


@pytest.fixture(scope="module")
def midlands(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return boundaries.load_layer("midlands", directory=boundaries_dir)


@pytest.fixture(scope="module")
def outline_m(midlands: gpd.GeoDataFrame) -> shapely.Geometry:
    return midlands.to_crs(settings.CRS_METRIC).geometry.iloc[0]


@pytest.fixture(scope="module")
def road_graph() -> nx.MultiDiGraph:
    # Unsimplified, so the filter (not osmnx's simplification) decides which ways are roads.
    return ox.graph_from_xml(ROADS_OSM, simplify=False, retain_all=True)


def site_frame(rows: list[tuple]) -> gpd.GeoDataFrame:
    """Sites from (site_id, town, capabilities, lat, lon) rows."""
    frame = pd.DataFrame(rows, columns=["site_id", "town", "capabilities", "lat", "lon"])
    frame["kind"] = "supplier"
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs=settings.CRS_STORAGE
    )


def town_sites(town: str, lat: float, lon: float, count: int, capability: str = "combat_air"):
    """``count`` sites within about 300 m of a point."""
    return [
        (f"{town.lower()}-{k}", town, [capability], lat + 0.001 * k, lon + 0.002 * k)
        for k in range(count)
    ]


def belt_of(corridor: gpd.GeoDataFrame) -> shapely.Geometry:
    return corridor.loc[corridor["part"] == "belt"].to_crs(settings.CRS_METRIC).geometry.iloc[0]


def spine_of(corridor: gpd.GeoDataFrame) -> shapely.Geometry:
    return corridor.loc[corridor["part"] == "spine"].to_crs(settings.CRS_METRIC).geometry.iloc[0]


# --------------------------------------------------------------------------------------------
# On the real registry


def test_corridor_is_deterministic(registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame) -> None:
    first = build_corridor(registry, outline=midlands)
    assert list(first.columns) == list(CORRIDOR_COLUMNS)
    assert first["part"].tolist() == ["belt", "spine"]
    assert_geodataframe_equal(first, build_corridor(registry, outline=midlands))
    reordered = build_corridor(registry.iloc[::-1], outline=midlands)
    assert_geodataframe_equal(first, reordered, check_less_precise=True)


@pytest.mark.parametrize("width_km", [4.0, 10.0, 30.0])
def test_belt_is_a_valid_polygon_inside_the_midlands(
    registry: gpd.GeoDataFrame,
    midlands: gpd.GeoDataFrame,
    outline_m: shapely.Geometry,
    width_km: float,
) -> None:
    corridor = build_corridor(registry, width_km=width_km, outline=midlands)
    belt = belt_of(corridor)
    assert corridor.crs == settings.CRS_STORAGE
    assert belt.is_valid and not belt.is_empty
    assert belt.geom_type in ("Polygon", "MultiPolygon")
    # Clipped to the outline; the round trip through EPSG:4326 may move an edge by millimetres.
    assert belt.difference(outline_m.buffer(1.0)).area < 1.0
    spine = spine_of(corridor)
    assert not spine.is_empty
    assert spine.difference(outline_m.buffer(1.0)).length < 1.0
    assert corridor["width_km"].eq(width_km).all()
    assert corridor["mode"].eq("straight").all()
    assert corridor["hub_count"].iloc[0] >= 1


def test_widening_never_lowers_the_share(
    registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame
) -> None:
    widths = [1.0, 2.0, 5.0, 10.0, 20.0, 40.0, 80.0]
    corridors = [build_corridor(registry, width_km=w, outline=midlands) for w in widths]
    shares = [c["share_inside"].iloc[0] for c in corridors]
    assert shares == sorted(shares)
    areas = [belt_of(c).area for c in corridors]
    assert areas == sorted(areas)
    for narrow, wide in itertools.pairwise(corridors):
        inside_narrow = sites_in_corridor(registry, narrow)
        inside_wide = sites_in_corridor(registry, wide)
        assert not (inside_narrow & ~inside_wide).any()


def test_filtering_to_one_capability_changes_the_corridor(
    registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame
) -> None:
    full = build_corridor(registry, outline=midlands)
    counts = registry["capabilities"].explode().value_counts()
    # The commonest capability that not every site has: a real filter, with sites to draw.
    capability = next(c for c, n in counts.items() if 2 <= n < len(registry))
    selection = registry[registry["capabilities"].map(lambda caps: capability in caps)]
    filtered = build_corridor(selection, outline=midlands)
    assert filtered["sites_total"].iloc[0] == len(selection) < len(registry)
    change = belt_of(full).symmetric_difference(belt_of(filtered)).area
    assert change > 0.05 * belt_of(full).area
    assert filtered["hubs"].iloc[0] != full["hubs"].iloc[0]


def test_sites_in_corridor_match_the_reported_share(
    registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame
) -> None:
    corridor = build_corridor(registry, outline=midlands)
    inside = sites_in_corridor(registry, corridor)
    assert inside.dtype == bool and inside.index.equals(registry.index)
    assert inside.sum() == corridor["sites_inside"].iloc[0]
    assert corridor["share_inside"].iloc[0] == pytest.approx(inside.mean())
    belt = corridor.geometry.iloc[0]
    assert registry[inside].geometry.intersects(belt).all()


def test_summary_gives_the_numbers_a_bid_quotes(
    registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame
) -> None:
    corridor = build_corridor(registry, outline=midlands)
    summary = corridor_summary(registry, corridor, level="ca")
    assert summary.sites == len(registry)
    assert summary.inside == corridor["sites_inside"].iloc[0]
    by_capability = summary.by_capability
    assert (by_capability["inside"] <= by_capability["sites"]).all()
    assert (by_capability["top_area_inside"] <= by_capability["inside"]).all()
    for row in by_capability.itertuples():
        holding = registry["capabilities"].map(lambda caps, c=row.capability: c in caps)
        assert row.sites == holding.sum()
    by_authority = summary.by_authority
    assert by_authority["sites"].sum() == len(registry)
    assert by_authority["inside"].sum() == summary.inside
    headlines = summary.headlines()
    assert headlines[0] == (
        f"The belt holds {summary.inside} of the {summary.sites} selected sites "
        f"({summary.share:.0%})."
    )
    assert len(headlines) == 1 + len(by_capability)
    county = corridor_summary(registry, corridor, level="county").by_authority
    assert county["sites"].sum() == len(registry)


# --------------------------------------------------------------------------------------------
# Edge cases


def test_no_sites_give_an_empty_corridor_with_a_note(
    registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame
) -> None:
    none = registry.iloc[:0]
    corridor = build_corridor(none, outline=midlands)
    assert corridor["part"].tolist() == ["belt", "spine"]
    assert corridor.geometry.is_empty.all()
    assert corridor["sites_total"].iloc[0] == 0
    assert math.isnan(corridor["share_inside"].iloc[0])
    assert "No sites are selected" in corridor["note"].iloc[0]
    assert sites_in_corridor(none, corridor).empty
    summary = corridor_summary(none, corridor)
    assert summary.headlines() == ["There are no selected sites, so the belt holds none."]


def test_one_site_gives_a_circle_around_it(midlands: gpd.GeoDataFrame) -> None:
    sites = site_frame(town_sites("Coventry", 52.408, -1.510, 1))
    corridor = build_corridor(sites, width_km=10, outline=midlands)
    belt = belt_of(corridor)
    assert belt.area == pytest.approx(math.pi * 5000.0**2, rel=0.01)
    assert spine_of(corridor).is_empty  # no line to draw: the belt is a circle around the hub
    assert corridor["hubs"].iloc[0] == "Coventry (1 site)"
    assert corridor["share_inside"].iloc[0] == 1.0
    assert "one hub" in corridor["note"].iloc[0]


@pytest.mark.parametrize("width_km", [4.0, 30.0])
def test_the_belt_is_as_wide_as_asked(midlands: gpd.GeoDataFrame, width_km: float) -> None:
    # One site in Coventry, far (over 15 km) from the outline: the belt is a disc of radius w/2.
    sites = site_frame(town_sites("Coventry", 52.408, -1.510, 1))
    belt = belt_of(build_corridor(sites, width_km=width_km, outline=midlands))
    radius_m = width_km * 1000.0 / 2
    assert belt.area == pytest.approx(math.pi * radius_m**2, rel=0.01)
    # Across, in both directions; buffers are polygons of 64 sides, hence the 0.5% allowance.
    minx, miny, maxx, maxy = belt.bounds
    assert maxx - minx == pytest.approx(width_km * 1000.0, rel=0.005)
    assert maxy - miny == pytest.approx(width_km * 1000.0, rel=0.005)


def test_defaults_are_read_from_settings_when_called(
    midlands: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    sites = site_frame(town_sites("Coventry", 52.408, -1.510, 1))
    monkeypatch.setattr(settings, "CORRIDOR_WIDTH_KM", 6.0)
    corridor = build_corridor(sites, outline=midlands)
    assert corridor["width_km"].iloc[0] == 6.0
    assert belt_of(corridor).area == pytest.approx(math.pi * 3000.0**2, rel=0.01)


def test_sites_all_in_one_town_form_one_hub(midlands: gpd.GeoDataFrame) -> None:
    sites = site_frame(town_sites("Derby", 52.922, -1.476, 6))
    corridor = build_corridor(sites, width_km=6, outline=midlands)
    assert corridor["hubs"].iloc[0] == "Derby (6 sites)"
    assert "one hub (Derby)" in corridor["note"].iloc[0]
    assert corridor["share_inside"].iloc[0] == 1.0
    assert belt_of(corridor).is_valid


def test_sites_outside_the_midlands_are_not_hubs(
    midlands: gpd.GeoDataFrame, outline_m: shapely.Geometry
) -> None:
    london = town_sites("London", 51.507, -0.128, 3)
    only_london = build_corridor(site_frame(london), outline=midlands)
    assert only_london.geometry.is_empty.all()
    assert "No selected site lies in the Midlands" in only_london["note"].iloc[0]
    assert only_london["share_inside"].iloc[0] == 0.0

    mixed = site_frame(
        town_sites("Coventry", 52.408, -1.510, 3) + town_sites("Derby", 52.922, -1.476, 3) + london
    )
    corridor = build_corridor(mixed, outline=midlands)
    assert "3 of 9 sites lie outside the Midlands" in corridor["note"].iloc[0]
    assert "London" not in corridor["hubs"].iloc[0]
    inside = sites_in_corridor(mixed, corridor)
    assert inside.tolist() == [True] * 6 + [False] * 3
    assert corridor["share_inside"].iloc[0] == pytest.approx(6 / 9)
    assert belt_of(corridor).difference(outline_m.buffer(1.0)).area < 1.0


def test_short_spurs_to_light_hubs_are_pruned(midlands: gpd.GeoDataFrame) -> None:
    # A trunk Birmingham - Coventry - Rugby with a light hub 14 km off Coventry's side.
    trunk = (
        town_sites("Birmingham", 52.480, -1.900, 5)
        + town_sites("Coventry", 52.408, -1.510, 5)
        + town_sites("Rugby", 52.371, -1.262, 5)
    )
    light = town_sites("Warwick", 52.290, -1.580, 2)
    corridor = build_corridor(site_frame(trunk + light), width_km=4, outline=midlands)
    assert "Short spurs to Warwick were pruned" in corridor["note"].iloc[0]
    assert "Warwick" not in corridor["hubs"].iloc[0]
    assert corridor["sites_inside"].iloc[0] == 15

    heavy = town_sites("Warwick", 52.290, -1.580, 8)
    kept = build_corridor(site_frame(trunk + heavy), width_km=4, outline=midlands)
    assert "Warwick (8 sites)" in kept["hubs"].iloc[0]
    assert kept["sites_inside"].iloc[0] == 23


def test_bad_options_say_what_to_do(registry: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame) -> None:
    with pytest.raises(ValueError, match="width_km must be a positive"):
        build_corridor(registry, width_km=0, outline=midlands)
    with pytest.raises(ValueError, match="choose 'straight' or 'roads'"):
        build_corridor(registry, mode="rail", outline=midlands)  # type: ignore[arg-type]
    corridor = build_corridor(registry, outline=midlands)
    with pytest.raises(ValueError, match="not an authority level"):
        corridor_summary(registry, corridor, level="parish")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no 'belt' row"):
        sites_in_corridor(registry, corridor.iloc[1:])


# --------------------------------------------------------------------------------------------
# Roads mode, on the hand-made OSM fixture


def four_cities() -> gpd.GeoDataFrame:
    return site_frame(
        town_sites("Birmingham", 52.480, -1.900, 3)
        + town_sites("Coventry", 52.408, -1.510, 3)
        + town_sites("Derby", 52.922, -1.476, 3)
        + town_sites("Nottingham", 52.954, -1.158, 3)
    )


def fixture_ways(road_graph: nx.MultiDiGraph, highways: set[str]) -> shapely.Geometry:
    """The fixture's ways of the given highway types as lines in EPSG:27700."""
    lines = [
        shapely.LineString(
            [
                (road_graph.nodes[u]["x"], road_graph.nodes[u]["y"]),
                (road_graph.nodes[v]["x"], road_graph.nodes[v]["y"]),
            ]
        )
        for u, v, highway in road_graph.edges(data="highway")
        if highway in highways
    ]
    return gpd.GeoSeries(lines, crs=settings.CRS_STORAGE).to_crs(settings.CRS_METRIC).union_all()


def test_roads_mode_follows_the_fixture_roads(
    road_graph: nx.MultiDiGraph, midlands: gpd.GeoDataFrame
) -> None:
    sites = four_cities()
    roads = build_corridor(sites, mode="roads", road_graph=road_graph, outline=midlands)
    assert roads["mode"].eq("roads").all()
    assert roads["note"].iloc[0] == ""
    strategic = fixture_ways(road_graph, {"motorway", "trunk"})
    spine = spine_of(roads)
    # Every part of the spine lies on the motorway and trunk ways (the hub connectors are short).
    assert spine.hausdorff_distance(strategic) < 1000.0
    # ... and none of it takes the primary-road shortcut from Coventry to Derby.
    shortcut = fixture_ways(road_graph, {"primary"})
    middle = shortcut.interpolate(0.5, normalized=True)
    assert spine.distance(middle) > 10_000.0

    straight = build_corridor(sites, mode="straight", outline=midlands)
    assert spine_of(straight).hausdorff_distance(strategic) > 4000.0
    assert roads["share_inside"].iloc[0] == 1.0
    assert belt_of(roads).is_valid


def test_roads_mode_spine_is_as_long_as_the_roads_it_follows(
    road_graph: nx.MultiDiGraph, midlands: gpd.GeoDataFrame
) -> None:
    # The fixture's M6, A38 and A52 as their nodes' (lon, lat), typed from tests/data/roads.osm.
    ways = [
        [(-1.9000, 52.4800), (-1.7800, 52.5000), (-1.6500, 52.4700), (-1.5600, 52.4400),
         (-1.5100, 52.4080)],
        [(-1.9000, 52.4800), (-1.8300, 52.5600), (-1.8000, 52.6800), (-1.6400, 52.8000),
         (-1.4760, 52.9220)],
        [(-1.4760, 52.9220), (-1.3000, 52.9350), (-1.2300, 52.9300), (-1.1580, 52.9540)],
    ]  # fmt: skip
    roads_m = gpd.GeoSeries(
        [shapely.LineString(way) for way in ways], crs=settings.CRS_STORAGE
    ).to_crs(settings.CRS_METRIC)
    corridor = build_corridor(four_cities(), mode="roads", road_graph=road_graph, outline=midlands)
    # Each hub sits within about 200 m of its city node: four short connectors at most.
    assert spine_of(corridor).length == pytest.approx(roads_m.length.sum(), abs=1000.0)
    assert corridor["length_km"].iloc[1] == pytest.approx(roads_m.length.sum() / 1000, abs=1.0)


def test_roads_mode_reads_a_graphml_cache(
    road_graph: nx.MultiDiGraph, midlands: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    cache = tmp_path / "roads.graphml"
    ox.save_graphml(road_graph, cache)
    sites = four_cities()
    from_cache = build_corridor(sites, mode="roads", road_graph_path=cache, outline=midlands)
    passed_in = build_corridor(sites, mode="roads", road_graph=road_graph, outline=midlands)
    assert from_cache["mode"].eq("roads").all()
    assert belt_of(from_cache).symmetric_difference(belt_of(passed_in)).area < 1.0


def test_roads_mode_without_a_graph_falls_back_and_says_so(
    midlands: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    sites = four_cities()
    corridor = build_corridor(
        sites, mode="roads", road_graph_path=tmp_path / "missing.graphml", outline=midlands
    )
    assert corridor["mode"].eq("straight").all()
    assert "none is at hand" in corridor["note"].iloc[0]
    assert "python -m layers.corridor roads" in corridor["note"].iloc[0]
    straight = build_corridor(sites, mode="straight", outline=midlands)
    assert_geodataframe_equal(
        corridor.drop(columns="note"), straight.drop(columns="note"), check_less_precise=True
    )


def test_roads_mode_with_no_strategic_roads_falls_back(
    road_graph: nx.MultiDiGraph, midlands: gpd.GeoDataFrame
) -> None:
    primary_only = road_graph.edge_subgraph(
        [(u, v, k) for u, v, k, h in road_graph.edges(keys=True, data="highway") if h == "primary"]
    ).copy()
    corridor = build_corridor(
        four_cities(), mode="roads", road_graph=primary_only, outline=midlands
    )
    assert corridor["mode"].eq("straight").all()
    assert "no motorway or trunk road" in corridor["note"].iloc[0]


def test_hubs_far_from_the_roads_join_by_straight_links(
    road_graph: nx.MultiDiGraph, midlands: gpd.GeoDataFrame
) -> None:
    sites = site_frame(
        town_sites("Birmingham", 52.480, -1.900, 3) + town_sites("Lincoln", 53.230, -0.540, 3)
    )
    corridor = build_corridor(sites, mode="roads", road_graph=road_graph, outline=midlands)
    assert corridor["mode"].eq("roads").all()
    assert "Lincoln is more than 15 km from a motorway or trunk road" in corridor["note"].iloc[0]
    assert corridor["share_inside"].iloc[0] == 1.0


def test_road_graph_download_failure_leaves_the_cache_alone(
    road_graph: nx.MultiDiGraph,
    boundaries_dir: Path,
    tmp_path: Path,
    osm_offline: None,
) -> None:
    from layers import corridor

    cache = tmp_path / "roads.graphml"
    ox.save_graphml(road_graph, cache)
    before = cache.read_bytes()
    with pytest.raises(RuntimeError, match="needs the internet"):
        corridor.download_road_graph(cache, boundaries_dir=boundaries_dir)
    assert cache.read_bytes() == before
    args = ["roads", "--out", str(cache), "--boundaries", str(boundaries_dir)]
    assert corridor.main(args) == 1


ASTON = (400_000.0, 300_000.0)
BRANT = (430_000.0, 300_000.0)  # 30 km east of Aston
COLE = (400_000.0, 330_000.0)  # 30 km north of Aston


def grid_sites(rows: list[tuple[str, str, float, float]]) -> gpd.GeoDataFrame:
    """Sites from (site_id, town, easting, northing) rows, in EPSG:27700."""
    frame = pd.DataFrame(rows, columns=["site_id", "town", "x", "y"])
    return gpd.GeoDataFrame(
        frame[["site_id", "town"]],
        geometry=gpd.points_from_xy(frame["x"], frame["y"]),
        crs=settings.CRS_METRIC,
    )


def town(name: str, at: tuple[float, float], count: int) -> list[tuple[str, str, float, float]]:
    """``count`` sites of one town, 100 m apart eastwards from ``at``."""
    return [(f"{name.lower()}-{k}", name, at[0] + 100.0 * k, at[1]) for k in range(count)]


@pytest.fixture(scope="module")
def outline() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        geometry=[shapely.box(380_000, 250_000, 480_000, 350_000)], crs=settings.CRS_METRIC
    )


def row(corridor: gpd.GeoDataFrame, part: str) -> pd.Series:
    return corridor.set_index("part").loc[part]


def test_the_spine_length_is_given_to_the_metre(outline):
    # two lone sites 30,456.2 m apart: each is a hub, the spine is the straight line between
    sites = grid_sites([("a", "Aston", *ASTON), ("b", "Brant", ASTON[0] + 30_456.2, ASTON[1])])
    corridor = build_corridor(sites, outline=outline)
    spine = row(corridor, "spine")
    assert spine["hubs"] == "Aston (1 site); Brant (1 site)"
    assert spine["length_km"] == 30.456
    assert isinstance(spine["length_km"], float)
    assert math.isnan(row(corridor, "belt")["length_km"])


def test_the_hub_size_asked_for_decides_which_towns_are_hubs(outline):
    # three sites at Aston, three at Brant, two at Cole: asking for hubs of three leaves Cole out
    sites = grid_sites(town("Aston", ASTON, 3) + town("Brant", BRANT, 3) + town("Cole", COLE, 2))
    corridor = build_corridor(sites, outline=outline, hub_min_sites=3)
    spine = row(corridor, "spine")
    assert spine["hub_count"] == 2
    assert spine["hubs"] == "Aston (3 sites); Brant (3 sites)"
    # the belt runs east from Aston to Brant: Cole, 30 km north, is outside it
    assert (spine["sites_total"], spine["sites_inside"], spine["share_inside"]) == (8, 6, 0.75)


def test_with_hubs_of_two_the_pair_at_cole_is_a_hub_too(outline):
    sites = grid_sites(town("Aston", ASTON, 3) + town("Brant", BRANT, 3) + town("Cole", COLE, 2))
    corridor = build_corridor(sites, outline=outline, hub_min_sites=2)
    spine = row(corridor, "spine")
    assert spine["hub_count"] == 3
    assert spine["hubs"] == "Aston (3 sites); Brant (3 sites); Cole (2 sites)"
    assert (spine["sites_inside"], spine["share_inside"]) == (8, 1.0)


def test_a_corridor_with_a_missing_belt_holds_no_site():
    # a corridor read back from a file can carry no belt geometry at all (null, not empty)
    corridor = gpd.GeoDataFrame(
        {"part": ["belt", "spine"]}, geometry=[None, None], crs=settings.CRS_STORAGE
    )
    sites = grid_sites([("a", "Aston", *ASTON), ("b", "Brant", *BRANT)])
    inside = sites_in_corridor(sites, corridor)
    assert inside.tolist() == [False, False]
    assert inside.name == "in_corridor"
    assert inside.dtype == bool


# Two hubs on the National Grid: near Nuneaton and near Loughborough, 40 km apart (a 3-4-5
# triangle: 24 km east, 32 km north), so the spine's direction and length are exact.
WEST = (436_000.0, 289_000.0)
EAST = (460_000.0, 321_000.0)
SPINE_KM = 40.0
#: The spine's unit direction and the unit normal to it (turned a quarter left).
ALONG = np.array([24.0, 32.0]) / 40.0
ACROSS = np.array([-32.0, 24.0]) / 40.0
MIDDLE = (np.array(WEST) + np.array(EAST)) / 2


def grid_sites_belt_width(
    points: list[tuple[float, float]], prefix: str = "hub"
) -> gpd.GeoDataFrame:
    """Sites at National Grid points, one per point, in EPSG:27700."""
    frame = pd.DataFrame(
        {
            "site_id": [f"{prefix}-{k}" for k in range(len(points))],
            "town": [f"Town {k}" for k in range(len(points))],
            "kind": "supplier",
            "capabilities": [["combat_air"] for _ in points],
        }
    )
    return gpd.GeoDataFrame(
        frame,
        geometry=[shapely.Point(x, y) for x, y in points],
        crs=settings.CRS_METRIC,
    )


def reach(belt: shapely.Geometry, start: np.ndarray, direction: np.ndarray) -> float:
    """Metres from ``start`` (inside the belt) to the belt's edge along ``direction``."""
    far = start + direction * 100_000.0
    ray = shapely.LineString([tuple(start), tuple(far)])
    crossing = ray.intersection(belt.boundary)
    return min(shapely.Point(start).distance(p) for p in shapely.get_parts(crossing))


def test_the_hubs_are_far_inside_the_midlands(midlands):
    # A precondition of every measurement below: a 30 km belt is never clipped.
    outline = midlands.to_crs(settings.CRS_METRIC).geometry.iloc[0]
    spine = shapely.LineString([WEST, EAST])
    assert spine.length == pytest.approx(SPINE_KM * 1000.0)
    assert outline.boundary.distance(spine) > 16_000.0
    assert outline.contains(spine)


@pytest.mark.parametrize("width_km", [4.0, 30.0])
def test_across_the_spine_the_belt_reaches_half_its_width(midlands, width_km):
    corridor = build_corridor(
        grid_sites_belt_width([WEST, EAST]), width_km=width_km, outline=midlands
    )
    belt = belt_of(corridor)
    half_m = width_km * 1000.0 / 2
    # perpendicular to the spine, at its middle and a quarter of the way along, both sides:
    # a buffer of a straight line is exact across it, so to the metre
    for point in (MIDDLE, np.array(WEST) + ALONG * 10_000.0):
        assert reach(belt, point, ACROSS) == pytest.approx(half_m, abs=1.0)
        assert reach(belt, point, -ACROSS) == pytest.approx(half_m, abs=1.0)
    # beyond each hub, along the spine: round ends of radius half the width (a 64-gon's
    # vertices lie on the circle and its sides within 0.12% inside it)
    assert reach(belt, np.array(EAST), ALONG) == pytest.approx(half_m, rel=0.002)
    assert reach(belt, np.array(WEST), -ALONG) == pytest.approx(half_m, rel=0.002)
    # nowhere is the belt further than half the width from the spine, and it holds the spine
    spine = shapely.LineString([WEST, EAST])
    assert spine.hausdorff_distance(belt.boundary) == pytest.approx(half_m, rel=0.002)
    assert max(spine.distance(shapely.Point(p)) for p in belt.exterior.coords) <= half_m + 1.0
    assert belt.contains(spine)
    # a stadium: a rectangle of the spine's length and the full width, and a disc at the ends
    stadium = SPINE_KM * 1000.0 * width_km * 1000.0 + math.pi * half_m**2
    assert belt.area == pytest.approx(stadium, rel=0.002)
    assert corridor["area_km2"].iloc[0] == pytest.approx(stadium / 1e6, rel=0.002)
    # the spine drawn joins the two hubs
    assert spine_of(corridor).length == pytest.approx(SPINE_KM * 1000.0, abs=1.0)
    assert corridor["length_km"].iloc[1] == pytest.approx(SPINE_KM, abs=0.001)
    assert corridor["width_km"].iloc[0] == width_km
    assert corridor["hub_count"].iloc[0] == 2


@pytest.mark.parametrize("width_km", [4.0, 30.0])
def test_around_a_single_site_the_belt_is_a_disc_of_half_the_width(midlands, width_km):
    corridor = build_corridor(grid_sites_belt_width([MIDDLE]), width_km=width_km, outline=midlands)
    belt = belt_of(corridor)
    radius_m = width_km * 1000.0 / 2
    centre = shapely.Point(MIDDLE)
    # a polygon of 64 sides around the circle (grown and shrunk: its vertices and sides lie
    # within 0.13% of the circle, never outside it)
    vertices = [centre.distance(shapely.Point(p)) for p in belt.exterior.coords]
    assert radius_m * 0.9987 <= min(vertices) <= max(vertices) <= radius_m + 1.0
    assert centre.distance(belt.boundary) == pytest.approx(radius_m, rel=0.0013)
    for angle in np.linspace(0, 2 * math.pi, 8, endpoint=False):
        direction = np.array([math.cos(angle), math.sin(angle)])
        assert reach(belt, np.array(MIDDLE), direction) == pytest.approx(radius_m, rel=0.0013)
    assert spine_of(corridor).is_empty


def probes(distances_km: list[float]) -> gpd.GeoDataFrame:
    """Sites off the middle of the spine, ``distances_km`` to its left, in EPSG:4326."""
    points = [tuple(MIDDLE + ACROSS * d * 1000.0) for d in distances_km]
    return grid_sites_belt_width(points, prefix="probe").to_crs(settings.CRS_STORAGE)


def test_a_wider_belt_covers_strictly_more(midlands):
    hubs = grid_sites_belt_width([WEST, EAST])
    narrow = build_corridor(hubs, width_km=4.0, outline=midlands)
    wide = build_corridor(hubs, width_km=30.0, outline=midlands)
    assert belt_of(wide).area > belt_of(narrow).area * 5
    assert belt_of(wide).contains(belt_of(narrow))
    # sites 1.5 and 1.99 km off the spine are in both; 2.01 and 8 km only in the wider belt;
    # 14.99 km is just inside the wider one; 15.01 and 20 km in neither
    off = probes([1.5, 1.99, 2.01, 8.0, 14.99, 15.01, 20.0])
    assert sites_in_corridor(off, narrow).tolist() == [
        True,
        True,
        False,
        False,
        False,
        False,
        False,
    ]
    assert sites_in_corridor(off, wide).tolist() == [True, True, True, True, True, False, False]
    # the same distances on the other side
    other = probes([-1.99, -2.01, -14.99, -15.01])
    assert sites_in_corridor(other, narrow).tolist() == [True, False, False, False]
    assert sites_in_corridor(other, wide).tolist() == [True, True, True, False]


def test_sites_in_corridor_keeps_the_sites_index_and_name(midlands):
    corridor = build_corridor(grid_sites_belt_width([WEST, EAST]), width_km=4.0, outline=midlands)
    off = probes([0.0, 3.0, 1.0])
    off.index = pd.Index([30, 10, 20])
    inside = sites_in_corridor(off, corridor)
    assert inside.name == "in_corridor"
    assert inside.dtype == bool
    assert inside.to_dict() == {30: True, 10: False, 20: True}
    # a site on the belt's very edge counts as inside
    edge = gpd.GeoDataFrame(
        {"site_id": ["edge"]},
        geometry=[shapely.Point(belt_of(corridor).exterior.coords[0])],
        crs=settings.CRS_METRIC,
    )
    assert sites_in_corridor(edge, corridor).tolist() == [True]


def test_sites_in_corridor_refuses_what_is_not_a_belt_or_has_no_crs(midlands):
    corridor = build_corridor(grid_sites_belt_width([WEST, EAST]), width_km=4.0, outline=midlands)
    no_belt = "corridor has no 'belt' row; pass the result of build_corridor"
    with pytest.raises(ValueError) as raised:
        sites_in_corridor(probes([0.0]), corridor[corridor["part"] == "spine"])
    assert str(raised.value) == no_belt
    with pytest.raises(ValueError) as raised:
        sites_in_corridor(probes([0.0]), corridor.drop(columns="part"))
    assert str(raised.value) == no_belt
    bare = gpd.GeoDataFrame({"site_id": ["x"]}, geometry=[shapely.Point(0, 0)])
    with pytest.raises(ValueError) as raised:
        sites_in_corridor(bare, corridor)
    assert str(raised.value) == "sites have no CRS; set it first, e.g. sites.set_crs('EPSG:4326')"
    nothing = probes([])
    assert sites_in_corridor(nothing, corridor).empty


def test_the_figures_are_the_drawn_shapes_rounded_to_metres(midlands):
    corridor = build_corridor(grid_sites_belt_width([WEST, EAST]), width_km=30.0, outline=midlands)
    assert corridor["area_km2"].iloc[0] == round(belt_of(corridor).area / 1e6, 3)
    assert corridor["length_km"].iloc[1] == round(spine_of(corridor).length / 1000.0, 3)
    assert corridor["sites_inside"].tolist() == [2, 2]
    assert corridor["share_inside"].tolist() == [1.0, 1.0]


def test_the_default_outline_is_the_built_midlands(midlands, boundaries_dir, monkeypatch):
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    corridor = build_corridor(grid_sites_belt_width([WEST, EAST]), width_km=4.0)
    stadium = SPINE_KM * 1000.0 * 4000.0 + math.pi * 2000.0**2
    assert belt_of(corridor).area == pytest.approx(stadium, rel=0.002)


def test_an_outline_without_crs_or_shape_is_refused(midlands):
    hubs = grid_sites_belt_width([WEST, EAST])
    with pytest.raises(ValueError) as raised:
        build_corridor(hubs, outline=midlands.set_crs(None, allow_override=True))
    assert str(raised.value) == "outline has no CRS; pass boundaries.load_layer('midlands', ...)"
    with pytest.raises(ValueError) as raised:
        build_corridor(hubs, outline=midlands.iloc[0:0])
    assert str(raised.value) == "outline is empty; pass boundaries.load_layer('midlands', ...)"


def test_an_empty_belt_holds_no_site(midlands):
    # sites far outside the Midlands (the Isle of Wight) give no belt; none is inside it
    away = grid_sites_belt_width([(445_000.0, 85_000.0), (455_000.0, 90_000.0)])
    corridor = build_corridor(away, width_km=10.0, outline=midlands)
    assert belt_of(corridor).is_empty
    inside = sites_in_corridor(away, corridor)
    assert inside.tolist() == [False, False]
    assert inside.name == "in_corridor"
    assert corridor["sites_inside"].iloc[0] == 0
    assert corridor["share_inside"].iloc[0] == 0.0


# --------------------------------------------------------------------------------------------
# The belt in the app, from a link with w=25


def test_the_app_draws_and_exports_a_belt_25_km_wide(
    monkeypatch: pytest.MonkeyPatch, boundaries_dir: Path
):
    """A link with ``w=25`` and a text that selects Whittington Barracks alone.

    One site makes one hub, so the belt is a disc around it: radius 12.5 km, measured from the
    site's registry position (52.65889 N, 1.7730 W), over 50 km from the Midlands' edge.
    """
    from layers import selection as selecting

    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    exported: list[selecting.Selection] = []
    make_selection = selecting.make_selection

    def spy(*args, **kwargs):
        selection = make_selection(*args, **kwargs)
        exported.append(selection)
        return selection

    monkeypatch.setattr(selecting, "make_selection", spy)
    app = AppTest.from_file(str(settings.ROOT / "app.py"), default_timeout=90)
    app.query_params["w"] = "25"
    app.query_params["q"] = "Whittington Barracks"
    app.session_state["tab"] = "Export"  # only the open tab under the map runs
    at = app.run()
    assert not at.exception
    assert at.slider(key="o_width").value == 25.0
    assert any("--width-km 25" in c.value for c in at.code)
    selection = exported[-1]
    assert list(selection.sites["site_id"]) == ["whittington-barracks"]
    corridor = selection.corridor
    assert corridor is not None
    belt = belt_of(corridor)
    site = gpd.GeoSeries([shapely.Point(-1.7730, 52.65889)], crs=settings.CRS_STORAGE)
    centre = site.to_crs(settings.CRS_METRIC).iloc[0]
    vertices = [centre.distance(shapely.Point(p)) for p in belt.exterior.coords]
    assert 12_500.0 * 0.9987 <= min(vertices) <= max(vertices) <= 12_500.0 + 1.0
    assert belt.area == pytest.approx(math.pi * 12_500.0**2, rel=0.003)  # a 64-gon: -0.16%
    assert corridor["width_km"].iloc[0] == 25.0
