"""The Defence Belt tab: what the belt holds, by capability and by authority."""

from __future__ import annotations

import geopandas as gpd
import streamlit as st

from layers import areas
from layers import corridor as belt
from ui import registers_map
from ui.registers import registers_panel
from ui.text import plain


def belt_tab(base: gpd.GeoDataFrame, corridor: gpd.GeoDataFrame | None) -> None:
    """Show what the belt holds, by capability and by authority: the numbers a bid quotes."""
    if corridor is None:
        st.info("Turn on 'Show the belt' in the sidebar to compute the Defence Belt.")
        return
    for note in dict.fromkeys(n for n in corridor["note"].tolist() if n):
        st.caption(plain(note))
    level = st.radio(
        "By",
        options=["ca", "county", "lad"],
        horizontal=True,
        key="b_level",
        format_func=lambda key: areas.LEVELS[key][3],
    )
    summary = belt.corridor_summary(base, corridor, level=level)  # type: ignore[arg-type]
    headlines = summary.headlines()
    st.markdown(f"**{plain(headlines[0])}**")
    st.caption(
        f"Every share here is of the {summary.sites:,} sites the filters select, not of the "
        "whole registry: quote it with its base."
    )
    with st.expander("By capability (sentences to quote)", expanded=False):
        st.text("\n".join(headlines[1:]) or "No capability in the selection.")
    share = st.column_config.ProgressColumn(
        "Share inside", format="percent", min_value=0.0, max_value=1.0
    )
    left, right = st.columns(2)
    by_capability = summary.by_capability
    left.dataframe(
        by_capability.loc[
            by_capability["sites"] > 0,
            ["capability_label", "sites", "inside", "share", "top_area_name"],
        ],
        hide_index=True,
        width="stretch",
        column_config={
            "capability_label": "Capability",
            "sites": "Selected sites",
            "inside": "Inside",
            "share": share,
            "top_area_name": "Most inside in",
        },
    )
    right.dataframe(
        summary.by_authority[["area_name", "sites", "inside", "share"]],
        hide_index=True,
        width="stretch",
        column_config={
            "area_name": areas.LEVELS[level][3],
            "sites": "Sites",
            "inside": "Inside",
            "share": share,
        },
    )
    # the official registers inside the belt (counts: the districts it touches)
    area, lad_codes = registers_map.belt_scope(corridor)
    if area is not None:
        where = "Inside the Defence Belt"
        registers_panel(base, area=area, lad_codes=lad_codes, where=where, key="registers-belt")
