"""How a row's point was checked, what its notes may say, and statuses against their dates.

Points are placed around CV1 1DD's point in the ONS Postcode Directory, November 2025
(433303 E, 278971 N as its PyPI package lists them), projected here with pyproj: the expected
distances do not come from the code under test.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pyproj import Transformer

from layers import sites
from layers._validate import Problem
from layers.placement import REGISTRY_COLUMNS
from tests.support.registry_rows import WALSALL, write_registry

TODAY = date(2026, 11, 30)
CV1_1DD = (433303.0, 278971.0)
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def site_row(site_id: str, north_m: float = 0.0, **changes: str) -> dict[str, str]:
    """A site-precision row in Coventry ``north_m`` metres north of CV1 1DD's point."""
    lon, lat = _TO_WGS84.transform(CV1_1DD[0], CV1_1DD[1] + north_m)
    base = {
        **WALSALL,
        "site_id": site_id,
        "town": "Coventry",
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "location_precision": "site",
        "postcode": "CV1 1DD",
        "location_check": "postcode",
        "location_checked": "2026-11-01",
    }
    return {**base, **changes}


def check(tmp_path: Path, boundaries_dir: Path, rows: list[dict[str, str]]):
    warnings: list[Problem] = []
    path = write_registry(tmp_path / "sites.csv", rows, columns=REGISTRY_COLUMNS)
    valid, problems = sites.validate_sites(
        path, boundaries_dir=boundaries_dir, today=TODAY, warnings=warnings
    )
    return valid, problems, warnings


def fields(problems: list[Problem]) -> list[tuple[str, str]]:
    return sorted((p.site_id, p.field) for p in problems)


def spread(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Give each row a point of its own, 60 m apart (no row shares a point)."""
    for number, one in enumerate(rows):
        lon, lat = _TO_WGS84.transform(CV1_1DD[0] + 60 * number, CV1_1DD[1])
        one["lat"], one["lon"] = f"{lat:.6f}", f"{lon:.6f}"
    return rows


# --------------------------------------------------------------------------------------------
# location_check


def test_a_site_row_without_a_location_check_is_refused(tmp_path, boundaries_dir):
    rows = [site_row("unchecked", location_check="", location_checked=""), site_row("checked")]
    rows[0]["postcode"] = ""
    rows[0]["location_note"] = "shares the point with checked"
    rows[1]["location_note"] = "shares the point with unchecked"
    valid, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert fields(problems) == [("unchecked", "location_check")]
    assert "site-precision point needs its check" in problems[0].message
    assert list(valid["site_id"]) == ["checked"]


def test_a_postcode_check_3_km_from_the_postcode_is_refused_even_with_a_note(
    tmp_path, boundaries_dir
):
    note = "the works lie 3 km north of the CV1 1DD office, across the ring road"
    far = site_row("three-km", 3000, location_note=note)
    valid, problems, _ = check(tmp_path, boundaries_dir, [far])
    assert valid.empty
    assert ("three-km", "location_check") in fields(problems)
    [refused] = [p for p in problems if p.field == "location_check"]
    assert "3,000 m from its postcode CV1 1DD" in refused.message
    assert "up to 2,000 m" in refused.message


def test_a_postcode_check_beyond_500_m_needs_a_note_naming_the_postcode(tmp_path, boundaries_dir):
    rows = [
        site_row("near", 450),
        site_row("far-silent", 800, postcode="CV1 1DE"),
        site_row(
            "far-explained",
            1200,
            location_note="hangar centre; CV1 1DD is the main gate, 1.2 km south",
        ),
    ]
    _, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert ("far-silent", "location_check") in fields(problems)
    assert not [p for p in problems if p.site_id in ("near", "far-explained")]


def test_sources_checks_need_two_hosts_and_a_date(tmp_path, boundaries_dir):
    rows = spread(
        [
            site_row(
                "two-hosts",
                postcode="",
                location_check="sources: https://a.example.org/x; https://b.example.com/y",
            ),
            site_row(
                "one-host",
                postcode="",
                location_check="sources: https://WWW.Example.org/x; https://example.org./y",
            ),
            site_row("undated", postcode="", location_check="osm:way/42", location_checked=""),
            site_row("dated-only", postcode="", location_check="", location_precision="town"),
        ]
    )
    _, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert fields(problems) == [
        ("dated-only", "location_checked"),
        ("one-host", "location_check"),
        ("undated", "location_checked"),
    ]
    [same] = [p for p in problems if p.site_id == "one-host"]
    assert "two pages on one host (example.org)" in same.message


def test_a_bad_location_check_is_refused_by_the_schema(tmp_path, boundaries_dir):
    rows = spread(
        [
            site_row("street-kind", location_check="osm:street/1"),
            site_row("one-source", location_check="sources: https://a.org/x"),
        ]
    )
    _, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert fields(problems) == [
        ("one-source", "location_check"),
        ("street-kind", "location_check"),
    ]


# --------------------------------------------------------------------------------------------
# notes


@pytest.mark.parametrize(
    "note, said",
    [
        ("town point from the town's page, not re-read on the page", "not re-read"),
        ("the gate postcode was not checked against the map", "not checked"),
        ("position unverified", "unverified"),
    ],
)
def test_a_note_may_not_deny_a_check_the_row_claims(tmp_path, boundaries_dir, note, said):
    _, problems, _ = check(tmp_path, boundaries_dir, [site_row("denied", location_note=note)])
    assert fields(problems) == [("denied", "location_note")]
    assert repr(said) in problems[0].message


@pytest.mark.parametrize(
    "note, named",
    [
        ("see existing_v2.notes.md for what was searched", "existing_v2.notes.md"),
        ("distance measured with pc.py", "pc.py"),
        ("no page found in this pass", "this pass"),
        ("not among the stored pages", "stored pages"),
    ],
)
def test_a_note_may_not_name_our_own_files_or_steps(tmp_path, boundaries_dir, note, named):
    _, problems, _ = check(tmp_path, boundaries_dir, [site_row("ours", location_note=note)])
    assert ("ours", "location_note") in fields(problems)
    assert any(repr(named) in p.message for p in problems)


def test_a_note_for_users_passes(tmp_path, boundaries_dir):
    note = (
        "works entrance on Example Road (https://example.org/contact.json); "
        "the CV1 1DD office is beside it"
    )
    valid, problems, _ = check(tmp_path, boundaries_dir, [site_row("fine", location_note=note)])
    assert problems == [] and list(valid["site_id"]) == ["fine"]


# --------------------------------------------------------------------------------------------
# statuses


def test_a_past_closes_on_a_closing_row_is_refused(tmp_path, boundaries_dir):
    announced = "https://example.org/closure"
    rows = spread(
        [
            site_row(
                "closed-year-passed", status="closing", closes="2025", status_source=announced
            ),
            site_row("date-passed", status="closing", closes="2026-11-29", status_source=announced),
            site_row("this-year", status="closing", closes="2026", status_source=announced),
            site_row("to-come", status="closing", closes="2027-06-30", status_source=announced),
        ]
    )
    _, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert fields(problems) == [("closed-year-passed", "closes"), ("date-passed", "closes")]
    assert "has passed (today is 2026-11-30) on a closing row" in problems[0].message


def test_statuses_need_their_own_recent_source_and_matching_dates(tmp_path, boundaries_dir):
    announced = "https://example.org/news"
    rows = spread(
        [
            site_row("closing-unsourced", status="closing", closes="2028"),
            site_row("closed-unsourced", status="closed", closes="2020"),
            site_row("planned-unsourced", status="planned", opened="2028"),
            site_row(
                "planned-opened",
                status="planned",
                opened="2025-04-01",
                status_source=announced,
            ),
            site_row("active-to-come", status="active", opened="2028"),
            site_row(
                "closing-stale",
                status="closing",
                closes="2028",
                status_source=announced,
                last_checked="2025-10-01",
            ),
            site_row("closed-sourced", status="closed", closes="2020", status_source=announced),
        ]
    )
    _, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert fields(problems) == [
        ("active-to-come", "status"),
        ("closed-unsourced", "status_source"),
        ("closing-stale", "last_checked"),
        ("closing-unsourced", "status_source"),
        ("planned-opened", "opened"),
        ("planned-unsourced", "status_source"),
    ]


def test_capability_sources_name_the_rows_own_capabilities(tmp_path, boundaries_dir):
    rows = spread(
        [
            site_row("own", capability_sources="land_systems https://example.org/a"),
            site_row("other", capability_sources="quantum https://example.org/b"),
        ]
    )
    _, problems, _ = check(tmp_path, boundaries_dir, rows)
    assert fields(problems) == [("other", "capability_sources")]
