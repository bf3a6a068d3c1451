"""The map in words under the live map: the view's sentences and its districts' registers."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from layers import filters, registers_figures, summary
from layers.registers_figures import RegisterSources
from layers.selection import make_selection
from tests.support import registers_fixtures as fx
from ui.in_words import map_in_words


def test_the_map_in_words_adds_the_view_districts_registers(
    registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path: Path
) -> None:
    sources = fx.load_built(fx.build_registers(tmp_path, boundaries_dir))
    criteria = filters.SiteFilter()
    selected = make_selection(registry, criteria, boundaries_dir=boundaries_dir)
    text = map_in_words(selected, registry, criteria, registers=sources)
    districts = registers_figures.districts_of(selected.registry_sites)
    assert len(districts) > 1  # the whole registry spans many districts
    where, _, found = registers_figures.sites_districts_figures(
        selected.registry_sites, sources, noun="view's sites"
    )
    assert where == f"The {len(districts)} districts holding the view's sites"
    assert f"{where}: {found['sites']:,} curated sites." in text
    # the fixture's firms and awards lie in districts that hold curated sites
    assert found["firms_core"] and found["awards"]
    assert f"{found['firms_core']} core and {found['firms_adjacent']} adjacent" in text
    assert f"£{found['award_value_gbp']:,.0f}" in text
    assert text.startswith(summary.describe_view(selected.registry_sites, registry) + " ")


def test_the_map_in_words_says_how_to_load_a_missing_register(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
) -> None:
    criteria = filters.SiteFilter()
    selected = make_selection(registry, criteria, boundaries_dir=boundaries_dir)
    text = map_in_words(selected, registry, criteria, registers=RegisterSources())
    for command in registers_figures.LOAD_COMMANDS.values():
        assert command in text
