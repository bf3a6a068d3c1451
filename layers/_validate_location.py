"""Which registry rows may break the location rules, found by testing whole columns.

:mod:`layers.location_checks` writes each message from one row; these tests (Arrow, exact on
printable-ASCII cells: :mod:`layers._validate_text`) pick the rows its rules must read. A row
left out here is one the rule would pass.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from layers import registry_checks
from layers._validate_text import Column, bools, dates, replace, search

#: A ``sources:`` check: two pages.
SOURCES_RE = re.compile(r"^sources: (https?://[^\s;]+); (https?://[^\s;]+)$")
#: Phrases that deny a check (the point or a page was not read).
DENIAL_RE = re.compile(
    r"\bnot\s+(?:been\s+|yet\s+)?(?:re-?)?(?:read|checked|verified)\b"
    r"|\bunverified\b"
    r"|\bcould\s+not\s+be\s+(?:re-?)?(?:read|checked|verified|opened)\b",
    re.IGNORECASE,
)
#: A URL written in text.
URL_RE = re.compile(r"https?://[^\s;,)\"'<>]+", re.IGNORECASE)
#: Statuses that need a source of their own.
SOURCED_STATUSES: tuple[str, ...] = ("closing", "closed", "planned")


def may_break_check_rules(
    sites: pd.DataFrame,
    distances: pd.DataFrame | None,
    *,
    site_tolerance_m: float,
    check_max_m: float,
    host: Any,
) -> np.ndarray:
    """Return which rows :func:`~layers.location_checks.location_check_problems` may refuse."""
    precision = column(sites, "location_precision")
    check = column(sites, "location_check")
    checked = column(sites, "location_checked")
    code = column(sites, "postcode")
    unchecked = check.may_be("")
    may_fail = unchecked & (precision.may_be("site") | checked.filled())
    may_fail |= check.filled() & checked.may_be("")
    may_fail |= check.filled() & precision.may_be("postcode") & ~check.surely("postcode")
    may_fail |= _may_name_one_host(check, host)
    # a postcode check fails without a postcode, or one not found or too far from the point
    by_postcode = check.may_be("postcode")
    unvouched = code.may_be("")
    if distances is not None:
        located = distances["found"].to_numpy(dtype=bool)
        metres = distances["distance_m"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            far = metres > min(check_max_m, site_tolerance_m)
        unvouched |= ~located | far
    return may_fail | (by_postcode & unvouched)


def _may_name_one_host(check: Column, host: Any) -> np.ndarray:
    """Return which ``sources:`` checks may name two pages on one host.

    Where both URLs' hosts are plain names (letters, digits, dots, hyphens), the host is
    worked out here as :func:`layers.registry_checks.domain` does (lower case, no trailing dot
    or ``www.``); every other ``sources:`` check, or any check when ``host`` is another
    function, is left to the rule.
    """
    sources = check.search(SOURCES_RE.pattern)
    if host is not registry_checks.domain:
        return sources
    rows = np.flatnonzero(sources & check.plain)
    # a sources: check is "sources: URL; URL", neither URL holding "; "
    urls = pc.split_pattern(check.text.take(rows), "; ", max_splits=1)
    first = _authority(pc.utf8_slice_codeunits(pc.list_element(urls, 0), len("sources: ")))
    second = _authority(pc.list_element(urls, 1))
    simple = bools(pc.match_substring_regex(first, r"^[A-Za-z0-9.-]+$"))
    simple &= bools(pc.match_substring_regex(second, r"^[A-Za-z0-9.-]+$"))
    same = bools(pc.equal(_plain_host(first), _plain_host(second)))
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


def column(sites: pd.DataFrame, name: str) -> Column:
    """Return a column of ``sites`` as the rules read it (all '' when it is missing)."""
    values = sites[name] if name in sites else pd.Series("", index=sites.index)
    return Column(values)


def may_break_note_rules(notes: pd.Series, patterns: list[re.Pattern[str]]) -> np.ndarray:
    """Return which notes may deny a check or match a forbidden pattern."""
    column = Column(notes)
    if not patterns:
        return column.search(DENIAL_RE.pattern, ignore_case=True) & column.filled()
    # The patterns are matched with the note's URLs left out, as the rule does; where no URL
    # was left out that text is the note, so one pass tests both the denial and the patterns.
    bare = replace(column.text, URL_RE.pattern, " ", ignore_case=True)
    either = "|".join(f"(?:{p})" for p in (DENIAL_RE.pattern, *(p.pattern for p in patterns)))
    may_fail = search(bare, column.plain, either, ignore_case=True)
    linked = np.flatnonzero(bools(pc.not_equal(bare, column.text)))
    if len(linked):
        denial = search(
            column.text.take(linked), column.plain[linked], DENIAL_RE.pattern, ignore_case=True
        )
        may_fail[linked] |= denial
    return may_fail & column.filled()


def may_break_status_rules(
    sites: pd.DataFrame, statuses: pa.Array, today: date, stale_after_days: int
) -> np.ndarray:
    """Return which rows :func:`~layers.location_checks.status_problems` may refuse.

    Only a date that is surely a year (four ASCII digits) is judged here; any other is left
    to the rule.
    """
    opening = column(sites, "opened")
    opening_years = opening.years()
    closing_years = column(sites, "closes").years()
    # an active row fails only when it opens later than this year, or on a later day
    active = bools(pc.equal(statuses, "active"))
    may_fail = active & opening.filled() & ~((opening_years >= 0) & (opening_years <= today.year))
    sourced = bools(pc.is_in(statuses, pa.array(SOURCED_STATUSES)))
    if not sourced.any():
        return may_fail
    closing = bools(pc.equal(statuses, "closing"))
    planned = bools(pc.equal(statuses, "planned"))
    closes = column(sites, "closes")
    passed = closing & closes.filled() & ~(closing_years >= today.year)
    passed |= planned & opening.filled() & ~(opening_years >= today.year)
    unsourced = column(sites, "status_source").may_be("")
    read = dates(sites["last_checked"]) if "last_checked" in sites else None
    if read is None:
        stale = np.ones(len(sites), dtype=bool)
    else:
        limit = pa.scalar(today - timedelta(days=stale_after_days), pa.date32())
        stale = bools(pc.less(read, limit))
    return may_fail | (sourced & (passed | unsourced | stale))
