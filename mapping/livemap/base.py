"""The live map's base: boundaries, palette, marker shapes and labels, sent once per version.

Everything here changes only when the data does (a rebuilt boundary layer, a new vocabulary),
so the browser receives it once per session and keeps it while filters change. Its
``version`` is a hash of its content: the component resends the base only when the version
it last sent differs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import settings
from layers import boundaries, places, timeline, vocabulary
from mapping import style
from mapping.area_layers import AREA_LAYERS
from mapping.basemap import MIDLANDS_BOUNDS, display_geojson
from mapping.livemap.rows import PRECISION_SLUGS
from mapping.popups import approximate_label, placement_note
from mapping.style import kind_corners

#: Boundary layers of the base, bottom to top: the land and the Midlands (the offline
#: basemap), then the areas a reader can switch on and off.
BASE_LAYERS: tuple[str, ...] = ("countries", "midlands", "combined_authorities", "counties", "lads")
#: Layers drawn as the basemap (no names, no hover, not in the layer control).
_BASEMAP_STYLES: dict[str, dict[str, object]] = {
    "countries": style.LAND_STYLE,
    "midlands": style.MIDLANDS_STYLE,
}
#: Coordinates of the boundaries are sent with this many decimals (about a metre).
COORDINATE_DECIMALS: int = 5


@dataclass(frozen=True)
class MapBase:
    """What the browser needs once: boundary layers, palette, shapes, labels and credits.

    Build it with :func:`build_base`; it is immutable and can be shared between sessions
    (``st.cache_resource``).

    Attributes
    ----------
    version
        A short hash of ``data``: the same content always has the same version.
    payload
        The content, as Python values.
    data
        ``payload`` as compact UTF-8 JSON: the bytes the browser receives.
    """

    version: str
    payload: dict[str, Any] = field(repr=False, compare=False)
    data: bytes = field(repr=False, compare=False)

    @property
    def size(self) -> int:
        """Return the base's size in bytes (what one session receives once)."""
        return len(self.data)


def build_base(
    *,
    boundaries_dir: str | Path | None = None,
    layers: tuple[str, ...] = BASE_LAYERS,
    attributions: tuple[str, ...] = (settings.ONS_ATTRIBUTION,),
) -> MapBase:
    """Return the live map's base from the built display boundaries.

    Parameters
    ----------
    boundaries_dir
        Where the built boundaries are (``make data`` builds them).
    layers
        Display layers to send, bottom to top; ``"countries"`` and ``"midlands"`` are drawn as
        the offline basemap, the others as switchable area layers with their names on hover.
    attributions
        Credit lines shown in the map's attribution (text, never markup).

    Returns
    -------
    MapBase
        The base and its version. Read again only when a layer file changes.
    """
    boundaries_dir = settings.BOUNDARIES_DIR if boundaries_dir is None else boundaries_dir
    unknown = [name for name in layers if name not in _BASEMAP_STYLES and name not in AREA_LAYERS]
    if unknown:
        choices = ", ".join([*_BASEMAP_STYLES, *AREA_LAYERS])
        raise ValueError(f"unknown base layer(s) {unknown!r}; choose from {choices}")
    stamps = tuple(_modified(name, boundaries_dir) for name in layers)
    return _cached_base(str(boundaries_dir), layers, attributions, stamps)


def _modified(name: str, directory: str | Path) -> float:
    path = boundaries.layer_path(name, display=True, directory=directory)
    return path.stat().st_mtime if path.is_file() else 0.0


@cache
def _cached_base(
    directory: str, layers: tuple[str, ...], attributions: tuple[str, ...], _stamps: tuple[float]
) -> MapBase:
    # ``_stamps`` (the files' modification times) is part of the key so a rebuilt layer is read
    payload = {
        "layers": [_layer(name, directory) for name in layers],
        "bounds": MIDLANDS_BOUNDS,
        "background": style.SEA_COLOUR,
        "attributions": [*attributions, places.GEONAMES_ATTRIBUTION],
        # place names (towns and districts), each shown from its own zoom
        "places": places.place_labels(directory),
        **legend_tables(),
    }
    data = compact_json(payload)
    return MapBase(version=hashlib.sha256(data).hexdigest()[:12], payload=payload, data=data)


def legend_tables() -> dict[str, Any]:
    """Return the lookup tables the browser draws markers and the legend from.

    A site row carries indexes into these tables (see :mod:`mapping.livemap.rows`); the last
    entry of ``capabilities``, ``palette``, ``kinds`` and ``shapes`` stands for an unknown
    slug.
    """
    capability_slugs = list(vocabulary.CAPABILITIES)
    kind_slugs = list(vocabulary.KINDS)
    return {
        "capabilities": [vocabulary.CAPABILITIES[s] for s in capability_slugs] + ["Unknown"],
        "palette": [style.capability_colour(s) for s in capability_slugs] + [style.UNKNOWN_COLOUR],
        "kinds": [vocabulary.KINDS[s] for s in kind_slugs] + ["Unknown kind"],
        # corners as offsets in radii; None draws a circle
        "shapes": [kind_corners(s) for s in kind_slugs] + [None],
        "statusLabels": timeline.STATUS_LABELS,
        "uploadStroke": style.UPLOAD_STROKE,
        # per precision: [legend label when approximate ("" for a point of the site), the
        # popup's sentence]; a row's ``precision`` indexes this list
        "precisions": [[approximate_label(s), placement_note(s)] for s in PRECISION_SLUGS],
        "plannedLabel": "Planned",
        "overlays": {
            key: {"label": label, "style": dict(look)}
            for key, (label, look) in style.OVERLAYS.items()
        },
        "boundaryStyles": {
            name: {"label": AREA_LAYERS[name][0], **style.BOUNDARY_STYLES[name]}
            for name in AREA_LAYERS
        },
    }


def _layer(name: str, directory: str) -> dict[str, Any]:
    basemap = name in _BASEMAP_STYLES
    features = [
        {
            "type": "Feature",
            # the basemap shows no names, so none are sent
            "properties": {} if basemap else {"name": str(feature["properties"].get("name", ""))},
            "geometry": _rounded(feature["geometry"]),
        }
        for feature in display_geojson(name, directory)["features"]
    ]
    return {
        "name": name,
        "label": "" if basemap else AREA_LAYERS[name][0],
        "basemap": basemap,
        "style": _BASEMAP_STYLES[name] if basemap else style.BOUNDARY_STYLES[name],
        "geojson": {"type": "FeatureCollection", "features": features},
    }


def _rounded(geometry: dict[str, Any]) -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, float):
            return round(value, COORDINATE_DECIMALS)
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def compact_json(value: object) -> bytes:
    """Return ``value`` as compact UTF-8 JSON (sent as bytes, so Streamlit adds no spaces)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
