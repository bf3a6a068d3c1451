"""Every belt share names its base, so none can be quoted as a share of the registry."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import corridor, filters
from layers.filters import SiteFilter


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
