"""A live Leaflet map for Streamlit: mounted once, sites sent as data, updated in place.

Usage in a Streamlit script::

    from mapping.livemap import build_base, live_map

    base = build_base()                      # boundaries, palette, labels (cache it)
    event = live_map(base, selected, key="site-map", fit=not keep_view)
    if event and event["clicked"]:
        ...                                  # show the site card, highlight the table row
"""

from __future__ import annotations

from mapping.livemap.base import BASE_LAYERS, MapBase, build_base
from mapping.livemap.component import (
    CLUSTER_ABOVE,
    FRONTEND_DIR,
    MapEvent,
    MapView,
    light_tiles,
    live_map,
)
from mapping.livemap.overlays import Overlay, overlay
from mapping.livemap.rows import Catalogue, payload_json, show_mask, shown_indexes

__all__ = [
    "BASE_LAYERS",
    "CLUSTER_ABOVE",
    "FRONTEND_DIR",
    "Catalogue",
    "MapBase",
    "MapEvent",
    "MapView",
    "Overlay",
    "build_base",
    "light_tiles",
    "live_map",
    "overlay",
    "payload_json",
    "show_mask",
    "shown_indexes",
]
