"""Build the folium map from the layers: boundaries, sites, corridor, clusters, legend.

``build_map`` is the one entry point: the app, the exports and the benchmarks all call it with
the selected sites, so the map looks the same everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import pandas as pd

import settings
from mapping import assets, credits, largedata, style
from mapping.area_layers import AREA_LAYERS
from mapping.basemap import display_geojson, new_map
from mapping.legend import MapChrome, title_html
from mapping.popups import text


def build_map(
    sites: gpd.GeoDataFrame,
    *,
    boundaries_dir: str | Path | None = None,
    basemap: str = "offline",
    cluster_markers: bool | None = None,
    show_wards: bool = False,
    corridor: gpd.GeoDataFrame | None = None,
    clusters: gpd.GeoDataFrame | None = None,
    heat_points: list[list[float]] | None = None,
    estates: gpd.GeoDataFrame | None = None,
    title: str = "",
    subtitle: str = "",
    kpis: list[tuple[str, str]] | None = None,
    large_legend: bool = False,
    local_assets: bool = True,
    height: str = "100%",
    large_data_threshold: int | None = None,
    uploads: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Return the folium map of ``sites`` (the current selection) and the Midlands' areas.

    Parameters
    ----------
    sites
        The selected sites (EPSG:4326) with their capabilities and area codes.
    boundaries_dir
        Where the built boundaries are.
    basemap
        ``"offline"`` (land and boundaries drawn from data; works with no internet) or
        ``"light"`` (Esri light grey tiles; needs the internet).
    cluster_markers
        Group nearby sites into clusters that split as you zoom in (default: only above
        :data:`mapping.largedata.CLUSTER_ABOVE` sites, uploads included).
    show_wards
        Add the ward layer (about 1.3 MB, so only when asked for).
    corridor, clusters, heat_points, estates
        Optional analysis layers: the Defence Belt (belt polygon and spine), site clusters,
        a density heat layer ([lat, lon, weight] rows), MOD estate footprints from OSM.
    title, subtitle, kpis
        A title box (with value/label pairs) for presentations and standalone pages.
    large_legend
        A larger legend for projectors.
    local_assets
        Point Leaflet and its plugins at the locally served copies (see ``mapping.assets``).
    height
        The map's CSS height.
    uploads
        Sites a user uploaded (``layers.uploads.read_user_sites``), drawn with the upload ring
        and counted apart in the legend.
    large_data_threshold
        Above this many sites (and above ``largedata.LARGE_DATA_THRESHOLD``) the popups carry
        the site's row only, which keeps a page of many sites light (fast mode); None uses
        ``largedata.LARGE_DATA_THRESHOLD``.

    Notes
    -----
    The sites, their legend and their keyboard route are drawn by the live map's own scripts
    (:class:`mapping.largedata.FastSites`), whatever the count: the page and the app draw a
    site, a legend entry and a keyboard move from one source.
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    fmap = new_map(basemap=basemap, boundaries_dir=boundaries_dir, height=height)
    attributions = [settings.ONS_ATTRIBUTION]
    placed = [frame for frame in (sites, uploads) if frame is not None and not frame.empty]
    if any((frame["location_precision"] == "postcode").any() for frame in placed):
        attributions.append(credits.postcode_attribution())
    for name, (label, column) in AREA_LAYERS.items():
        if name != "wards" or show_wards:  # wards (1.3 MB) only when asked for
            _add_area_layer(
                fmap, name=name, label=label, column=column, sites=sites, directory=boundaries_dir
            )
    if estates is not None and not estates.empty:
        _add_estates(fmap, estates)
        attributions.append(settings.OSM_ATTRIBUTION)
    if corridor is not None and not corridor.empty:
        _add_corridor(fmap, corridor)
    if clusters is not None and not clusters.empty:
        _add_clusters(fmap, clusters)
    if heat_points:
        from folium.plugins import HeatMap  # noqa: PLC0415 (only when asked for)

        HeatMap(
            heat_points, name=style.overlay_label("heat"), show=False, radius=28, blur=22
        ).add_to(fmap)
    threshold = (
        largedata.LARGE_DATA_THRESHOLD if large_data_threshold is None else large_data_threshold
    )
    shown = len(sites) + (0 if uploads is None else len(uploads))
    clustered = shown > largedata.CLUSTER_ABOVE if cluster_markers is None else cluster_markers
    largedata.FastSites(
        sites, threshold=threshold, cluster=clustered, large_legend=large_legend
    ).add_to(fmap)
    if uploads is not None and not uploads.empty:
        largedata.FastSites(
            uploads,
            name=f"Your uploaded sites ({len(uploads):,})",
            uploaded=True,
            threshold=threshold,
            cluster=clustered,
        ).add_to(fmap)
    folium.LayerControl(collapsed=True, position="topright").add_to(fmap)
    fmap.add_child(
        MapChrome(
            legend_html="",  # the sites' scripts bring the legend (legend.js)
            title_html=title_html(title, subtitle, kpis or []) if title else "",
            attributions=attributions,
            large=large_legend,
            background=style.SEA_COLOUR if basemap == "offline" else "#ffffff",
        )
    )
    if local_assets:
        assets.localise(fmap)
    return fmap


def _add_area_layer(
    fmap: folium.Map,
    *,
    name: str,
    label: str,
    column: str,
    sites: pd.DataFrame,
    directory: str | Path,
) -> None:
    source = display_geojson(name, directory)
    counts = sites[column].value_counts().to_dict() if column in sites.columns else {}
    features = [
        {
            "type": "Feature",
            "geometry": feature["geometry"],
            "properties": {
                "name": text(feature["properties"]["name"]),
                "code": text(feature["properties"]["code"]),
                "sites": int(counts.get(feature["properties"]["code"], 0)),
            },
        }
        for feature in source["features"]
    ]
    layer_style = style.BOUNDARY_STYLES[name]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=label,
        style_function=lambda _: layer_style,
        highlight_function=lambda _: style.HIGHLIGHT_STYLE,
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code", "sites"], aliases=["", "Code", "Selected sites"], sticky=True
        ),
        smooth_factor=0.5,
    ).add_to(fmap)


def _add_corridor(fmap: folium.Map, corridor: gpd.GeoDataFrame) -> None:
    group = folium.FeatureGroup(name=style.overlay_label("belt"))
    shapes = corridor.to_crs(settings.CRS_STORAGE)
    for row in shapes.to_dict("records"):
        geometry = row["geometry"]
        if geometry is None or geometry.is_empty:  # edge cases: no belt or no spine
            continue
        polygonal = geometry.geom_type in ("Polygon", "MultiPolygon")
        folium.GeoJson(
            geometry.__geo_interface__,
            style_function=(lambda _: style.CORRIDOR_STYLE)
            if polygonal
            else (lambda _: style.SPINE_STYLE),
            interactive=polygonal,
            tooltip=text(corridor_caption(row)) if polygonal else None,
        ).add_to(group)
    group.add_to(fmap)


def corridor_caption(row: dict[str, Any]) -> str:
    """Word the belt's tooltip: what it is, how wide, what it holds, and any caveat."""
    parts = ["Midlands Defence Belt (computed model)"]
    width, share = row.get("width_km"), row.get("share_inside")
    if width is not None and not pd.isna(width):
        parts.append(f"{float(width):g} km wide")
    if share is not None and not pd.isna(share):
        parts.append(f"holds {float(share):.0%} of the selected sites")
    if row.get("hubs"):
        parts.append(f"hubs: {row['hubs']}")
    caption = ", ".join(parts)
    return f"{caption}. {row['note']}" if row.get("note") else caption


def _add_clusters(fmap: folium.Map, clusters: gpd.GeoDataFrame) -> None:
    group = folium.FeatureGroup(name=style.overlay_label("clusters"), show=False)
    for row in clusters.to_crs(settings.CRS_STORAGE).to_dict("records"):
        caption = f"{row.get('name', 'Cluster')}: {row.get('size', '?')} sites"
        folium.GeoJson(
            row["geometry"].__geo_interface__,
            style_function=lambda _: style.overlay_style("clusters"),
            tooltip=text(caption),
        ).add_to(group)
    group.add_to(fmap)


def _add_estates(fmap: folium.Map, estates: gpd.GeoDataFrame) -> None:
    group = folium.FeatureGroup(name=style.overlay_label("estates"), show=False)
    for row in estates.to_crs(settings.CRS_STORAGE).to_dict("records"):
        folium.GeoJson(
            row["geometry"].__geo_interface__,
            style_function=lambda _: style.overlay_style("estates"),
            tooltip=text(row.get("name") or "Military land (unnamed)"),
        ).add_to(group)
    group.add_to(fmap)
