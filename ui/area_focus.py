"""The chosen areas on the explorer's map: their outline, and the view that fits them.

After choosing two authorities the reader expects to see them: outlined, and the map fitted to
the areas rather than only to the sites inside them (which may sit a few kilometres apart).
:func:`area_focus` returns both for the live map (``overlays`` and ``place``).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import streamlit as st

import settings
from layers import filters
from mapping.livemap import Overlay, overlay

#: How the chosen areas are outlined: a dark line over the other boundaries, no fill.
AREA_OUTLINE_STYLE: dict[str, object] = {
    "color": "#1a1a1a",
    "weight": 3,
    "opacity": 0.9,
    "fill": False,
    "dashArray": "",
}
#: The outline's name in the layer control and the legend.
AREA_OUTLINE_LABEL = "Chosen areas"


@st.cache_data(show_spinner=False, max_entries=16)
def _shapes(codes: tuple[str, ...], directory: str, stamp: str) -> gpd.GeoDataFrame:
    """Return the chosen areas' boundaries (cached by codes and the boundaries' stamp)."""
    del stamp  # part of the cache key only
    return filters.area_shapes(codes, directory=directory)


def area_focus(
    criteria: filters.SiteFilter, *, stamp: str = ""
) -> tuple[list[Overlay], dict[str, Any] | None]:
    """Return the chosen areas' outline and the view that fits them, or ``([], None)``.

    The view is a live map ``place``: ``{"key": "areas:<codes>", "bounds": [[s, w], [n, e]]}``,
    taken each time the chosen areas change (so a link opened again fits the same areas).
    ``stamp`` is the boundaries' data stamp (a rebuilt folder is read again).
    """
    if not criteria.areas:
        return [], None
    shapes = _shapes(tuple(criteria.areas), str(settings.BOUNDARIES_DIR), stamp)
    if shapes.empty:
        return [], None
    names = [str(name) for name in shapes["name"]]
    outline = overlay(
        shapes[["geometry"]],
        label=AREA_OUTLINE_LABEL,
        style=AREA_OUTLINE_STYLE,
        tooltips=names,
    )
    west, south, east, north = (float(v) for v in shapes.total_bounds)
    place = {"key": "areas:" + ",".join(criteria.areas), "bounds": [[south, west], [north, east]]}
    return [outline], place
