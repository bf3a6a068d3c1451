"""Hostile registry rows, typed as the validator holds them, for the cross checks' tests.

Each column draws its cells at random (seeded) from a pool of values that break, nearly
break or dodge a rule: denied and encyclopaedia hosts in every case and spelling, non-ASCII
look-alikes, tabs and vertical tabs, odd URLs (user info, ports, IPv6, empty hosts), notes
that deny a check or name our files, every status against past and future dates, and empty
cells as '', blanks, NaN and None. Nothing here comes from the code under test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

NAN = float("nan")
#: Candidate cells per column.
POOLS: dict[str, list[object]] = {
    "location_precision": ["site", "site", "street", "town", "postcode", " site", "", NAN],
    "postcode": ["CV1 1DD", "CV1 1DD", "", NAN, " ", "WS1 1AA"],
    "status": ["active", "active", "closing", "closed", "planned", " active", "Active", NAN],
    "opened": [
        *("", NAN, "2020", "2026", "2027", "2026-12-01", "2026-11-30", "2026-11-29"),
        *("20261201", "\uff12\uff10\uff12\uff17", "0999", " 2027 ", "abcd", "2026-W50-1"),
    ],
    "closes": ["", NAN, "2020", "2026", "2030", "2026-11-29", "2026-12-24", "2025", " 2024"],
    "status_source": ["", NAN, "https://example.org/news", " ", "https://en.wikipedia.org/x"],
    "last_checked": [date(2026, 11, 1), date(2024, 1, 1), date(2025, 11, 30), date(2025, 11, 29)],
    "location_checked": [None, date(2026, 11, 1), date(2020, 1, 1), None],
    "source_url": [
        *("https://example.org/a", "https://wikimili.com/x", "https://WWW.WikiMili.com./x"),
        *("https://en.wikipedia.org/wiki/X", "https://military-history.fandom.com/x"),
        *("https://notwikimili.com/x", "https://wiki\tmili.com/x", "https://wikimili.c\u03bfm/x"),
        *("http://user@yell.com:80/x", "https://[::1]/x", "https://[bad/x", " https://fandom.com "),
        *("", NAN, "wikimili.com", "ftp://academic.ru/x", "https://de.wikipedia.org/x"),
        "https://www.gov.uk/x",
    ],
    "location_source": [
        *("https://en.wikipedia.org/wiki/Y", "https://example.org/map", "https://wikiwand.com/y"),
        *("", NAN, "https://EN.WIKIPEDIA.ORG/wiki/Y", "https://maps.example.org/z"),
    ],
    "description": [
        *("", "A works.", "see wikimili.com and WIKIMILI.COM.", "copy on https://documents.pub/x"),
        *("en.wikipedia.org", "x@wikimili.com", "wikimili.com-foo", "moam.info./x", "kiddle.co.uk"),
        *("wikipedia.org says", "caf\u00e9 on fandom.com", "tab\twikimili.com", "A works.  "),
    ],
    "location_note": [
        *("", NAN, "   ", "point not read", "page NOT  been re-checked", "UNVERIFIED point"),
        *("could not be opened", "not\u00a0read", "not\x0bchecked", "not\tread", "not readable"),
        *("knot read", "see notes.md for why", "from data.csv", "https://x.org/registry page"),
        *("registryhttps://x.org/a", "our registry says", "the Audit", "helpers", "stored pages"),
        *("this pass", "existing_v2 row", "the validator", "https://example.org/file.md"),
        *("file.MD", "caf\u00e9 registry", "\u017ftored page", "  registry  ", "all good here"),
        *("https://wikimili.com/x", "en.wikipedia.org point", "fragment", "CV1 1DD is 900 m"),
        *("point 600 m from CV1 1DD, by the gate", "the audit of audits", "aaudit", "udit"),
        *("our registry", "a\u212audit", "notes.md", "x notes.md y", "fragments\u2019 page"),
        "point read on the operator's site plan at the main gate of the works",
        "see https://x.org/not read",
    ],
    "location_check": [
        *("", NAN, "postcode", " postcode ", "Postcode", "osm:way/123", "osm:way/0123"),
        *("osm:node/5\n", "osm:relation/9", "garbage", "sources: https://a.org/x; https://b.org/y"),
        "sources: https://a.org/x; https://A.ORG./y",
        "sources: https://www.a.org/x; https://a.org/y",
        "sources: https://user@a.org/x; https://a.org/y",
        "sources: https://a.org:80/x; https://a.org/y",
        "sources: https://a.org/x; https://b.org:80@a.org/y",
        "sources: https://[::1]/x; https://[::1]/y",
        "sources: https://[::1/x; https://b.org/y",
        "sources: http:///x; http:///y",
        "sources: https://a.org?x; https://a.org#y",
        "sources: https://caf\u00e9.org/x; https://CAF\u00c9.org/y",
        "sources: https://a.org/x;https://a.org/y",
        "sources:  https://a.org/x; https://a.org/y",
        "sources: https://a.org/x; https://a.org/y ",
        "sources: https://a_b.org/x; https://A_B.org/y",
        "sources: https://wikimili.com/x; https://b.org/y",
        "sources: https://a.org/x; https://www.b.org/y",
    ],
    "capability_sources": [
        *(None, "", "land_systems https://moam.info/x", "cyber https://example.org/z"),
        "land_systems https://en.wikipedia.org/x; istar https://example.org/y",
        "  land_systems https://a.org  ",
        "land_systems",
    ],
}
#: What a row's ``capabilities`` may hold.
CAPABILITIES: list[object] = [["land_systems"], ["land_systems", "istar"], [], ("istar",)]


def hostile_sites(
    seed: int, *, strings: bool, size: int = 1500, pools: dict[str, list[object]] = POOLS
) -> pd.DataFrame:
    """Return ``size`` hostile rows: text columns as ``str`` (``strings``) or as objects."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "row": np.arange(2, size + 2),
            "site_id": [f"hostile-{number:05d}" for number in range(size)],
            "lat": rng.choice([52.4, 52.40001, 52.5123456], size=size),
            "lon": rng.choice([-1.5, -1.50002], size=size),
            "capabilities": [CAPABILITIES[i] for i in rng.integers(0, len(CAPABILITIES), size)],
        }
    )
    for column, pool in pools.items():
        cells = pd.Series([pool[i] for i in rng.integers(0, len(pool), size)], dtype=object)
        dated = column in ("last_checked", "location_checked", "capability_sources")
        frame[column] = cells.astype("str") if strings and not dated else cells
    if not strings:  # dates as text, and a missing one, among the dates
        frame.loc[rng.random(size) < 0.2, "last_checked"] = "2024-03-01"
        frame.loc[rng.random(size) < 0.05, "last_checked"] = None
    return frame


def hostile_distances(sites: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Return a postcode distances frame for ``sites``: found or not, near, far and NaN."""
    rng = np.random.default_rng(seed + 100)
    size = len(sites)
    metres = [0.0, 100.0, 499.0, 500.5, 501.0, 999.0, 1999.0, 2000.0, 2001.0, 5000.0, NAN]
    found = rng.random(size) < 0.8
    return pd.DataFrame(
        {
            "found": found,
            "message": np.where(found, "", "not in the index (made up)"),
            "lon": -1.5,
            "lat": 52.4,
            "distance_m": np.where(found, rng.choice(metres, size=size), NAN),
        },
        index=sites.index,
    )
