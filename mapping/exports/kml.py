"""The KML export for Google Earth: sites in a folder per main capability, the belt, the areas.

Each capability is a folder with its own colour; a site's balloon is the map's escaped popup;
the document's description and extended data record the provenance of :mod:`mapping.credits`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import geopandas as gpd
import shapely
import simplekml
from matplotlib import colors

from layers import vocabulary
from layers._io import atomic_write_bytes
from layers.selection import Selection
from mapping import style
from mapping.credits import flat_metadata, provenance_text
from mapping.exports.metadata import selection_metadata
from mapping.exports.tables import (
    OPTIONAL_SITE_COLUMNS,
    areas_layer,
    corridor_layer,
    rfc7946_geometries,
    site_table,
)
from mapping.popups import plain_text, site_popup

_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
_GOOGLE_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"
# The site columns a placemark carries as extended data.
_PLACEMARK_DATA = (
    "site_id",
    "organisation",
    "kind_label",
    "capability_labels",
    "status",
    "opened",
    "closes",
    "town",
    "lad_name",
    "county_name",
    "ca_name",
    "location_precision",
    "source_url",
    "last_checked",
)


def kml_text(value: object) -> str:
    """Return ``value`` as KML element text: control and bidirectional characters dropped, escaped.

    XML 1.0 forbids most control characters, and bidirectional overrides can disguise text, so
    both go before ``&``, ``<`` and ``>`` are escaped.
    """
    raw = "" if value is None else str(value)
    raw = plain_text(raw)
    return xml_escape(_BIDI_CONTROLS.sub("", raw))


def kml_colour(hex_colour: str, *, alpha: int = 255) -> str:
    """Return a ``#RRGGBB`` colour as KML's ``aabbggrr``."""
    if not _HEX_COLOUR.fullmatch(hex_colour):
        raise ValueError(f"colour {hex_colour!r} is not #RRGGBB")
    rgba = colors.to_hex(colors.to_rgba(hex_colour, alpha / 255), keep_alpha=True)
    red, green, blue, opacity = (rgba[i : i + 2] for i in (1, 3, 5, 7))
    return f"{opacity}{blue}{green}{red}"


def kml_document(selection: Selection) -> str:
    """Return the selection as KML for Google Earth: sites by main capability, belt, areas.

    Every string from data is escaped here (simplekml's own escaping is turned off so nothing
    is escaped twice or missed in extended data).
    """
    metadata = selection_metadata(selection)
    document = simplekml.Kml(name=kml_text(metadata["title"]))
    document.parsetext(parse=False)
    document.document.description = kml_text(provenance_text(metadata))
    for key, value in flat_metadata(metadata):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        document.document.extendeddata.newdata(name=key, value=kml_text(text))
    _kml_sites(document, selection.sites)
    corridor = corridor_layer(selection)
    if corridor is not None:
        _kml_corridor(document, corridor)
    _kml_areas(document, areas_layer(selection))
    return str(document.kml(format=False))


def write_kml(selection: Selection, path: str | Path) -> Path:
    """Write the selection as KML; return the path."""
    atomic_write_bytes(path, kml_document(selection).encode("utf-8"))
    return Path(path)


def _kml_sites(document: simplekml.Kml, sites: gpd.GeoDataFrame) -> None:
    table = site_table(sites)
    records = sites.drop(columns=sites.geometry.name).to_dict("records")
    by_main: dict[str, list[int]] = {}
    for position, main in enumerate(table["main_capability"]):
        by_main.setdefault(main, []).append(position)
    order = [s for s in vocabulary.CAPABILITIES if s in by_main]
    order += [s for s in by_main if s not in vocabulary.CAPABILITIES]
    for slug in order:
        members = by_main[slug]
        label = vocabulary.capability_label(slug) if slug else "No capability"
        folder = document.newfolder(name=kml_text(f"{label} ({len(members)})"))
        shared = simplekml.Style()
        shared.iconstyle.color = kml_colour(style.capability_colour(slug))
        shared.iconstyle.scale = 1.1
        shared.iconstyle.icon.href = _GOOGLE_ICON
        shared.labelstyle.scale = 0.7
        for position in members:
            row = table.iloc[position]
            point = folder.newpoint(
                name=kml_text(row["name"]),
                description=kml_text(site_popup(records[position])),
                coords=[(float(row["lon"]), float(row["lat"]))],
            )
            point.style = shared
            for column in (*_PLACEMARK_DATA, *(c for c in OPTIONAL_SITE_COLUMNS if c in row)):
                point.extendeddata.newdata(name=column, value=kml_text(row[column]))


def _kml_corridor(document: simplekml.Kml, corridor: gpd.GeoDataFrame) -> None:
    folder = document.newfolder(name="Midlands Defence Belt (computed model)")
    shapes = rfc7946_geometries(corridor.geometry.to_numpy())
    for row, shape in zip(corridor.to_dict("records"), shapes, strict=True):
        if shape is None:
            continue
        part = str(row.get("part", ""))
        shared = simplekml.Style()
        shared.linestyle.color = kml_colour(str(style.CORRIDOR_STYLE["color"]))
        shared.linestyle.width = 3 if part == "spine" else 2
        shared.polystyle.color = kml_colour(str(style.CORRIDOR_STYLE["fillColor"]), alpha=90)
        description = (
            f"{part}; {row.get('mode', '')} links; width {row.get('width_km', '')} km; "
            f"hubs: {row.get('hubs', '')}"
        )
        _kml_shape(
            folder,
            shape,
            name="Midlands Defence Belt" if part == "belt" else "Defence Belt spine",
            description=description,
            look=shared,
        )


def _kml_areas(document: simplekml.Kml, layer: gpd.GeoDataFrame) -> None:
    if layer.empty:
        return
    folder = document.newfolder(name=kml_text(f"Areas: {layer['level'].iloc[0]}"))
    shared = simplekml.Style()
    shared.linestyle.color = kml_colour(str(style.BOUNDARY_STYLES["combined_authorities"]["color"]))
    shared.linestyle.width = 2
    shared.polystyle.fill = 0
    shapes = rfc7946_geometries(layer.geometry.to_numpy())
    for row, shape in zip(layer.drop(columns="geometry").to_dict("records"), shapes, strict=True):
        if shape is None:
            continue
        counts = "; ".join(
            f"{vocabulary.capability_label(slug)}: {row[f'sites_{slug}']}"
            for slug in vocabulary.CAPABILITIES
            if row.get(f"sites_{slug}")
        )
        _kml_shape(
            folder,
            shape,
            name=f"{row['name']} ({row['sites']} sites)",
            description=f"{row['code']}. {counts}",
            look=shared,
        )


def _kml_shape(
    folder: simplekml.Folder,
    shape: shapely.Geometry,
    *,
    name: str,
    description: str,
    look: simplekml.Style,
) -> None:
    """Add a polygon or line (or a MultiGeometry of them) to ``folder``."""
    parts = list(shapely.get_parts(shape))
    container: Any = folder
    if len(parts) > 1:
        container = folder.newmultigeometry(name=kml_text(name), description=kml_text(description))
        container.style = look
    for part in parts:
        if isinstance(part, shapely.Polygon):
            drawn = container.newpolygon(
                outerboundaryis=list(part.exterior.coords),
                innerboundaryis=[list(ring.coords) for ring in part.interiors],
            )
        elif isinstance(part, shapely.LineString):
            drawn = container.newlinestring(coords=list(part.coords))
        else:
            continue
        if container is folder:
            drawn.name = kml_text(name)
            drawn.description = kml_text(description)
            drawn.style = look
