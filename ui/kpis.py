"""The KPI strip: live counts of the selection, then the Blueprint's headline figures."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from layers import blueprint, vocabulary
from mapping.kpis import live_counts

#: How many districts (LADs) the Midlands has.
MIDLANDS_DISTRICTS = 67


def kpi_strip(selected: gpd.GeoDataFrame, total: int) -> None:
    """Show live counts of ``selected`` (of ``total`` registry sites), then headline figures."""
    counts = live_counts(selected)
    live = st.columns(4)
    live[0].metric("Sites selected", f"{counts.sites}", help=f"of {total} in the registry")
    live[1].metric("Organisations", f"{counts.organisations}")
    live[2].metric(
        "Districts covered", f"{counts.districts}", help=f"of the Midlands' {MIDLANDS_DISTRICTS}"
    )
    live[3].metric(
        "Capabilities present",
        f"{counts.capabilities}",
        help=f"of the {len(vocabulary.CAPABILITIES)} in the Blueprint vocabulary",
    )
    st.caption(f"Headline figures from the {blueprint.BLUEPRINT_TITLE}")
    figures = st.columns(len(blueprint.HEADLINE_FIGURES))
    for column, item in zip(figures, blueprint.HEADLINE_FIGURES, strict=True):
        column.markdown(f"**{item.display}**  \n{item.label}", help=item.wording)
        column.caption(item.citation)
