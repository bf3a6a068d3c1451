"""User uploads: every malformed input class gives a clear per-row message and keeps good rows."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from layers import uploads
from layers.sites import load_sites
from layers.uploads import UploadProblem, problems_csv, read_table, read_user_sites

UPLOADS = Path(__file__).parents[1] / "data" / "uploads"


def read(
    source: str | bytes, boundaries_dir: Path, **options: object
) -> tuple[gpd.GeoDataFrame, list[UploadProblem]]:
    file = UPLOADS / source if isinstance(source, str) else source
    return read_user_sites(file, boundaries_dir=boundaries_dir, **options)  # type: ignore[arg-type]


def kept_rows(sites: gpd.GeoDataFrame) -> list[int]:
    return [int(s.removeprefix("upload-")) for s in sites["site_id"]]


def errors(problems: list[UploadProblem]) -> dict[int, list[UploadProblem]]:
    found: dict[int, list[UploadProblem]] = {}
    for problem in problems:
        if not problem.kept:
            found.setdefault(problem.row, []).append(problem)
    return found


def notes(problems: list[UploadProblem], row: int) -> list[str]:
    return [str(p) for p in problems if p.kept and p.row == row]


def only_error(problems: list[UploadProblem], row: int) -> UploadProblem:
    found = errors(problems).get(row, [])
    assert len(found) == 1, found
    return found[0]


def parse_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# --------------------------------------------------------------------------------------------
# One file per malformed input class


def test_wrong_types_are_named_by_row_and_field_and_the_good_rows_kept(boundaries_dir: Path):
    sites, problems = read("wrong_types.csv", boundaries_dir)
    assert list(sites["name"]) == ["Good Works", "Numeric Kind"]
    assert set(errors(problems)) == {3, 4, 6}
    assert str(only_error(problems, 3)) == (
        "row 3: lat 'fifty-two' is not a number; give decimal degrees (e.g. 52.4862)"
    )
    assert only_error(problems, 4).field == "lon" and only_error(problems, 4).value == "TRUE"
    assert "is not a finite number" in only_error(problems, 6).message
    numeric = sites.set_index("name").loc["Numeric Kind"]
    assert numeric["kind"] == "supplier" and numeric["capabilities"] == []
    assert numeric["source_url"] == "" and numeric["last_checked"] == ""
    row5 = notes(problems, 5)
    assert any("kind 5 is not a known value" in n and "shown as 'supplier'" in n for n in row5)
    assert any("capabilities 123 is not a known value" in n for n in row5)
    assert any("'ftp://example.org/file' is not an http(s) address" in n for n in row5)
    assert any("'yesterday' is not an ISO date" in n for n in row5)
    good = sites.set_index("name").loc["Good Works"]
    assert good["last_checked"] == "2025-06-01" and good["source_url"].startswith("https://")


def test_a_file_without_coordinate_columns_is_refused_and_given_back(boundaries_dir: Path):
    sites, problems = read("missing_coordinates.csv", boundaries_dir)
    assert sites.empty
    [problem] = problems
    assert problem.row == uploads.WHOLE_FILE and not problem.kept
    assert str(problem).startswith(
        "header 'name, organisation, town' has no coordinate or postcode columns"
    )
    assert "lat and lon" in problem.message and "easting and northing" in problem.message
    back = parse_csv(problems_csv(read_table(UPLOADS / "missing_coordinates.csv"), problems))
    assert [r["name"] for r in back] == ["Alpha Works", "Beta Works"]
    assert all("no coordinate or postcode columns" in r["problem"] for r in back)


def test_missing_optional_columns_get_defaults_and_say_so(boundaries_dir: Path):
    sites, problems = read("missing_optional.csv", boundaries_dir)
    assert list(sites["name"]) == ["Alpha Works", "Beta Works"]
    assert set(sites["kind"]) == {"supplier"}
    assert set(sites["location_precision"]) == {"site"}
    assert all(caps == [] for caps in sites["capabilities"])
    header = [str(p) for p in problems if p.row == uploads.WHOLE_FILE]
    assert all(p.kept for p in problems)
    assert any("no kind column; every site is shown as 'supplier'" in h for h in header)
    assert any("no capabilities column" in h for h in header)
    assert any("no location precision column" in h for h in header)


@pytest.mark.parametrize("content", [b"", b"  \r\n\n \t"])
def test_an_empty_file_is_refused(boundaries_dir: Path, content: bytes):
    sites, problems = read(content, boundaries_dir, name="empty.csv")
    assert sites.empty
    assert [str(p) for p in problems] == [
        "file 'empty.csv' is empty: it has no header and no rows; choose the file with the sites"
    ]
    assert read("empty.csv", boundaries_dir)[1] == problems


def test_a_file_with_only_a_header_says_it_has_no_rows(boundaries_dir: Path):
    sites, problems = read("only_headers.csv", boundaries_dir)
    assert sites.empty
    [problem] = problems
    assert not problem.kept and "has a header but no rows of sites" in problem.message


def test_a_windows_1252_file_is_read_and_noted(boundaries_dir: Path):
    sites, problems = read("cp1252.csv", boundaries_dir)
    assert list(sites["name"]) == ["Café Works", "Plain Works"]
    assert sites["organisation"].iloc[0] == "Société Générale Défense"
    assert any("read as Windows-1252" in str(p) for p in problems if p.row == 0)


def test_mixed_encodings_are_read_row_by_row(boundaries_dir: Path):
    sites, problems = read("mixed_encoding.csv", boundaries_dir)
    assert list(sites["name"]) == ["Zoë Works", "Café Works", "Plain Works"]
    assert [p.row for p in problems if p.field == "encoding"] == [3]
    assert "read as Windows-1252" in notes(problems, 3)[0]


def test_a_byte_order_mark_is_not_part_of_the_first_column(boundaries_dir: Path):
    table = read_table(UPLOADS / "utf8_bom.csv")
    assert table.header == ["name", "lat", "lon"]
    sites, _ = read("utf8_bom.csv", boundaries_dir)
    assert list(sites["name"]) == ["BOM Works"]


def test_utf16_tab_separated_text_from_excel_is_read(boundaries_dir: Path):
    text = "Name\tLatitude\tLongitude\r\nÉcole Works\t52.4862\t-1.8904\r\n"
    sites, problems = read(text.encode("utf-16"), boundaries_dir, name="export.txt")
    assert list(sites["name"]) == ["École Works"]
    assert not errors(problems)


def test_semicolons_and_decimal_commas(boundaries_dir: Path):
    table = read_table(UPLOADS / "semicolon.csv")
    assert table.header == ["Name", "Organisation", "Latitude", "Longitude", "Description"]
    sites, problems = read("semicolon.csv", boundaries_dir)
    assert not errors(problems)
    derby = sites.set_index("name").loc["Derby Works"]
    assert (derby["lat"], derby["lon"]) == (52.9225, -1.4746)
    assert derby["description"] == "Engines, gearboxes and parts"


def test_quoted_newlines_stay_in_one_row_numbered_as_a_spreadsheet_would(boundaries_dir: Path):
    sites, problems = read("quoted_newlines.csv", boundaries_dir)
    assert list(sites["name"]) == ["Multi Line Works", "After Works"]
    assert kept_rows(sites) == [2, 3]
    assert sites["description"].iloc[0] == "First line second line, with a comma"
    assert str(only_error(problems, 4)).startswith("row 4: lat/lon are empty")


def test_swapped_coordinates_are_swapped_back_and_said(boundaries_dir: Path):
    sites, problems = read("swapped.csv", boundaries_dir)
    swapped = sites.set_index("name").loc["Swapped Round"]
    assert (swapped["lat"], swapped["lon"]) == (52.9225, -1.4746)
    assert swapped["lad_name"] == "Derby"
    assert not errors(problems)
    [note] = notes(problems, 3)
    assert "look swapped" in note and "'-1.4746, 52.9225'" in note
    assert notes(problems, 2) == []


def test_british_national_grid_coordinates(boundaries_dir: Path):
    sites, problems = read("bng.csv", boundaries_dir)
    placed = sites.set_index("name")
    assert list(placed.index) == ["Birmingham Grid", "Derby Grid"]
    assert placed.loc["Birmingham Grid", "lat"] == pytest.approx(52.4862, abs=1e-4)
    assert placed.loc["Birmingham Grid", "lon"] == pytest.approx(-1.8904, abs=1e-4)
    assert placed.loc["Derby Grid", "lad_name"] == "Derby"  # "435,421": thousands separators
    assert "outside the British National Grid" in only_error(problems, 4).message
    assert "outside the United Kingdom" in only_error(problems, 5).message
    assert only_error(problems, 5).field == "Easting/Northing"


def test_points_outside_the_uk_are_left_out_with_the_reason(boundaries_dir: Path):
    sites, problems = read("outside_uk.csv", boundaries_dir)
    assert list(sites["name"]) == ["Birmingham Works", "Edinburgh Works"]
    for row in (3, 4, 5):  # Paris, Dublin, (0, 0)
        assert "outside the United Kingdom" in only_error(problems, row).message
    assert "outside -90..90" in only_error(problems, 6).message
    edinburgh = sites.set_index("name").loc["Edinburgh Works"]
    assert edinburgh["lad_code"] == "" and edinburgh["region_code"] == ""
    assert "outside the Midlands" in notes(problems, 7)[0]


def test_duplicates_of_registry_sites_are_flagged_not_merged(boundaries_dir: Path):
    registry = load_sites(UPLOADS / "registry_small.csv", boundaries_dir=boundaries_dir)
    sites, problems = read("duplicates.csv", boundaries_dir, registry=registry)
    assert len(sites) == 4, "flagged duplicates are kept as uploads"
    assert not set(sites["site_id"]) & set(registry["site_id"])
    flagged = {p.row: p for p in problems if "also the name of registry site" in p.message}
    assert set(flagged) == {2, 5}  # same name within 250 m, whatever the case and spacing
    assert "'derby-aero-works', 75 m away" in flagged[2].message
    assert "'lincoln-radar-centre'" in flagged[5].message
    _, without = read("duplicates.csv", boundaries_dir)
    assert not any("registry site" in p.message for p in without)


def test_a_nearer_site_of_another_name_does_not_hide_a_duplicate(boundaries_dir: Path):
    # Derby, in metres: Alpha Works at the origin, Beta Works 100 m east of it
    east, north = 435_000.0, 336_000.0
    registry = gpd.GeoDataFrame(
        {"site_id": ["alpha", "beta"], "name": ["Alpha Works", "Beta Works"]},
        geometry=gpd.points_from_xy([east, east + 100], [north, north]),
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    uploaded = gpd.GeoSeries(
        gpd.points_from_xy([east + 10, east + 400], [north, north]), crs="EPSG:27700"
    ).to_crs("EPSG:4326")
    data = "name,lat,lon\n" + "".join(
        f"{name},{point.y:.7f},{point.x:.7f}\n"
        for name, point in zip(["beta  works", "Alpha Works"], uploaded, strict=True)
    )
    sites, problems = read(data.encode(), boundaries_dir, name="near.csv", registry=registry)
    assert len(sites) == 2
    flagged = [p for p in problems if "also the name of registry site" in p.message]
    assert [(p.row, p.value) for p in flagged] == [(2, "beta works")]
    assert "'beta', 90 m away" in flagged[0].message, "Alpha is nearer, but Beta is the namesake"


def test_a_row_with_more_cells_than_the_header_is_left_out(boundaries_dir: Path):
    sites, problems = read("misaligned.csv", boundaries_dir)
    assert list(sites["name"]) == ["Good Works"]
    problem = only_error(problems, 3)
    assert problem.field == "extra cells" and "put quotes around" in problem.message
    back = parse_csv(problems_csv(read_table(UPLOADS / "misaligned.csv"), problems))
    assert back[0]["name"] == "Smith" and back[0][uploads.EXTRA_COLUMN] == "Derby"


def test_an_unclosed_quote_is_named_with_the_lines_it_swallowed(boundaries_dir: Path):
    sites, problems = read("unclosed_quote.csv", boundaries_dir)
    assert list(sites["name"]) == ["Good Works"]
    assert "lines 3 to 4 were read as this one row" in only_error(problems, 3).message
    back = parse_csv(problems_csv(read_table(UPLOADS / "unclosed_quote.csv"), problems))
    assert "Swallowed Works" in back[0]["name"], "the swallowed rows are given back"


def test_an_excel_workbook(boundaries_dir: Path):
    table = read_table(UPLOADS / "sites.xlsx")
    assert table.format == "xlsx"
    assert table.header[:3] == ["Company", "Site Name", "Type"]
    sites, problems = read("sites.xlsx", boundaries_dir)
    assert kept_rows(sites) == [4, 5]  # spreadsheet rows, title and blank rows counted
    excel = sites.set_index("site_id").loc["upload-4"]
    assert excel["name"] == "Excel Works" and excel["organisation"] == "Excel Ltd"
    assert excel["kind"] == "university"  # the label, read as its slug
    assert excel["capabilities"] == ["space", "quantum"]
    assert excel["last_checked"] == "2025-06-01"  # an Excel date
    assert sites.set_index("site_id").loc["upload-5", "name"] == "12345"
    assert {p.field for p in errors(problems)[7]} == {"Lat", "Long"}
    file_notes = " ".join(str(p) for p in problems if p.row == 0)
    assert "only the first, 'Sites', was read" in file_notes
    assert "read as a title and skipped: 'Supplier list (test fixture)'" in file_notes


def test_a_geojson_file_of_points(boundaries_dir: Path):
    sites, problems = read("sites.geojson", boundaries_dir)
    assert kept_rows(sites) == [1, 4]
    first = sites.iloc[0]
    assert (first["lat"], first["lon"]) == (52.4862, -1.8904)
    assert first["capabilities"] == ["space", "quantum"]  # a JSON list
    assert first["kind"] == "university"
    assert sites["name"].iloc[1] == "Nameless Ltd"
    assert "organisation is used as the name" in " ".join(notes(problems, 4))
    assert "are empty" in only_error(problems, 2).message  # null geometry
    assert only_error(problems, 3).field == "geometry"  # a polygon
    assert "outside the United Kingdom" in only_error(problems, 5).message
    assert {p.field for p in errors(problems)[6]} == {"geometry latitude", "geometry longitude"}


def test_a_geojson_file_in_british_national_grid(boundaries_dir: Path):
    sites, problems = read("sites_bng.geojson", boundaries_dir)
    assert not errors(problems)
    derby = sites.iloc[0]
    assert derby["lad_name"] == "Derby" and derby["kind"] == "prime"
    assert derby["lat"] == pytest.approx(52.9225, abs=1e-4)


@pytest.mark.parametrize(
    "document",
    [b"{not json", b"[1, 2, 3]", b'{"type": "Point", "coordinates": [0, 0]}', b"[" * 100_000],
)
def test_json_that_is_not_a_feature_collection_is_refused(boundaries_dir: Path, document: bytes):
    sites, problems = read(document, boundaries_dir, name="sites.geojson")
    assert sites.empty
    [problem] = problems
    assert not problem.kept and "GeoJSON" in problem.message


def test_a_damaged_workbook_is_refused_with_advice(boundaries_dir: Path):
    data = (UPLOADS / "sites.xlsx").read_bytes()
    sites, problems = read(data[: len(data) // 2], boundaries_dir, name="sites.xlsx")
    assert sites.empty
    [problem] = problems
    assert "Excel workbook" in problem.message and "save it" in problem.message


def test_an_old_excel_file_is_refused_with_advice(boundaries_dir: Path):
    sites, problems = read(b"\xd0\xcf\x11\xe0rest", boundaries_dir, name="sites.xls")
    assert sites.empty
    assert "save it as CSV (UTF-8), Excel .xlsx or GeoJSON" in problems[0].message


# --------------------------------------------------------------------------------------------
# Limits


def test_200001_rows_are_refused_with_the_limit_and_what_to_do(boundaries_dir: Path):
    lines = ["name,lat,lon"] + [f"Site {i},52.5,-1.5" for i in range(200_001)]
    data = ("\n".join(lines) + "\n").encode()
    assert len(data) < uploads.MAX_FILE_BYTES, "the row limit, not the size limit, applies"
    sites, problems = read(data, boundaries_dir, name="big.csv")
    assert sites.empty
    [problem] = problems
    assert not problem.kept
    assert "more than 200,000 rows" in problem.message and "split it" in problem.message


def test_the_row_limit_is_exact(boundaries_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(uploads.limits, "MAX_ROWS", 3)
    rows = "".join(f"Site {i},52.5,-1.5\n" for i in range(3))
    at_limit, _ = read(f"name,lat,lon\n{rows}".encode(), boundaries_dir, name="a.csv")
    assert len(at_limit) == 3
    over, problems = read(f"name,lat,lon\n{rows}Four,52.5,-1.5\n".encode(), boundaries_dir)
    assert over.empty and "more than 3 rows" in problems[0].message
    features = ",".join(
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[-1.5,52.5]},'
        '"properties":{"name":"x"}}'
        for _ in range(4)
    )
    collection = f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()
    geo, problems = read(collection, boundaries_dir, name="a.geojson")
    assert geo.empty and "more than 3 rows" in problems[0].message


def test_too_many_columns_are_refused(boundaries_dir: Path):
    header = ["name", "lat", "lon", *[f"extra {i}" for i in range(197)]]
    row = ["Wide Works", "52.5", "-1.5", *[""] * 197]
    fits = "\n".join(",".join(r) for r in (header, row)).encode()
    assert len(read(fits, boundaries_dir, name="wide.csv")[0]) == 1
    wider = "\n".join(",".join(r) for r in ([*header, "one more"], [*row, ""])).encode()
    sites, problems = read(wider, boundaries_dir, name="wider.csv")
    assert sites.empty
    assert "201 columns; the limit is 200" in problems[0].message


def test_a_file_over_25_mb_is_refused_without_being_read(tmp_path: Path, boundaries_dir: Path):
    big = tmp_path / "huge.csv"
    with open(big, "wb") as handle:
        handle.truncate(uploads.MAX_FILE_BYTES + 1)
    for source in (big, io.BytesIO(big.read_bytes())):
        sites, problems = read_user_sites(source, boundaries_dir=boundaries_dir)
        assert sites.empty
        assert "larger than 25 MB, the upload limit" in problems[0].message


def test_a_zip_bomb_workbook_is_refused(boundaries_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(uploads.limits, "MAX_UNPACKED_BYTES", 1000)
    sites, problems = read("sites.xlsx", boundaries_dir)
    assert sites.empty and "would unpack to" in problems[0].message


def test_excel_xml_is_parsed_through_defusedxml():
    import openpyxl.xml
    import openpyxl.xml.functions

    assert openpyxl.xml.DEFUSEDXML is True, "pip install -r requirements.txt (defusedxml)"
    assert openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")
    assert openpyxl.xml.functions.fromstring.__module__.startswith("defusedxml")


def workbook_with_sheet_xml(tmp_path: Path, rewrite: Callable[[str], str]) -> bytes:
    """Return a real .xlsx of two sites whose first sheet's XML ``rewrite`` has changed."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["name", "lat", "lon"])
    sheet.append(["Derby Works", 52.9225, -1.4746])
    sheet.append(["Coventry Works", 52.4068, -1.5197])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = rewrite(content.decode("utf-8")).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def with_doctype(xml: str, doctype: str, cell_text: str) -> str:
    """Put ``doctype`` before the sheet's root element and ``cell_text`` in cell A2."""
    assert "<t>Derby Works</t>" in xml
    root = xml.index("<worksheet")
    body = xml[root:].replace("<t>Derby Works</t>", f"<t>{cell_text}</t>", 1)
    return f"{xml[:root]}{doctype}{body}"


def test_an_xml_bomb_workbook_is_refused_quickly(tmp_path: Path, boundaries_dir: Path):
    laughs = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(laughs)}]>"
    bomb = workbook_with_sheet_xml(tmp_path, lambda xml: with_doctype(xml, doctype, "&lol9;"))
    started = time.perf_counter()
    sites, problems = read(bomb, boundaries_dir, name="bomb.xlsx")
    assert time.perf_counter() - started < 5, "the entities were never expanded"
    assert sites.empty
    [problem] = [p for p in problems if not p.kept]
    assert problem.row == uploads.WHOLE_FILE and "declares entities" in problem.message
    assert "EntitiesForbidden" in problem.message


def test_an_external_entity_in_a_workbook_never_reads_the_file(
    tmp_path: Path, boundaries_dir: Path
):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    doctype = f'<!DOCTYPE worksheet [<!ENTITY leak SYSTEM "{secret.as_uri()}">]>'
    hostile = workbook_with_sheet_xml(tmp_path, lambda xml: with_doctype(xml, doctype, "&leak;"))
    sites, problems = read(hostile, boundaries_dir, name="leak.xlsx")
    assert sites.empty and not any(p.kept for p in problems if p.row == uploads.WHOLE_FILE)
    everything = " ".join(str(p) for p in problems) + sites.to_json()
    assert "TOP-SECRET" not in everything
    # the same workbook without the DOCTYPE is read: the refusal is about the XML alone
    plain = workbook_with_sheet_xml(tmp_path, lambda xml: xml)
    sites, _ = read(plain, boundaries_dir, name="plain.xlsx")
    assert list(sites["name"]) == ["Derby Works", "Coventry Works"]


# --------------------------------------------------------------------------------------------
# Columns, inputs and output


def test_columns_are_suggested_and_ambiguous_ones_listed():
    header = ["Name", "Site", "Company", "Town", "City", "Lat", "Lng", "Postcode", "Notes"]
    suggested = uploads.suggest_column_map(header)
    assert suggested == {
        "name": "Name",
        "organisation": "Company",
        "town": "Town",
        "lat": "Lat",
        "lon": "Lng",
        "postcode": "Postcode",
        "description": "Notes",
    }
    assert uploads.ambiguous_columns(header) == {"name": ["Name", "Site"], "town": ["Town", "City"]}


def test_the_column_map_overrides_the_suggestion(boundaries_dir: Path):
    data = b"Name,Site,X,Y\nWrong Name,Right Site,52.9225,-1.4746\n"
    refused, problems = read(data, boundaries_dir, name="xy.csv")
    assert refused.empty and "no coordinate or postcode columns" in problems[0].message
    chosen = {"name": "Site", "lat": "X", "lon": "Y"}
    sites, _ = read(data, boundaries_dir, name="xy.csv", column_map=chosen)
    assert list(sites["name"]) == ["Right Site"] and sites["lad_name"].iloc[0] == "Derby"
    unmapped, problems = read(data, boundaries_dir, column_map={**chosen, "name": None})
    assert list(unmapped["name"]) == [], "no name and no organisation"
    assert "give the site a name" in only_error(problems, 2).message
    for bad, words in (({"lat": "Latitude"}, "not in the file"), ({"height": "X"}, "not a field")):
        sites, problems = read(data, boundaries_dir, column_map=bad)
        assert sites.empty and words in problems[0].message


def test_labels_and_loose_spellings_are_accepted_and_typos_get_a_suggestion(
    boundaries_dir: Path,
):
    data = (
        "name,kind,capabilities,lat,lon,precision\n"
        'Loose,Research Centre,"Cyber, digital and secure communications; SPACE|land-systems",'
        "52.4862N,1.8904W,Town centre only\n"
        "Typo,prime,spcae,52°,-1.5,exact\n"
    ).encode()
    sites, problems = read(data, boundaries_dir, name="loose.csv")
    loose = sites.set_index("name").loc["Loose"]
    assert loose["kind"] == "research_centre"
    assert loose["capabilities"] == ["cyber_digital", "space", "land_systems"]
    assert (loose["lat"], loose["lon"]) == (52.4862, -1.8904)
    assert loose["location_precision"] == "town"
    typo = notes(problems, 3)
    assert any("'spcae' is not a known value; did you mean 'space'?" in n for n in typo)
    assert any("'exact' is not a known value" in n and "taken as 'site'" in n for n in typo)


def test_text_is_cleaned_and_cut_and_says_so(boundaries_dir: Path):
    long_name = "N" * 250
    data = f"name,description,lat,lon\n{long_name},a\x00b\x07c,52.5,-1.5\n".encode()
    sites, problems = read(data, boundaries_dir, name="text.csv")
    site = sites.iloc[0]
    assert len(site["name"]) == 200 and site["name"].endswith("…")
    assert site["description"] == "a b c"
    messages = " ".join(notes(problems, 2))
    assert "cut to the registry's limit of 200" in messages
    assert "NUL or control characters; they were removed" in messages


def test_a_title_row_above_a_csv_header_is_skipped(boundaries_dir: Path):
    data = b"Members of the cluster\n\nname,lat,lon\nTitled Works,52.5,-1.5\n"
    sites, problems = read(data, boundaries_dir, name="titled.csv")
    assert kept_rows(sites) == [4]
    assert "read as a title and skipped: 'Members of the cluster'" in str(problems[0])


def test_paths_bytes_file_objects_and_tables_give_the_same_sites(boundaries_dir: Path):
    path = UPLOADS / "wrong_types.csv"

    class Uploaded(io.BytesIO):  # what Streamlit's UploadedFile looks like to the reader
        name = "wrong_types.csv"

    uploaded = Uploaded(path.read_bytes())
    uploaded.seek(10)  # the reader starts from the beginning
    results = [
        read_user_sites(source, boundaries_dir=boundaries_dir)
        for source in (path, str(path), path.read_bytes(), uploaded, read_table(path))
    ]
    first_sites, first_problems = results[0]
    for sites, problems in results[1:]:
        pd.testing.assert_frame_equal(pd.DataFrame(sites), pd.DataFrame(first_sites))
        assert problems == first_problems
    with pytest.raises(TypeError, match="path, bytes or a binary file"):
        read_user_sites(42, boundaries_dir=boundaries_dir)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        read_user_sites(UPLOADS / "missing.csv", boundaries_dir=boundaries_dir)


def test_uploaded_sites_have_the_registry_columns(registry, boundaries_dir: Path):
    sites, _ = read("wrong_types.csv", boundaries_dir)
    assert list(sites.columns) == list(registry.columns)
    assert sites.crs == registry.crs
    assert list(sites["site_id"]) == ["upload-2", "upload-5"]
    assert list(sites["location_source"]) == ["", ""]
    assert sites.loc[0, "lad_name"] == "Birmingham" and sites.loc[0, "ca_code"] == "E47000007"
    assert sites.geometry.iloc[0].x == pytest.approx(sites["lon"].iloc[0], abs=1e-7)
    both = pd.concat([registry, sites], ignore_index=True)
    assert both["site_id"].is_unique
    empty, _ = read("empty.csv", boundaries_dir)
    assert list(empty.columns) == list(registry.columns) and empty.crs == registry.crs


def test_the_problems_csv_gives_back_every_bad_row_to_fix_and_upload_again(
    boundaries_dir: Path,
):
    table = read_table(UPLOADS / "wrong_types.csv")
    sites, problems = read_user_sites(table, boundaries_dir=boundaries_dir)
    data = problems_csv(table, problems)
    assert data.startswith(b"\xef\xbb\xbf"), "a byte-order mark, so Excel reads it as UTF-8"
    back = parse_csv(data)
    assert [r["row"] for r in back] == ["3", "4", "6"]
    assert list(back[0]) == ["row", *table.header, "problem"]
    assert back[0]["lat"] == "fifty-two" and back[0]["name"] == "Text Latitude"
    assert (
        back[0]["problem"] == "lat 'fifty-two' is not a number; give decimal degrees (e.g. 52.4862)"
    )
    with_notes = parse_csv(problems_csv(table, problems, include_kept=True))
    assert [r["row"] for r in with_notes] == ["3", "4", "5", "6"]
    fixed = data.replace(b"fifty-two", b"52.5").replace(b",TRUE,", b",-1.5,")
    again, again_problems = read(fixed, boundaries_dir, name="fixed.csv")
    assert list(again["name"]) == ["Text Latitude", "Boolean Longitude"]
    assert set(errors(again_problems)) == {4}, "only the infinite latitude is still wrong"
    assert len(sites) + len(again) == 4


def test_the_problems_csv_of_a_refused_file_says_why_even_with_no_rows():
    table = read_table(b"", name="empty.csv")
    back = parse_csv(problems_csv(table, table.problems))
    assert back == [{"row": "0", "problem": f"file 'empty.csv' {table.problems[0].message}"}]


def test_the_command_line_lists_problems_and_writes_the_csv(
    tmp_path: Path, boundaries_dir: Path, capsys: pytest.CaptureFixture[str]
):
    out = tmp_path / "problems.csv"
    code = uploads.main(
        [
            str(UPLOADS / "wrong_types.csv"),
            "--problems",
            str(out),
            "--boundaries",
            str(boundaries_dir),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 1
    assert "error row 3: lat 'fifty-two' is not a number" in printed
    assert "2 site(s) kept, 3 row(s) left out" in printed
    assert [r["row"] for r in parse_csv(out.read_bytes())] == ["3", "4", "6"]


def test_the_registry_module_offers_the_same_reader(boundaries_dir):
    from layers import sites as registry_module

    path = Path(__file__).parents[1] / "data" / "uploads" / "swapped.csv"
    direct, direct_problems = read_user_sites(path, boundaries_dir=boundaries_dir)
    via, via_problems = registry_module.read_user_sites(path, boundaries_dir=boundaries_dir)
    assert list(via["site_id"]) == list(direct["site_id"]) and len(via) > 0
    assert [str(p) for p in via_problems] == [str(p) for p in direct_problems]
