"""The sidebar's filters and map options: the widgets, and the filter and options they make."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import streamlit as st

import settings
from layers import corridor as belt
from layers import filters, timeline, vocabulary
from mapping.basemap import BASEMAPS
from mapping.livemap import CLUSTER_ABOVE
from ui import keys
from ui.options import (
    MODE_LABELS,
    WIDTH_MAX_KM,
    WIDTH_MIN_KM,
    MapOptions,
    year_range,
)

#: The widget key of "Show planned sites".
PLANNED = "f_planned"


def area_options(sites: gpd.GeoDataFrame, code: str, name: str) -> dict[str, str]:
    """Return area code -> name for the areas that hold at least one site, by name."""
    pairs = sites.loc[sites[code] != "", [code, name]].drop_duplicates().sort_values(name)
    return dict(zip(pairs[code], pairs[name], strict=True))


def _named(options: dict[str, str]) -> Callable[[str], str]:
    """Return a function giving an area code's name (the code itself when it has none)."""
    return lambda code: options.get(code, code)


def chosen_areas() -> list[str]:
    """Return the area codes chosen in every area chooser, coarsest level first, each once.

    A unitary authority is both a county and a district: chosen in both choosers, it is
    still one area.
    """
    chosen = [
        code for chooser in keys.AREA_CHOOSERS for code in st.session_state.get(chooser.key, [])
    ]
    return list(filters.unique(chosen))


def current_filter(*, in_belt: bool = False) -> filters.SiteFilter:
    """Return the filter the widgets hold now (``in_belt`` only when the belt is shown)."""
    state = st.session_state
    return filters.SiteFilter(
        capabilities=tuple(state.get(keys.CAPABILITIES, [])),
        kinds=tuple(state.get(keys.KINDS, [])),
        areas=tuple(chosen_areas()),
        text=state.get(keys.TEXT, ""),
        in_belt=bool(in_belt and state.get(keys.IN_BELT)),
        as_of=int(state.get(keys.YEAR, timeline.default_year())),
        planned=bool(state.get(PLANNED, True)),
    )


def starts_at(key: str, value: object) -> None:
    """Give a widget its first value through the session state, unless a link already did.

    A widget given both a ``value`` and a state set by the link makes Streamlit warn on every
    run; so a widget that a link can set takes its default here, and no ``value``.
    """
    st.session_state.setdefault(key, value)


def site_filters(sites: gpd.GeoDataFrame) -> None:
    """Draw the filters: capabilities and kinds (with counts), areas, text and year."""
    bar = st.sidebar
    bar.header("Filter the sites")
    cap_counts, kind_counts = filters.facet_counts(sites, current_filter())
    bar.multiselect(
        "Capabilities",
        options=list(vocabulary.CAPABILITIES),
        key=keys.CAPABILITIES,
        format_func=lambda s: f"{vocabulary.capability_label(s)} ({cap_counts[s]})",
        help="Sites with any of the chosen capabilities; each count is what adding it would "
        "give with the other filters.",
    )
    bar.multiselect(
        "Kinds of site",
        options=list(vocabulary.KINDS),
        key=keys.KINDS,
        format_func=lambda s: f"{vocabulary.kind_label(s)} ({kind_counts[s]})",
    )
    with bar.expander("Areas", expanded=bool(chosen_areas())):
        for chooser in keys.AREA_CHOOSERS:
            options = area_options(sites, chooser.code_column, chooser.name_column)
            st.multiselect(
                chooser.label,
                options=list(options),
                key=chooser.key,
                format_func=_named(options),
            )
    bar.text_input(
        "Search name, organisation, description",
        key=keys.TEXT,
        placeholder="e.g. Rolls-Royce, rehabilitation",
    )
    first, last = year_range(sites)
    starts_at(keys.YEAR, min(max(timeline.default_year(), first), last))
    bar.slider(
        "Year",
        min_value=first,
        max_value=last,
        key=keys.YEAR,
        help="Sites open in that year: later openings and earlier closures are left out. "
        "Sites closing that year are marked.",
    )
    starts_at(PLANNED, True)
    bar.toggle(
        "Show planned sites",
        key=PLANNED,
        help="Planned sites are shown, marked as planned, from the year they were announced "
        "(in every year when no year is known).",
    )


def belt_options() -> tuple[bool, float, str]:
    """Draw the Defence Belt's controls; return whether it is shown, its width and mode."""
    bar = st.sidebar
    bar.header("Midlands Defence Belt")
    show_belt = bar.toggle(
        "Show the belt",
        value=True,
        key="o_belt",
        help="A computed model: hubs are clusters of the selected sites, joined by a spanning "
        "tree (or the strategic roads) and buffered.",
    )
    bar.checkbox("Inside the belt only", key=keys.IN_BELT, disabled=not show_belt)
    starts_at(keys.BELT_WIDTH, settings.CORRIDOR_WIDTH_KM)
    width = bar.slider(
        "Belt width (km)",
        min_value=WIDTH_MIN_KM,
        max_value=WIDTH_MAX_KM,
        step=1.0,
        key=keys.BELT_WIDTH,
        disabled=not show_belt,
    )
    mode = bar.radio(
        "Spine follows",
        options=list(belt.MODES),
        key=keys.BELT_MODE,
        horizontal=True,
        format_func=MODE_LABELS.get,
        disabled=not show_belt,
        help="Strategic roads needs a road graph ('make roads', with internet); without one "
        "the belt says so and uses straight links.",
    )
    return bool(show_belt), float(width), str(mode)


def map_options(show_belt: bool, width_km: float, mode: str) -> MapOptions:
    """Draw the map's layer controls; return every option the map needs."""
    bar = st.sidebar
    bar.header("Map")
    keep_view = bar.toggle(
        "Keep my view",
        value=False,
        key=keys.KEEP_VIEW,
        help="On: the map stays where you put it when the filters change. Off: it moves to "
        "fit each new selection.",
    )
    return MapOptions(
        belt=show_belt,
        width_km=width_km,
        mode=mode,
        keep_view=bool(keep_view),
        clusters=bar.toggle("Show site clusters", value=False, key="o_clusters"),
        estates=bar.toggle(
            "Show MOD estate footprints",
            value=False,
            key="o_estates",
            help="Military land from OpenStreetMap; 'make estates' (with internet) fetches it.",
        ),
        cluster_markers=bar.toggle(
            "Group nearby markers",
            value=False,
            key="o_cluster",
            help=f"Off: markers are grouped only when more than {CLUSTER_ABOVE} sites are shown.",
        ),
        show_wards=bar.toggle("Show wards (1,534; slower)", value=False, key="o_wards"),
        heat=bar.toggle(
            "Show density heat",
            value=False,
            key="o_heat",
        ),
        basemap=str(
            bar.radio(
                "Basemap",
                options=list(BASEMAPS),
                format_func=BASEMAPS.get,
                key="o_basemap",
                help="Light grey tiles need the internet.",
            )
        ),
    )


def sidebar(sites: gpd.GeoDataFrame) -> tuple[filters.SiteFilter, MapOptions]:
    """Draw the filters and map options; return the filter and the options."""
    site_filters(sites)
    options = map_options(*belt_options())
    return filters.with_area_names(current_filter(in_belt=options.belt), sites), options
