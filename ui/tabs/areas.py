"""The Areas tab: sites per authority by capability, with a choropleth."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

import settings
from layers import areas
from mapping.choropleth import build_choropleth


def areas_tab(selected: gpd.GeoDataFrame) -> None:
    """Show sites per authority by capability (the capabilities present), with a choropleth."""
    level = st.radio(
        "Areas",
        options=list(areas.LEVELS),
        horizontal=True,
        key="a_level",
        format_func=lambda key: areas.LEVELS[key][3],
    )
    table = areas.capability_table(selected, level=level)
    left, right = st.columns([1, 1])
    with left:
        nonzero = ["Area", "Code", "Sites", *[c for c in table.columns[3:] if table[c].sum()]]
        st.dataframe(table[nonzero], hide_index=True, width="stretch")
    with right:
        choropleth = build_choropleth(
            table,
            layer=areas.LEVELS[level][2],
            caption=f"Selected sites per {areas.LEVELS[level][3]}",
            boundaries_dir=settings.BOUNDARIES_DIR,
        )
        st_folium(
            choropleth,
            height=480,
            use_container_width=True,
            returned_objects=[],
            key=f"choropleth-{level}",
        )
