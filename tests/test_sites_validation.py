"""The registry validator: every kind of problem reported with row, site id, field and value."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from layers import sites
from layers._errors import SiteValidationError
from tests.support.registry_rows import REQUIRED_COLUMNS, WALSALL, write_registry

GOOD = {**WALSALL, "capabilities": "land_systems;supply_chain"}
OTHER = {
    **GOOD,
    "site_id": "test-derby-works",
    "lat": "52.92250",
    "lon": "-1.47630",
    "town": "Derby",
}


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"lat": "152.6"}, "row 3 (test-walsall-works): lat 152.6 is outside -90..90"),
        ({"lat": "north"}, "row 3 (test-walsall-works): lat 'north' is not a number"),
        ({"lon": "nan"}, "lon nan is not a finite number"),
        ({"name": ""}, "row 3 (test-walsall-works): name '' is empty; it is required"),
        (
            {"capabilities": "land_sytems"},
            "capabilities 'land_sytems' is not a known value; did you mean 'land_systems'?",
        ),
        ({"capabilities": ";;"}, "capabilities ';;' lists nothing"),
        ({"kind": "Prime"}, "kind 'Prime' is not a known value; did you mean 'prime'?"),
        ({"location_precision": "exact"}, "location_precision 'exact' is not a known value"),
        (
            {"source_url": "javascript:alert(1)"},
            "source_url 'javascript:alert(1)' does not match the expected form",
        ),
        ({"source_url": "ftp://example.org/x"}, "source_url 'ftp://example.org/x' does not match"),
        ({"last_checked": "2999-01-01"}, "last_checked '2999-01-01' is in the future"),
        ({"last_checked": "01/02/2026"}, "last_checked '01/02/2026' is not an ISO date"),
        ({"site_id": "Walsall Works"}, "site_id 'Walsall Works' does not match the expected form"),
        ({"lat": "51.48", "lon": "-3.18"}, "km outside the Midlands outline"),  # Cardiff
        ({"lat": "-1.98200", "lon": "52.58600"}, "lat and lon are not swapped"),
    ],
)
def test_each_kind_of_problem_is_reported_and_good_rows_are_kept(
    tmp_path: Path, boundaries_dir: Path, change: dict[str, str], expected: str
):
    path = write_registry(tmp_path / "sites.csv", [OTHER, {**GOOD, **change}])
    valid, problems = sites.validate_sites(
        path, boundaries_dir=boundaries_dir, today=date(2026, 11, 28)
    )
    messages = [str(p) for p in problems]
    assert any(expected in m for m in messages), messages
    assert list(valid["site_id"]) == ["test-derby-works"], "the good row is kept"


def test_duplicate_ids_name_the_first_row(tmp_path: Path, boundaries_dir: Path):
    path = write_registry(tmp_path / "sites.csv", [GOOD, OTHER, GOOD])
    _, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert [str(p) for p in problems] == [
        "row 4 (test-walsall-works): site_id 'test-walsall-works' repeats the site_id of row 2; "
        "ids must be unique"
    ]


def test_a_missing_column_is_reported_once(tmp_path: Path, boundaries_dir: Path):
    header = [h for h in REQUIRED_COLUMNS if h != "town"]
    path = write_registry(tmp_path / "sites.csv", [GOOD], columns=header)
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert valid.empty
    assert len(problems) == 1
    assert "lacks column(s) town" in str(problems[0])


def test_every_problem_of_every_row_is_collected(tmp_path: Path, boundaries_dir: Path):
    rows = [{**GOOD, "lat": "999", "kind": "spy"}, {**OTHER, "source_url": "no"}]
    path = write_registry(tmp_path / "sites.csv", rows)
    _, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert {(p.row, p.field) for p in problems} == {(2, "lat"), (2, "kind"), (3, "source_url")}


def test_loading_a_registry_with_problems_raises_one_error_listing_all(
    tmp_path: Path, boundaries_dir: Path
):
    rows = [{**GOOD, "lat": "999"}, {**OTHER, "kind": "spy"}]
    path = write_registry(tmp_path / "sites.csv", rows)
    with pytest.raises(SiteValidationError) as caught:
        sites.load_sites(path, boundaries_dir=boundaries_dir)
    assert len(caught.value.problems) == 2
    assert "has 2 problems" in str(caught.value)
    assert "row 2 (test-walsall-works): lat 999 is outside -90..90" in str(caught.value)


def test_a_byte_order_mark_and_quoted_commas_are_read(tmp_path: Path, boundaries_dir: Path):
    path = write_registry(tmp_path / "sites.csv", [{**GOOD, "name": 'Works, "North" yard'}])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    valid, problems = sites.validate_sites(path, boundaries_dir=boundaries_dir)
    assert problems == []
    assert valid.loc[0, "name"] == 'Works, "North" yard'
    assert valid.loc[0, "capabilities"] == ["land_systems", "supply_chain"]


def test_the_cli_exits_1_with_problems_and_0_when_valid(
    tmp_path: Path, boundaries_dir: Path, capsys: pytest.CaptureFixture[str]
):
    where = ["--boundaries", str(boundaries_dir)]
    bad = write_registry(tmp_path / "bad.csv", [{**GOOD, "lat": "152.6"}])
    assert sites.main(["validate", str(bad), *where]) == 1
    assert "row 2 (test-walsall-works): lat 152.6 is outside -90..90" in capsys.readouterr().out
    good = write_registry(tmp_path / "good.csv", [GOOD, OTHER])
    assert sites.main(["validate", str(good), *where]) == 0
    assert "2 sites, no problems" in capsys.readouterr().out


def test_without_boundaries_the_outline_check_is_reported_not_skipped(tmp_path: Path):
    path = write_registry(tmp_path / "sites.csv", [GOOD])
    valid, problems = sites.validate_sites(path, boundaries_dir=tmp_path / "none")
    assert len(valid) == 1
    assert [p.field for p in problems] == ["boundaries"]
    assert "not built" in str(problems[0])
