"""The map's base: an offline basemap drawn from the boundaries, or light tiles.

Every map of the product (the site map, the areas choropleth, the standalone page) starts
here, so they share one look and one way of reading the display boundaries.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import folium

import settings
from layers import boundaries
from mapping import style

BASEMAPS: dict[str, str] = {
    "offline": "Offline (boundaries as the base; no internet needed)",
    "light": "Light grey tiles (Esri; needs internet)",
}
#: The Midlands' bounds, for the initial view: [[south, west], [north, east]].
MIDLANDS_BOUNDS: list[list[float]] = [[51.83, -3.24], [53.72, 0.36]]


def new_map(
    *,
    basemap: str = "offline",
    boundaries_dir: str | Path | None = None,
    height: str = "100%",
    fit_bounds: bool = True,
) -> folium.Map:
    """Return an empty map of the Midlands on the chosen basemap.

    ``"offline"`` draws the UK's land and the Midlands outline from the built boundaries (no
    tiles, so no internet needed); ``"light"`` uses Esri's light grey canvas tiles.
    ``fit_bounds`` fits the view to the Midlands once the map has a size; without it the map
    opens on a fixed centre and zoom (for maps drawn in hidden tabs).
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}")
    fmap = folium.Map(
        location=[52.75, -1.5],
        zoom_start=8,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        zoom_snap=0.25,
        height=height,
    )
    # with no tile layer Leaflet has no zoom range, which marker clustering needs
    fmap.options.update(minZoom=6, maxZoom=18)
    if basemap == "light":
        folium.TileLayer(
            "Esri.WorldGrayCanvas", name=BASEMAPS["light"], control=False, max_zoom=16
        ).add_to(fmap)
    else:
        folium.GeoJson(
            _shapes_only("countries", boundaries_dir),
            name="Land",
            control=False,
            interactive=False,
            style_function=lambda _: style.LAND_STYLE,
        ).add_to(fmap)
        folium.GeoJson(
            _shapes_only("midlands", boundaries_dir),
            name="The Midlands",
            control=False,
            interactive=False,
            style_function=lambda _: style.MIDLANDS_STYLE,
        ).add_to(fmap)
    if fit_bounds:
        fmap.fit_bounds(MIDLANDS_BOUNDS)
    return fmap


def _shapes_only(name: str, directory: str | Path) -> dict[str, Any]:
    """Return a display layer's geometry alone.

    The basemap shows no names, so none need reach the page (where folium would pass them
    through its templates).
    """
    features = display_geojson(name, directory)["features"]
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": feature["geometry"]}
            for feature in features
        ],
    }


def display_geojson(name: str, directory: str | Path | None = None) -> dict[str, Any]:
    """Return a display boundary layer as GeoJSON (``code``, ``name`` and geometry only).

    Read once per file version and shared: callers must not modify it.
    """
    directory = settings.BOUNDARIES_DIR if directory is None else directory
    path = boundaries.layer_path(name, display=True, directory=directory)
    if not path.is_file():
        boundaries.load_layer(name, display=True, directory=directory)  # raises with advice
    return _read_display(name, str(directory), path.stat().st_mtime)


@cache
def _read_display(name: str, directory: str, modified: float) -> dict[str, Any]:
    # ``modified`` is part of the cache key so a rebuilt layer is read again
    frame = boundaries.load_layer(name, display=True, directory=directory)
    keep = [c for c in ("code", "name") if c in frame.columns]
    loaded: dict[str, Any] = json.loads(frame[[*keep, "geometry"]].to_json(drop_id=True))
    return loaded
