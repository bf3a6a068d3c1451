"""The link's areas go to one chooser each, so the link written back names each once."""

from __future__ import annotations

import geopandas as gpd

from ui.url_state import chooser_codes


def test_a_unitary_authority_goes_to_the_county_chooser_only(registry: gpd.GeoDataFrame):
    chosen = chooser_codes(registry, ("E06000020", "E06000051"))
    assert chosen["f_county"] == ["E06000020", "E06000051"]
    assert chosen["f_lad"] == []
    every = [code for codes in chosen.values() for code in codes]
    assert sorted(every) == ["E06000020", "E06000051"]


def test_every_kind_of_area_is_chosen_once(registry: gpd.GeoDataFrame):
    lad = registry.loc[registry["lad_code"] != registry["county_code"], "lad_code"].iloc[0]
    county = registry.loc[registry["county_code"].str.startswith("E10"), "county_code"].iloc[0]
    ca = registry.loc[registry["ca_code"] != "", "ca_code"].iloc[0]
    region = registry["region_code"].iloc[0]
    chosen = chooser_codes(registry, (region, ca, county, lad, lad, region))
    assert chosen == {"f_region": [region], "f_ca": [ca], "f_county": [county], "f_lad": [lad]}
