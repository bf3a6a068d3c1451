"""MOD estate footprints from OpenStreetMap, drawn with the sites.

Footprints are OSM features tagged ``landuse=military`` or ``military=*`` inside the Midlands,
kept as polygons with their name and type. They are fetched with osmnx (Overpass) only on
request, where the network is allowed, and cached as GeoJSON in ``data/sites/`` with the
OpenStreetMap attribution (ODbL) and the retrieval date; the app reads the cache and nothing
else, so no network call happens at import time or while drawing the map.

Command line::

    python -m layers.estates refresh [--out PATH]    # needs the network (Overpass)
    python -m layers.estates status [--path PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

import settings
from layers import boundaries
from layers._io import atomic_write_bytes

logger = logging.getLogger(__name__)

#: The OSM tags that mark defence estate.
MILITARY_TAGS: dict[str, bool | str | list[str]] = {"landuse": "military", "military": True}

#: The columns of an estates frame, in order.
ESTATE_COLUMNS: tuple[str, ...] = (
    "osm_id",
    "name",
    "estate_type",
    "operator",
    "area_km2",
    "attribution",
    "retrieved_at",
    "geometry",
)


def estates_from_features(
    features: gpd.GeoDataFrame,
    *,
    outline: gpd.GeoDataFrame | None = None,
    retrieved_at: str | None = None,
) -> gpd.GeoDataFrame:
    """Turn osmnx features into estate footprints.

    Parameters
    ----------
    features
        The result of ``osmnx.features_from_polygon`` / ``features_from_xml`` with
        :data:`MILITARY_TAGS`, indexed by (element, id).
    outline
        When given, only footprints touching it are kept.
    retrieved_at
        When the features were retrieved (ISO 8601); default now, in UTC.

    Returns
    -------
    gpd.GeoDataFrame
        One row per polygonal feature (points and lines are not footprints) in EPSG:4326, with
        columns :data:`ESTATE_COLUMNS`, sorted by ``osm_id`` (e.g. ``"way/201"``).
        ``estate_type`` is the ``military=*`` value, else ``"military land"``.
    """
    stamp = retrieved_at or datetime.now(UTC).isoformat(timespec="seconds")
    if features.empty:
        return _empty_estates()
    if features.crs is None:
        raise ValueError("features have no CRS; osmnx returns EPSG:4326, so set that")
    frame = features.to_crs(settings.CRS_STORAGE)
    polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    frame = frame[polygonal]
    if frame.empty:
        return _empty_estates()
    tagged = _tag_values(frame, "landuse") == "military"
    typed = _tag_values(frame, "military") != ""
    frame = frame[(tagged | typed).to_numpy()]
    if outline is not None:
        shape = shapely.union_all(outline.to_crs(settings.CRS_STORAGE).geometry.to_numpy())
        frame = frame[frame.intersects(shape).to_numpy()]
    if frame.empty:
        return _empty_estates()
    military = _tag_values(frame, "military")
    areas = frame.to_crs(settings.CRS_METRIC).area / 1e6
    estates = gpd.GeoDataFrame(
        {
            "osm_id": [f"{element}/{osm_id}" for element, osm_id in _osm_keys(frame)],
            "name": _tag_values(frame, "name").to_numpy(),
            "estate_type": military.where(military != "", "military land").to_numpy(),
            "operator": _tag_values(frame, "operator").to_numpy(),
            "area_km2": areas.round(4).to_numpy(),
            "attribution": settings.OSM_ATTRIBUTION,
            "retrieved_at": stamp,
        },
        geometry=shapely.make_valid(frame.geometry.to_numpy()),
        crs=settings.CRS_STORAGE,
    )
    return estates.sort_values("osm_id", kind="mergesort").reset_index(drop=True)[
        list(ESTATE_COLUMNS)
    ]


def save_estates(estates: gpd.GeoDataFrame, path: str | Path | None = None) -> Path:
    """Write estates to a GeoJSON cache (RFC 7946) atomically, with attribution and date.

    ``path`` defaults to ``settings.ESTATES_GEOJSON``. Besides each feature's ``attribution``
    and ``retrieved_at``, the collection carries them as foreign members, with the licence, so
    the file stands on its own when shared.
    """
    frame = estates.to_crs(settings.CRS_STORAGE)[list(ESTATE_COLUMNS)]
    collection = json.loads(frame.to_json(drop_id=True))
    stamps = sorted(set(frame["retrieved_at"].astype(str)))
    collection.pop("crs", None)  # RFC 7946: WGS84 is implied
    collection = {
        "type": "FeatureCollection",
        "name": "mod_estates",
        "attribution": settings.OSM_ATTRIBUTION,
        "licence": "Open Database License (ODbL) 1.0, https://opendatacommons.org/licenses/odbl/",
        "source": "OpenStreetMap via the Overpass API (osmnx): landuse=military or military=*",
        "retrieved_at": stamps[-1] if stamps else "",
        "features": collection["features"],
    }
    target = Path(settings.ESTATES_GEOJSON if path is None else path)
    atomic_write_bytes(target, json.dumps(collection, ensure_ascii=False).encode("utf-8"))
    return target


def load_estates(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Return the cached estate footprints (EPSG:4326), or an empty frame when there is none.

    ``path`` defaults to ``settings.ESTATES_GEOJSON``, read when called.

    Raises
    ------
    ValueError
        When the cache exists but cannot be read: delete it and run
        ``python -m layers.estates refresh`` where the network is allowed.
    """
    source = Path(settings.ESTATES_GEOJSON if path is None else path)
    if not source.is_file():
        return _empty_estates()
    try:
        # Read as JSON rather than through GDAL, which would turn ``retrieved_at`` into a
        # datetime and rewrite it.
        collection = json.loads(source.read_text(encoding="utf-8"))
        frame = gpd.GeoDataFrame.from_features(collection["features"], crs=settings.CRS_STORAGE)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f"the estates cache {source} cannot be read ({exc.__class__.__name__}: {exc}); "
            "delete it and run 'python -m layers.estates refresh' where the network is allowed"
        ) from exc
    if frame.empty:
        return _empty_estates()
    missing = set(ESTATE_COLUMNS) - set(frame.columns)
    if missing:
        raise ValueError(
            f"the estates cache {source} lacks columns {sorted(missing)}; run "
            "'python -m layers.estates refresh' to rebuild it"
        )
    for column in ("osm_id", "name", "estate_type", "operator", "attribution", "retrieved_at"):
        frame[column] = frame[column].fillna("").astype(str)
    return frame.to_crs(settings.CRS_STORAGE)[list(ESTATE_COLUMNS)]


def refresh_estates(
    path: str | Path | None = None,
    *,
    boundaries_dir: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """Download the Midlands' estate footprints from OpenStreetMap and rewrite the cache.

    ``path`` defaults to ``settings.ESTATES_GEOJSON`` and ``boundaries_dir`` (where the
    Midlands outline is built) to ``settings.BOUNDARIES_DIR``. Needs the network (Overpass,
    through osmnx). The cache is replaced only after a complete download; a failure raises
    ``RuntimeError`` and leaves it unchanged.
    """
    from layers import _osm  # noqa: PLC0415 (configures osmnx, slow to import; only here)

    outline = boundaries.load_layer("midlands", directory=boundaries_dir)
    # A simplified outline keeps the Overpass query short; the exact outline filters after.
    area = outline.to_crs(settings.CRS_METRIC).geometry.iloc[0].buffer(1000).simplify(500)
    polygon = gpd.GeoSeries([area], crs=settings.CRS_METRIC).to_crs(settings.CRS_STORAGE).iloc[0]
    retrieved_at = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        features = _osm.ox.features_from_polygon(polygon, tags=MILITARY_TAGS)
    except Exception as exc:  # osmnx surfaces many network error types
        raise RuntimeError(
            f"the estate footprints could not be downloaded ({exc.__class__.__name__}: {exc}); "
            "refreshing needs the internet (Overpass); the cache is unchanged"
        ) from exc
    estates = estates_from_features(features, outline=outline, retrieved_at=retrieved_at)
    save_estates(estates, path)
    return estates


# --------------------------------------------------------------------------------------------
# Helpers


def _tag_values(frame: pd.DataFrame, tag: str) -> pd.Series:
    """Return a tag's values as text ('' where absent), on the frame's index."""
    if tag not in frame.columns:
        return pd.Series("", index=frame.index, dtype=object)
    return frame[tag].fillna("").astype(str)


def _osm_keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Return (element, id) for each row from osmnx's (element, id) index."""
    if frame.index.nlevels == 2:
        return [(str(element), str(osm_id)) for element, osm_id in frame.index]
    return [("feature", str(key)) for key in frame.index]


def _empty_estates() -> gpd.GeoDataFrame:
    columns = {name: pd.Series([], dtype=object) for name in ESTATE_COLUMNS if name != "geometry"}
    columns["area_km2"] = pd.Series([], dtype=float)
    return gpd.GeoDataFrame(
        columns, geometry=gpd.GeoSeries([], crs=settings.CRS_STORAGE), crs=settings.CRS_STORAGE
    )


# --------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    """Run the estates command line."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.estates",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    refresh = commands.add_parser("refresh", help="download the footprints (needs network)")
    refresh.add_argument(
        "--out", default=str(settings.ESTATES_GEOJSON), help="GeoJSON cache to write"
    )
    refresh.add_argument(
        "--boundaries",
        default=str(settings.BOUNDARIES_DIR),
        help="the built boundaries folder (for the Midlands outline)",
    )
    status = commands.add_parser("status", help="describe the cache")
    status.add_argument(
        "--path", default=str(settings.ESTATES_GEOJSON), help="GeoJSON cache to read"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.command == "status":
        try:
            estates = load_estates(args.path)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        if estates.empty:
            print(
                f"{args.path}: no estate footprints cached; run "
                "'python -m layers.estates refresh' where the network is allowed"
            )
            return 0
        print(
            f"{args.path}: {len(estates)} estate footprints, retrieved "
            f"{estates['retrieved_at'].max()}; {settings.OSM_ATTRIBUTION}"
        )
        return 0
    try:
        estates = refresh_estates(args.out, boundaries_dir=args.boundaries)
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(estates)} estate footprints to {args.out}; {settings.OSM_ATTRIBUTION}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
