"""The official registers' layers for the explorer's live map (made once per data version).

:func:`map_registers` gives ``live_map``'s ``registers`` argument; :func:`sent` is called after
the map, so the layers travel once per session (see :mod:`mapping.livemap.registers`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import streamlit as st

import settings
from mapping.basemap import display_geojson
from mapping.livemap import registers as map_layers
from ui import caches
from ui.registers import loaded_sources


@st.cache_resource(show_spinner=False, max_entries=4)
def _payload(
    _sites: gpd.GeoDataFrame,
    boundaries_dir: str,
    stamps: tuple[str, str, str],
    manifests: str,
) -> map_layers.RegistersPayload:
    del stamps, manifests  # the cache key: a rebuilt registry, boundary or register layer
    try:
        lads = gpd.GeoDataFrame.from_features(
            display_geojson("lads", boundaries_dir)["features"], crs=4326
        )
    except (FileNotFoundError, OSError):
        lads = None
    return map_layers.registers_payload(loaded_sources(), _sites, lads)


def map_registers(key: str, stamps: caches.DataStamps) -> dict[str, Any]:
    """Return the ``registers`` argument of the map ``key`` (data only when it is due)."""
    directory = str(settings.BOUNDARIES_DIR)
    sites = caches.cached_registry(
        str(settings.SITES_CSV), directory, stamps.registry, stamps.boundaries, stamps.postcodes
    )
    sources = loaded_sources()
    payload = _payload(
        sites,
        directory,
        (stamps.registry, stamps.boundaries, stamps.postcodes),
        json.dumps(sources.manifests, sort_keys=True, default=str),
    )
    return map_layers.render_arg(key, payload)


def sent(key: str, arg: Mapping[str, Any]) -> None:
    """Note that the map ``key`` was given ``arg`` (call after ``live_map``)."""
    map_layers.mark_sent(key, arg)
