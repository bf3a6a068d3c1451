"""A selection as export-ready layers: sites, the Defence Belt and the areas, in EPSG:4326.

Coordinates are WGS84 longitude, latitude everywhere, at most 6 decimals (about 0.1 m); polygons
follow RFC 7946 (exterior rings counter-clockwise, holes clockwise).
"""

from __future__ import annotations

from collections.abc import Iterable

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import settings
from layers import areas, boundaries, vocabulary
from layers._errors import BoundaryDataMissingError
from layers.placement import AREA_COLUMNS
from layers.selection import Selection
from mapping import popups

#: The layers of an export, in order.
LAYER_NAMES: tuple[str, ...] = ("sites", "corridor", "areas")
#: Decimal places kept in exported coordinates (6 is about 0.1 m).
COORDINATE_DECIMALS: int = 6
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
    "status",
    "opened",
    "closes",
    "lat",
    "lon",
    "location_precision",
    "location_note",
    "town",
    "description",
    "source_url",
    "last_checked",
    "location_source",
    *AREA_COLUMNS,
)
#: Site columns exported after :data:`SITE_COLUMNS` when the sites carry them.
OPTIONAL_SITE_COLUMNS: tuple[str, ...] = ("location_check", "location_checked")


def location_note(precision: object) -> str:
    """Return the sentence saying a point is approximate, as the map's popups word it."""
    note = getattr(popups, "placement_note", None)  # the popups own the wording
    return str(note(precision)) if callable(note) else ""


def site_table(sites: pd.DataFrame) -> pd.DataFrame:
    """Return the sites as flat export columns (no geometry).

    Capabilities become a ``;``-joined string of slugs (and of labels), plus one boolean
    ``cap_<slug>`` column per capability of the vocabulary; lat and lon keep 6 decimals.
    ``status``, ``opened`` and ``closes`` say when the site is on the map (empty for an
    uploaded site that gave none); ``location_check`` follows when the registry has it.
    """
    table = pd.DataFrame(index=sites.index)
    capability_lists = [list(caps) if caps is not None else [] for caps in sites["capabilities"]]
    optional = [c for c in OPTIONAL_SITE_COLUMNS if c in sites.columns]
    for column in (*SITE_COLUMNS, *optional):
        if column == "kind_label":
            table[column] = sites["kind"].map(vocabulary.kind_label)
        elif column == "capabilities":
            table[column] = [";".join(caps) for caps in capability_lists]
        elif column == "capability_labels":
            table[column] = [
                "; ".join(vocabulary.capability_label(c) for c in caps) for caps in capability_lists
            ]
        elif column == "main_capability":
            table[column] = [vocabulary.main_capability(caps) for caps in capability_lists]
        elif column == "location_note":
            table[column] = [
                location_note(p) for p in sites.get("location_precision", [""] * len(sites))
            ]
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
