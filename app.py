"""Midlands Defence Capability Map: the Streamlit app.

This file sets up the page and wires the :mod:`ui` modules together: it holds no geometry and
no widgets of its own. Run it with ``make run``.
"""

from __future__ import annotations

import logging

import streamlit as st

from ui import keys, site_card, url_state
from ui.filtering import select
from ui.header import header
from ui.in_words import show_map_in_words
from ui.kpis import blueprint_figures, kpi_strip
from ui.presenter import present_panel, presenter
from ui.registry import load_registry
from ui.sidebar import sidebar
from ui.site_map import belt_caption, site_map
from ui.tabs.areas import areas_tab
from ui.tabs.belt import belt_tab
from ui.tabs.export import export_tab
from ui.tabs.sites import chosen_ids, sites_tab
from ui.tabs.sources import sources_tab
from ui.uploads_panel import uploads_panel

logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

st.set_page_config(
    page_title="Midlands Defence Capability Map",
    page_icon="🛡️",
    layout="wide",
    initial_sidebar_state="collapsed" if url_state.presenting() else "auto",
)


def main() -> None:
    """Draw the page: presenter mode for a scene link, else the explorer."""
    data = load_registry()
    if url_state.presenting():
        presenter(data.sites, data.version, data.stamps)
    url_state.read_link(data.sites)
    criteria, options = sidebar(data.sites)
    upload = uploads_panel(data.sites, data.version, data.stamps)
    present_panel()
    selected = select(
        data.sites,
        criteria,
        options,
        version=data.version,
        stamps=data.stamps,
        uploads=None if upload is None else upload.sites,
        upload_name="" if upload is None else upload.name,
    )
    # the table is drawn below the map, but the map highlights the rows chosen in it
    table_ids = chosen_ids(selected.registry_sites)
    site_card.take_table_choice(table_ids)
    url_state.remember_in_url(criteria, options, data.version)

    header(criteria, data.version)
    kpi_strip(selected.registry_sites, data.sites, criteria)
    site_map(selected, options, data.version, data.stamps, table_ids=table_ids)
    belt_caption(selected, options, data.version, data.stamps)
    show_map_in_words(selected, data.sites, criteria)
    blueprint_figures()
    # only the open tab's content runs (a tab switch reruns the page), but the sites table
    # always does: the map highlights the rows ticked in it
    tab_sites, tab_areas, tab_belt, tab_export, tab_sources = st.tabs(
        ["Sites", "Areas", "Defence Belt", "Export", "Data and sources"],
        key=keys.TAB,
        on_change="rerun",
    )
    with tab_sites:
        sites_tab(selected.registry_sites, highlight=site_card.card_site(), selectable=True)
        if selected.uploads is not None and not selected.uploads.empty:
            st.markdown(f"**Your uploaded sites** ({len(selected.uploads)} shown with the filters)")
            sites_tab(selected.uploads, highlight=site_card.card_site())
    if tab_areas.open:
        with tab_areas:
            areas_tab(selected.registry_sites, data.stamps, selected.criteria.areas)
    if tab_belt.open:
        with tab_belt:
            belt_tab(selected.belt_sites, selected.corridor)
    if tab_export.open:
        with tab_export:
            # the exports hold what the map shows, the user's uploaded sites credited to the file
            export_tab(selected)
    if tab_sources.open:
        with tab_sources:
            sources_tab(data.version, data.sites)


main()
