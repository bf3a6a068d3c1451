"""corridor_summary on the eight hand-built sites and a belt drawn by hand.

The belt here is a box (1.0 to 2.0 degrees west, 52.3 to 52.7 north), so which sites it holds
is read off their coordinates: the Coventry works, the Leicester centre, the Hinckley airfield
and the Birmingham start-up (4 of 8). Every count, share, order and sentence below follows from
that by hand. At the end, every belt share names its base (on the committed registry), so none
can be quoted as a share of the registry.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import settings
from layers import corridor, filters
from layers.corridor import corridor_summary, sites_in_corridor
from layers.filters import SiteFilter
from tests.support import handbuilt

INSIDE = {"aero-works", "space-centre", "old-airfield", "drone-startup"}
CA_NAMES = {
    "E47000007": "West Midlands Combined Authority",
    "E47000013": "East Midlands Combined County Authority",
    "E47000017": "Greater Lincolnshire Combined County Authority",
    "": "",
}
REGION_NAMES = {"E12000004": "East Midlands", "E12000005": "West Midlands"}


@pytest.fixture(scope="module")
def sites() -> gpd.GeoDataFrame:
    frame = handbuilt.sites()
    frame["ca_name"] = frame["ca_code"].map(CA_NAMES)
    frame["region_name"] = frame["region_code"].map(REGION_NAMES)
    return frame


@pytest.fixture(scope="module")
def belt() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"part": ["belt", "spine"]},
        geometry=[shapely.box(-2.0, 52.3, -1.0, 52.7), shapely.LineString()],
        crs=settings.CRS_STORAGE,
    )


#: The capability table's columns, as the belt tab and the bid pack show them.
CAPABILITY_COLUMNS = [
    "capability",
    "capability_label",
    "sites",
    "inside",
    "share",
    "top_area_name",
    "top_area_inside",
]


def test_the_box_holds_the_four_sites_read_off_the_map(sites, belt):
    inside = sites_in_corridor(sites, belt)
    assert set(sites.loc[inside, "site_id"]) == INSIDE


def test_the_overall_share(sites, belt):
    summary = corridor_summary(sites, belt)
    assert (summary.sites, summary.inside, summary.share) == (8, 4, 0.5)
    assert summary.level == "ca"


def test_by_combined_authority_most_inside_first(sites, belt):
    table = corridor_summary(sites, belt).by_authority
    assert list(table.columns) == ["area_code", "area_name", "sites", "inside", "share"]
    assert list(table.index) == [0, 1, 2, 3]
    assert table.to_dict("records") == [
        # four sites in no combined authority, two of them inside: first on more sites
        {
            "area_code": "",
            "area_name": "Not in a combined authority",
            "sites": 4,
            "inside": 2,
            "share": 0.5,
        },
        {
            "area_code": "E47000007",
            "area_name": "West Midlands Combined Authority",
            "sites": 2,
            "inside": 2,
            "share": 1.0,
        },
        # none inside, one site each: by code
        {
            "area_code": "E47000013",
            "area_name": "East Midlands Combined County Authority",
            "sites": 1,
            "inside": 0,
            "share": 0.0,
        },
        {
            "area_code": "E47000017",
            "area_name": "Greater Lincolnshire Combined County Authority",
            "sites": 1,
            "inside": 0,
            "share": 0.0,
        },
    ]


WMCA = "West Midlands Combined Authority"
BY_CAPABILITY = [
    # capability, label, sites, inside, share, top authority, its count (vocabulary order)
    ("land_systems", "Land systems and armoured vehicles", 1, 0, 0.0, "", 0),
    ("combat_air", "Combat air and military aerospace", 2, 2, 1.0, WMCA, 1),
    ("nuclear_propulsion", "Nuclear propulsion and reactors", 1, 0, 0.0, "", 0),
    ("cyber_digital", "Cyber, digital and secure communications", 2, 1, 0.5, WMCA, 1),
    ("space", "Space and satellite applications", 1, 1, 1.0, "", 0),
    (
        "istar",
        "Intelligence, surveillance, target acquisition and reconnaissance",
        2,
        1,
        0.5,
        "",
        0,
    ),
    ("advanced_manufacturing", "Advanced manufacturing and materials", 1, 1, 1.0, WMCA, 1),
    ("autonomy_ai", "AI, autonomy and uncrewed systems", 1, 1, 1.0, WMCA, 1),
    ("test_evaluation", "Test, evaluation and certification", 1, 1, 1.0, "", 0),
    ("supply_chain", "Supply chain resilience and logistics", 1, 0, 0.0, "", 0),
]


def test_by_capability_in_the_vocabularys_order(sites, belt):
    table = corridor_summary(sites, belt).by_capability
    assert list(table.columns) == CAPABILITY_COLUMNS
    assert [tuple(row) for row in table.itertuples(index=False)] == BY_CAPABILITY


def test_the_headlines_word_every_number(sites, belt):
    assert corridor_summary(sites, belt).headlines() == [
        "The belt holds 4 of the 8 selected sites (50%).",
        "Of the 8 selected sites, 1 is a Land systems and armoured vehicles site; the belt "
        "holds none of it (0%).",
        "Of the 8 selected sites, 2 are Combat air and military aerospace sites; the belt "
        "holds 2 of them (100%), 1 in West Midlands Combined Authority.",
        "Of the 8 selected sites, 1 is a Nuclear propulsion and reactors site; the belt holds "
        "none of it (0%).",
        "Of the 8 selected sites, 2 are Cyber, digital and secure communications sites; the "
        "belt holds 1 of them (50%), 1 in West Midlands Combined Authority.",
        "Of the 8 selected sites, 1 is a Space and satellite applications site; the belt "
        "holds it (100%).",
        "Of the 8 selected sites, 2 are Intelligence, surveillance, target acquisition and "
        "reconnaissance sites; the belt holds 1 of them (50%).",
        "Of the 8 selected sites, 1 is an Advanced manufacturing and materials site; the belt "
        "holds it (100%), in West Midlands Combined Authority.",
        "Of the 8 selected sites, 1 is an AI, autonomy and uncrewed systems site; the belt "
        "holds it (100%), in West Midlands Combined Authority.",
        "Of the 8 selected sites, 1 is a Test, evaluation and certification site; the belt "
        "holds it (100%).",
        "Of the 8 selected sites, 1 is a Supply chain resilience and logistics site; the belt "
        "holds none of it (0%).",
    ]


def test_by_region_a_tie_goes_to_the_first_code(sites, belt):
    summary = corridor_summary(sites, belt, level="region")
    assert summary.level == "region"
    assert summary.by_authority.to_dict("records") == [
        # East Midlands: the centre and the airfield inside, of four
        {
            "area_code": "E12000004",
            "area_name": "East Midlands",
            "sites": 4,
            "inside": 2,
            "share": 0.5,
        },
        {
            "area_code": "E12000005",
            "area_name": "West Midlands",
            "sites": 4,
            "inside": 2,
            "share": 0.5,
        },
    ]
    combat_air = summary.by_capability.set_index("capability").loc["combat_air"]
    # one combat-air site inside in each region: the tie goes to E12000004
    assert (combat_air["top_area_name"], combat_air["top_area_inside"]) == ("East Midlands", 1)


def test_the_top_authority_is_the_one_with_most_sites_inside(sites, belt):
    # the start-up (West Midlands, inside) also does combat air: two of the three inside
    more = sites.copy()
    more.loc[107, "capabilities"] = ["autonomy_ai", "combat_air"]
    summary = corridor_summary(more, belt, level="region")
    combat_air = summary.by_capability.set_index("capability").loc["combat_air"]
    assert (combat_air["top_area_name"], combat_air["top_area_inside"]) == ("West Midlands", 2)
    assert (combat_air["sites"], combat_air["inside"]) == (3, 3)


def test_an_area_with_no_name_is_named_as_unplaced(sites, belt):
    nameless = sites.assign(ca_name="")
    summary = corridor_summary(nameless, belt)
    combat_air = summary.by_capability.set_index("capability").loc["combat_air"]
    assert combat_air["top_area_name"] == "Not in a combined authority"
    assert summary.by_authority["area_name"].iloc[1] == ""


def test_sites_without_capabilities_or_areas_still_count(belt):
    bare = gpd.GeoDataFrame(
        {"site_id": ["a", "b"]},
        geometry=[shapely.Point(-1.5, 52.5), shapely.Point(-0.5, 52.5)],
        crs=settings.CRS_STORAGE,
    )
    summary = corridor_summary(bare, belt)
    assert (summary.sites, summary.inside, summary.share) == (2, 1, 0.5)
    assert summary.by_capability.empty
    assert list(summary.by_capability.columns) == CAPABILITY_COLUMNS
    assert summary.by_authority.to_dict("records") == [
        {
            "area_code": "",
            "area_name": "Not in a combined authority",
            "sites": 2,
            "inside": 1,
            "share": 0.5,
        }
    ]
    assert summary.headlines() == ["The belt holds 1 of the 2 selected sites (50%)."]


def test_no_sites_give_no_share(belt):
    none = gpd.GeoDataFrame(
        {"site_id": [], "capabilities": []}, geometry=[], crs=settings.CRS_STORAGE
    )
    summary = corridor_summary(none, belt)
    assert (summary.sites, summary.inside) == (0, 0)
    assert math.isnan(summary.share)
    assert summary.headlines() == ["There are no selected sites, so the belt holds none."]


# --------------------------------------------------------------------------------------------
# Every share names its base


def test_each_sentence_says_of_how_many_selected_sites(registry: gpd.GeoDataFrame):
    chosen = filters.select_sites(
        registry, SiteFilter(capabilities=("combat_air", "nuclear_propulsion"), as_of=2026)
    )
    belt = corridor.build_corridor(chosen, width_km=10)
    summary = corridor.corridor_summary(chosen, belt)
    lines = summary.headlines()
    base = f"of the {len(chosen)} selected sites"
    assert base in lines[0]
    assert len(lines) == 1 + len(summary.by_capability)
    for line in lines[1:]:
        assert line.startswith(f"Of the {len(chosen)} selected sites, "), line
    # the capability the registry holds many of, but the selection few: the count is shown
    propulsion = summary.by_capability.set_index("capability").loc["power_propulsion"]
    registry_count = sum("power_propulsion" in caps for caps in registry["capabilities"])
    assert propulsion["sites"] < registry_count
    line = next(x for x in lines if "Future propulsion" in x)
    assert f", {propulsion['sites']} " in line
    assert "100% of Future propulsion" not in line


def test_no_sites_says_so():
    empty = corridor.CorridorSummary(
        sites=0, inside=0, share=float("nan"), by_capability=pd.DataFrame(), by_authority=None
    )
    assert empty.headlines() == ["There are no selected sites, so the belt holds none."]
    assert empty.headlines(base="uploaded sites") == [
        "There are no uploaded sites, so the belt holds none."
    ]
