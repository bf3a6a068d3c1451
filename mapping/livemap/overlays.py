"""Overlays on the live map: shapes that follow the filters, such as the Defence Belt.

An overlay is GeoJSON with a Leaflet path style, a label for the layer control and the legend,
and an optional tooltip (text). The overlays of a render are sent only when they differ from
what the map last received (their ``version``), and are drawn under the sites, so a site
inside the belt is still the one clicked.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import shapely

import settings
from mapping.livemap.base import COORDINATE_DECIMALS, compact_json


@dataclass(frozen=True)
class Overlay:
    """One overlay: a GeoJSON FeatureCollection (EPSG:4326), its style, label and tooltip.

    A feature may carry its own tooltip text in ``properties["tip"]`` (see ``tooltips`` of
    :func:`overlay`); ``tooltip`` is shown on the features that have none.
    """

    label: str
    geojson: dict[str, Any] = field(repr=False)
    style: Mapping[str, object] = field(default_factory=dict)
    tooltip: str = ""


def overlay(
    shapes: gpd.GeoDataFrame | gpd.GeoSeries | shapely.Geometry,
    *,
    label: str,
    style: Mapping[str, object],
    tooltip: str = "",
    tooltips: Sequence[str] | None = None,
) -> Overlay:
    """Return an overlay of ``shapes`` (any CRS set on a frame; a bare geometry is EPSG:4326).

    Coordinates are rounded to 5 decimals (about a metre); empty geometries are left out.

    Parameters
    ----------
    shapes
        The geometries, for example ``corridor`` (the belt and its spine) from
        ``layers.corridor.build_corridor``.
    label
        The name in the layer control and the legend (text).
    style
        Leaflet path options: ``color``, ``weight``, ``fillColor``, ``fillOpacity``, ...
        (see ``mapping.style.CORRIDOR_STYLE``).
    tooltip
        Text shown on hover (never markup); empty for none.
    tooltips
        One text per shape (for example each cluster's name and size), shown on hover over
        that shape instead of ``tooltip``; empty texts show ``tooltip``.
    """
    if isinstance(shapes, gpd.GeoDataFrame | gpd.GeoSeries):
        if shapes.crs is None:
            raise ValueError(f"overlay {label!r}: the shapes have no CRS; set one (EPSG:4326)")
        series = shapes.geometry.to_crs(settings.CRS_STORAGE)
        geometries = list(series)
    else:
        geometries = [shapes]
    tips = [""] * len(geometries) if tooltips is None else [str(t) for t in tooltips]
    if len(tips) != len(geometries):
        raise ValueError(
            f"overlay {label!r}: {len(tips)} tooltips for {len(geometries)} shapes; give one "
            "per shape"
        )
    pairs = zip(geometries, tips, strict=True)
    kept = [(g, tip) for g, tip in pairs if g is not None and not g.is_empty]
    rounded = (
        shapely.set_precision([g for g, _ in kept], 10.0**-COORDINATE_DECIMALS) if kept else []
    )
    features = [
        {
            "type": "Feature",
            "properties": {"tip": tip} if tip else {},
            "geometry": shapely.geometry.mapping(g),
        }
        for g, (_, tip) in zip(rounded, kept, strict=True)
        if not g.is_empty
    ]
    return Overlay(
        label=label,
        geojson={"type": "FeatureCollection", "features": features},
        style=dict(style),
        tooltip=tooltip,
    )


def overlays_payload(overlays: Sequence[Overlay]) -> tuple[str, bytes]:
    """Return the overlays' version (a hash of their content) and their bytes for the browser."""
    data = compact_json(
        [
            {"label": o.label, "geojson": o.geojson, "style": dict(o.style), "tooltip": o.tooltip}
            for o in overlays
        ]
    )
    return (hashlib.sha256(data).hexdigest()[:12] if overlays else ""), data
