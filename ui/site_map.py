"""The explorer's map: the selection, the layers the sidebar asks for, and the belt's share."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

import settings
from layers import corridor as belt
from layers import estates
from mapping import build_map
from ui import caches
from ui.filtering import Selected
from ui.options import MapOptions
from ui.text import plain


def site_map(selected: Selected, options: MapOptions, version: str) -> None:
    """Draw the map of the selection with the layers the sidebar asks for."""
    found_clusters: gpd.GeoDataFrame | None = None
    heat: list[list[float]] | None = None
    if options.clusters or options.heat:
        found_clusters, heat = caches.cached_analysis(
            selected.sites, tuple(sorted(selected.sites["site_id"])), version
        )
    footprints = estates.load_estates()
    fmap = build_map(
        selected.sites,
        boundaries_dir=settings.BOUNDARIES_DIR,
        basemap=options.basemap,
        cluster_markers=options.cluster_markers,
        show_wards=options.show_wards,
        corridor=selected.corridor,
        clusters=found_clusters if options.clusters else None,
        heat_points=heat if options.heat else None,
        estates=None if footprints.empty else footprints,
        uploads=selected.uploads,
    )
    st_folium(fmap, height=640, use_container_width=True, returned_objects=[], key="site-map")


def belt_caption(selected: Selected) -> None:
    """Say under the map what share of the selection the belt holds, and that it is a model."""
    if selected.corridor is None:
        return
    headline = belt.corridor_summary(selected.base, selected.corridor).headlines()[0]
    st.caption(
        f"{plain(headline)} The belt is a computed model, not a drawn boundary: the "
        "Defence Belt tab says how."
    )
