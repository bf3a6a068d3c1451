"""Presenter mode: one preset scene full width, with previous, next and exit, for a pitch."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit_folium import st_folium

import settings
from layers import filters, summary
from mapping import build_map, credits, export, scenes, standalone
from ui import caches, filtering, keys, presenter_keys
from ui.options import MapOptions
from ui.text import plain


def _scene_from_link() -> scenes.Scene | None:
    """Return the scene the link names (the overview, with a warning, for an unknown one)."""
    try:
        return scenes.scene_from_query(st.query_params.to_dict())
    except KeyError as exc:
        st.warning(f"{plain(exc.args[0])} Showing the overview.")
        return scenes.SCENES[0]


def _scene_buttons(scene: scenes.Scene, year: int | None) -> DeltaGenerator:
    """Draw previous, next and exit around the title; return the title's column.

    The arrow keys and PageUp/PageDown (what a clicker sends) press previous and next.
    """
    back, title, forward, leave = st.columns([1, 8, 1, 1])
    if back.button(
        "◀ Previous",
        use_container_width=True,
        key=presenter_keys.PREVIOUS_KEY,
        help="Previous scene (Left arrow or PageUp)",
    ):
        previous = scenes.next_scene(scene, step=-1)
        st.query_params.from_dict(scenes.scene_to_query(previous, year=year))
        st.rerun()
    if forward.button(
        "Next ▶",
        use_container_width=True,
        key=presenter_keys.NEXT_KEY,
        help="Next scene (Right arrow or PageDown)",
    ):
        st.query_params.from_dict(scenes.scene_to_query(scenes.next_scene(scene), year=year))
        st.rerun()
    if leave.button("Exit", use_container_width=True, help="Back to the explorer"):
        st.query_params.from_dict(filters.to_query(scenes.scene_filter(scene, year=year)))
        st.rerun()
    presenter_keys.listen_for_scene_keys()
    return title


def scene_selection(
    sites: gpd.GeoDataFrame,
    scene: scenes.Scene,
    *,
    version: str,
    stamps: caches.DataStamps,
    year: int | None = None,
) -> export.Selection:
    """Return what ``scene`` shows in ``year``, its belt (when it needs one) from the cache."""
    criteria = scenes.scene_filter(scene, year=year)
    return filtering.select(
        sites,
        criteria,
        MapOptions(belt=scene.show_belt, width_km=settings.CORRIDOR_WIDTH_KM, mode="straight"),
        version=version,
        stamps=stamps,
    )


def presenter(sites: gpd.GeoDataFrame, version: str, stamps: caches.DataStamps) -> None:
    """Show the link's scene full width with a large legend, and stop the page there."""
    scene = _scene_from_link()
    if scene is None:
        return
    year = scenes.scene_year(st.query_params.to_dict()) or date.today().year
    title = _scene_buttons(scene, year)
    position = scenes.scene_index(scene.key) + 1
    title.markdown(f"## {scene.title}")
    title.caption(f"{scene.subtitle} · {year} · scene {position} of {len(scenes.SCENES)}")
    chosen = scene_selection(sites, scene, version=version, stamps=stamps, year=year)
    fmap = build_map(
        chosen.sites,
        boundaries_dir=settings.BOUNDARIES_DIR,
        corridor=chosen.corridor if scene.show_belt else None,
        title=scene.title,
        subtitle=scene.subtitle,
        kpis=standalone.kpi_pairs(chosen),
        large_legend=True,
    )
    st_folium(
        fmap,
        center=list(scene.center),
        zoom=scene.zoom,
        height=820,
        use_container_width=True,
        returned_objects=[],
        key=f"presenter-{scene.key}",
    )
    st.caption(plain(credits.credit_text(credits.attributions(chosen))))
    with st.expander("Speaker notes: this scene in words", expanded=False):
        notes = summary.view_sentences(
            chosen.sites,
            sites,
            corridor=chosen.corridor if scene.show_belt else None,
            year=year,
        )
        for sentence in notes:
            st.text(f"• {sentence}")
    st.stop()


def present_panel() -> None:
    """Let a presenter pick a scene in the sidebar and start presenting."""
    with st.sidebar:
        st.header("Present")
        choice = st.selectbox(
            "Presenter scenes",
            options=[s.key for s in scenes.SCENES],
            format_func=lambda key: scenes.scene_by_key(key).title,
            key="o_scene",
        )
        if st.button("Start presenting", use_container_width=True):
            year = st.session_state.get(keys.YEAR)
            st.query_params.from_dict(scenes.scene_to_query(scenes.scene_by_key(choice), year=year))
            st.rerun()
