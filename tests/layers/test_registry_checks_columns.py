"""The cross checks, which test whole columns first, refuse exactly what the row rules refuse.

``layers.registry_checks`` and ``layers.location_checks`` pick the rows that may fail with
Arrow (RE2) tests on whole columns, then write each message from the row. The reference below
is the rules as they were written row by row, run on *every* row with Python's ``re``: the
row-wise ``source_problems``, ``note_problems``, ``location_check_problems``,
``status_problems`` and ``capability_source_problems``, copied from before the column tests
and kept only here. On hostile rows (every rule broken, non-ASCII look-alikes, tabs, vertical
tabs, odd URLs, stripped and unstripped values, NaN and None) both must give the same
problems in the same order, field for field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from layers import location_checks, registry_checks, vocabulary
from layers._validate import Problem
from layers._validate_location import may_break_note_rules
from tests.support.hostile_registry import POOLS, hostile_distances, hostile_sites

TODAY = date(2026, 11, 30)
SCHEMA = vocabulary.schema()

# --------------------------------------------------------------------------------------------
# The reference: each rule row by row, on every row (as written before the column tests)

_HOST_RE = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\.?)(?![\w-])", re.IGNORECASE
)
_OSM_RE = re.compile(r"^osm:(node|way|relation)/([1-9][0-9]*)$")
_SOURCES_RE = re.compile(r"^sources: (https?://[^\s;]+); (https?://[^\s;]+)$")
_DENIAL_RE = re.compile(
    r"\bnot\s+(?:been\s+|yet\s+)?(?:re-?)?(?:read|checked|verified)\b"
    r"|\bunverified\b"
    r"|\bcould\s+not\s+be\s+(?:re-?)?(?:read|checked|verified|opened)\b",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://[^\s;,)\"'<>]+", re.IGNORECASE)
_SOURCE_COLUMNS = ("source_url", "location_source", "status_source")
_TEXT_COLUMNS = ("location_note", "description", "location_check", "capability_sources")
_FACT_COLUMNS = ("source_url", "status_source", "capability_sources")
_SOURCED = ("closing", "closed", "planned")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _problem(site: dict[str, Any], field: str, value: str, message: str) -> Problem:
    return Problem(int(site.get("row", 0) or 0), str(site["site_id"]), field, str(value), message)


def _normal_host(host: str) -> str:
    return host.strip().lower().rstrip(".").removeprefix("www.")


def _domain(url: str) -> str:
    try:
        host = urlsplit(str(url or "").strip()).hostname or ""
    except ValueError:
        return ""
    return _normal_host(host)


def _host_on(host: str, domains: tuple[str, ...]) -> str:
    for name in domains:
        if host == name or host.endswith("." + name):
            return name
    return ""


def reference_sources(sites: pd.DataFrame, rules: registry_checks.SourceRules) -> list[Problem]:
    problems = []
    columns = [c for c in (*_SOURCE_COLUMNS, *_TEXT_COLUMNS) if c in sites]
    for site in _rows(sites):
        seen: set[tuple[str, str]] = set()
        for column in columns:
            text = _text(site.get(column))
            if not text:
                continue
            if column in _SOURCE_COLUMNS:
                hosts = [(text, _domain(text))]
            else:
                hosts = [(written, _normal_host(written)) for written in _HOST_RE.findall(text)]
            for url, host in hosts:
                denied = _host_on(host, rules.denied)
                if denied and (column, denied) not in seen:
                    seen.add((column, denied))
                    problems.append(
                        _problem(
                            site,
                            column,
                            url,
                            (
                                f"is on {denied}, a mirror or aggregator; cite the original page "
                                "(the operator, gov.uk, Parliament, a council, Companies House "
                                "or reputable press)"
                            ),
                        )
                    )
                elif column in _FACT_COLUMNS and _host_on(host, rules.coordinate_only):
                    problems.append(
                        _problem(
                            site,
                            column,
                            url,
                            (
                                "is an encyclopaedia page: it may give coordinates "
                                "(location_source) but a fact needs a primary source"
                            ),
                        )
                    )
    return problems


def reference_notes(sites: pd.DataFrame, rules: location_checks.LocationRules) -> list[Problem]:
    problems: list[Problem] = []
    patterns = [re.compile(p, re.IGNORECASE) for p in rules.note_patterns]
    for site in _rows(sites):
        note = _text(site.get("location_note"))
        if not note:
            continue
        denied = _DENIAL_RE.search(note)
        if denied:
            problems.append(
                _problem(
                    site,
                    "location_note",
                    note,
                    (
                        f"says {denied.group(0)!r}, while last_checked (and location_checked) "
                        "claim the row's pages and point were read; read them and drop "
                        "the phrase, or drop the unread page from the row and lower the "
                        "precision"
                    ),
                )
            )
        bare = _URL_RE.sub(" ", note)
        for pattern in patterns:
            named = pattern.search(bare)
            if named:
                problems.append(
                    _problem(
                        site,
                        "location_note",
                        note,
                        (
                            f"names {named.group(0)!r}, part of our own work; notes are for "
                            "users: say what the sources show, not which files or steps gave "
                            "it"
                        ),
                    )
                )
                break
    return problems


def reference_location_checks(
    sites: pd.DataFrame, distances: pd.DataFrame | None, rules: location_checks.LocationRules
) -> list[Problem]:
    problems: list[Problem] = []
    records = _rows(sites)
    found: list[dict[str, Any] | None] = [None] * len(records)
    if distances is not None:
        found = list(_rows(distances))
    for site, measured in zip(records, found, strict=True):
        precision = _text(site.get("location_precision"))
        check = _text(site.get("location_check"))
        has_date = _text(site.get("location_checked")) != ""
        kind = (
            "postcode"
            if check == "postcode"
            else "osm"
            if _OSM_RE.match(check)
            else "sources"
            if _SOURCES_RE.match(check)
            else ""
        )
        if not check:
            if precision == "site":
                problems.append(
                    _problem(
                        site,
                        "location_check",
                        "",
                        (
                            "is empty; a site-precision point needs its check: 'postcode', "
                            "'osm:way/<id>' or 'sources: URL; URL' (otherwise lower the precision "
                            "to street or town and say why in location_note)"
                        ),
                    )
                )
            if has_date:
                problems.append(
                    _problem(
                        site,
                        "location_checked",
                        str(site.get("location_checked")),
                        (
                            "dates a check that location_check does not name; give the check "
                            "or empty the date"
                        ),
                    )
                )
            continue
        if not has_date:
            problems.append(
                _problem(
                    site,
                    "location_checked",
                    "",
                    "is empty; give the ISO date (YYYY-MM-DD) the point was checked",
                )
            )
        if precision == "postcode" and kind != "postcode":
            problems.append(
                _problem(
                    site,
                    "location_check",
                    check,
                    "must be 'postcode' on a postcode-precision row (the point is the postcode's)",
                )
            )
        if kind == "sources":
            urls = _SOURCES_RE.match(check)
            assert urls is not None
            first, second = _domain(urls.group(1)), _domain(urls.group(2))
            if first == second:
                problems.append(
                    _problem(
                        site,
                        "location_check",
                        check,
                        (
                            f"names two pages on one host ({first}); the second page must "
                            "be independent of the first"
                        ),
                    )
                )
        elif kind == "postcode":
            problems += _reference_postcode_check(site, measured, rules)
    return problems


def _reference_postcode_check(
    site: dict[str, Any], measured: dict[str, Any] | None, rules: location_checks.LocationRules
) -> list[Problem]:
    code = _text(site.get("postcode"))
    if not code:
        return [
            _problem(
                site,
                "location_check",
                "postcode",
                "says the point was checked against its postcode, but postcode is empty",
            )
        ]
    if measured is None:
        return []
    if not measured["found"]:
        return [_problem(site, "postcode", code, f"cannot check the point: {measured['message']}")]
    metres = float(measured["distance_m"])
    message = ""
    if metres > rules.check_max_m:
        message = (
            f"cannot vouch for a point {metres:,.0f} m from its postcode {code} "
            f"(a postcode check holds up to {rules.check_max_m:,.0f} m, with "
            "a note); check the point another way (osm:, sources:) or lower "
            "the precision"
        )
    elif metres > rules.site_tolerance_m and code not in _text(site.get("location_note")):
        message = (
            f"checks a point {metres:,.0f} m from its postcode {code} (limit "
            f"{rules.site_tolerance_m:,.0f} m) at {site.get('lat')}, {site.get('lon')}; "
            f"say in location_note why the site lies that far from {code} "
            "(name the postcode), or fix the point"
        )
    return [_problem(site, "location_check", "postcode", message)] if message else []


def reference_statuses(sites: pd.DataFrame, stale_after_days: int) -> list[Problem]:
    problems: list[Problem] = []
    statuses = sites["status"].astype(str).to_numpy()
    for site in _rows(sites[np.isin(statuses, [*_SOURCED, "active"])]):
        status, opened = _text(site.get("status")), _text(site.get("opened"))
        closes = _text(site.get("closes"))
        if status == "closing" and closes and _passed(closes):
            problems.append(
                _problem(
                    site,
                    "closes",
                    closes,
                    (
                        f"has passed (today is {TODAY.isoformat()}) on a closing row; "
                        "if the site closed, make it closed; if the date moved, give "
                        "the new one from a source"
                    ),
                )
            )
        if status == "planned" and opened and _passed(opened):
            problems.append(
                _problem(
                    site,
                    "opened",
                    opened,
                    (
                        f"has passed (today is {TODAY.isoformat()}) on a planned row; "
                        "if it opened, make it active; if the date moved, give the new "
                        "one from a source"
                    ),
                )
            )
        if status == "active" and opened and _to_come(opened):
            problems.append(
                _problem(
                    site,
                    "status",
                    status,
                    f"says active but opened {opened} is to come; make it planned",
                )
            )
        if status not in _SOURCED:
            continue
        if not _text(site.get("status_source")):
            problems.append(
                _problem(
                    site,
                    "status_source",
                    "",
                    f"is empty; a {status} row cites the page that announces it",
                )
            )
            continue
        read = site.get("last_checked")
        read_on = read if isinstance(read, date) else _iso(_text(read))
        if read_on is not None and (TODAY - read_on).days > stale_after_days:
            problems.append(
                _problem(
                    site,
                    "last_checked",
                    read_on.isoformat(),
                    (
                        f"is {(TODAY - read_on).days} days old on a {status} row; read "
                        f"its status_source again (within {stale_after_days} days)"
                    ),
                )
            )
    return problems


def _passed(value: str) -> bool:
    if len(value) == 4 and value.isdigit():
        return int(value) < TODAY.year
    day = _iso(value)
    return day is not None and day < TODAY


def _to_come(value: str) -> bool:
    if len(value) == 4 and value.isdigit():
        return int(value) > TODAY.year
    day = _iso(value)
    return day is not None and day > TODAY


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def reference_capability_sources(sites: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []
    for site in _rows(sites):
        text = _text(site.get("capability_sources"))
        if not text:
            continue
        own = site.get("capabilities")
        tags = set(own) if isinstance(own, list | tuple | np.ndarray) else set()
        for pair in text.split("; "):
            slug = pair.split(" ", 1)[0]
            if slug not in tags:
                problems.append(
                    _problem(
                        site,
                        "capability_sources",
                        pair,
                        f"sources {slug!r}, which is not one of the row's capabilities",
                    )
                )
    return problems


def reference_timeline(sites: pd.DataFrame) -> tuple[list[Problem], list[Problem]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for site in _rows(sites):
        status, opened = _text(site.get("status")), _text(site.get("opened"))
        closes = _text(site.get("closes"))
        real = True
        for column, value in (("opened", opened), ("closes", closes)):
            if value and not _real_date(value):
                problems.append(_problem(site, column, value, "is not a real year or date"))
                real = False
        if not real:
            continue
        if opened and closes and closes[:4] < opened[:4]:
            problems.append(_problem(site, "closes", closes, f"is before opened ({opened})"))
        if status == "closed" and closes and int(closes[:4]) > TODAY.year:
            problems.append(
                _problem(site, "status", status, f"says closed but closes {closes} is to come")
            )
        if status == "closing" and not closes:
            warnings.append(
                _problem(site, "closes", "", "is empty: no closure year is announced yet")
            )
    return problems, warnings


def _real_date(value: str) -> bool:
    try:
        if len(value) == 4:
            return 1000 <= int(value) <= 2200
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def reference_stale(sites: pd.DataFrame, days: int) -> list[Problem]:
    warnings = []
    # which rows are read at all is as before: those whose date parses and is old
    checked_on = pd.to_datetime(sites["last_checked"].astype(str), errors="coerce")
    limit = pd.Timestamp(TODAY) - pd.Timedelta(days=days)
    for site in _rows(sites[(checked_on < limit).to_numpy()]):
        checked = site["last_checked"]
        if not isinstance(checked, date):
            checked = date.fromisoformat(str(checked))
        age = (TODAY - checked).days
        if age > days:
            warnings.append(
                _problem(
                    site,
                    "last_checked",
                    checked.isoformat(),
                    f"is {age} days old; check the row against its sources again",
                )
            )
    return warnings


def reference_postcodes(
    sites: pd.DataFrame, found: pd.DataFrame, rules: registry_checks.SourceRules
) -> tuple[list[Problem], list[Problem]]:
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for site, check in zip(_rows(sites), _rows(found), strict=True):
        precision = site["location_precision"]
        code, note = _text(site.get("postcode")), _text(site.get("location_note"))
        if not code:
            if precision == "postcode":
                problems.append(
                    _problem(
                        site,
                        "postcode",
                        "",
                        "is empty; postcode precision needs the postcode whose point the row uses",
                    )
                )
            continue
        if not check["found"]:
            target = problems if precision == "postcode" else warnings
            target.append(
                _problem(site, "postcode", code, f"cannot be checked: {check['message']}")
            )
            continue
        metres = float(check["distance_m"])
        if precision == "postcode" and metres > rules.postcode_tolerance_m:
            problems.append(
                _problem(
                    site,
                    "lat/lon",
                    f"{site['lat']}, {site['lon']}",
                    f"is {metres:,.0f} m from the point of {code}; a postcode-precision row "
                    f"must use that point ({check['lat']:.5f}, {check['lon']:.5f})",
                )
            )
        elif precision == "site" and metres > rules.site_tolerance_m and not note:
            problems.append(
                _problem(
                    site,
                    "lat/lon",
                    f"{site['lat']}, {site['lon']}",
                    f"is {metres:,.0f} m from the point of its postcode {code} (limit "
                    f"{rules.site_tolerance_m:,.0f} m for site precision); correct the point, "
                    "or say in location_note why the site's point is that far from its address",
                )
            )
    return problems, warnings


# --------------------------------------------------------------------------------------------
# Rules: the schema's, and rules with patterns RE2 cannot read as Python does

SOURCE_RULES = [
    registry_checks.SourceRules.from_schema(SCHEMA),
    registry_checks.SourceRules(
        denied=("wikimili.com", "fandom.com", "de.wikipedia.org", ""),
        coordinate_only=("wikipedia.org", "maps.example.org"),
        site_tolerance_m=1000,
        postcode_tolerance_m=600,
        stale_after_days=30,
    ),
]
LOCATION_RULES = [
    location_checks.LocationRules.from_schema(SCHEMA),
    location_checks.LocationRules(
        site_tolerance_m=500,
        check_max_m=2000,
        stale_after_days=30,
        note_patterns=(r"(?<!our )registry", r"\bnotes?\.md\b", r"caf\u00e9", r"a{,2}udit"),
    ),
    location_checks.LocationRules(
        site_tolerance_m=3000, check_max_m=1000, stale_after_days=365, note_patterns=()
    ),
    *(
        location_checks.LocationRules(
            site_tolerance_m=500, check_max_m=2000, stale_after_days=365, note_patterns=(odd,)
        )
        # RE2 reads the first as a literal '{,2}'; it refuses the others
        for odd in (r"a{,2}udit", r"[\b]registry", r"registry\Z")
    ),
]
FRAMES = [
    pytest.param(seed, strings, id=f"seed{seed}-{'str' if strings else 'object'}")
    for seed in (0, 1, 2)
    for strings in (True, False)
]


@pytest.mark.parametrize("seed, strings", FRAMES)
@pytest.mark.parametrize("rules", SOURCE_RULES)
def test_source_problems_match_the_row_rules(seed, strings, rules):
    sites = hostile_sites(seed, strings=strings)
    assert registry_checks.source_problems(sites, rules) == reference_sources(sites, rules)


@pytest.mark.parametrize("seed, strings", FRAMES)
@pytest.mark.parametrize("rules", LOCATION_RULES)
def test_note_problems_match_the_row_rules(seed, strings, rules):
    sites = hostile_sites(seed, strings=strings)
    assert location_checks.note_problems(sites, rules) == reference_notes(sites, rules)


@pytest.mark.parametrize("seed, strings", FRAMES)
@pytest.mark.parametrize("rules", LOCATION_RULES)
@pytest.mark.parametrize("measured", [True, False])
def test_location_check_problems_match_the_row_rules(seed, strings, rules, measured):
    sites = hostile_sites(seed, strings=strings)
    distances = hostile_distances(sites, seed) if measured else None
    got = location_checks.location_check_problems(sites, distances, rules, registry_checks.domain)
    assert got == reference_location_checks(sites, distances, rules)


def test_another_host_function_gets_every_sources_row():
    sites = hostile_sites(0, strings=True)
    rules = LOCATION_RULES[0]
    asked: list[str] = []

    def host(url: str) -> str:
        asked.append(url)
        return "one.example"  # every page on one host: every sources: check fails

    got = location_checks.location_check_problems(sites, None, rules, host)
    sources = sites["location_check"].fillna("").str.strip().str.match(_SOURCES_RE).sum()
    named = [p for p in got if "names two pages on one host (one.example)" in p.message]
    assert len(named) == sources > 0
    assert len(asked) == 2 * sources


@pytest.mark.parametrize("seed, strings", FRAMES)
@pytest.mark.parametrize("days", [30, 365])
def test_status_problems_match_the_row_rules(seed, strings, days):
    sites = hostile_sites(seed, strings=strings)
    got = location_checks.status_problems(sites, today=TODAY, stale_after_days=days)
    assert got == reference_statuses(sites, days)


@pytest.mark.parametrize("seed, strings", FRAMES)
def test_capability_source_problems_match_the_row_rules(seed, strings):
    sites = hostile_sites(seed, strings=strings)
    got = location_checks.capability_source_problems(sites)
    assert got == reference_capability_sources(sites)


@pytest.mark.parametrize("seed, strings", FRAMES)
def test_timeline_problems_match_the_row_rules(seed, strings):
    sites = hostile_sites(seed, strings=strings)
    got = registry_checks.timeline_problems(sites, today=TODAY)
    assert got == reference_timeline(sites)


@pytest.mark.parametrize("seed, strings", FRAMES)
@pytest.mark.parametrize("rules", SOURCE_RULES)
def test_stale_warnings_match_the_row_rules(seed, strings, rules):
    sites = hostile_sites(seed, strings=strings)
    got = registry_checks.stale_warnings(sites, rules, today=TODAY)
    assert got == reference_stale(sites, rules.stale_after_days)


@pytest.mark.parametrize("seed, strings", FRAMES)
@pytest.mark.parametrize("rules", SOURCE_RULES)
def test_postcode_problems_match_the_row_rules(seed, strings, rules):
    sites = hostile_sites(seed, strings=strings)
    found = hostile_distances(sites, seed)
    got = registry_checks.postcode_problems(sites, found, rules)
    assert got == reference_postcodes(sites, found, rules)


def test_the_hostile_rows_break_every_rule():
    """The comparisons above mean something only if each rule fires on the fixture."""
    sites = hostile_sites(0, strings=True)
    distances = hostile_distances(sites, 0)
    timeline, stale_dates = reference_timeline(sites)
    far, not_found = reference_postcodes(sites, distances, SOURCE_RULES[0])
    found = [
        *reference_sources(sites, SOURCE_RULES[0]),
        *reference_notes(sites, LOCATION_RULES[0]),
        *reference_location_checks(sites, distances, LOCATION_RULES[0]),
        *reference_statuses(sites, 365),
        *reference_capability_sources(sites),
        *timeline,
        *stale_dates,
        *reference_stale(sites, 365),
        *far,
        *not_found,
    ]
    messages = [p.message for p in found]
    for fragment in [
        "a mirror or aggregator",
        "is an encyclopaedia page",
        "while last_checked",
        "part of our own work",
        "a site-precision point needs its check",
        "dates a check that location_check does not name",
        "give the ISO date",
        "must be 'postcode' on a postcode-precision row",
        "names two pages on one host",
        "but postcode is empty",
        "cannot check the point",
        "cannot vouch for a point",
        "say in location_note why the site lies that far",
        "on a closing row",
        "on a planned row",
        "says active but opened",
        "cites the page that announces it",
        "read its status_source again",
        "which is not one of the row's capabilities",
        "is not a real year or date",
        "is before opened",
        "says closed but closes",
        "no closure year is announced yet",
        "check the row against its sources again",
        "postcode precision needs the postcode",
        "cannot be checked:",
        "a postcode-precision row must use that point",
        "limit 500 m for site precision",
    ]:
        assert any(fragment in message for message in messages), fragment


def test_plain_rows_that_pass_are_not_picked():
    """On printable-ASCII rows the column tests pick only rows that fail: they do filter."""
    plain = {
        column: [v for v in values if not isinstance(v, str) or (v.isascii() and v.isprintable())]
        for column, values in POOLS.items()
    }
    sites = hostile_sites(3, strings=True, pools=plain)
    rules = LOCATION_RULES[0]
    failing = {p.row for p in reference_notes(sites, rules)}
    patterns = [re.compile(p, re.IGNORECASE) for p in rules.note_patterns]
    picked = set(sites["row"][may_break_note_rules(sites["location_note"], patterns)])
    assert picked == failing
    assert 0 < len(failing) < len(sites)
