"""The exports: RFC 7946 GeoJSON, GeoPackage, KML, CSV, slides, the bid pack and the CLI.

What the officer attaches to a bid: every export carries status and dates, names the areas,
is named after the selection, and the command line agrees with the app.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import re
import shlex
import sqlite3
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from PIL import Image

import settings
from layers import filters, timeline, vocabulary
from layers.filters import SiteFilter
from layers.selection import Selection, make_selection
from layers.sites import load_sites
from mapping import bidpack, export, slides, standalone, style
from mapping.credits import export_metadata, licences
from mapping.exports.csv_table import csv_side_file, csvw_metadata, sites_csv, write_csv
from mapping.exports.geojson import (
    feature_collection,
    geojson_collections,
    geojson_text,
    write_geojson,
)
from mapping.exports.geopackage import write_gpkg
from mapping.exports.kml import kml_colour, kml_document
from mapping.exports.names import file_name, selection_stem
from mapping.exports.tables import LAYER_NAMES, areas_layer

DATA = Path(__file__).parents[1] / "data"
KML = "{http://www.opengis.net/kml/2.2}"
MADE = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def selection(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    """Every site, with the belt, as the bid pack makes it."""
    return make_selection(
        registry,
        SiteFilter(),
        boundaries_dir=boundaries_dir,
        with_corridor=True,
        created=MADE,
    )


@pytest.fixture(scope="module")
def hostile(boundaries_dir: Path) -> Selection:
    sites = load_sites(DATA / "hostile_sites.csv", boundaries_dir=boundaries_dir)
    return make_selection(
        sites,
        SiteFilter(),
        boundaries_dir=boundaries_dir,
        sites_path=DATA / "hostile_sites.csv",
        created=MADE,
    )


@pytest.fixture(scope="module")
def pack(selection: Selection) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(bidpack.build_bid_pack(selection)))


def raw_collection(text: str) -> dict[str, Any]:
    """A GeoJSON text parsed with every decimal kept as written."""
    loaded: dict[str, Any] = json.loads(text, parse_float=str)
    return loaded


def positions(coordinates: Any) -> list[list[str]]:
    """Every [x, y] position in a GeoJSON coordinates array."""
    if coordinates and isinstance(coordinates[0], str | float | int):
        return [coordinates]
    found: list[list[str]] = []
    for item in coordinates:
        found.extend(positions(item))
    return found


def signed_area(ring: list[list[str]]) -> float:
    """Shoelace area of a ring as written: positive when counter-clockwise."""
    points = [(float(x), float(y)) for x, y, *_ in ring]
    return (
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def polygons(geometry: dict[str, Any]) -> list[list[list[list[str]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


# --------------------------------------------------------------------------------------------
# GeoJSON


@pytest.mark.parametrize("layer", LAYER_NAMES)
def test_each_geojson_layer_reads_back_in_geopandas(
    selection: Selection, tmp_path: Path, layer: str
):
    path = write_geojson(selection, tmp_path / f"{layer}.geojson", layer=layer)
    frame = gpd.read_file(path)
    expected = {
        "sites": len(selection.sites),
        "corridor": 2,
        "areas": len(areas_layer(selection)),
    }[layer]
    assert len(frame) == expected > 0
    assert frame.crs.to_epsg() == 4326


def test_geojson_follows_rfc_7946(selection: Selection):
    collections = geojson_collections(selection)
    holes = 0
    for name, collection in collections.items():
        raw = raw_collection(geojson_text(collection))
        assert raw["type"] == "FeatureCollection"
        assert "crs" not in raw, f"{name}: RFC 7946 has no crs member"
        assert all("crs" not in feature for feature in raw["features"])
        for feature in raw["features"]:
            for x, y, *rest in positions(feature["geometry"]["coordinates"]):
                assert not rest, "two-dimensional positions"
                for number in (x, y):
                    decimals = number.split(".")[1] if "." in number else ""
                    assert len(decimals) <= 6, f"{name}: {number} has more than 6 decimals"
                lon, lat = float(x), float(y)
                assert -180 <= lon <= 180 and -90 <= lat <= 90
                # the Midlands: longitude first (about -3.5..0.5), then latitude (about 51.5..54)
                assert -4 < lon < 1 and 51 < lat < 54, f"{name}: ({x}, {y}) is not (lon, lat)"
            for polygon in polygons(feature["geometry"]):
                exterior, *interiors = polygon
                assert signed_area(exterior) > 0, f"{name}: exterior ring is not counter-clockwise"
                for ring in interiors:
                    assert signed_area(ring) < 0, f"{name}: a hole is not clockwise"
                    holes += 1
    assert holes > 0, "the areas hold counties with unitary authorities as holes"


def test_clockwise_input_is_turned_counter_clockwise():
    clockwise = shapely.Polygon(
        [(-2, 52), (-2, 53), (-1, 53), (-1, 52)],
        holes=[[(-1.8, 52.2), (-1.2, 52.2), (-1.2, 52.8), (-1.8, 52.8)]],
    )
    assert not clockwise.exterior.is_ccw and clockwise.interiors[0].is_ccw
    frame = gpd.GeoDataFrame({"name": ["box"]}, geometry=[clockwise], crs=settings.CRS_STORAGE)
    feature = feature_collection(frame, metadata={})["features"][0]
    exterior, hole = feature["geometry"]["coordinates"]
    assert signed_area(exterior) > 0 and signed_area(hole) < 0


def test_metric_input_is_exported_in_longitude_latitude():
    birmingham = gpd.GeoDataFrame(
        {"name": ["Birmingham"]},
        geometry=[shapely.Point(406_900.123456789, 286_800.987654321)],
        crs=settings.CRS_METRIC,
    )
    (lon, lat) = feature_collection(birmingham, metadata={})["features"][0]["geometry"][
        "coordinates"
    ]
    assert lon == pytest.approx(-1.899, abs=0.01) and lat == pytest.approx(52.48, abs=0.01)
    assert lon == round(lon, 6) and lat == round(lat, 6)


def test_geojson_sites_carry_capabilities_as_text_and_booleans(selection: Selection):
    raw = geojson_collections(selection)["sites"]
    by_id = {row["site_id"]: row for row in selection.sites.to_dict("records")}
    for feature in raw["features"]:
        properties = feature["properties"]
        site = by_id[feature["id"]]
        assert properties["capabilities"] == ";".join(site["capabilities"])
        for slug in vocabulary.CAPABILITIES:
            assert properties[f"cap_{slug}"] is (slug in site["capabilities"])
        assert properties["main_capability"] == site["capabilities"][0]
        assert properties["lad_code"] == site["lad_code"]


def test_every_export_records_its_provenance(selection: Selection):
    metadata = geojson_collections(selection)["sites"]["metadata"]
    assert metadata["filters"]["description"] == "all sites"
    assert metadata["data_version"] == selection.data_version and len(selection.data_version) == 8
    assert metadata["date"] == "2026-11-28"
    assert metadata["counts"]["sites"] == len(selection.sites)
    postcode_placed = (selection.sites["location_precision"] == "postcode").any()
    assert metadata["attribution"][0] == settings.ONS_ATTRIBUTION
    assert len(metadata["attribution"]) == (2 if postcode_placed else 1)
    assert "corridor" in metadata and metadata["corridor"]["width_km"] == 10.0


def test_osm_attribution_is_added_when_estates_are_carried(selection: Selection):
    estates = gpd.GeoDataFrame(
        {"name": ["Range"]},
        geometry=[shapely.box(-1.5, 52.5, -1.4, 52.6)],
        crs=settings.CRS_STORAGE,
    )
    with_osm = Selection(sites=selection.sites, estates=estates)
    assert settings.OSM_ATTRIBUTION in export_metadata(with_osm)["attribution"]
    assert any("ODbL" in item for item in licences(with_osm))


def test_an_areas_export_counts_the_selected_sites_by_capability(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    chosen = make_selection(
        registry,
        SiteFilter(capabilities=("cyber_digital",)),
        boundaries_dir=boundaries_dir,
        area_level="county",
        created=MADE,
    )
    layer = areas_layer(chosen)
    cyber = chosen.sites
    assert int(layer["sites"].sum()) == int((cyber["county_code"] != "").sum())
    worcestershire = layer.set_index("code").loc["E10000034"]
    in_worcestershire = cyber[cyber["county_code"] == "E10000034"]
    assert worcestershire["sites"] == len(in_worcestershire) > 0
    assert worcestershire["sites_cyber_digital"] == len(in_worcestershire)
    assert set(layer["code"]) == set(cyber["county_code"]) - {""}


# --------------------------------------------------------------------------------------------
# GeoPackage, KML, CSV


def test_the_geopackage_has_a_table_per_layer_and_its_metadata(
    selection: Selection, tmp_path: Path
):
    path = write_gpkg(selection, tmp_path / "export.gpkg")
    listed = {str(name): kind for name, kind in pyogrio.list_layers(path)}
    assert set(listed) == {"sites", "corridor", "areas", "metadata"}
    assert listed["metadata"] is None, "metadata is a plain table"
    sites = pyogrio.read_dataframe(path, layer="sites")
    assert len(sites) == len(selection.sites)
    assert sorted(sites["site_id"]) == sorted(selection.sites["site_id"])
    assert sites["cap_combat_air"].dtype == bool
    assert sites.crs.to_epsg() == 4326
    assert len(pyogrio.read_dataframe(path, layer="corridor")) == 2
    metadata = pyogrio.read_dataframe(path, layer="metadata").set_index("key")["value"]
    assert metadata["data_version"] == selection.data_version
    assert metadata["filters.description"] == "all sites"
    assert settings.ONS_ATTRIBUTION in metadata["attribution"]


def test_kml_parses_and_styles_sites_by_capability(selection: Selection):
    root = ET.fromstring(kml_document(selection))
    document = root.find(f"{KML}Document")
    assert document is not None
    points = [p for p in document.iter(f"{KML}Placemark") if p.find(f"{KML}Point") is not None]
    assert len(points) == len(selection.sites)
    styles = {s.get("id"): s for s in document.iter(f"{KML}Style")}
    mains = {caps[0] for caps in selection.sites["capabilities"]}
    icon_colours = {
        s.findtext(f"{KML}IconStyle/{KML}color")
        for s in styles.values()
        if s.find(f"{KML}IconStyle")
    }
    assert icon_colours == {kml_colour(style.capability_colour(m)) for m in mains}
    data = {d.get("name"): d.findtext(f"{KML}value") for d in document.iter(f"{KML}Data")}
    assert data["data_version"] == selection.data_version
    assert data["filters.description"] == "all sites"
    assert settings.ONS_ATTRIBUTION in (document.findtext(f"{KML}description") or "")
    polygons_found = list(document.iter(f"{KML}Polygon"))
    assert polygons_found, "the belt and the areas are drawn"


def test_kml_colour_is_aabbggrr():
    assert kml_colour("#0072B2") == "ffb27200"
    assert kml_colour("#E69F00", alpha=0x80) == "80009fe6"
    with pytest.raises(ValueError, match="RRGGBB"):
        kml_colour("red")


def test_hostile_text_stays_text_in_kml(hostile: Selection):
    text = kml_document(hostile)
    root = ET.fromstring(text)  # well-formed despite the markup in the data
    assert not [e for e in root.iter() if e.tag.split("}")[-1] in ("img", "script", "b")]
    names = {p.findtext(f"{KML}name") for p in root.iter(f"{KML}Placemark")}
    assert "<img src=x onerror=alert(1)>" in names, "the name reads as written"
    assert "Righttoleft override 🚀 emoji site" in names, "bidirectional overrides dropped"
    balloons = " ".join(p.findtext(f"{KML}description") or "" for p in root.iter(f"{KML}Placemark"))
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in balloons, "balloon HTML keeps it escaped"
    assert "<script>" not in balloons
    assert "<script>" not in text and "<img" not in text


def test_the_csv_has_lat_lon_authorities_and_a_side_file(selection: Selection, tmp_path: Path):
    csv_path, side = write_csv(selection, tmp_path / "sites.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf"), "a BOM, for spreadsheets"
    table = pd.read_csv(csv_path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(table) == len(selection.sites)
    for column in ("lat", "lon", "lad_code", "lad_name", "county_code", "ca_code", "region_code"):
        assert column in table.columns
    expected = selection.sites.set_index("site_id")
    written = table.set_index("site_id").loc[expected.index]
    assert (written["lat"].astype(float) - expected["lat"]).abs().max() < 1e-6
    assert (written["lon"].astype(float) - expected["lon"]).abs().max() < 1e-6
    assert side.name == "sites.csv-metadata.json", "the CSVW name tools look for"
    csvw = json.loads(side.read_text(encoding="utf-8"))
    assert csvw["url"] == "sites.csv"
    assert csvw["schema:version"] == selection.data_version
    metadata = csvw["notes"][0]["mdm:export"]
    assert metadata["data_version"] == selection.data_version
    assert metadata["counts"]["sites"] == len(table)


def test_the_csv_never_hands_a_spreadsheet_a_formula(selection: Selection):
    sites = selection.sites.head(2).copy()
    sites["name"] = ['=HYPERLINK("http://evil.example","x")', "@SUM(A1:A9)"]
    rows = pd.read_csv(
        io.StringIO(sites_csv(Selection(sites=sites))),
        dtype=str,
        keep_default_na=False,
    )
    assert list(rows["name"]) == ['\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1:A9)"]
    assert rows["lon"].astype(float).lt(0).all(), "negative numbers are not touched"


def test_hostile_text_never_becomes_markup_in_the_standalone_page(hostile: Selection):
    chosen = Selection(
        sites=hostile.sites,
        criteria=SiteFilter(text="</script><script>alert(9)</script>"),
        data_version=hostile.data_version,
        boundaries_dir=hostile.boundaries_dir,
    )
    page = standalone.standalone_html(chosen)
    assert "<img src=x onerror=alert(1)>" not in page
    assert "<script>alert(" not in page
    assert "onmouseover=alert(2)>" not in page
    assert "\u202e" not in page
    block = re.search(
        rf'<script type="application/json" id="{standalone.METADATA_ID}">(.*?)</script>', page
    )
    assert block, "the provenance block is one intact script element"
    metadata = json.loads(block.group(1))
    assert metadata["filters"]["query"]["q"] == "</script><script>alert(9)</script>"


# --------------------------------------------------------------------------------------------
# The bid pack


def test_the_bid_pack_holds_every_file(pack: zipfile.ZipFile):
    assert set(pack.namelist()) == set(bidpack.PACK_FILES)
    assert pack.testzip() is None


def test_the_bid_pack_has_the_same_site_count_everywhere(
    pack: zipfile.ZipFile, selection: Selection
):
    count = len(selection.sites)
    sites = json.loads(pack.read("sites.geojson"))
    assert len(sites["features"]) == count == sites["metadata"]["counts"]["sites"]
    table = pd.read_csv(io.BytesIO(pack.read("sites.csv")), encoding="utf-8-sig")
    assert len(table) == count
    assert sorted(table["site_id"]) == sorted(f["id"] for f in sites["features"])
    page = pack.read("map.html").decode("utf-8")
    assert f"Sites ({count})" in page
    readme = pack.read("README.txt").decode("utf-8")
    assert f"Sites: {count}\n" in readme
    image = Image.open(io.BytesIO(pack.read("map.png")))
    assert image.size == (1920, 1080) and f"Sites: {count}." in image.info["Description"]
    areas = json.loads(pack.read("areas.geojson"))
    placed = int((selection.sites["county_code"] != "").sum())
    assert sum(f["properties"]["sites"] for f in areas["features"]) == placed
    corridor = json.loads(pack.read("corridor.geojson"))
    assert {f["properties"]["part"] for f in corridor["features"]} == {"belt", "spine"}
    versions = {
        json.loads(pack.read(name))["metadata"]["data_version"]
        for name in ("sites.geojson", "corridor.geojson", "areas.geojson")
    }
    assert versions == {selection.data_version}


def test_the_readme_says_what_a_bid_needs(pack: zipfile.ZipFile, selection: Selection):
    readme = pack.read("README.txt").decode("utf-8")
    for name in bidpack.PACK_FILES:
        assert name in readme
    assert f"data version {selection.data_version}" in readme
    assert "2026-11-28" in readme
    assert "Open Government Licence" in readme
    assert "ATTRIBUTION (paste this into the bid)" in readme
    assert "python -m mapping.export --format bidpack" in readme
    assert "Local_Authority_Districts_May_2023_UK_BUC" in readme


def test_the_bid_pack_is_written_to_a_path(selection: Selection, tmp_path: Path):
    small = Selection(
        sites=selection.sites.head(5),
        criteria=SiteFilter(kinds=("prime",)),
        data_version=selection.data_version,
        corridor=selection.corridor,
        boundaries_dir=selection.boundaries_dir,
        created=MADE,
    )
    target = tmp_path / bidpack.bid_pack_name(small)
    data = bidpack.build_bid_pack(small, path=target)
    assert target.read_bytes() == data
    assert target.name == "bid-pack_prime_2026-11-28.zip"


def test_the_full_registry_standalone_page_is_under_3_mb(selection: Selection):
    page = standalone.standalone_html(selection)
    assert len(page.encode("utf-8")) < 3_000_000
    assert standalone.external_resources(page) == []


# --------------------------------------------------------------------------------------------
# The command line


def cli(boundaries_dir: Path, *options: str) -> list[str]:
    return [
        "--sites",
        str(settings.SITES_CSV),
        "--boundaries",
        str(boundaries_dir),
        *options,
    ]


@pytest.mark.parametrize(
    "criteria",
    [
        SiteFilter(capabilities=("combat_air", "space")),
        SiteFilter(kinds=("military",), areas=("E10000019",)),
        SiteFilter(capabilities=("cyber_digital",), areas=("E47000007", "E10000034")),
        SiteFilter(text="university"),
    ],
    ids=["capabilities", "kind-and-county", "capability-and-areas", "text"],
)
def test_the_cli_selects_what_select_sites_selects(
    registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path: Path, criteria: SiteFilter
):
    options = [f"--capability={c}" for c in criteria.capabilities]
    options += [f"--kind={k}" for k in criteria.kinds]
    options += [f"--area={a}" for a in criteria.areas]
    if criteria.text:
        options += ["--text", criteria.text]
    out = tmp_path / "sites.geojson"
    assert export.main(cli(boundaries_dir, "--format", "geojson", *options, "-o", str(out))) == 0
    written = json.loads(out.read_text(encoding="utf-8"))
    # without --as-of the command line counts this year, as the app does
    this_year = dataclasses.replace(criteria, as_of=timeline.default_year())
    expected = filters.select_sites(registry, this_year)
    assert sorted(f["id"] for f in written["features"]) == sorted(expected["site_id"])
    assert len(expected) > 0
    assert filters.from_query(written["metadata"]["filters"]["query"]) == this_year
    assert written["metadata"]["as_of"] == timeline.default_year()


def test_the_cli_in_belt_keeps_the_sites_inside_the_belt(
    registry: gpd.GeoDataFrame, boundaries_dir: Path, tmp_path: Path
):
    from layers.corridor import sites_in_corridor

    out = tmp_path / "belt.gpkg"
    argv = cli(boundaries_dir, "--format", "gpkg", "--capability", "cyber_digital", "--in-belt")
    assert export.main([*argv, "-o", str(out)]) == 0
    written = pyogrio.read_dataframe(out, layer="sites")
    corridor = pyogrio.read_dataframe(out, layer="corridor")
    cyber = filters.select_sites(registry, SiteFilter(capabilities=("cyber_digital",)))
    inside = cyber[sites_in_corridor(cyber, corridor)]
    assert sorted(written["site_id"]) == sorted(inside["site_id"])
    assert 0 < len(written) < len(cyber)


def test_in_belt_without_the_corridor_module_exits_with_a_message(
    boundaries_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.setitem(sys.modules, "layers.corridor", None)  # import now fails
    out = tmp_path / "belt.geojson"
    code = export.main(cli(boundaries_dir, "--format", "geojson", "--in-belt", "-o", str(out)))
    assert code == 2
    assert "Defence Belt cannot be computed" in capsys.readouterr().err
    assert not out.exists()


def test_the_cli_gives_the_registry_logger_its_level_back(boundaries_dir: Path, tmp_path: Path):
    # the export hides the registry's warnings while it runs; 'audit' in the same process
    # must still log them afterwards
    registry_logger = logging.getLogger("layers.sites")
    kept = registry_logger.level
    registry_logger.setLevel(logging.INFO)
    try:
        out = tmp_path / "universities.geojson"
        argv = cli(boundaries_dir, "--format", "geojson", "--kind", "university", "-o", str(out))
        assert export.main(argv) == 0
        assert registry_logger.level == logging.INFO
    finally:
        registry_logger.setLevel(kept)


def test_an_unknown_slug_or_code_stops_the_cli_with_a_message(boundaries_dir: Path, tmp_path: Path):
    out = tmp_path / "x.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mapping.export",
            *cli(boundaries_dir, "--format", "csv", "--capability", "combat-air"),
            "--area",
            "E99999999",
            "-o",
            str(out),
        ],
        cwd=settings.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "unknown capability 'combat-air'" in result.stderr
    assert "combat_air" in result.stderr, "the message lists the slugs there are"
    assert "unknown area code 'E99999999'" in result.stderr
    assert not out.exists()


def test_an_unknown_format_is_refused(boundaries_dir: Path, tmp_path: Path, capsys):
    with pytest.raises(SystemExit) as stopped:
        export.main(cli(boundaries_dir, "--format", "shp", "-o", str(tmp_path / "x.shp")))
    assert stopped.value.code == 2
    assert "invalid choice: 'shp'" in capsys.readouterr().err


def test_a_registry_with_problems_stops_the_cli(boundaries_dir: Path, tmp_path: Path, capsys):
    broken = tmp_path / "broken.csv"
    text = (DATA / "hostile_sites.csv").read_text(encoding="utf-8")
    broken.write_text(text.replace("plain-derby,", "plain-derby,,", 1), encoding="utf-8")
    code = export.main(
        [
            "--sites",
            str(broken),
            "--boundaries",
            str(boundaries_dir),
            "--format",
            "csv",
            "-o",
            str(tmp_path / "x.csv"),
        ]
    )
    assert code == 1
    assert "problem" in capsys.readouterr().err


def test_an_empty_selection_makes_a_consistent_bid_pack(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    nothing = make_selection(
        registry, SiteFilter(text="no site is called this"), boundaries_dir=boundaries_dir
    )
    pack = zipfile.ZipFile(io.BytesIO(bidpack.build_bid_pack(nothing)))
    assert set(pack.namelist()) == set(bidpack.PACK_FILES)
    assert json.loads(pack.read("sites.geojson"))["features"] == []
    assert json.loads(pack.read("areas.geojson"))["features"] == []
    assert len(pd.read_csv(io.BytesIO(pack.read("sites.csv")), encoding="utf-8-sig")) == 0
    assert "Sites: 0\n" in pack.read("README.txt").decode("utf-8")


def test_the_command_in_the_metadata_makes_the_same_selection_again(
    registry: gpd.GeoDataFrame, boundaries_dir: Path
):
    criteria = SiteFilter(
        capabilities=("space",), kinds=("research_centre",), text="Leicester's park", in_belt=True
    )
    chosen = make_selection(
        registry, criteria, boundaries_dir=boundaries_dir, width_km=14, data_version="test"
    )
    command = export_metadata(chosen)["filters"]["command"]
    assert "--width-km 14" in command and "--in-belt" in command
    words = shlex.split(command)[3:]  # after "python -m mapping.export"
    parsed = export._parser().parse_args(words)
    assert parsed.text == "Leicester's park" and parsed.width_km == 14.0
    assert parsed.capability == ["space"] and parsed.kind == ["research_centre"]


TELFORD, SHROPSHIRE = "E06000020", "E06000051"
MADE_EXPORTS_FOR_THE_OFFICER = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
DATED = ("status", "opened", "closes", "location_precision")


@pytest.fixture(scope="module")
def officer(registry: gpd.GeoDataFrame, boundaries_dir: Path) -> Selection:
    """Land systems in Telford and Wrekin and Shropshire, this year, as the app selects them."""
    criteria = filters.with_area_names(
        SiteFilter(
            capabilities=("land_systems",),
            areas=(TELFORD, SHROPSHIRE, TELFORD),
            as_of=timeline.default_year(),
        ),
        registry,
    )
    return make_selection(
        registry,
        criteria,
        boundaries_dir=boundaries_dir,
        data_version="testdata",
        created=MADE_EXPORTS_FOR_THE_OFFICER,
    )


def test_the_clive_barracks_row_says_it_is_closing_in_every_format(
    officer: Selection, tmp_path: Path
):
    assert "clive-barracks-tern-hill" in set(officer.sites["site_id"])
    expected = officer.sites.set_index("site_id")[list(DATED)].astype(str)
    geojson = geojson_collections(officer)["sites"]
    for feature in geojson["features"]:
        for column in DATED:
            assert feature["properties"][column] == expected.loc[feature["id"], column]
    table = pd.read_csv(io.StringIO(sites_csv(officer)), dtype=str, keep_default_na=False)
    gpkg = pyogrio.read_dataframe(write_gpkg(officer, tmp_path / "x.gpkg"), layer="sites")
    root = ET.fromstring(kml_document(officer))
    kml_rows = {}
    for placemark in root.iter(f"{KML}Placemark"):
        data = {d.get("name"): d.findtext(f"{KML}value") for d in placemark.iter(f"{KML}Data")}
        if "site_id" in data:
            kml_rows[data["site_id"]] = data
    for rows in (table.set_index("site_id"), gpkg.set_index("site_id").astype(str)):
        for column in DATED:
            assert (rows.loc[expected.index, column].fillna("") == expected[column]).all()
    for site_id, row in expected.iterrows():
        for column in ("status", "opened", "closes"):
            assert (kml_rows[site_id][column] or "") == row[column]
    assert expected.loc["clive-barracks-tern-hill", "status"] == "closing"
    planned = expected.loc[expected["status"] == "planned"]
    assert "rheinmetall-telford-gun-barrels" in planned.index, "the planned factory is marked"


def test_the_location_check_column_is_carried_when_the_registry_has_it(officer: Selection):
    checked = officer.sites.assign(location_check="postcode")
    table = pd.read_csv(
        io.StringIO(sites_csv(Selection(sites=checked))), dtype=str, keep_default_na=False
    )
    assert (table["location_check"] == "postcode").all()


def test_metadata_names_the_areas_once_with_their_codes(officer: Selection):
    metadata = geojson_collections(officer)["sites"]["metadata"]
    assert metadata["areas"] == [
        {"code": TELFORD, "name": "Telford and Wrekin"},
        {"code": SHROPSHIRE, "name": "Shropshire"},
    ]
    assert "Telford and Wrekin, Shropshire" in metadata["title"]
    assert TELFORD not in metadata["title"]
    assert metadata["filters"]["query"]["area"] == f"{TELFORD},{SHROPSHIRE}"
    assert metadata["filters"]["command"].count(TELFORD) == 1
    assert metadata["as_of"] == timeline.default_year()
    root = ET.fromstring(kml_document(officer))
    name = root.find(f"{KML}Document/{KML}name")
    assert name is not None and name.text is not None
    assert "Telford and Wrekin" in name.text and name.text.count("Shropshire") == 1


def test_files_are_named_after_the_selection_and_the_day(officer: Selection):
    assert selection_stem(officer) == "land-systems_telford-and-wrekin+shropshire_2026-12-06"
    assert file_name(officer, "geojson") == (
        "land-systems_telford-and-wrekin+shropshire_2026-12-06.geojson"
    )
    assert file_name(officer, "geojson", layer="areas").endswith("_2026-12-06_areas.geojson")
    everything = Selection(sites=officer.sites.head(0), created=MADE_EXPORTS_FOR_THE_OFFICER)
    assert file_name(everything, "png") == "all-sites_2026-12-06.png"
    long = Selection(
        sites=officer.sites.head(0),
        criteria=SiteFilter(capabilities=tuple(filters.vocabulary.CAPABILITIES)),
        created=MADE_EXPORTS_FOR_THE_OFFICER,
    )
    assert len(selection_stem(long)) <= 80 + len("_2026-12-06")


def test_the_csv_has_its_attribution_and_version_in_a_csvw_file(officer: Selection, tmp_path: Path):
    csv_path, side = write_csv(officer, tmp_path / "land.csv")
    assert side == csv_side_file(csv_path) and side.name == "land.csv-metadata.json"
    described = json.loads(side.read_text(encoding="utf-8"))
    assert described["@context"][0] == "http://www.w3.org/ns/csvw"
    assert described["url"] == "land.csv"
    assert described["schema:version"] == "testdata"
    assert "Office for National Statistics" in described["dc:rights"]
    assert described["dc:spatial"] == ["Telford and Wrekin (E06000020)", "Shropshire (E06000051)"]
    header = next(csv.reader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
    assert [c["name"] for c in described["tableSchema"]["columns"]] == header
    types = {c["name"]: c["datatype"] for c in described["tableSchema"]["columns"]}
    assert types["lat"] == "number" and types["cap_space"] == "boolean"
    assert types["status"] == "string"
    assert csvw_metadata(officer, "x.csv")["url"] == "x.csv"


def test_the_slide_subtitle_stays_on_the_slide(officer: Selection):
    long = Selection(
        sites=officer.sites,
        criteria=SiteFilter(
            capabilities=tuple(filters.vocabulary.CAPABILITIES)[:8], text="x" * 40, as_of=2026
        ),
        data_version="testdata",
        boundaries_dir=officer.boundaries_dir,
        created=MADE_EXPORTS_FOR_THE_OFFICER,
    )
    figure = slides.slide_figure(long, title="A title far too long for one line " * 4)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width = figure.bbox.width
    texts = [t for t in figure.texts if t.get_text()]
    assert len(texts) >= 3
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width, text.get_text()[:60]


def cli_exports_for_the_officer(boundaries_dir: Path, *options: str) -> list[str]:
    return ["--sites", str(settings.SITES_CSV), "--boundaries", str(boundaries_dir), *options]


def test_the_cli_and_the_app_agree_on_the_same_link(
    officer: Selection, boundaries_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "cli.geojson"
    argv = cli_exports_for_the_officer(
        boundaries_dir,
        "--format=geojson",
        "--capability=land_systems",
        "--area=telford and wrekin",
        "--area=SHROPSHIRE",
        "-o",
        str(out),
    )
    assert export.main(argv) == 0
    printed = capsys.readouterr()
    assert "warning" not in (printed.out + printed.err).lower(), "warnings are for validate"
    written = json.loads(out.read_text(encoding="utf-8"))
    ids = sorted(f["id"] for f in written["features"])
    assert ids == sorted(officer.sites["site_id"])
    assert written["metadata"]["as_of"] == timeline.default_year()
    assert written["metadata"]["filters"]["query"] == filters.to_query(officer.criteria)
    statuses = {f["id"]: f["properties"]["status"] for f in written["features"]}
    assert statuses["rheinmetall-telford-gun-barrels"] == "planned"


def test_an_unknown_area_name_gets_a_suggestion(
    boundaries_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    argv = cli_exports_for_the_officer(
        boundaries_dir, "--format=csv", "--area=Shrop", "-o", str(tmp_path / "x.csv")
    )
    assert export.main(argv) == 2
    err = capsys.readouterr().err
    assert "no area is called 'Shrop'; did you mean 'Shropshire' (E06000051)" in err
    assert not (tmp_path / "x.csv").exists()


def test_the_cli_can_leave_planned_sites_out(
    officer: Selection, boundaries_dir: Path, tmp_path: Path
):
    out = tmp_path / "no-planned.csv"
    argv = cli_exports_for_the_officer(
        boundaries_dir,
        "--format=csv",
        "--capability=land_systems",
        f"--area={TELFORD}",
        f"--area={SHROPSHIRE}",
        "--no-planned",
        "-o",
        str(out),
    )
    assert export.main(argv) == 0
    table = pd.read_csv(out, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert "planned" not in set(table["status"])
    assert len(table) == (officer.sites["status"] != "planned").sum()


def test_the_gpkg_metadata_table_carries_the_area_names(officer: Selection, tmp_path: Path):
    path = write_gpkg(officer, tmp_path / "m.gpkg")
    with sqlite3.connect(path) as db:
        rows = dict(db.execute("select key, value from metadata").fetchall())
    assert json.loads(rows["areas"])[0] == {"code": TELFORD, "name": "Telford and Wrekin"}
    assert rows["as_of"] == str(timeline.default_year())


def test_the_slide_is_fitted_to_the_chosen_areas_and_outlines_them(officer: Selection):
    figure = slides.slide_figure(officer)
    axes = figure.axes[0]
    shapes = filters.area_shapes(officer.criteria.areas, directory=officer.boundaries_dir)
    west, south, east, north = shapes.to_crs(settings.CRS_METRIC).total_bounds
    (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
    assert x0 < west and east < x1 and y0 < south and north < y1, "the areas are in frame"
    # fitted: the frame is at most the areas' extent and a margin, on its longer side
    assert (y1 - y0) < (north - south) + 2 * slides.FOCUS_MARGIN_M + 1
    outlined = [
        c
        for c in axes.collections
        if c.get_linewidth()[0] == 2.6 and len(c.get_paths()) >= len(shapes)
    ]
    assert outlined, "the chosen areas are outlined"
    labels = {t.get_text() for t in axes.texts}
    assert {"Telford and Wrekin", "Shropshire"} <= labels
    # without areas the slide keeps the whole Midlands
    whole = slides.slide_figure(
        Selection(sites=officer.sites, boundaries_dir=officer.boundaries_dir)
    )
    (wx0, wx1), _ = whole.axes[0].get_xlim(), whole.axes[0].get_ylim()
    assert (wx1 - wx0) > 2 * (x1 - x0)
