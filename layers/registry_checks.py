"""Checks on the registry that look beyond one cell: postcodes, shared points, sources, dates.

The Table Schema checks each value on its own (:mod:`layers._validate`). These checks compare
values with each other and with the outside world:

- a ``site``-precision point must lie within 500 m of its postcode's Code-Point Open point,
  unless ``location_note`` says why; a ``postcode``-precision point must *be* that point;
- two rows may share a coordinate only when each names the other in ``location_note``;
- ``source_url``, ``location_source`` and ``status_source`` may not be on the schema's list of
  mirror and aggregator domains, and Wikipedia may be only a ``location_source``;
- ``status``, ``opened`` and ``closes`` must agree with each other.

Each failed check is a :class:`~layers._validate.Problem` (an error); a ``last_checked`` older
than a year is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
from pyproj import Transformer

import settings
from layers._validate import Problem

#: The URL columns whose domains are checked.
SOURCE_COLUMNS: tuple[str, ...] = ("source_url", "location_source", "status_source")


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
    """Return the host of ``url`` in lower case, without a leading ``www.`` ('' when none)."""
    host = (urlsplit(str(url or "").strip()).hostname or "").lower()
    return host.removeprefix("www.")


def on_domain(url: str, domains: Iterable[str]) -> str:
    """Return which of ``domains`` ``url`` is on (the domain or a subdomain of it), or ''."""
    host = domain(url)
    for name in domains:
        if host == name or host.endswith("." + name):
            return name
    return ""


def source_problems(sites: pd.DataFrame, rules: SourceRules) -> list[Problem]:
    """Refuse mirror and aggregator domains, and Wikipedia anywhere but ``location_source``."""
    problems = []
    watched = (*rules.denied, *rules.coordinate_only)
    flagged = pd.Series(False, index=sites.index)
    for column in SOURCE_COLUMNS:
        if column in sites:
            hosts = sites[column].fillna("").astype(str).map(domain)
            flagged |= hosts.map(lambda host: bool(on_domain("//" + host, watched)))
    for site in _records(sites[flagged.to_numpy()]):
        for column in SOURCE_COLUMNS:
            url = _text(site.get(column))
            if not url:
                continue
            denied = on_domain(url, rules.denied)
            if denied:
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
            elif column != "location_source" and on_domain(url, rules.coordinate_only):
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


def shared_point_problems(sites: pd.DataFrame) -> list[Problem]:
    """Refuse two rows on one coordinate unless each names the other in ``location_note``."""
    problems = []
    keys = sites["lat"].round(5).astype(str) + "," + sites["lon"].round(5).astype(str)
    for _, group in sites.groupby(keys, sort=False):
        if len(group) < 2:
            continue
        ids = list(group["site_id"])
        for site in _records(group):
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

    What time alone makes stale (a closing site whose year has passed, a closing site with no
    announced year) is a warning: the row needs a fresh look, not a different file.
    """
    problems: list[Problem] = []
    warnings: list[Problem] = []
    dated = pd.Series(False, index=sites.index)
    for column in ("opened", "closes"):
        if column in sites:
            dated |= sites[column].map(_text) != ""
    if "status" in sites:
        dated |= sites["status"].map(_text) == "closing"
    for site in _records(sites[dated.to_numpy()]):
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
        if status == "closing" and closes and int(closes[:4]) < today.year:
            warnings.append(
                _problem(
                    site,
                    "status",
                    status,
                    f"says closing but {closes} has passed; check whether it closed",
                )
            )
    return problems, warnings


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
    for site, check in zip(_records(sites), _records(found), strict=True):
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
    points = lookup(list(codes))
    found = points["found"].to_numpy(dtype=bool) & (codes.to_numpy() != "")
    to_metric = Transformer.from_crs(settings.CRS_STORAGE, settings.CRS_METRIC, always_xy=True)
    px = np.full(len(sites), np.nan)
    py = np.full(len(sites), np.nan)
    if found.any():
        geoms = points.geometry[found]
        px[found], py[found] = geoms.x.to_numpy(), geoms.y.to_numpy()
    sx, sy = to_metric.transform(sites["lon"].to_numpy(float), sites["lat"].to_numpy(float))
    qx, qy = to_metric.transform(px, py)
    return pd.DataFrame(
        {
            "found": found,
            "message": np.where(codes.to_numpy() == "", "", points["message"].fillna("")),
            "lon": px,
            "lat": py,
            "distance_m": np.where(
                found, np.hypot(np.asarray(sx) - np.asarray(qx), np.asarray(sy) - qy), np.nan
            ),
        },
        index=sites.index,
    )


def stale_warnings(sites: pd.DataFrame, rules: SourceRules, *, today: date) -> list[Problem]:
    """Warn about rows last checked more than ``rules.stale_after_days`` ago."""
    warnings = []
    checked_on = pd.to_datetime(sites["last_checked"].astype(str), errors="coerce")
    limit = pd.Timestamp(today) - pd.Timedelta(days=rules.stale_after_days)
    for site in _records(sites[(checked_on < limit).to_numpy()]):
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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in record.items()} for record in frame.to_dict("records")]


def _problem(site: dict[str, Any], field: str, value: str, message: str) -> Problem:
    return Problem(int(site.get("row", 0) or 0), str(site["site_id"]), field, str(value), message)
