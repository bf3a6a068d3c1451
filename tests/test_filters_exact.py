"""select_sites on eight hand-built sites: the exact ids each filter returns, worked out by hand.

Every expected set below was read off the rows in ``tests/support/handbuilt.py``, not computed by
``layers.filters``. A filter that returns nothing, ignores a criterion, searches names only or
misreads a year fails here.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest

from layers import filters
from layers.filters import SiteFilter
from tests.support import handbuilt
from tests.support.handbuilt import ALL, ids


@pytest.fixture
def sites() -> gpd.GeoDataFrame:
    return handbuilt.sites()


def chosen(sites: gpd.GeoDataFrame, **criteria: object) -> set[str]:
    return ids(filters.select_sites(sites, SiteFilter(**criteria)))


def test_an_empty_filter_selects_all_eight(sites):
    assert chosen(sites) == ALL
    assert len(ALL) == 8


@pytest.mark.parametrize(
    ("capabilities", "expected"),
    [
        (("combat_air",), {"aero-works", "old-airfield"}),
        # a capability listed second counts as much as the first
        (("supply_chain",), {"tank-depot"}),
        (("cyber_digital",), {"cyber-lab", "drone-startup"}),
        (("combat_air", "space"), {"aero-works", "old-airfield", "space-centre"}),
        (("istar", "nuclear_propulsion"), {"space-centre", "radar-station", "reactor-plant"}),
        (("quantum",), set()),
    ],
)
def test_capabilities_combine_with_or(sites, capabilities, expected):
    assert chosen(sites, capabilities=capabilities) == expected


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (("military",), {"tank-depot", "radar-station"}),
        (("university",), {"space-centre"}),
        (("prime", "supplier"), {"aero-works", "reactor-plant", "cyber-lab", "drone-startup"}),
        (("health",), set()),
    ],
)
def test_kinds_combine_with_or(sites, kinds, expected):
    assert chosen(sites, kinds=kinds) == expected


@pytest.mark.parametrize(
    ("areas", "expected"),
    [
        # a district (LAD) code
        (("E08000025",), {"drone-startup"}),
        # a county: only in county_code (the district is Malvern Hills, E07000235)
        (("E10000034",), {"cyber-lab"}),
        # a combined authority: only in ca_code
        (("E47000007",), {"aero-works", "drone-startup"}),
        # a region: only in region_code
        (
            ("E12000004",),
            {"space-centre", "reactor-plant", "old-airfield", "radar-station"},
        ),
        # areas at different levels combine with OR
        (("E47000007", "E10000019"), {"aero-works", "drone-startup", "radar-station"}),
        (("E06000016", "E07000132"), {"space-centre", "old-airfield"}),
        (("E99999999",), set()),
    ],
)
def test_an_area_matches_at_any_level(sites, areas, expected):
    assert chosen(sites, areas=areas) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # only in a description: a search of names alone finds nothing
        ("harrier", {"cyber-lab"}),
        # only in an organisation
        ("kestrel", {"space-centre"}),
        # in a name, with surrounding spaces and another case
        ("  ORBITAL  ", {"space-centre"}),
        # literal text, not a pattern: "(uk)" is not "uk" (which the radar station's text has)
        ("(uk)", {"tank-depot"}),
        ("uk", {"tank-depot", "radar-station"}),
        # a site with no description is still searched by name
        ("test site", {"old-airfield"}),
        # in several columns of several sites
        ("reactor", {"reactor-plant"}),
        ("systems", {"drone-startup"}),
        # a missing description holds no text at all
        ("xxxx", set()),
        # words from two columns of one site are not one text
        ("lab hill", set()),
        ("nothing like this", set()),
    ],
)
def test_text_is_found_in_name_organisation_or_description(sites, text, expected):
    assert chosen(sites, text=text) == expected


def test_blank_text_selects_everything(sites):
    assert chosen(sites, text="   ") == ALL


# Without planned sites, the radar station (planned, no date) is never on the map: every year
# leaves it out.
@pytest.mark.parametrize(
    ("year", "absent"),
    [
        # 2018: the Orbital Centre opens in 2019, the drone start-up in 2021, the reactor in 2027
        (2018, {"space-centre", "drone-startup", "reactor-plant"}),
        (2020, {"drone-startup", "reactor-plant"}),
        (2021, {"reactor-plant"}),
        # the airfield closes in 2024: still on the map that year, gone the next
        (2024, {"reactor-plant"}),
        (2025, {"reactor-plant", "old-airfield"}),
        # the reactor is planned for 2027: absent in 2026, present in 2027
        (2026, {"reactor-plant", "old-airfield"}),
        (2027, {"old-airfield"}),
        # the depot closes on 2029-03-31: on the map in 2029, gone in 2030
        (2029, {"old-airfield"}),
        (2030, {"old-airfield", "tank-depot"}),
    ],
)
def test_as_of_keeps_the_sites_open_that_year(sites, year, absent):
    assert chosen(sites, as_of=year, planned=False) == ALL - absent - {"radar-station"}


@pytest.mark.parametrize("year", [2018, 2020, 2026, 2027, 2030])
def test_planned_sites_are_kept_in_every_year_by_default(sites, year):
    # the radar station (planned, no date) and the reactor (planned for 2027) are on the map
    # in every year, as planned; the other sites follow their dates as before
    with_planned = chosen(sites, as_of=year)
    assert {"radar-station", "reactor-plant"} <= with_planned
    assert with_planned - {"radar-station", "reactor-plant"} == chosen(
        sites, as_of=year, planned=False
    ) - {"reactor-plant"}


def test_criteria_combine_with_and(sites):
    assert chosen(sites, capabilities=("combat_air",), areas=("E12000005",)) == {"aero-works"}
    assert chosen(sites, kinds=("military",), text="radar") == {"radar-station"}
    # "uk" is in two military sites' text, so no supplier has it
    assert chosen(sites, kinds=("supplier",), text="uk") == set()
    assert chosen(
        sites, capabilities=("cyber_digital",), kinds=("supplier",), areas=("E47000007",)
    ) == {"drone-startup"}
    assert chosen(sites, capabilities=("combat_air",), kinds=("research_centre",)) == {
        "old-airfield"
    }
    assert chosen(sites, capabilities=("combat_air",), as_of=2026) == {"aero-works"}
    assert chosen(sites, kinds=("military",), as_of=2030, planned=False) == set()
    assert chosen(sites, kinds=("military",), as_of=2030) == {"radar-station"}
    assert chosen(sites, capabilities=("combat_air",), kinds=("university",)) == set()
    assert chosen(
        sites, capabilities=("istar", "land_systems"), kinds=("military", "university")
    ) == {"space-centre", "tank-depot", "radar-station"}


def belt_mask(sites: gpd.GeoDataFrame, inside: set[str]) -> pd.Series:
    return pd.Series(sites["site_id"].isin(inside).to_numpy(), index=sites.index)


def test_in_belt_keeps_the_sites_the_mask_says_are_inside(sites):
    inside = {"aero-works", "tank-depot", "radar-station"}
    mask = belt_mask(sites, inside)
    assert ids(filters.select_sites(sites, SiteFilter(in_belt=True), in_belt=mask)) == inside
    both = filters.select_sites(sites, SiteFilter(in_belt=True, kinds=("military",)), in_belt=mask)
    assert ids(both) == {"tank-depot", "radar-station"}
    # without the in-belt criterion the mask changes nothing
    assert ids(filters.select_sites(sites, SiteFilter(), in_belt=mask)) == ALL


def test_the_belt_mask_is_matched_by_label_not_position(sites):
    mask = belt_mask(sites, {"aero-works", "drone-startup"})
    reversed_mask = mask.iloc[::-1]
    found = filters.select_sites(sites, SiteFilter(in_belt=True), in_belt=reversed_mask)
    assert ids(found) == {"aero-works", "drone-startup"}
    # sites the mask does not mention are outside
    partial = pd.Series([True, True, False], index=[100, 107, 103])
    found = filters.select_sites(sites, SiteFilter(in_belt=True), in_belt=partial)
    assert ids(found) == {"aero-works", "drone-startup"}


def test_the_in_belt_filter_without_a_mask_says_what_to_pass(sites):
    with pytest.raises(ValueError) as raised:
        filters.select_sites(sites, SiteFilter(in_belt=True))
    assert str(raised.value) == "the in-belt filter needs the corridor: pass in_belt="


def test_the_selection_is_a_copy_with_the_original_labels(sites):
    before = sites.copy()
    found = filters.select_sites(sites, SiteFilter(kinds=("military",)))
    assert list(found.index) == [103, 106]
    assert isinstance(found, gpd.GeoDataFrame)
    found.loc[103, "name"] = "changed"
    pd.testing.assert_frame_equal(pd.DataFrame(sites), pd.DataFrame(before))


# --------------------------------------------------------------------------------------------
# Counts, descriptions and links, on the same rows


def test_capability_and_kind_counts_are_exact(sites):
    caps = filters.capability_counts(sites)
    assert caps == {
        "land_systems": 1,
        "combat_air": 2,
        "nuclear_propulsion": 1,
        "cyber_digital": 2,
        "defence_medicine": 0,
        "space": 1,
        "istar": 2,
        "advanced_manufacturing": 1,
        "power_propulsion": 0,
        "autonomy_ai": 1,
        "quantum": 0,
        "test_evaluation": 1,
        "skills_training": 0,
        "supply_chain": 1,
        "energy_decarbonisation": 0,
    }
    assert filters.kind_counts(sites) == {
        "prime": 2,
        "supplier": 2,
        "research_centre": 1,
        "university": 1,
        "military": 2,
        "cluster_body": 0,
        "skills_centre": 0,
        "health": 0,
    }


def test_a_capability_outside_the_vocabulary_is_still_counted(sites):
    sites.loc[100, "capabilities"] = ["combat_air", "time_travel"]
    counts = filters.capability_counts(sites)
    assert counts["time_travel"] == 1
    assert counts["combat_air"] == 2


def test_facet_counts_apply_every_other_criterion(sites):
    criteria = SiteFilter(
        capabilities=("combat_air",), kinds=("prime",), as_of=2026, in_belt=True, planned=False
    )
    caps, kinds = filters.facet_counts(sites, criteria)
    # capability counts: primes open in 2026 (aero-works; the reactor opens in 2027)
    assert caps["combat_air"] == 1
    assert caps["advanced_manufacturing"] == 1
    assert caps["nuclear_propulsion"] == 0
    assert sum(caps.values()) == 2
    # kind counts: combat-air sites open in 2026 (aero-works; the airfield closed in 2024)
    assert kinds["prime"] == 1
    assert kinds["research_centre"] == 0
    assert sum(kinds.values()) == 1


def test_facet_counts_leave_out_their_own_criterion(sites):
    caps, kinds = filters.facet_counts(
        sites, SiteFilter(capabilities=("autonomy_ai",), kinds=("supplier",))
    )
    # capability counts over both suppliers (the lab and the start-up), not only the start-up
    assert caps["cyber_digital"] == 2
    assert caps["autonomy_ai"] == 1
    assert sum(caps.values()) == 3
    # kind counts over the autonomy sites, of any kind
    assert kinds == dict.fromkeys(kinds, 0) | {"supplier": 1}


@pytest.mark.parametrize(
    ("criteria", "empty"),
    [
        (SiteFilter(), True),
        (SiteFilter(text="  "), True),
        (SiteFilter(capabilities=("space",)), False),
        (SiteFilter(kinds=("prime",)), False),
        (SiteFilter(areas=("E47000007",)), False),
        (SiteFilter(text="x"), False),
        (SiteFilter(in_belt=True), False),
        (SiteFilter(as_of=2026), False),
    ],
)
def test_a_filter_is_empty_only_with_no_criterion(criteria, empty):
    assert criteria.is_empty() is empty


def test_a_filter_describes_itself():
    assert SiteFilter().describe() == "all sites"
    full = SiteFilter(
        capabilities=("combat_air", "space"),
        kinds=("prime", "military"),
        areas=("E47000007", "E10000034"),
        text="  radar ",
        in_belt=True,
        as_of=2029,
    )
    assert full.describe() == (
        "capabilities: Combat air and military aerospace, Space and satellite applications; "
        "kinds: Prime contractor, Military establishment; "
        "areas: E47000007, E10000034; "
        "text: 'radar'; "
        "inside the Defence Belt only; "
        "as of 2029"
    )
    assert SiteFilter(text=" ").describe() == "all sites"


def test_unknown_criteria_are_each_named_with_what_to_do():
    problems = filters.filter_problems(
        SiteFilter(
            capabilities=("combat_air", "warp_drive"),
            kinds=("prime", "spy"),
            areas=("E47000007", "E99999999"),
        ),
        known_areas=["E47000007", "E12000005"],
    )
    assert len(problems) == 3
    assert problems[0].startswith("unknown capability 'warp_drive'; choose from land_systems, ")
    assert problems[0].endswith(", energy_decarbonisation")
    assert problems[1].startswith("unknown kind of site 'spy'; choose from prime, supplier, ")
    assert problems[2] == (
        "unknown area code 'E99999999'; use a GSS code of a Midlands LAD, "
        "county or unitary authority, combined authority or region"
    )
    assert filters.filter_problems(SiteFilter(areas=("E47000007",))) == [
        "unknown area code 'E47000007'; use a GSS code of a Midlands LAD, "
        "county or unitary authority, combined authority or region"
    ]
    assert filters.filter_problems(SiteFilter(capabilities=("space",), kinds=("health",))) == []


def test_a_filter_becomes_url_parameters_and_back():
    criteria = SiteFilter(
        capabilities=("combat_air", "space"),
        kinds=("prime", "military"),
        areas=("E47000007", "E12000004"),
        text=" radar ",
        in_belt=True,
        as_of=2029,
    )
    query = filters.to_query(criteria)
    assert query == {
        "cap": "combat_air,space",
        "kind": "prime,military",
        "area": "E47000007,E12000004",
        "q": "radar",
        "belt": "1",
        "year": "2029",
    }
    back = filters.from_query(query)
    assert back == SiteFilter(
        capabilities=("combat_air", "space"),
        kinds=("prime", "military"),
        areas=("E47000007", "E12000004"),
        text="radar",
        in_belt=True,
        as_of=2029,
    )
    assert filters.to_query(SiteFilter()) == {}
    assert filters.to_query(SiteFilter(in_belt=False, as_of=None, text=" ")) == {}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, SiteFilter()),
        ({"cap": "space,,istar,", "kind": ",prime"}, SiteFilter(("space", "istar"), ("prime",))),
        ({"belt": "true"}, SiteFilter(in_belt=True)),
        ({"belt": "0"}, SiteFilter()),
        ({"belt": "yes"}, SiteFilter()),
        ({"year": " 2027 "}, SiteFilter(as_of=2027)),
        ({"year": "27"}, SiteFilter()),
        ({"year": "20x7"}, SiteFilter()),
        ({"year": "20277"}, SiteFilter()),
        ({"q": "Lincoln Radar"}, SiteFilter(text="Lincoln Radar")),
        ({"unknown": "x", "area": "E06000016"}, SiteFilter(areas=("E06000016",))),
    ],
)
def test_url_parameters_are_read_strictly(query, expected):
    assert filters.from_query(query) == expected
