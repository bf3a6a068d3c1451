"""Time on the map: when a site opened, when it closes, and whether it is open in a year.

The registry's ``status`` (active, closing, closed, planned) with ``opened`` and ``closes``
(a year or an ISO date, empty when unknown) say when a site is on the map.
"""

from __future__ import annotations

import pandas as pd

#: Status slug -> label (the schema's enumLabels say the same).
STATUS_LABELS: dict[str, str] = {
    "active": "Active",
    "closing": "Closing",
    "closed": "Closed",
    "planned": "Planned",
}


def year_of(values: pd.Series) -> pd.Series:
    """Return the year of each ``opened``/``closes`` value (a year or ISO date; NA when empty)."""
    text = values.fillna("").astype(str).str.strip()
    return pd.to_numeric(text.str.slice(0, 4).where(text.str.match(r"^\d{4}")), errors="coerce")


def open_in(sites: pd.DataFrame, year: int) -> pd.Series:
    """Return which ``sites`` are open at some point of ``year`` (a boolean Series).

    A site with no dates and no status is taken as open: uploads and older registries carry
    neither. Only a date or a ``planned``/``closed`` status leaves a site out.
    """
    missing = pd.Series("", index=sites.index)
    status = sites["status"].fillna("") if "status" in sites else missing
    opened = year_of(sites["opened"]) if "opened" in sites else year_of(missing)
    closes = year_of(sites["closes"]) if "closes" in sites else year_of(missing)
    not_yet = (opened > year) | ((status == "planned") & opened.isna())
    gone = (closes < year) | ((status == "closed") & closes.isna())
    return ~(not_yet | gone)


def status_text(status: str, opened: str = "", closes: str = "") -> str:
    """Return a site's status as a reader sees it: "Active", "Closing, closes 2029" ...

    >>> status_text("closing", closes="2029-03-31")
    'Closing, closes 2029'
    """
    closes_year = str(closes or "")[:4]
    opens_year = str(opened or "")[:4]
    if status == "closing":
        return f"Closing, closes {closes_year}" if closes_year else "Closing"
    if status == "closed":
        return f"Closed {closes_year}" if closes_year else "Closed"
    if status == "planned":
        return f"Planned, opens {opens_year}" if opens_year else "Planned"
    if status == "active" and closes_year:
        return f"Active, closes {closes_year}"
    return STATUS_LABELS.get(status, "")
