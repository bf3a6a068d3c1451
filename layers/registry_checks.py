"""Checks on the registry that look beyond one cell: postcodes, shared points, sources, dates.

The Table Schema checks each value on its own (:mod:`layers._validate`). These checks compare
values with each other and with the outside world:

- a ``site``-precision point must lie within 500 m of its postcode's point (ONSPD by default),
  unless ``location_note`` says why; a ``postcode``-precision point must *be* that point;
- two rows may share a coordinate only when each names the other in ``location_note``;
- no URL of a row (its source columns, and any URL or host name written in its notes,
  description, ``location_check`` or ``capability_sources``) may be on the schema's list of
  mirror and aggregator domains, hosts compared in lower case without a trailing dot or
  ``www.``; Wikipedia may give coordinates (``location_source``, a ``sources:`` check, a note)
  but never a fact (``source_url``, ``status_source``, ``capability_sources``);
- ``status``, ``opened`` and ``closes`` must agree with each other.

Each failed check is a :class:`~layers._validate.Problem` (an error); a ``last_checked`` older
than a year is a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Transformer

import settings
from layers import _validate_text
from layers._metric import transformer
from layers._validate import Problem

#: The URL columns whose domains are checked.
SOURCE_COLUMNS: tuple[str, ...] = ("source_url", "location_source", "status_source")
#: Text columns whose URLs and host names are checked too.
TEXT_COLUMNS: tuple[str, ...] = (
    "location_note",
    "description",
    "location_check",
    "capability_sources",
)
#: Columns whose URLs must be facts' sources (so not an encyclopaedia).
FACT_COLUMNS: tuple[str, ...] = ("source_url", "status_source", "capability_sources")
#: A host name written in text, with or without a scheme (a trailing dot allowed).
_HOST_RE = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}\.?)(?![\w-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SourceRules:
    """The schema's ``sourceRules``: denied domains and distance tolerances."""

    denied: tuple[str, ...]
    coordinate_only: tuple[str, ...]
    site_tolerance_m: float
    postcode_tolerance_m: float
    stale_after_days: int

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> SourceRules:
        """Read the rules from a registry schema (defaults when it has none)."""
        rules = schema.get("sourceRules", {})
        return cls(
            denied=tuple(rules.get("deniedDomains", ())),
            coordinate_only=tuple(rules.get("coordinateOnlyDomains", ())),
            site_tolerance_m=float(rules.get("sitePostcodeToleranceM", 500)),
            postcode_tolerance_m=float(rules.get("postcodePointToleranceM", 25)),
            stale_after_days=int(rules.get("staleAfterDays", 365)),
        )


def domain(url: str) -> str:
    """Return the host of ``url`` normalised: lower case, no trailing dot, no ``www.``."""
    try:
        host = urlsplit(str(url or "").strip()).hostname or ""
    except ValueError:
        return ""
    return normal_host(host)


def normal_host(host: str) -> str:
    """Return a host name in lower case, without trailing dots or a leading ``www.``."""
    return host.strip().lower().rstrip(".").removeprefix("www.")


def on_domain(url: str, domains: Iterable[str]) -> str:
    """Return which of ``domains`` ``url`` is on (the domain or a subdomain of it), or ''."""
    return host_on(domain(url), domains)


def host_on(host: str, domains: Iterable[str]) -> str:
    """Return which of ``domains`` a normalised host is (or is a subdomain of), or ''."""
    for name in domains:
        if host == name or host.endswith("." + name):
            return name
    return ""


def source_problems(sites: pd.DataFrame, rules: SourceRules) -> list[Problem]:
    """Refuse mirror and aggregator domains anywhere in a row, and Wikipedia as a fact source."""
    problems = []
    columns = [c for c in (*SOURCE_COLUMNS, *TEXT_COLUMNS) if c in sites]
    # A column's cell can fail only when it names a denied domain, or (in a fact column) a
    # coordinate-only one; each column's problems are its own, so only those cells are read.
    flagged = {}
    for column in columns:
        watched = (*rules.denied, *(rules.coordinate_only if column in FACT_COLUMNS else ()))
        flagged[column] = _may_be_on(sites[column], watched)
    chosen = np.logical_or.reduce(list(flagged.values())) if flagged else np.zeros(0, bool)
    rows = np.flatnonzero(chosen)
    for position, site in zip(rows, _records(sites.iloc[rows], *columns), strict=True):
        seen: set[tuple[str, str]] = set()
        named = [column for column in columns if flagged[column][position]]
        for column, url, host in _row_hosts(site, named):
            denied = host_on(host, rules.denied)
            if denied and (column, denied) not in seen:
                seen.add((column, denied))
                problems.append(
                    _problem(
                        site,
                        column,
                        url,
                        f"is on {denied}, a mirror or aggregator; cite the original page "
                        "(the operator, gov.uk, Parliament, a council, Companies House or "
                        "reputable press)",
                    )
                )
            elif column in FACT_COLUMNS and host_on(host, rules.coordinate_only):
                problems.append(
                    _problem(
                        site,
                        column,
                        url,
                        "is an encyclopaedia page: it may give coordinates (location_source) "
                        "but a fact needs a primary source",
                    )
                )
    return problems


def _row_hosts(site: dict[str, Any], columns: Iterable[str]) -> list[tuple[str, str, str]]:
    """Return (column, URL or host as written, normalised host) for every host in a row."""
    found = []
    for column in columns:
        text = _text(site.get(column))
        if not text:
            continue
        if column in SOURCE_COLUMNS:
            found.append((column, text, domain(text)))
            continue
        # a URL's host, and every bare host name written in the text
        for written in _HOST_RE.findall(text):
            found.append((column, written, normal_host(written)))
    return found


def shared_point_problems(sites: pd.DataFrame) -> list[Problem]:
    """Refuse two rows on one coordinate unless each names the other in ``location_note``."""
    problems = []
    lat, lon = sites["lat"].round(5), sites["lon"].round(5)
    # only rows whose rounded point repeats can share one (equal text means equal numbers)
    sites = sites[pd.DataFrame({"lat": lat, "lon": lon}).duplicated(keep=False).to_numpy()]
    keys = sites["lat"].round(5).astype(str) + "," + sites["lon"].round(5).astype(str)
    for _, group in sites.groupby(keys, sort=False):
        if len(group) < 2:
            continue
        ids = list(group["site_id"])
        for site in _records(group, "lat", "lon", "location_note"):
            note = _text(site.get("location_note"))
            unnamed = [other for other in ids if other != site["site_id"] and other not in note]
            if unnamed:
                problems.append(
                    _problem(
                        site,
                        "lat/lon",
                        f"{site['lat']}, {site['lon']}",
                        f"is also the point of {', '.join(unnamed)}; if they share a site or "
                        "a postcode, name each other in location_note, otherwise fix the point",
                    )
                )
    return problems


def timeline_problems(sites: pd.DataFrame, *, today: date) -> tuple[list[Problem], list[Problem]]:
    """Check that ``status``, ``opened`` and ``closes`` agree; return (problems, warnings).

    A closing site with no announced year is a warning; a closing date that has passed is an
    error of :func:`layers.location_checks.status_problems`.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    dated = _may_break_timeline_rules(sites, today)
    for site in _records(sites[dated], "status", "opened", "closes"):
        status = _text(site.get("status"))
        opened = _text(site.get("opened"))
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
        if status == "closed" and closes and int(closes[:4]) > today.year:
            problems.append(
                _problem(site, "status", status, f"says closed but closes {closes} is to come")
            )
        if status == "closing" and not closes:
            warnings.append(
                _problem(site, "closes", "", "is empty: no closure year is announced yet")
            )
    return problems, warnings


def _may_break_timeline_rules(sites: pd.DataFrame, today: date) -> np.ndarray:
    """Return which rows :func:`timeline_problems` may refuse or warn about.

    Rows whose dates are each empty or surely a year (four ASCII digits from 1000 to 2200)
    and whose status is plain text are judged here; every other row is left to the rule.
    """
    empty = pd.Series("", index=sites.index)
    status = _validate_text.Column(sites.get("status", empty))
    opening = _validate_text.Column(sites.get("opened", empty))
    closing = _validate_text.Column(sites.get("closes", empty))
    opened, closes = opening.years(), closing.years()
    judged = status.plain.copy()
    for column, years in ((opening, opened), (closing, closes)):
        judged &= column.surely("") | ((years >= 1000) & (years <= 2200))
    has_opened, has_closes = opening.filled(), closing.filled()
    fails = has_opened & has_closes & (closes < opened)
    fails |= status.surely("closed") & has_closes & (closes > today.year)
    fails |= status.surely("closing") & ~has_closes
    return ~judged | fails


def postcode_problems(
    sites: pd.DataFrame, found: pd.DataFrame, rules: SourceRules
) -> tuple[list[Problem], list[Problem]]:
    """Compare each row's point with its postcode's; return (problems, warnings).

    Parameters
    ----------
    sites
        Registry rows with ``lat``, ``lon``, ``postcode``, ``location_precision`` and
        ``location_note``.
    found
        :func:`postcode_distances` of the same rows.
    rules
        Tolerances.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    # Only these rows can fail: postcode precision without a postcode, a postcode not found,
    # or a point beyond its precision's tolerance; the loop below decides exactly.
    written = _validate_text.arrow_text(sites["location_precision"])  # compared unstripped
    on_postcode = _validate_text.bools(pc.equal(written, "postcode"))
    on_site = _validate_text.bools(pc.equal(written, "site"))
    codes = _validate_text.Column(sites.get("postcode", pd.Series("", index=sites.index)))
    located = found["found"].to_numpy(dtype=bool)
    distances = found["distance_m"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        far = (on_postcode & (distances > rules.postcode_tolerance_m)) | (
            on_site & (distances > rules.site_tolerance_m)
        )
    may_fail = (on_postcode & codes.may_be("")) | (codes.filled() & (~located | far))
    chosen = sites[may_fail]
    columns = ("location_precision", "postcode", "location_note", "lat", "lon")
    pairs = zip(_records(chosen, *columns), _records(found[may_fail]), strict=True)
    for site, check in pairs:
        precision = site["location_precision"]
        code = _text(site.get("postcode"))
        note = _text(site.get("location_note")).strip()
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


def postcode_distances(sites: pd.DataFrame, lookup: Any) -> pd.DataFrame:
    """Return, per row, whether its postcode was found, its point and the distance to it.

    ``lookup`` is :func:`layers.postcodes.lookup` (passed in so tests can give another index).
    Rows without a postcode get ``found`` False and an empty message.
    """
    codes = sites["postcode"].fillna("").astype(str) if "postcode" in sites else None
    if codes is None:
        codes = pd.Series("", index=sites.index)
    given = (codes != "").to_numpy(dtype=bool)
    # a row without a postcode is never looked up: it is not found, with no message
    points = lookup(list(codes[given]))
    found = np.zeros(len(sites), dtype=bool)
    found[given] = points["found"].to_numpy(dtype=bool)
    message = np.full(len(sites), "", dtype=object)
    message[given] = points["message"].fillna("").to_numpy(dtype=object)
    px = np.full(len(sites), np.nan)
    py = np.full(len(sites), np.nan)
    distance = np.full(len(sites), np.nan)
    if found.any():
        geoms = points.geometry[found[given]]
        px[found], py[found] = geoms.x.to_numpy(), geoms.y.to_numpy()
        to_metric = _to_metric()
        sx, sy = to_metric.transform(
            sites["lon"].to_numpy(float)[found], sites["lat"].to_numpy(float)[found]
        )
        qx, qy = to_metric.transform(px[found], py[found])
        distance[found] = np.hypot(np.asarray(sx) - np.asarray(qx), np.asarray(sy) - qy)
    return pd.DataFrame(
        {"found": found, "message": message, "lon": px, "lat": py, "distance_m": distance},
        index=sites.index,
    )


def _to_metric() -> Transformer:
    return transformer(settings.CRS_STORAGE, settings.CRS_METRIC)


def stale_warnings(sites: pd.DataFrame, rules: SourceRules, *, today: date) -> list[Problem]:
    """Warn about rows last checked more than ``rules.stale_after_days`` ago."""
    warnings = []
    limit = pd.Timestamp(today) - pd.Timedelta(days=rules.stale_after_days)
    days = _validate_text.dates(sites["last_checked"])
    if days is not None:  # dates as the validator types them, compared without Python
        old = _validate_text.bools(pc.less(days, pa.scalar(limit.date(), pa.date32())))
    else:
        checked_on = pd.to_datetime(sites["last_checked"].astype(str), errors="coerce")
        old = (checked_on < limit).to_numpy()
    for site in _records(sites[old], "last_checked"):
        checked = site["last_checked"]
        if not isinstance(checked, date):
            checked = date.fromisoformat(str(checked))
        age = (today - checked).days
        if age > rules.stale_after_days:
            warnings.append(
                _problem(
                    site,
                    "last_checked",
                    checked.isoformat(),
                    f"is {age} days old; check the row against its sources again",
                )
            )
    return warnings


def _may_be_on(urls: pd.Series, domains: Iterable[str]) -> np.ndarray:
    """Return which cells may name a host on one of ``domains``; the row's rule then decides.

    A host is part of its URL or text, so a cell naming a host on a domain contains the
    domain's name, in any case, when the cell is printable ASCII. Any other cell (whose lower
    case may differ, or with a tab or line break, which ``urlsplit`` drops) is a candidate.
    """
    names = [name for name in domains if name]
    if not names or urls.empty:
        return np.zeros(len(urls), dtype=bool)
    texts = _validate_text.arrow_text(urls)
    pattern = "|".join(re.escape(name) for name in names)
    named = _validate_text.bools(pc.match_substring_regex(texts, pattern, ignore_case=True))
    return named | ~_validate_text.bools(pc.ascii_is_printable(texts))


def _text(value: object) -> str:
    """Return a cell as text: '' for None and NaN (an empty optional column)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


def _real_date(value: str) -> bool:
    try:
        if len(value) == 4:
            return 1000 <= int(value) <= 2200
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _records(frame: pd.DataFrame, *columns: str) -> list[dict[str, Any]]:
    """Return rows as dicts: ``row``, ``site_id`` and ``columns`` (every column when none)."""
    if columns:
        wanted = [c for c in ("row", "site_id", *columns) if c in frame.columns]
        frame = frame[wanted]
    return [{str(k): v for k, v in record.items()} for record in frame.to_dict("records")]


def _problem(site: dict[str, Any], field: str, value: str, message: str) -> Problem:
    return Problem(int(site.get("row", 0) or 0), str(site["site_id"]), field, str(value), message)
