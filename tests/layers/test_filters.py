"""Filter semantics shared by the app, the exports and the CLI.

select_sites on eight hand-built sites: the exact ids each filter returns, worked out by hand.

Every expected set below was read off the rows in ``tests/support/handbuilt.py``, not computed by
``layers.filters``. A filter that returns nothing, ignores a criterion, searches names only or
misreads a year fails here.

select_sites at its edges: a belt mask wider than the frame, text columns with gaps.

The expected ids are read off the rows in ``tests/support/handbuilt.py`` by hand. A mask that covers
more sites than the frame holds (the belt answered for the whole registry, the frame narrowed
since) must be matched by label and its extra sites ignored; a missing name, organisation or
description (``None``, NaN or pandas' ``<NA>``) is text that matches nothing, so the other
columns are still searched and the search never fails.

A filter names each area once, by name as well as code, and keeps planned sites on request.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from layers import filters, timeline
from layers.filters import SiteFilter
from tests.support import handbuilt
from tests.support.handbuilt import ALL, ids


def test_an_empty_filter_selects_everything(registry: gpd.GeoDataFrame):
    assert len(filters.select_sites(registry, SiteFilter())) == len(registry)


def test_capabilities_combine_with_or_and_criteria_with_and(registry: gpd.GeoDataFrame):
    air = filters.select_sites(registry, SiteFilter(capabilities=("combat_air",)))
    nuclear = filters.select_sites(registry, SiteFilter(capabilities=("nuclear_propulsion",)))
    either = filters.select_sites(
        registry, SiteFilter(capabilities=("combat_air", "nuclear_propulsion"))
    )
    assert set(either["site_id"]) == set(air["site_id"]) | set(nuclear["site_id"])
    assert all("combat_air" in caps for caps in air["capabilities"])
    military_air = filters.select_sites(
        registry, SiteFilter(capabilities=("combat_air",), kinds=("military",))
    )
    assert set(military_air["site_id"]) == set(air.loc[air["kind"] == "military", "site_id"])


def test_an_area_matches_at_any_level(registry: gpd.GeoDataFrame):
    wmca = filters.select_sites(registry, SiteFilter(areas=("E47000007",)))
    assert len(wmca) > 0
    assert set(wmca["ca_code"]) == {"E47000007"}
    walsall = filters.select_sites(registry, SiteFilter(areas=("E08000030",)))
    assert set(walsall["site_id"]) <= set(wmca["site_id"])


def test_text_search_is_case_insensitive_over_name_organisation_description(registry):
    found = filters.select_sites(registry, SiteFilter(text="rolls-ROYCE"))
    assert len(found) > 0
    for row in found.itertuples():
        assert "rolls-royce" in f"{row.name} {row.organisation} {row.description}".lower()


def test_selection_copies_and_never_modifies_the_registry(registry: gpd.GeoDataFrame):
    before = registry.copy()
    chosen = filters.select_sites(registry, SiteFilter(kinds=("university",)))
    chosen["name"] = "changed"
    assert registry.equals(before)


def test_unknown_values_are_named():
    problems = filters.filter_problems(
        SiteFilter(capabilities=("combat_ai",), kinds=("spy",), areas=("E99999999",)),
        known_areas={"E47000007"},
    )
    assert any("unknown capability 'combat_ai'" in p for p in problems)
    assert any("unknown kind of site 'spy'" in p for p in problems)
    assert any("unknown area code 'E99999999'" in p for p in problems)


def test_query_parameters_round_trip():
    criteria = SiteFilter(
        capabilities=("combat_air", "space"),
        kinds=("prime",),
        areas=("E47000007",),
        text="engine",
        in_belt=True,
    )
    assert filters.from_query(filters.to_query(criteria)) == criteria
    assert filters.to_query(SiteFilter()) == {}


def test_counts_cover_every_slug(registry: gpd.GeoDataFrame):
    counts = filters.capability_counts(registry)
    assert len(counts) == 15
    assert sum(counts.values()) == sum(len(c) for c in registry["capabilities"])


def test_facet_counts_follow_the_other_criteria(registry: gpd.GeoDataFrame):
    criteria = SiteFilter(capabilities=("combat_air",), kinds=("military",))
    caps, kinds = filters.facet_counts(registry, criteria)
    military = registry[registry["kind"] == "military"]
    assert caps["combat_air"] == sum("combat_air" in c for c in military["capabilities"])
    air = registry[registry["capabilities"].map(lambda c: "combat_air" in c)]
    assert kinds["military"] == (air["kind"] == "military").sum()
    assert kinds["prime"] == (air["kind"] == "prime").sum()


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
def test_an_area_matches_at_any_level_filters_exact(sites, areas, expected):
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


def test_a_belt_mask_with_sites_the_frame_lacks_keeps_only_the_frames_own(sites):
    # the mask answers for the eight sites and for two that are not in the frame at all
    inside = {"aero-works", "tank-depot", "radar-station"}
    mask = pd.Series(sites["site_id"].isin(inside).to_numpy(), index=sites.index)
    wider = pd.concat([mask, pd.Series([True, True], index=[900, 901])])
    found = filters.select_sites(sites, SiteFilter(in_belt=True), in_belt=wider)
    assert ids(found) == inside
    assert list(found.index) == [100, 103, 106]


def test_a_narrowed_frame_in_its_own_order_takes_the_registrys_belt_mask_by_label(sites):
    # the belt was answered for all eight; the frame is three of them, last first
    mask = pd.Series(
        [True, False, False, True, False, False, True, False], index=list(range(100, 108))
    )
    narrowed = sites.loc[[107, 103, 100]]
    found = filters.select_sites(narrowed, SiteFilter(in_belt=True), in_belt=mask)
    assert list(found["site_id"]) == ["tank-depot", "aero-works"]
    assert list(found.index) == [103, 100]


@pytest.mark.parametrize("dtype", ["string", "object", "str"])
@pytest.mark.parametrize("missing", [None, np.nan])
def test_missing_text_matches_nothing_and_the_other_columns_are_still_searched(
    sites, dtype, missing
):
    gapped = sites.copy()
    for column in ("organisation", "description"):
        values = gapped[column].astype(object)
        # cyber-lab loses its description, radar-station its organisation
        values[101 if column == "description" else 106] = missing
        gapped[column] = values.astype(dtype)
    # "harrier" is only in cyber-lab's (now missing) description
    assert ids(filters.select_sites(gapped, SiteFilter(text="harrier"))) == set()
    # "radar" is in radar-station's name; its organisation is missing
    assert ids(filters.select_sites(gapped, SiteFilter(text="radar"))) == {"radar-station"}
    # "raf" was only radar-station's organisation
    assert ids(filters.select_sites(gapped, SiteFilter(text="raf"))) == set()
    # "cyber" is in cyber-lab's name, whose description is missing
    assert ids(filters.select_sites(gapped, SiteFilter(text="cyber"))) == {"cyber-lab"}
    # "jets" is in aero-works' description, untouched
    assert ids(filters.select_sites(gapped, SiteFilter(text="jets"))) == {"aero-works"}


TELFORD, SHROPSHIRE = "E06000020", "E06000051"


def test_a_unitary_code_named_twice_is_held_once():
    criteria = SiteFilter(areas=(TELFORD, SHROPSHIRE, TELFORD, SHROPSHIRE))
    assert criteria.areas == (TELFORD, SHROPSHIRE)
    assert SiteFilter(capabilities=("space", "space"), kinds=("prime", " prime")) == SiteFilter(
        capabilities=("space",), kinds=("prime",)
    )


@pytest.mark.parametrize("times", [1, 2, 3, 8])
def test_a_link_read_and_written_again_is_the_same_link(times):
    link = {"cap": "land_systems", "area": f"{TELFORD},{SHROPSHIRE}", "year": "2026"}
    query = dict(link)
    for _ in range(times):
        # the app reads the link, a county and a district chooser both hold a unitary code,
        # and the codes chosen in every chooser are written back
        criteria = filters.from_query(query)
        doubled = SiteFilter(**{**criteria.__dict__, "areas": criteria.areas * 2})
        query = filters.to_query(doubled)
    assert query == link


def test_a_planned_filter_travels_in_the_link():
    hidden = SiteFilter(as_of=2026, planned=False)
    assert filters.to_query(hidden)["planned"] == "0"
    assert filters.from_query(filters.to_query(hidden)) == hidden
    assert "planned" not in filters.to_query(SiteFilter(as_of=2026))
    assert filters.from_query({}).planned


def test_areas_are_named_from_the_registry(registry: gpd.GeoDataFrame):
    criteria = filters.with_area_names(SiteFilter(areas=(TELFORD, SHROPSHIRE)), registry)
    assert criteria.describe() == "areas: Telford and Wrekin, Shropshire"
    assert criteria.named_areas() == [
        {"code": TELFORD, "name": "Telford and Wrekin"},
        {"code": SHROPSHIRE, "name": "Shropshire"},
    ]
    # names are not part of the filter: the same selection, the same cache key
    assert criteria == SiteFilter(areas=(TELFORD, SHROPSHIRE))
    assert hash(criteria) == hash(SiteFilter(areas=(TELFORD, SHROPSHIRE)))
    unknown = filters.with_area_names(SiteFilter(areas=("E99999999",)), registry)
    assert unknown.describe() == "areas: E99999999"


def test_area_names_are_looked_up_in_any_case(registry: gpd.GeoDataFrame):
    lookup = filters.area_lookup(registry)
    assert lookup["shropshire"] == (SHROPSHIRE, "Shropshire")
    assert lookup["telford and wrekin"] == (TELFORD, "Telford and Wrekin")
    assert lookup["west midlands"][0].startswith("E1200")  # the region, not a district


def test_the_chosen_areas_outlines_cover_their_sites(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    shapes = filters.area_shapes([TELFORD, SHROPSHIRE, TELFORD], directory=boundaries_dir)
    assert list(shapes["code"]) == [TELFORD, SHROPSHIRE]
    assert list(shapes["name"]) == ["Telford and Wrekin", "Shropshire"]
    assert shapes.crs.to_epsg() == 4326
    inside = registry.loc[registry["county_code"].isin([TELFORD, SHROPSHIRE])]
    assert len(inside) > 0
    assert inside.geometry.within(shapes.union_all().buffer(1e-6)).all()
    west, south, east, north = shapes.total_bounds
    assert -3.3 < west < east < -2.2 and 52.3 < south < north < 53.1
    # a combined authority is found at its own level
    ca = filters.area_shapes(["E47000007"], directory=boundaries_dir)
    assert list(ca["level"]) == ["Combined authority"]
    assert filters.area_shapes(["E99999999"], directory=boundaries_dir).empty


def frame(**columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_planned_sites_are_on_the_map_from_their_announcement():
    sites = frame(
        status=["planned", "planned", "planned", "active"],
        opened=["", "2029", "", "2030"],
        closes=["", "", "", ""],
        announced=["", "", "2024", ""],
    )
    assert timeline.open_in(sites, 2020).tolist() == [False, False, False, False]
    assert timeline.open_in(sites, 2020, planned=True).tolist() == [True, True, False, False]
    assert timeline.open_in(sites, 2024, planned=True).tolist() == [True, True, True, False]
    # an active site not yet opened stays off the map: only planned sites are kept early
    assert timeline.open_in(sites, 2031, planned=True).tolist() == [True, True, True, True]


def test_this_year_is_the_default_for_the_app_and_the_command_line():
    from datetime import date

    assert timeline.default_year() == date.today().year
