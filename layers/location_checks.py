"""Rules on how a registry row's point was checked, what its notes may say, and its status.

- ``location_check`` says how the point was checked: ``postcode`` (within the schema's
  ``sitePostcodeToleranceM`` of its postcode's point, or up to ``postcodeCheckMaxM`` when
  ``location_note`` names the postcode and says why), ``osm:way/123`` (or ``node``,
  ``relation``: an OpenStreetMap feature holding the point) or ``sources: URL; URL`` (two pages
  on different hosts). Every ``site`` row has one; ``location_checked`` dates it.
- A note may not deny a check that ``last_checked`` or ``location_checked`` claims, and may not
  name the files, tools or steps of our own work (``noteForbiddenPatterns``).
- ``closing``, ``closed`` and ``planned`` rows cite a ``status_source`` read within
  ``staleAfterDays``; an announced date that has passed needs the status that follows from it.
- ``capability_sources`` pairs each tag with its own second source.

Each failed rule is a :class:`~layers._validate.Problem` naming the row, field and value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from layers import _validate_text, registry_checks
from layers._validate import Problem

#: The kinds of ``location_check``.
CHECK_KINDS: tuple[str, ...] = ("postcode", "osm", "sources")
_OSM_RE = re.compile(r"^osm:(node|way|relation)/([1-9][0-9]*)$")
_SOURCES_RE = re.compile(r"^sources: (https?://[^\s;]+); (https?://[^\s;]+)$")
#: Phrases that deny a check (the point or a page was not read).
DENIAL_RE = re.compile(
    r"\bnot\s+(?:been\s+|yet\s+)?(?:re-?)?(?:read|checked|verified)\b"
    r"|\bunverified\b"
    r"|\bcould\s+not\s+be\s+(?:re-?)?(?:read|checked|verified|opened)\b",
    re.IGNORECASE,
)
_URL_RE = re.compile(r"https?://[^\s;,)\"'<>]+", re.IGNORECASE)
#: Statuses that need a source of their own.
SOURCED_STATUSES: tuple[str, ...] = ("closing", "closed", "planned")


@dataclass(frozen=True)
class LocationRules:
    """The schema's tolerances for location checks, and its forbidden note patterns."""

    site_tolerance_m: float
    check_max_m: float
    stale_after_days: int
    note_patterns: tuple[str, ...]

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> LocationRules:
        """Read the rules from a registry schema (defaults when it has none)."""
        rules = schema.get("sourceRules", {})
        return cls(
            site_tolerance_m=float(rules.get("sitePostcodeToleranceM", 500)),
            check_max_m=float(rules.get("postcodeCheckMaxM", 2000)),
            stale_after_days=int(rules.get("staleAfterDays", 365)),
            note_patterns=tuple(rules.get("noteForbiddenPatterns", ())),
        )


def check_kind(value: object) -> str:
    """Return the kind of a ``location_check`` (``postcode``, ``osm``, ``sources``) or ''."""
    text = _text(value)
    if text == "postcode":
        return "postcode"
    if _OSM_RE.match(text):
        return "osm"
    if _SOURCES_RE.match(text):
        return "sources"
    return ""


def check_urls(value: object) -> list[str]:
    """Return the two URLs of a ``sources:`` check (empty for other kinds)."""
    found = _SOURCES_RE.match(_text(value))
    return [found.group(1), found.group(2)] if found else []


def location_check_problems(
    sites: pd.DataFrame,
    distances: pd.DataFrame | None,
    rules: LocationRules,
    host: Any,
) -> list[Problem]:
    """Check ``location_check`` and ``location_checked`` row by row.

    Parameters
    ----------
    sites
        Registry rows.
    distances
        :func:`layers.registry_checks.postcode_distances` of the same rows, or None when no
        postcode index could be loaded (``postcode`` checks are then not measured).
    rules
        Tolerances.
    host
        A function from URL to its normalised host (:func:`layers.registry_checks.domain`).
    """
    problems: list[Problem] = []
    columns = ["location_precision", "postcode", "location_note", "location_check"]
    may_fail = _may_break_check_rules(sites, distances, rules, host)
    records = _records(sites[may_fail], *columns, "location_checked")
    found: list[dict[str, Any] | None] = [None] * len(records)
    if distances is not None:
        chosen = distances[may_fail].to_dict("records")
        found = [{str(k): v for k, v in r.items()} for r in chosen]
    for site, measured in zip(records, found, strict=True):
        precision = _text(site.get("location_precision"))
        check = _text(site.get("location_check"))
        checked = site.get("location_checked")
        has_date = not _blank(checked)
        kind = check_kind(check)
        if not check:
            if precision == "site":
                problems.append(
                    _problem(
                        site,
                        "location_check",
                        "",
                        "is empty; a site-precision point needs its check: 'postcode', "
                        "'osm:way/<id>' or 'sources: URL; URL' (otherwise lower the precision "
                        "to street or town and say why in location_note)",
                    )
                )
            if has_date:
                problems.append(
                    _problem(
                        site,
                        "location_checked",
                        str(checked),
                        "dates a check that location_check does not name; give the check or "
                        "empty the date",
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
            first, second = (host(url) for url in check_urls(check))
            if first == second:
                problems.append(
                    _problem(
                        site,
                        "location_check",
                        check,
                        f"names two pages on one host ({first}); the second page must be "
                        "independent of the first",
                    )
                )
        elif kind == "postcode":
            problems += _postcode_check(site, measured, rules)
    return problems


def _may_break_check_rules(
    sites: pd.DataFrame, distances: pd.DataFrame | None, rules: LocationRules, host: Any
) -> np.ndarray:
    """Return which rows :func:`location_check_problems` may refuse, testing whole columns."""
    precision = _column(sites, "location_precision")
    check = _column(sites, "location_check")
    checked = _column(sites, "location_checked")
    code = _column(sites, "postcode")
    unchecked = check.may_be("")
    may_fail = unchecked & (precision.may_be("site") | checked.filled())
    may_fail |= check.filled() & checked.may_be("")
    may_fail |= check.filled() & precision.may_be("postcode") & ~check.surely("postcode")
    may_fail |= _may_name_one_host(check, host)
    by_postcode = check.may_be("postcode")
    measured = code.may_be("")
    if distances is not None:
        located = distances["found"].to_numpy(dtype=bool)
        metres = distances["distance_m"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            far = metres > min(rules.check_max_m, rules.site_tolerance_m)
        measured |= ~located | far
    return may_fail | (by_postcode & measured)


def _may_name_one_host(check: _validate_text.Column, host: Any) -> np.ndarray:
    """Return which ``sources:`` checks may name two pages on one host.

    Where both URLs' hosts are plain names (letters, digits, dots, hyphens), the host is
    worked out here as :func:`layers.registry_checks.domain` does (lower case, no trailing dot
    or ``www.``); every other ``sources:`` check, or any check when ``host`` is another
    function, is left to the rule.
    """
    sources = check.search(_SOURCES_RE.pattern)
    if host is not registry_checks.domain:
        return sources
    rows = np.flatnonzero(sources & check.plain)
    # a sources: check is "sources: URL; URL", neither URL holding "; "
    urls = pc.split_pattern(check.text.take(rows), "; ", max_splits=1)
    first = _authority(pc.utf8_slice_codeunits(pc.list_element(urls, 0), len("sources: ")))
    second = _authority(pc.list_element(urls, 1))
    simple = _validate_text.bools(pc.match_substring_regex(first, r"^[A-Za-z0-9.-]+$"))
    simple &= _validate_text.bools(pc.match_substring_regex(second, r"^[A-Za-z0-9.-]+$"))
    same = _validate_text.bools(pc.equal(_plain_host(first), _plain_host(second)))
    sources[rows] = ~simple | same
    return sources


def _authority(urls: pa.Array) -> pa.Array:
    """Return what follows ``http://`` or ``https://`` up to the next ``/``.

    That is the URL's network location when no ``?`` or ``#`` comes first; when one does, it
    is in the result, which is then not a plain host name.
    """
    secure = pc.starts_with(urls, "https://")
    rest = pc.if_else(
        secure, pc.utf8_slice_codeunits(urls, 8), pc.utf8_slice_codeunits(urls, len("http://"))
    )
    return pc.list_element(pc.split_pattern(rest, "/", max_splits=1), 0)


def _plain_host(names: pa.Array) -> pa.Array:
    """Return plain host names as :func:`layers.registry_checks.normal_host` does."""
    lowered = pc.utf8_rtrim(pc.ascii_lower(names), characters=".")
    return pc.if_else(pc.starts_with(lowered, "www."), pc.utf8_slice_codeunits(lowered, 4), lowered)


def _column(sites: pd.DataFrame, name: str) -> _validate_text.Column:
    values = sites[name] if name in sites else pd.Series("", index=sites.index)
    return _validate_text.Column(values)


def _postcode_check(
    site: dict[str, Any], measured: dict[str, Any] | None, rules: LocationRules
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
            f"cannot vouch for a point {metres:,.0f} m from its postcode {code} (a postcode "
            f"check holds up to {rules.check_max_m:,.0f} m, with a note); check the point "
            "another way (osm:, sources:) or lower the precision"
        )
    elif metres > rules.site_tolerance_m and code not in _text(site.get("location_note")):
        message = (
            f"checks a point {metres:,.0f} m from its postcode {code} (limit "
            f"{rules.site_tolerance_m:,.0f} m) at {site.get('lat')}, {site.get('lon')}; say "
            f"in location_note why the site lies that far from {code} (name the postcode), "
            "or fix the point"
        )
    return [_problem(site, "location_check", "postcode", message)] if message else []


def note_problems(sites: pd.DataFrame, rules: LocationRules) -> list[Problem]:
    """Refuse notes that deny a check the row claims, or that name our own files and steps."""
    problems: list[Problem] = []
    if "location_note" not in sites or sites.empty:
        return problems
    patterns = [re.compile(p, re.IGNORECASE) for p in rules.note_patterns]
    for site in _records(sites[_may_break_note_rules(sites, patterns)], "location_note"):
        note = _text(site.get("location_note"))
        if not note:
            continue
        denied = DENIAL_RE.search(note)
        if denied:
            problems.append(
                _problem(
                    site,
                    "location_note",
                    note,
                    f"says {denied.group(0)!r}, while last_checked (and location_checked) "
                    "claim the row's pages and point were read; read them and drop the "
                    "phrase, or drop the unread page from the row and lower the precision",
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
                        f"names {named.group(0)!r}, part of our own work; notes are for "
                        "users: say what the sources show, not which files or steps gave it",
                    )
                )
                break
    return problems


def _may_break_note_rules(sites: pd.DataFrame, patterns: list[re.Pattern[str]]) -> np.ndarray:
    """Return which rows' notes may deny a check or match a forbidden pattern."""
    notes = _validate_text.Column(sites["location_note"])
    if not patterns:
        return notes.search(DENIAL_RE.pattern, ignore_case=True) & notes.filled()
    # The patterns are matched with the note's URLs left out, as the rule does; where no URL
    # was left out that text is the note, so one pass tests both the denial and the patterns.
    bare = _validate_text.replace(notes.text, _URL_RE.pattern, " ", ignore_case=True)
    either = "|".join(f"(?:{p})" for p in (DENIAL_RE.pattern, *(p.pattern for p in patterns)))
    may_fail = _validate_text.search(bare, notes.plain, either, ignore_case=True)
    linked = np.flatnonzero(_validate_text.bools(pc.not_equal(bare, notes.text)))
    if len(linked):
        denial = _validate_text.search(
            notes.text.take(linked), notes.plain[linked], DENIAL_RE.pattern, ignore_case=True
        )
        may_fail[linked] |= denial
    return may_fail & notes.filled()


def status_problems(sites: pd.DataFrame, *, today: date, stale_after_days: int) -> list[Problem]:
    """Check statuses against their dates and sources.

    A ``closing`` row whose ``closes`` has passed, a ``planned`` row whose ``opened`` has
    passed and an ``active`` row whose ``opened`` is to come are refused; every ``closing``,
    ``closed`` and ``planned`` row needs a ``status_source``, read (``last_checked``) within
    ``stale_after_days``.
    """
    problems: list[Problem] = []
    # the statuses as written (unstripped): a status with blanks around it is not one of these
    statuses = _validate_text.arrow_text(sites.get("status", pd.Series("", index=sites.index)))
    may_fail = _may_break_status_rules(sites, statuses, today, stale_after_days)
    for site in _records(
        sites[may_fail], "status", "opened", "closes", "status_source", "last_checked"
    ):
        status = _text(site.get("status"))
        opened = _text(site.get("opened"))
        closes = _text(site.get("closes"))
        if status == "closing" and closes and _has_passed(closes, today):
            problems.append(
                _problem(
                    site,
                    "closes",
                    closes,
                    f"has passed (today is {today.isoformat()}) on a closing row; if the site "
                    "closed, make it closed; if the date moved, give the new one from a source",
                )
            )
        if status == "planned" and opened and _has_passed(opened, today):
            problems.append(
                _problem(
                    site,
                    "opened",
                    opened,
                    f"has passed (today is {today.isoformat()}) on a planned row; if it opened, "
                    "make it active; if the date moved, give the new one from a source",
                )
            )
        if status == "active" and opened and _is_to_come(opened, today):
            problems.append(
                _problem(
                    site,
                    "status",
                    status,
                    f"says active but opened {opened} is to come; make it planned",
                )
            )
        if status not in SOURCED_STATUSES:
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
        read_on = read if isinstance(read, date) else _iso_date(_text(read))
        if read_on is not None and (today - read_on).days > stale_after_days:
            problems.append(
                _problem(
                    site,
                    "last_checked",
                    read_on.isoformat(),
                    f"is {(today - read_on).days} days old on a {status} row; read its "
                    f"status_source again (within {stale_after_days} days)",
                )
            )
    return problems


def _may_break_status_rules(
    sites: pd.DataFrame, statuses: pa.Array, today: date, stale_after_days: int
) -> np.ndarray:
    """Return which rows :func:`status_problems` may refuse, testing whole columns.

    Only a date that is surely a year (four ASCII digits) is judged here; any other is left
    to the rule.
    """
    opening = _column(sites, "opened")
    opening_years = opening.years()
    closing_years = _column(sites, "closes").years()
    # an active row fails only when it opens later than this year, or on a later day
    active = _validate_text.bools(pc.equal(statuses, "active"))
    may_fail = active & opening.filled() & ~((opening_years >= 0) & (opening_years <= today.year))
    sourced = _validate_text.bools(pc.is_in(statuses, pa.array(SOURCED_STATUSES)))
    if not sourced.any():
        return may_fail
    closing = _validate_text.bools(pc.equal(statuses, "closing"))
    planned = _validate_text.bools(pc.equal(statuses, "planned"))
    closes = _column(sites, "closes")
    passed = closing & closes.filled() & ~(closing_years >= today.year)
    passed |= planned & opening.filled() & ~(opening_years >= today.year)
    unsourced = _column(sites, "status_source").may_be("")
    read = _validate_text.dates(sites["last_checked"]) if "last_checked" in sites else None
    if read is None:
        stale = np.ones(len(sites), dtype=bool)
    else:
        limit = pa.scalar(today - timedelta(days=stale_after_days), pa.date32())
        stale = _validate_text.bools(pc.less(read, limit))
    return may_fail | (sourced & (passed | unsourced | stale))


def capability_source_problems(sites: pd.DataFrame) -> list[Problem]:
    """Refuse a ``capability_sources`` pair whose tag is not one of the row's capabilities."""
    problems: list[Problem] = []
    if "capability_sources" not in sites or sites.empty:
        return problems
    cited = _validate_text.Column(sites["capability_sources"]).filled()
    for site in _records(sites[cited], "capabilities", "capability_sources"):
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


def row_urls(site: dict[str, Any], columns: Iterable[str]) -> list[tuple[str, str]]:
    """Return (column, URL) for every URL written in ``columns`` of a row, notes included."""
    found = []
    for column in columns:
        for url in _URL_RE.findall(_text(site.get(column))):
            found.append((column, url.rstrip(".")))
    return found


def _has_passed(value: str, today: date) -> bool:
    """Say whether a year is over, or a date before today."""
    if len(value) == 4 and value.isdigit():
        return int(value) < today.year
    day = _iso_date(value)
    return day is not None and day < today


def _is_to_come(value: str, today: date) -> bool:
    if len(value) == 4 and value.isdigit():
        return int(value) > today.year
    day = _iso_date(value)
    return day is not None and day > today


def _iso_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or _text(value) == ""


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _records(frame: pd.DataFrame, *columns: str) -> list[dict[str, Any]]:
    wanted = [c for c in ("row", "site_id", "lat", "lon", *columns) if c in frame.columns]
    return [{str(k): v for k, v in r.items()} for r in frame[wanted].to_dict("records")]


def _problem(site: dict[str, Any], field: str, value: str, message: str) -> Problem:
    return Problem(int(site.get("row", 0) or 0), str(site["site_id"]), field, str(value), message)
