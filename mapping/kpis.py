"""The live counts of a selection that the app's KPI strip and the offline map's KPI box show."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from layers import filters


@dataclass(frozen=True)
class LiveCounts:
    """Counts of the selected sites, as the KPI strip and box show them.

    Attributes
    ----------
    sites
        How many sites are selected.
    organisations
        How many distinct organisations run them.
    districts
        How many Midlands districts (LADs) hold at least one of them.
    capabilities
        How many capabilities of the vocabulary at least one of them has.
    """

    sites: int
    organisations: int
    districts: int
    capabilities: int


def live_counts(sites: pd.DataFrame) -> LiveCounts:
    """Return the counts of ``sites`` the KPIs show (a site outside the Midlands has no LAD)."""
    if sites.empty:
        return LiveCounts(sites=0, organisations=0, districts=0, capabilities=0)
    districts = sites.loc[sites["lad_code"].fillna("") != "", "lad_code"].nunique()
    present = sum(1 for count in filters.capability_counts(sites).values() if count)
    return LiveCounts(
        sites=len(sites),
        organisations=int(sites["organisation"].nunique()),
        districts=int(districts),
        capabilities=present,
    )
