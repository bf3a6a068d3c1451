"""Official boundaries: download the ONS layers and build the Midlands geography from them.

The ONS publishes local authority districts (LADs) and wards; everything above them (counties and
unitary authorities, combined authorities, regions, the Midlands outline) is dissolved here from
the LADs, in EPSG:27700, using the committed hierarchy table. Each layer is stored as GeoJSON and
GeoParquet in EPSG:4326, with a coverage-simplified display version for the web map.

Command line::

    python -m layers.boundaries build [--mirror DIR] [--refresh] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

import settings
from layers import _ons, areas
from layers._display import basemap_land, display_layers
from layers._errors import BoundaryDataMissingError, BoundaryDownloadError
from layers._geometry import polygonal
from layers._io import atomic_write, atomic_write_bytes, matches_checksum, sha256_file

logger = logging.getLogger(__name__)

#: Built layers, finest first.
LAYERS: tuple[str, ...] = (
    "wards",
    "lads",
    "counties",
    "combined_authorities",
    "regions",
    "midlands",
)
#: Layers with a display (simplified) version.
DISPLAY_LAYERS: tuple[str, ...] = LAYERS
#: The default map's boundary layers (their display GeoJSON must stay small).
DEFAULT_MAP_LAYERS: tuple[str, ...] = ("combined_authorities", "counties", "lads")

MIDLANDS_CODE = "MIDLANDS"
MIDLANDS_NAME = "The Midlands"

# Each LAD's parent areas in the hierarchy table: county, combined authority and region.
_PARENT_COLUMNS = [
    column
    for name, level in areas.AUTHORITY_LEVELS.items()
    if name != "lad"
    for column in (level.code_column, level.name_column)
]
#: Display-only layers that are not Midlands areas (the offline basemap's land).
BASEMAP_LAYERS: tuple[str, ...] = ("countries",)


def read_hierarchy(path: str | Path | None = None) -> pd.DataFrame:
    """Return the authored LAD hierarchy: each Midlands LAD with its county, CA and region.

    ``path`` defaults to ``settings.HIERARCHY_CSV``. Empty cells (a LAD in no combined
    authority) come back as empty strings.
    """
    path = settings.HIERARCHY_CSV if path is None else path
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = {"lad_code", "lad_name", "county_type", *_PARENT_COLUMNS}
    missing = expected - set(table.columns)
    if missing:
        raise ValueError(f"{path}: hierarchy table lacks columns {sorted(missing)}")
    duplicated = table.loc[table["lad_code"].duplicated(), "lad_code"].tolist()
    if duplicated:
        raise ValueError(f"{path}: LAD codes listed twice: {duplicated}")
    return table


# --------------------------------------------------------------------------------------------
# Download


def download_layers(
    raw_dir: str | Path,
    *,
    lad_codes: list[str],
    mirror: str | Path | None = None,
    refresh: bool = False,
    base_url: str | None = None,
) -> dict[str, Any]:
    """Fetch the ONS layers into ``raw_dir`` (cached) and return the download manifest.

    A cached file is reused when its sha256 matches the manifest; a missing, corrupt or partial
    file is fetched again. Each file is written only after a complete, valid response.
    ``base_url`` defaults to ``settings.ONS_BASE_URL``; the paging and retry settings
    (``settings.ONS_*``) are read when called too.
    """
    raw = Path(raw_dir)
    service_base = settings.ONS_BASE_URL if base_url is None else base_url
    manifest_path = raw / settings.MANIFEST_NAME
    manifest = _read_manifest(manifest_path)
    selection = {
        "lads": ("LAD23CD", lad_codes),
        "wards": ("LAD23CD", lad_codes),
        "countries": ("CTRY22CD", None),
    }
    for layer, service in settings.ONS_SERVICES.items():
        path = raw / f"{layer}.geojson"
        entry = manifest["layers"].get(layer)
        if not refresh and _cache_is_good(path, entry, service):
            logger.info("using cached %s (%s)", layer, path)
            continue
        field, codes = selection[layer]
        collection = _ons.fetch_layer(
            service,
            field=field,
            codes=codes,
            base_url=service_base,
            mirror=mirror,
            page_size=settings.ONS_PAGE_SIZE,
            timeout_s=settings.ONS_TIMEOUT_S,
            retries=settings.ONS_RETRIES,
            backoff_s=settings.ONS_BACKOFF_S,
        )
        if not collection["features"]:
            raise BoundaryDownloadError(
                f"{service} returned no features for the Midlands; check the service name"
            )
        payload = json.dumps(collection, separators=(",", ":")).encode()
        atomic_write_bytes(path, payload)
        manifest["layers"][layer] = {
            "service": service,
            "url": _ons.service_url(service_base, service),
            "where": _ons.where_in(field, codes),
            "source": f"mirror {Path(mirror).resolve()}" if mirror else "ONS ArcGIS REST service",
            "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "feature_count": len(collection["features"]),
            "sha256": sha256_file(path),
        }
        _write_manifest(manifest_path, manifest)
    return manifest


def _cache_is_good(path: Path, entry: dict[str, Any] | None, service: str) -> bool:
    if entry is None or entry.get("service") != service:
        return False
    return matches_checksum(path, entry.get("sha256"))


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {"layers": {}}
    try:
        manifest = json.loads(path.read_text())
    except ValueError:
        logger.warning("%s is unreadable; starting a new manifest", path)
        return {"layers": {}}
    manifest.setdefault("layers", {})
    return manifest


def _write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    atomic_write_bytes(path, json.dumps(manifest, indent=2, sort_keys=True).encode())


# --------------------------------------------------------------------------------------------
# Build


def build_boundaries(
    out_dir: str | Path | None = None,
    *,
    mirror: str | Path | None = None,
    refresh: bool = False,
    base_url: str | None = None,
    hierarchy_path: str | Path | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """Download (or read the mirror) and build every boundary layer into ``out_dir``.

    ``out_dir``, ``base_url`` and ``hierarchy_path`` default to ``settings.BOUNDARIES_DIR``,
    ``settings.ONS_BASE_URL`` and ``settings.HIERARCHY_CSV``. Returns the built layers
    (EPSG:4326) by name.
    """
    out = Path(settings.BOUNDARIES_DIR if out_dir is None else out_dir)
    hierarchy = read_hierarchy(hierarchy_path)
    lad_codes = sorted(hierarchy["lad_code"])
    manifest = download_layers(
        out / settings.RAW_DIR_NAME,
        lad_codes=lad_codes,
        mirror=mirror,
        refresh=refresh,
        base_url=base_url,
    )
    raw = out / settings.RAW_DIR_NAME
    lads_raw = _read_raw(raw / "lads.geojson")
    wards_raw = _read_raw(raw / "wards.geojson")

    lads = _lads_with_parents(lads_raw, hierarchy)
    wards = _wards_with_parents(wards_raw, lads)
    layers = {
        "wards": wards,
        "lads": lads,
        "counties": _dissolve(lads, "county"),
        "combined_authorities": _dissolve(lads[lads["ca_code"] != ""], "ca"),
        "regions": _dissolve(lads, "region"),
        "midlands": _outline(lads),
    }
    display = display_layers(layers)
    display["countries"] = basemap_land(_read_raw(raw / "countries.geojson"), layers["midlands"])
    built: dict[str, Any] = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "files": {}}
    for name, frame in layers.items():
        built["files"].update(_write_layer(frame.to_crs(settings.CRS_STORAGE), out, name))
    for name, frame in display.items():
        built["files"].update(_write_layer(frame, out, name, display=True))
    manifest["built"] = built
    _write_manifest(out / settings.MANIFEST_NAME, manifest)
    return {name: frame.to_crs(settings.CRS_STORAGE) for name, frame in layers.items()}


def _read_raw(path: Path) -> gpd.GeoDataFrame:
    frame = gpd.read_file(path)
    if frame.crs is None:
        frame = frame.set_crs(settings.CRS_STORAGE)
    frame["geometry"] = shapely.make_valid(frame.geometry.values)
    return frame.to_crs(settings.CRS_METRIC)


def _lads_with_parents(raw: gpd.GeoDataFrame, hierarchy: pd.DataFrame) -> gpd.GeoDataFrame:
    found = set(raw["LAD23CD"])
    missing = sorted(set(hierarchy["lad_code"]) - found)
    if missing:
        raise BoundaryDownloadError(
            f"the LAD layer lacks {len(missing)} Midlands LADs ({', '.join(missing[:5])}...); "
            "rebuild with --refresh"
        )
    lads = raw[["LAD23CD", "LAD23NM", "geometry"]].rename(
        columns={"LAD23CD": "code", "LAD23NM": "name"}
    )
    lads = lads.merge(hierarchy.drop(columns="lad_name"), left_on="code", right_on="lad_code")
    lads = lads.drop(columns="lad_code").sort_values("code").reset_index(drop=True)
    lads["geometry"] = [polygonal(g) for g in lads.geometry]
    lads = gpd.GeoDataFrame(lads, geometry="geometry", crs=settings.CRS_METRIC)
    lads["area_km2"] = (lads.area / 1e6).round(3)
    return lads


def _wards_with_parents(raw: gpd.GeoDataFrame, lads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    wards = raw[["WD23CD", "WD23NM", "LAD23CD", "geometry"]].rename(
        columns={"WD23CD": "code", "WD23NM": "name", "LAD23CD": "lad_code"}
    )
    parents = pd.DataFrame(lads.drop(columns=["geometry", "area_km2", "county_type"])).rename(
        columns={"code": "lad_code", "name": "lad_name"}
    )
    wards = wards.merge(parents, on="lad_code").sort_values("code").reset_index(drop=True)
    wards["geometry"] = [polygonal(g) for g in wards.geometry]
    wards = gpd.GeoDataFrame(wards, geometry="geometry", crs=settings.CRS_METRIC)
    wards["area_km2"] = (wards.area / 1e6).round(3)
    return wards


def _dissolve(lads: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Dissolve LADs into the areas of ``level`` ('county', 'ca' or 'region')."""
    keep = {
        "county": ["county_type", "ca_code", "ca_name", "region_code", "region_name"],
        "ca": [],
        "region": [],
    }[level]
    columns = [f"{level}_code", f"{level}_name", *keep]
    grouped = lads.dissolve(by=columns, as_index=False, aggfunc={"code": "count"})
    grouped = grouped.rename(
        columns={f"{level}_code": "code", f"{level}_name": "name", "code": "lad_count"}
    )
    if level == "county":
        grouped = grouped.rename(columns={"county_type": "type"})
    grouped["area_km2"] = (grouped.area / 1e6).round(3)
    ordered = ["code", "name", *[c for c in grouped.columns if c not in ("code", "name")]]
    return grouped[ordered].sort_values("code").reset_index(drop=True)


def _outline(lads: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    outline = shapely.union_all(lads.geometry.values)
    frame = gpd.GeoDataFrame(
        {"code": [MIDLANDS_CODE], "name": [MIDLANDS_NAME], "lad_count": [len(lads)]},
        geometry=[outline],
        crs=settings.CRS_METRIC,
    )
    frame["area_km2"] = (frame.area / 1e6).round(3)
    return frame


def _write_layer(
    frame: gpd.GeoDataFrame, out: Path, name: str, *, display: bool = False
) -> dict[str, str]:
    """Write one layer (GeoJSON, and GeoParquet unless display) and return {file: sha256}."""
    directory = out / settings.DISPLAY_DIR_NAME if display else out
    precision = 5 if display else 6
    targets = [directory / f"{name}.geojson"]
    atomic_write(
        targets[0],
        lambda tmp: frame.to_file(
            tmp, driver="GeoJSON", layer=name, COORDINATE_PRECISION=precision, RFC7946="YES"
        ),
    )
    if not display:
        targets.append(directory / f"{name}.parquet")
        atomic_write(targets[1], frame.to_parquet)
    return {str(path.relative_to(out)): sha256_file(path) for path in targets}


# --------------------------------------------------------------------------------------------
# Load


def layer_path(name: str, *, display: bool = False, directory: str | Path | None = None) -> Path:
    """Return the file of a built layer (GeoParquet, or display GeoJSON).

    ``directory`` defaults to ``settings.BOUNDARIES_DIR``.
    """
    known = (*DISPLAY_LAYERS, *BASEMAP_LAYERS) if display else LAYERS
    if name not in known:
        raise ValueError(f"unknown boundary layer {name!r}; choose one of {', '.join(known)}")
    base = Path(settings.BOUNDARIES_DIR if directory is None else directory)
    if display:
        return base / settings.DISPLAY_DIR_NAME / f"{name}.geojson"
    return base / f"{name}.parquet"


def load_layer(
    name: str, *, display: bool = False, directory: str | Path | None = None
) -> gpd.GeoDataFrame:
    """Return a built boundary layer in EPSG:4326.

    Parameters
    ----------
    name
        One of :data:`LAYERS`.
    display
        The coverage-simplified version for the web map instead of the full one.
    directory
        The boundaries folder (default ``settings.BOUNDARIES_DIR``).
    """
    path = layer_path(name, display=display, directory=directory)
    if not path.is_file():
        raise BoundaryDataMissingError(
            f"boundary layer {name!r} is not built ({path} is missing); run "
            "'make data' or 'python -m layers.boundaries build --mirror DIR'"
        )
    frame = gpd.read_file(path) if display else gpd.read_parquet(path)
    return frame.to_crs(settings.CRS_STORAGE)


def read_manifest(directory: str | Path | None = None) -> dict[str, Any]:
    """Return the boundaries manifest (downloads and build), or an empty one.

    ``directory`` defaults to ``settings.BOUNDARIES_DIR``.
    """
    folder = Path(settings.BOUNDARIES_DIR if directory is None else directory)
    return _read_manifest(folder / settings.MANIFEST_NAME)


# --------------------------------------------------------------------------------------------
# Command line


def main(argv: list[str] | None = None) -> int:
    """Run the boundaries command line."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.boundaries",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="download the ONS layers and build every layer")
    build.add_argument(
        "--mirror",
        default=settings.ONS_MIRROR,
        help="read the ONS service files from this folder instead of the network "
        "(default: $MIDLANDS_ONS_MIRROR)",
    )
    build.add_argument("--refresh", action="store_true", help="download again even if cached")
    build.add_argument("--out", default=str(settings.BOUNDARIES_DIR), help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    try:
        layers = build_boundaries(args.out, mirror=args.mirror, refresh=args.refresh)
    except BoundaryDownloadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, frame in layers.items():
        print(f"{name:22s} {len(frame):5d} features")
    return 0


if __name__ == "__main__":
    sys.exit(main())
