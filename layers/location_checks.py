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
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from layers import _validate_location, _validate_text
from layers._validate import Problem
from layers._validate_location import DENIAL_RE, SOURCED_STATUSES, SOURCES_RE, URL_RE

#: The kinds of ``location_check``.
CHECK_KINDS: tuple[str, ...] = ("postcode", "osm", "sources")
_OSM_RE = re.compile(r"^osm:(node|way|relation)/([1-9][0-9]*)$")


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
    if SOURCES_RE.match(text):
        return "sources"
    return ""


def check_urls(value: object) -> list[str]:
    """Return the two URLs of a ``sources:`` check (empty for other kinds)."""
    found = SOURCES_RE.match(_text(value))
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
    may_fail = _validate_location.may_break_check_rules(
        sites,
        distances,
        site_tolerance_m=rules.site_tolerance_m,
        check_max_m=rules.check_max_m,
        host=host,
    )
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
    for site in _records(
        sites[_validate_location.may_break_note_rules(sites["location_note"], patterns)],
        "location_note",
    ):
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
        bare = URL_RE.sub(" ", note)
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
    may_fail = _validate_location.may_break_status_rules(sites, statuses, today, stale_after_days)
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
        for url in URL_RE.findall(_text(site.get(column))):
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
