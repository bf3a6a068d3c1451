"""Counting the selected sites by authority: the numbers behind the areas view and tooltips."""

from __future__ import annotations

import pandas as pd

from layers import vocabulary

#: Area level -> (site code column, site name column, boundary layer, label).
LEVELS: dict[str, tuple[str, str, str, str]] = {
    "ca": ("ca_code", "ca_name", "combined_authorities", "Combined authority"),
    "county": ("county_code", "county_name", "counties", "County or unitary authority"),
    "lad": ("lad_code", "lad_name", "lads", "District (LAD)"),
}


def capability_table(sites: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """Return sites per area (rows) by capability (columns), with a ``Sites`` total.

    A site with several capabilities counts once under each, and once in the total. Sites in
    no area of ``level`` (e.g. outside every combined authority) are left out.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown area level {level!r}; choose one of {', '.join(LEVELS)}")
    code, name, _, _ = LEVELS[level]
    placed = sites[sites[code] != ""]
    columns = ["Code", "Area", "Sites", *vocabulary.CAPABILITIES.values()]
    if placed.empty:
        return pd.DataFrame(columns=columns)
    long = placed[[code, name, "site_id", "capabilities"]].explode("capabilities")
    table = pd.crosstab([long[code], long[name]], long["capabilities"])
    table = table.reindex(columns=list(vocabulary.CAPABILITIES), fill_value=0)
    table.columns = list(vocabulary.CAPABILITIES.values())
    totals = placed.groupby([code, name]).size().rename("Sites")
    table = table.join(totals).reset_index().rename(columns={code: "Code", name: "Area"})
    return (
        table[columns]
        .sort_values(["Sites", "Area"], ascending=[False, True])
        .reset_index(drop=True)
    )
