"""The filter applied in the app: the one selection step, with the belt from the session cache."""

from __future__ import annotations

from functools import partial

import geopandas as gpd

import settings
from layers import filters
from layers import selection as selecting
from layers.selection import Selection
from ui import caches
from ui.options import MapOptions


def select(
    sites: gpd.GeoDataFrame,
    criteria: filters.SiteFilter,
    options: MapOptions,
    *,
    version: str,
    stamps: caches.DataStamps,
    uploads: gpd.GeoDataFrame | None = None,
    upload_name: str = "",
) -> Selection:
    """Return :func:`layers.selection.make_selection` for the app's filter and map options.

    The belt is computed when the map shows it (or the filter asks for "inside the belt"),
    through :func:`ui.caches.corridor_of`, so a rerun with the same sites reuses it. The
    returned selection is the one the map, the tabs and the exports all use.
    """
    return selecting.make_selection(
        sites,
        criteria,
        boundaries_dir=settings.BOUNDARIES_DIR,
        data_version=version,
        with_corridor=options.belt,
        corridor_of=partial(
            caches.corridor_of,
            width_km=options.width_km,
            mode=options.mode,
            version=version,
            stamps=stamps,
        ),
        uploads=uploads,
        upload_name=upload_name,
    )
