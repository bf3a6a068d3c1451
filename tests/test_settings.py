"""Settings are read when a function is called, not fixed when its module is imported.

A deployment (or a test) that points ``settings.BOUNDARIES_DIR`` elsewhere after the modules
are loaded must see every entry point follow, without passing the folder to each call.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

import settings
from layers import placement, sites
from layers._errors import BoundaryDataMissingError
from layers.uploads import read_user_sites
from mapping import basemap, build_map

ONE_SITE = (
    "site_id,name,organisation,kind,capabilities,lat,lon,location_precision,town,status,"
    "description,source_url,last_checked\n"
    "t-derby,Test Works,Test Ltd,supplier,combat_air,52.9220,-1.4760,town,Derby,active,"
    "A test row,https://example.org/,2026-11-01\n"
)


def test_loading_the_registry_follows_the_boundaries_setting(nowhere: Path) -> None:
    with pytest.raises(BoundaryDataMissingError, match=str(nowhere)):
        sites.load_sites()


def test_placing_sites_follows_the_boundaries_setting(nowhere: Path) -> None:
    points = gpd.GeoDataFrame(
        {"site_id": ["a"]}, geometry=gpd.points_from_xy([-1.476], [52.922]), crs="EPSG:4326"
    )
    with pytest.raises(BoundaryDataMissingError, match=str(nowhere)):
        placement.assign_areas(points)


def test_a_users_list_follows_the_boundaries_setting(nowhere: Path, tmp_path: Path) -> None:
    listed = tmp_path / "mine.csv"
    listed.write_text(ONE_SITE, encoding="utf-8")
    with pytest.raises(BoundaryDataMissingError, match=str(nowhere)):
        read_user_sites(listed)


def test_the_map_follows_the_boundaries_setting(nowhere: Path) -> None:
    with pytest.raises(BoundaryDataMissingError, match=str(nowhere)):
        basemap.display_geojson("midlands")
    empty = gpd.GeoDataFrame({"site_id": []}, geometry=[], crs="EPSG:4326")
    with pytest.raises(BoundaryDataMissingError, match=str(nowhere)):
        build_map(empty)


def test_the_registry_loads_from_the_folder_the_setting_names(
    boundaries_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text(ONE_SITE, encoding="utf-8")
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    loaded = sites.load_sites(registry)
    assert loaded["site_id"].tolist() == ["t-derby"]
    assert loaded["lad_name"].tolist() == ["Derby"]


def test_validating_names_the_settings_folder_when_it_holds_no_boundaries(
    nowhere: Path, tmp_path: Path
) -> None:
    registry = tmp_path / "sites.csv"
    registry.write_text(ONE_SITE, encoding="utf-8")
    valid, problems = sites.validate_sites(registry, warnings=[])
    assert [(p.row, p.field, p.value) for p in problems] == [(0, "boundaries", str(nowhere))]
    assert valid["site_id"].tolist() == ["t-derby"]
