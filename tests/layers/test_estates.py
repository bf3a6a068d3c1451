"""MOD estate footprints from the hand-made OSM fixture: parsing, the cache and the commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import osmnx as ox
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal

import settings
from layers import boundaries, estates
from layers.estates import (
    ESTATE_COLUMNS,
    MILITARY_TAGS,
    estates_from_features,
    load_estates,
    save_estates,
)

ROADS_OSM = Path(__file__).parents[1] / "data" / "roads.osm"
RETRIEVED = "2026-01-01T00:00:00+00:00"


@pytest.fixture(scope="module")
def midlands(boundaries_dir: Path) -> gpd.GeoDataFrame:
    return boundaries.load_layer("midlands", directory=boundaries_dir)


@pytest.fixture(scope="module")
def features() -> gpd.GeoDataFrame:
    return ox.features_from_xml(ROADS_OSM, tags=MILITARY_TAGS)


@pytest.fixture(scope="module")
def footprints(features: gpd.GeoDataFrame, midlands: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return estates_from_features(features, outline=midlands, retrieved_at=RETRIEVED)


def test_footprints_are_the_military_polygons(footprints: gpd.GeoDataFrame) -> None:
    assert list(footprints.columns) == list(ESTATE_COLUMNS)
    assert footprints.crs == settings.CRS_STORAGE
    # The checkpoint node is a point and the roads are not military: only way 201 is left.
    assert footprints["osm_id"].tolist() == ["way/201"]
    row = footprints.iloc[0]
    assert row["name"] == "Whittington Barracks (synthetic test footprint)"
    assert row["estate_type"] == "barracks"
    assert row["operator"] == "Ministry of Defence"
    assert row["attribution"] == settings.OSM_ATTRIBUTION
    assert row["retrieved_at"] == RETRIEVED
    assert row.geometry.is_valid and row.geometry.geom_type == "Polygon"
    # About 1.33 km east-west by 1.33 km north-south.
    assert row["area_km2"] == pytest.approx(1.8, abs=0.1)


def test_untyped_military_land_and_the_outline_filter(features: gpd.GeoDataFrame) -> None:
    untyped = features.drop(columns="military")
    found = estates_from_features(untyped, retrieved_at=RETRIEVED)
    assert found["estate_type"].tolist() == ["military land"]
    london = gpd.GeoDataFrame(
        geometry=[shapely.box(-0.3, 51.4, 0.1, 51.6)], crs=settings.CRS_STORAGE
    )
    assert estates_from_features(features, outline=london).empty
    assert list(estates_from_features(features.iloc[:0]).columns) == list(ESTATE_COLUMNS)


def test_cache_round_trip_keeps_attribution_and_date(
    footprints: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = save_estates(footprints, tmp_path / "estates.geojson")
    collection = json.loads(path.read_text(encoding="utf-8"))
    assert collection["attribution"] == settings.OSM_ATTRIBUTION
    assert collection["retrieved_at"] == RETRIEVED
    assert "ODbL" in collection["licence"]
    assert "crs" not in collection
    assert collection["features"][0]["properties"]["retrieved_at"] == RETRIEVED
    loaded = load_estates(path)
    assert_geodataframe_equal(loaded, footprints, check_dtype=False, check_less_precise=True)


def test_no_cache_gives_an_empty_frame(tmp_path: Path) -> None:
    missing = load_estates(tmp_path / "none.geojson")
    assert missing.empty
    assert list(missing.columns) == list(ESTATE_COLUMNS)
    assert missing.crs == settings.CRS_STORAGE


def test_a_broken_cache_says_how_to_rebuild_it(tmp_path: Path) -> None:
    broken = tmp_path / "estates.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    with pytest.raises(ValueError, match=r"python -m layers\.estates refresh"):
        load_estates(broken)


def test_refresh_failure_leaves_the_cache_alone(
    footprints: gpd.GeoDataFrame,
    boundaries_dir: Path,
    tmp_path: Path,
    osm_offline: None,
) -> None:
    cache = save_estates(footprints, tmp_path / "estates.geojson")
    before = cache.read_bytes()
    with pytest.raises(RuntimeError, match="needs the internet"):
        estates.refresh_estates(cache, boundaries_dir=boundaries_dir)
    assert cache.read_bytes() == before
    assert estates.main(["refresh", "--out", str(cache), "--boundaries", str(boundaries_dir)]) == 1


def test_status_command(
    footprints: gpd.GeoDataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert estates.main(["status", "--path", str(tmp_path / "none.geojson")]) == 0
    assert "no estate footprints cached" in capsys.readouterr().out
    cache = save_estates(footprints, tmp_path / "estates.geojson")
    assert estates.main(["status", "--path", str(cache)]) == 0
    out = capsys.readouterr().out
    assert "1 estate footprints" in out and RETRIEVED in out and "OpenStreetMap" in out


def test_importing_the_layers_touches_no_network() -> None:
    # osmnx (and so any OSM request) is loaded only by the calls that need it.
    code = (
        "import sys, layers.clusters, layers.corridor, layers.estates; "
        "print('osmnx' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.ROOT,
    )
    assert result.stdout.strip() == "False"
