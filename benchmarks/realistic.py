"""Realistic dress for synthetic registries: long text, real-looking sources, postcodes.

The plain synthetic rows (:mod:`benchmarks.synthetic`) are short. The real registry's are not:
a location note of about 330 characters, a description of about 180, a source URL of about
90, a location source on nearly every row (often an encyclopaedia page), a status source on
one row in six, an opening year on one in three and a postcode on one in four. Validation
cost grows with the text, and the postcode and source checks only run on rows that have them,
so the benchmark times the load on rows dressed like that as well.

Postcodes come from the built postcode index (the ONS Postcode Directory by default): a row
takes the postcode nearest its point, and a quarter of those become ``postcode``-precision rows
moved onto the postcode's point (each postcode used by one such row only, so no two rows share
a point).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from layers import postcodes

#: Share of rows with a postcode, and of those, the share moved onto the postcode's point.
POSTCODE_SHARE: float = 0.25
POSTCODE_PRECISION_SHARE: float = 0.25
#: Shares of rows with an opening year, a status source, an encyclopaedia location source.
OPENED_SHARE: float = 0.33
STATUS_SOURCE_SHARE: float = 0.16
ENCYCLOPAEDIA_SHARE: float = 0.4
#: Shares of closing and planned sites (the rest are active).
CLOSING_SHARE: float = 0.04
PLANNED_SHARE: float = 0.01
#: How far beyond the points' bounding box postcodes are searched (metres).
_SEARCH_MARGIN_M: float = 20_000.0

# Our own phrases, combined at random into notes and descriptions of realistic length.
_NOTE_PHRASES = (
    "point read on the operator's site plan at the main gate of the works",
    "the address postcode's point sits on the estate road, about 300 m from the buildings",
    "the company lists this unit on its contact page with a full street address",
    "the industrial estate has several units of the same firm; the point is the largest",
    "checked against the council's planning portal, which names the same unit number",
    "the trade directory entry gives only the town, so the point is the town centre",
    "second source: the firm's annual report names the site and its product lines",
    "the business park's own map shows the unit beside the roundabout on the ring road",
)
_DESCRIPTION_PHRASES = (
    "machines precision parts for armoured vehicle drivetrains and turrets",
    "supplies composite panels and fairings to military aircraft programmes",
    "designs rugged electronics and secure radios for land and air platforms",
    "runs a test house for environmental, shock and vibration qualification",
    "trains engineering apprentices for the regional defence supply chain",
    "repairs and overhauls gearboxes and power packs under long-term contracts",
    "develops battery and hybrid power systems for uncrewed ground vehicles",
    "holds quality approvals for aerospace and defence work and exports widely",
)
_NEWS_DOMAINS = (
    "www.expressandstar.com",
    "www.birminghampost.co.uk",
    "www.derbytelegraph.co.uk",
    "www.gov.uk",
    "www.business-live.co.uk",
)


def nearest_postcodes(
    x: np.ndarray, y: np.ndarray, index: postcodes.PostcodeIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the nearest postcode with coordinates to each EPSG:27700 point, and its point.

    Returns
    -------
    codes, easting, northing
        One per point.
    """
    keep = index.quality != postcodes.NO_COORDINATES_QUALITY
    keep &= index.easting >= x.min() - _SEARCH_MARGIN_M
    keep &= index.easting <= x.max() + _SEARCH_MARGIN_M
    keep &= index.northing >= y.min() - _SEARCH_MARGIN_M
    keep &= index.northing <= y.max() + _SEARCH_MARGIN_M
    easting = index.easting[keep].astype(float)
    northing = index.northing[keep].astype(float)
    _, nearest = cKDTree(np.column_stack([easting, northing])).query(np.column_stack([x, y]))
    return index.postcodes[keep][nearest].astype(str), easting[nearest], northing[nearest]


def choose_postcodes(
    x: np.ndarray, y: np.ndarray, rng: np.random.Generator, index: postcodes.PostcodeIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Give a share of the points their nearest postcode; move some onto its point.

    Returns
    -------
    x, y, codes, on_postcode
        The points (moved where ``on_postcode``), each row's postcode ('' for none), and
        which rows now sit on their postcode's point.
    """
    count = len(x)
    codes = np.full(count, "", dtype=object)
    on_postcode = np.zeros(count, dtype=bool)
    chosen = rng.random(count) < POSTCODE_SHARE
    if not chosen.any():
        return x, y, codes, on_postcode
    found, easting, northing = nearest_postcodes(x[chosen], y[chosen], index)
    codes[chosen] = found
    moved = rng.random(int(chosen.sum())) < POSTCODE_PRECISION_SHARE
    # one postcode-precision row per postcode: two rows on one point need each other's names
    moved &= ~pd.Series(found).where(moved).duplicated().to_numpy()
    rows = np.flatnonzero(chosen)[moved]
    x, y = x.copy(), y.copy()
    x[rows], y[rows] = easting[moved], northing[moved]
    on_postcode[rows] = True
    return x, y, codes, on_postcode


def dress(sites: pd.DataFrame, rng: np.random.Generator, *, today: date) -> None:
    """Give ``sites`` (in place) the long notes, descriptions and sources of real rows."""
    count = len(sites)
    org = sites["organisation"].str.lower().str.replace(r"[^a-z0-9]+", "-", regex=True)
    org = org.str.strip("-").str.slice(0, 40)
    sites["location_note"] = _sentences(_NOTE_PHRASES, rng, count, 4)
    described = (
        sites["name"].to_numpy(dtype=object)
        + " "
        + _sentences(_DESCRIPTION_PHRASES, rng, count, 2, capital=False)
    )
    sites["description"] = pd.Series(described, index=sites.index).str.slice(0, 400)
    news = np.array(_NEWS_DOMAINS)[rng.integers(0, len(_NEWS_DOMAINS), size=count)]
    years = rng.integers(2019, today.year + 1, size=count).astype(str)
    sites["source_url"] = (
        "https://"
        + pd.Series(news, index=sites.index)
        + "/news/"
        + years
        + "/"
        + org
        + "-wins-contract-and-expands-"
        + sites["site_id"]
        + "/"
    )
    encyclopaedia = rng.random(count) < ENCYCLOPAEDIA_SHARE
    town_page = "https://en.wikipedia.org/wiki/" + sites["town"].str.replace(" ", "_")
    own_page = "https://www." + org + ".co.uk/contact-us/find-our-sites"
    sites["location_source"] = np.where(encyclopaedia, town_page, own_page)
    with_status = rng.random(count) < STATUS_SOURCE_SHARE
    opened = rng.random(count) < OPENED_SHARE
    years = rng.integers(1950, today.year, size=count).astype(str)
    state = rng.random(count)
    closing = state < CLOSING_SHARE
    planned = (state >= CLOSING_SHARE) & (state < CLOSING_SHARE + PLANNED_SHARE)
    later = rng.integers(today.year + 1, today.year + 6, size=count).astype(str)
    # as the registry's rules ask: a closing or planned row cites its announcement, and a
    # planned row opens in a year still to come
    cited = with_status | closing | planned
    sites["status_source"] = np.where(cited, own_page + "/news", "")
    sites["opened"] = np.where(planned, later, np.where(opened, years, ""))
    sites["status"] = np.where(closing, "closing", np.where(planned, "planned", "active"))
    sites["closes"] = np.where(closing, later, "")


def _sentences(
    phrases: tuple[str, ...],
    rng: np.random.Generator,
    count: int,
    per_row: int,
    *,
    capital: bool = True,
) -> np.ndarray:
    """Join ``per_row`` random phrases per row into one sentence each."""
    picks = rng.integers(0, len(phrases), size=(count, per_row))
    table = np.array(phrases, dtype=object)[picks]
    joined = pd.Series(table[:, 0])
    joined = joined.str.capitalize() if capital else joined
    for column in range(1, per_row):
        joined = joined + "; " + pd.Series(table[:, column])
    return (joined + ".").to_numpy(dtype=object)
