"""The Areas tab: sites per authority by capability, and the authorities shaded on the live map."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import pandas as pd
import streamlit as st

import settings
from layers import areas
from mapping.choropleth import choropleth_overlays
from mapping.livemap import live_map
from ui import caches, registers_map
from ui.registers import registers_panel

#: The areas map's component key (a second live map on the page, beside the site map).
AREAS_MAP = "areas-map"
#: The areas map's height in pixels.
AREAS_MAP_HEIGHT = 460


def short_label(capability: str) -> str:
    """Return a capability's column heading: its name up to the first comma or "and".

    The full name is the column's help; short headings let every column show at 1366 px.
    """
    for cut in (",", " and "):
        capability = capability.split(cut, 1)[0]
    return capability.strip()


#: Up to this many areas, the table turns: one row per capability, one column per area, so
#: every column shows on a 1366 px screen.
TURN_AT_AREAS = 6
#: A table row's height in Streamlit's data grid (pixels).
ROW_PX = 35


def _capability_table(table: pd.DataFrame) -> None:
    """Show sites per area by capability (only the capabilities present), all of it on screen."""
    present = [c for c in table.columns[3:] if table[c].sum()]
    if 0 < len(table) <= TURN_AT_AREAS:
        turned = table.set_index("Area")[["Sites", *present]].T
        turned.index = ["All selected sites", *present]
        st.dataframe(
            turned.rename_axis("Capability").reset_index(),
            hide_index=True,
            width="stretch",
            height=ROW_PX * (len(turned) + 1) + 3,  # every row, no inner scrolling
            column_config={
                "Capability": st.column_config.TextColumn(pinned=True, width=300),
                **{
                    area: st.column_config.NumberColumn(area, width="medium")
                    for area in table["Area"]
                },
            },
        )
        codes = zip(table["Area"], table["Code"], strict=True)
        st.caption("Codes: " + "; ".join(f"{area} {code}" for area, code in codes))
        return
    st.dataframe(
        table[["Area", "Code", "Sites", *present]],
        hide_index=True,
        width="stretch",
        column_config={
            "Area": st.column_config.TextColumn("Area", pinned=True, width="medium"),
            "Code": st.column_config.TextColumn("Code", width=90),
            "Sites": st.column_config.NumberColumn("Sites", width=60),
            **{
                name: st.column_config.NumberColumn(short_label(name), help=name, width=92)
                for name in present
            },
        },
    )


def areas_tab(
    selected: gpd.GeoDataFrame, stamps: caches.DataStamps, area_codes: Sequence[str] = ()
) -> None:
    """Show sites per authority by capability (the capabilities present), and the shaded map.

    The table takes the tab's whole width: turned (capabilities as rows) for a few areas, else
    with short capability headings and the area's name pinned. The map under it is fitted to
    the areas that hold selected sites. Under it, the official registers' figures for the
    chosen areas (``area_codes``; all the Midlands when empty).
    """
    level = st.radio(
        "Areas",
        options=list(areas.LEVELS),
        horizontal=True,
        key="a_level",
        format_func=lambda key: areas.LEVELS[key][3],
    )
    label = areas.LEVELS[level][3]
    table = areas.capability_table(selected, level=level)
    _capability_table(table)
    overlays, bounds = choropleth_overlays(
        table, layer=areas.LEVELS[level][2], boundaries_dir=settings.BOUNDARIES_DIR
    )
    st.caption(f"Selected sites per {label.lower()}: the darker, the more sites.")
    live_map(
        caches.cached_map_base(str(settings.BOUNDARIES_DIR), stamps.boundaries, wards=False),
        selected.iloc[0:0],  # the shading alone: the sites are on the map above
        key=AREAS_MAP,
        fit=False,
        overlays=overlays,
        height=AREAS_MAP_HEIGHT,
        report_view=False,
        place={"key": f"{level}-{len(selected)}", "bounds": bounds, "maxZoom": 10},
        primary=False,
        label=f"Map of the {label.lower()} areas, shaded by selected sites",
    )
    # the official registers for the chosen areas (all the Midlands when none is chosen)
    lad_codes, where = registers_map.district_scope(area_codes)
    registers_panel(selected, lad_codes=lad_codes, where=where, key="registers-areas")
