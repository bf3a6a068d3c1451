"""The belt's hubs and spine on groups of sites placed by hand on the National Grid.

Each group is a row of sites 100 m apart at a chosen point, so with hubs 2 km across every
group is one hub of a known size, and the distances between hubs are the ones chosen here
(the junction is at 450 km E, 300 km N). Which spurs are pruned, and why, follows from the
rule in ``layers.corridor``: a side branch shorter than ``min_spur_km`` whose hubs hold fewer
sites than the hub it leaves is pruned, shortest first, while that hub keeps two links.

The spine at the edge of the outline, and the plan for a single hub.

The outline is a square drawn by hand on the National Grid (EPSG:27700), 100 km across, so
every distance to it is plain arithmetic: a site 5 km east of its east edge is exactly
``settings.OUTLINE_TOLERANCE_M`` (5000 m) from it. Each hub is a few sites placed symmetrically
about a chosen point (100 m apart, north-south), so the hub's point is that point.

Where the spine's pruning rule draws its lines: at the spur limit, and between equal spurs.

The rule (``layers.corridor``): a spur is pruned when it is *shorter* than ``min_spur_km`` and
its hubs hold fewer sites than the junction it leaves, shortest first, while that junction
keeps two links. Hubs here sit on National Grid points chosen by hand, each a few sites placed
symmetrically about the hub's point (so the hub, the mean of its sites, is that point), and
every spur length is the plain distance between two of these points. The tests at the limit go
through ``build_corridor``; the exact ties (equal to the limit, or two spurs of one length) are
set on the pruning step itself with lengths written down here, as a road network can give them.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import settings
from layers import boundaries
from layers.corridor import build_corridor
from layers.corridor._hubs import Hub
from layers.corridor._spine import _pruned_tree, plan_spine

JUNCTION = (450_000.0, 300_000.0)


@pytest.fixture(scope="module")
def midlands(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return boundaries.load_layer("midlands", directory=boundaries_dir)


def groups(*specs: tuple[str, float, float, int]) -> gpd.GeoDataFrame:
    """Sites in groups: (town, km east of the junction, km north of it, how many sites)."""
    rows = [
        (
            f"{town.lower()}-{k}",
            town,
            JUNCTION[0] + east * 1000 + 100 * k,
            JUNCTION[1] + north * 1000,
        )
        for town, east, north, count in specs
        for k in range(count)
    ]
    frame = pd.DataFrame(rows, columns=["site_id", "town", "x", "y"])
    frame["kind"] = "supplier"
    frame["capabilities"] = [["space"] for _ in rows]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=settings.CRS_METRIC
    )


def corridor_of(sites: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame, **options: object):
    settings_like = {"width_km": 4, "hub_radius_km": 2, "hub_min_sites": 2, "min_spur_km": 15}
    return build_corridor(sites, outline=midlands, **{**settings_like, **options})


def hubs_and_note(corridor: gpd.GeoDataFrame) -> tuple[str, str]:
    return corridor["hubs"].iloc[0], corridor["note"].iloc[0]


def test_of_two_short_spurs_the_shorter_is_pruned_even_when_heavier(midlands):
    # East: 5 km, 3 sites; North: 8 km, 2 sites; the junction keeps only two links after one
    sites = groups(
        ("Junction", 0, 0, 10), ("Trunk", -40, 0, 4), ("East", 5, 0, 3), ("North", 0, 8, 2)
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); Trunk (4 sites); North (2 sites)",
        "Short spurs to East were pruned from the spine.",
    )


def test_of_two_short_spurs_the_shorter_is_pruned_whatever_its_place(midlands):
    # North is heavier (listed first among hubs of its size order) but East is shorter
    sites = groups(
        ("Junction", 0, 0, 10), ("Trunk", -40, 0, 4), ("East", 5, 0, 2), ("North", 0, 8, 3)
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); Trunk (4 sites); North (3 sites)",
        "Short spurs to East were pruned from the spine.",
    )


def test_spurs_are_pruned_while_the_junction_keeps_two_links(midlands):
    sites = groups(
        ("Junction", 0, 0, 10),
        ("West", -40, 0, 4),
        ("South", 0, -40, 4),
        ("East", 5, 0, 3),
        ("North", 0, 8, 2),
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); South (4 sites); West (4 sites)",
        "Short spurs to East, North were pruned from the spine.",
    )


def test_a_spur_as_heavy_as_its_junction_stays(midlands):
    sites = groups(
        ("Junction", 0, 0, 4), ("West", -40, 0, 4), ("South", 0, -40, 4), ("East", 5, 0, 4)
    )
    hubs, note = hubs_and_note(corridor_of(sites, midlands))
    assert hubs.count("(4 sites)") == 4
    assert note == ""


def test_a_spur_is_measured_along_its_whole_chain(midlands):
    # Far - Near - Junction: 10 km and 10 km, 20 km in all: longer than 15 km, so it stays
    sites = groups(
        ("Junction", 0, 0, 10),
        ("West", -40, 0, 4),
        ("South", 0, -40, 4),
        ("Near", 10, 0, 2),
        ("Far", 20, 0, 2),
    )
    assert hubs_and_note(corridor_of(sites, midlands)) == (
        "Junction (10 sites); South (4 sites); West (4 sites); Far (2 sites); Near (2 sites)",
        "",
    )
    # with a 25 km limit the whole chain goes
    assert hubs_and_note(corridor_of(sites, midlands, min_spur_km=25)) == (
        "Junction (10 sites); South (4 sites); West (4 sites)",
        "Short spurs to Far, Near were pruned from the spine.",
    )


def test_hubs_are_clustered_at_the_radius_asked(midlands):
    # 5 km apart: two hubs at 2 km, one at 8 km
    sites = groups(("Junction", 0, 0, 3), ("East", 5, 0, 3))
    assert corridor_of(sites, midlands)["hub_count"].iloc[0] == 2
    merged = corridor_of(sites, midlands, hub_radius_km=8)
    assert merged["hub_count"].iloc[0] == 1


def test_two_clusters_leave_lone_sites_out_of_the_hubs(midlands):
    sites = groups(("Junction", 0, 0, 3), ("West", -30, 0, 3), ("Lone", 0, 20, 1))
    hubs, note = hubs_and_note(corridor_of(sites, midlands))
    assert hubs == "Junction (3 sites); West (3 sites)"
    assert note == ""


def test_sparse_sites_each_make_a_hub_and_say_so(midlands):
    sites = groups(("Junction", 0, 0, 1), ("West", -30, 0, 1), ("North", 0, 20, 1))
    corridor = corridor_of(sites, midlands)
    assert corridor["hub_count"].iloc[0] == 3
    assert corridor["note"].iloc[0] == (
        "The sites form fewer than two clusters of 2 within 2 km, so every group of sites "
        "within 2 km is a hub."
    )


def test_one_group_is_one_hub_and_the_note_says_only_that(midlands):
    corridor = corridor_of(groups(("Junction", 0, 0, 5)), midlands)
    assert hubs_and_note(corridor) == (
        "Junction (5 sites)",
        "The sites form one hub (Junction), so the belt is a circle around it rather than a "
        "corridor.",
    )
    assert corridor["mode"].eq("straight").all()


def test_no_site_and_no_site_in_the_midlands_say_why_there_is_no_belt(midlands):
    none = build_corridor(groups(("Junction", 0, 0, 1)).iloc[0:0], outline=midlands, mode="roads")
    assert list(none["mode"]) == ["straight", "straight"]
    assert none["note"].iloc[0] == (
        "No sites are selected, so there is no corridor; widen the filters."
    )
    # 250 km south of the junction: the Isle of Wight
    away = build_corridor(groups(("Island", 0, -250, 2)), outline=midlands, mode="roads")
    assert list(away["mode"]) == ["straight", "straight"]
    assert away["note"].iloc[0] == (
        "No selected site lies in the Midlands, so there is no corridor. 2 of 2 sites lie "
        "outside the Midlands; they are not hubs and count as outside the belt."
    )


def test_options_are_checked_with_messages_that_name_them(midlands):
    sites = groups(("Junction", 0, 0, 2), ("West", -30, 0, 2))
    with pytest.raises(ValueError) as raised:
        corridor_of(sites, midlands, hub_radius_km=0)
    assert str(raised.value) == "hub_radius_km must be a positive number of kilometres, got 0"
    with pytest.raises(ValueError) as raised:
        corridor_of(sites, midlands, min_spur_km=-1)
    assert str(raised.value) == "min_spur_km must be zero or more kilometres, got -1"
    # no pruning at all is allowed
    assert corridor_of(sites, midlands, min_spur_km=0)["hub_count"].iloc[0] == 2
    assert corridor_of(sites, midlands, min_spur_km=0.5)["hub_count"].iloc[0] == 2


def test_the_outline_given_is_the_one_used(midlands, tmp_path, monkeypatch):
    # the default boundaries folder is empty: only the outline passed in can be used
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", tmp_path)
    sites = groups(("Junction", 0, 0, 2), ("West", -30, 0, 2))
    assert corridor_of(sites, midlands)["hub_count"].iloc[0] == 2


def test_pruning_goes_on_at_other_junctions_after_one_is_down_to_two_links(midlands):
    # J1 (10 sites) has spurs East (5 km) and South (8 km) and one trunk link to J2; J2 has a
    # spur NE (12 km) and a trunk link to North (20 km on). East goes first; South must stay
    # (J1 would be left with one link); NE is still pruned.
    sites = groups(
        ("Junction", 0, 0, 10),
        ("Second", 0, 20, 10),
        ("North", 0, 40, 4),
        ("East", 5, 0, 2),
        ("South", 0, -8, 3),
        ("Northeast", 12, 20, 2),
    )
    hubs, note = hubs_and_note(corridor_of(sites, midlands))
    assert note == "Short spurs to East, Northeast were pruned from the spine."
    assert sorted(hubs.split("; ")) == [
        "Junction (10 sites)",
        "North (4 sites)",
        "Second (10 sites)",
        "South (3 sites)",
    ]


def test_sparse_sites_are_grouped_at_the_radius_asked(midlands):
    # single sites 5 km apart: three hubs at 2 km (the default 8 km would merge two)
    sites = groups(("Junction", 0, 0, 1), ("East", 5, 0, 1), ("West", -30, 0, 1))
    corridor = corridor_of(sites, midlands)
    assert corridor["hub_count"].iloc[0] == 3
    # two single sites: two hubs, and the note says why
    pair = corridor_of(groups(("Junction", 0, 0, 1), ("West", -30, 0, 1)), midlands)
    assert pair["hub_count"].iloc[0] == 2
    assert pair["note"].iloc[0] == (
        "The sites form fewer than two clusters of 2 within 2 km, so every group of sites "
        "within 2 km is a hub."
    )


WEST_EDGE, SOUTH_EDGE, EAST_EDGE, NORTH_EDGE = 400_000.0, 250_000.0, 500_000.0, 350_000.0
SQUARE = shapely.box(WEST_EDGE, SOUTH_EDGE, EAST_EDGE, NORTH_EDGE)
OUTLINE = gpd.GeoDataFrame(geometry=[SQUARE], crs=settings.CRS_METRIC)


def hub_sites(*specs: tuple[str, float, float, int]) -> gpd.GeoDataFrame:
    """Sites (EPSG:27700) for hubs given as (town, east, north in metres, count).

    A hub's sites lie in a north-south row 100 m apart, symmetric about its point.
    """
    rows = []
    for town, east, north, count in specs:
        for k in range(count):
            offset = 100.0 * k - 50.0 * (count - 1)
            rows.append((f"{town.lower()}-{k}", town, east, north + offset))
    frame = pd.DataFrame(rows, columns=["site_id", "town", "x", "y"])
    frame["kind"] = "supplier"
    frame["capabilities"] = [["space"] for _ in rows]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=settings.CRS_METRIC
    )


def corridor_of_spine_outline_edges(
    sites: gpd.GeoDataFrame, width_km: float = 4
) -> gpd.GeoDataFrame:
    return build_corridor(
        sites,
        outline=OUTLINE,
        width_km=width_km,
        hub_radius_km=2,
        hub_min_sites=2,
        min_spur_km=15,
    )


def test_sites_exactly_at_the_outline_tolerance_are_hubs():
    # Inland: 2 sites 50 km inside; Edge: 2 sites exactly 5000 m east of the east edge (within
    # the tolerance, so a hub); Beyond: one site 5001 m out (outside, and said so)
    sites = hub_sites(
        ("Inland", 450_000.0, 300_000.0, 2),
        ("Edge", EAST_EDGE + 5_000.0, 300_000.0, 2),
        ("Beyond", EAST_EDGE + 5_001.0, 260_000.0, 1),
    )
    corridor = corridor_of_spine_outline_edges(sites)
    assert corridor["hub_count"].iloc[0] == 2
    assert corridor["hubs"].iloc[0] == "Edge (2 sites); Inland (2 sites)"
    assert corridor["note"].iloc[0] == (
        "1 of 5 sites lie outside the Midlands; they are not hubs and count as outside the belt."
    )
    # the spine runs from Inland to the edge of the outline: 50 km
    assert corridor["length_km"].iloc[1] == pytest.approx(50.0, abs=0.001)


def test_a_spine_wholly_outside_the_outline_is_an_empty_line():
    # Two hubs 3 km east of the east edge (inside the 5 km tolerance), 40 km apart north-south:
    # their link lies outside the square, so nothing of the spine is drawn; the 10 km belt
    # reaches 2 km into the square along the link.
    sites = hub_sites(
        ("North", EAST_EDGE + 3_000.0, 320_000.0, 2),
        ("South", EAST_EDGE + 3_000.0, 280_000.0, 2),
    )
    corridor = corridor_of_spine_outline_edges(sites, width_km=10)
    assert corridor["note"].iloc[0] == ""
    assert corridor["hub_count"].iloc[0] == 2
    spine = corridor.loc[corridor["part"] == "spine"].geometry.iloc[0]
    assert spine.geom_type == "LineString"
    assert spine.is_empty
    assert corridor["length_km"].iloc[1] == 0.0
    # the belt inside: a 40 km x 2 km strip, and at each end half of the slice of a 5 km disc
    # lying more than 3 km from its centre: 25 acos(3/5) - 3 x 4 km^2 for the whole slice
    caps = 25.0 * math.acos(0.6) - 12.0
    assert corridor["area_km2"].iloc[0] == pytest.approx(40.0 * 2.0 + caps, rel=0.003)


def plan(sites: gpd.GeoDataFrame, tmp_path: Path):
    return plan_spine(
        sites,
        SQUARE,
        mode="straight",
        road_graph=None,
        road_graph_path=tmp_path / "no-road-graph.graphml",
        hub_radius_km=2,
        hub_min_sites=2,
        min_spur_km=15,
    )


def test_one_hub_plans_no_spine_line_and_two_hubs_do(tmp_path):
    one = plan(hub_sites(("Junction", 450_000.0, 300_000.0, 3)), tmp_path)
    assert one.spine_drawn is False
    assert one.hub_labels == ["Junction (3 sites)"]
    assert one.spine.equals_exact(shapely.Point(450_000.0, 300_000.0), 0.01)
    two = plan(
        hub_sites(("Junction", 450_000.0, 300_000.0, 3), ("West", 420_000.0, 300_000.0, 2)),
        tmp_path,
    )
    assert two.spine_drawn is True
    assert two.spine.length == pytest.approx(30_000.0, abs=0.01)


#: The junction's National Grid point (east, north in metres): near Coventry.
CENTRE = (440_000.0, 280_000.0)
#: A square outline 100 km across around the centre, so nothing below is clipped.
OUTLINE_SPINE_PRUNING_EDGES = gpd.GeoDataFrame(
    geometry=[shapely.box(390_000.0, 230_000.0, 490_000.0, 330_000.0)], crs=settings.CRS_METRIC
)


def hub_sites_spine_pruning_edges(*specs: tuple[str, float, float, int]) -> gpd.GeoDataFrame:
    """Sites (EPSG:27700) for hubs given as (town, metres east of CENTRE, metres north, count).

    A hub's sites lie in a row along the east-west line through its point, 100 m apart and
    symmetric about it, so their mean is the point itself.
    """
    rows = []
    for town, east, north, count in specs:
        for k in range(count):
            offset = 100.0 * k - 50.0 * (count - 1)
            rows.append((f"{town.lower()}-{k}", town, CENTRE[0] + east + offset, CENTRE[1] + north))
    frame = pd.DataFrame(rows, columns=["site_id", "town", "x", "y"])
    frame["kind"] = "supplier"
    frame["capabilities"] = [["space"] for _ in rows]
    return gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=settings.CRS_METRIC
    )


def star(east_spur_m: float) -> gpd.GeoDataFrame:
    """A junction of 6 sites with trunk links 40 km west and 40 km south, and a spur east."""
    return hub_sites_spine_pruning_edges(
        ("Junction", 0.0, 0.0, 6),
        ("West", -40_000.0, 0.0, 4),
        ("South", 0.0, -40_000.0, 4),
        ("East", east_spur_m, 0.0, 2),
    )


def hubs_and_note_spine_pruning_edges(sites: gpd.GeoDataFrame) -> tuple[list[str], str]:
    corridor = build_corridor(
        sites,
        outline=OUTLINE_SPINE_PRUNING_EDGES,
        width_km=4,
        hub_radius_km=2,
        hub_min_sites=2,
        min_spur_km=15,
    )
    return sorted(corridor["hubs"].iloc[0].split("; ")), corridor["note"].iloc[0]


TRUNK = ["Junction (6 sites)", "South (4 sites)", "West (4 sites)"]


def test_a_spur_8_m_longer_than_the_limit_stays():
    # 15.008 km east with a 15 km limit: not shorter than the limit, so East stays
    assert hubs_and_note_spine_pruning_edges(star(15_008.0)) == (["East (2 sites)", *TRUNK], "")


def test_a_spur_under_a_metre_shorter_than_the_limit_is_pruned():
    # 14.9996 km east: 0.4 m short of the limit, so East goes
    assert hubs_and_note_spine_pruning_edges(star(14_999.6)) == (
        TRUNK,
        "Short spurs to East were pruned from the spine.",
    )


def hubs_at(*specs: tuple[str, int, float, float]) -> list[Hub]:
    """Hubs (name, size, east, north in metres), listed as the clusters number them."""
    return [Hub(name, size, shapely.Point(x, y)) for name, size, x, y in specs]


def test_a_spur_exactly_as_long_as_the_limit_stays():
    # Junction 0 (10 sites) at the origin; West 1 and South 2 (4 sites) 40 km away; East 3
    # (2 sites) exactly 15 km east. The tree is the three links from the junction.
    hubs = hubs_at(
        ("Junction", 10, 0.0, 0.0),
        ("West", 4, -40_000.0, 0.0),
        ("South", 4, 0.0, -40_000.0),
        ("East", 2, 15_000.0, 0.0),
    )
    lengths = {
        (0, 1): 40_000.0,
        (0, 2): 40_000.0,
        (0, 3): 15_000.0,
        (1, 2): 56_568.5,  # 40 km x sqrt(2)
        (1, 3): 55_000.0,
        (2, 3): 42_720.0,  # sqrt(40^2 + 15^2) km
    }
    notes: list[str] = []
    tree = _pruned_tree(hubs, lengths, min_spur_m=15_000.0, notes=notes)
    assert sorted(tree.nodes) == [0, 1, 2, 3]
    assert sorted(tree.edges) == [(0, 1), (0, 2), (0, 3)]
    assert notes == []


def test_of_two_equally_short_spurs_the_lighter_is_pruned():
    # Junction 0 (10 sites) with a trunk link 40 km west to West 1 (4 sites), and two spurs of
    # exactly 5 km: East 2 (3 sites) and North 3 (2 sites). The junction can lose only one of
    # them; of equal lengths the lighter goes, so the spine keeps more sites: North.
    hubs = hubs_at(
        ("Junction", 10, 0.0, 0.0),
        ("West", 4, -40_000.0, 0.0),
        ("East", 3, 5_000.0, 0.0),
        ("North", 2, 0.0, 5_000.0),
    )
    lengths = {
        (0, 1): 40_000.0,
        (0, 2): 5_000.0,
        (0, 3): 5_000.0,
        (1, 2): 45_000.0,
        (1, 3): 40_311.3,  # sqrt(40^2 + 5^2) km
        (2, 3): 7_071.1,  # 5 km x sqrt(2)
    }
    notes: list[str] = []
    tree = _pruned_tree(hubs, lengths, min_spur_m=15_000.0, notes=notes)
    assert sorted(tree.nodes) == [0, 1, 2]
    assert notes == ["Short spurs to North were pruned from the spine."]
