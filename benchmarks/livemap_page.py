"""The page the live-map benchmark opens: one registry, one filter, one map.

``LIVEMAP_RENDERER`` chooses the map: ``live`` (``mapping.livemap``) or ``folium``
(``build_map`` through ``st_folium``, as the app draws it today). ``LIVEMAP_SITES_CSV`` names
the registry, or a GeoParquet of sites such as ``benchmarks.synthetic`` makes; the boundaries
come from ``MIDLANDS_BOUNDARIES_DIR``. The filter is a text box holding a capability slug
(empty for every site).
"""

from __future__ import annotations

import os

import geopandas as gpd
import streamlit as st

import settings
from layers.sites import load_sites
from mapping.livemap import MapBase, build_base, live_map

st.set_page_config(page_title="Live map benchmark", layout="wide")
RENDERER = os.environ.get("LIVEMAP_RENDERER", "live")


@st.cache_resource
def registry(path: str) -> gpd.GeoDataFrame:
    if path.endswith(".parquet"):  # synthetic sites as they are made, without the validator
        return gpd.read_parquet(path)
    return load_sites(path, boundaries_dir=settings.BOUNDARIES_DIR)


@st.cache_resource
def base() -> MapBase:
    return build_base(boundaries_dir=settings.BOUNDARIES_DIR)


sites = registry(os.environ["LIVEMAP_SITES_CSV"])
capability = st.text_input("Capability", key="capability").strip()
selected = (
    sites[sites["capabilities"].map(lambda caps: capability in caps)] if capability else sites
)
if RENDERER == "live":
    live_map(base(), selected, key="site-map", height=640)
else:
    from streamlit_folium import st_folium

    from mapping import build_map

    fmap = build_map(selected, boundaries_dir=settings.BOUNDARIES_DIR)
    st_folium(fmap, height=640, use_container_width=True, returned_objects=[], key="site-map")
st.text(f"shown: {len(selected)}")
