"""A tiny Streamlit page for the live map's browser tests: hand-built sites, a few controls.

``LIVEMAP_SITES`` names a JSON file of site rows; the boundaries come from
``MIDLANDS_BOUNDARIES_DIR``. The controls change the data (ids to show), the highlighted
sites and "keep my view"; the page writes what the map reports as plain text.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import streamlit as st
from shapely.geometry import box

from mapping.livemap import build_base, live_map, overlay

st.set_page_config(page_title="Live map test", layout="wide")
sites = pd.DataFrame(json.loads(open(os.environ["LIVEMAP_SITES"], encoding="utf-8").read()))
shown_ids = [s.strip() for s in st.text_input("Show", key="show").split(",") if s.strip()]
selected_ids = [s.strip() for s in st.text_input("Select", key="select").split(",") if s.strip()]
keep_view = st.checkbox("Keep my view", key="keep")
hidden = st.checkbox("Hide the map", key="hide")
belt = st.checkbox("Belt", key="belt")
with_upload = st.checkbox("Upload", key="upload")
cluster = st.radio("Cluster", ["auto", "on", "off"], horizontal=True, key="cluster")
shown = sites[sites["site_id"].isin(shown_ids)] if shown_ids else sites
st.session_state["runs"] = st.session_state.get("runs", 0) + 1

event = None
if not hidden:  # hiding and showing it again mounts a new frame
    event = live_map(
        build_base(),
        shown,
        key="test-map",
        uploads=pd.DataFrame(
            [
                {
                    "site_id": "my-upload",
                    "name": "My Uploaded Supplier",
                    "kind": "supplier",
                    "capabilities": ["quantum"],
                    "lat": 52.1936,
                    "lon": -2.2216,  # Worcester
                }
            ]
        )
        if with_upload
        else None,
        fit=not keep_view,
        selected_ids=selected_ids,
        height=520,
        cluster={"auto": "auto", "on": True, "off": False}[cluster],
        overlays=[
            overlay(
                box(-1.6, 52.85, -1.0, 53.05),  # around Derby and Nottingham
                label="Test belt",
                style={"color": "#b35806", "weight": 2, "fillColor": "#fdb863", "fillOpacity": 0.3},
                tooltip="Belt <b>tooltip</b>",
            )
        ]
        if belt
        else [],
    )
st.text(f"shown: {','.join(sorted(shown['site_id']))}")
st.text(f"clicked: {event['clicked'] if event else ''}")
st.text(f"clicks: {event['clicks'] if event else 0}")
st.text(f"view: {json.dumps(event['view']) if event else ''}")
