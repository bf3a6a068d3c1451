"""OpenStreetMap features that may hold a registry row's site: for checking and upgrading points.

For each registry row, the features whose name matches the site's or its organisation's within
a radius (5 km by default) of the row's point are reported with their distance from the point
and whether their footprint holds it, so a maintainer can set ``location_check`` to
``osm:way/<id>`` (or move the point onto the feature, citing it: OpenStreetMap data is ODbL).

Features come from an OSM XML file (``.osm``, as the OpenStreetMap editors and the API's
``map`` call write it: nodes, ways with their node references, relations with members), read
with defusedxml; or from the Overpass API through osmnx when online. Distances and footprints
are measured in EPSG:27700.

A name matches when every significant word of the organisation (or of the site's name) is in
the feature's name, or every significant word of the feature's name is in the site's name.
Words that say nothing on their own (``ltd``, ``centre``, ``the``...) and the row's town do not
count.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from defusedxml import DefusedXmlException, ElementTree
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.ops import linemerge, polygonize, unary_union

import settings

logger = logging.getLogger(__name__)

#: How far from a row's point features are looked for.
SEARCH_RADIUS_M = 5000.0
#: The report's columns, in order.
REPORT_COLUMNS: tuple[str, ...] = (
    "site_id",
    "osm_id",
    "name",
    "distance_m",
    "inside_footprint",
    "lat",
    "lon",
)
#: The tags that may carry a feature's name.
NAME_TAGS: tuple[str, ...] = (
    "name",
    "official_name",
    "alt_name",
    "short_name",
    "old_name",
    "operator",
    "brand",
)
#: Words that do not identify a site on their own.
GENERIC_WORDS: frozenset[str] = frozenset(
    {
        "a",
        "and",
        "at",
        "building",
        "campus",
        "center",
        "centre",
        "co",
        "company",
        "de",
        "for",
        "group",
        "hq",
        "in",
        "international",
        "limited",
        "ltd",
        "of",
        "office",
        "offices",
        "on",
        "park",
        "plc",
        "site",
        "systems",
        "the",
        "uk",
        "unit",
        "works",
    }
)
_WORD_RE = re.compile(r"[a-z0-9]+")


class OsmCheckError(RuntimeError):
    """The OSM features could not be read (a bad file, or Overpass out of reach)."""


# --------------------------------------------------------------------------------------------
# Reading OSM XML


def read_osm_xml(path: str | Path) -> gpd.GeoDataFrame:
    """Return the named features of an OSM XML file (EPSG:4326).

    Nodes become points; a closed way becomes a polygon (a footprint), an open way a line; a
    ``multipolygon`` or ``boundary`` relation becomes the polygons its outer ways close. A way
    or relation whose members are not all in the file is built from those that are (a way with
    fewer than two known nodes is left out, with a warning).

    Returns
    -------
    gpd.GeoDataFrame
        ``osm_id`` (``node/1``, ``way/2``, ``relation/3``), ``name``, ``names`` (every name tag's
        value, for matching) and ``geometry``.

    Raises
    ------
    OsmCheckError
        When the file is missing or not OSM XML.
    """
    source = Path(path)
    try:
        root = ElementTree.parse(source).getroot()
    except (OSError, ElementTree.ParseError, DefusedXmlException) as exc:
        raise OsmCheckError(
            f"{source} is not a readable OSM XML file ({exc}); export one from "
            "openstreetmap.org (Export, then 'Manually select a different area') or leave "
            "--osm out to ask Overpass"
        ) from exc
    if root.tag != "osm":
        raise OsmCheckError(f"{source} is XML but not OSM XML (its root is <{root.tag}>)")
    nodes: dict[str, tuple[float, float]] = {}
    ways: dict[str, list[str]] = {}
    features: list[dict[str, Any]] = []
    relations = []
    for element in root:
        tags = {t.get("k", ""): t.get("v", "") for t in element.findall("tag")}
        ident = element.get("id", "")
        if element.tag == "node":
            point = (float(element.get("lon", "nan")), float(element.get("lat", "nan")))
            nodes[ident] = point
            if _names(tags):
                features.append(_feature(f"node/{ident}", tags, Point(point)))
        elif element.tag == "way":
            ways[ident] = [nd.get("ref", "") for nd in element.findall("nd")]
            if _names(tags):
                features.append({"osm_id": f"way/{ident}", "tags": tags, "refs": ways[ident]})
        elif element.tag == "relation":
            relations.append((ident, tags, element.findall("member")))
    built = [f for f in (_way_feature(f, nodes) for f in features) if f is not None]
    for ident, tags, members in relations:
        if _names(tags) and tags.get("type") in ("multipolygon", "boundary"):
            shape = _relation_shape(ident, members, ways, nodes)
            if shape is not None:
                built.append(_feature(f"relation/{ident}", tags, shape))
    frame = pd.DataFrame(built, columns=["osm_id", "name", "names", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.CRS_STORAGE)


def _names(tags: dict[str, str]) -> list[str]:
    return [tags[k] for k in NAME_TAGS if tags.get(k, "").strip()]


def _feature(osm_id: str, tags: dict[str, str], geometry: Any) -> dict[str, Any]:
    names = _names(tags)
    return {"osm_id": osm_id, "name": names[0], "names": names, "geometry": geometry}


def _way_feature(found: dict[str, Any], nodes: dict[str, tuple[float, float]]) -> Any:
    if "refs" not in found:
        return found
    points = [nodes[r] for r in found["refs"] if r in nodes]
    if len(points) < len(found["refs"]):
        logger.warning(
            "%s: %d of its nodes are not in the file",
            found["osm_id"],
            len(found["refs"]) - len(points),
        )
    if len(points) < 2:
        return None
    closed = found["refs"][0] == found["refs"][-1] and len(points) >= 4
    geometry = Polygon(points) if closed else LineString(points)
    return _feature(found["osm_id"], found["tags"], geometry)


def _relation_shape(
    ident: str,
    members: Iterable[Any],
    ways: dict[str, list[str]],
    nodes: dict[str, tuple[float, float]],
) -> Polygon | MultiPolygon | None:
    """Return the polygons a relation's outer ways close (its inner ways cut holes)."""
    rings: dict[str, list[LineString]] = {"outer": [], "inner": []}
    for member in members:
        if member.get("type") != "way":
            continue
        points = [nodes[r] for r in ways.get(member.get("ref", ""), []) if r in nodes]
        if len(points) >= 2:
            role = "inner" if member.get("role") == "inner" else "outer"
            rings[role].append(LineString(points))
    outer = list(polygonize(linemerge(rings["outer"]))) if rings["outer"] else []
    if not outer:
        logger.warning("relation/%s: its outer ways do not close a polygon", ident)
        return None
    shape = unary_union(outer)
    if rings["inner"]:
        shape = shape.difference(unary_union(list(polygonize(linemerge(rings["inner"])))))
    return shape if isinstance(shape, Polygon | MultiPolygon) else None


# --------------------------------------------------------------------------------------------
# Overpass (online)


def fetch_overpass(sites: pd.DataFrame, *, radius_m: float = SEARCH_RADIUS_M) -> gpd.GeoDataFrame:
    """Return the named features around each row's point from Overpass, through osmnx.

    Needs the internet. One query per row (osmnx caches the answers in ``data/cache/osmnx``).

    Raises
    ------
    OsmCheckError
        When Overpass cannot be reached.
    """
    frames = []
    for lat, lon in zip(sites["lat"].astype(float), sites["lon"].astype(float), strict=True):
        found = _overpass_near(float(lat), float(lon), radius_m)
        if not found.empty:
            frames.append(found)
    if not frames:
        return gpd.GeoDataFrame(
            {"osm_id": [], "name": [], "names": []}, geometry=[], crs=settings.CRS_STORAGE
        )
    joined = pd.concat(frames, ignore_index=True).drop_duplicates("osm_id")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=settings.CRS_STORAGE)


def _overpass_near(lat: float, lon: float, radius_m: float) -> gpd.GeoDataFrame:
    """Return the features with a name or operator within ``radius_m`` of a point."""
    # osmnx is slow to import and only this path needs it; layers._osm configures it
    import osmnx as ox  # noqa: PLC0415
    from osmnx._errors import InsufficientResponseError  # noqa: PLC0415

    from layers import _osm  # noqa: PLC0415, F401

    try:
        found = ox.features.features_from_point(
            (lat, lon), tags={"name": True, "operator": True}, dist=radius_m
        )
    except InsufficientResponseError:
        return from_osmnx(gpd.GeoDataFrame())
    except Exception as exc:  # osmnx surfaces many network error types
        raise OsmCheckError(
            f"Overpass could not be reached ({exc.__class__.__name__}: {exc}); the OSM check "
            "needs the internet, or an OSM XML file given with --osm"
        ) from exc
    return from_osmnx(found)


def from_osmnx(found: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return osmnx features (indexed by element and id) in this module's columns."""
    if found.empty:
        return gpd.GeoDataFrame(
            {"osm_id": [], "name": [], "names": []}, geometry=[], crs=settings.CRS_STORAGE
        )
    found = found.to_crs(settings.CRS_STORAGE)
    rows = []
    for (element, ident), feature in found.iterrows():
        tags = {k: str(feature[k]) for k in NAME_TAGS if k in feature and pd.notna(feature[k])}
        if _names(tags):
            rows.append(_feature(f"{element}/{ident}", tags, feature.geometry))
    frame = pd.DataFrame(rows, columns=["osm_id", "name", "names", "geometry"])
    return gpd.GeoDataFrame(frame, geometry="geometry", crs=settings.CRS_STORAGE)


# --------------------------------------------------------------------------------------------
# Matching


def words(text: str) -> set[str]:
    """Return the lower-case words of ``text``, accents and punctuation dropped."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return set(_WORD_RE.findall(plain.lower()))


def _significant(text: str, town: set[str]) -> set[str]:
    return words(text) - GENERIC_WORDS - town


def names_match(site_name: str, organisation: str, town: str, feature_names: Iterable[str]) -> bool:
    """Say whether any of a feature's names matches the site's name or its organisation."""
    place = words(town)
    wanted = [w for w in (_significant(organisation, place), _significant(site_name, place)) if w]
    own = _significant(site_name, place) | _significant(organisation, place)
    for name in feature_names:
        theirs = _significant(name, place)
        if not theirs:
            continue
        if any(w <= theirs for w in wanted) or theirs <= own:
            return True
    return False


def osm_check(
    sites: pd.DataFrame, features: gpd.GeoDataFrame, *, radius_m: float = SEARCH_RADIUS_M
) -> pd.DataFrame:
    """Report the features that match each row's name within ``radius_m`` of its point.

    Parameters
    ----------
    sites
        Rows with ``site_id``, ``name``, ``organisation``, ``town``, ``lat`` and ``lon``.
    features
        :func:`read_osm_xml` or :func:`fetch_overpass` output.

    Returns
    -------
    pd.DataFrame
        :data:`REPORT_COLUMNS`: one row per site and matching feature, the site's rows in input
        order, footprints that hold the point first, then by distance. ``lat``/``lon`` are the
        feature's point (a footprint's representative point); ``distance_m`` is 0 inside it.
    """
    if sites.empty or features.empty:
        return pd.DataFrame(columns=list(REPORT_COLUMNS))
    metric = features.to_crs(settings.CRS_METRIC)
    shapes = metric.geometry.to_numpy()
    tree = shapely.STRtree(shapes)
    points = gpd.GeoSeries(
        gpd.points_from_xy(sites["lon"].astype(float), sites["lat"].astype(float)),
        crs=settings.CRS_STORAGE,
    ).to_crs(settings.CRS_METRIC)
    anchors = features.geometry.representative_point()
    rows = []
    records = sites[["site_id", "name", "organisation", "town"]].astype(str).to_dict("records")
    for site, point in zip(records, points, strict=True):
        near = tree.query(point, predicate="dwithin", distance=radius_m)
        found = []
        for position in near:
            feature = features.iloc[position]
            if not names_match(site["name"], site["organisation"], site["town"], feature["names"]):
                continue
            shape = shapes[position]
            inside = bool(shape.geom_type in ("Polygon", "MultiPolygon") and shape.covers(point))
            found.append(
                {
                    "site_id": site["site_id"],
                    "osm_id": feature["osm_id"],
                    "name": feature["name"],
                    "distance_m": round(float(shape.distance(point)), 1),
                    "inside_footprint": inside,
                    "lat": round(float(anchors.iloc[position].y), 6),
                    "lon": round(float(anchors.iloc[position].x), 6),
                }
            )
        found.sort(key=lambda f: (not f["inside_footprint"], f["distance_m"], f["osm_id"]))
        rows.extend(found)
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def read_rows(path: str | Path) -> pd.DataFrame:
    """Return the registry's rows that have a usable point (invalid rows too: this finds fixes).

    A row whose lat or lon is not a number is left out with a warning.
    """
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    wanted = ["site_id", "name", "organisation", "town", "lat", "lon"]
    missing = [c for c in wanted if c not in table.columns]
    if missing:
        raise OsmCheckError(f"{path} lacks column(s) {', '.join(missing)}")
    rows = table[wanted].copy()
    for column in ("lat", "lon"):
        rows[column] = pd.to_numeric(rows[column], errors="coerce")
    usable = np.isfinite(rows["lat"].to_numpy(float)) & np.isfinite(rows["lon"].to_numpy(float))
    for site_id in rows.loc[~usable, "site_id"]:
        logger.warning("%s: no usable lat/lon; left out of the OSM check", site_id)
    return rows[usable].reset_index(drop=True)
