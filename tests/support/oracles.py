"""Expected values written by hand for the tests, independent of the code under test."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any


def open_in_year(
    site: Mapping[str, Any], year: int | None = None, *, planned: bool = False
) -> bool:
    """Say whether a registry row is on the map in ``year`` (default: this year).

    The rule as a reader states it: a site is shown from the year it opens to the year it
    closes, both included; a planned site with no opening year, or a closed one with no closing
    year, is not shown. With ``planned`` (the app's default), a planned site is shown whatever
    its opening year, unless it was announced after ``year`` or has closed by then.
    """
    year = date.today().year if year is None else year
    opened = int(str(site["opened"])[:4]) if site.get("opened") else None
    closes = int(str(site["closes"])[:4]) if site.get("closes") else None
    announced = int(str(site["announced"])[:4]) if site.get("announced") else None
    if planned and site.get("status") == "planned":
        return (announced is None or announced <= year) and (closes is None or closes >= year)
    if opened is not None and opened > year:
        return False
    if site.get("status") == "planned" and opened is None:
        return False
    if closes is not None and closes < year:
        return False
    return not (site.get("status") == "closed" and closes is None)
