"""The filter applied: the registry's selection, its belt, and the user's sites beside them."""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd

from layers import corridor as belt
from layers import filters
from ui import caches
from ui.options import MapOptions


@dataclass(frozen=True)
class Selected:
    """What the filter selects.

    Attributes
    ----------
    base
        The registry sites every criterion but "inside the belt" selects (the belt's sites).
    corridor
        The Defence Belt of ``base``, or None when it is not shown.
    sites
        The registry sites the whole filter selects.
    uploads
        The user's uploaded sites the whole filter selects, or None without an upload.
    """

    base: gpd.GeoDataFrame
    corridor: gpd.GeoDataFrame | None
    sites: gpd.GeoDataFrame
    uploads: gpd.GeoDataFrame | None = None


def select(
    sites: gpd.GeoDataFrame,
    criteria: filters.SiteFilter,
    options: MapOptions,
    *,
    version: str,
    stamps: caches.DataStamps,
    uploads: gpd.GeoDataFrame | None = None,
) -> Selected:
    """Return the selection of the registry and of the user's sites, with the belt.

    The belt follows every filter but "inside the belt", which it then answers, so the two
    never chase each other. Uploaded sites never shape the belt; they are filtered like the
    registry, "inside the belt" included.
    """
    everything_but_belt = replace(criteria, in_belt=False)
    base = filters.select_sites(sites, everything_but_belt)
    user_sites = None
    if uploads is not None and not uploads.empty:
        user_sites = filters.select_sites(uploads, everything_but_belt)
    if not options.belt:
        return Selected(base=base, corridor=None, sites=base, uploads=user_sites)
    corridor = caches.corridor_of(
        base, width_km=options.width_km, mode=options.mode, version=version, stamps=stamps
    )
    if not criteria.in_belt:
        return Selected(base=base, corridor=corridor, sites=base, uploads=user_sites)
    inside = belt.sites_in_corridor(base, corridor)
    selected = filters.select_sites(base, criteria, in_belt=inside)
    if user_sites is not None:
        inside_user = belt.sites_in_corridor(user_sites, corridor)
        user_sites = filters.select_sites(user_sites, criteria, in_belt=inside_user)
    return Selected(base=base, corridor=corridor, sites=selected, uploads=user_sites)
