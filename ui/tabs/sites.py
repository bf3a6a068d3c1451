"""The Sites tab: a sortable table of the selected sites, in words."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers import timeline, vocabulary

#: The columns the table shows, in order, with their headings.
COLUMNS: dict[str, Any] = {
    "name": "Site",
    "organisation": "Organisation",
    "kind": "Kind",
    "status": "Status",
    "capabilities": st.column_config.TextColumn("Capabilities", width="large"),
    "town": "Town",
    "postcode": "Postcode",
    "lad_name": "District",
    "ca_name": "Combined authority",
    "location_precision": "Location",
    "source_url": st.column_config.LinkColumn("Source", display_text="open"),
    "last_checked": "Checked",
}


def sites_table(selected: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the selected sites as the table shows them: labels, not slugs."""
    table = pd.DataFrame(selected.drop(columns="geometry"))
    table["capabilities"] = table["capabilities"].map(
        lambda caps: "; ".join(vocabulary.capability_label(c) for c in caps)
    )
    table["kind"] = table["kind"].map(vocabulary.kind_label)
    table["status"] = [
        timeline.status_text(status, opened, closes)
        for status, opened, closes in zip(
            table["status"], table["opened"], table["closes"], strict=True
        )
    ]
    return table[list(COLUMNS)]


def sites_tab(selected: gpd.GeoDataFrame) -> None:
    """Show a sortable table of the selected sites (text only: never markup)."""
    st.dataframe(
        sites_table(selected),
        hide_index=True,
        width="stretch",
        column_config=COLUMNS,
    )
