"""Figures by district from the three register layers, export profiles and map data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from layers import registers_figures
from tests.support import registers_fixtures as fx


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path) -> dict[str, Path]:
    return fx.build_registers(tmp_path_factory.mktemp("registers"), boundaries_dir)


@pytest.fixture
def sources(built: dict[str, Path]) -> registers_figures.RegisterSources:
    return fx.load_built(built)


SITES = pd.DataFrame(
    {
        "site_id": ["a", "b", "c"],
        "lad_code": ["E08000026", "E08000026", "E06000016"],
        "company_number": ["", "", "00000008"],
    }
)


def test_figures_for_a_district(sources: registers_figures.RegisterSources) -> None:
    found = registers_figures.figures(
        registers_figures.figure_rows(SITES, sources, lad_codes={"E08000026"})
    )
    assert found == {
        "sites": 2,
        "firms_core": 1,
        "firms_adjacent": 0,
        "awards": 1,
        "award_value_gbp": 120_000.0,
        "sme_share": 1.0,
        "official_count": 15,
        "official_suppressed_cells": 1,
    }


def test_a_firm_that_is_a_curated_site_is_counted_once(
    sources: registers_figures.RegisterSources,
) -> None:
    rows = registers_figures.figure_rows(SITES, sources, lad_codes={"E06000016"})
    assert len(rows["sites"]) == 1
    assert rows["firms_core"].empty  # HOTEL DEFENCE SERVICES is curated site c


def test_figures_by_district_cover_every_district(
    sources: registers_figures.RegisterSources,
) -> None:
    table = registers_figures.figures_by_district(SITES, sources)
    assert len(table) == 67
    by_code = table.set_index("lad_code")
    assert by_code.loc["E08000025", "firms_adjacent"] == 1
    assert by_code.loc["E08000025", "official_count"] == 0
    assert by_code.loc["E08000025", "official_suppressed_cells"] == 1
    assert table["firms_core"].sum() + table["firms_adjacent"].sum() == 4  # 5 kept, 1 curated


def test_figures_within_an_area(sources: registers_figures.RegisterSources) -> None:
    coventry_box = box(-1.6, 52.35, -1.4, 52.45)
    rows = registers_figures.figure_rows(SITES, sources, area=coventry_box)
    assert list(rows["firms_core"]["company_number"]) == ["00000001"]
    assert list(rows["awards"]["award_id"]) == ["A1"]
    assert "counts" not in rows  # counts are by district only


def test_not_loaded_sources_say_how_to_load(tmp_path: Path) -> None:
    empty = registers_figures.load_sources(
        companies_dir=tmp_path, contracts_dir=tmp_path, statistics_dir=tmp_path
    )
    assert empty.loaded() == {"firms": False, "awards": False, "counts": False}
    found = registers_figures.figures(registers_figures.figure_rows(SITES, empty))
    text = " ".join(registers_figures.describe_figures(found, where="Midlands"))
    assert "python -m layers.companies build" in text
    assert "python -m layers.contracts build" in text
    assert "python -m layers.statistics build" in text


def test_public_profile_aggregates_micro_and_no_accounts_firms(
    sources: registers_figures.RegisterSources,
) -> None:
    assert sources.firms is not None
    points, aggregate, note = registers_figures.firms_for_export(sources.firms)
    assert sorted(points["company_number"]) == ["00000001", "00000008", "00000010"]
    assert aggregate.to_dict(orient="records") == [
        {"lad_code": "E06000013", "core": 0, "adjacent": 1},
        {"lad_code": "E08000025", "core": 0, "adjacent": 1},
    ]
    assert "micro-entity" in note
    partner, none, _ = registers_figures.firms_for_export(sources.firms, profile="partner")
    assert len(partner) == 5 and none.empty
    with pytest.raises(ValueError, match="profile"):
        registers_figures.firms_for_export(sources.firms, profile="press")


def test_map_data(sources: registers_figures.RegisterSources, boundaries_dir: Path) -> None:
    assert sources.firms is not None and sources.awards is not None
    points = registers_figures.firm_points(sources.firms)
    assert set(points["tier"]) == {"core", "adjacent"}
    awards = registers_figures.award_points(sources.awards)
    biggest = awards.loc[awards["value_gbp"].fillna(0).idxmax()]
    assert biggest["radius_px"] == 24.0 and biggest["supplier"] == "LEICESTER LARGE PLC"
    assert awards.loc[awards["value_gbp"].isna(), "radius_px"].eq(3.0).all()
    lads = gpd.read_parquet(boundaries_dir / "lads.parquet")
    assert sources.counts is not None
    choropleth = registers_figures.counts_choropleth(sources.counts, lads).set_index("code")
    assert choropleth.loc["E08000026", "label"] == "15 (at least; some cells suppressed)"
    assert choropleth.loc["E06000016", "label"] == "1,005"
    assert choropleth.loc["E06000015", "label"] == "no data"
    one = registers_figures.counts_choropleth(sources.counts, lads, sic_class="30.30")
    assert one.set_index("code").loc["E08000026", "label"] == "suppressed"
    assert "Companies House" in sources.label("firms") and "2026-12" in sources.label("firms")


def test_company_details_for_a_curated_site(sources: registers_figures.RegisterSources) -> None:
    details = registers_figures.company_details(sources.firms, "00000008")
    assert details == {
        "company_number": "00000008",
        "name": "HOTEL DEFENCE SERVICES LTD",
        "sic_codes": ["26511", "84220"],
        "registered_office_postcode": "LE1 1AA",
        "lad_code": "E06000016",
        "core": True,
    }
    assert registers_figures.company_details(sources.firms, "00000004") is None  # bakery
    assert registers_figures.company_details(None, "00000008") is None
    assert registers_figures.company_details(sources.firms, "") is None
