"""Time on the map: when a site opened, when it closes, and whether it is open in a year.

The registry's ``status`` (active, closing, closed, planned) with ``opened`` and ``closes``
(a year or an ISO date, empty when unknown) say when a site is on the map. A planned site
may carry the year it was announced (an optional ``announced`` column); without one it is
shown in every year, marked as planned.
"""

from __future__ import annotations

from datetime import date

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


def default_year() -> int:
    """Return the year the app and the command line count sites for when none is asked: now."""
    return date.today().year


def open_in(sites: pd.DataFrame, year: int, *, planned: bool = False) -> pd.Series:
    """Return which ``sites`` are on the map in ``year`` (a boolean Series).

    A site with no dates and no status is taken as open: uploads and older registries carry
    neither. Only a date or a ``planned``/``closed`` status leaves a site out.

    With ``planned``, a site whose status is ``planned`` is kept from the year it was
    announced (``announced``, when the registry carries it) or in every year when no year
    is known, whatever its opening year: the map marks it as planned.
    """
    missing = pd.Series("", index=sites.index)
    status = sites["status"].fillna("") if "status" in sites else missing
    opened = year_of(sites["opened"]) if "opened" in sites else year_of(missing)
    closes = year_of(sites["closes"]) if "closes" in sites else year_of(missing)
    not_yet = (opened > year) | ((status == "planned") & opened.isna())
    gone = (closes < year) | ((status == "closed") & closes.isna())
    on_map = ~(not_yet | gone)
    if planned:
        announced = year_of(sites["announced"]) if "announced" in sites else year_of(missing)
        on_map |= (status == "planned") & ~(announced > year) & ~gone
    return on_map


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
