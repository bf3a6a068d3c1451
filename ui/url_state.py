"""The page's link: read once into the widgets, written back after every change.

A link carries the filters (``cap``, ``kind``, ``area``, ``q``, ``belt``, ``year``), the belt
(``w``, ``mode``), the map's view (``c`` as ``lat,lon`` and ``z``), the data version it was
made with (``v``) and, in presenter mode, the scene (``scene``). Every value is checked here
before it sets a widget: unknown slugs and area codes are reported (and shown through
:func:`ui.text.plain`), out-of-range numbers, a view away from Great Britain and a ``v`` that
is not a data version are ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import streamlit as st

from layers import corridor as belt
from layers import filters, vocabulary
from ui import keys
from ui.options import WIDTH_MAX_KM, WIDTH_MIN_KM, MapOptions, year_range
from ui.sidebar import PLANNED

# A data version is the first 8 hex digits of a SHA-256 (layers.provenance.data_version).
_DATA_VERSION = re.compile(r"[0-9a-f]{8}")
#: Where a link's map centre may be: around Great Britain, [[south, west], [north, east]].
VIEW_BOUNDS: tuple[tuple[float, float], tuple[float, float]] = ((49.0, -11.0), (61.0, 3.0))
#: The zooms the live map allows.
ZOOM_MIN, ZOOM_MAX = 5.0, 18.0


def presenting() -> bool:
    """Say whether the link asks for presenter mode (it names a scene)."""
    return "scene" in st.query_params


def link_version(value: object) -> str:
    """Return the data version a link carries, or "" when ``value`` is not one (8 hex digits)."""
    text = str(value or "").strip().lower()
    return text if _DATA_VERSION.fullmatch(text) else ""


def belt_width(value: object) -> float | None:
    """Return a link's belt width in km, or None when it is not a number the slider allows."""
    try:
        width = float(str(value))
    except ValueError:
        return None
    return width if WIDTH_MIN_KM <= width <= WIDTH_MAX_KM else None


def checked_view(lat: object, lon: object, zoom: object) -> dict[str, Any] | None:
    """Return ``{"center": [lat, lon], "zoom": zoom}``, or None when a value is not valid.

    The centre must lie around Great Britain (:data:`VIEW_BOUNDS`) and the zoom within the
    map's range; text, NaN or a value out of range gives None (the map then fits the
    selection).
    """
    try:
        values = [float(str(v)) for v in (lat, lon, zoom)]
    except ValueError:
        return None
    (south, west), (north, east) = VIEW_BOUNDS
    if not all(math.isfinite(v) for v in values):
        return None
    latitude, longitude, level = values
    inside = south <= latitude <= north and west <= longitude <= east
    if not (inside and ZOOM_MIN <= level <= ZOOM_MAX):
        return None
    return {"center": [latitude, longitude], "zoom": level}


def link_view(centre: object, zoom: object) -> dict[str, Any] | None:
    """Return the view a link's ``c`` (``"lat,lon"``) and ``z`` carry, or None if not valid."""
    parts = str(centre or "").split(",")
    return checked_view(parts[0], parts[1], zoom) if len(parts) == 2 else None


def reported_view(view: object) -> dict[str, Any] | None:
    """Return a view the map reported (``{"center": [lat, lon], "zoom": z}``), checked."""
    if not isinstance(view, Mapping):
        return None
    centre = view.get("center")
    if not isinstance(centre, list | tuple) or len(centre) != 2:
        return None
    return checked_view(centre[0], centre[1], view.get("zoom"))


def _decimals(value: float, places: int) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def view_query(view: Mapping[str, Any] | None) -> dict[str, str]:
    """Return a view as the link's ``c`` and ``z`` (5 decimals, about a metre; zoom to 0.01)."""
    if not view:
        return {}
    lat, lon = view["center"]
    centre = f"{_decimals(float(lat), 5)},{_decimals(float(lon), 5)}"
    return {"c": centre, "z": _decimals(float(view["zoom"]), 2)}


def current_view() -> dict[str, Any] | None:
    """Return the map's view: its last report, else the opening link's, else None."""
    reported = st.session_state.get(keys.SITE_MAP)
    if isinstance(reported, Mapping) and reported.get("view"):
        return reported_view(reported["view"])
    found = st.session_state.get(keys.LINK_VIEW)
    return found if isinstance(found, dict) else None


def chooser_codes(sites: gpd.GeoDataFrame, areas: tuple[str, ...]) -> dict[str, list[str]]:
    """Return the codes each area chooser is set to: every code goes to one chooser only.

    A code goes to the coarsest chooser whose level holds it, so a unitary authority (a
    county and a district under one code) is chosen once, as a county, and the link written
    back names it once.
    """
    placed: set[str] = set()
    chosen: dict[str, list[str]] = {}
    areas = filters.unique(areas)
    for chooser in keys.AREA_CHOOSERS:
        codes = set(sites[chooser.code_column]) if chooser.code_column in sites else set()
        chosen[chooser.key] = [code for code in areas if code in codes and code not in placed]
        placed.update(chosen[chooser.key])
    return chosen


def read_link(sites: gpd.GeoDataFrame) -> None:
    """On a session's first run, set the widgets from the link's query parameters."""
    state = st.session_state
    if state.get(keys.LINK_READ):
        return
    state[keys.LINK_READ] = True
    query: Mapping[str, str] = st.query_params.to_dict()
    criteria = filters.from_query(query)
    known_areas = {
        code for column in filters.AREA_CODE_COLUMNS if column in sites for code in sites[column]
    }
    problems = filters.filter_problems(criteria, known_areas=known_areas - {""})
    if problems:
        state[keys.LINK_PROBLEMS] = problems
    state[keys.CAPABILITIES] = [c for c in criteria.capabilities if c in vocabulary.CAPABILITIES]
    state[keys.KINDS] = [k for k in criteria.kinds if k in vocabulary.KINDS]
    for chooser, codes in chooser_codes(sites, criteria.areas).items():
        state[chooser] = codes
    state[PLANNED] = criteria.planned
    state[keys.TEXT] = criteria.text
    state[keys.IN_BELT] = criteria.in_belt
    first, last = year_range(sites)
    if criteria.as_of is not None and first <= criteria.as_of <= last:
        state[keys.YEAR] = criteria.as_of
    width = belt_width(query.get("w", ""))
    if width is not None:
        state[keys.BELT_WIDTH] = width
    if query.get("mode") in belt.MODES:
        state[keys.BELT_MODE] = query["mode"]
    state[keys.LINK_VERSION] = link_version(query.get("v"))
    state[keys.LINK_VIEW] = link_view(query.get("c"), query.get("z"))


def remember_in_url(criteria: filters.SiteFilter, options: MapOptions, version: str) -> None:
    """Write the filters, the belt's settings, the view and the data version into the link."""
    query = {**filters.to_query(criteria), "v": version}
    if options.belt:
        query.update(w=f"{options.width_km:g}", mode=options.mode)
    query.update(view_query(current_view()))
    st.query_params.from_dict(query)


def remember_view(view: Mapping[str, Any] | None) -> None:
    """Write a view the map reported into the link (``c`` and ``z``), leaving the rest."""
    changed = {
        name: value
        for name, value in view_query(reported_view(view)).items()
        if st.query_params.get(name) != value
    }
    if changed:
        # both at once: a link copied between two writes never holds a centre without a zoom
        st.query_params.update(changed)
