"""The built Midlands geography, from the offline ONS mirror."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import settings
from layers import boundaries

WMCA_BOROUGHS = {
    "Birmingham",
    "Coventry",
    "Dudley",
    "Sandwell",
    "Solihull",
    "Walsall",
    "Wolverhampton",
}


def metric(name: str, directory: Path, *, display: bool = False) -> gpd.GeoDataFrame:
    return boundaries.load_layer(name, directory=directory, display=display).to_crs(
        settings.CRS_METRIC
    )


def test_there_are_67_midlands_lads(boundaries_dir: Path):
    lads = boundaries.load_layer("lads", directory=boundaries_dir)
    assert len(lads) == 67
    assert lads["code"].is_unique
    assert lads.crs.to_epsg() == 4326


def test_combined_authorities_have_exactly_their_members(boundaries_dir: Path):
    lads = boundaries.load_layer("lads", directory=boundaries_dir)
    members = lads.groupby("ca_code")["name"].apply(set)
    assert members["E47000007"] == WMCA_BOROUGHS
    assert len(members["E47000013"]) == 17
    emcca = lads[lads["ca_code"] == "E47000013"]
    assert set(emcca["county_name"]) == {"Derby", "Nottingham", "Derbyshire", "Nottinghamshire"}
    assert (emcca["county_name"] == "Derbyshire").sum() == 8
    assert (emcca["county_name"] == "Nottinghamshire").sum() == 7
    assert len(members["E47000017"]) == 9


def test_regions_follow_the_design_facts(boundaries_dir: Path):
    lads = boundaries.load_layer("lads", directory=boundaries_dir).set_index("code")
    assert lads.loc["E06000012", "region_code"] == "E12000003"  # North East Lincolnshire
    assert lads.loc["E06000013", "region_code"] == "E12000003"  # North Lincolnshire
    assert (lads["region_code"] == "E12000004").sum() == 35
    assert (lads["region_code"] == "E12000005").sum() == 30


@pytest.mark.parametrize(
    "name, key",
    [
        ("counties", "county_code"),
        ("combined_authorities", "ca_code"),
        ("regions", "region_code"),
    ],
)
def test_each_derived_area_equals_the_sum_of_its_lads(boundaries_dir: Path, name: str, key: str):
    lads = metric("lads", boundaries_dir)
    derived = metric(name, boundaries_dir).set_index("code")
    lads["area"] = lads.area
    parts = lads[lads[key] != ""].groupby(key)["area"].sum()
    assert set(parts.index) == set(derived.index)
    for code, area in parts.items():
        assert derived.loc[code].geometry.area == pytest.approx(area, rel=0.005), code


def test_the_outline_equals_the_sum_of_the_lads(boundaries_dir: Path):
    outline = metric("midlands", boundaries_dir)
    assert outline.area.iloc[0] == pytest.approx(
        metric("lads", boundaries_dir).area.sum(), rel=0.005
    )


def test_wards_sum_to_their_lads(boundaries_dir: Path):
    wards = metric("wards", boundaries_dir)
    lads = metric("lads", boundaries_dir).set_index("code")
    assert set(wards["lad_code"]) == set(lads.index)
    wards["area"] = wards.area
    sums = wards.groupby("lad_code")["area"].sum()
    for code, area in sums.items():
        # wards are generalised to 200 m and LADs to 500 m, so small urban LADs differ by a
        # few per cent (Worcester: 3.7%); a ward under the wrong LAD would be far off
        assert area == pytest.approx(lads.loc[code].geometry.area, rel=0.05), code


def test_every_feature_has_a_code_and_a_name_and_lads_carry_parents(boundaries_dir: Path):
    for name in boundaries.LAYERS:
        layer = boundaries.load_layer(name, directory=boundaries_dir)
        assert layer["code"].str.len().gt(0).all(), name
        assert layer["name"].str.len().gt(0).all(), name
        assert layer.is_valid.all(), name
    wards = boundaries.load_layer("wards", directory=boundaries_dir)
    for column in (
        "lad_code",
        "lad_name",
        "county_code",
        "county_name",
        "region_code",
        "region_name",
        "ca_code",
        "ca_name",
    ):
        assert column in wards.columns
    assert (wards["county_code"] != "").all()


def test_display_layers_are_a_valid_coverage_without_gaps(boundaries_dir: Path):
    for name in ("lads", "wards"):
        shapes = metric(name, boundaries_dir, display=True).geometry.values
        assert shapely.coverage_is_valid(shapes), f"{name}: display polygons overlap"
        union = shapely.union_all(shapes)
        holes = [
            shapely.Polygon(ring).area
            for part in getattr(union, "geoms", [union])
            for ring in part.interiors
        ]
        assert all(area <= 1.0 for area in holes), f"{name}: gaps {sorted(holes)[-3:]} m²"


def test_display_parents_share_borders_with_display_lads(boundaries_dir: Path):
    counties = metric("counties", boundaries_dir, display=True).geometry.values
    assert shapely.coverage_is_valid(counties)
    lads_area = metric("lads", boundaries_dir, display=True).area.sum()
    assert sum(shapely.area(counties)) == pytest.approx(lads_area, rel=1e-6)


def test_the_default_map_boundary_payload_is_under_400_kb(boundaries_dir: Path):
    sizes = {
        name: boundaries.layer_path(name, display=True, directory=boundaries_dir).stat().st_size
        for name in boundaries.DEFAULT_MAP_LAYERS
    }
    assert sum(sizes.values()) < 400_000, sizes


def test_the_manifest_records_every_download_and_built_file(boundaries_dir: Path):
    manifest = json.loads((boundaries_dir / "manifest.json").read_text())
    for layer, service in settings.ONS_SERVICES.items():
        entry = manifest["layers"][layer]
        assert entry["service"] == service
        assert entry["feature_count"] > 0
        assert len(entry["sha256"]) == 64
        assert entry["retrieved_at"]
    assert manifest["layers"]["lads"]["feature_count"] == 67
    assert "lads.parquet" in manifest["built"]["files"]
    assert "display/lads.geojson" in manifest["built"]["files"]


def test_an_invalid_published_polygon_is_repaired(tmp_path: Path):
    bowtie = {
        "type": "Feature",
        "properties": {"LAD23CD": "E1"},
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[-1.5, 52.5], [-1.4, 52.6], [-1.4, 52.5], [-1.5, 52.6], [-1.5, 52.5]]],
        },
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [bowtie]}))
    assert not shapely.from_geojson(json.dumps(bowtie["geometry"])).is_valid
    repaired = boundaries._read_raw(path)
    assert repaired.is_valid.all()
    assert repaired.area.iloc[0] > 0


def test_loading_an_unbuilt_layer_says_what_to_run(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="make data"):
        boundaries.load_layer("lads", directory=tmp_path)


def test_the_mirror_selects_only_the_midlands(ons_mirror: Path, tmp_path: Path):
    hierarchy = boundaries.read_hierarchy()
    manifest = boundaries.download_layers(
        tmp_path, lad_codes=sorted(hierarchy["lad_code"]), mirror=ons_mirror
    )
    assert manifest["layers"]["lads"]["feature_count"] == 67
    assert manifest["layers"]["wards"]["feature_count"] == 1534


def test_the_boundaries_folder_is_read_from_settings_when_called(
    boundaries_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", tmp_path / "elsewhere")
    assert boundaries.layer_path("lads", directory=None) == tmp_path / "elsewhere" / "lads.parquet"
    assert not boundaries.read_manifest().get("layers")  # nothing is built elsewhere
    monkeypatch.setattr(settings, "BOUNDARIES_DIR", boundaries_dir)
    assert set(boundaries.read_manifest()["layers"]) == set(settings.ONS_SERVICES)
    assert len(boundaries.load_layer("midlands")) == 1
