"""The explorer's map and the site card beside it, and the belt's share under them.

The map is the live map (:mod:`mapping.livemap`): built once per session and data version, it
receives each new selection as data and keeps the reader's zoom unless "fit to the selection"
moves it. The map and the card are one fragment, so a pan or zoom reruns only them (and writes
the view into the link); a click on a new site reruns the page, so the sites table paints the
site's row.

Only the older folium map draws the light grey tiles and the density heat: when the reader
asks for either, the map falls back to it (with a note) until they are switched off.
"""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

import settings
from layers import estates
from layers.selection import Selection
from mapping import build_map
from mapping.livemap import MapEvent, live_map
from ui import caches, keys, site_card, url_state
from ui.map_overlays import map_overlays
from ui.options import OLDER_MAP_NOTE, MapOptions
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
            event = None
            if options.needs_folium:
                _folium_map(selected, options, version)
            else:
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
    return live_map(
        base,
        selected.registry_sites,
        key=keys.SITE_MAP,
        uploads=selected.uploads,
        fit=not options.keep_view,
        selected_ids=highlighted_ids(table_ids),
        view=url_state.current_view(),
        overlays=map_overlays(selected, options, version),
        height=MAP_HEIGHT,
        cluster=True if options.cluster_markers else "auto",
    )


def _folium_map(selected: Selection, options: MapOptions, version: str) -> None:
    """Draw the older folium map, the only one with light tiles and the density heat."""
    found_clusters: gpd.GeoDataFrame | None = None
    heat: list[list[float]] | None = None
    if options.clusters or options.heat:
        found_clusters, heat = caches.cached_analysis(
            selected.registry_sites, tuple(sorted(selected.registry_sites["site_id"])), version
        )
    footprints = estates.load_estates() if options.estates else None
    fmap = build_map(
        selected.registry_sites,
        boundaries_dir=settings.BOUNDARIES_DIR,
        basemap=options.basemap,
        cluster_markers=options.cluster_markers,
        show_wards=options.show_wards,
        corridor=selected.corridor,
        clusters=found_clusters if options.clusters else None,
        heat_points=heat if options.heat else None,
        estates=None if footprints is None or footprints.empty else footprints,
        uploads=selected.uploads,
    )
    st.caption(
        f"Showing the older map for the light tiles or the density heat. {OLDER_MAP_NOTE} "
        "Switch both off in the sidebar to get the live map back."
    )
    st_folium(
        fmap,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=[],
        key="site-map-folium",
    )


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
