"""Where the spine's pruning rule draws its lines: at the spur limit, and between equal spurs.

The rule (``layers.corridor``): a spur is pruned when it is *shorter* than ``min_spur_km`` and
its hubs hold fewer sites than the junction it leaves, shortest first, while that junction
keeps two links. Hubs here sit on National Grid points chosen by hand, each a few sites placed
symmetrically about the hub's point (so the hub, the mean of its sites, is that point), and
every spur length is the plain distance between two of these points. The tests at the limit go
through ``build_corridor``; the exact ties (equal to the limit, or two spurs of one length) are
set on the pruning step itself with lengths written down here, as a road network can give them.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

import settings
from layers.corridor import build_corridor
from layers.corridor._hubs import Hub
from layers.corridor._spine import _pruned_tree

#: The junction's National Grid point (east, north in metres): near Coventry.
CENTRE = (440_000.0, 280_000.0)
#: A square outline 100 km across around the centre, so nothing below is clipped.
OUTLINE = gpd.GeoDataFrame(
    geometry=[shapely.box(390_000.0, 230_000.0, 490_000.0, 330_000.0)], crs=settings.CRS_METRIC
)


def hub_sites(*specs: tuple[str, float, float, int]) -> gpd.GeoDataFrame:
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
    return hub_sites(
        ("Junction", 0.0, 0.0, 6),
        ("West", -40_000.0, 0.0, 4),
        ("South", 0.0, -40_000.0, 4),
        ("East", east_spur_m, 0.0, 2),
    )


def hubs_and_note(sites: gpd.GeoDataFrame) -> tuple[list[str], str]:
    corridor = build_corridor(
        sites, outline=OUTLINE, width_km=4, hub_radius_km=2, hub_min_sites=2, min_spur_km=15
    )
    return sorted(corridor["hubs"].iloc[0].split("; ")), corridor["note"].iloc[0]


TRUNK = ["Junction (6 sites)", "South (4 sites)", "West (4 sites)"]


def test_a_spur_8_m_longer_than_the_limit_stays():
    # 15.008 km east with a 15 km limit: not shorter than the limit, so East stays
    assert hubs_and_note(star(15_008.0)) == (["East (2 sites)", *TRUNK], "")


def test_a_spur_under_a_metre_shorter_than_the_limit_is_pruned():
    # 14.9996 km east: 0.4 m short of the limit, so East goes
    assert hubs_and_note(star(14_999.6)) == (
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
