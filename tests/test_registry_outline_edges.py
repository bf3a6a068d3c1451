"""validate_sites against a Midlands outline and a postcode index both built by hand.

The outline is a square in British National Grid metres (eastings 380 000 to 460 000,
northings 260 000 to 340 000), so how far a point lies outside it is known without the code
under test: the point at easting 560 000 is 100 km east of the square's east edge. Its
latitude and longitude were converted once with pyproj and are written out below.

The postcode index holds two made-up postcodes (absent from Code-Point Open): one at the
Walsall row's own point, the other 2 km east of the Derby row's point. A row is checked
against the index the caller names, never the built one.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from layers import sites
from tests.support.registry_rows import REQUIRED_COLUMNS, WALSALL, write_registry

# the required columns with the optional postcode after the town
HEADER = [*REQUIRED_COLUMNS[:9], "postcode", *REQUIRED_COLUMNS[9:]]
# easting 560 000, northing 300 000: 100 km east of the square (to within 3 cm)
FAR_EAST = {
    **WALSALL,
    "site_id": "test-far-east",
    "name": "Far Works",
    "lat": "52.574285",
    "lon": "0.359647",
    "town": "Far",
}
# easting 464 000, northing 300 000: 4 km east of the square, inside the 5 km tolerance
NEAR_EAST = {**FAR_EAST, "site_id": "test-near-east", "lat": "52.594038", "lon": "-1.056635"}
DERBY = {
    **WALSALL,
    "site_id": "test-derby-lab",
    "name": "Test Lab",
    "lat": "52.92250",
    "lon": "-1.47630",
    "town": "Derby",
}
TODAY = date(2026, 11, 20)


@pytest.fixture
def square_outline(tmp_path: Path) -> Path:
    """A boundaries folder whose only layer is the square Midlands outline."""
    folder = tmp_path / "square"
    folder.mkdir()
    square = shapely.box(380_000, 260_000, 460_000, 340_000)
    outline = gpd.GeoDataFrame({"name": ["Midlands"]}, geometry=[square], crs="EPSG:27700")
    outline.to_parquet(folder / "midlands.parquet")
    return folder


def test_a_point_100_km_outside_is_reported_with_its_distance(tmp_path, square_outline):
    path = write_registry(tmp_path / "sites.csv", [WALSALL, FAR_EAST, NEAR_EAST], HEADER)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=square_outline, today=TODAY, warnings=[]
    )
    assert [str(problem) for problem in problems] == [
        "row 3 (test-far-east): lat/lon '52.574285, 0.359647' is 100.0 km outside the "
        "Midlands outline (tolerance 5 km); check the coordinates, and that lat and lon "
        "are not swapped"
    ]
    (problem,) = problems
    assert (problem.row, problem.site_id, problem.field) == (3, "test-far-east", "lat/lon")
    # inside, and 4 km outside (within the tolerance): both kept
    assert list(valid["site_id"]) == ["test-walsall-works", "test-near-east"]


def test_rows_inside_the_outline_have_no_problem(tmp_path, square_outline):
    path = write_registry(tmp_path / "sites.csv", [WALSALL, DERBY], HEADER)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=square_outline, today=TODAY, warnings=[]
    )
    assert problems == []
    assert list(valid["row"]) == [2, 3]


@pytest.fixture
def two_postcodes(tmp_path: Path) -> Path:
    """A postcode index of two made-up postcodes (sorted, as the built index is)."""
    to_metric = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    walsall_e, walsall_n = to_metric.transform(-1.982, 52.586)
    derby_e, derby_n = to_metric.transform(-1.4763, 52.9225)
    index = pd.DataFrame(
        {
            "postcode": ["DE1 9ZZ", "WS1 9ZZ"],
            "easting": [derby_e + 2000.0, walsall_e],
            "northing": [derby_n, walsall_n],
            "quality": [10, 10],
        }
    )
    path = tmp_path / "postcodes.parquet"
    index.to_parquet(path, index=False)
    return path


def test_rows_are_checked_against_the_postcode_index_named(tmp_path, square_outline, two_postcodes):
    on_its_point = {**WALSALL, "location_precision": "postcode", "postcode": "WS1 9ZZ"}
    two_km_away = {**DERBY, "location_precision": "postcode", "postcode": "DE1 9ZZ"}
    path = write_registry(tmp_path / "sites.csv", [on_its_point, two_km_away], HEADER)
    noted: list = []
    valid, problems = sites.validate_sites(
        path,
        boundaries_dir=square_outline,
        today=TODAY,
        postcode_index=two_postcodes,
        warnings=noted,
    )
    assert [(p.row, p.site_id, p.field) for p in problems] == [(3, "test-derby-lab", "lat/lon")]
    assert problems[0].message.startswith(
        "is 2,000 m from the point of DE1 9ZZ; a postcode-precision row must use that point ("
    )
    assert [w for w in noted if w.field == "postcode"] == []
    assert list(valid["site_id"]) == ["test-walsall-works"]


def test_a_tolerance_in_part_kilometres_is_shown_as_set(tmp_path, square_outline, monkeypatch):
    """With the tolerance at 3.5 km, the point 4 km out is refused and the message says 3.5 km."""
    monkeypatch.setattr(sites.settings, "OUTLINE_TOLERANCE_M", 3_500.0)
    path = write_registry(tmp_path / "sites.csv", [WALSALL, NEAR_EAST], HEADER)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=square_outline, today=TODAY, warnings=[]
    )
    assert [str(problem) for problem in problems] == [
        "row 3 (test-near-east): lat/lon '52.594038, -1.056635' is 4.0 km outside the "
        "Midlands outline (tolerance 3.5 km); check the coordinates, and that lat and lon "
        "are not swapped"
    ]
    assert list(valid["site_id"]) == ["test-walsall-works"]
