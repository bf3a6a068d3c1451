"""build_corridor and sites_in_corridor on sites placed by hand on the National Grid.

Every site sits at a chosen EPSG:27700 position inside a square outline (380 to 480 km east,
250 to 350 km north), so each spine length, hub and count below is read off the coordinates:
two lone sites 30,456.2 m apart give a spine 30.456 km long; a belt 10 km wide along the line
from Aston to Brant holds nothing 30 km north of it.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import settings
from layers.corridor import build_corridor, sites_in_corridor

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
