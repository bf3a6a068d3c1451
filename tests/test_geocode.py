"""The maintainers' geocoding helper: prints candidates, never writes to the registry."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

import settings
from layers import _osm, sites
from layers._io import sha256_file


def fake_results(query: str, which_result: int) -> gpd.GeoDataFrame:
    if which_result > 2:
        raise ValueError("Nominatim could not geocode query")
    point = shapely.Point(-1.98 + which_result / 100, 52.58)
    return gpd.GeoDataFrame(
        {"display_name": [f"{query} candidate {which_result}"]}, geometry=[point], crs="EPSG:4326"
    )


def test_candidates_are_printed_and_the_registry_is_untouched(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    before = sha256_file(settings.SITES_CSV)
    monkeypatch.setattr(_osm.ox, "geocode_to_gdf", fake_results)
    assert sites.main(["geocode", "Babcock, Walsall"]) == 0
    out = capsys.readouterr().out
    assert "nothing is written to the registry" in out
    assert "1. lat 52.58000, lon -1.97000  Babcock, Walsall candidate 1" in out
    assert "2. lat 52.58000, lon -1.96000" in out
    assert sha256_file(settings.SITES_CSV) == before


def test_no_network_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    def offline(query: str, which_result: int) -> gpd.GeoDataFrame:
        raise ConnectionError("Failed to resolve 'nominatim.openstreetmap.org'")

    monkeypatch.setattr(_osm.ox, "geocode_to_gdf", offline)
    assert sites.main(["geocode", "Babcock, Walsall"]) == 2
    assert "geocoding needs the internet" in capsys.readouterr().err


def test_osmnx_is_configured_once_for_the_project():
    assert _osm.ox.settings.cache_folder.endswith("data/cache/osmnx")
    assert "midlands-defence-map" in _osm.ox.settings.http_user_agent
