"""The map in words: a short description of the current view, for screen readers and notes.

It comes from the same selection and belt the map draws (:func:`layers.summary.describe_view`),
with the official registers' figures for the districts holding the view's sites (the layers
that are built; the others say how to load them), and is shown as plain text: district and
capability names come from data.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from layers import filters, summary
from layers.registers_figures import RegisterSources
from layers.selection import Selection
from ui.registers import loaded_sources


def map_in_words(
    selected: Selection,
    registry: gpd.GeoDataFrame,
    criteria: filters.SiteFilter,
    *,
    registers: RegisterSources | None = None,
) -> str:
    """Return the description of what the map shows now, the registers' figures included.

    ``registers`` defaults to the built register layers (:func:`ui.registers.loaded_sources`).
    """
    return summary.describe_view(
        selected.registry_sites,
        registry,
        corridor=selected.corridor,
        year=criteria.as_of,
        planned=criteria.planned,
        registers=registers if registers is not None else loaded_sources(),
    )


def show_map_in_words(
    selected: Selection, registry: gpd.GeoDataFrame, criteria: filters.SiteFilter
) -> None:
    """Show the description under the map (text only, never Markdown)."""
    st.markdown("**The map in words**")
    st.text(map_in_words(selected, registry, criteria))
