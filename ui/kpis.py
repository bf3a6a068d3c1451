"""The KPI line: live counts of the selection in one compact line; the Blueprint's figures.

The map comes first on the page, so the counts take one line above it and the Blueprint's
headline figures wait in an expander below it.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from layers import blueprint, filters, summary, vocabulary
from mapping.kpis import live_counts

#: How many districts (LADs) the Midlands has.
MIDLANDS_DISTRICTS = 67


def kpi_text(selected: gpd.GeoDataFrame, counted: int, scope: str) -> str:
    """Return the one-line KPI text (Markdown, numbers only: nothing from data).

    ``counted`` sites are what the view is counted against, and ``scope`` says which
    ("open or planned in 2026": :func:`layers.summary.counted_against` and
    :func:`layers.summary.scope`), as the map in words says them.
    """
    counts = live_counts(selected)
    return (
        f"**{counts.sites}** of {counted} sites {scope} · "
        f"**{counts.organisations}** organisations · "
        f"**{counts.districts}** of {MIDLANDS_DISTRICTS} districts · "
        f"**{counts.capabilities}** of {len(vocabulary.CAPABILITIES)} capabilities"
    )


def kpi_strip(
    selected: gpd.GeoDataFrame, registry: gpd.GeoDataFrame, criteria: filters.SiteFilter
) -> None:
    """Show the live counts of ``selected`` in one line.

    They are counted of the registry's sites that the filters' year (and planned choice) leave
    on the map.
    """
    counted = summary.counted_against(registry, criteria.as_of, planned=criteria.planned)
    st.markdown(kpi_text(selected, len(counted), summary.scope(criteria.as_of, counted)))


def blueprint_figures() -> None:
    """Show the Blueprint's headline figures, folded away below the map."""
    with st.expander(f"Headline figures from the {blueprint.BLUEPRINT_TITLE}"):
        figures = st.columns(len(blueprint.HEADLINE_FIGURES))
        for column, item in zip(figures, blueprint.HEADLINE_FIGURES, strict=True):
            column.markdown(f"**{item.display}**  \n{item.label}", help=item.wording)
            column.caption(item.citation)
