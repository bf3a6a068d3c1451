"""Colours, marker shapes and boundary styles: one place for how the map looks.

Sites are coloured by their first (main) capability and shaped by their kind, so colour is
never the only cue. The capability colours were chosen by a search over sRGB for the
15 colours that stay furthest apart under normal vision and simulated deuteranopia, protanopia
and tritanopia (smallest CAM02-UCS difference 10.5, against 1.6 for the Okabe-Ito/Tol set
before), among colours dark enough for 3:1 contrast on every basemap fill; combat air and space
kept their colours. Each marker has a dark outline so it reads on a projector.
``python -m mapping.palette_check`` prints the figures.
"""

from __future__ import annotations

import re

#: Capability slug -> marker colour (every one at least 3:1 on the basemap's fills).
CAPABILITY_COLOURS: dict[str, str] = {
    "land_systems": "#334400",
    "combat_air": "#0072B2",
    "nuclear_propulsion": "#775500",
    "cyber_digital": "#CC00AA",
    "defence_medicine": "#BB6677",
    "space": "#332288",
    "istar": "#8866EE",
    "advanced_manufacturing": "#558800",
    "power_propulsion": "#EE3355",
    "autonomy_ai": "#555577",
    "quantum": "#AA0044",
    "test_evaluation": "#996688",
    "skills_training": "#3300FF",
    "supply_chain": "#553355",
    "energy_decarbonisation": "#005533",
}
UNKNOWN_COLOUR = "#707070"

#: Kind of site -> SVG shape drawn in a 20x20 box (our own paths).
KIND_SHAPES: dict[str, str] = {
    "prime": '<polygon points="10,1 12.6,7.2 19.3,7.6 14.1,11.9 15.8,18.5 10,14.8 4.2,18.5 '
    '5.9,11.9 0.7,7.6 7.4,7.2"/>',
    "supplier": '<circle cx="10" cy="10" r="7.5"/>',
    "research_centre": '<polygon points="10,1.5 18.5,10 10,18.5 1.5,10"/>',
    "university": '<polygon points="10,2 18.5,17.5 1.5,17.5"/>',
    "military": '<rect x="3" y="3" width="14" height="14"/>',
    "cluster_body": '<polygon points="10,1.5 17.4,5.8 17.4,14.2 10,18.5 2.6,14.2 2.6,5.8"/>',
    "skills_centre": '<polygon points="1.5,2.5 18.5,2.5 10,18"/>',
    "health": '<polygon points="7,2 13,2 13,7 18,7 18,13 13,13 13,18 7,18 7,13 2,13 2,7 7,7"/>',
}

#: Boundary layer styles (Leaflet path options).
BOUNDARY_STYLES: dict[str, dict[str, object]] = {
    "combined_authorities": {
        "color": "#1f4e79",
        "weight": 3.5,
        "fillColor": "#1f4e79",
        "fillOpacity": 0.06,
        "opacity": 0.9,
    },
    "counties": {"color": "#4d4d4d", "weight": 1.6, "fillOpacity": 0.0, "opacity": 0.8},
    "lads": {
        "color": "#666666",
        "weight": 0.7,
        "fillOpacity": 0.0,
        "opacity": 0.8,
        "dashArray": "3 3",
    },
    "wards": {"color": "#707070", "weight": 0.4, "fillOpacity": 0.0, "opacity": 0.9},
}
HIGHLIGHT_STYLE: dict[str, object] = {"weight": 4, "color": "#000000", "fillOpacity": 0.12}
#: The offline basemap: land, the Midlands, and the sea behind them.
SEA_COLOUR = "#dfe8ee"
LAND_STYLE: dict[str, object] = {
    "color": "#c8c3b8",
    "weight": 0.8,
    "fillColor": "#f4f1ea",
    "fillOpacity": 1.0,
}
MIDLANDS_STYLE: dict[str, object] = {
    "color": "#1f4e79",
    "weight": 1.0,
    "fillColor": "#ffffff",
    "fillOpacity": 0.85,
}
CORRIDOR_STYLE: dict[str, object] = {
    "color": "#b35806",
    "weight": 2,
    "fillColor": "#fdb863",
    "fillOpacity": 0.28,
    "dashArray": "6 4",
}
SPINE_STYLE: dict[str, object] = {"color": "#b35806", "weight": 4, "opacity": 0.9}
#: Site clusters: a dashed violet outline.
CLUSTER_STYLE: dict[str, object] = {
    "color": "#332288",
    "weight": 2,
    "fillColor": "#332288",
    "fillOpacity": 0.08,
    "dashArray": "2 4",
}
#: MOD estate footprints (military land from OpenStreetMap): grey.
ESTATE_STYLE: dict[str, object] = {
    "color": "#4d4d4d",
    "weight": 1,
    "fillColor": "#7f7f7f",
    "fillOpacity": 0.25,
}

#: Every overlay drawn over the areas, by key: its name (layer control and legend) and its
#: Leaflet path style. The live map, the folium pages and the slides read their names here.
OVERLAYS: dict[str, tuple[str, dict[str, object]]] = {
    "belt": ("Midlands Defence Belt (model)", CORRIDOR_STYLE),
    "spine": ("The belt's spine", SPINE_STYLE),
    "clusters": ("Site clusters", CLUSTER_STYLE),
    "estates": ("MOD estate footprints (OpenStreetMap)", ESTATE_STYLE),
    "heat": ("Site density (heat)", {}),
}


def overlay_label(key: str) -> str:
    """Return an overlay's name (``belt``, ``spine``, ``clusters``, ``estates``, ``heat``)."""
    try:
        return OVERLAYS[key][0]
    except KeyError:
        raise ValueError(f"unknown overlay {key!r}; choose from {', '.join(OVERLAYS)}") from None


def overlay_style(key: str) -> dict[str, object]:
    """Return a copy of an overlay's Leaflet path style (see :data:`OVERLAYS`)."""
    overlay_label(key)  # raises for an unknown key
    return dict(OVERLAYS[key][1])


def capability_colour(slug: str) -> str:
    """Return the colour of a capability (grey for an unknown slug)."""
    return CAPABILITY_COLOURS.get(slug, UNKNOWN_COLOUR)


#: Uploaded sites: the same shapes and colours, ringed in magenta with a dashed outline so
#: they never pass for registry sites.
UPLOAD_STROKE = "#c2185b"
#: The dark outline of every registry marker.
MARKER_OUTLINE = "#1a1a1a"


def kind_corners(kind: str) -> list[list[float]] | None:
    """Return the corners of ``kind``'s marker shape as offsets in radii (None for a circle).

    The shapes are read from :data:`KIND_SHAPES` (a 20 x 20 SVG box, centre 10, 10); every
    web map draws its markers and legend shapes from these corners.
    """
    shape = KIND_SHAPES.get(kind, "")
    if shape.startswith("<polygon"):
        found = re.search(r'points="([^"]+)"', shape)
        numbers = [float(v) for v in re.split(r"[\s,]+", found.group(1).strip())] if found else []
        corners = list(zip(numbers[::2], numbers[1::2], strict=True))
    elif shape.startswith("<rect"):
        values = {k: float(v) for k, v in re.findall(r'(\w+)="([-\d.]+)"', shape)}
        x, y, w, h = values["x"], values["y"], values["width"], values["height"]
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
    else:
        return None
    return [[round((cx - 10) / 8.5, 2), round((cy - 10) / 8.5, 2)] for cx, cy in corners]
