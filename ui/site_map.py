"""The explorer's map and the site card beside it, and the belt's share under them.

The map is the live map (:mod:`mapping.livemap`): built once per session and data version, it
receives each new selection as data and keeps the reader's zoom unless "fit to the selection"
moves it. The map and the card are one fragment, so a pan or zoom reruns only them (and writes
the view into the link); a click on a new site reruns the page, so the sites table paints the
site's row. The light grey tiles and the density heat are drawn on the same map.
"""

from __future__ import annotations

import streamlit as st

import settings
from layers.selection import Selection
from mapping.livemap import MapEvent, light_tiles, live_map
from mapping.livemap.rows import colour_capabilities
from ui import caches, keys, registers_map, site_card, url_state
from ui.map_overlays import map_overlays
from ui.options import MapOptions
from ui.text import plain

#: The map's height in pixels: with the title and the counts above it, the whole map fits a
#: 1366x768 screen.
MAP_HEIGHT = 620
#: The map's and the card's shares of the page's width.
MAP_COLUMNS = (3, 1)


def site_map(
    selected: Selection,
    options: MapOptions,
    version: str,
    stamps: caches.DataStamps,
    *,
    table_ids: list[str],
) -> None:
    """Draw the map of the selection and the card of the chosen site beside it.

    Parameters
    ----------
    selected
        The selection, its belt and the user's sites.
    options
        What the sidebar asks the map to draw ("Keep my view" among them).
    version, stamps
        The data version and the files' stamps (they key the cached base and clusters).
    table_ids
        The sites chosen in the sites table: highlighted, and the view fits them.
    """
    _map_and_card(selected, options, version, stamps, tuple(table_ids))


@st.fragment
def _map_and_card(
    selected: Selection,
    options: MapOptions,
    version: str,
    stamps: caches.DataStamps,
    table_ids: tuple[str, ...],
) -> None:
    # a keyed container: the map keeps its place (and is never mounted again) whatever the
    # page shows above it
    with st.container(key="map-and-card"):
        map_column, card_column = st.columns(MAP_COLUMNS)
        with map_column:
            event = _live_map(selected, options, version, stamps, table_ids)
        if event is not None:
            url_state.remember_view(event["view"])
            if site_card.take_click(event["clicked"], event["clicks"]):
                st.rerun(scope="app")  # the sites table paints the clicked site's row
        with card_column, st.container(height=MAP_HEIGHT, border=True, key="site-card"):
            site_card.site_card(selected, site_card.card_site())


def highlighted_ids(table_ids: tuple[str, ...]) -> list[str]:
    """Return the sites the map highlights: the table's choice, else the open card's site."""
    if table_ids:
        return list(table_ids)
    card = site_card.card_site()
    return [card] if card else []


def _live_map(
    selected: Selection,
    options: MapOptions,
    version: str,
    stamps: caches.DataStamps,
    table_ids: tuple[str, ...],
) -> MapEvent | None:
    base = caches.cached_map_base(
        str(settings.BOUNDARIES_DIR), stamps.boundaries, wards=options.show_wards
    )
    heat = None
    if options.heat:
        _, heat = caches.cached_analysis(
            selected.registry_sites, tuple(sorted(selected.registry_sites["site_id"])), version
        )
    sites = selected.registry_sites
    # each site coloured by the first chosen capability it has: the legend counts what is drawn
    sites = sites.assign(
        colour_capability=colour_capabilities(sites, selected.criteria.capabilities)
    )
    registers = registers_map.map_registers(keys.SITE_MAP, stamps)
    event = live_map(
        base,
        sites,
        key=keys.SITE_MAP,
        uploads=selected.uploads,
        fit=not options.keep_view,
        selected_ids=highlighted_ids(table_ids),
        view=url_state.current_view(),
        overlays=map_overlays(selected, options, version),
        height=MAP_HEIGHT,
        cluster=True if options.cluster_markers else "auto",
        tiles=light_tiles() if options.basemap == "light" else None,
        heat=heat,
        registers=registers,
    )
    registers_map.sent(keys.SITE_MAP, registers)
    return event


def belt_caption(
    selected: Selection, options: MapOptions, version: str, stamps: caches.DataStamps
) -> None:
    """Say under the map what share of the selection the belt holds, and that it is a model."""
    if selected.corridor is None:
        return
    headline = caches.belt_headline(
        selected.belt_sites,
        selected.corridor,
        width_km=options.width_km,
        mode=options.mode,
        version=version,
        stamps=stamps,
    )
    st.caption(
        f"{plain(headline)} The belt is a computed model, not a drawn boundary: the "
        "Defence Belt tab says how."
    )
