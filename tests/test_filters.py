"""Filter semantics shared by the app, the exports and the CLI."""

from __future__ import annotations

import geopandas as gpd

from layers import filters
from layers.filters import SiteFilter


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
