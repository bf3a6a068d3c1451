"""The bid pack's registers part: figures, a CSV of the rows each counts, the public profile."""

from __future__ import annotations

import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from layers import contracts, registers_figures
from layers.selection import Selection
from mapping import bidpack
from tests.support import registers_fixtures as fx


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory, boundaries_dir: Path):
    root = tmp_path_factory.mktemp("pack")
    return fx.load_built(fx.build_registers(root, boundaries_dir))


def _selection() -> Selection:
    sites = gpd.GeoDataFrame(
        {"site_id": ["x", "y"], "lad_code": ["E08000026", "E08000025"]},
        geometry=[Point(-1.5, 52.4), Point(-1.9, 52.48)],
        crs="EPSG:4326",
    )
    return Selection(sites=sites)


def test_a_site_without_a_district_adds_no_district(sources) -> None:
    # a site outside every district (an upload offshore): its missing code is not a district
    sites = _selection().sites
    offshore = gpd.GeoDataFrame(
        {"site_id": ["z"], "lad_code": [float("nan")]},
        geometry=[Point(1.9, 52.9)],
        crs="EPSG:4326",
    )
    both = Selection(sites=gpd.GeoDataFrame(pd.concat([sites, offshore]), crs="EPSG:4326"))
    alone, _ = bidpack.register_pack(_selection(), sources, profile="partner")
    with_it, files = bidpack.register_pack(both, sources, profile="partner")
    assert "nan" not in "\n".join(with_it).lower()
    assert "\n".join(with_it) == "\n".join(alone), "the same two districts are counted"
    assert list(_read(files, "registers/figures.csv")["firms_core"]) == ["1"]


def _read(files: dict[str, bytes], name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[name]), encoding="utf-8-sig", dtype=str)


def test_each_figure_lists_its_rows(sources) -> None:
    lines, files = bidpack.register_pack(_selection(), sources, profile="partner")
    assert set(files) == {n for n in bidpack.PACK_FILES if n.startswith("registers/")}
    figures = _read(files, "registers/figures.csv").iloc[0]
    assert figures["firms_core"] == "1" and figures["firms_adjacent"] == "1"
    assert figures["awards"] == "1" and figures["official_count"] == "15"
    assert list(_read(files, "registers/firms_core.csv")["company_number"]) == ["00000001"]
    assert list(_read(files, "registers/firms_adjacent.csv")["company_number"]) == ["SC000002"]
    assert list(_read(files, "registers/awards.csv")["award_id"]) == ["A1"]
    counts = _read(files, "registers/official_counts.csv")
    assert len(counts) == 4  # Coventry's two cells and Birmingham's two
    assert set(counts.loc[counts["suppressed"] == "True", "count"].fillna("")) == {""}
    text = "\n".join(lines)
    assert "1 core and 1 adjacent" in text
    assert "Partner profile" in text
    assert "MOD awards to Midlands SMEs, last 12 months" in text


def test_the_public_profile_aggregates_micro_firms(sources) -> None:
    lines, files = bidpack.register_pack(_selection(), sources)
    assert _read(files, "registers/firms_adjacent.csv").empty  # SC000002 files micro accounts
    by_district = _read(files, "registers/firms_by_district.csv")
    assert by_district.to_dict(orient="records") == [
        {"lad_code": "E08000025", "core": "0", "adjacent": "1"}
    ]
    assert any("Public profile" in line for line in lines)


def test_sources_not_loaded_say_how_to_load(tmp_path: Path) -> None:
    empty = registers_figures.load_sources(
        companies_dir=tmp_path, contracts_dir=tmp_path, statistics_dir=tmp_path
    )
    lines, files = bidpack.register_pack(_selection(), empty)
    assert "python -m layers.companies build" in "\n".join(lines)
    assert list(_read(files, "registers/awards.csv").columns) == list(contracts.COLUMNS)
    assert _read(files, "registers/awards.csv").empty


def test_the_pack_is_named_from_the_selection_stem() -> None:
    from mapping.exports.names import selection_stem

    selection = _selection()
    assert bidpack.bid_pack_name(selection) == f"bid-pack_{selection_stem(selection)}.zip"
    assert "sites.csv-metadata.json" in bidpack.PACK_FILES
