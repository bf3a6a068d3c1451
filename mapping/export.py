"""Data exports of exactly what the filters select: GeoJSON, GeoPackage, KML and CSV.

Every export is made from one :class:`Selection`: the selected sites, the filter that chose them,
the Defence Belt when there is one, the data version and the date. Every export records that
provenance (filters, data version, date, counts, attribution) in the way its format allows: a
``metadata`` member in GeoJSON, a ``metadata`` table in the GeoPackage, the document's
description and extended data in KML, and a side file beside a CSV.

Coordinates are WGS84 longitude, latitude (EPSG:4326) everywhere, at most 6 decimals (about
0.1 m); polygons follow RFC 7946 (exterior rings counter-clockwise, holes clockwise).

Command line::

    python -m mapping.export --format {geojson,gpkg,kml,csv,html,png,pdf,bidpack}
        [--capability SLUG]... [--kind KIND]... [--area GSS_CODE]... [--text TEXT]
        [--in-belt] [--width-km N] [--sites PATH] [--boundaries DIR] -o PATH
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import json
import logging
import math
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import simplekml

import settings
from layers import areas, boundaries, filters, provenance, vocabulary
from layers._errors import BoundaryDataMissingError, SiteValidationError
from layers._io import atomic_write, atomic_write_bytes
from layers.filters import SiteFilter
from layers.sites import AREA_COLUMNS
from mapping import style
from mapping.popups import site_popup

logger = logging.getLogger(__name__)

#: The formats the command line writes.
FORMATS: tuple[str, ...] = ("geojson", "gpkg", "kml", "csv", "html", "png", "pdf", "bidpack")
#: The layers of an export, in order.
LAYER_NAMES: tuple[str, ...] = ("sites", "corridor", "areas")
#: Decimal places kept in exported coordinates (6 is about 0.1 m).
COORDINATE_DECIMALS: int = 6
#: The product's name, as exports credit it.
PRODUCT: str = "Midlands Defence Capability Map"
#: Where the sites come from, as exports credit it.
REGISTRY_SOURCE: str = (
    "Sites: the Midlands Defence Capability Map registry (data/sites/sites.csv); every site "
    "cites its public source (source_url) and the date it was checked (last_checked)."
)
#: The licences of the data an export can carry.
ONS_LICENCE: str = "ONS boundaries: Open Government Licence v3.0"
OSM_LICENCE: str = "OpenStreetMap data: Open Database Licence (ODbL) v1.0"
#: The site columns of the data exports, in order (``cap_<slug>`` booleans follow them).
SITE_COLUMNS: tuple[str, ...] = (
    "site_id",
    "name",
    "organisation",
    "kind",
    "kind_label",
    "capabilities",
    "capability_labels",
    "main_capability",
    "lat",
    "lon",
    "location_precision",
    "town",
    "description",
    "source_url",
    "last_checked",
    "location_source",
    *AREA_COLUMNS,
)
#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_GOOGLE_ICON = "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png"


class CorridorUnavailableError(RuntimeError):
    """The Defence Belt cannot be computed here (``layers.corridor`` is not importable)."""


# --------------------------------------------------------------------------------------------
# The selection every export is made from


@dataclass(frozen=True, eq=False)
class Selection:
    """What an export holds: the selected sites and where they came from.

    Attributes
    ----------
    sites
        The selected sites (EPSG:4326), as :func:`layers.filters.select_sites` returns them.
    criteria
        The filter that selected them.
    data_version
        The short version of the registry and boundaries (``layers.provenance.data_version``).
    created
        When the export was made (UTC).
    corridor
        The Defence Belt (``layers.corridor.build_corridor``'s result) when there is one.
    estates
        MOD estate footprints from OpenStreetMap shown with the sites, when any.
    boundaries_dir
        Where the built boundaries are (areas, slides and the offline map read them).
    area_level
        The authority level of the areas layer: ``"ca"``, ``"county"`` or ``"lad"``.
    """

    sites: gpd.GeoDataFrame
    criteria: SiteFilter = field(default_factory=SiteFilter)
    data_version: str = ""
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    corridor: gpd.GeoDataFrame | None = None
    estates: gpd.GeoDataFrame | None = None
    boundaries_dir: Path = settings.BOUNDARIES_DIR
    area_level: str = "county"

    @property
    def has_corridor(self) -> bool:
        """Say whether the selection carries a non-empty Defence Belt."""
        return self.corridor is not None and not self.corridor.empty

    @property
    def uses_osm(self) -> bool:
        """Say whether the export carries OpenStreetMap data (estates, or roads-mode belt)."""
        if self.estates is not None and not self.estates.empty:
            return True
        return bool(
            self.has_corridor
            and self.corridor is not None
            and "mode" in self.corridor.columns
            and (self.corridor["mode"] == "roads").any()
        )


def make_selection(
    sites: gpd.GeoDataFrame,
    criteria: SiteFilter,
    *,
    boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
    data_version: str = "",
    sites_path: str | Path | None = None,
    corridor: gpd.GeoDataFrame | None = None,
    with_corridor: bool = False,
    width_km: float = settings.CORRIDOR_WIDTH_KM,
    mode: str = "straight",
    estates: gpd.GeoDataFrame | None = None,
    area_level: str = "county",
    created: datetime | None = None,
) -> Selection:
    """Select the sites ``criteria`` asks for, with the belt when needed, ready to export.

    The Defence Belt is computed from the sites the other criteria select (everything but
    "in the belt"), as the app draws it; "in the belt" then keeps the sites inside it.

    Parameters
    ----------
    sites
        The whole registry (``layers.sites.load_sites``).
    criteria
        The filter (the app's, the command line's or a scene's).
    boundaries_dir
        Where the built boundaries are.
    data_version
        The data version; computed from ``sites_path`` and ``boundaries_dir`` when empty.
    sites_path
        The registry file the sites were read from (default ``settings.SITES_CSV``).
    corridor
        A belt already computed (the app's); computed here when the filter or
        ``with_corridor`` needs one and none is given.
    with_corridor
        Compute the belt even when the filter does not ask for "in the belt" (the bid pack
        carries it); skipped with a warning when ``layers.corridor`` is not importable.
    width_km, mode
        The belt's width and links (``"straight"`` or ``"roads"``) when it is computed here.
    estates
        OpenStreetMap estate footprints to carry (their attribution is then added).
    area_level
        The authority level of the areas layer.
    created
        The export's date and time (default: now, UTC).

    Raises
    ------
    CorridorUnavailableError
        When ``criteria.in_belt`` is set, no corridor is given and ``layers.corridor`` cannot
        be imported.
    """
    if area_level not in areas.LEVELS:
        raise ValueError(
            f"unknown area level {area_level!r}; choose one of {', '.join(areas.LEVELS)}"
        )
    directory = Path(boundaries_dir)
    if corridor is None and (criteria.in_belt or with_corridor):
        base = filters.select_sites(sites, dataclasses.replace(criteria, in_belt=False))
        try:
            corridor = compute_corridor(
                base, width_km=width_km, mode=mode, boundaries_dir=directory
            )
        except CorridorUnavailableError:
            if criteria.in_belt:
                raise
            logger.warning("the Defence Belt module is not available; exporting without it")
    in_belt = None
    if criteria.in_belt and corridor is not None:
        in_belt = _corridor_module().sites_in_corridor(sites, corridor)
    selected = filters.select_sites(sites, criteria, in_belt=in_belt)
    version = data_version or provenance.data_version(sites_path, boundaries_dir=directory)
    return Selection(
        sites=selected,
        criteria=criteria,
        data_version=version,
        created=created or datetime.now(UTC),
        corridor=corridor,
        estates=estates,
        boundaries_dir=directory,
        area_level=area_level,
    )


def compute_corridor(
    sites: gpd.GeoDataFrame,
    *,
    width_km: float = settings.CORRIDOR_WIDTH_KM,
    mode: str = "straight",
    boundaries_dir: str | Path = settings.BOUNDARIES_DIR,
) -> gpd.GeoDataFrame:
    """Return the Defence Belt of ``sites``, clipped to the built outline.

    ``mode`` is ``"straight"`` or ``"roads"`` (roads fall back to straight links, and say so
    in the belt's ``note``, when the road graph is not cached).

    Raises
    ------
    CorridorUnavailableError
        When ``layers.corridor`` cannot be imported.
    """
    module = _corridor_module()
    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    corridor: gpd.GeoDataFrame = module.build_corridor(
        sites, width_km=width_km, mode=mode, outline=outline
    )
    return corridor


def _corridor_module() -> ModuleType:
    # Imported when needed: the belt is optional for most exports, and its module may be absent.
    try:
        corridor = importlib.import_module("layers.corridor")
    except ImportError as exc:
        raise CorridorUnavailableError(
            f"the Defence Belt cannot be computed: layers.corridor is not importable ({exc}); "
            "export without --in-belt, or install the corridor module"
        ) from exc
    return corridor


def ensure_corridor(
    selection: Selection, *, width_km: float = settings.CORRIDOR_WIDTH_KM
) -> Selection:
    """Return ``selection`` with a belt computed from its sites when it has none.

    When ``layers.corridor`` is not importable the selection comes back unchanged (a warning
    is logged), so a bid pack can still be made.
    """
    if selection.corridor is not None:
        return selection
    try:
        corridor = compute_corridor(
            selection.sites, width_km=width_km, boundaries_dir=selection.boundaries_dir
        )
    except CorridorUnavailableError as exc:
        logger.warning("%s", exc)
        return selection
    return dataclasses.replace(selection, corridor=corridor)


# --------------------------------------------------------------------------------------------
# Provenance


def attributions(selection: Selection) -> list[str]:
    """Return the attribution lines the selection's data needs (ONS always; OSM when used)."""
    lines = [settings.ONS_ATTRIBUTION]
    if selection.uses_osm:
        lines.append(settings.OSM_ATTRIBUTION)
    return lines


def licences(selection: Selection) -> list[str]:
    """Return the licences of the data the selection carries."""
    found = [ONS_LICENCE]
    if selection.uses_osm:
        found.append(OSM_LICENCE)
    return found


def command_line(
    criteria: SiteFilter,
    *,
    fmt: str = "bidpack",
    output: str = "OUTPUT",
    width_km: float | None = None,
    mode: str | None = None,
) -> str:
    """Return the command that exports the same selection again (for READMEs and metadata).

    ``width_km`` and ``mode`` are written when they are not the belt's defaults.
    """
    words = ["python", "-m", "mapping.export", "--format", fmt]
    for slug in criteria.capabilities:
        words += ["--capability", slug]
    for slug in criteria.kinds:
        words += ["--kind", slug]
    for code in criteria.areas:
        words += ["--area", code]
    if criteria.text.strip():
        words += ["--text", criteria.text.strip()]
    if criteria.in_belt:
        words.append("--in-belt")
    if width_km is not None and width_km != settings.CORRIDOR_WIDTH_KM:
        words += ["--width-km", f"{width_km:g}"]
    if mode is not None and mode != "straight":
        words += ["--mode", mode]
    words += ["-o", output]
    return shlex.join(words)


def export_counts(selection: Selection) -> dict[str, Any]:
    """Return the counts an export records: sites, organisations, areas, by capability, kind."""
    sites = selection.sites
    counts: dict[str, Any] = {
        "sites": len(sites),
        "organisations": int(sites["organisation"].nunique()) if len(sites) else 0,
        "areas": len(areas.capability_table(sites, level=selection.area_level)),
        "area_level": areas.LEVELS[selection.area_level][3],
        "capabilities": filters.capability_counts(sites),
        "kinds": filters.kind_counts(sites),
    }
    if selection.has_corridor and selection.corridor is not None:
        belt = selection.corridor.loc[selection.corridor["part"] == "belt"]
        if not belt.empty:
            row = belt.iloc[0]
            counts["belt_sites_total"] = _json_value(row.get("sites_total"))
            counts["belt_sites_inside"] = _json_value(row.get("sites_inside"))
    return counts


def export_metadata(selection: Selection) -> dict[str, Any]:
    """Return the provenance every export records.

    Filters (described and as the app's URL query and the command line), data version, date,
    counts, attribution, licences and sources.
    """
    criteria = selection.criteria
    metadata: dict[str, Any] = {
        "title": f"{PRODUCT}: {criteria.describe()}",
        "filters": {
            "description": criteria.describe(),
            "query": filters.to_query(criteria),
            "command": command_line(
                criteria, width_km=belt_width_km(selection), mode=belt_mode(selection)
            ),
        },
        "data_version": selection.data_version,
        "created": selection.created.astimezone(UTC).isoformat(timespec="seconds"),
        "date": selection.created.astimezone(UTC).date().isoformat(),
        "counts": export_counts(selection),
        "coordinates": "WGS 84 longitude, latitude (EPSG:4326), at most 6 decimals",
        "attribution": attributions(selection),
        "licences": licences(selection),
        "sources": [REGISTRY_SOURCE, "Boundaries: ONS Open Geography Portal"],
        "generator": f"{PRODUCT} (mapping.export)",
    }
    if selection.has_corridor and selection.corridor is not None:
        metadata["corridor"] = corridor_description(selection.corridor)
    return metadata


def belt_width_km(selection: Selection) -> float | None:
    """Return the width (km) of the selection's belt, or None without one."""
    if selection.corridor is None or "width_km" not in selection.corridor.columns:
        return None
    widths = selection.corridor["width_km"].dropna()
    return float(widths.iloc[0]) if len(widths) else None


def belt_mode(selection: Selection) -> str | None:
    """Return how the selection's belt joins its hubs (the mode used), or None without one."""
    if selection.corridor is None or "mode" not in selection.corridor.columns:
        return None
    modes = selection.corridor["mode"].dropna()
    return str(modes.iloc[0]) if len(modes) else None


def corridor_description(corridor: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return what the belt is, for metadata: mode, width, hubs and the share it holds."""
    belt = corridor.loc[corridor["part"] == "belt"]
    if belt.empty:
        return {"note": "no belt"}
    row = belt.iloc[0]
    return {
        "model": "Midlands Defence Belt, computed from the selected sites (never hand-drawn)",
        "mode": _json_value(row.get("mode")),
        "width_km": _json_value(row.get("width_km")),
        "hubs": _json_value(row.get("hubs")),
        "share_inside": _json_value(row.get("share_inside")),
        "note": _json_value(row.get("note")),
    }


# --------------------------------------------------------------------------------------------
# Layers as export-ready tables


def site_table(sites: pd.DataFrame) -> pd.DataFrame:
    """Return the sites as flat export columns (no geometry).

    Capabilities become a ``;``-joined string of slugs (and of labels), plus one boolean
    ``cap_<slug>`` column per capability of the vocabulary; lat and lon keep 6 decimals.
    """
    table = pd.DataFrame(index=sites.index)
    capability_lists = [list(caps) if caps is not None else [] for caps in sites["capabilities"]]
    for column in SITE_COLUMNS:
        if column == "kind_label":
            table[column] = sites["kind"].map(vocabulary.kind_label)
        elif column == "capabilities":
            table[column] = [";".join(caps) for caps in capability_lists]
        elif column == "capability_labels":
            table[column] = [
                "; ".join(vocabulary.capability_label(c) for c in caps) for caps in capability_lists
            ]
        elif column == "main_capability":
            table[column] = [caps[0] if caps else "" for caps in capability_lists]
        elif column in ("lat", "lon"):
            table[column] = sites[column].astype(float).round(COORDINATE_DECIMALS)
        elif column in sites.columns:
            table[column] = sites[column].fillna("").astype(str)
        else:
            table[column] = ""
    for slug in vocabulary.CAPABILITIES:
        table[f"cap_{slug}"] = [slug in caps for caps in capability_lists]
    return table.reset_index(drop=True)


def sites_layer(selection: Selection) -> gpd.GeoDataFrame:
    """Return the sites layer: :func:`site_table` with point geometries (EPSG:4326)."""
    table = site_table(selection.sites)
    points = gpd.points_from_xy(table["lon"], table["lat"])
    return gpd.GeoDataFrame(table, geometry=points, crs=settings.CRS_STORAGE)


def corridor_layer(selection: Selection) -> gpd.GeoDataFrame | None:
    """Return the corridor layer (belt and spine, EPSG:4326), or None without a belt."""
    if selection.corridor is None:
        return None
    corridor = selection.corridor.to_crs(settings.CRS_STORAGE).reset_index(drop=True)
    return gpd.GeoDataFrame(corridor, geometry="geometry", crs=settings.CRS_STORAGE)


def areas_layer(selection: Selection) -> gpd.GeoDataFrame:
    """Return the authorities holding selected sites, with their counts by capability.

    One row per authority at ``selection.area_level`` (from ``layers.areas.capability_table``):
    ``code``, ``name``, ``level``, ``sites`` and ``sites_<slug>`` per capability, with the
    authority's ONS boundary.
    """
    level = selection.area_level
    table = areas.capability_table(selection.sites, level=level)
    by_label = {label: slug for slug, label in vocabulary.CAPABILITIES.items()}
    renamed = table.rename(
        columns={
            "Code": "code",
            "Area": "name",
            "Sites": "sites",
            **{label: f"sites_{slug}" for label, slug in by_label.items()},
        }
    )
    renamed.insert(2, "level", areas.LEVELS[level][3])
    shapes = boundaries.load_layer(areas.LEVELS[level][2], directory=selection.boundaries_dir)
    geometry = shapes.set_index("code").geometry
    missing = sorted(set(renamed["code"]) - set(geometry.index))
    if missing:
        raise BoundaryDataMissingError(
            f"the {areas.LEVELS[level][2]} boundaries lack codes {missing}; rebuild them "
            "('make data') so they match the registry's areas"
        )
    counts = [c for c in renamed.columns if c == "sites" or c.startswith("sites_")]
    renamed[counts] = renamed[counts].astype(int)
    return gpd.GeoDataFrame(
        renamed.reset_index(drop=True),
        geometry=list(geometry.reindex(renamed["code"]).to_numpy()),
        crs=settings.CRS_STORAGE,
    )


def export_layers(selection: Selection) -> dict[str, gpd.GeoDataFrame]:
    """Return the selection's layers by name: sites, corridor (when there is one), areas."""
    layers = {"sites": sites_layer(selection)}
    corridor = corridor_layer(selection)
    if corridor is not None:
        layers["corridor"] = corridor
    layers["areas"] = areas_layer(selection)
    return layers


# --------------------------------------------------------------------------------------------
# GeoJSON (RFC 7946)


def rfc7946_geometries(shapes: Iterable[shapely.Geometry | None]) -> list[shapely.Geometry | None]:
    """Return ``shapes`` rounded to 6 decimals with counter-clockwise exterior rings.

    Rounding comes first so that it cannot flip a ring that was oriented after it.
    """
    result: list[shapely.Geometry | None] = []
    for shape in shapes:
        if shape is None or shape.is_empty:
            result.append(None)
            continue
        rounded = shapely.transform(shape, lambda xy: np.round(xy, COORDINATE_DECIMALS))
        result.append(shapely.orient_polygons(rounded, exterior_cw=False))
    return result


def feature_collection(
    layer: gpd.GeoDataFrame,
    *,
    metadata: Mapping[str, Any],
    id_column: str | None = None,
) -> dict[str, Any]:
    """Return ``layer`` as an RFC 7946 FeatureCollection with a ``metadata`` foreign member.

    Longitude, latitude in WGS84, at most 6 decimals, exterior rings counter-clockwise, no
    ``crs`` member; an empty geometry becomes ``null``; NaN becomes ``null``.
    """
    wgs84 = layer.to_crs(settings.CRS_STORAGE)
    shapes = rfc7946_geometries(wgs84.geometry.to_numpy())
    records = pd.DataFrame(wgs84.drop(columns=wgs84.geometry.name)).to_dict("records")
    features = []
    for record, shape in zip(records, shapes, strict=True):
        feature: dict[str, Any] = {"type": "Feature"}
        if id_column is not None:
            feature["id"] = _json_value(record[id_column])
        feature["geometry"] = None if shape is None else shape.__geo_interface__
        feature["properties"] = {str(k): _json_value(v) for k, v in record.items()}
        features.append(feature)
    return {"type": "FeatureCollection", "metadata": dict(metadata), "features": features}


def geojson_collections(selection: Selection) -> dict[str, dict[str, Any]]:
    """Return each layer of the selection as a FeatureCollection (sites, corridor, areas).

    The corridor collection is present (and empty, with a note) when there is no belt, so a
    bid pack always has the same files.
    """
    metadata = export_metadata(selection)
    layers = export_layers(selection)
    collections = {
        name: feature_collection(
            frame,
            metadata={**metadata, "layer": name},
            id_column="site_id" if name == "sites" else ("code" if name == "areas" else None),
        )
        for name, frame in layers.items()
    }
    if "corridor" not in collections:
        collections["corridor"] = {
            "type": "FeatureCollection",
            "metadata": {
                **metadata,
                "layer": "corridor",
                "note": "no Defence Belt was computed for this export",
            },
            "features": [],
        }
    return {name: collections[name] for name in LAYER_NAMES}


def geojson_text(collection: Mapping[str, Any]) -> str:
    """Return a FeatureCollection as UTF-8 GeoJSON text (compact, non-ASCII kept)."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def write_geojson(selection: Selection, path: str | Path, *, layer: str = "sites") -> Path:
    """Write one layer of the selection as GeoJSON; return the path."""
    if layer not in LAYER_NAMES:
        raise ValueError(f"unknown layer {layer!r}; choose one of {', '.join(LAYER_NAMES)}")
    text = geojson_text(geojson_collections(selection)[layer])
    atomic_write_bytes(path, text.encode("utf-8"))
    return Path(path)


def _json_value(value: Any) -> Any:
    """Return ``value`` as a plain JSON value (numpy scalars unwrapped, NaN as None)."""
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, pd.Timestamp | datetime):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        value = None
    elif not isinstance(value, bool | int | float | str | type(None)):
        value = str(value)
    return value


# --------------------------------------------------------------------------------------------
# GeoPackage


def write_gpkg(selection: Selection, path: str | Path) -> Path:
    """Write the selection as one GeoPackage: a table per layer and a ``metadata`` table."""
    import pyogrio  # noqa: PLC0415 (GDAL is loaded only for this format)

    metadata = export_metadata(selection)
    layers = export_layers(selection)
    table = metadata_table(metadata)

    def write(tmp: Path) -> None:
        for name, frame in layers.items():
            gis = frame.copy()
            gis.geometry = rfc7946_geometries(gis.geometry.to_numpy())
            pyogrio.write_dataframe(
                gis,
                tmp,
                layer=name,
                driver="GPKG",
                layer_options={"DESCRIPTION": f"{name}: {selection.criteria.describe()}"},
            )
        pyogrio.write_dataframe(table, tmp, layer="metadata", driver="GPKG")

    atomic_write(path, write)
    return Path(path)


def metadata_table(metadata: Mapping[str, Any]) -> pd.DataFrame:
    """Return metadata as a ``key``, ``value`` table (nested values as JSON text)."""
    rows = []
    for key, value in _flatten(metadata):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        rows.append({"key": key, "value": text})
    return pd.DataFrame(rows, columns=["key", "value"])


def _flatten(metadata: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in metadata.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and key in ("filters", "corridor"):
            rows.extend(_flatten(value, prefix=f"{name}."))
        else:
            rows.append((name, value))
    return rows


# --------------------------------------------------------------------------------------------
# KML


def kml_text(value: object) -> str:
    """Return ``value`` as KML element text: control and bidirectional characters dropped, escaped.

    XML 1.0 forbids most control characters, and bidirectional overrides can disguise text, so
    both go before ``&``, ``<`` and ``>`` are escaped.
    """
    raw = "" if value is None else str(value)
    raw = "".join(ch for ch in raw if ch.isprintable() or ch == " ")
    return xml_escape(_BIDI_CONTROLS.sub("", raw))


def kml_colour(hex_colour: str, *, alpha: int = 255) -> str:
    """Return a ``#RRGGBB`` colour as KML's ``aabbggrr``."""
    value = hex_colour.lstrip("#")
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", value):
        raise ValueError(f"colour {hex_colour!r} is not #RRGGBB")
    red, green, blue = value[0:2], value[2:4], value[4:6]
    return f"{alpha:02x}{blue}{green}{red}".lower()


def kml_document(selection: Selection) -> str:
    """Return the selection as KML for Google Earth: sites by main capability, belt, areas.

    Each capability is a folder with its own colour; a site's balloon is the map's escaped
    popup; the document's description and extended data record the provenance. Every string
    from data is escaped here (simplekml's own escaping is turned off so nothing is escaped
    twice or missed in extended data).
    """
    metadata = export_metadata(selection)
    document = simplekml.Kml(name=kml_text(metadata["title"]))
    document.parsetext(parse=False)
    document.document.description = kml_text(_provenance_text(metadata))
    for key, value in _flatten(metadata):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        document.document.extendeddata.newdata(name=key, value=kml_text(text))
    _kml_sites(document, selection.sites)
    corridor = corridor_layer(selection)
    if corridor is not None:
        _kml_corridor(document, corridor)
    _kml_areas(document, areas_layer(selection))
    return str(document.kml(format=False))


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
            for column in (
                "site_id",
                "organisation",
                "kind_label",
                "capability_labels",
                "town",
                "lad_name",
                "county_name",
                "ca_name",
                "location_precision",
                "source_url",
                "last_checked",
            ):
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


def write_kml(selection: Selection, path: str | Path) -> Path:
    """Write the selection as KML; return the path."""
    atomic_write_bytes(path, kml_document(selection).encode("utf-8"))
    return Path(path)


# --------------------------------------------------------------------------------------------
# CSV


def sites_csv(selection: Selection) -> str:
    """Return the selected sites as CSV text: lat/lon, authority columns and capability flags.

    A text cell that starts with ``=``, ``+``, ``-`` or ``@`` gets a leading ``'`` so that a
    spreadsheet shows it rather than running it as a formula.
    """
    table = site_table(selection.sites)
    text_columns = [
        c
        for c in table.columns
        if not (pd.api.types.is_bool_dtype(table[c]) or pd.api.types.is_numeric_dtype(table[c]))
    ]
    for column in text_columns:
        table[column] = table[column].map(_spreadsheet_safe)
    return str(table.to_csv(index=False, lineterminator="\n"))


def _spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_side_file(path: str | Path) -> Path:
    """Return where a CSV's metadata side file goes: ``sites.csv`` -> ``sites.metadata.json``."""
    target = Path(path)
    return target.with_name(f"{target.stem}.metadata.json")


def write_csv(selection: Selection, path: str | Path) -> list[Path]:
    """Write the sites CSV (UTF-8 with a byte-order mark, for spreadsheets) and its side file.

    Returns the CSV's path and the metadata side file's path.
    """
    atomic_write_bytes(path, sites_csv(selection).encode("utf-8-sig"))
    side = csv_side_file(path)
    text = json.dumps(export_metadata(selection), ensure_ascii=False, indent=2)
    atomic_write_bytes(side, text.encode("utf-8"))
    return [Path(path), side]


def _provenance_text(metadata: Mapping[str, Any]) -> str:
    counts = metadata["counts"]
    return (
        f"{metadata['title']}. Filters: {metadata['filters']['description']}. "
        f"Sites: {counts['sites']}. Data version {metadata['data_version']}, "
        f"made {metadata['created']}. " + " ".join(metadata["attribution"])
    )


# --------------------------------------------------------------------------------------------
# Command line


def known_area_codes(
    sites: pd.DataFrame, *, boundaries_dir: str | Path = settings.BOUNDARIES_DIR
) -> set[str]:
    """Return every GSS code an area filter may name: Midlands LADs and the areas above them."""
    codes: set[str] = set()
    for column in filters.AREA_CODE_COLUMNS:
        if column in sites.columns:
            codes.update(sites[column].dropna().astype(str))
    try:
        lads = boundaries.load_layer("lads", directory=boundaries_dir)
    except BoundaryDataMissingError:
        lads = pd.DataFrame()
    for column in ("code", "county_code", "ca_code", "region_code"):
        if column in lads.columns:
            codes.update(lads[column].dropna().astype(str))
    return codes - {""}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m mapping.export",
        description="Export the sites the filters select, with their provenance.",
        epilog="Filters combine as in the app: OR within a repeated option, AND between them.",
    )
    parser.add_argument("--format", required=True, choices=FORMATS, dest="fmt")
    parser.add_argument("--capability", action="append", default=[], metavar="SLUG")
    parser.add_argument("--kind", action="append", default=[], metavar="KIND")
    parser.add_argument("--area", action="append", default=[], metavar="GSS_CODE")
    parser.add_argument("--text", default="", help="search name, organisation and description")
    parser.add_argument("--in-belt", action="store_true", help="only sites inside the belt")
    parser.add_argument(
        "--width-km",
        type=float,
        default=settings.CORRIDOR_WIDTH_KM,
        help="the Defence Belt's width (km)",
    )
    parser.add_argument(
        "--mode",
        choices=("straight", "roads"),
        default="straight",
        help="how the belt's hubs are joined (roads needs the cached road graph)",
    )
    parser.add_argument(
        "--corridor",
        action="store_true",
        help="also compute and export the Defence Belt (the bid pack always has it)",
    )
    parser.add_argument(
        "--layer",
        choices=LAYER_NAMES,
        default="sites",
        help="the layer a GeoJSON file holds (default sites)",
    )
    parser.add_argument(
        "--area-level",
        choices=list(areas.LEVELS),
        default="county",
        help="the authority level of the areas layer (default county)",
    )
    parser.add_argument("--dpi", type=int, default=None, help="PNG resolution (e.g. 300)")
    parser.add_argument("--title", default="", help="title of the map, slide or pack")
    parser.add_argument(
        "--sites", default=None, help=f"registry CSV (default {settings.SITES_CSV})"
    )
    parser.add_argument("--boundaries", default=str(settings.BOUNDARIES_DIR), metavar="DIR")
    parser.add_argument("-o", "--output", required=True, metavar="PATH")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the export command line; return the exit status (0 done, 1 data, 2 usage)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    criteria = SiteFilter(
        capabilities=tuple(args.capability),
        kinds=tuple(args.kind),
        areas=tuple(args.area),
        text=args.text,
        in_belt=args.in_belt,
    )
    from layers.sites import load_sites  # noqa: PLC0415 (keeps --help fast)

    try:
        registry = load_sites(args.sites, boundaries_dir=args.boundaries)
    except (SiteValidationError, BoundaryDataMissingError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    problems = filters.filter_problems(
        criteria, known_areas=known_area_codes(registry, boundaries_dir=args.boundaries)
    )
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        print("nothing was written; fix the options above and run again", file=sys.stderr)
        return 2
    try:
        selection = make_selection(
            registry,
            criteria,
            boundaries_dir=args.boundaries,
            sites_path=args.sites,
            with_corridor=args.corridor or args.fmt == "bidpack",
            width_km=args.width_km,
            mode=args.mode,
            area_level=args.area_level,
        )
    except CorridorUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    written = _writers(args)[args.fmt](selection, Path(args.output))
    for path in written:
        print(f"wrote {path}")
    print(f"{len(selection.sites)} site(s): {criteria.describe()}; data {selection.data_version}")
    return 0


def _writers(args: argparse.Namespace) -> dict[str, Callable[[Selection, Path], list[Path]]]:
    def html(selection: Selection, path: Path) -> list[Path]:
        from mapping import standalone  # noqa: PLC0415

        return [standalone.write_standalone_html(selection, path, title=args.title or None)]

    def slide(selection: Selection, path: Path) -> list[Path]:
        from mapping import slides  # noqa: PLC0415

        return [slides.write_slide(selection, path, dpi=args.dpi, title=args.title or None)]

    def pack(selection: Selection, path: Path) -> list[Path]:
        from mapping import bidpack  # noqa: PLC0415

        bidpack.build_bid_pack(selection, path=path, title=args.title or None)
        return [path]

    return {
        "geojson": lambda s, p: [write_geojson(s, p, layer=args.layer)],
        "gpkg": lambda s, p: [write_gpkg(s, p)],
        "kml": lambda s, p: [write_kml(s, p)],
        "csv": write_csv,
        "html": html,
        "png": slide,
        "pdf": slide,
        "bidpack": pack,
    }


if __name__ == "__main__":
    sys.exit(main())
