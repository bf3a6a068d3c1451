"""The page's link: read once into the widgets, written back after every change.

A link carries the filters (``cap``, ``kind``, ``area``, ``q``, ``belt``, ``year``), the belt
(``w``, ``mode``), the data version it was made with (``v``) and, in presenter mode, the scene
(``scene``). Every value is checked here before it sets a widget: unknown slugs and area codes
are reported (and shown through :func:`ui.text.plain`), out-of-range numbers and a ``v`` that
is not a data version are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import geopandas as gpd
import streamlit as st

from layers import corridor as belt
from layers import filters, vocabulary
from ui import keys
from ui.options import WIDTH_MAX_KM, WIDTH_MIN_KM, MapOptions, year_range

# A data version is the first 8 hex digits of a SHA-256 (layers.provenance.data_version).
_DATA_VERSION = re.compile(r"[0-9a-f]{8}")


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
    for chooser in keys.AREA_CHOOSERS:
        codes = set(sites[chooser.code_column]) if chooser.code_column in sites else set()
        state[chooser.key] = [code for code in criteria.areas if code in codes]
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


def remember_in_url(criteria: filters.SiteFilter, options: MapOptions, version: str) -> None:
    """Write the filters, the belt's settings and the data version into the page's link."""
    query = {**filters.to_query(criteria), "v": version}
    if options.belt:
        query.update(w=f"{options.width_km:g}", mode=options.mode)
    st.query_params.from_dict(query)
