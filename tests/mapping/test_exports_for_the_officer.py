"""What the officer attaches to a bid: every export carries status and dates, names the areas,
is named after the selection, and the command line agrees with the app."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

import settings
from layers import filters, timeline
from layers.filters import SiteFilter
from layers.selection import Selection, make_selection
from mapping import export, slides
from mapping.exports.csv_table import csv_side_file, csvw_metadata, sites_csv, write_csv
from mapping.exports.geojson import geojson_collections
from mapping.exports.geopackage import write_gpkg
from mapping.exports.kml import kml_document
from mapping.exports.names import file_name, selection_stem

TELFORD, SHROPSHIRE = "E06000020", "E06000051"
MADE = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
DATED = ("status", "opened", "closes", "location_precision")
KML = "{http://www.opengis.net/kml/2.2}"


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
        registry, criteria, boundaries_dir=boundaries_dir, data_version="testdata", created=MADE
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
    everything = Selection(sites=officer.sites.head(0), created=MADE)
    assert file_name(everything, "png") == "all-sites_2026-12-06.png"
    long = Selection(
        sites=officer.sites.head(0),
        criteria=SiteFilter(capabilities=tuple(filters.vocabulary.CAPABILITIES)),
        created=MADE,
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
        created=MADE,
    )
    figure = slides.slide_figure(long, title="A title far too long for one line " * 4)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    width = figure.bbox.width
    texts = [t for t in figure.texts if t.get_text()]
    assert len(texts) >= 3
    for text in texts:
        box = text.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width, text.get_text()[:60]


def cli(boundaries_dir: Path, *options: str) -> list[str]:
    return ["--sites", str(settings.SITES_CSV), "--boundaries", str(boundaries_dir), *options]


def test_the_cli_and_the_app_agree_on_the_same_link(
    officer: Selection, boundaries_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "cli.geojson"
    argv = cli(
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
    argv = cli(boundaries_dir, "--format=csv", "--area=Shrop", "-o", str(tmp_path / "x.csv"))
    assert export.main(argv) == 2
    err = capsys.readouterr().err
    assert "no area is called 'Shrop'; did you mean 'Shropshire' (E06000051)" in err
    assert not (tmp_path / "x.csv").exists()


def test_the_cli_can_leave_planned_sites_out(
    officer: Selection, boundaries_dir: Path, tmp_path: Path
):
    out = tmp_path / "no-planned.csv"
    argv = cli(
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
