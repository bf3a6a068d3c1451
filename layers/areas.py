"""The authority levels sites are counted by, and the counts behind the areas view and tooltips.

:data:`AUTHORITY_LEVELS` is the one table of levels: for each, the registry's code and name
columns (added by ``layers.placement.assign_areas``), the boundary layer that draws it, its
label, and what a site in no area of the level is called. Every table by area (the areas view,
the belt's share by authority, the exports) reads its columns from here.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import pandas as pd

from layers import vocabulary


class AreaLevel(NamedTuple):
    """One authority level: where its sites' areas are, how it is drawn and named."""

    code_column: str
    name_column: str
    layer: str
    label: str
    unplaced: str


AuthorityLevel = Literal["lad", "county", "ca", "region"]

#: Every authority level, finest first: level -> :class:`AreaLevel`.
AUTHORITY_LEVELS: dict[str, AreaLevel] = {
    "lad": AreaLevel("lad_code", "lad_name", "lads", "District (LAD)", "Outside the Midlands"),
    "county": AreaLevel(
        "county_code",
        "county_name",
        "counties",
        "County or unitary authority",
        "Outside the Midlands",
    ),
    "ca": AreaLevel(
        "ca_code",
        "ca_name",
        "combined_authorities",
        "Combined authority",
        "Not in a combined authority",
    ),
    "region": AreaLevel("region_code", "region_name", "regions", "Region", "Outside the Midlands"),
}
#: The levels the areas view and the exports offer, in the order they are offered.
LEVELS: dict[str, AreaLevel] = {level: AUTHORITY_LEVELS[level] for level in ("ca", "county", "lad")}
#: Boundary layer -> its label, for the legend (wards are drawn but count no sites).
BOUNDARY_LABELS: dict[str, str] = {
    **{level.layer: level.label for level in AUTHORITY_LEVELS.values()},
    "wards": "Ward",
}


def authority_level(level: str) -> AreaLevel:
    """Return the :class:`AreaLevel` named ``level``, or say which names there are."""
    if level not in AUTHORITY_LEVELS:
        raise ValueError(
            f"level {level!r} is not an authority level; choose one of "
            f"{', '.join(repr(name) for name in AUTHORITY_LEVELS)}"
        )
    return AUTHORITY_LEVELS[level]


def site_areas(sites: pd.DataFrame, level: str) -> tuple[np.ndarray, np.ndarray]:
    """Return each site's area code and name at ``level`` as text arrays ("" where unplaced)."""
    found = authority_level(level)
    columns = []
    for column in (found.code_column, found.name_column):
        if column in sites.columns:
            columns.append(sites[column].fillna("").astype(str).to_numpy(dtype=object))
        else:
            columns.append(np.array([""] * len(sites), dtype=object))
    return columns[0], columns[1]


def capability_table(sites: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """Return sites per area (rows) by capability (columns), with a ``Sites`` total.

    A site with several capabilities counts once under each, and once in the total. Sites in
    no area of ``level`` (e.g. outside every combined authority) are left out.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown area level {level!r}; choose one of {', '.join(LEVELS)}")
    code, name = LEVELS[level].code_column, LEVELS[level].name_column
    placed = sites[sites[code] != ""]
    columns = ["Code", "Area", "Sites", *vocabulary.CAPABILITIES.values()]
    if placed.empty:
        return pd.DataFrame(columns=columns)
    listed = vocabulary.site_capabilities(placed["capabilities"])
    long = placed[[code, name]].iloc[listed.index].assign(capability=listed.to_numpy())
    table = pd.crosstab([long[code], long[name]], long["capability"])
    table = table.reindex(columns=list(vocabulary.CAPABILITIES), fill_value=0)
    table.columns = list(vocabulary.CAPABILITIES.values())
    totals = placed.groupby([code, name]).size().rename("Sites")
    table = table.join(totals).reset_index().rename(columns={code: "Code", name: "Area"})
    return (
        table[columns]
        .sort_values(["Sites", "Area"], ascending=[False, True])
        .reset_index(drop=True)
    )
