"""What the live map draws under the sites: the belt and its spine, site clusters, MOD estates.

Each becomes one :class:`mapping.livemap.Overlay`, listed in the map's legend and layer control.
The map receives the overlays again only when they change (a new belt, clusters switched on).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers import estates
from layers.selection import Selection
from mapping import style
from mapping.livemap import Overlay, overlay
from mapping.sitemap import corridor_caption
from ui import caches
from ui.options import MapOptions


def belt_overlays(corridor: gpd.GeoDataFrame | None) -> list[Overlay]:
    """Return the belt (filled, with its tooltip) and its spine (a line), when there is one."""
    if corridor is None or corridor.empty:
        return []
    found: list[Overlay] = []
    belt = corridor[corridor["part"] == "belt"]
    if not belt.empty:
        tip = corridor_caption(belt.drop(columns="geometry").iloc[0].to_dict())
        found.append(
            overlay(
                belt,
                label=style.overlay_label("belt"),
                style=style.overlay_style("belt"),
                tooltip=tip,
            )
        )
    spine = corridor[corridor["part"] == "spine"]
    if not spine.empty and not spine.geometry.is_empty.all():
        found.append(
            overlay(spine, label=style.overlay_label("spine"), style=style.overlay_style("spine"))
        )
    return found


def cluster_overlay(clusters: gpd.GeoDataFrame) -> Overlay:
    """Return the site clusters, each named with its size on hover."""
    names = clusters["name"] if "name" in clusters else pd.Series("Cluster", index=clusters.index)
    sizes = clusters["size"] if "size" in clusters else pd.Series("?", index=clusters.index)
    tips = [f"{name}: {size} sites" for name, size in zip(names, sizes, strict=True)]
    return overlay(
        clusters,
        label=style.overlay_label("clusters"),
        style=style.overlay_style("clusters"),
        tooltips=tips,
    )


def estate_overlay(footprints: gpd.GeoDataFrame) -> Overlay:
    """Return the MOD estate footprints, each named on hover."""
    names = footprints["name"] if "name" in footprints else pd.Series("", index=footprints.index)
    tips = [str(name) if name else "Military land (unnamed)" for name in names.fillna("")]
    return overlay(
        footprints,
        label=style.overlay_label("estates"),
        style=style.overlay_style("estates"),
        tooltips=tips,
    )


def map_overlays(selected: Selection, options: MapOptions, version: str) -> list[Overlay]:
    """Return the overlays the sidebar asks for, bottom to top: estates, belt, clusters."""
    found: list[Overlay] = []
    if options.estates:
        footprints = estates.load_estates()
        if not footprints.empty:
            found.append(estate_overlay(footprints))
    found += belt_overlays(selected.corridor)
    if options.clusters and not selected.registry_sites.empty:
        clusters, _ = caches.cached_analysis(
            selected.registry_sites, tuple(sorted(selected.registry_sites["site_id"])), version
        )
        if not clusters.empty:
            found.append(cluster_overlay(clusters))
    return found
