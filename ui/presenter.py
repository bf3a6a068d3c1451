"""Presenter mode: one preset scene on the live map, full width and screen height, for a pitch.

A scene is drawn on the live map (:mod:`mapping.livemap`): changing the scene sends the
scene's selection (a bit mask over sites the map already holds) and its view, so the map stays
put. A clicker's keys (arrows, PageUp/PageDown) move between scenes wherever the focus is,
including in the map; past the last scene they stop. The speaker notes open in their own
window (``&notes=1``), which follows the scene, for a second screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from urllib.parse import parse_qsl, urlencode

import geopandas as gpd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import settings
from layers import filters
from layers.selection import Selection
from mapping import credits, scenes
from mapping.basemap import MIDLANDS_BOUNDS
from mapping.livemap import live_map
from mapping.livemap.rows import colour_capabilities
from ui import caches, filtering, keys, presenter_keys
from ui.map_overlays import belt_overlays
from ui.options import MapOptions
from ui.text import plain

#: The scene's map key: one map for every scene, kept as the scenes change.
SCENE_MAP = "presenter-map"
#: Room under the map for the credit line (px), so the whole scene fits the screen's height.
#: The credit is printed there once (the map's own credit box is hidden in presenter mode).
BELOW_MAP_PX = 84
#: Scenes are read from the back of a room: big text, a tight page, markers larger.
_ROOM_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 0.75rem; padding-bottom: 0.5rem; }
[data-testid="stHeader"] { display: none; }
.st-key-presenter-head h2 { font-size: 34px; line-height: 1.15; padding: 0; margin: 0; }
.st-key-presenter-head p { font-size: 24px; color: #1a1a1a; margin: 0; }
.st-key-presenter-head button p { font-size: 20px; }
.st-key-presenter-figures [data-testid="stMetricValue"] { font-size: 32px; }
.st-key-presenter-figures [data-testid="stMetricLabel"] p { font-size: 18px; color: #1a1a1a; }
.st-key-presenter-figures [data-testid="stMetricLabel"] * {
  white-space: normal; overflow: visible; text-overflow: clip;
}
.st-key-presenter-credit p { font-size: 14px; line-height: 1.3; color: #1a1a1a; margin: 0; }
.st-key-presenter-notes p, .st-key-presenter-notes li { font-size: 24px; line-height: 1.4; }
</style>"""


def _scene_from_link() -> scenes.Scene | None:
    """Return the scene the link names (the overview, with a warning, for an unknown one)."""
    try:
        return scenes.scene_from_query(st.query_params.to_dict())
    except KeyError as exc:
        st.warning(f"{plain(exc.args[0])}. Showing the overview.")
        return scenes.SCENES[0]


def scene_step(scene: scenes.Scene, step: int) -> scenes.Scene:
    """Return the scene ``step`` places on, stopping at the first and the last (no wrapping)."""
    position = scenes.scene_index(scene.key) + step
    return scenes.SCENES[min(max(position, 0), len(scenes.SCENES) - 1)]


def _go(scene: scenes.Scene, year: int | None, *, notes: bool = False) -> None:
    query = scenes.scene_to_query(scene, year=year)
    if notes:
        query["notes"] = "1"
    st.query_params.from_dict(query)


def _scene_buttons(scene: scenes.Scene, year: int | None) -> DeltaGenerator:
    """Draw previous, next and exit around the title; return the title's column."""
    position = scenes.scene_index(scene.key)
    back, title, forward, leave = st.columns([1.3, 8, 1.3, 1], vertical_alignment="center")
    if back.button(
        "◀ Previous",
        use_container_width=True,
        key=presenter_keys.PREVIOUS_KEY,
        disabled=position == 0,
        help="Previous scene (Left arrow or PageUp)",
    ):
        _go(scene_step(scene, -1), year)
        st.rerun()
    if forward.button(
        "Next ▶",
        use_container_width=True,
        key=presenter_keys.NEXT_KEY,
        disabled=position == len(scenes.SCENES) - 1,
        help="Next scene (Right arrow or PageDown)",
    ):
        _go(scene_step(scene, 1), year)
        st.rerun()
    if leave.button("Exit", use_container_width=True, help="Back to the explorer"):
        st.query_params.from_dict(filters.to_query(scenes.scene_filter(scene, year=year)))
        st.rerun()
    return title


def scene_selection(
    sites: gpd.GeoDataFrame,
    scene: scenes.Scene,
    *,
    version: str,
    stamps: caches.DataStamps,
    year: int | None = None,
) -> Selection:
    """Return what ``scene`` shows in ``year``, its belt (when it needs one) from the cache."""
    criteria = scenes.scene_filter(scene, year=year)
    return filtering.select(
        sites,
        criteria,
        MapOptions(belt=scene.show_belt, width_km=settings.CORRIDOR_WIDTH_KM, mode="straight"),
        version=version,
        stamps=stamps,
    )


def scene_figures(scene: scenes.Scene, chosen: Selection) -> list[tuple[str, str]]:
    """Return the scene's own figures as (label, value) pairs, a stated figure's source named."""
    return [
        (f"{figure.label} ({figure.source})" if figure.source else figure.label, figure.value)
        for figure in scenes.scene_figures(
            scene, chosen.registry_sites, corridor=chosen.corridor if scene.show_belt else None
        )
    ]


def scene_notes(
    scene: scenes.Scene, chosen: Selection, sites: gpd.GeoDataFrame, year: int
) -> list[str]:
    """Return the scene's speaker notes, written from its data (:func:`scenes.speaker_notes`)."""
    return scenes.speaker_notes(
        scene,
        chosen.registry_sites,
        registry=sites,
        corridor=chosen.corridor if scene.show_belt else None,
        year=year,
    )


def scene_bounds(chosen: Selection) -> list[list[float]]:
    """Return the view a scene fits: its sites' bounds (the Midlands' when it has none)."""
    if chosen.registry_sites.empty:
        return MIDLANDS_BOUNDS
    west, south, east, north = (float(v) for v in chosen.registry_sites.total_bounds)
    return [[south, west], [north, east]]


def _figures(pairs: Sequence[tuple[str, str]]) -> None:
    if not pairs:
        return
    with st.container(key="presenter-figures"):
        for column, (label, value) in zip(st.columns(len(pairs)), pairs, strict=True):
            column.metric(plain(label), value)


def presenter(sites: gpd.GeoDataFrame, version: str, stamps: caches.DataStamps) -> None:
    """Show the link's scene on the live map, the whole screen's height, and stop the page."""
    scene = _scene_from_link()
    if scene is None:
        return
    year = scenes.scene_year(st.query_params.to_dict()) or date.today().year
    if st.query_params.get("notes") == "1":
        _notes_window(sites, scene, version, stamps, year)
        st.stop()
    # a clicker key pressed on the scene's map moves to the next or previous scene (no wrap)
    pressed = _pressed_scene_key()
    if pressed is not None:
        scene = scene_step(scene, 1 if pressed == "next" else -1)
        _go(scene, year)
    st.html(_ROOM_CSS)
    with st.container(key="presenter-head"):
        title = _scene_buttons(scene, year)
        position = scenes.scene_index(scene.key) + 1
        title.markdown(f"## {plain(scene.title)}")
        title.markdown(
            plain(f"{scene.subtitle} · {year} · scene {position} of {len(scenes.SCENES)}")
        )
    chosen = scene_selection(sites, scene, version=version, stamps=stamps, year=year)
    _figures(scene_figures(scene, chosen))
    base = caches.cached_map_base(str(settings.BOUNDARIES_DIR), stamps.boundaries, wards=False)
    live_map(
        base,
        chosen.registry_sites.assign(
            colour_capability=colour_capabilities(
                chosen.registry_sites, chosen.criteria.capabilities
            )
        ),
        key=SCENE_MAP,
        fit=False,
        overlays=belt_overlays(chosen.corridor) if scene.show_belt else [],
        height="fill",
        reserve_below=BELOW_MAP_PX,
        cluster=False,
        report_view=False,
        place={"key": f"{scene.key}-{year}", "bounds": scene_bounds(chosen), "maxZoom": 11},
        large=True,
        scene_keys=True,
    )
    with st.container(key="presenter-credit"):
        credit, notes = st.columns([6, 1], vertical_alignment="center")
        credit.markdown(plain(credits.credit_text(credits.attributions(chosen))))
        notes.link_button(
            "Speaker notes",
            "?" + urlencode({**scenes.scene_to_query(scene, year=year), "notes": "1"}),
            help="Opens the notes in their own window; they follow the scene",
            use_container_width=True,
        )
    presenter_keys.say_scene(urlencode(scenes.scene_to_query(scene, year=year)))
    st.stop()


def _pressed_scene_key() -> str | None:
    """Return the clicker key the scene's map heard in the run this is ("next"/"previous")."""
    reported = st.session_state.get(SCENE_MAP)
    step = reported.get("key") if isinstance(reported, dict) else None
    return step if step in ("next", "previous") else None


def _notes_window(
    sites: gpd.GeoDataFrame,
    scene: scenes.Scene,
    version: str,
    stamps: caches.DataStamps,
    year: int,
) -> None:
    """Show the scene's speaker notes, for a second screen; follow the presenter's scene."""
    query = urlencode(scenes.scene_to_query(scene, year=year))
    heard = presenter_keys.follow_scene(query)
    if heard is not None:
        st.query_params.from_dict({**dict(parse_qsl(heard)), "notes": "1"})
        st.rerun()
    position = scenes.scene_index(scene.key) + 1
    chosen = scene_selection(sites, scene, version=version, stamps=stamps, year=year)
    with st.container(key="presenter-notes"):
        st.html(_ROOM_CSS)
        st.markdown(f"# Notes: {plain(scene.title)}")
        st.markdown(plain(f"Scene {position} of {len(scenes.SCENES)} · {year}"))
        for line in scene_notes(scene, chosen, sites, year):
            st.markdown(f"- {plain(line)}")
        st.caption("This window follows the presenter's scene.")


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
