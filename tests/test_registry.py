"""The committed registry: complete, sourced, and every site in its true authority."""

from __future__ import annotations

import geopandas as gpd
import pytest

import settings
from layers._validate import Problem
from layers.sites import validate_sites

#: Organisations and facilities the Blueprint names, each found by a word in the site's
#: name or organisation.
BLUEPRINT_NAMED = [
    "Rolls-Royce",
    "HORIBA MIRA",
    "Manufacturing Technology Centre",
    "Babcock",
    "NMS UK",
    "RBSL",
    "Moog",
    "Meggitt",
    "Safran",
    "Somers Forge",
    "UK Telecoms Lab",
    "National Rehabilitation Centre",
    "Royal Centre for Defence Medicine",
    "Nuclear Skills Academy",
    "Battery Industrialisation",
    "WMG",
    "Midlands Aerospace Alliance",
    "Medilink",
    "Tech West Midlands",
    "Energy Research Accelerator",
    "Midlands Innovation",
    "Lincolnshire",
    "West Midlands Rehabilitation Centre",
    "Aston",
    "University of Birmingham",
    "Coventry University",
    "University of Derby",
    "University of Nottingham",
    "University of Warwick",
    "University of Wolverhampton",
    "East Midlands Cyber Security Cluster",
    "Midlands Cyber",
]


def test_the_registry_is_valid_with_every_location_checked(boundaries_dir):
    warnings: list[Problem] = []
    valid, problems = validate_sites(
        settings.SITES_CSV, boundaries_dir=boundaries_dir, warnings=warnings
    )
    assert [str(p) for p in problems] == []
    assert len(valid) >= 80
    # the postcode checks ran: a missing index is a warning on field "postcodes"
    assert not [w for w in warnings if w.field == "postcodes"], warnings


@pytest.mark.parametrize("named", BLUEPRINT_NAMED)
def test_every_blueprint_named_body_is_on_the_map(registry: gpd.GeoDataFrame, named: str):
    text = (registry["name"] + " | " + registry["organisation"]).str.casefold()
    assert text.str.contains(named.casefold(), regex=False).any(), named


def test_every_kind_and_sub_regional_strength_is_covered(registry: gpd.GeoDataFrame):
    assert set(registry["kind"]) == {
        "prime",
        "supplier",
        "research_centre",
        "university",
        "military",
        "cluster_body",
        "skills_centre",
        "health",
    }
    for county in ("Lincolnshire", "Worcestershire", "Leicestershire"):
        assert (registry["county_name"] == county).sum() >= 2, county
    assert (registry["county_name"] == "Herefordshire, County of").sum() >= 2
    assert (registry["county_name"] == "Shropshire").sum() >= 2


def test_every_site_is_placed_in_a_midlands_district(registry: gpd.GeoDataFrame):
    assert (registry["lad_code"] != "").all()
    assert (registry["region_code"] != "").all()


@pytest.mark.parametrize(
    "site_id, lad_code",
    [
        # addresses that name a nearby town: the site's own position decides its authority
        ("horiba-mira-technology-park", "E07000132"),  # Nuneaton address, Hinckley and Bosworth
        ("mtc-ansty-park", "E07000220"),  # Coventry address, Rugby borough
        ("dmrc-stanford-hall", "E07000176"),  # Loughborough address, Rushcliffe
        ("babcock-walsall", "E08000030"),
        ("raf-cosford", "E06000051"),  # Shropshire, near the Wolverhampton border
        ("ukbic-coventry", "E07000222"),  # Coventry address, Baginton in Warwick district
    ],
)
def test_sites_near_borders_land_in_the_right_district(
    registry: gpd.GeoDataFrame, site_id: str, lad_code: str
):
    site = registry.set_index("site_id").loc[site_id]
    assert site["lad_code"] == lad_code


def test_each_row_says_how_precise_it_is_and_where_it_came_from(registry: gpd.GeoDataFrame):
    assert set(registry["location_precision"]) <= {"site", "postcode", "street", "town"}
    assert set(registry["status"]) <= {"active", "closing", "closed", "planned"}
    postcoded = registry["location_precision"] == "postcode"
    assert (registry.loc[postcoded, "postcode"] != "").all()
    assert registry["source_url"].str.match(r"^https?://").all()
    sourced = registry["location_source"] != ""
    assert registry.loc[sourced, "location_source"].str.match(r"^https?://").all()


def test_every_site_row_says_how_and_when_its_point_was_checked(registry: gpd.GeoDataFrame):
    from layers import location_checks, postcodes

    assert postcodes.load_index().edition == "November 2025", "checked on ONSPD November 2025"
    at_site = registry[registry["location_precision"] == "site"]
    kinds = at_site["location_check"].map(location_checks.check_kind)
    assert (kinds != "").all(), list(at_site.loc[kinds == "", "site_id"])
    assert (at_site["location_checked"] != "").all()
