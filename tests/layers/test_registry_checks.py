"""The deny-list reads every URL and host name of a row, notes included, hosts normalised."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from layers import registry_checks, sites
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
