"""The OSM check on an OSM XML file written by hand (tests/data/osm/sites.osm).

The file holds, around three made-up registry rows (points given in EPSG:27700 below):
- Rolls-Royce at 435000 E, 331000 N: a closed way "Rolls-Royce Sinfin A" (a 600 m square
  centred on the point), a node "Rolls-Royce Learning and Development Centre" 800 m north, and
  a node "Rolls-Royce Heritage Trust" 7 km north (beyond the 5 km search);
- HORIBA MIRA at 435000 E, 293000 N: a multipolygon relation "HORIBA MIRA Proving Ground" whose
  outer way is an 800 m square centred 600 m east, so the point is 200 m outside it;
- Quill Engineering at 401000 E, 298000 N: only a "Walsall" place node on the point, "Station
  Street" and "The Red Lion" nearby: nothing of its name.
Expected distances are those of the construction, not of the code under test.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from layers import osm_check
from layers.sites import cli as sites_cli

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "osm" / "sites.osm"
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
POINTS = {
    "rolls-royce-sinfin": (435000.0, 331000.0),
    "horiba-mira": (435000.0, 293000.0),
    "quill-walsall": (401000.0, 298000.0),
}


def registry_rows() -> pd.DataFrame:
    rows = []
    named = {
        "rolls-royce-sinfin": ("Rolls-Royce Sinfin works", "Rolls-Royce", "Derby"),
        "horiba-mira": ("HORIBA MIRA Technology Park", "HORIBA MIRA", "Nuneaton"),
        "quill-walsall": ("Quill works", "Quill Engineering Ltd", "Walsall"),
    }
    for site_id, (name, organisation, town) in named.items():
        lon, lat = _TO_WGS84.transform(*POINTS[site_id])
        rows.append(
            {
                "site_id": site_id,
                "name": name,
                "organisation": organisation,
                "town": town,
                "lat": round(lat, 7),
                "lon": round(lon, 7),
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def features():
    return osm_check.read_osm_xml(FIXTURE)


def test_the_file_gives_named_nodes_footprints_and_relations(features):
    kinds = dict(zip(features["osm_id"], features.geometry.geom_type, strict=True))
    assert kinds["way/101"] == "Polygon"
    assert kinds["relation/301"] == "Polygon"
    assert kinds["way/103"] == "LineString"
    assert kinds["node/201"] == "Point"
    assert "way/102" not in kinds, "an unnamed outer way is not a feature of its own"
    names = features.set_index("osm_id")["names"]
    assert names["way/101"] == ["Rolls-Royce Sinfin A", "Rolls-Royce plc"]


def test_a_match_inside_a_footprint_comes_first_then_the_nearer_ones(features):
    report = osm_check.osm_check(registry_rows(), features)
    assert list(report.columns) == list(osm_check.REPORT_COLUMNS)
    rolls = report[report["site_id"] == "rolls-royce-sinfin"]
    assert list(rolls["osm_id"]) == ["way/101", "node/201"], "the museum 7 km away is left out"
    inside, near = rolls.to_dict("records")
    assert inside["inside_footprint"] is True and inside["distance_m"] == 0.0
    assert inside["name"] == "Rolls-Royce Sinfin A"
    lon, lat = _TO_WGS84.transform(435000 - 300, 331000 - 300)
    far_lon, far_lat = _TO_WGS84.transform(435000 + 300, 331000 + 300)
    assert lat < inside["lat"] < far_lat and lon < inside["lon"] < far_lon
    assert near["inside_footprint"] is False
    assert near["distance_m"] == pytest.approx(800, abs=1.0)
    node_lon, node_lat = _TO_WGS84.transform(435000, 331800)
    assert (near["lat"], near["lon"]) == pytest.approx((node_lat, node_lon), abs=1e-6)


def test_a_near_miss_is_reported_outside_its_footprint(features):
    report = osm_check.osm_check(registry_rows(), features)
    [mira] = report[report["site_id"] == "horiba-mira"].to_dict("records")
    assert mira["osm_id"] == "relation/301"
    assert mira["inside_footprint"] is False
    assert mira["distance_m"] == pytest.approx(200, abs=1.0)


def test_a_site_with_no_feature_of_its_name_has_no_match(features):
    report = osm_check.osm_check(registry_rows(), features)
    assert "quill-walsall" not in set(report["site_id"]), "the town and a street are no match"


def test_names_match_on_significant_words_only():
    assert osm_check.names_match("MTC (Manufacturing Technology Centre)", "MTC", "Ansty", ["MTC"])
    assert osm_check.names_match("Babcock site", "Babcock International", "Walsall", ["Babcock"])
    assert not osm_check.names_match("Babcock site", "Babcock", "Walsall", ["Walsall Works"])
    assert not osm_check.names_match("Test site", "Test Ltd", "Derby", ["Centre", "Ltd"])


def test_the_command_line_writes_the_report(tmp_path: Path, capsys):
    registry = tmp_path / "sites.csv"
    registry_rows().to_csv(registry, index=False)
    out = tmp_path / "osm.csv"
    code = sites_cli.main(["osm-check", str(registry), "--osm", str(FIXTURE), "--csv", str(out)])
    assert code == 0
    with out.open(encoding="utf-8") as table:
        written = list(csv.DictReader(table))
    assert [(r["site_id"], r["osm_id"], r["inside_footprint"]) for r in written] == [
        ("rolls-royce-sinfin", "way/101", "True"),
        ("rolls-royce-sinfin", "node/201", "False"),
        ("horiba-mira", "relation/301", "False"),
    ]
    printed = capsys.readouterr().out
    assert "quill-walsall: no OpenStreetMap feature of its name within 5 km" in printed
    assert "ODbL" in printed


def test_a_file_that_is_not_osm_xml_is_refused(tmp_path: Path):
    junk = tmp_path / "junk.osm"
    junk.write_text("<html><body>not osm</body></html>", encoding="utf-8")
    with pytest.raises(osm_check.OsmCheckError, match="not OSM XML"):
        osm_check.read_osm_xml(junk)
    bomb = tmp_path / "bomb.osm"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE osm [<!ENTITY a "aaaa">]><osm>&a;</osm>',
        encoding="utf-8",
    )
    with pytest.raises(osm_check.OsmCheckError):
        osm_check.read_osm_xml(bomb)


def test_overpass_answers_through_osmnx_are_read_like_the_file(monkeypatch):
    import geopandas as gpd
    import osmnx as ox
    from shapely.geometry import Point, Polygon

    lon, lat = _TO_WGS84.transform(*POINTS["rolls-royce-sinfin"])
    square = Polygon(
        [
            (lon - 0.004, lat - 0.003),
            (lon + 0.004, lat - 0.003),
            (lon + 0.004, lat + 0.003),
            (lon - 0.004, lat + 0.003),
        ]
    )
    answer = gpd.GeoDataFrame(
        {"name": ["Rolls-Royce Sinfin A", None], "operator": ["Rolls-Royce plc", None]},
        geometry=[square, Point(lon, lat)],
        index=pd.MultiIndex.from_tuples([("way", 101), ("node", 7)], names=["element", "id"]),
        crs="EPSG:4326",
    )
    asked = []

    def features_from_point(center, tags, dist):
        asked.append((center, tags, dist))
        return answer

    monkeypatch.setattr(ox.features, "features_from_point", features_from_point)
    rows = registry_rows().iloc[:1]
    features = osm_check.fetch_overpass(rows, radius_m=5000)
    assert asked == [
        ((rows["lat"].iloc[0], rows["lon"].iloc[0]), {"name": True, "operator": True}, 5000)
    ]
    assert list(features["osm_id"]) == ["way/101"], "a feature with no name is left out"
    [match] = osm_check.osm_check(rows, features).to_dict("records")
    assert (match["osm_id"], match["inside_footprint"]) == ("way/101", True)
