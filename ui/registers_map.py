"""The official registers in the explorer: the live map's layers, and the tabs' scopes.

:func:`map_registers` gives ``live_map``'s ``registers`` argument; :func:`sent` is called after
the map, so the layers travel once per session (see :mod:`mapping.livemap.registers`).
:func:`district_scope` and :func:`belt_scope` give the registers panel of the Areas and Belt
tabs their districts and area.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st
from shapely.geometry.base import BaseGeometry

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


def district_scope(area_codes: Sequence[str]) -> tuple[set[str] | None, str]:
    """Return the districts of the chosen areas (any level) and their name for a heading.

    No chosen area: every mapped district (None) and "The Midlands".
    """
    if not area_codes:
        return None, "The Midlands"
    hierarchy = _hierarchy()
    chosen = set(area_codes)
    inside = hierarchy[hierarchy[["lad_code", "county_code", "ca_code"]].isin(chosen).any(axis=1)]
    names = {
        code: name
        for level in ("lad", "county", "ca")
        for code, name in zip(hierarchy[f"{level}_code"], hierarchy[f"{level}_name"], strict=True)
        if code in chosen
    }
    where = ", ".join(names.get(code, code) for code in area_codes)
    return set(inside["lad_code"]), f"The chosen areas: {where}"


def belt_scope(corridor: gpd.GeoDataFrame) -> tuple[BaseGeometry | None, set[str]]:
    """Return the belt's polygon (EPSG:4326) and the districts it touches."""
    belt = corridor[corridor["part"] == "belt"].to_crs(4326)
    if belt.empty:
        return None, set()
    area = shapely.union_all(belt.geometry.to_numpy())
    lads = gpd.GeoDataFrame.from_features(
        display_geojson("lads", str(settings.BOUNDARIES_DIR))["features"], crs=4326
    )
    return area, set(lads.loc[lads.intersects(area), "code"])


def _hierarchy() -> pd.DataFrame:
    return pd.read_csv(settings.HIERARCHY_CSV, dtype=str, keep_default_na=False)
