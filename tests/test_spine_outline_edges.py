"""The spine at the edge of the outline, and the plan for a single hub.

The outline is a square drawn by hand on the National Grid (EPSG:27700), 100 km across, so
every distance to it is plain arithmetic: a site 5 km east of its east edge is exactly
``settings.OUTLINE_TOLERANCE_M`` (5000 m) from it. Each hub is a few sites placed symmetrically
about a chosen point (100 m apart, north-south), so the hub's point is that point.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import settings
from layers.corridor import build_corridor
from layers.corridor._spine import plan_spine

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


def corridor_of(sites: gpd.GeoDataFrame, width_km: float = 4) -> gpd.GeoDataFrame:
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
    corridor = corridor_of(sites)
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
    corridor = corridor_of(sites, width_km=10)
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
